"""The persistence benchmark keeps running: a quick run prints its figures and targets."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_persistence_benchmark_prints_ratios_beside_its_anchors():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "persistence.py"),
                             "--quick"], capture_output=True, text=True, timeout=300, check=True)
    assert "redis-server (anchor)" in result.stdout
    assert "Ratios (same run): Kedis SAVE" in result.stdout
    assert "appendfsync always" in result.stdout
    assert "Crash runs: 4 (SIGKILL while writing)" in result.stdout
    assert "met   nothing lost in 4 crash runs" in result.stdout
    assert "Targets:" in result.stdout
