"""Watching the engine: an event after every command, for the live views (kedis.widgets).

A view that shows the store must hear about every change, whoever made it: a cell, Python code
calling ``db.run``, a network client later. So the engine itself reports them:

    engine.watch(callback)        # callback(event) after each command, a CommandEvent
    engine.unwatch(callback)

and, for keys that expire, ``engine.hooks.on_expire`` (keyspace.py) calls
``callback(db, key, "lazy" | "active")``.

Watching costs nothing while nobody watches: the engine's ``execute`` and ``call`` are the plain
dispatcher. The first ``watch`` puts wrappers in front of ``execute``, ``call`` (what a server
calls) and ``run``, on this engine only (instance attributes that shadow the methods); a wrapper
notes the entries of the command's keys before it runs (the command table says where the keys
are), runs it, and reports what changed. The last ``unwatch`` takes the wrappers away again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .command_table import lookup
from .reply import Reply
from .trace import KeyState, Tracer

if TYPE_CHECKING:
    from .client import Client
    from .dispatcher import Kedis
    from .keyspace import Database

__all__ = ["CommandEvent", "KeyChange", "watch", "unwatch"]


@dataclass(frozen=True)
class KeyChange:
    """One key a command named, before and after it ran (None: no such key)."""

    key: bytes
    before: KeyState | None
    after: KeyState | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def came_or_went(self) -> bool:
        """The command created the key or deleted it (a new value or deadline is not that)."""
        return (self.before is None) is not (self.after is None)

    @property
    def deadline_moved(self) -> bool:
        """The key's deadline was set, changed or removed (or the key came or went with one)."""
        before = self.before.expires_at if self.before is not None else None
        after = self.after.expires_at if self.after is not None else None
        return before != after


@dataclass(frozen=True)
class CommandEvent:
    """What one command did, as a view needs it."""

    db: int                          # the database the command ran in
    argv: tuple[bytes, ...]
    reply: Reply                     # carrying the trace, when a watcher asked for it
    keys: tuple[KeyChange, ...]      # the keys the command table says it names
    whole_keyspace: bool             # it may have changed keys it does not name (FLUSHDB...)
    at_ms: int                       # the engine's clock when it ran
    traced: bool = False             # a watcher asked for the command's steps

    @property
    def changed(self) -> tuple[KeyChange, ...]:
        return tuple(change for change in self.keys if change.changed)

    @property
    def trace(self) -> list:
        """The command's steps, when a watcher asked for them, else []. The trace is recorded as
        plain tuples and named as Steps here, on first read: a view that keeps commands only
        to show a few of them later reads few of their traces (see trace.py)."""
        return (self.reply.trace or []) if self.traced else []


def _state(db: Database, key: bytes) -> KeyState | None:
    raw = Tracer.state(db, key)
    return None if raw is None else KeyState(*raw)


def install(engine: Kedis) -> None:
    """Put the watching wrappers in front of ``engine.execute``, ``engine.call`` and
    ``engine.run`` (idempotent).

    A command reaches the dispatcher once, but sometimes through both ``run`` and ``execute``
    (``run`` parses a line and calls ``execute``; a traced command calls ``execute`` again with
    its tracer), so only the outermost call reports it: ``depth`` counts the calls in progress.
    (``execute`` itself goes on to the plain ``call``, never to the wrapper.)
    """
    if "execute" in vars(engine):
        return
    from .parser import ParseError, split_args, to_bytes

    dispatch = type(engine).execute.__get__(engine)  # the plain methods, not these wrappers
    run_line = type(engine).run.__get__(engine)
    depth = [0]

    def observed(argv: tuple, client: Client | None, call: Callable[[bool], Reply | None],
                 trace: bool) -> Reply | None:
        hooks = engine.hooks
        if depth[0] or not hooks.on_command or not argv:
            return call(trace)
        who = client if client is not None else engine.client
        db = who.db
        cmd = lookup(argv[0])
        positions = cmd.key_positions(len(argv)) if cmd is not None else []
        before = [(argv[i], _state(db, argv[i])) for i in positions]
        want_trace = trace or hooks.trace_watchers > 0
        depth[0] += 1
        try:
            reply = call(want_trace)
        finally:
            depth[0] -= 1
        if reply is None:
            return None
        changes = tuple(KeyChange(key, old, _state(db, key)) for key, old in before)
        whole = cmd is not None and "write" in cmd.flags and not positions
        event = CommandEvent(db.id, argv, reply, changes, whole, engine.clock.ms(), want_trace)
        for callback in list(hooks.on_command):
            callback(event)
        if want_trace and not trace:
            return reply.with_trace(None)  # the caller did not ask for the trace
        return reply

    def execute(*argv: Any, trace: bool = False, client: Client | None = None,
                _tracer: Any = None) -> Reply:
        if _tracer is not None:  # a traced command's own dispatch: reported by its caller
            return dispatch(*argv, trace=trace, client=client, _tracer=_tracer)
        args = tuple(a if type(a) is bytes else to_bytes(a) for a in argv)
        return observed(args, client,
                        lambda traced: dispatch(*args, trace=traced, client=client), trace)

    def call(client: Client, argv: Any) -> Reply:
        args = tuple(argv)  # a server's command: reported as execute reports one
        return observed(args, client,
                        lambda traced: dispatch(*args, trace=traced, client=client), False)

    def run(line: str | bytes, trace: bool = False) -> Reply | None:
        try:
            args = tuple(split_args(line))
        except ParseError:
            return run_line(line, trace=trace)  # nothing runs: nothing to report
        return observed(args, None, lambda traced: run_line(line, trace=traced), trace)

    engine.__dict__["execute"] = execute
    engine.__dict__["call"] = call
    engine.__dict__["run"] = run


def uninstall(engine: Kedis) -> None:
    """Take the wrappers away: the engine dispatches directly again."""
    engine.__dict__.pop("execute", None)
    engine.__dict__.pop("call", None)
    engine.__dict__.pop("run", None)


def watch(engine: Kedis, callback: Callable[[CommandEvent], None], *, trace: bool = False) -> None:
    """Call ``callback(event)`` after each command of ``engine``; with ``trace``, events carry
    the command's steps (the FlowView's need: tracing costs a few times the command)."""
    engine.hooks.on_command.append(callback)
    if trace:
        engine.hooks.trace_watchers += 1
    install(engine)


def unwatch(engine: Kedis, callback: Callable[[CommandEvent], None], *,
            trace: bool = False) -> None:
    if callback in engine.hooks.on_command:
        engine.hooks.on_command.remove(callback)
        if trace:
            engine.hooks.trace_watchers -= 1
    if not engine.hooks.on_command:
        uninstall(engine)

