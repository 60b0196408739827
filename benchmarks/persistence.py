"""How fast is persistence? SAVE and load of a million keys, beside redis-server.

    python benchmarks/persistence.py            # about half a minute
    python benchmarks/persistence.py --quick    # a few seconds, rougher

Each figure is printed beside an anchor measured in the same run, as a ratio:

- **SAVE** of 1,000,000 string keys (a tenth with a TTL) by Kedis, beside ``SAVE`` of the same
  keys by a redis-server started for the run (``DEBUG POPULATE`` makes them: ``key:N`` holds
  ``value:N``; Kedis gets the very same keys and deadlines);
- **load**: Kedis starting on its dump, beside redis-server starting on its own (the time it
  logs as "DB loaded from disk").

Targets (issue 6): Kedis SAVE and load each within 5x of redis-server.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import kedis  # noqa: E402

TTL_MS = 3_600_000  # an hour: nothing expires during the run


# --- SAVE and load beside redis-server ----------------------------------------------------------
def redis_side(keys: int, folder: str) -> tuple[float, float] | None:
    """redis-server's SAVE time and start-up load time for ``keys`` keys, a tenth with a TTL."""
    if shutil.which("redis-server") is None:
        return None
    from redis_oracle import RedisServer

    server = RedisServer(dir=folder)
    try:
        client = server.client()
        client.call("DEBUG", "POPULATE", keys, "key")
        deadline = int(time.time() * 1000) + TTL_MS
        # PEXPIREAT for every tenth key, pipelined: one write of many commands, then the replies.
        batch = []
        for i in range(0, keys, 10):
            batch.append(b"*3\r\n$9\r\nPEXPIREAT\r\n$%d\r\nkey:%d\r\n$13\r\n%d\r\n"
                         % (len(b"key:%d" % i), i, deadline))
        for start in range(0, len(batch), 10_000):
            chunk = batch[start:start + 10_000]
            client.sock.sendall(b"".join(chunk))
            for _ in chunk:
                client._read_reply()
        started = time.perf_counter()
        assert client.call("SAVE") == b"+OK\r\n"
        save_seconds = time.perf_counter() - started
        client.close()
    finally:
        server.stop()
    os.unlink(os.path.join(folder, "redis.log"))
    server = RedisServer(dir=folder, timeout=120)
    try:
        server.stop()
        with open(server.log) as log:
            match = re.search(r"DB loaded from disk: ([\d.]+) seconds", log.read())
    finally:
        server.stop()
    if match is None:
        return save_seconds, float("nan")
    return save_seconds, float(match.group(1))


def kedis_side(keys: int, folder: str) -> tuple[float, float, int]:
    """Kedis's SAVE and start-up load times for the same keys; and the dump's size."""
    db = kedis.Kedis(config={"dir": folder})
    deadline = int(time.time() * 1000) + TTL_MS
    execute = db.execute
    for i in range(keys):
        key = b"key:%d" % i
        if i % 10 == 0:
            execute(b"SET", key, b"value:%d" % i, b"PXAT", b"%d" % deadline)
        else:
            execute(b"SET", key, b"value:%d" % i)
    started = time.perf_counter()
    assert execute(b"SAVE").value == "OK"
    save_seconds = time.perf_counter() - started
    del db
    started = time.perf_counter()
    again = kedis.Kedis(config={"dir": folder})
    load_seconds = time.perf_counter() - started
    assert len(again.databases[0].data) == keys
    assert len(again.databases[0].expires) == (keys + 9) // 10
    return save_seconds, load_seconds, os.path.getsize(os.path.join(folder, "dump.rdb"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer keys and runs: faster")
    options = parser.parse_args()
    keys = 50_000 if options.quick else 1_000_000
    verdicts = []

    print(f"Python {sys.version.split()[0]}, {keys:,} string keys (a tenth with a TTL)\n")
    with tempfile.TemporaryDirectory(prefix="kedis-bench-") as folder:
        os.mkdir(os.path.join(folder, "kedis"))
        os.mkdir(os.path.join(folder, "redis"))
        k_save, k_load, size = kedis_side(keys, os.path.join(folder, "kedis"))
        redis = redis_side(keys, os.path.join(folder, "redis"))
    print(f"{'':28s}{'SAVE':>10s}{'load':>10s}")
    if redis is not None:
        print(f"{'redis-server (anchor)':28s}{redis[0]:>9.3f}s{redis[1]:>9.3f}s")
    print(f"{'Kedis':28s}{k_save:>9.3f}s{k_load:>9.3f}s   (dump: {size / 1e6:.1f} MB)")
    if redis is not None:
        save_ratio, load_ratio = k_save / redis[0], k_load / redis[1]
        print(f"\nRatios (same run): Kedis SAVE {save_ratio:.1f}x redis-server's, "
              f"load {load_ratio:.1f}x")
        verdicts += [("Kedis SAVE within 5x of redis-server", save_ratio <= 5),
                     ("Kedis load within 5x of redis-server", load_ratio <= 5)]
    else:
        print("\n(redis-server is not installed: no anchor, no ratio)")

    print("\nTargets:")
    for label, met in verdicts:
        print(f"  {'met ' if met else 'MISS'}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
