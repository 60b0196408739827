"""How fast are DUMP, RESTORE and LZF? Each beside an anchor measured in the same run.

    python benchmarks/dump.py            # about half a minute
    python benchmarks/dump.py --quick    # a few seconds, rougher

- DUMP and RESTORE of a short string (no LZF: 20 bytes or fewer) through ``execute()``, beside
  GET and SET through ``execute()``: the string commands they should be as lean as;
- DUMP of a 100-byte string, which LZF compresses (plain Python) as Redis does;
- LZF itself in MB/s on three kinds of data (incompressible, text, one repeated byte), beside
  zlib at level 1 (C, in the standard library) on the same data, and the time DUMP takes for a
  string of LZF_BUDGET bytes (the most one payload compresses: the worst case) and for a 64 MB
  one (written uncompressed);
- why SAVE does not compress: a file's worth of 100-byte values encoded with and without LZF.

Each figure is the best of several rounds (the development machine is shared and noisy).

The targets: DUMP within 4x of GET and RESTORE within 6x of SET, for a short string. Both pay a
CRC-64 of the payload (anycrc's C code: about 0.9 us a call on a few bytes, most of it taking
the buffer), and RESTORE checks the footer, reads the value and replaces the key; LZF's worst
case, the budget of one payload, under 100 ms; a 64 MB DUMP, uncompressed, under 2 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kedis  # noqa: E402
from benchmarks.report import print_targets  # noqa: E402
from kedis.persistence import rdb  # noqa: E402
from kedis.util import lzf  # noqa: E402

KEYS = [b"key:%d" % i for i in range(1000)]


def best_seconds(work: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def commands(rounds: int) -> dict[str, float]:
    """ops/s of each command over KEYS (1,000 calls a round)."""
    db = kedis.Kedis()
    execute = db.execute
    short, text = b"some value", b"The quick brown fox jumps over the lazy dog. " * 3  # 135 bytes
    for key in KEYS:
        execute(b"SET", key, short)
        execute(b"SET", b"t" + key, text[:100])
    payload = execute(b"DUMP", KEYS[0]).value
    loops = {
        "GET": lambda: [execute(b"GET", key) for key in KEYS],
        "SET": lambda: [execute(b"SET", key, short) for key in KEYS],
        "DUMP (10 bytes)": lambda: [execute(b"DUMP", key) for key in KEYS],
        "RESTORE (10 bytes)": lambda: [execute(b"RESTORE", key, b"0", payload, b"REPLACE")
                                       for key in KEYS],
        "DUMP (100 bytes, LZF)": lambda: [execute(b"DUMP", b"t" + key) for key in KEYS],
    }
    return {name: len(KEYS) / best_seconds(loop, rounds) for name, loop in loops.items()}


def data_sets(size: int) -> dict[str, bytes]:
    rng = random.Random(1)
    words = [b"redis", b"kedis", b"store", b"key", b"value", b"expire", b"the", b"a", b"set"]
    return {
        "incompressible": rng.randbytes(size),
        "text": b" ".join(rng.choice(words) for _ in range(size // 4))[:size],
        "one byte repeated": b"a" * size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller data")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    verdicts = []

    rates = commands(rounds)
    print(f"{'through execute()':<28}{'ops/s':>12}  ratio")
    for name, rate in rates.items():
        anchor = rates["SET"] if name.startswith("RESTORE") else rates["GET"]
        label = "(anchor)" if name in ("GET", "SET") else \
            f"{rate / anchor:.2f}x {'SET' if name.startswith('RESTORE') else 'GET'}"
        print(f"{name:<28}{rate / 1000:>10.0f}k  {label}")
    dump_ratio = rates["DUMP (10 bytes)"] / rates["GET"]
    restore_ratio = rates["RESTORE (10 bytes)"] / rates["SET"]
    verdicts += [(f"DUMP of a short string >= 1/4 of GET's rate ({dump_ratio:.2f})",
                  dump_ratio >= 1 / 4),
                 (f"RESTORE of a short string >= 1/6 of SET's rate ({restore_ratio:.2f})",
                  restore_ratio >= 1 / 6)]

    size = 64 * 1024 if args.quick else 256 * 1024
    print(f"\nLZF on {size // 1024} KB{'':<14}compress   decompress   zlib -1 (anchor)   ratio")
    for name, data in data_sets(size).items():
        room = len(data) + len(data) // 16 + 64  # enough for any input: it never gives up
        packed = lzf.compress(data, room)
        compress_s = best_seconds(lambda d=data, r=room: lzf.compress(d, r), max(1, rounds // 2))
        decompress_s = best_seconds(lambda d=data, p=packed: lzf.decompress(p, len(d)), rounds)
        zlib_s = best_seconds(lambda d=data: zlib.compress(d, 1), rounds)
        mb = len(data) / 1e6
        print(f"  {name:<28}{mb / compress_s:>6.2f} MB/s {mb / decompress_s:>7.1f} MB/s "
              f"{mb / zlib_s:>10.0f} MB/s   {zlib_s / compress_s:.4f}x zlib "
              f"({len(packed) / len(data):.0%} of the size)")

    db = kedis.Kedis()
    worst = random.Random(2).randbytes(rdb.LZF_BUDGET)
    db.execute(b"SET", b"worst", worst)
    worst_s = best_seconds(lambda: db.execute(b"DUMP", b"worst"), max(1, rounds // 2))
    db.execute(b"SET", b"get", worst)
    get_s = best_seconds(lambda: db.execute(b"GET", b"get"), rounds)
    print(f"\nDUMP of {rdb.LZF_BUDGET // 1024} KB of random bytes (the worst case: LZF reads it all, "
          f"then gives up): {worst_s * 1000:.0f} ms ({worst_s / get_s:.0f}x a GET of it)")
    verdicts.append((f"DUMP of the worst string LZF is given takes < 100 ms ({worst_s * 1000:.0f})",
                     worst_s < 0.1))
    huge = random.Random(3).randbytes((16 if args.quick else 64) * 1024 * 1024)
    db.execute(b"SET", b"huge", huge)
    huge_s = best_seconds(lambda: db.execute(b"DUMP", b"huge"), 1)
    print(f"DUMP of a {len(huge) >> 20} MB string (beyond the budget: uncompressed): "
          f"{huge_s * 1000:.0f} ms")
    verdicts.append((f"DUMP of a {len(huge) >> 20} MB string takes < 2 s ({huge_s:.2f})",
                     huge_s < 2))

    values = [b"user:%d:" % i + data_sets(92)["text"] for i in range(2000 if args.quick else 10000)]
    raw_s = best_seconds(lambda: [rdb.encode_string(v) for v in values], rounds)
    packed_size = 0

    def with_lzf():
        nonlocal packed_size
        packed_size = sum(len(rdb.encode_string(v, rdb.LZFBudget(1 << 62))) for v in values)

    lzf_s = best_seconds(with_lzf, max(1, rounds // 2))
    raw_size = sum(len(rdb.encode_string(v)) for v in values)
    print(f"\nSAVE's strings, {len(values):,} values of 100 bytes: as they are {raw_s * 1000:.0f} ms, "
          f"with LZF {lzf_s * 1000:.0f} ms ({lzf_s / raw_s:.0f}x slower) for a file "
          f"{1 - packed_size / raw_size:.0%} smaller: SAVE writes them as they are")
    print_targets(verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
