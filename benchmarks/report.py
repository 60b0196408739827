"""What every benchmark prints last: each target, met or missed, one per line.

    from benchmarks.report import print_targets   # (each benchmark puts the project on sys.path)
    print_targets([("execute() SET >= 1/8 of dict", ratio >= 1 / 8), ...])
"""

from __future__ import annotations


def print_targets(verdicts: list[tuple[str, bool]]) -> None:
    print("\nTargets:")
    for label, met in verdicts:
        print(f"  {'met ' if met else 'MISS'}  {label}")
