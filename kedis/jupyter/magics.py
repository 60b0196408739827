"""Magics: the ``%`` lines of a Kedis cell, which talk to the notebook rather than to the store.

    %trace on|off               show each command's flow through the layers after it runs
    %clock                      show the engine's clock
    %clock real                 the system clock (the default)
    %clock fake [START|now]     a clock that moves only when told to (START in Unix seconds);
                                random choices (RANDOMKEY, expiry samples) repeat from run to run
    %clock advance 10s          move the fake clock (ms, s, m, h, d; a bare number is seconds)
    %tick [fast]                run one slow cycle of active expiry now (the fake clock's way), or
                                a fast one, when one is due (after a cycle that ran out of time)
    %reset                      a fresh, empty engine (the clock stays)
    %connect redis://host:port[/db] | embedded   where the following commands go
    %compare [redis://host:port[/db]] | off      run each command on Kedis and on Redis, and show
                                                 where they answer differently
    %connect $name, %compare $name               the URL (or ``embedded``) held by the Python
                                                 variable ``name``: a port chosen at run time
    %python CODE                run one line of Python; ``%%python`` on a cell's first line makes
                                the whole cell Python; the engine is ``db``
    %store [PATTERN]            a live table of the keys (kedis.widgets.StoreView)
    %expiry                     the keys that will expire, and expirations as they happen
    %flow [COMMAND]             the last command's flow through the layers, step by step; or run
                                COMMAND and show its flow
    %structure [KEY]            how Redis would hold KEY's value in memory (int, embstr, raw;
                                intset, hashtable), live, its recent states to step through; with
                                no KEY, the last key a command touched
    %dashboard                  the views together (the structure as a tab)
    %lsmagic, %help             this list

Each magic is a function of the cell runner (cells.py) and its argument text, listed in MAGICS
with its usage line, so that ``%lsmagic``, completion and the errors all read the same table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..engine.dispatcher import Kedis
from ..util.clock import FakeClock, RealClock
from ..util.plural import plural
from .errors import MagicError

if TYPE_CHECKING:
    from ..engine.expiry import CycleReport
    from .cells import CellRunner

__all__ = ["Magic", "MAGICS", "parse_duration", "describe_clock", "describe_cycle"]

DEFAULT_FAKE_START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC: the same for every reader
FAKE_SEED = 0  # the engine's random choices start from this seed when the clock turns fake


@dataclass(frozen=True)
class Magic:
    name: str
    usage: str
    summary: str
    run: Callable[[CellRunner, str], None]
    choices: tuple[str, ...] = ()  # the fixed words its first argument takes (for completion)


MAGICS: dict[str, Magic] = {}


def magic(usage: str, summary: str, choices: tuple[str, ...] = ()) -> Callable:
    def register(function: Callable[[CellRunner, str], None]) -> Callable:
        name = usage.split()[0].lstrip("%")
        MAGICS[name] = Magic(name, usage, summary, function, choices)
        return function
    return register


def _usage_error(name: str) -> Exception:
    return MagicError(f"usage: {MAGICS[name].usage}")


# --- the trace --------------------------------------------------------------------------------
@magic("%trace on|off", "after each command, show its flow through the layers",
       choices=("on", "off"))
def trace(runner: CellRunner, args: str) -> None:
    if args not in ("on", "off", ""):
        raise _usage_error("trace")
    if args:
        runner.trace = args == "on"
    runner.say(f"trace is {'on' if runner.trace else 'off'}")


# --- time -------------------------------------------------------------------------------------
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\Z")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``10s``, ``1.5m``, ``200ms``, ``2h``, ``1d`` or a bare number of seconds, as seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def describe_clock(clock: RealClock | FakeClock) -> str:
    now = clock.time()
    when = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    kind = "fake" if isinstance(clock, FakeClock) else "real"
    return f"{kind} clock: {now:.3f} ({when} UTC)"


@magic("%clock [real | fake [START|now] | advance DURATION]",
       "show the clock, or choose it, or move the fake one", choices=("real", "fake", "advance"))
def clock(runner: CellRunner, args: str) -> None:
    words = args.split()
    engine = runner.engine
    if not words:
        pass
    elif words == ["real"]:
        engine.clock = RealClock()
    elif words[0] == "fake" and len(words) <= 2:
        if len(words) == 1:
            start = DEFAULT_FAKE_START
        elif words[1] == "now":
            start = time.time()
        else:
            try:
                start = float(words[1])
            except ValueError:
                raise _usage_error("clock") from None
        engine.clock = FakeClock(start)
        # A fake clock makes a run replayable, and so should the engine's random choices be
        # (the expiry cycle's samples, RANDOMKEY): a tutorial shows the same at every run.
        engine.rng.seed(FAKE_SEED)
    elif words[0] == "advance" and len(words) == 2:
        if not isinstance(engine.clock, FakeClock):
            raise MagicError("the clock is real: it moves by itself (%clock fake first)")
        try:
            engine.clock.advance(parse_duration(words[1]))
        except ValueError:
            raise _usage_error("clock") from None
    else:
        raise _usage_error("clock")
    runner.say(describe_clock(engine.clock))


@magic("%tick [fast]", "run one slow cycle of active expiry now (the cron's), or a fast one "
       "(beforeSleep's, when one is due), and show what it walked", choices=("fast",))
def tick(runner: CellRunner, args: str) -> None:
    if args not in ("", "fast"):
        raise _usage_error("tick")
    engine = runner.engine
    with runner.lock:
        if args:
            why_not = engine.expiry.why_not_fast()
            report = engine.before_sleep()
        else:
            report = engine.tick()
    stats = engine.stats
    so_far = (f"expired so far: {stats.expired_keys_lazy} lazily, "
              f"{stats.expired_keys_active} actively")
    if report is None:
        runner.say(f"fast cycle: not run ({why_not}); {so_far}")
        return
    runner.say(f"{describe_cycle(report)}; {so_far}")


def describe_cycle(report: CycleReport) -> str:
    """One cycle in a line: what it walked, where each database's cursor went, its time."""
    walks = ", ".join(f"db {walk.db}: cursor {walk.cursor_from} -> {walk.cursor_to}"
                      for walk in report.databases if walk.rounds)
    rounds = sum(walk.rounds for walk in report.databases)
    spent = (f"stopped out of time ({report.elapsed_us} us, over its {report.time_limit_us} us)"
             if report.time_cap_reached
             else f"in {report.elapsed_us} us (its limit: {report.time_limit_us} us)")
    return (f"{report.kind} cycle: looked at {plural(report.sampled, 'key')} with a TTL in "
            f"{plural(rounds, 'round')}{f' ({walks})' if walks else ''}, expired "
            f"{report.expired}, {spent}")


@magic("%reset", "a fresh, empty engine (the clock stays)")
def reset(runner: CellRunner, args: str) -> None:
    if args:
        raise _usage_error("reset")
    with runner.lock:
        previous = runner.engine
        runner.engine = Kedis(clock=previous.clock)
        previous.persistence.close()  # its AOF, if it had one, is closed (nothing is saved)
    runner.say("a fresh, empty engine")


# --- real Redis -------------------------------------------------------------------------------
def _connect(url: str):  # noqa: ANN202 - a remote.RedisTarget
    from ..network.remote import RedisTarget, RemoteError
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise MagicError(f"not a Redis URL: {url!r} (redis://host:port[/db])")
    try:
        return RedisTarget(url)
    except RemoteError as error:
        raise MagicError(str(error)) from None


_VARIABLE = re.compile(r"\$([A-Za-z_]\w*)\Z")


def _where(runner: CellRunner, args: str) -> str:
    """The argument of %connect and %compare, or the text of the Python variable it names.

    A Redis started from Python (a test's, a tutorial's) listens on a port known only at run
    time: ``%connect $url`` takes its URL from the variable ``url``. Only a whole argument is
    read this way, as in IPython's ``$name``; a URL never starts with ``$``.
    """
    match = _VARIABLE.match(args)
    if match is None:
        return args
    name = match.group(1)
    if name not in runner.namespace:
        raise MagicError(f"no Python variable named {name} (set it in a %%python cell first)")
    value = runner.namespace[name]
    if not isinstance(value, str):
        raise MagicError(f"${name} holds {type(value).__name__} {value!r}, not a Redis URL (or "
                         "embedded)")
    return value.strip()


def _disconnect(runner: CellRunner) -> None:
    if runner.remote is not None:
        runner.remote.close()
        runner.remote = None


@magic("%connect [redis://host:port[/db] | embedded]",
       "send the following commands to a real Redis server, or back to the embedded engine",
       choices=("embedded", "redis://127.0.0.1:6379"))
def connect(runner: CellRunner, args: str) -> None:
    args = _where(runner, args)
    if args == "embedded":
        _disconnect(runner)
        runner.mode = "embedded"
    elif args:
        target = _connect(args)
        _disconnect(runner)
        runner.remote, runner.mode = target, "redis"
    if runner.mode == "embedded":
        runner.say("commands go to the embedded Kedis engine")
    else:
        runner.say(f"commands go to {runner.remote.description}")


@magic("%compare [redis://host:port[/db] | off]",
       "run each command on Kedis and on Redis, and show where they answer differently",
       choices=("off", "redis://127.0.0.1:6379"))
def compare(runner: CellRunner, args: str) -> None:
    args = _where(runner, args)
    if args == "embedded" and runner.mode != "compare":
        # Nothing to compare with: what ``%compare $url`` finds when ``url`` says there is no
        # Redis (a notebook run where redis-server is not installed). The commands stay here.
        _disconnect(runner)
        runner.mode = "embedded"
        runner.say("nothing to compare with: commands go to the embedded Kedis engine")
        return
    if args in ("off", "embedded"):
        count = runner.compared
        summary = (f"compared {plural(count, 'command')}: {runner.differences} "
                   "answered differently")
        _disconnect(runner)
        runner.mode = "embedded"
        runner.say(summary + "; commands go to the embedded Kedis engine")
        return
    if args:
        target = _connect(args)
        _disconnect(runner)
        runner.remote = target
    elif runner.remote is None:
        raise MagicError("compare with which Redis? %compare redis://host:port (or %connect first)")
    runner.mode = "compare"
    runner.compared = runner.differences = 0
    runner.say(f"each command runs on the embedded Kedis engine and on {runner.remote.description}")


# --- the live views (kedis.widgets) ------------------------------------------------------------
# Each magic shows a new view of the runner's engine; the view follows the engine by itself from
# then on. kedis.widgets is imported only here, when a view is asked for: ipywidgets takes a
# moment to load, and a Kedis session that never shows a view should not pay for it.
@magic("%store [PATTERN]", "a live table of the keys (those matching the glob PATTERN)")
def store(runner: CellRunner, args: str) -> None:
    from ..engine.parser import ParseError, split_args
    from ..widgets import StoreView
    try:
        words = split_args(args)
    except ParseError:
        raise MagicError(f"Invalid argument(s): {args}") from None
    if len(words) > 1:
        raise _usage_error("store")
    pattern = words[0].decode("utf-8", "surrogateescape") if words else "*"
    runner.show_widget(StoreView(runner.engine, pattern=pattern))


@magic("%expiry", "a live view of the keys that will expire, and of each expiration")
def expiry(runner: CellRunner, args: str) -> None:
    from ..widgets import ExpiryView

    if args:
        raise _usage_error("expiry")
    runner.show_widget(ExpiryView(runner.engine))


@magic("%flow [COMMAND]",
       "the last command's flow through the layers, step by step; or run COMMAND and show it")
def flow(runner: CellRunner, args: str) -> None:
    from ..engine.parser import ParseError, split_args
    from ..engine.trace import format_trace
    from ..widgets import FlowView
    if not args:
        view = FlowView(runner.engine)  # live: the commands that follow come in too
        steps = runner.last_trace
        if steps:
            view.show(steps)
        # A front end that cannot draw widgets (a console, a notebook read on a code host) gets
        # the same flow as text.
        runner.show_widget(view, text=format_trace(steps) if steps else None)
        return
    if runner.mode == "redis":
        raise MagicError("%flow runs its command on the embedded engine: %connect embedded first")
    try:
        argv = split_args(args)
    except ParseError:
        raise MagicError(f"Invalid argument(s): {args}") from None
    if not argv:
        raise _usage_error("flow")
    with runner.lock:
        reply = runner.engine.run(args, trace=True)
    runner.last_trace = reply.trace
    view = FlowView().show(reply)  # made for this command: it stays on it (%flow alone follows)
    runner.show_widget(view, text=format_trace(reply.trace))
    runner.show(reply, argv)


@magic("%structure [KEY]",
       "how Redis would hold KEY's value in memory, live, step by step (no KEY: the last key "
       "a command touched)")
def structure(runner: CellRunner, args: str) -> None:
    from ..engine.parser import ParseError, split_args
    from ..widgets import StructureView
    from ..widgets._format import key_text
    try:
        words = split_args(args)
    except ParseError:
        raise MagicError(f"Invalid argument(s): {args}") from None
    if len(words) > 1:
        raise MagicError(f"usage: {MAGICS['structure'].usage} (one key; quote a key that has "
                         "spaces)")
    if runner.mode == "redis":
        raise MagicError("%structure draws the embedded engine's values: %connect embedded first")
    engine = runner.engine
    if words and words[0] not in engine.keyspace.data:
        raise MagicError(f"no such key: {key_text(words[0])} (in db {engine.keyspace.id}; "
                         "%structure alone follows the next key a command touches)")
    view = StructureView(engine, words[0] if words else None)
    runner.show_widget(view, text=view.picture_text())


@magic("%dashboard", "the store, the expiry queue and the flow of commands together, live")
def dashboard(runner: CellRunner, args: str) -> None:
    from ..widgets import Dashboard

    if args:
        raise _usage_error("dashboard")
    board = Dashboard(runner.engine)
    if runner.last_trace:  # as %flow does: the flow starts at the command last run
        board.flow.show(runner.last_trace)
    runner.show_widget(board)


# --- Python and help --------------------------------------------------------------------------
@magic("%python CODE", "run a line of Python in this kernel (the engine is db)")
def python(runner: CellRunner, args: str) -> None:
    runner.run_python(args)


def _list(runner: CellRunner, args: str) -> None:
    width = max(len(m.usage) for m in MAGICS.values())
    lines = [f"{m.usage:<{width}}  {m.summary}" for m in MAGICS.values()]
    lines.append(f"{'%%python':<{width}}  (a cell's first line) the rest of the cell is Python")
    lines.append(f"{'CMD? or ?CMD':<{width}}  a command's syntax and summary (or HELP CMD)")
    runner.say("\n".join(lines))


magic("%lsmagic", "list the magics")(_list)
magic("%help", "list the magics")(_list)
