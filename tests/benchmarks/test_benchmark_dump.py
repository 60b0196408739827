"""The DUMP benchmark keeps running: a quick run prints its figures beside their anchors."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dump_benchmark_prints_ratios_beside_its_anchors():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "dump.py"), "--quick"],
                            capture_output=True, text=True, timeout=300, check=True)
    assert "GET                " in result.stdout and "(anchor)" in result.stdout
    assert "x GET" in result.stdout and "x SET" in result.stdout
    assert "x zlib" in result.stdout
    assert "SAVE's strings" in result.stdout
    assert "Targets:" in result.stdout
