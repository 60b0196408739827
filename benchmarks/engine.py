"""How fast is the engine? ops/s for SET, GET and INCR, beside anchors measured in the same run.

    python benchmarks/engine.py            # about half a minute
    python benchmarks/engine.py --quick    # a few seconds, rougher

Every figure is printed beside an anchor measured in the same process, as a ratio, because
absolute numbers depend on the machine and ratios much less:

- **dict**: a plain dict set/get behind one function call: the floor for any Python store;
- **fakeredis**: the well-known Redis emulator in Python, through its redis-py interface.

Kedis is measured through ``execute()`` (arguments, as a client library sends them) and ``run()``
(a line of text, through the parser too), each with tracing off and on. Each case runs the same
loop over 1,000 keys; the best of several rounds is kept, to filter out the machine's noise.

Targets (issue 2): execute() SET/GET at least 1/8 of the dict anchor; at least 10x fakeredis;
trace on at most 5x slower than off.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kedis  # noqa: E402
from benchmarks.report import print_targets  # noqa: E402

KEYS = [b"key:%d" % i for i in range(1000)]
COUNTERS = [b"counter:%d" % i for i in range(1000)]  # INCR's keys: they must hold numbers
VALUE = b"some value"


def best_rate(loop: Callable[[], None], rounds: int, repeat: int) -> float:
    """ops/s of the fastest of ``rounds`` timings, each running ``loop`` ``repeat`` times."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            loop()
        best = min(best, time.perf_counter() - start)
    return repeat * len(KEYS) / best


def dict_cases() -> dict[str, Callable[[], None]]:
    store: dict[bytes, object] = {}

    def dict_set(key: bytes, value: bytes) -> None:
        store[key] = value

    def dict_get(key: bytes) -> object:
        return store.get(key)

    def dict_incr(key: bytes) -> int:
        value = store.get(key, 0) + 1  # type: ignore[operator]
        store[key] = value
        return value

    def set_loop() -> None:
        for key in KEYS:
            dict_set(key, VALUE)

    def get_loop() -> None:
        for key in KEYS:
            dict_get(key)

    def incr_loop() -> None:
        for key in COUNTERS:
            dict_incr(key)

    return {"SET": set_loop, "GET": get_loop, "INCR": incr_loop}


def fakeredis_cases() -> dict[str, Callable[[], None]] | None:
    try:
        import fakeredis
    except ImportError:
        return None
    client = fakeredis.FakeRedis()

    def set_loop() -> None:
        for key in KEYS:
            client.set(key, VALUE)

    def get_loop() -> None:
        for key in KEYS:
            client.get(key)

    def incr_loop() -> None:
        for key in COUNTERS:
            client.incr(key)

    return {"SET": set_loop, "GET": get_loop, "INCR": incr_loop}


def kedis_execute_cases(trace: bool) -> dict[str, Callable[[], None]]:
    execute = kedis.Kedis().execute
    if trace:
        def set_loop() -> None:
            for key in KEYS:
                execute(b"SET", key, VALUE, trace=True)

        def get_loop() -> None:
            for key in KEYS:
                execute(b"GET", key, trace=True)

        def incr_loop() -> None:
            for key in COUNTERS:
                execute(b"INCR", key, trace=True)
    else:
        def set_loop() -> None:
            for key in KEYS:
                execute(b"SET", key, VALUE)

        def get_loop() -> None:
            for key in KEYS:
                execute(b"GET", key)

        def incr_loop() -> None:
            for key in COUNTERS:
                execute(b"INCR", key)

    set_loop()  # GET finds the keys
    return {"SET": set_loop, "GET": get_loop, "INCR": incr_loop}


def kedis_run_cases(trace: bool) -> dict[str, Callable[[], None]]:
    run = kedis.Kedis().run
    lines = {"SET": [f"SET {key.decode()} v" for key in KEYS],
             "GET": [f"GET {key.decode()}" for key in KEYS],
             "INCR": [f"INCR {key.decode()}" for key in COUNTERS]}

    def make(name: str) -> Callable[[], None]:
        batch = lines[name]
        if trace:
            def loop() -> None:
                for line in batch:
                    run(line, trace=True)
        else:
            def loop() -> None:
                for line in batch:
                    run(line)
        return loop

    cases = {name: make(name) for name in lines}
    cases["SET"]()
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: faster, rougher")
    options = parser.parse_args()
    rounds, repeat = (3, 5) if options.quick else (7, 20)

    suites: dict[str, dict[str, Callable[[], None]] | None] = {
        "dict (anchor)": dict_cases(),
        "fakeredis (anchor)": fakeredis_cases(),
        "kedis execute()": kedis_execute_cases(trace=False),
        "kedis execute() traced": kedis_execute_cases(trace=True),
        "kedis run()": kedis_run_cases(trace=False),
        "kedis run() traced": kedis_run_cases(trace=True),
    }
    rates: dict[str, dict[str, float]] = {}
    for name, cases in suites.items():
        if cases is None:
            continue
        rates[name] = {}
        for command, loop in cases.items():
            # The traced and fakeredis cases are slower: fewer repetitions keep the run short.
            slow = "traced" in name or "fakeredis" in name
            rates[name][command] = best_rate(loop, rounds, max(1, repeat // 5) if slow else repeat)

    print(f"Python {sys.version.split()[0]}, {len(KEYS)} keys, best of {rounds} rounds\n")
    print(f"{'':26s}" + "".join(f"{c:>14s}" for c in ("SET", "GET", "INCR")))
    for name, by_command in rates.items():
        print(f"{name:26s}" + "".join(f"{by_command[c] / 1000:>11.0f}k/s" for c in
                                      ("SET", "GET", "INCR")))

    anchor = rates["dict (anchor)"]
    execute = rates["kedis execute()"]
    fake = rates.get("fakeredis (anchor)")
    print("\nRatios (same run):")
    verdicts = []
    for command in ("SET", "GET", "INCR"):
        share = execute[command] / anchor[command]
        line = f"  execute() {command:4s}: 1/{1 / share:.1f} of the dict anchor"
        if command != "INCR":
            verdicts.append(("execute() " + command + " >= 1/8 of dict", share >= 1 / 8))
        if fake:
            speedup = execute[command] / fake[command]
            line += f", {speedup:.1f}x fakeredis"
            verdicts.append(("execute() " + command + " >= 10x fakeredis", speedup >= 10))
        print(line)
    for path in ("execute()", "run()"):
        for command in ("SET", "GET", "INCR"):
            slowdown = rates[f"kedis {path}"][command] / rates[f"kedis {path} traced"][command]
            print(f"  {path:9s} {command:4s} traced: {slowdown:.1f}x slower than untraced")
            verdicts.append((f"{path} {command} trace <= 5x", slowdown <= 5))
    print_targets(verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
