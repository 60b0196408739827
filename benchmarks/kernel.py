"""How fast is the Kedis kernel? Start, round trip and a big cell, beside IPython's own kernel.

    .venv/bin/python benchmarks/kernel.py            # under a minute
    .venv/bin/python benchmarks/kernel.py --quick    # about ten seconds, rougher

Everything is measured as a front end sees it: through jupyter_client, over ZeroMQ, with the
kernels installed in .venv (``make setup`` installs the "kedis" kernelspec beside the stock
"python3" one). The anchor is the stock IPython kernel, started and timed in the same run, because
absolute times depend on the machine and ratios much less:

- **start**: from ``KernelManager.start_kernel()`` to the reply of the first execute_request
  (``PING`` for Kedis, ``1`` for Python); the median of several starts, the two kernels in turn;
- **round trip** of a one-command cell: from the execute_request until both its execute_reply and
  its ``idle`` status have arrived, for ``PING`` and ``GET k`` on Kedis and ``1`` on Python; the
  median of hundreds of rounds after a warm-up, the three cells in turn;
- **a 10,000-command cell** on Kedis (``SET k0 0`` to ``SET k9999 9999``): until its execute_reply,
  and until its ``idle`` status, by which time all 10,000 outputs must have arrived; the best of a
  few rounds. Its anchor is the same cell run in this process by a ``CellRunner`` that displays
  nothing: the engine's share of the time, without the kernel and the messages.

Targets (the kernel issue): round trip at most 1.2x the IPython kernel's for ``1``; start at
most 1.5x; the 10,000-command cell under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import print_targets  # noqa: E402

KEDIS, PYTHON = "kedis", "python3"
FIRST_CELL = {KEDIS: "PING", PYTHON: "1"}
BIG_CELL_LINES = 10_000
BIG_CELL = "\n".join(f"SET k{i} {i}" for i in range(BIG_CELL_LINES))
DELIMITER = b"<IDS|MSG>"  # between a message's routing identities and its signature
OUTPUTS = {"display_data", "execute_result", "stream", "error"}

START_TIMEOUT = 60.0  # seconds: a kernel's start, up to its first reply
CELL_TIMEOUT = 10.0   # a one-command cell
BIG_TIMEOUT = 60.0    # the 10,000-command cell


class BenchmarkError(Exception):
    """The benchmark cannot go on; the message says why and what to do."""


@dataclass
class CellTiming:
    """One cell, as the front end saw it: seconds from the execute_request to each event."""

    reply: float    # the execute_reply arrived (on the shell channel)
    idle: float     # the "idle" status arrived (on iopub: every output was published before it)
    outputs: int    # the replies and other outputs of this cell (a batch counts its replies)
    displays: int   # the messages that carried them
    status: str     # the execute_reply's status: "ok" or "error"
    error: str = "" # for an error: its name and value

    @property
    def done(self) -> float:
        """The round trip: both the reply and the idle status have arrived."""
        return max(self.reply, self.idle)


def check_kernelspecs() -> None:
    """Both kernelspecs must be installed where this Python's Jupyter looks."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        raise BenchmarkError("jupyter_client is not installed in this Python: run `make setup`, "
                             "then `.venv/bin/python benchmarks/kernel.py`") from None
    specs = KernelSpecManager()
    for name in (KEDIS, PYTHON):
        try:
            specs.get_kernel_spec(name)
        except NoSuchKernel:
            raise BenchmarkError(f"no '{name}' kernelspec for {sys.executable}: run `make setup` "
                                 "(it installs the kedis kernelspec into .venv), then run this "
                                 "benchmark with .venv/bin/python") from None


def receive(socket: Any) -> tuple[str, str, list[bytes]]:
    """One message: its type, its parent's msg_id, and its frames from the header on.

    A lean reader, where jupyter_client's would check the signature and decode every part (dates
    included): about 40 us a message, which on a small machine would take the CPU from the kernel
    during a burst of outputs. The frames are header, parent header, metadata, content.
    """
    frames = socket.recv_multipart()
    frames = frames[frames.index(DELIMITER) + 2:]
    return (json.loads(frames[0])["msg_type"], json.loads(frames[1]).get("msg_id", ""), frames)


class Kernel:
    """A running kernel and a blocking client connected to it; ``close()`` always shuts it down."""

    def __init__(self, name: str) -> None:
        from jupyter_client import KernelManager

        self.name = name
        self.manager = KernelManager(kernel_name=name)
        self.client: Any = None
        # The kernel's own output goes to a file, shown only if the kernel fails: ipykernel's
        # warnings (TCP without encryption) would otherwise bury the figures.
        self.log: IO[bytes] = tempfile.TemporaryFile()

    def start(self) -> None:
        import zmq

        self.manager.start_kernel(stdout=self.log, stderr=self.log)
        self.client = self.manager.client()
        # No high-water mark on the client's sockets: past 1,000 waiting messages ZeroMQ drops
        # iopub messages, and this client, busy with a burst of outputs, must not lose any. (The
        # Kedis kernel lifts its own mark on iopub; the stock kernel keeps ZeroMQ's default.)
        self.client.context.setsockopt(zmq.RCVHWM, 0)
        self.client.start_channels()

    def wait_until_ready(self) -> None:
        """Wait for kernel_info's reply and for iopub to be subscribed (no status is lost)."""
        try:
            self.client.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as error:
            raise self.failure(f"did not become ready: {error}") from None

    def failure(self, what: str) -> BenchmarkError:
        """An error naming the kernel, with the end of what it printed."""
        self.log.seek(0)
        printed = self.log.read().decode("utf-8", "replace").strip().splitlines()[-20:]
        tail = "\n    ".join(printed) if printed else "(nothing)"
        return BenchmarkError(f"the {self.name} kernel {what}\n  it printed:\n    {tail}")

    def first_reply(self, code: str) -> None:
        """Send ``code`` and wait for its execute_reply only (iopub may not be subscribed yet)."""
        msg_id = self.client.execute(code)
        deadline = time.perf_counter() + START_TIMEOUT
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not self.manager.is_alive():
                raise self.failure(f"gave no reply to {code!r} within {START_TIMEOUT:.0f} s "
                                   "of its start")
            shell = self.client.shell_channel.socket
            if not shell.poll(min(left, 1.0) * 1000):
                continue  # still starting
            _, parent, frames = receive(shell)
            if parent == msg_id:
                if json.loads(frames[3])["status"] != "ok":
                    raise self.failure(f"answered {code!r} with an error")
                return

    def run(self, code: str, timeout: float) -> CellTiming:
        """Run one cell; time its execute_reply and its idle status, count its outputs."""
        import zmq

        shell, iopub = self.client.shell_channel.socket, self.client.iopub_channel.socket
        poller = zmq.Poller()
        poller.register(shell, zmq.POLLIN)
        poller.register(iopub, zmq.POLLIN)
        reply = idle = None
        outputs, displays, status, error = 0, 0, "?", ""
        start = time.perf_counter()
        msg_id = self.client.execute(code)
        deadline = start + timeout
        # Both channels are read as messages come: the kernel publishes outputs while it runs.
        while reply is None or idle is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                got = ", ".join(f"{what} {'received' if when is not None else 'missing'}"
                                for what, when in (("reply", reply), ("idle status", idle)))
                raise self.failure(f"did not finish the cell {code[:40]!r} within {timeout:.0f} s "
                                   f"({outputs} outputs, {got})")
            ready = dict(poller.poll(left * 1000))
            now = time.perf_counter()
            if shell in ready:
                kind, parent, frames = receive(shell)
                if parent == msg_id:
                    content = json.loads(frames[3])
                    reply, status = now - start, content["status"]
                    error = f"{content.get('ename')}: {content.get('evalue')}"
            if iopub in ready:
                kind, parent, frames = receive(iopub)
                if parent != msg_id:
                    continue  # a previous cell's late message
                if kind == "display_data":
                    # one reply, or a batch of them: past its first replies, a Kedis cell
                    # sends them in growing batches (kedis.jupyter.cells), and says how many
                    content = json.loads(frames[3])
                    outputs += content["metadata"].get("kedis", {}).get("replies", 1)
                    displays += 1
                elif kind in OUTPUTS:
                    outputs += 1
                    displays += 1
                elif kind == "status" and json.loads(frames[3])["execution_state"] == "idle":
                    idle = now - start
        return CellTiming(reply, idle, outputs, displays, status, error if status != "ok" else "")

    def run_ok(self, code: str, timeout: float = CELL_TIMEOUT) -> CellTiming:
        timing = self.run(code, timeout)
        if timing.status != "ok":
            raise self.failure(f"answered {code[:40]!r} with an error: {timing.error}")
        return timing

    def close(self) -> None:
        """Shut the kernel down (politely, then killed after a few seconds) and stop the client."""
        try:
            if self.client is not None:
                self.client.stop_channels()
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=False)
        finally:
            self.log.close()


@contextmanager
def running(name: str) -> Iterator[Kernel]:
    """A kernel ready for cells, shut down at the end whatever happens."""
    kernel = Kernel(name)
    try:
        kernel.start()
        kernel.wait_until_ready()
        yield kernel
    finally:
        kernel.close()


# --- the three measurements ------------------------------------------------------------------
def start_times(starts: int) -> dict[str, list[float]]:
    """Seconds from start_kernel() to the first execute_reply, the two kernels in turn.

    A first start of each, not counted, brings their files into the disk cache.
    """
    times: dict[str, list[float]] = {KEDIS: [], PYTHON: []}
    for round_ in range(starts + 1):
        for name in (PYTHON, KEDIS):
            kernel = Kernel(name)
            try:
                began = time.perf_counter()
                kernel.start()
                kernel.first_reply(FIRST_CELL[name])
                elapsed = time.perf_counter() - began
            finally:
                kernel.close()
            if round_:
                times[name].append(elapsed)
    return times


def round_trips(kedis: Kernel, python: Kernel, rounds: int) -> dict[str, list[CellTiming]]:
    """Each one-command cell ``rounds`` times, the three in turn, after a warm-up."""
    kedis.run_ok("SET k v")
    cells: dict[str, Callable[[], CellTiming]] = {
        "python3 1": lambda: python.run_ok("1"),
        "kedis PING": lambda: kedis.run_ok("PING"),
        "kedis GET k": lambda: kedis.run_ok("GET k"),
    }
    for _ in range(max(20, rounds // 10)):
        for cell in cells.values():
            cell()
    timings: dict[str, list[CellTiming]] = {label: [] for label in cells}
    for _ in range(rounds):
        for label, cell in cells.items():
            timings[label].append(cell())
    return timings


def big_cell(kedis: Kernel, rounds: int) -> list[CellTiming]:
    """The 10,000-command cell, on an empty store each time (the FLUSHALL is not timed)."""
    timings = []
    for _ in range(rounds):
        kedis.run_ok("FLUSHALL")
        timing = kedis.run_ok(BIG_CELL, BIG_TIMEOUT)
        timings.append(timing)
    return timings


def big_cell_in_process(rounds: int) -> float:
    """The anchor: the same cell through a CellRunner in this process, displaying nothing."""
    from kedis.jupyter.cells import CellRunner

    best = float("inf")
    for _ in range(rounds):
        runner = CellRunner(display=lambda data, metadata: None)
        began = time.perf_counter()
        runner.run(BIG_CELL)
        best = min(best, time.perf_counter() - began)
    return best


# --- the report ------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def versions() -> str:
    import ipykernel
    import jupyter_client
    import zmq

    return (f"Python {sys.version.split()[0]}, jupyter_client {jupyter_client.__version__}, "
            f"ipykernel {ipykernel.__version__}, pyzmq {zmq.__version__}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: faster, rougher")
    options = parser.parse_args()
    starts, rounds, big_rounds = (3, 100, 1) if options.quick else (7, 500, 3)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    try:
        check_kernelspecs()
        start = start_times(starts)
        with ExitStack() as stack:
            kedis = stack.enter_context(running(KEDIS))
            python = stack.enter_context(running(PYTHON))
            trips = round_trips(kedis, python, rounds)
            big = big_cell(kedis, big_rounds)
        in_process = big_cell_in_process(big_rounds)
    except BenchmarkError as error:
        print(f"benchmarks/kernel.py: {error}", file=sys.stderr)
        return 2

    print(versions())
    print(f"medians of {starts} starts and {rounds} round trips, best of {big_rounds} big cells; "
          f"load average {load:.1f} before the run ({os.cpu_count()} CPUs)\n")

    start_median = {name: statistics.median(times) for name, times in start.items()}
    start_ratio = start_median[KEDIS] / start_median[PYTHON]
    print("Kernel start, start_kernel() to the first execute_reply:")
    print(f"  python3 (anchor)  {FIRST_CELL[PYTHON]:6s}{ms(start_median[PYTHON])}")
    print(f"  kedis             {FIRST_CELL[KEDIS]:6s}{ms(start_median[KEDIS])}"
          f"   {start_ratio:.2f}x python3")

    trip = {label: statistics.median(t.done for t in timings) for label, timings in trips.items()}
    reply_only = {label: statistics.median(t.reply for t in timings)
                  for label, timings in trips.items()}
    anchor = trip["python3 1"]
    print("\nOne-command cell, execute_request to execute_reply and idle "
          "(in brackets: to execute_reply only):")
    for label in trips:
        shown = label.replace("python3 1", "python3 (anchor) 1")
        line = f"  {shown:24s}{ms(trip[label])}  ({ms(reply_only[label]).strip()})"
        if label != "python3 1":
            line += f"   {trip[label] / anchor:.2f}x python3"
        print(line)

    best_reply = min(t.reply for t in big)
    best_idle = min(t.done for t in big)
    fewest = min(t.outputs for t in big)
    print(f"\nA {BIG_CELL_LINES:,}-command cell on kedis (SET k0 0 ... SET k{BIG_CELL_LINES - 1} "
          f"{BIG_CELL_LINES - 1}):")
    print(f"  in this process, no kernel (anchor){ms(in_process)}")
    print(f"  kernel, until execute_reply       {ms(best_reply)}   {best_reply / in_process:.1f}x "
          f"the anchor, {best_reply / BIG_CELL_LINES * 1e6:.0f} us a command")
    print(f"  kernel, until idle, all outputs   {ms(best_idle)}   {best_idle / in_process:.1f}x "
          f"the anchor ({fewest:,} of {BIG_CELL_LINES:,} replies received, "
          f"in {max(t.displays for t in big):,} messages)")

    verdicts = [
        ("round trip PING <= 1.2x python3's 1", trip["kedis PING"] <= 1.2 * anchor),
        ("round trip GET k <= 1.2x python3's 1", trip["kedis GET k"] <= 1.2 * anchor),
        ("start <= 1.5x python3's", start_ratio <= 1.5),
        (f"{BIG_CELL_LINES:,}-command cell < 2 s, every reply received",
         best_idle < 2.0 and fewest == BIG_CELL_LINES),
    ]
    print_targets(verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
