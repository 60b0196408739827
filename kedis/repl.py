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
- an unbalanced quote prints ``Invalid argument(s)`` and nothing runs;
- redis-cli's own words keep their meaning: ``clear``, ``:set hints``, ``restart``, ``?`` (help),
  and ``N quit`` (QUIT sent as a command, which closes the connection);
- INFO's report is printed as it is, in both modes; a command slower than half a second is
  followed by its duration (``(0.52s)``) in formatted output.

Kedis adds: ``#`` comment lines are skipped, ``HELP`` is a command of the engine, ``--trace`` prints
each command's flow through the layers before its reply, and ``--fake-clock`` starts with a clock
that only moves when told to, with ``:advance SECONDS`` typed at the prompt.

Persistence is redis-server's part, so its options are redis-server's: ``--dir DIR`` loads the
store from DIR at start (the dump, or the AOF with ``--appendonly yes``) and saves it there by
Redis's default rules (``--save "3600 1 300 100 60 10000"``) and when the REPL ends; ``--save``,
``--dbfilename``, ``--appendonly`` and ``--appendfsync`` work as in redis.conf. Without them the
store lives in memory only.

The store lives in this process, so Kedis parts from redis-cli on Ctrl-C, which ends redis-cli: here
it cancels the line being typed, or stops a repeated command after the one running (a command is
never cut in half), and only Ctrl-D, ``quit`` or ``exit`` leave.
Active expiry runs in a background thread, ``hz`` times a second (the slow cycle), under the same
lock as commands, and after each line (the fast cycle, when one is due: expiry.py).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable
from typing import BinaryIO

from .engine.client import Client
from .engine.config import DEFAULT_SAVE_RULES
from .engine.dispatcher import Kedis
from .engine.parser import ParseError, split_args, split_repeat
from .engine.reply import OK, Error, Reply, shown_raw
from .engine.trace import Step, format_trace
from .engine.version import KEDIS_VERSION as __version__
from .util.clock import FakeClock

HISTORY_FILE = os.path.join(os.path.expanduser("~"), ".kedis_history")
_ATOI = re.compile(r"[ \t\n\r\x0b\x0c]*[+-]?\d+")      # the prefix C's atoi() reads
_SPACES = " \t\n\r\x0b\x0c"
_CLEAR_SCREEN = b"\x1b[H\x1b[2J"  # linenoiseClearScreen(): cursor home, erase the screen
_SLOW_MS = 500  # redis-cli prints "(0.52s)" after a command that took this long (formatted output)


def _is_comment(line: str | bytes) -> bool:
    # Checked before the line is split, so that a comment may hold any quote: # don't split me.
    if isinstance(line, bytes):
        return line.lstrip(_SPACES.encode())[:1] == b"#"
    return line.lstrip(_SPACES)[:1] == "#"


def _atoi(text: str) -> int:
    """C's atoi(), which redis-cli uses for ``-n``: the leading number, or 0."""
    match = _ATOI.match(text)
    return int(match.group()) if match else 0


class Session:
    """One REPL session: an engine, a connection to it, an output mode, and a lock.

    The connection is a ``Client`` of the engine (its selected database). redis-cli's QUIT, sent as a
    command (``2 QUIT``), closes it as the server would: the next command fails with "Error: Server
    closed the connection", and the one after opens a new connection, on database 0.
    """

    def __init__(self, engine: Kedis, out: BinaryIO, raw: bool, trace: bool,
                 err: BinaryIO | None = None) -> None:
        self.engine = engine
        self.out = out
        self.err = err if err is not None else out
        self.raw = raw
        self.trace = trace
        self.client: Client | None = engine.client  # None: "not connected" (after a lost link)
        self.closed = False       # the server side closed the link (QUIT); not noticed yet
        self.select_db = 0        # -n DB: selected on every new connection
        self.select_failed = False
        self.lock = threading.Lock()
        self.at_prompt = False    # waiting for a line: only then does Ctrl-C cancel at once
        self.interrupted = False  # Ctrl-C came while a line ran: stop after the current command
        self.timer = time.monotonic  # replaceable, so that tests can make a command "slow"

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.out.flush()

    def write_error(self, text: str) -> None:
        self.out.flush()
        self.err.write(text.encode("utf-8", "surrogateescape"))
        self.err.flush()

    def prompt(self) -> str:
        if self.client is None:
            return "not connected> "
        db = self.client.db.id
        return "kedis> " if db == 0 else f"kedis[{db}]> "

    # --- the connection ---------------------------------------------------------------------
    def connect(self, db: int = 0, *, first: bool = False) -> None:
        """Open a connection, and select ``db`` on it as redis-cli's ``-n`` does.

        redis-cli selects ``-n``'s database again on a new connection only while selecting it has
        failed; otherwise a new connection starts on database 0 (whatever its prompt then says).
        """
        self.client = self.engine.client if first else self.engine.new_client()
        self.closed = False
        if db or self.select_failed:
            self.select_db = db or self.select_db
            reply = self.engine.execute(b"SELECT", str(self.select_db).encode(),
                                        client=self.client)
            self.select_failed = reply.is_error
            if reply.is_error:
                self.write_error(f"SELECT {self.select_db} failed: {reply.value}\n")

    # --- one line ---------------------------------------------------------------------------
    def handle(self, line: str | bytes) -> bool:
        """Run one line; False when the session should end (quit/exit).

        The order of the checks is redis-cli's (``repl()`` in redis-cli.c).
        """
        if _is_comment(line):
            return True  # Kedis's own: redis-cli would send "#" to the server as a command
        try:
            argv = split_args(line)
        except ParseError:
            if self.trace:
                self._write_trace(self._line_steps(line, None))
            self.write(b"Invalid argument(s)\n")
            return True
        if not argv:
            return True  # a blank line
        try:
            repeat, command = split_repeat(argv)
        except ValueError as error:  # a count of 0, negative, or too big
            self.write(str(error).encode() + b"\n")
            return True
        skip = len(argv) - len(command)
        first = argv[0].lower()
        if first in (b"quit", b"exit"):
            return False
        if first.startswith(b":"):
            self._colon_command(argv)
        elif first == b"restart":
            self.write(b"Use 'restart' only in Lua debugging mode.\n")
        elif first == b"clear" and len(argv) == 1:
            self.write(_CLEAR_SCREEN)
        else:
            started = self.timer()
            self._repeat(line, argv, skip, repeat)
            # Before waiting for the next line, as a server before it waits for the next
            # commands (beforeSleep): a fast active expiry cycle, when one is due.
            with self.lock:
                self.engine.before_sleep()
            elapsed_ms = int((self.timer() - started) * 1000)
            if elapsed_ms >= _SLOW_MS and not self.raw:
                self.write(b"(%.2fs)\n" % (elapsed_ms / 1000))
        return True

    def handle_argv(self, argv: list[bytes]) -> None:
        """Run a command given as arguments (kedis's command line): no parsing, no repeat count."""
        self._run(b" ".join(argv), argv, argv)

    def _repeat(self, line: str | bytes, argv: list[bytes], skip: int, repeat: int) -> None:
        command = argv[skip:]
        if command[0].lower() in (b"help", b"?"):
            # redis-cli answers help itself, once whatever the count; in Kedis HELP is a command.
            self._run(line, argv, [b"HELP", *command[1:]])
            return
        for _ in range(repeat):
            if self.client is None:
                self.connect()
            if self.closed:
                self.write_error("Error: Server closed the connection\n")
                self.client = None
                return
            self._run(line, argv, command)
            if self.interrupted:
                return

    def _run(self, line: str | bytes, argv: list[bytes], command: list[bytes]) -> None:
        if command[0].lower() == b"quit":
            # QUIT sent to the server (only "N quit" gets here): it answers OK and hangs up.
            reply: Reply = OK
            self.closed = True
        else:
            with self.lock:
                reply = self.engine.execute(*command, trace=self.trace, client=self.client)
            if self.select_failed and command[0].lower() == b"select" and not reply.is_error:
                self.select_failed = False  # redis-cli stops retrying -n's database
        if self.trace and reply.trace:
            # The engine's trace starts at the arguments; the REPL read a line and split it.
            self._write_trace(self._line_steps(line, argv) + reply.trace[1:])
        self.write(reply.verbatim() if shown_raw(command) else reply.terminal(self.raw))

    @staticmethod
    def _line_steps(line: str | bytes, argv: list[bytes] | None) -> list[Step]:
        data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
        steps = [Step("input", "line", line, data)]
        if argv is None:
            steps.append(Step("parser", "reject", data, None))
        else:
            steps.append(Step("parser", "split", data, argv,
                              detail=b'"' in data or b"'" in data))
        return steps

    def _write_trace(self, steps: list[Step]) -> None:
        self.write(format_trace(steps).encode("utf-8", "replace") + b"\n")

    # --- lines that start with ":" never reach the server -----------------------------------
    def _colon_command(self, argv: list[bytes]) -> None:
        name = argv[0].lower()
        if name == b":advance":
            self._advance(argv[1:])
        elif name == b":set" and len(argv) >= 2:
            # redis-cli's preferences: hints on or off. Kedis shows no hints, so both do nothing.
            if argv[1].lower() not in (b"hints", b"nohints"):
                self.write(b"unknown redis-cli preference '%s'\n" % argv[1].split(b"\0")[0])
        else:
            self.write(b"unknown redis-cli internal command '%s'\n" % argv[0].split(b"\0")[0])

    def _advance(self, args: list[bytes]) -> None:
        clock = self.engine.clock
        if not isinstance(clock, FakeClock):
            self.write(b"(error) ERR :advance needs the fake clock: start kedis with --fake-clock\n")
            return
        try:
            if len(args) != 1:
                raise ValueError
            seconds = float(args[0])
            if not math.isfinite(seconds):
                raise ValueError
            clock.advance(seconds)
        except ValueError:
            self.write(b"(error) ERR :advance takes a number of seconds\n")
            return
        self.write(b"OK\n")

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
    # As linenoise does without a terminal: a line ends at "\n" only ("\r" is whitespace to the
    # parser), and a last line without "\n" still counts.
    for line in stream:
        yield line[:-1] if line.endswith(b"\n") else line


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
        # Ctrl-C cancels the line being typed. Anywhere else (a command running, its reply being
        # written, a repeat count going on) it must not cut anything in half: note it, and the
        # session stops after the command that runs.
        if session.at_prompt:
            raise KeyboardInterrupt
        session.interrupted = True

    signal.signal(signal.SIGINT, on_sigint)
    try:
        while True:
            session.interrupted = False
            try:
                try:
                    session.at_prompt = True
                    line = input(session.prompt())
                finally:
                    session.at_prompt = False
                if not session.handle(line):
                    return
                if session.interrupted:
                    session.write(b"(interrupted: the command ran to its end first)\n")
            except KeyboardInterrupt:
                session.write(b"\n")  # Ctrl-C at the prompt: drop the line, keep the store
            except EOFError:
                session.write(b"\n")  # Ctrl-D: as linenoise, end the prompt's line, then leave
                return
    finally:
        if readline is not None:
            try:
                readline.write_history_file(HISTORY_FILE)
            except OSError:
                pass


def _install_completion(readline) -> None:  # type: ignore[no-untyped-def]
    from .engine.command_table import TABLE

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


class RemoteEngine:
    """What a Session uses of an engine, for a server over the network (``kedis -h H -p P``).

    Commands go to the server through remote.RedisTarget, which answers with the same Reply
    objects as the embedded engine, so the Session prints them the same way, as redis-cli does.
    The server runs its own active expiry; ``tick`` does nothing here.
    """

    def __init__(self, host: str, port: int) -> None:
        from .network.remote import RedisTarget
        from .util.clock import RealClock

        self.address = f"{host}:{port}"
        self.target = RedisTarget(f"redis://{host}:{port}/0")
        self.clock = RealClock()
        self.config_hz = 10
        self.client = _RemoteClient(self.target)

    def new_client(self) -> _RemoteClient:
        return self.client  # the target opens a new connection by itself when needed

    def execute(self, *argv: bytes, trace: bool = False, client: object = None) -> Reply:
        from .network.remote import RemoteError

        try:
            return self.target.execute(*argv)
        except RemoteError as error:  # the link, not the server, failed: said as an error
            return Error(f"ERR {error}")

    def tick(self) -> None:
        pass

    def before_sleep(self) -> None:
        pass

    def shutdown(self) -> bool:
        return True  # the server keeps its data, and runs on: leaving the REPL does not stop it


class _RemoteClient:
    def __init__(self, target) -> None:  # noqa: ANN001 - a remote.RedisTarget
        self.target = target

    @property
    def db(self):  # noqa: ANN201 - what the prompt reads: .db.id
        return _Selected(self.target.db)


class _Selected:
    def __init__(self, id: int) -> None:
        self.id = id


def monitor(host: str, port: int, out: BinaryIO, trace: bool = True) -> int:
    """``kedis monitor``: print the server's MONITOR feed, as ``redis-cli monitor`` does; against
    kedis-server, each command is followed by its steps through the layers (MONITOR.TRACE)."""
    import socket

    from .network.resp import encode_command

    try:
        sock = socket.create_connection((host, port))
    except OSError as error:
        sys.stderr.write(f"Could not connect to Redis at {host}:{port}: {error.strerror}\n")
        return 1
    reader = sock.makefile("rb")
    sock.sendall(encode_command([b"MONITOR.TRACE"] if trace else [b"MONITOR"]))
    first = reader.readline()
    if first.startswith(b"-") and trace:  # a real Redis: no MONITOR.TRACE there
        sock.sendall(encode_command([b"MONITOR"]))
        first = reader.readline()
    if not first.startswith(b"+OK"):
        out.write(first.rstrip(b"\r\n")[1:] + b"\n")
        return 1
    out.write(b"OK\n")
    out.flush()
    try:
        for line in reader:
            out.write(line.rstrip(b"\r\n")[1:] + b"\n")
            out.flush()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kedis", add_help=False, description="A Redis-compatible store in Python, made to be "
        "read and watched: a REPL that answers like redis-cli, on an embedded engine, or on a "
        "server with -h/-p ('kedis monitor' shows what a kedis-server runs, step by step).")
    parser.add_argument("--help", action="help", help="show this help and exit")
    parser.add_argument("-h", dest="host", metavar="HOST",
                        help="connect to the server at HOST (as redis-cli), not an embedded engine")
    parser.add_argument("-p", dest="port", type=int, metavar="PORT",
                        help="the server's port (6379); with -h or alone, a server is used")
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
    parser.add_argument("-n", type=_atoi, default=0, metavar="DB", help="database number")
    persistence = parser.add_argument_group("persistence (as redis-server's options)")
    persistence.add_argument("--dir", help="load the store from DIR at start, and save it there")
    persistence.add_argument("--save", metavar="RULES", help='snapshot rules, "SECONDS CHANGES '
                             '..." (default with --dir: "3600 1 300 100 60 10000"; "" for none)')
    persistence.add_argument("--dbfilename", help="the dump's name (default dump.rdb)")
    persistence.add_argument("--appendonly", choices=("yes", "no"), help="the append-only file")
    persistence.add_argument("--appendfsync", choices=("always", "everysec", "no"),
                             help="when the AOF reaches the disk (default everysec)")
    parser.add_argument("--version", action="version", version=f"kedis {__version__}")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="a command to run once instead of the REPL, as in 'redis-cli PING'")
    options = parser.parse_args(argv)
    remote = options.host is not None or options.port is not None
    host, port = options.host or "127.0.0.1", options.port or 6379
    if options.command and options.command[0].lower() == "monitor":
        # A feed of what a server runs: there is nothing to monitor in an embedded engine.
        more = argparse.ArgumentParser(prog="kedis monitor", add_help=False)
        more.add_argument("-h", dest="host", default=host)
        more.add_argument("-p", dest="port", type=int, default=port)
        more.add_argument("--no-trace", action="store_true",
                          help="plain MONITOR lines, without each command's steps")
        extra = more.parse_args(options.command[1:])
        return monitor(extra.host, extra.port, sys.stdout.buffer, trace=not extra.no_trace)
    if remote:
        if options.trace or options.fake_clock is not None:
            parser.error("--trace and --fake-clock work on the embedded engine, not with -h/-p")
        from .network.remote import RemoteError

        try:
            engine = RemoteEngine(host, port)
        except RemoteError as error:
            sys.stderr.write(f"Could not connect to Redis at {host}:{port}: {error}\n")
            return 1
    else:
        clock = FakeClock(options.fake_clock) if options.fake_clock is not None else None
        config = _persistence_config(options)
        try:
            engine = Kedis(clock=clock, config=config)
        except (OSError, ValueError) as error:  # a damaged dump or AOF, a bad option: as redis-server
            sys.stderr.write(f"kedis: cannot start: {error}\n")
            return 1
        for message in engine.persistence.messages:
            sys.stderr.write(message + "\n")
    # redis-cli's rule: formatted output for a terminal, raw for a pipe, unless told otherwise.
    raw = options.raw or (not options.no_raw and not sys.stdout.isatty())
    session = Session(engine, sys.stdout.buffer, raw, options.trace, err=sys.stderr.buffer)
    # As redis-cli: a database that cannot be selected is reported, and the session goes on in 0.
    session.connect(options.n, first=True)
    if options.command:
        # As redis-cli does with a command on its command line: run it, print the reply, leave.
        command = [os.fsencode(arg) for arg in options.command]
        session.handle_argv(command)
        return _shut_down(engine)
    stop = session.start_expiry() if not remote else threading.Event()
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
        with session.lock:
            status = _shut_down(engine)
    return status


def _shut_down(engine: Kedis) -> int:
    """The last AOF bytes, and a SAVE when there are save rules; a save that failed is said, and
    the exit status is 1 (the session ends anyway: the REPL has no server to keep running)."""
    if engine.shutdown():
        return 0
    sys.stderr.write("kedis: the final save failed: the writes since the last one are only in "
                     "the AOF, if there is one. Check the logs.\n")
    return 1


def _persistence_config(options: argparse.Namespace) -> dict[str, str] | None:
    """The engine's configuration from the persistence options; None (memory only) without."""
    given = {name: getattr(options, name) for name in ("dir", "save", "dbfilename",
                                                       "appendonly", "appendfsync")
             if getattr(options, name) is not None}
    if not given:
        return None
    if "save" not in given:
        given["save"] = " ".join(f"{s} {c}" for s, c in DEFAULT_SAVE_RULES)
    return given


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
