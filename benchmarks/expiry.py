"""How fast does kedis-server reclaim expired keys? Side by side with redis-server, in one run.

    python benchmarks/expiry.py             # 1,000,000 keys, TTLs of 1..10 s: a minute or two
    python benchmarks/expiry.py --quick     # 20,000 keys, 1..2 s: a few seconds (the smoke test)
    python benchmarks/expiry.py -n 200000 --seconds 5
    python benchmarks/expiry.py --ex        # SET ... EX 1..10: keys expire while the load runs

Each server is started here on a free loopback port (kedis-server as a user runs it, with
hiredis and uvloop when installed; redis-server with no persistence), alone: one after the
other, never both at once. Each gets the very same load on a pipelined socket, in batches of
1,000 whole commands (one batch in flight while the replies of the one before are read):
``SET key:N v PXAT d`` for N from 0, the deadlines ``d`` going B + 1 s, B + 2 s, ... B + 10 s,
B + 1 s, ... so that they are spread evenly, each second's keys scattered over the whole load.

``B`` is chosen so that the load is over before the first deadline: a first, smaller load of the
same keys without a TTL (a tenth of them, then FLUSHALL) measures how fast this server takes
them, and B leaves it three times the time the whole load should take (and 2 s more). So each server
has all its keys before any expires, and what is measured is its active expiry alone, not how
fast it loads (kedis-server loads several times slower than redis-server: with ``--ex``, as
``SET ... EX s``, many keys expire while it still loads, and the two runs are not alike).

Then ``DBSIZE`` is polled every 10 ms until it answers 0. DBSIZE counts the keys that have
expired but that nothing has removed yet, so 0 means every key is gone (nothing reads them here:
actively). The server's CPU time is read from ``/proc/PID/stat`` (user + system) at the first
deadline and when the last key has gone. It prints, for each server, the keys still there at the
last deadline, how long after it the last one went, the keys reclaimed per second from the first
deadline, and the CPU that took (seconds, and the share of one core over the period); then
Kedis's figures as ratios to Redis's.

Targets (the expiry issue): kedis-server within 2x of redis-server's time after the last deadline,
at no more CPU than redis-server used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import print_targets  # noqa: E402
from benchmarks.server import free_port, start_kedis, start_redis, stop  # noqa: E402

POLL = 0.01           # seconds between two DBSIZEs
BATCH = 1000          # commands per write of the load
TIME_TARGET = 2.0     # kedis-server's time after the last deadline, at most this times Redis's
CPU_TARGET = 1.0      # and its CPU over the expiry, at most this times Redis's
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    server: str
    keys: int
    load_seconds: float     # the load, pipelined
    load_overran: bool      # the load was still running at the first deadline
    left_at_last: int       # keys still there at the last deadline
    after_last: float       # seconds from the last deadline to DBSIZE 0
    expiry_seconds: float   # seconds from the first deadline to DBSIZE 0
    cpu_seconds: float      # the server's CPU time over that period

    @property
    def cpu_share(self) -> float:
        return self.cpu_seconds / self.expiry_seconds if self.expiry_seconds else 0.0

    @property
    def keys_per_second(self) -> float:
        return self.keys / self.expiry_seconds if self.expiry_seconds else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", "rb") as file:
        fields = file.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def command(*argv: bytes) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in argv)


def batches(keys: int, options) -> list[bytes]:  # noqa: ANN001 - each key's extra arguments
    """The load as RESP, in batches of whole commands: SET key:N v, then ``options(N)``."""
    return [b"".join(command(b"SET", b"key:%d" % n, b"v", *options(n))
                     for n in range(first, min(first + BATCH, keys)))
            for first in range(0, keys, BATCH)]


class Connection:
    """A bare RESP connection: one command, one short reply (an integer or a status)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def call(self, *argv: bytes) -> bytes:
        self.sock.sendall(command(*argv))
        return self.file.readline().rstrip(b"\r\n")

    def integer(self, *argv: bytes) -> int:
        reply = self.call(*argv)
        if reply[:1] != b":":
            raise RuntimeError(f"{argv!r} answered {reply!r}")
        return int(reply[1:])

    def load(self, load: list[bytes], keys: int) -> float:
        """Send every batch, reading the replies of one batch while the next is on its way;
        answers the seconds it took."""
        started = time.time()
        sizes = [min(BATCH, keys - first) for first in range(0, keys, BATCH)]
        for number, batch in enumerate(load):
            self.sock.sendall(batch)
            if number:
                self._read_ok(sizes[number - 1])
        self._read_ok(sizes[-1])
        return time.time() - started

    def _read_ok(self, count: int) -> None:
        expected = b"+OK\r\n" * count
        if self.file.read(len(expected)) != expected:
            raise RuntimeError("a SET of the load did not answer OK")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def measure(name: str, process: subprocess.Popen, port: int, keys: int, seconds: int,
            relative: bool) -> Run:
    connection = Connection(port)
    try:
        if relative:  # --ex: SET ... EX s, the deadlines counted from each SET
            started = time.time()
            first_deadline = started + 1
            load_seconds = connection.load(
                batches(keys, lambda n: (b"EX", b"%d" % (1 + n % seconds))), keys)
            last_key = b"key:%d" % max(n for n in range(max(0, keys - seconds), keys)
                                       if n % seconds == seconds - 1)
            last_deadline = connection.integer(b"PEXPIRETIME", last_key) / 1000
            if last_deadline < 0:
                raise RuntimeError(f"{name}: {last_key!r} was gone before the load ended")
        else:
            sample = max(keys // 10, 1)
            rate = sample / connection.load(batches(sample, lambda n: ()), sample)
            connection.call(b"FLUSHALL")
            base = time.time() + 3 * keys / rate + 2
            base_ms = int(base * 1000)
            load_seconds = connection.load(batches(keys, lambda n: (
                b"PXAT", b"%d" % (base_ms + 1000 * (1 + n % seconds)))), keys)
            first_deadline = base + 1
            last_deadline = base + seconds
        overran = time.time() > first_deadline
        while time.time() < first_deadline:
            time.sleep(0.001)
        cpu_at_first = cpu_seconds(process.pid)
        left = None
        limit = last_deadline + 120
        while (size := connection.integer(b"DBSIZE")) and time.time() < limit:
            if left is None and time.time() >= last_deadline:
                left = size
            time.sleep(POLL)
        gone = time.time()
        cpu_at_gone = cpu_seconds(process.pid)
        if size:
            raise RuntimeError(f"{name}: keys were still there two minutes after the last deadline")
    finally:
        connection.close()
    return Run(name, keys, load_seconds, overran, left or 0, gone - last_deadline,
               gone - first_deadline, cpu_at_gone - cpu_at_first)


def show(run: Run) -> None:
    print(f"  {run.server:<13} load {run.load_seconds:5.2f} s"
          f"{' (past the first deadline)' if run.load_overran else ''}   "
          f"{run.left_at_last:>7,} left at the last deadline, all gone {run.after_last:5.2f} s "
          f"after it   {run.keys_per_second:>9,.0f} keys/s over {run.expiry_seconds:5.2f} s   "
          f"CPU {run.cpu_seconds:5.2f} s ({run.cpu_share:.0%} of a core)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 keys, 1..2 s: a smoke run")
    parser.add_argument("-n", type=int, default=1_000_000, help="keys to load")
    parser.add_argument("--seconds", type=int, default=10, help="TTLs from 1 to this many seconds")
    parser.add_argument("--ex", action="store_true",
                        help="SET ... EX s (keys expire while the load runs) instead of PXAT")
    options = parser.parse_args(argv)
    keys, seconds = (20_000, 2) if options.quick else (options.n, options.seconds)
    if shutil.which("redis-server") is None:
        print("redis-server is not installed (make test installs it)", file=sys.stderr)
        return 1
    folder = tempfile.mkdtemp(prefix="kedis-bench-")
    runs = []
    try:
        print(f"{keys:,} keys, SET key:N v {'EX' if options.ex else 'PXAT'} 1..{seconds} s "
              f"(spread evenly), pipelined; DBSIZE every {POLL * 1000:.0f} ms until 0; on "
              f"{os.cpu_count()} cores")
        for name, start in (("redis-server", lambda port: start_redis(port, folder)),
                            ("kedis-server", lambda port: start_kedis(port, "default", folder))):
            port = free_port()
            process = start(port)
            try:
                runs.append(measure(name, process, port, keys, seconds, options.ex))
            finally:
                stop(process)
            show(runs[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    redis, kedis = runs
    time_ratio = kedis.after_last / redis.after_last if redis.after_last > 0 else float("inf")
    cpu_ratio = kedis.cpu_seconds / redis.cpu_seconds if redis.cpu_seconds else float("inf")
    print(f"\n  kedis-server / redis-server: time after the last deadline {time_ratio:.2f}x, "
          f"keys/s {kedis.keys_per_second / redis.keys_per_second:.2f}x, CPU {cpu_ratio:.2f}x")
    print_targets([
        (f"all gone within {TIME_TARGET:.0f}x of redis-server's time after the last deadline "
         f"({time_ratio:.2f}x)", time_ratio <= TIME_TARGET),
        (f"at no more CPU than redis-server ({cpu_ratio:.2f}x)", cpu_ratio <= CPU_TARGET)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
