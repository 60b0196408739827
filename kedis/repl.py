"""The ``kedis`` command: a REPL on an embedded engine that answers exactly as redis-cli does.

    $ kedis
    kedis> SET greeting "hello world"
    OK
    kedis> GET greeting
    "hello world"

It follows redis-cli's rules, so that a Kedis session reads (and diffs) like a redis-cli one:

- output is *formatted* (``"v"``, ``(integer) 1``, ``(nil)``) when stdout is a terminal, and *raw*
  otherwise; ``--raw`` and ``--no-raw`` force either;
- when stdin is not a terminal, commands are read from it line by line, with no prompt;
- ``N command`` repeats a command N times; ``quit`` and ``exit`` leave;
- an unbalanced quote prints ``Invalid argument(s)`` and nothing runs.

Kedis adds: ``#`` comment lines are skipped, ``HELP`` is a command of the engine, ``--trace`` prints
each command's flow through the layers before its reply, and ``--fake-clock`` starts with a clock
that only moves when told to, with ``:advance SECONDS`` typed at the prompt.

The store lives in this process: Ctrl-C cancels the line being typed, or waits for the running
command to finish (a command is never cut in half), and only Ctrl-D, ``quit`` or ``exit`` leave.
Active expiry runs in a background thread, ``hz`` times a second, under the same lock as commands.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
from collections.abc import Iterable
from typing import BinaryIO

from . import __version__
from .clock import FakeClock
from .engine import Kedis
from .parser import ParseError, split_args
from .reply import Reply
from .trace import format_trace

HISTORY_FILE = os.path.join(os.path.expanduser("~"), ".kedis_history")
_REPEAT = re.compile(rb"[ \t\n\r\x0b\x0c]*[+-]?\d+")  # what C's strtol() reads as a whole number
_LONG_MAX = 2 ** 63 - 1


class Session:
    """One REPL session: an engine, an output mode, and the lock shared with active expiry."""

    def __init__(self, engine: Kedis, out: BinaryIO, raw: bool, trace: bool) -> None:
        self.engine = engine
        self.out = out
        self.raw = raw
        self.trace = trace
        self.lock = threading.Lock()
        self.running = False      # a command is executing (Ctrl-C must then wait for it)
        self.interrupted = False

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.out.flush()

    def prompt(self) -> str:
        db = self.engine.client.db.id
        return "kedis> " if db == 0 else f"kedis[{db}]> "

    def handle(self, line: str | bytes) -> bool:
        """Run one line; False when the session should end (quit/exit)."""
        try:
            argv = split_args(line)
        except ParseError:
            self.write(b"Invalid argument(s)\n")
            return True
        if not argv or (argv[0].startswith(b"#") and line.lstrip()[:1] in ("#", b"#")):
            return True  # a blank line or a comment
        if argv[0].lower() in (b"quit", b"exit"):
            return False
        if argv[0].lower() == b":advance" and len(argv) == 2:
            return self._advance(argv[1])
        repeat = 1
        if len(argv) > 1 and (_REPEAT.fullmatch(argv[0]) or argv[0] == b""):
            repeat = int(argv[0]) if argv[0].strip() else 0
            if repeat <= 0 or repeat > _LONG_MAX:
                self.write(b"Invalid redis-cli repeat command option value.\n")
                return True
            argv = argv[1:]
        for _ in range(repeat):
            self._run(argv)
            if self.interrupted:
                break
        return True

    def _run(self, argv: list[bytes]) -> None:
        with self.lock:
            self.running = True
            try:
                reply: Reply = self.engine.execute(*argv, trace=self.trace)
            finally:
                self.running = False
        if self.trace and reply.trace:
            self.write(format_trace(reply.trace).encode("utf-8", "replace") + b"\n")
        self.write(reply.terminal(self.raw))

    def _advance(self, amount: bytes) -> bool:
        clock = self.engine.clock
        if not isinstance(clock, FakeClock):
            self.write(b"(error) ERR :advance needs the fake clock: start kedis with --fake-clock\n")
            return True
        try:
            clock.advance(float(amount))
        except ValueError:
            self.write(b"(error) ERR :advance takes a number of seconds\n")
            return True
        self.write(b"OK\n")
        return True

    # --- active expiry ----------------------------------------------------------------------
    def start_expiry(self) -> threading.Event:
        """Run the active expiry cycle hz times a second until the returned event is set."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(1 / max(self.engine.config_hz, 1)):
                with self.lock:
                    self.engine.tick()

        threading.Thread(target=loop, name="kedis-active-expiry", daemon=True).start()
        return stop


def _read_lines(stream: BinaryIO) -> Iterable[bytes]:
    for line in stream:
        yield line.rstrip(b"\n").rstrip(b"\r")


def _interactive(session: Session) -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        readline = None
    if readline is not None:
        try:
            readline.read_history_file(HISTORY_FILE)
        except OSError:
            pass
        _install_completion(readline)

    def on_sigint(signum: int, frame: object) -> None:
        # While a command runs, Ctrl-C must not cut it in half: note it, and let it finish.
        if session.running:
            session.interrupted = True
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    try:
        while True:
            session.interrupted = False
            try:
                line = input(session.prompt())
            except KeyboardInterrupt:
                sys.stdout.write("\n")  # Ctrl-C at the prompt: drop the line, keep the store
                continue
            except EOFError:
                sys.stdout.write("\n")
                return
            if not session.handle(line):
                return
            if session.interrupted:
                session.write(b"(interrupted: the command ran to its end first)\n")
    finally:
        if readline is not None:
            try:
                readline.write_history_file(HISTORY_FILE)
            except OSError:
                pass


def _install_completion(readline) -> None:  # type: ignore[no-untyped-def]
    from .command_table import TABLE

    names = sorted(name.decode() for name in TABLE)

    def complete(text: str, state: int) -> str | None:
        buffer = readline.get_line_buffer()
        if " " in buffer.lstrip():
            return None  # only command names are completed here; the kernel does more
        upper = text[:1].isupper()
        options = [n.upper() if upper else n for n in names if n.startswith(text.lower())]
        return options[state] + " " if state < len(options) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t")
    readline.parse_and_bind("tab: complete")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kedis", description="A Redis-compatible store in Python, made to be read and "
        "watched: a REPL that answers like redis-cli.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--raw", action="store_true", help="raw output (default when stdout is "
                      "not a terminal)")
    mode.add_argument("--no-raw", action="store_true", help="formatted output, even when stdout "
                      "is not a terminal")
    parser.add_argument("--trace", action="store_true",
                        help="print each command's flow through the layers before its reply")
    parser.add_argument("--fake-clock", nargs="?", const=1_700_000_000.0, type=float,
                        metavar="START", help="use a clock that moves only with ':advance "
                        "SECONDS' (starting at START, Unix seconds)")
    parser.add_argument("-n", type=int, default=0, metavar="DB", help="database number")
    parser.add_argument("--version", action="version", version=f"kedis {__version__}")
    options = parser.parse_args(argv)

    engine = Kedis(clock=FakeClock(options.fake_clock) if options.fake_clock is not None else None)
    if options.n:
        reply = engine.execute(b"SELECT", str(options.n).encode())
        if reply.is_error:
            sys.stderr.write(f"{reply.cli()}\n")
            return 1
    # redis-cli's rule: formatted output for a terminal, raw for a pipe, unless told otherwise.
    raw = options.raw or (not options.no_raw and not sys.stdout.isatty())
    session = Session(engine, sys.stdout.buffer, raw, options.trace)
    stop = session.start_expiry()
    try:
        if sys.stdin.isatty():
            _interactive(session)
        else:
            for line in _read_lines(sys.stdin.buffer):
                if not session.handle(line):
                    break
    except BrokenPipeError:
        pass
    finally:
        stop.set()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
