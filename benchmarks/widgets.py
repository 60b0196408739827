"""What do the live views cost? Building them on 100,000 keys, and keeping them live.

    .venv/bin/python benchmarks/widgets.py            # about half a minute
    .venv/bin/python benchmarks/widgets.py --quick    # about ten seconds, rougher

The store: 100,000 keys, the same at every run (a fixed seed): 60,000 users (short strings),
25,000 sessions with a TTL of one to 24 hours, 15,000 counters. The commands: a mix that repeats
``SET`` of a new key (placed among the others), ``GET``, ``SET`` of an existing key, ``INCR``,
``EXPIRE`` of a session (its deadline moves in the expiry queue) and ``DEL`` of a key set by the
previous run (so that the new keys outlive the views' pushes, and the store keeps its size), on
keys picked at random.

**Building**: ``StoreView``, ``ExpiryView``, ``FlowView``, ``StructureView`` (of one key, and
following) and ``Dashboard`` made on that store, in this process (best of several); the anchor is
``sorted()`` of the keys, the least any sorted view of them must do. In the kernel, the
``%store``, ``%structure KEY`` and ``%dashboard`` cells, request to idle.

**A command's time**, with no views and with the views of ``%dashboard`` (a StoreView, an
ExpiryView, a FlowView, and a StructureView following the last key a command touched) and one
more ``%structure`` of a counter the mix increments, live, as a ratio; the no-views case is each
ratio's anchor. It is measured three ways:

- **kernel cell** (what the user waits for, and what the targets judge): a real Kedis kernel
  through jupyter_client, over ZeroMQ, a cell of thousands of mixed commands, from its
  execute_request until its execute_reply and its idle status have arrived, divided by the number
  of commands; and a one-command cell's round trip. Two kernels hold the same store, one with
  ``%dashboard`` shown, and run the same cells in turn. With the views, the time includes their
  comm messages (the widgets' state, pushed at most ten times a second and at the end of the
  cell), which this client receives as a front end would, without drawing them.
- **CellRunner, in process**: the same cell through the kernel's cell runner in this process,
  with ``widgets=True`` as in the kernel (every command traced, for ``%flow``), each reply
  serialized as the kernel would send it; the kernel's share without ZeroMQ and the other process.
- **engine.execute, in process**: the same commands as arguments, the engine API alone. Without
  views nothing is traced, so here the views' cost is all there is beside the bare command (the
  FlowView has every command traced: a few times the command, by itself).

Outside a kernel, ipywidgets has no comm to send on (``comm.DummyComm`` drops every message), and
a view pushes after every event (no cell ends, so there is nothing to wait for). So in this
process the views run as in a kernel: ``comm.create_comm`` makes comms that serialize each
message exactly as ipykernel does (``Session.serialize``: JSON, HMAC signature) and count its
bytes, and a stand-in for IPython's shell gives the views a kernel, so that they throttle their
pushes and push the rest when the "cell" ends (which the timing includes).

Targets (issue 15, the user-visible measures: the kernel's cells): with the Dashboard and a
StructureView open, a one-command cell within 1.3x of the same cell without views, and a
10,000-command cell within 2 s (the same cell without views, in the same run, is its anchor);
every view, and the Dashboard, built on 100,000 keys in under 0.2 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import kedis  # noqa: E402
from benchmarks.report import print_targets  # noqa: E402


def _load_kernel_benchmark() -> Any:
    """benchmarks/kernel.py, for its kernel client (start, stop, read a message)."""
    spec = importlib.util.spec_from_file_location("kernel_benchmark", HERE / "kernel.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


kernel_benchmark = _load_kernel_benchmark()
BenchmarkError = kernel_benchmark.BenchmarkError

KEYS = 100_000
SEED = 7
BLOCK = 6            # commands in one repetition of the mix
BIG_CELL = 10_000    # the commands of the big cell (the target)
CELL_TIMEOUT = 120.0


# --- the store and the commands ------------------------------------------------------------
def keyspace_plan(keys: int, seed: int) -> dict:
    """The keys of the store, and keys that are not in it (for new keys), from a seed."""
    import random

    rng = random.Random(seed)
    ids = rng.sample(range(10 * keys), keys + keys // 2)
    users, sessions = keys * 60 // 100, keys * 25 // 100
    return {
        "users": [b"user:%d" % i for i in ids[:users]],
        "sessions": [b"session:%d" % i for i in ids[users:users + sessions]],
        "counters": [b"counter:%d" % i for i in ids[users + sessions:keys]],
        "new": [b"user:%d" % i for i in ids[keys:]],
        "ttls": [rng.randint(3600, 86400) for _ in range(sessions)],
    }


def fill(db: Any, keys: int, seed: int) -> None:
    """Fill an empty engine with the store of ``keyspace_plan``. The kernel runs this very code
    (as a %%python cell), so that both sides hold the same store."""
    plan = keyspace_plan(keys, seed)
    pairs: list[bytes] = []
    for n, key in enumerate(plan["users"]):
        pairs += [key, b"name=user%d;visits=%d" % (n, n % 50)]
    for n, key in enumerate(plan["counters"]):
        pairs += [key, b"%d" % (n % 1000)]
    for start in range(0, len(pairs), 2000):
        db.execute(b"MSET", *pairs[start:start + 2000])
    for key, ttl in zip(plan["sessions"], plan["ttls"], strict=True):
        db.execute(b"SET", key, key.hex().encode(), b"EX", b"%d" % ttl)


def command_mix(count: int, round_: int, keys: int = KEYS, seed: int = SEED) -> list[tuple]:
    """The ``round_``-th run of ``count`` commands (whole blocks, the last cut), the same at
    every call.

    Block ``n`` sets a new key, reads a user, overwrites another, increments a counter, moves a
    session's deadline, and deletes the key that block ``n`` of the previous run set: a new key
    lives for a whole run (past the views' pushes), and the store keeps its size. (The first
    run's deletes find no key.)
    """
    import random

    plan = keyspace_plan(keys, seed)
    rng = random.Random(seed * 1000 + round_)
    users, sessions, counters, new = plan["users"], plan["sessions"], plan["counters"], plan["new"]
    blocks = -(-count // BLOCK)
    commands = []
    for n in range(blocks):
        commands += [
            (b"SET", new[(round_ * blocks + n) % len(new)], b"name=new;visits=0"),
            (b"GET", rng.choice(users)),
            (b"SET", rng.choice(users), b"name=changed;visits=%d" % n),
            (b"INCR", rng.choice(counters)),
            (b"EXPIRE", rng.choice(sessions), b"3600"),
            (b"DEL", new[((round_ - 1) * blocks + n) % len(new)]),
        ]
    return commands[:count]


def watched_counter(keys: int = KEYS, seed: int = SEED) -> bytes:
    """The counter the benchmark's own ``%structure`` follows (the mix increments counters)."""
    return keyspace_plan(keys, seed)["counters"][0]


def structure_cell() -> str:
    return f"%structure {watched_counter().decode()}"


def as_cell(commands: list[tuple[bytes, ...]]) -> str:
    """The commands as the lines of a Kedis cell (no argument needs quoting)."""
    return "\n".join(b" ".join(argv).decode() for argv in commands)


def fill_cell(keys: int, seed: int) -> str:
    """A %%python cell that fills the kernel's engine (``db``) by the code of this module."""
    source = inspect.getsource(keyspace_plan) + "\n" + inspect.getsource(fill)
    return f"%%python\nfrom typing import Any\n\n{source}\nfill(db, {keys}, {seed})\n"


# --- in this process, as in a kernel ---------------------------------------------------------
class SerializingComm:
    """Made by ``comm.create_comm`` while ``kernel_like()`` is on: a comm that turns each message
    into the bytes ipykernel would send (its Session's serialize: JSON, signed) and counts them."""

    messages = 0
    sent = 0  # bytes

    @classmethod
    def make(cls) -> type:
        from comm.base_comm import BaseComm
        from jupyter_client.session import Session

        session = Session(key=b"the benchmark's key")

        class Comm(BaseComm):
            def publish_msg(self, msg_type: str, data: dict | None = None,
                            metadata: dict | None = None, buffers: list | None = None,
                            **keys: Any) -> None:
                # ipykernel's BaseComm.publish_msg builds the same content and sends it
                content = dict(data=data or {}, comm_id=self.comm_id, **keys)
                msg = session.msg(msg_type, content, metadata=metadata or {})
                frames = session.serialize(msg, ident=self.topic)
                cls.messages += 1
                cls.sent += sum(len(frame) for frame in frames) + sum(map(len, buffers or ()))

        return Comm


class EventLoop:
    """A stand-in for the kernel's event loop (``call_later``): what it was asked to run later
    runs when ``run_due()`` finds its time has come (between two cells, as in a kernel)."""

    def __init__(self) -> None:
        self.later: list[tuple[float, Callable[[], None]]] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        self.later.append((time.monotonic() + delay, callback))

    def run_due(self) -> None:
        now = time.monotonic()
        due = [callback for when, callback in self.later if when <= now]
        self.later = [(when, callback) for when, callback in self.later if when > now]
        for callback in due:
            callback()


class CellShell:
    """A stand-in for IPython's shell in a kernel (what the views ask of it): a kernel with an
    event loop, ``post_execute``, which ``cell_ends()`` fires (then what the loop has due: the
    pictures' redraw, at most about once a second), and a display publisher that serializes what
    it is given as ipykernel's would."""

    def __init__(self) -> None:
        from jupyter_client.session import Session

        self.kernel = type("Kernel", (), {})()
        self.kernel.io_loop = EventLoop()
        self.events = self
        self.display_pub = self
        self.after_cell: list[Callable[[], None]] = []
        self._session = Session(key=b"the benchmark's key")

    def publish(self, data: dict, metadata: dict | None = None, transient: dict | None = None,
                update: bool = False, **_: Any) -> None:
        kind = "update_display_data" if update else "display_data"
        msg = self._session.msg(kind, {"data": data, "metadata": metadata or {},
                                       "transient": transient or {}})
        frames = self._session.serialize(msg)
        SerializingComm.messages += 1
        SerializingComm.sent += sum(len(frame) for frame in frames)

    def register(self, name: str, callback: Callable[[], None]) -> None:
        if name == "post_execute":
            self.after_cell.append(callback)

    def cell_ends(self) -> None:
        for callback in self.after_cell:
            callback()
        self.kernel.io_loop.run_due()


@contextmanager
def kernel_like() -> Iterator[CellShell]:
    """Views made inside run as in a kernel: real serialization, throttled pushes."""
    import comm

    from kedis.widgets import _live

    shell = CellShell()
    saved = comm.create_comm, _live._kernel_shell, set(_live._IDLE_SHELLS)
    comm.create_comm = SerializingComm.make()
    _live._kernel_shell = lambda: shell
    _live._IDLE_SHELLS.clear()
    try:
        yield shell
    finally:
        comm.create_comm, _live._kernel_shell = saved[0], saved[1]
        _live._IDLE_SHELLS.clear()
        _live._IDLE_SHELLS.update(saved[2])


def display_serializer() -> Callable[[dict, dict], None]:
    """A CellRunner's display that serializes each output as the kernel's _publish sends it."""
    from jupyter_client.session import Session

    session = Session(key=b"the benchmark's key")

    def display(data: dict, metadata: dict) -> None:
        msg = session.msg("display_data", {"data": data, "metadata": metadata, "transient": {}})
        session.serialize(msg)

    return display


def filled_engine() -> kedis.Kedis:
    db = kedis.Kedis()
    fill(db, KEYS, SEED)
    return db


def build_times(rounds: int) -> dict[str, float]:
    """Seconds to build each view on the store (best of ``rounds``), and to sort its keys."""
    from kedis.widgets import Dashboard, ExpiryView, FlowView, StoreView, StructureView

    db = filled_engine()
    counter = watched_counter()
    makers = {"StoreView": StoreView, "ExpiryView": ExpiryView, "FlowView": FlowView,
              "StructureView": lambda db: StructureView(db, counter),
              "StructureView, following": StructureView, "Dashboard": Dashboard}
    best: dict[str, float] = {}
    with kernel_like():
        for _ in range(rounds):
            began = time.perf_counter()
            sorted(db.keyspace.data)
            elapsed = time.perf_counter() - began
            best["sorted"] = min(best.get("sorted", elapsed), elapsed)
            for name, make in makers.items():
                began = time.perf_counter()
                view = make(db)
                view._repr_mimebundle_()  # what display() asks of it
                elapsed = time.perf_counter() - began
                view.close()
                best[name] = min(best.get(name, elapsed), elapsed)
    return best


def huge_set_build(rounds: int) -> float:
    """Seconds to build a StructureView of a set of a million members (best of ``rounds``): it
    draws the first members and counts the rest."""
    from kedis.widgets import StructureView

    db = kedis.Kedis()
    for start in range(0, 1_000_000, 10_000):
        db.execute(b"SADD", b"huge", *[b"member:%d" % n for n in range(start, start + 10_000)])
    best = float("inf")
    with kernel_like():
        for _ in range(rounds):
            began = time.perf_counter()
            view = StructureView(db, b"huge")
            view._repr_mimebundle_()
            best = min(best, time.perf_counter() - began)
            view.close()
    return best


@dataclass
class Pair:
    """Seconds per command, without views and with the three, best of the rounds each."""

    plain: float
    viewed: float
    messages: int = 0  # comm messages the views sent in one run (the fewest), and their bytes
    sent: int = 0

    @property
    def ratio(self) -> float:
        return self.viewed / self.plain


def in_process(count: int, rounds: int, through_cells: bool) -> Pair:
    """Runs of the mix on two engines holding the same store, one with the three views, in turn.

    ``through_cells``: as one cell of a CellRunner (widgets=True, replies serialized), else by
    ``engine.execute``. The end of the "cell" (its post_execute push) is timed too.
    """
    from kedis.jupyter.cells import CellRunner
    from kedis.widgets import Dashboard, StructureView

    runs = [command_mix(count, round_) for round_ in range(rounds + 1)]
    cells = [as_cell(commands) for commands in runs]
    best = {"plain": float("inf"), "viewed": float("inf")}
    fewest = (1 << 62, 0)
    with kernel_like() as shell:
        engines = {"plain": filled_engine(), "viewed": filled_engine()}
        views = [Dashboard(engines["viewed"]), StructureView(engines["viewed"], watched_counter())]
        runners = {name: CellRunner(db, display=display_serializer(), widgets=True)
                   for name, db in engines.items()}
        try:
            for round_, (commands, cell) in enumerate(zip(runs, cells, strict=True)):
                for name, db in engines.items():
                    execute = db.execute
                    before = SerializingComm.messages, SerializingComm.sent
                    began = time.perf_counter()
                    if through_cells:
                        runners[name].run(cell)
                    else:
                        for argv in commands:
                            execute(*argv)
                    shell.cell_ends()
                    elapsed = time.perf_counter() - began
                    if not round_:
                        continue  # the first round warms up (and its deletes find no key)
                    best[name] = min(best[name], elapsed)
                    if name == "viewed":
                        fewest = min(fewest, (SerializingComm.messages - before[0],
                                              SerializingComm.sent - before[1]))
        finally:
            for view in views:
                view.close()
    return Pair(best["plain"] / count, best["viewed"] / count, *fewest)


def one_command_costs(cells: int, rounds: int) -> dict[str, float]:
    """What each view adds to a one-command cell, in this process: seconds per cell (the
    CellRunner's run, then the end of the cell: the views' last push and their pictures'
    redraw), with no views (the anchor), each view alone, and the benchmark's set of views,
    shown (a picture redrawn after each cell) and not. Best of ``rounds`` runs of ``cells``."""
    from kedis.jupyter.cells import CellRunner
    from kedis.widgets import Dashboard, ExpiryView, FlowView, StoreView, StructureView

    counter = watched_counter()
    variants: dict[str, tuple[Callable[[Any], list], bool]] = {
        "no views (anchor)": (lambda db: [], False),
        "StoreView": (lambda db: [StoreView(db)], True),
        "ExpiryView": (lambda db: [ExpiryView(db)], True),
        "FlowView": (lambda db: [FlowView(db)], True),
        "StructureView of a counter": (lambda db: [StructureView(db, counter)], True),
        "StructureView, following": (lambda db: [StructureView(db)], True),
        "Dashboard and %structure, not shown": (
            lambda db: [Dashboard(db), StructureView(db, counter)], False),
        "Dashboard and %structure": (lambda db: [Dashboard(db), StructureView(db, counter)], True),
    }
    lines = [as_cell([argv]) for argv in command_mix(cells, 1)]
    best: dict[str, float] = {}
    with kernel_like() as shell:
        db = filled_engine()
        runner = CellRunner(db, display=display_serializer(), widgets=True)
        for round_ in range(rounds + 1):  # the first warms up; the variants take turns
            for name, (make, shown) in variants.items():
                views = make(db)
                if shown:  # displayed: its picture is redrawn after cells (about once a second)
                    for view in views:
                        view._repr_mimebundle_()
                try:
                    for line in lines[:BLOCK]:  # (its first pushes: made, not yet kept up)
                        runner.run(line)
                        shell.cell_ends()
                    began = time.perf_counter()
                    for line in lines:
                        runner.run(line)
                        shell.cell_ends()
                    elapsed = (time.perf_counter() - began) / len(lines)
                finally:
                    for view in views:
                        view.close()
                if round_:
                    best[name] = min(best.get(name, elapsed), elapsed)
    return best


# --- in a real kernel --------------------------------------------------------------------------
@dataclass
class Cell:
    """One cell as the front end saw it."""

    done: float   # seconds until both its execute_reply and its idle status arrived
    messages: int  # the comm messages (widget state) it brought, and their bytes
    sent: int


def run_cell(kernel: Any, code: str, timeout: float = CELL_TIMEOUT) -> Cell:
    """Run one cell and read everything it sends; fail if it answers with an error."""
    import zmq

    shell, iopub = kernel.client.shell_channel.socket, kernel.client.iopub_channel.socket
    poller = zmq.Poller()
    poller.register(shell, zmq.POLLIN)
    poller.register(iopub, zmq.POLLIN)
    reply = idle = None
    messages = sent = 0
    status, error = "?", ""
    start = time.perf_counter()
    msg_id = kernel.client.execute(code)
    deadline = start + timeout
    while reply is None or idle is None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise kernel.failure(f"did not finish the cell {code[:40]!r} within {timeout:.0f} s")
        ready = dict(poller.poll(left * 1000))
        now = time.perf_counter()
        if shell in ready:
            _, parent, frames = kernel_benchmark.receive(shell)
            if parent == msg_id:
                content = json.loads(frames[3])
                reply, status = now - start, content["status"]
                error = f"{content.get('ename')}: {content.get('evalue')}"
        if iopub in ready:
            kind, parent, frames = kernel_benchmark.receive(iopub)
            if parent != msg_id:
                continue  # a message of an earlier cell, or of active expiry between cells
            if kind in ("comm_open", "comm_msg"):
                messages += 1
                sent += sum(len(frame) for frame in frames)
            elif kind == "status" and json.loads(frames[3])["execution_state"] == "idle":
                idle = now - start
    if status != "ok":
        raise kernel.failure(f"answered {code[:40]!r} with an error: {error}")
    return Cell(max(reply, idle), messages, sent)


CLOSE_VIEWS = "%%python\nfrom kedis.widgets import close_views\nclose_views(db)\n"


def kernel_builds(kernel: Any, rounds: int) -> dict[str, float]:
    """The %store and %dashboard cells (each view closed after), and a PING cell, best of."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        for label, code in (("PING", "PING"), ("%store", "%store"),
                            ("%structure", structure_cell()), ("%dashboard", "%dashboard")):
            elapsed = run_cell(kernel, code).done
            best[label] = min(best.get(label, elapsed), elapsed)
            if label != "PING":
                run_cell(kernel, CLOSE_VIEWS)
    return best


def kernel_cells(kernels: dict[str, Any], count: int, rounds: int,
                 one_command_rounds: int) -> tuple[Pair, Pair]:
    """Runs of the mix as one big cell (best of ``rounds``), then one-command cells (the
    median), on the kernel without views and the one with ``%dashboard``, in turn."""
    best = {"plain": float("inf"), "viewed": float("inf")}
    fewest = (1 << 62, 0)
    for round_ in range(rounds + 1):  # the first round warms up
        big = as_cell(command_mix(count, round_))
        for name, kernel in kernels.items():
            cell = run_cell(kernel, big)
            if round_:
                best[name] = min(best[name], cell.done)
                if name == "viewed":
                    fewest = min(fewest, (cell.messages, cell.sent))
    big_pair = Pair(best["plain"] / count, best["viewed"] / count, *fewest)

    after = command_mix(count, rounds + 1)  # the next run, one command to a cell
    trips: dict[str, list[float]] = {"plain": [], "viewed": []}
    sent: list[tuple[int, int]] = []
    for n in range(one_command_rounds + BLOCK):
        line = as_cell([after[n % count]])
        for name, kernel in kernels.items():
            cell = run_cell(kernel, line)
            if n >= BLOCK:  # the first block warms up
                trips[name].append(cell.done)
                if name == "viewed":
                    sent.append((cell.messages, cell.sent))
    one = Pair(statistics.median(trips["plain"]), statistics.median(trips["viewed"]),
               *sorted(sent)[len(sent) // 2])
    return big_pair, one


def kernel_measures(count: int, build_rounds: int, rounds: int,
                    one_command_rounds: int) -> tuple[dict[str, float], Pair, Pair, float]:
    """Start two Kedis kernels holding the store; time the builds on one, then show
    %dashboard there and time the cells on both. Also: the seconds it took to fill a kernel."""
    kernel_benchmark.check_kernelspecs()
    with ExitStack() as stack:
        kernels = {name: stack.enter_context(kernel_benchmark.running(kernel_benchmark.KEDIS))
                   for name in ("plain", "viewed")}
        fill_times = [run_cell(kernel, fill_cell(KEYS, SEED)).done for kernel in kernels.values()]
        builds = kernel_builds(kernels["viewed"], build_rounds)
        run_cell(kernels["viewed"], "%dashboard")
        run_cell(kernels["viewed"], structure_cell())
        big, one = kernel_cells(kernels, count, rounds, one_command_rounds)
    return builds, big, one, min(fill_times)


# --- the report --------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:8.1f} us"


def versions() -> str:
    import anywidget
    import ipykernel
    import ipywidgets

    return (f"Python {sys.version.split()[0]}, ipywidgets {ipywidgets.__version__}, "
            f"anywidget {anywidget.__version__}, ipykernel {ipykernel.__version__}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: faster, rougher")
    options = parser.parse_args()
    if options.quick:
        build_rounds, count, rounds, one_rounds = 2, BIG_CELL, 1, 30
    else:
        build_rounds, count, rounds, one_rounds = 5, BIG_CELL, 4, 300

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    try:
        builds = build_times(build_rounds)
        huge = huge_set_build(build_rounds)
        costs = one_command_costs(300 if options.quick else 1_200, rounds)
        execute = in_process(count, rounds, through_cells=False)
        runner = in_process(count, rounds, through_cells=True)
        kernel_builds_, big, one, filled = kernel_measures(count, build_rounds, rounds,
                                                           one_rounds)
    except BenchmarkError as error:
        print(f"benchmarks/widgets.py: {error}", file=sys.stderr)
        return 2

    print(versions())
    print(f"{KEYS:,} keys ({KEYS * 25 // 100:,} with a TTL); best of {build_rounds} builds, "
          f"of {rounds} runs of {count:,} commands, median of {one_rounds} one-command cells; "
          f"load average {load:.1f} before the run ({os.cpu_count()} CPUs)\n")

    print(f"Building a view of {KEYS:,} keys, in this process (comms serializing as in a kernel):")
    anchor = builds["sorted"]
    print(f"  sorted() of the keys (anchor)   {ms(anchor)}")
    views = ("StoreView", "ExpiryView", "FlowView", "StructureView", "StructureView, following",
             "Dashboard")
    for name in views:
        print(f"  {name:32s}{ms(builds[name])}   {builds[name] / anchor:.1f}x the anchor")
    print(f"  {'StructureView of a 1M-member set':32s}{ms(huge)}")
    print("In the kernel, request to idle (a PING cell is the anchor):")
    ping = kernel_builds_["PING"]
    print(f"  a PING cell (anchor)            {ms(ping)}")
    for label in ("%store", "%structure", "%dashboard"):
        print(f"  {'a ' + label + ' cell':32s}{ms(kernel_builds_[label])}   "
              f"{kernel_builds_[label] / ping:.1f}x the anchor")
    print(f"  (filling the kernel's store, for scale: {filled:.2f} s)")

    print("\nA command's time, a mix of SET (new and existing keys), GET, INCR, EXPIRE and DEL; "
          "with no views (anchor) and with %dashboard (store, expiry, flow, structure following "
          "the last key) and a %structure of a counter live:")
    print(f"  {'':42s}{'no views':>11s}{'views':>11s}   ratio   widget state sent")
    rows = [
        (f"kernel, a {count:,}-command cell, whole cell", Pair(big.plain * count,
                                                              big.viewed * count,
                                                              big.messages, big.sent), ms),
        (f"kernel, a {count:,}-command cell, per command", big, us),
        ("kernel, a one-command cell, round trip", one, ms),
        ("CellRunner in process, per command", runner, us),
        ("engine.execute in process, per command", execute, us),
    ]
    for label, pair, unit in rows:
        state = f"{pair.messages} messages, {pair.sent / 1024:.0f} kB"
        print(f"  {label:42s}{unit(pair.plain)}{unit(pair.viewed)}   {pair.ratio:4.2f}x   {state}")
    print("  (the kernel's cells are what the user waits for: the targets judge them; the kernel "
          "and the CellRunner trace every command even without views, for %flow; "
          "engine.execute does not)")

    print("\nWhat each view adds to a one-command cell, in this process (CellRunner, then the "
          "cell's end: the last push, and the pictures' redraw of the views shown):")
    anchor_cell = costs["no views (anchor)"]
    for name, seconds in costs.items():
        extra = "" if seconds is anchor_cell else f"   +{(seconds - anchor_cell) * 1000:6.3f} ms"
        print(f"  {name:42s}{seconds * 1000:8.3f} ms{extra}")

    slowest = max(views, key=builds.__getitem__)
    verdicts = [
        (f"every view built on {KEYS:,} keys < 0.2 s (slowest: {slowest}, "
         f"{builds[slowest] * 1000:.0f} ms)", builds[slowest] < 0.2),
        ("a StructureView of a 1M-member set < 0.2 s", huge < 0.2),
        (f"a %store cell on {KEYS:,} keys < 0.2 s", kernel_builds_["%store"] < 0.2),
        (f"a %dashboard cell on {KEYS:,} keys < 0.2 s", kernel_builds_["%dashboard"] < 0.2),
        (f"a {count:,}-command cell with the views < 2 s "
         f"({big.viewed * count:.2f} s; {big.plain * count:.2f} s without)",
         big.viewed * count < 2),
        (f"a one-command cell with the views <= 1.3x the cell without ({one.ratio:.2f}x)",
         one.ratio <= 1.3),
    ]
    print_targets(verdicts)
    print(f"  (in process, not judged: CellRunner {runner.ratio:.2f}x, "
          f"engine.execute {execute.ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
