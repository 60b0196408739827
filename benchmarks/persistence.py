"""How fast, and how safe, is persistence? SAVE and load beside redis-server, AOF writes, crashes.

    python benchmarks/persistence.py            # about two minutes
    python benchmarks/persistence.py --quick    # a few seconds, rougher

Each figure is printed beside an anchor measured in the same run, as a ratio:

- **SAVE** of 1,000,000 string keys (a tenth with a TTL) by Kedis, beside ``SAVE`` of the same
  keys by a redis-server started for the run (``DEBUG POPULATE`` makes them: ``key:N`` holds
  ``value:N``; Kedis gets the very same keys and deadlines);
- **load**: Kedis starting on its dump, beside redis-server starting on its own (the time it
  logs as "DB loaded from disk");
- **AOF writes/s** under each ``appendfsync`` policy, beside Kedis with no AOF;
- **crash runs**: a child process writes keys as fast as it can, printing each one once SET has
  returned (acknowledged), and is killed with SIGKILL; a restart must hold every acknowledged
  key. Half the runs use ``always``, half ``everysec``.

Targets (issue 6): Kedis SAVE and load each within 5x of redis-server; nothing lost in 100 crash
runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import kedis  # noqa: E402
from benchmarks.report import print_targets  # noqa: E402

TTL_MS = 3_600_000  # an hour: nothing expires during the run


# --- crash runs ---------------------------------------------------------------------------------
CHILD = """
import os, sys
sys.path.insert(0, {root!r})
import kedis
db = kedis.Kedis(config={{"dir": sys.argv[1], "appendonly": "yes", "appendfsync": sys.argv[2]}})
os.write(1, b"ready\\n")
i = 0
while True:
    db.execute(b"SET", b"key:%d" % i, b"value:%d" % i)
    os.write(1, b"%d\\n" % i)   # acknowledged: SET has returned
    i += 1
"""


@dataclass
class CrashResult:
    policy: str
    acknowledged: int   # keys the child reported written before it was killed
    lost: int           # of those, how many the restart does not hold
    extra: int          # keys written but not yet acknowledged when the kill came (allowed)


def crash_run(folder: str, policy: str, run_seconds: float = 0.3) -> CrashResult:
    """One crash: a child writes and acknowledges keys, is killed, and the store restarts."""
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), folder, policy],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    if child.stdout.readline() != b"ready\n":
        child.kill()
        raise RuntimeError("the crash child did not start")
    last = -1  # the highest key acknowledged (the child acknowledges in order)
    deadline = time.monotonic() + run_seconds
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line.endswith(b"\n"):
            break
        last = int(line)
    os.kill(child.pid, signal.SIGKILL)  # no chance to flush or close anything
    rest = child.stdout.read()
    child.wait()
    complete = [line for line in rest.split(b"\n")[:-1] if line]  # (a last piece may be cut)
    if complete:
        last = int(complete[-1])
    acknowledged = last + 1
    db = kedis.Kedis(config={"dir": folder, "appendonly": "yes"})
    data = db.databases[0].data
    lost = sum(1 for i in range(acknowledged) if data.get(b"key:%d" % i) != b"value:%d" % i)
    extra = len(data) - (acknowledged - lost)
    db.shutdown()
    return CrashResult(policy, acknowledged, lost, extra)


def crash_runs(count: int, run_seconds: float) -> list[CrashResult]:
    results = []
    for n in range(count):
        folder = tempfile.mkdtemp(prefix="kedis-crash-")
        try:
            results.append(crash_run(folder, "always" if n % 2 == 0 else "everysec",
                                     run_seconds))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return results


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


# --- AOF writes/s -------------------------------------------------------------------------------
def aof_rate(policy: str | None, writes: int) -> float:
    folder = tempfile.mkdtemp(prefix="kedis-aof-")
    try:
        config = {"dir": folder}
        if policy is not None:
            config.update(appendonly="yes", appendfsync=policy)
        db = kedis.Kedis(config=config)
        keys = [b"key:%d" % i for i in range(writes)]
        execute = db.execute
        started = time.perf_counter()
        for key in keys:
            execute(b"SET", key, b"some value")
        elapsed = time.perf_counter() - started
        db.shutdown()
        return writes / elapsed
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer keys and runs: faster")
    options = parser.parse_args()
    keys = 50_000 if options.quick else 1_000_000
    runs = 4 if options.quick else 100
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

    writes = 2_000 if options.quick else 20_000
    plain = aof_rate(None, writes)
    print(f"\nAOF: SET through execute(), {writes:,} writes")
    print(f"  {'no AOF (anchor)':24s}{plain / 1000:>9.1f}k writes/s")
    for policy in ("no", "everysec", "always"):
        count = writes if policy != "always" else max(writes // 10, 200)
        rate = aof_rate(policy, count)
        print(f"  {'appendfsync ' + policy:24s}{rate / 1000:>9.1f}k writes/s  "
              f"({plain / rate:.1f}x slower than no AOF)")

    started = time.perf_counter()
    results = crash_runs(runs, 0.25 if options.quick else 0.3)
    lost = sum(r.lost for r in results)
    acked = sum(r.acknowledged for r in results)
    print(f"\nCrash runs: {len(results)} (SIGKILL while writing), {acked:,} acknowledged "
          f"writes, {lost} lost; {time.perf_counter() - started:.0f} s")
    for policy in ("always", "everysec"):
        mine = [r for r in results if r.policy == policy]
        print(f"  {policy:9s}: {len(mine)} runs, {sum(r.acknowledged for r in mine):,} "
              f"acknowledged, {sum(r.lost for r in mine)} lost, "
              f"{sum(r.extra for r in mine)} written but not yet acknowledged at the kill")
    verdicts.append((f"nothing lost in {len(results)} crash runs", lost == 0))

    print_targets(verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
