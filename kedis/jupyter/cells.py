"""Cells: a block of Kedis lines, run one by one, as the Jupyter kernel and ``%%kedis`` run them.

A cell is text, one command per line::

    # comments and blank lines are skipped
    SET greeting "hello world" EX 100
    GET greeting
    %clock advance 10s          <- a magic: a line that starts with % (see magics.py)
    SET?                        <- help: a command name with ? before or after it

``CellRunner.run`` first reads the whole cell, so that a cell that cannot run (an unbalanced quote,
an unknown magic) fails before anything in it has run. Then it runs each line in order and shows
each reply as soon as it comes: ``text/plain`` exactly as redis-cli prints it, plus ``text/html``
where it helps (html.py). An error *reply* (``ERR ...``) is the server's answer, not a failure of
the cell: it is shown, marked as an error, and the cell goes on, as in redis-cli.

A quoted value may span lines: while a quote is open, the next line continues the command.

Where the commands go depends on the mode set by ``%connect`` and ``%compare``: the embedded
engine (the default), a real Redis server (through redis-py, see remote.py), or both, to compare.

Interrupting (the stop button sends SIGINT) takes effect *between* two commands: a command always
runs to its end, so the store stays consistent. Python code (``%python``) is the exception: it
stops where it is, as it would in a Python cell, since it may never reach its end by itself.
"""

from __future__ import annotations

import functools
import linecache
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple

from ..engine.command_table import TABLE
from ..engine.dispatcher import Kedis
from ..engine.parser import ParseError, logical_lines, split_args, split_repeat
from ..engine.reply import Frames, Reply, shown_raw
from ..engine.trace import format_trace
from ..util.clock import RealClock
from .completion import help_request
from .errors import (
    Interrupted,
    InvalidArguments,
    RedisUnavailable,
    UnknownMagic,
)
from .html import needs_html, replies_html, reply_html
from .magics import MAGICS

__all__ = ["CellRunner", "Line", "Ran", "read_cell"]


#: A cell shows its first ONE_BY_ONE replies one output each, then the rest in batches: the first
#: of BATCH replies, each next one twice as big. So whatever its number of replies, a cell has
#: fewer than MAX_OUTPUTS outputs (47 for ten million replies): past 50, JupyterLab and Notebook 7
#: hide the rest behind "Show more outputs".
ONE_BY_ONE = 30
BATCH = 100
MAX_OUTPUTS = 50
#: A cell's record (``CellRunner.last_cell``) keeps its first RECORDED lines run: an exercise
#: has a few, a benchmark's cell ten million, which the record need not hold.
RECORDED = 1000


class Ran(NamedTuple):
    """One line a cell ran, in ``CellRunner.last_cell``: a command, with ``where`` it went
    ("kedis", "redis", or "both" under %compare) and the reply (Kedis's, under %compare), or a
    magic (``where`` "magic", ``argv`` its name and its argument text, no reply)."""

    where: str
    argv: list
    reply: Reply | None


@dataclass
class Line:
    """One logical line of a cell, classified."""

    number: int                   # where it starts in the cell (1-based), for error messages
    text: str
    kind: str                     # "command", "magic" or "help"
    argv: list[bytes] | None = None
    repeat: int = 1               # "3 INCR n": redis-cli's repeat count
    name: str = ""                # a magic's name
    args: str = ""                # a magic's arguments, as typed; a help line's text


def read_cell(text: str, magic_names: set[str] | frozenset[str]) -> list[Line]:
    """Read and classify every line of a cell; raise CellError if the cell cannot run."""
    lines = []
    for _, number, logical in logical_lines(text):
        stripped = logical.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("%%"):
            raise UnknownMagic(f"line {number}: {stripped.split()[0]} is a cell magic: it goes on a "
                               "cell's first line (only %%python exists)")
        if stripped.startswith("%"):
            name, _, args = stripped[1:].partition(" ")
            if name not in magic_names:
                raise UnknownMagic(f"line {number}: no magic named %{name} (%lsmagic lists them)")
            lines.append(Line(number, logical, "magic", name=name, args=args.strip()))
            continue
        help_asked = help_request(stripped)
        if help_asked is not None:
            lines.append(Line(number, logical, "help", args=help_asked))
            continue
        try:
            argv = split_args(logical)
            repeat, argv = split_repeat(argv)
        except ParseError:
            raise InvalidArguments(f"Invalid argument(s) on line {number}: {stripped}") from None
        except ValueError as error:  # a repeat count redis-cli refuses
            raise InvalidArguments(f"{error} on line {number}: {stripped}") from None
        if not argv:
            continue  # nothing before a NUL byte (the parser stops there): skipped, as redis-cli does
        lines.append(Line(number, logical, "command", argv=argv, repeat=repeat))
    return lines


def _ipython_display(data: dict, metadata: dict) -> None:
    from IPython.display import display

    if "application/vnd.jupyter.widget-view+json" in data:
        # A view: its live widget, then its picture, which the end of each cell redraws and a
        # saved notebook keeps (widgets/_live.py).
        from ..widgets._live import outputs_of
        for output, output_metadata, transient in outputs_of(data, metadata):
            display(output, raw=True, metadata=output_metadata,
                    display_id=transient.get("display_id"))
        return
    display(data, raw=True, metadata=metadata)


class CellRunner:
    """Runs cells of Kedis lines against an engine, a real Redis, or both.

    ``display(data, metadata)`` publishes one output (a MIME bundle); in Jupyter it is IPython's
    ``display``. ``namespace`` is where ``%python`` runs, with the engine bound to ``db``.
    ``widgets`` says that a front end can draw widgets (the kernel, ``%%kedis`` in a notebook):
    then ``%trace on`` shows each command's flow as a FlowView (with the text for plain-text
    front ends), and each command is traced so that ``%flow`` can show the last one.
    """

    def __init__(self, engine: Kedis | None = None, *,
                 display: Callable[[dict, dict], None] | None = None,
                 namespace: dict | None = None, widgets: bool = False) -> None:
        self.namespace = namespace if namespace is not None else {}
        self.engine = engine if engine is not None else Kedis()
        self.display = display if display is not None else _ipython_display
        self.widgets = widgets
        self.trace = False
        self._last_traced: Reply | list | None = None  # see last_trace
        self.mode = "embedded"         # "embedded", "redis" or "compare"
        self.remote: Any = None        # a remote.RedisTarget while connected
        self.compared = 0              # commands run in compare mode, and how many differed
        self.differences = 0
        self.lock = threading.RLock()  # commands and background active expiry take turns
        self._interrupted = False
        self._shown = 0                  # replies shown one by one in the running cell
        self._pending: list[Reply] = []  # replies waiting to go out in a batch
        self._batch = BATCH              # how many the next batch holds (it doubles)
        self._python_sigint: Any = None  # while a cell runs: the SIGINT handler Python code gets
        self._python_runs = 0            # numbers the <%python-N> pseudo-files of tracebacks
        #: What the last Kedis cell ran, in order (Ran), filled as it runs: what the tutorials'
        #: checks read to see how the reader's answer was made (tutorial.py). %%python cells
        #: leave it alone (the kernel gives them to IPython: the runner never sees them).
        self.last_cell: list[Ran] = []

    @property
    def last_trace(self) -> list | None:
        """The steps of the last command, when it was traced (``%flow`` shows them).

        The runner keeps the last traced reply and reads its trace only when asked: the trace
        is recorded as plain tuples and named as Steps on first read (trace.py), which would
        cost each command of a cell a few microseconds for the one ``%flow`` may show."""
        kept = self._last_traced
        return kept.trace if isinstance(kept, Reply) else kept

    @last_trace.setter
    def last_trace(self, steps: list | None) -> None:
        self._last_traced = steps

    @property
    def engine(self) -> Kedis:
        return self._engine

    @engine.setter
    def engine(self, engine: Kedis) -> None:
        previous = getattr(self, "_engine", None)
        self._engine = engine
        self.namespace["db"] = engine  # %python sees the engine the cells use
        self.last_trace = None
        widgets = sys.modules.get("kedis.widgets")  # (no views can exist if it was never loaded)
        if previous is not None and previous is not engine and widgets is not None:
            widgets.close_views(previous)  # views of a replaced engine (%reset) would show a ghost

    # --- running a cell ----------------------------------------------------------------------
    def run(self, text: str) -> None:
        """Run a cell. Raises CellError (nothing has run) or KeyboardInterrupt (between commands)."""
        first, _, rest = text.lstrip("\n").partition("\n")
        if first.strip() == "%%python":
            self.run_python(rest)
            return
        ran = self.last_cell = []  # (a cell that cannot run has run nothing)
        lines = read_cell(text, MAGICS.keys())
        self._shown = 0
        with self._interruptible(), self._batching():
            try:
                for line in lines:
                    if self._interrupted:
                        raise Interrupted("interrupted between two commands: the store is "
                                          "consistent")
                    if line.kind == "magic":
                        MAGICS[line.name].run(self, line.args)
                        if len(ran) < RECORDED:
                            ran.append(Ran("magic", [line.name, line.args], None))
                    elif line.kind == "help":
                        self.say(line.args.rstrip("\n"))
                    else:
                        for _ in range(line.repeat):
                            self.run_command(line)
                            if self._interrupted:
                                break
            finally:
                if lines:
                    self.before_sleep()

    def before_sleep(self) -> None:
        """After a cell, as a server after a round of commands, before it waits for the next
        (Redis's beforeSleep): the engine's fast active expiry cycle, when one is due."""
        with self.lock:
            self.engine.before_sleep()

    def run_command(self, line: Line) -> None:
        with self.lock:
            if self.mode == "embedded":
                # The line as typed goes to the engine, so that a trace (%trace, a FlowView)
                # shows the parser at work; a line with a repeat count starts at its arguments
                # (the count is redis-cli's, not Redis's). Where widgets can be drawn, every
                # command is traced (a few microseconds) so that %flow can show the last one.
                traced = self.trace or self.widgets
                listening = _listening(self.engine.client)
                if line.repeat == 1:
                    reply = self.engine.run(line.text, trace=traced)
                else:
                    reply = self.engine.execute(*line.argv, trace=traced)
                self._last_traced = reply if traced else None
                if self.trace:
                    if self.widgets:
                        self.show_flow(reply.trace)
                    else:
                        self.say(format_trace(reply.trace))
                self.show(reply, line.argv)
                if len(self.last_cell) < RECORDED:
                    self.last_cell.append(Ran("kedis", line.argv, reply))
                now_listening = _listening(self.engine.client)
                if now_listening and now_listening != listening:
                    # redis-cli would now sit and print what it hears; a notebook goes on, in a
                    # session that Redis's rules now restrict: say so, and how to leave.
                    self.say(LISTENING_NOTES[now_listening])
                return
            self.last_trace = None
            from ..network.remote import RemoteError

            try:
                if self.mode == "redis":
                    ran = Ran("redis", line.argv, self.remote.execute(*line.argv))
                    self.show(ran.reply, line.argv)
                else:
                    ran = Ran("both", line.argv, self._compare(line.argv))
                if len(self.last_cell) < RECORDED:
                    self.last_cell.append(ran)
            except RemoteError as error:  # the server went away: the cell cannot go on
                raise RedisUnavailable(str(error)) from None

    def _compare(self, argv: list[bytes]) -> Reply:
        """Run a command on both, show how they compare, and answer Kedis's reply."""
        mine = self.engine.execute(*argv)
        theirs = self.remote.execute(*argv)
        verdict = compare_replies(argv, mine, theirs)
        self.compared += 1
        if verdict == "same":
            self.show(mine)
            return mine
        if verdict == "different":
            self.differences += 1
        note = {"different": "Kedis and Redis answer differently",
                "order": "the same elements, in another order (the order is not defined)",
                "nondeterministic": "answers that differ by nature (a time, a random pick...)"}[
            verdict]
        text = f"kedis: {_indent(mine.cli())}\nredis: {_indent(theirs.cli())}\n({note})"
        style = "color: #c62828" if verdict == "different" else "color: #757575"
        html = (f'<div class="kedis-compare"><b>kedis</b> {reply_html(mine)}'
                f'<b>redis</b> {reply_html(theirs)}<span style="{style}">({note})</span></div>')
        self.display({"text/plain": text, "text/html": html},
                     {"kedis": {"compare": verdict}})
        return mine

    # --- outputs -----------------------------------------------------------------------------
    def show(self, reply: Reply, argv: list[bytes] | None = None) -> None:
        """Publish one reply: redis-cli's text, and HTML where it helps.

        Like redis-cli, INFO's report (and the like: ``reply.shown_raw``) is shown as it is,
        whatever the reply's type: a real Redis sends it as a plain bulk string.
        """
        if argv is not None and shown_raw(argv):
            self.say(reply.verbatim().decode("utf-8", "replace"))
            return
        if isinstance(reply, Frames) and not reply.items:
            return  # no reply at all (a second MONITOR): the cell shows nothing either
        if self._shown >= ONE_BY_ONE:
            self._pending.append(reply)
            if len(self._pending) >= self._batch:
                self._flush()
                self._batch *= 2
            return
        self._shown += 1
        data = {"text/plain": reply.cli()}
        if needs_html(reply):
            data["text/html"] = reply_html(reply)
        self.display(data, {"kedis": {"error": True}} if reply.is_error else {})

    def say(self, text: str) -> None:
        """Publish a line of text (magics' answers, help, traces)."""
        self._flush()  # the replies waiting in a batch came first
        self.display({"text/plain": text}, {})

    def show_widget(self, widget: Any, text: str | None = None) -> None:
        """Publish a widget (kedis.widgets), as IPython's display() would. ``text`` replaces its
        plain-text form, for front ends that cannot draw widgets (a console, a text export)."""
        self._flush()
        bundle = widget._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        if text is not None:
            data["text/plain"] = text
        self.display(data, metadata or {})

    def show_flow(self, steps: list) -> None:
        """A traced command's flow as a FlowView of its steps, and as text where no widget shows."""
        from ..widgets import FlowView

        self.show_widget(FlowView().show(steps), text=format_trace(steps))

    @contextmanager
    def _batching(self) -> Iterator[None]:
        """Past the first ONE_BY_ONE replies of a cell, replies go out in batches, each twice the
        one before.

        A cell of 10,000 commands would otherwise have 10,000 outputs, of which front ends show
        50, and send 10,000 messages in a second, where Jupyter servers drop outputs sent faster
        than 1,000 a second (jupyter_server's iopub rate limit), with a warning instead of the
        replies. A batch is one output that reads like the replies it holds, one after the
        other, as redis-cli would print them. Batches depend only on the number of replies,
        never on time, so a notebook's outputs are the same at every run.
        """
        self._pending = []
        self._batch = BATCH
        try:
            yield
        finally:
            self._flush()

    def _flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        self._pending = []
        errors = sum(1 for reply in pending if reply.is_error)
        data = {"text/plain": "\n".join(reply.cli() for reply in pending)}
        if any(needs_html(reply) for reply in pending):  # (else the text alone reads the same)
            data["text/html"] = replies_html(pending)
        self.display(data, {"kedis": {"replies": len(pending), "errors": errors}})

    # --- Python, in the same kernel -----------------------------------------------------------
    def run_python(self, code: str) -> None:
        """Run Python where the user's variables live, ``db`` being the engine.

        A last expression is shown as Python shows it in a notebook ("single" mode compiles an
        interactive statement: its value goes to sys.displayhook, which IPython displays).
        """
        if not code.strip():
            return
        self._python_runs += 1
        filename = f"<%python-{self._python_runs}>"
        # Tracebacks read source lines from linecache: give them this code (IPython does the
        # same for its cells), so that an error shows the line that raised it.
        linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
        try:
            compiled = _compile_interactive(code, filename)
        except SyntaxError as error:
            _show_only_user_frames(error, None)  # no frame of the user's: just the line and caret
            raise
        try:
            with self._python_interruptible():
                exec(compiled, self.namespace)
        except BaseException as error:  # KeyboardInterrupt too: the stop button in Python code
            _show_only_user_frames(error, error.__traceback__.tb_next)  # (the first: this one)
            raise
        finally:
            # What the code printed must reach the front end before the replies that follow.
            sys.stdout.flush()
            sys.stderr.flush()

    # --- interrupts and background expiry ----------------------------------------------------
    @contextmanager
    def _interruptible(self) -> Iterator[None]:
        """While a cell runs, Ctrl-C / the stop button only asks to stop after this command."""
        self._interrupted = False
        if threading.current_thread() is not threading.main_thread():
            yield  # signals reach the main thread only; nothing to defer here
            return

        def on_sigint(signum: int, frame: object) -> None:
            self._interrupted = True

        previous = signal.signal(signal.SIGINT, on_sigint)
        self._python_sigint = previous
        try:
            yield
        finally:
            self._python_sigint = None
            signal.signal(signal.SIGINT, previous)

    @contextmanager
    def _python_interruptible(self) -> Iterator[None]:
        """Python code (``%python``) is stopped where it is, as in a ``%%python`` cell: waiting
        for the next command would wait forever on ``while True: pass``."""
        handler = self._python_sigint
        if handler is None or threading.current_thread() is not threading.main_thread():
            yield
            return
        deferring = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, deferring)

    def tick_in_background(self) -> None:
        """One active expiry cycle, when the clock is real (a fake clock moves only by hand,
        and so does its expiry: ``%tick``)."""
        if isinstance(self.engine.clock, RealClock):
            with self.lock:
                self.engine.tick()

    def start_active_expiry(self, io_loop: Any = None) -> None:
        """Run ``tick_in_background`` about ``hz`` times a second.

        In a kernel, on its event loop (``io_loop``: between cells, on the thread that runs them);
        elsewhere, in a daemon thread that takes turns with commands through ``self.lock``.
        """
        def delay() -> float:
            return 1 / max(self.engine.config_hz, 1)

        if io_loop is not None:
            def again() -> None:
                try:
                    self.tick_in_background()
                finally:
                    io_loop.call_later(delay(), again)

            io_loop.call_later(delay(), again)
            return

        def loop() -> None:
            stop = threading.Event()
            while not stop.wait(delay()):
                self.tick_in_background()

        threading.Thread(target=loop, name="kedis-active-expiry", daemon=True).start()


def _compile_interactive(code: str, filename: str) -> Any:
    """Compile ``%python`` code: one interactive statement if it is one, else a block."""
    try:
        return compile(code, filename, "single")
    except SyntaxError:
        pass  # several statements; compiled below, out of this handler, so that a real syntax
        # error is reported once, not "during handling of" this one
    return compile(code, filename, "exec")


def _show_only_user_frames(error: BaseException, frames: TracebackType | None) -> None:
    """Make IPython show the traceback of an error in ``%python`` code from the user's code on.

    The frames above it are plumbing (the call that handed the cell to the runner, which holds
    the whole cell, then the runner and the magic). IPython asks an exception for
    ``_render_traceback_`` before formatting it, so the error gets one that formats only
    ``frames`` (the user's), with IPython's own formatter (colours, source lines).
    """
    if hasattr(error, "_render_traceback_"):
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    shell = get_ipython()
    if shell is None:
        return
    error._render_traceback_ = functools.partial(  # type: ignore[union-attr]
        shell.InteractiveTB.structured_traceback, type(error), error, frames)


def compare_replies(argv: list[bytes], mine: Reply, theirs: Reply) -> str:
    """How two replies to the same command compare: "same", "order", "nondeterministic" or
    "different". The command table's tips say which commands answer in no defined order (KEYS)
    or differently every time (TIME, RANDOMKEY)."""
    if mine.resp() == theirs.resp():
        return "same"
    cmd = TABLE.get(argv[0].lower())
    tips = cmd.tips if cmd is not None else ()
    if "nondeterministic_output" in tips:
        return "nondeterministic"
    if ("nondeterministic_output_order" in tips and isinstance(mine.value, list)
            and isinstance(theirs.value, list)
            and sorted(map(repr, mine.value)) == sorted(map(repr, theirs.value))):
        return "order"
    return "different"


def _indent(text: str) -> str:
    return text.replace("\n", "\n       ")


#: What the kernel says when the session starts to listen (MONITOR, or SUBSCRIBE in RESP2).
LISTENING_NOTES = {
    "monitor": "This session is now a MONITOR client: as in Redis, it may not read or write "
               "keys. RESET ends it.",
    "subscribed": "This session is now subscribed: as in Redis (RESP2), it may only "
                  "(P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET until it has left every "
                  "channel. UNSUBSCRIBE, PUNSUBSCRIBE or RESET end it.",
}


def _listening(client) -> str | None:
    """Which restricted mode a client is in: MONITOR, RESP2's subscribed mode, or none."""
    if client.monitor:
        return "monitor"
    if client.resp == 2 and (client.channels or client.patterns):
        return "subscribed"
    return None
