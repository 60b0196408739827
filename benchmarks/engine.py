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

The bookkeeping every command pays (issue 13), in the same run: ``Kedis.call`` (the dispatcher a
server calls, arguments already bytes) for SET, GET and INCR, beside the two things it does for
every command that Redis does too: timing it for INFO commandstats and SLOWLOG (two clock reads,
three counters, a comparison: Redis's call()) and writing the key's LRU field (Redis's
lookupKey), each run alone in the same loop, less the loop itself. Printed as ns a command and as
a share of call(); no target, a figure to know.

Bitmaps (commands/bitops.py), in the same run: SETBIT and BITCOUNT on small bitmaps beside
execute()'s SET and fakeredis's own SETBIT; SETBIT on a 12 MB bitmap (a day's users, 100 million
bits) beside SETBIT on a small one, which shows that a bitmap is changed in place (fakeredis
copies its 12 MB each time); BITCOUNT of those 12 MB beside ``bytes.count`` over them, a C scan
of memory: the floor for any pass over the bytes. Targets: SETBIT and BITCOUNT at least half of
SET's rate; SETBIT on 12 MB at least 0.8x SETBIT on one byte; BITCOUNT of 12 MB within 10x the
scan.
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


def kedis_call_cases() -> dict[str, Callable[[], None]]:
    engine = kedis.Kedis()
    call, client = engine.call, engine.client
    commands = {"SET": [[b"SET", key, VALUE] for key in KEYS],
                "GET": [[b"GET", key] for key in KEYS],
                "INCR": [[b"INCR", key] for key in COUNTERS]}

    def make(batch: list[list[bytes]]) -> Callable[[], None]:
        def loop() -> None:
            for argv in batch:
                call(client, argv)
        return loop

    cases = {name: make(batch) for name, batch in commands.items()}
    cases["SET"]()
    return cases


def bookkeeping_cases() -> dict[str, Callable[[], None]]:
    """What call() and the keyspace add to every command, each alone: the same statements on
    the same kinds of objects (a Command of the table, a database's LRU dict)."""
    engine = kedis.Kedis()
    command = engine.commands[b"get"]
    now_ns = time.perf_counter_ns
    threshold = engine.slowlog_threshold_ns
    db = engine.client.db
    for key in KEYS:
        db.set_key(key, VALUE)

    def empty_loop() -> None:
        for _key in KEYS:
            pass

    def timing_loop() -> None:
        for _key in KEYS:
            start = now_ns()
            duration = now_ns() - start
            command.calls += 1
            command.duration_ns += duration
            if duration >= threshold:
                pass

    def lru_loop() -> None:
        for key in KEYS:
            if not db.lfu:
                db.lru[key] = db.lru_clock

    return {"loop": empty_loop, "commandstats": timing_loop, "LRU field": lru_loop}


def bookkeeping_report(rounds: int, repeat: int) -> None:
    calls = {name: best_rate(loop, rounds, repeat) for name, loop in kedis_call_cases().items()}
    costs = {name: 1e9 / best_rate(loop, rounds, repeat)
             for name, loop in bookkeeping_cases().items()}
    loop_ns = costs.pop("loop")
    print("\nBookkeeping on every command (same run):")
    print("  call()        " + "".join(f"{name} {1e9 / rate:5.0f} ns   "
                                        for name, rate in calls.items()))
    for name, ns in costs.items():
        ns -= loop_ns
        print(f"  {name:13s} {ns:4.0f} ns: " + ", ".join(
            f"{ns * rate / 1e9:.0%} of {command}'s" for command, rate in calls.items()))


def bitmap_cases() -> dict[str, Callable[[], None]]:
    """SETBIT and BITCOUNT through execute(), on 1,000 one-byte bitmaps and on one of 12 MB."""
    execute = kedis.Kedis().execute
    offsets = [b"%d" % (i % 8) for i in range(len(KEYS))]
    big_offsets = [b"%d" % ((i * 7919 * 12289) % 100_000_000) for i in range(len(KEYS))]
    execute(b"SETBIT", b"day", b"99999999", b"1")

    def setbit_loop() -> None:
        for key, offset in zip(KEYS, offsets, strict=True):
            execute(b"SETBIT", key, offset, b"1")

    def bitcount_loop() -> None:
        for key in KEYS:
            execute(b"BITCOUNT", key)

    def big_setbit_loop() -> None:
        for offset in big_offsets:
            execute(b"SETBIT", b"day", offset, b"1")

    setbit_loop()
    return {"SETBIT": setbit_loop, "BITCOUNT": bitcount_loop, "SETBIT 12 MB": big_setbit_loop}


def fakeredis_setbit() -> Callable[[], None] | None:
    try:
        import fakeredis
    except ImportError:
        return None
    client = fakeredis.FakeRedis()

    def loop() -> None:
        for i, key in enumerate(KEYS):
            client.setbit(key, i % 8, 1)

    return loop


def big_bitcount_seconds(rounds: int) -> tuple[float, float]:
    """Seconds for BITCOUNT of a 12 MB bitmap, and for bytes.count over the same bytes."""
    db = kedis.Kedis()
    day = bytes(range(256)) * (12_500_000 // 256)
    db.execute(b"SET", b"day", day)
    best_bitcount = best_scan = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        db.execute(b"BITCOUNT", b"day")
        best_bitcount = min(best_bitcount, time.perf_counter() - start)
        start = time.perf_counter()
        day.count(b"\x00")
        best_scan = min(best_scan, time.perf_counter() - start)
    return best_bitcount, best_scan


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
    bookkeeping_report(rounds, repeat)
    verdicts += bitmaps_report(rates["kedis execute()"], rounds, max(1, repeat // 2))
    print_targets(verdicts)
    return 0


def bitmaps_report(execute: dict[str, float], rounds: int, repeat: int) -> list[tuple[str, bool]]:
    """Measure and print the bitmap figures (see the module's docstring); answer the verdicts.
    ``execute``: execute()'s rates for SET, GET and INCR, measured before."""
    set_rate, incr_rate = execute["SET"], execute["INCR"]
    bitmap_rates = {name: best_rate(loop, rounds, repeat) for name, loop in bitmap_cases().items()}
    fake = fakeredis_setbit()
    fake_rate = best_rate(fake, rounds, max(1, repeat // 5)) if fake else None
    bitcount_seconds, scan_seconds = big_bitcount_seconds(rounds)
    print("\nBitmaps (same run):")
    for name, rate in bitmap_rates.items():
        print(f"  {name:13s} {rate / 1000:7.0f}k/s")
    setbit, bitcount, big = (bitmap_rates[n] for n in ("SETBIT", "BITCOUNT", "SETBIT 12 MB"))
    print(f"  SETBIT   : {setbit / set_rate:.2f}x execute()'s SET, {setbit / incr_rate:.2f}x INCR"
          + (f", {setbit / fake_rate:.1f}x fakeredis's SETBIT" if fake_rate else ""))
    print(f"  BITCOUNT : {bitcount / set_rate:.2f}x execute()'s SET, {bitcount / incr_rate:.2f}x INCR")
    print(f"  SETBIT on a 12 MB bitmap: {big / setbit:.2f}x SETBIT on a one-byte one")
    print(f"  BITCOUNT of 12 MB: {bitcount_seconds * 1000:.1f} ms, "
          f"{bitcount_seconds / scan_seconds:.1f}x a bytes.count over it "
          f"({scan_seconds * 1000:.1f} ms)")
    return [("SETBIT >= 1/2 of SET", setbit >= set_rate / 2),
            ("BITCOUNT >= 1/2 of SET", bitcount >= set_rate / 2),
            ("SETBIT on 12 MB >= 0.8x SETBIT on 1 byte", big >= 0.8 * setbit),
            ("BITCOUNT of 12 MB <= 10x a scan of it", bitcount_seconds <= 10 * scan_seconds)]


if __name__ == "__main__":
    sys.exit(main())
