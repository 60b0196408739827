"""The benchmark is not a timed test, but it must keep running: it is how performance is measured."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_benchmark_prints_ratios_beside_its_anchors():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "engine.py"), "--quick"],
                            capture_output=True, text=True, timeout=120, check=True)
    assert "dict (anchor)" in result.stdout
    assert "fakeredis (anchor)" in result.stdout
    assert "of the dict anchor" in result.stdout
    assert "traced:" in result.stdout
    assert "Bookkeeping on every command" in result.stdout
    assert "commandstats" in result.stdout and "LRU field" in result.stdout
    assert "Targets:" in result.stdout
