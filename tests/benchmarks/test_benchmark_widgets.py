"""The widgets' benchmark is not a timed test, but it must keep running: it is how the cost of
the live views is measured, beside the same commands with no views."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_widgets_benchmark_prints_builds_ratios_and_targets():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "widgets.py"), "--quick"],
                            capture_output=True, text=True, timeout=240, check=True)
    out = result.stdout
    assert "100,000 keys" in out
    assert "sorted() of the keys (anchor)" in out
    for view in ("StoreView", "ExpiryView", "FlowView", "StructureView", "Dashboard",
                 "StructureView of a 1M-member set"):
        assert view in out
    assert "a %store cell" in out and "a %structure cell" in out and "a %dashboard cell" in out
    assert "no views" in out and "views" in out             # each command's time, both ways
    for way in ("kernel, a 10,000-command cell, whole cell", "kernel, a one-command cell",
                "CellRunner in process", "engine.execute in process"):
        assert way in out
    assert out.count("x   ") >= 4                            # a ratio on each of those lines
    assert "Targets:" in out
