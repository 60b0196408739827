"""The kernel benchmark is not a timed test either, but it must keep running: it is how the kernel's
speed is measured, beside IPython's own kernel."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_kernel_benchmark_prints_figures_ratios_and_targets():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "kernel.py"), "--quick"],
                            capture_output=True, text=True, timeout=120, check=True)
    assert "Kernel start" in result.stdout
    assert "python3 (anchor)" in result.stdout
    assert "x python3" in result.stdout                      # the ratios to the anchor
    assert "kedis GET k" in result.stdout
    assert "10,000-command cell" in result.stdout
    assert "until idle, all outputs" in result.stdout
    assert "10,000 of 10,000 replies received" in result.stdout
    assert "Targets:" in result.stdout
