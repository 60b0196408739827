"""The engine: a Kedis server in a Python object, and the path every command takes through it.

    db = Kedis()
    db.run('SET greeting "hello world"')   # one line of text, as typed in redis-cli
    db.execute(b"GET", b"greeting")        # arguments, as a client library sends them

``run`` goes through all the layers: the **parser** splits the line into arguments, the **command
table** finds the command and checks its arity, the **handler** does the work on the **keyspace**,
and a **reply** comes back. ``execute`` starts at the command table, and so does ``call``, its
shortest form, for arguments that are bytes already (what kedis-server reads off the network).
With ``trace=True`` each layer records what it did (see trace.py), and the reply carries the list
of steps as ``.trace``.

The engine is a *server*: it holds the databases, the configuration, the counters and the clock.
Per-connection state (which database is selected) lives in a ``Client``, as in Redis's server.c
and networking.c. ``run`` and ``execute`` use the engine's own default client; a network server
creates one Client per connection with ``new_client()``.

Active expiry needs its host twice (expiry.py): ``tick()`` about ``hz`` times a second, the slow
cycle (the REPL and the Jupyter kernel call it from a background thread, kedis-server from its
cron, tests by hand), and ``before_sleep()`` each time the host has served a round of commands
and is about to wait for more, the fast cycle (kedis-server after each turn of its event loop, the
kernel after each cell, the REPL after each line). ``tick()`` is also where the save rules start a
BGSAVE (Redis's serverCron).

A plain ``Kedis()`` lives in memory only. Given a configuration, it starts as a redis-server
started with that configuration does: it loads its files from ``dir``, then saves by its rules::

    db = Kedis(config={"dir": "data", "save": "60 1"})   # loads data/dump.rdb if it is there
    db.shutdown()                                          # and saves at the end
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..persistence.disk import Persistence
from ..util.clock import FakeClock, RealClock
from ..util.plural import plural
from . import command_table
from .client import PAUSE_OFF, PAUSE_WRITE, Client
from .command_table import Command, command_of
from .config import PARAMETERS, ConfigError
from .errors import DB_INDEX, CommandError, unknown_command, unknown_subcommand, wrong_arity
from .evict import lru_clock
from .expiry import ActiveExpiry, CycleReport
from .keyspace import Database, Hooks
from .parser import ParseError, split_args, to_bytes
from .reply import NO_REPLY, Error, Frames, Reply, Status
from .stats import Stats
from .trace import Tracer, as_steps

__all__ = ["Kedis", "Client"]

# Importing the handler modules fills the command table.
from .. import commands as _commands  # noqa: E402,F401

_now_ns = time.perf_counter_ns  # each command's duration (INFO commandstats, SLOWLOG)
NOAUTH = "NOAUTH Authentication required."
MONITOR_NO_KEYSPACE = "ERR Replica can't interact with the keyspace"
_KEYSPACE_FLAGS = frozenset(("readonly", "write", "may_replicate"))
#: What a RESP2 client may still send once subscribed (processCommand).
_RUN_WHEN_SUBSCRIBED = frozenset(("ping", "subscribe", "unsubscribe", "psubscribe",
                                  "punsubscribe", "ssubscribe", "sunsubscribe", "quit", "reset"))
QUEUED = Status("QUEUED")
#: The commands a client in MULTI runs at once instead of queueing them (processCommand).
_RUN_IN_MULTI = frozenset(("exec", "discard", "multi", "watch", "quit", "reset"))
#: What the dispatcher answers for a command a pause holds: nothing yet (the connection keeps
#: the command and runs it again when the pause ends).
POSTPONED = Frames(())


class Kedis:
    """An in-memory Redis-compatible store, made to be read and watched."""

    def __init__(self, clock: RealClock | FakeClock | None = None, *, databases: int = 16,
                 seed: int | None = None, config: Mapping[str, str | bytes] | None = None
                 ) -> None:
        self._clock = clock if clock is not None else RealClock()
        self.stats = Stats()
        #: The command table, this engine's own copy: each entry counts its calls for INFO
        #: commandstats (command_table.engine_commands). Found by name, as sent or lowered.
        self.commands = command_table.engine_commands()
        self.stats.commands = [entry for name, cmd in self.commands.items() if name.islower()
                               for entry in (cmd, *cmd.subcommands.values())]
        #: The protected commands (DEBUG), kept out of ``commands``: the dispatcher finds them
        #: only once a name is not found there, and only then checks who may run them
        #: (_refuse_protected), so the other commands pay nothing for that check.
        self.protected = {name: cmd for name, cmd in self.commands.items()
                          if cmd.protected and name.islower()}
        for name in [name for name, cmd in self.commands.items() if cmd.protected]:
            del self.commands[name]  # (under both spellings)
        self._command = self.commands.get
        #: SLOWLOG (commands/slowlog.py): the slow commands, newest first, and the threshold in
        #: ns (slowlog-log-slower-than; never reached when it is negative).
        self.slowlog: list = []
        self.slowlog_next_id = 0
        self.slowlog_threshold_ns: float = 10_000_000
        #: Randomness for RANDOMKEY and the active expiry cycle's samples; seed it to replay them.
        self.rng = random.Random(seed)
        self.config: dict[str, Any] = {name: p.default for name, p in PARAMETERS.items()}
        self.config["databases"] = databases
        self.config["dir"] = os.getcwd()  # as Redis: the working directory it was started in
        self.hooks = Hooks()  # the tracer and expiry listeners, shared by every database
        self.hooks.publish = self._publish  # keyspace notifications (notify.py) go out by Pub/Sub
        self.hooks.config = self.config
        self.hooks.rng = self.rng
        #: The append-only file while ``appendonly`` is yes (aof.AppendOnlyFile), else None:
        #: each write command that changed the store is appended to it after it ran.
        self.aof: Any = None
        self.databases = [Database(i, self._clock, self.stats, self.hooks)
                          for i in range(databases)]
        self.started = time.time()
        self.started_monotonic = time.monotonic()
        #: The active expiry cycles (expiry.py), and the report of the latest one that ran.
        self.expiry = ActiveExpiry(self)
        self.last_cycle: CycleReport | None = None
        #: Every client by id (the engine's own first; a server adds one per connection).
        self.clients: dict[int, Client] = {}
        #: The kedis-server around this engine (network/server.py), or None when it is embedded.
        self.network: Any = None
        #: The clients in MONITOR mode: each command run is reported to them (monitor.py).
        self.monitors: list[Client] = []
        #: Pub/Sub (commands/pubsub.py): each channel and each pattern with the clients that
        #: listen to it, in the order they subscribed (Redis's server.pubsub_channels/_patterns).
        self.pubsub_channels: dict[bytes, list[Client]] = {}
        self.pubsub_patterns: dict[bytes, list[Client]] = {}
        #: CLIENT PAUSE (Redis's server.client_pause_type and _end_time): PAUSE_WRITE or
        #: PAUSE_ALL until ``pause_end`` (ms, on the engine's clock), PAUSE_OFF otherwise; and
        #: the clients whose command waits for it to end, in the order they came.
        self.pause_kind = PAUSE_OFF
        self.pause_end = 0
        self.postponed: list[Client] = []
        #: Why writes are refused (a failed BGSAVE or AOF write: persistence.check_disk), or
        #: None. While it is set every client is gated, and the gate refuses them.
        self.disk_error: str | None = None
        self._next_client_id = 1
        self.client = self.new_client()
        self.persistence = Persistence(self)
        self._follow_clock(None, self._clock)
        if config is not None:
            self.configure(config)
            self.persistence.start()

    def configure(self, config: Mapping[str, str | bytes]) -> None:
        """Set parameters as a config file (or CONFIG SET) would: ``{"save": "60 1"}``.
        Raises ValueError with Redis's reason for a value it refuses."""
        for name, raw in config.items():
            parameter = PARAMETERS.get(name.lower())
            if parameter is None:
                raise ValueError(f"unknown parameter {name!r}")
            value = raw if isinstance(raw, bytes) else str(raw).encode()
            try:
                self.config[parameter.name] = parameter.convert(value)
            except ConfigError as error:
                raise ValueError(f"{name}: {error}") from None
            self.apply_config(parameter.name)

    def apply_config(self, name: str) -> None:
        """Make a parameter's new value act (Redis's config "apply" functions), for those that
        something reads from elsewhere than ``config``: the databases keep a copy of
        ``notify-keyspace-events`` and of whether ``maxmemory-policy`` counts LFU, so that the
        hot path reads one attribute."""
        config = self.config
        if name == "slowlog-log-slower-than":
            threshold = config[name]
            self.slowlog_threshold_ns = threshold * 1000 if threshold >= 0 else float("inf")
        elif name == "slowlog-max-len":
            del self.slowlog[config[name]:]
        elif name == "notify-keyspace-events":
            for db in self.databases:
                db.notify_flags = config[name]
        elif name == "maxmemory-policy":
            # The 24-bit field changes meaning, but not its bits: as in Redis, what was a time is
            # read as a counter (and the other way) until each key is used again.
            for db in self.databases:
                db.lfu = config[name].endswith("-lfu")

    def _publish(self, channel: bytes, message: bytes) -> int:
        from ..commands.pubsub import publish_message

        return publish_message(self, channel, message)

    def shutdown(self, save: bool | None = None, force: bool = False) -> bool:
        """Stop as Redis's SHUTDOWN does: finish the files, and SAVE if there are save rules
        (or as ``save`` says). False: the save failed, and nothing stopped (persistence/disk.py)."""
        return self.persistence.shutdown(save, force)

    # --- the clock ------------------------------------------------------------------------------
    @property
    def clock(self) -> RealClock | FakeClock:
        return self._clock

    @clock.setter
    def clock(self, clock: RealClock | FakeClock) -> None:
        """Swap the clock (the kernel's ``%clock fake``); every database follows."""
        self._follow_clock(self._clock, clock)
        self._clock = clock
        for db in self.databases:
            db.clock = clock
        self.refresh_lru_clock()
        self.expiry.clock_changed()

    def _follow_clock(self, old: Any, new: Any) -> None:
        # A fake clock tells its listeners when it moves: the LRU clock follows at once.
        if old is not None and self.refresh_lru_clock in getattr(old, "listeners", ()):
            old.listeners.remove(self.refresh_lru_clock)
        if hasattr(new, "listeners"):
            new.listeners.append(self.refresh_lru_clock)
        self._clock = new
        self.refresh_lru_clock()

    def refresh_lru_clock(self) -> None:
        """Copy the LRU clock (evict.py) into the databases, as serverCron refreshes
        server.lruclock: an access then costs no clock read."""
        now = lru_clock(self._clock.ms())
        for db in self.databases:
            db.lru_clock = now

    @property
    def requirepass(self) -> bytes | None:
        """The password AUTH wants (the ``requirepass`` parameter), or None: no password, every
        client is authenticated from the start."""
        return self.config["requirepass"] or None

    @requirepass.setter
    def requirepass(self, password: bytes | None) -> None:
        self.config["requirepass"] = password or b""

    @property
    def config_hz(self) -> int:
        return self.config["hz"]

    @property
    def keyspace(self) -> Database:
        """The database the default client has selected."""
        return self.client.db

    def database(self, index: int) -> Database:
        """Database number ``index``, or Redis's error for a number out of range (SELECT, MOVE,
        COPY ... DB, SWAPDB)."""
        if not 0 <= index < len(self.databases):
            raise CommandError(DB_INDEX)
        return self.databases[index]

    def new_client(self) -> Client:
        client = Client(self, self._next_client_id)
        self._next_client_id += 1
        self.clients[client.id] = client
        return client

    def free_client(self, client: Client) -> None:
        """Forget a client whose connection closed: its WATCHes, its MONITOR, its
        subscriptions and the command a pause held go with it."""
        client.unwatch_all()
        self.clients.pop(client.id, None)
        if client.blocked == "postponed":
            self.postponed.remove(client)
        if client.channels or client.patterns:
            from ..commands.pubsub import unsubscribe_all

            unsubscribe_all(client)
        if client.monitor:
            from ..commands.monitor import stop_monitor

            stop_monitor(client)

    # --- CLIENT PAUSE (Redis's networking.c: pauseClients, unpauseClients) -----------------------
    def pause_clients(self, kind: int, end_ms: int) -> None:
        """Hold the clients' commands until ``end_ms`` (the engine's clock, in ms): those that
        may write (PAUSE_WRITE), or all of them (PAUSE_ALL). A pause already on only grows:
        the later end and the stricter kind win (pauseClients). An end already past pauses
        nothing."""
        if self.pause_kind != PAUSE_OFF:
            kind, end_ms = max(kind, self.pause_kind), max(end_ms, self.pause_end)
        was_on = self.pause_kind != PAUSE_OFF
        self.pause_kind, self.pause_end = kind, end_ms
        if self.pause_end < self._clock.ms():  # (updateClientPauseTypeAndEndTime)
            self.pause_kind, self.pause_end = PAUSE_OFF, 0
        if (self.pause_kind != PAUSE_OFF) != was_on:
            self._pause_switched()

    def unpause_clients(self) -> None:
        """End the pause (CLIENT UNPAUSE, or its time is up): the commands it held run again,
        in the order they came, each on its own connection."""
        if self.pause_kind == PAUSE_OFF:
            return
        self.pause_kind, self.pause_end = PAUSE_OFF, 0
        self._pause_switched()

    def clients_paused(self) -> bool:
        """Whether a CLIENT PAUSE is on, once a pause whose time is up has been ended (Redis's
        checkClientPauseTimeoutAndReturnIfPaused). Asked by the server's cron (``tick``), by
        the expiry of keys, and by the dispatcher when a command it would hold arrives."""
        if self.pause_kind != PAUSE_OFF and self.pause_end < self._clock.ms():
            self.unpause_clients()
        return self.pause_kind != PAUSE_OFF

    def _pause_switched(self) -> None:
        # While a pause is on, every client's command passes the dispatcher's gate (the hot path
        # pays nothing for pauses otherwise), and the keyspace keeps its expired keys.
        paused = self.pause_kind != PAUSE_OFF
        self.hooks.pause_check = self.clients_paused if paused else None
        for client in self.clients.values():
            client.update_gate()
        if not paused:
            waiting, self.postponed = self.postponed, []
            for client in waiting:
                client.blocked = client.blocked_argv = None
                client.update_attention()
                client.unblocked = True  # CLIENT LIST's "u", until its connection runs it
                client.connection.resume()

    def _postpone(self, client: Client, cmd: Command, argv: Sequence[bytes]) -> bool:
        """Whether the pause holds this command (processCommand's blockPostponeClient): all of
        them under PAUSE_ALL; under PAUSE_WRITE those that may write or replicate (``write``,
        ``may_replicate``: PUBLISH), and an EXEC whose queue has one. A MONITOR client is never
        held (Redis marks it a replica), nor one without a connection (the embedded engine's)."""
        if client.connection is None or client.monitor:
            return False
        if self.pause_kind == PAUSE_WRITE and not _flagged(cmd, client, _MAY_REPLICATE):
            return False
        if not self.clients_paused():  # its time was up: this command ends it, and runs
            return False
        client.blocked, client.blocked_argv = "postponed", argv
        client.update_attention()
        self.postponed.append(client)
        return True

    def blocked_clients(self) -> int:
        """How many clients wait (INFO's blocked_clients): those a pause holds."""
        return len(self.postponed)

    # --- running commands ---------------------------------------------------------------------
    def run(self, line: str | bytes, trace: bool = False) -> Reply | None:
        """Run one line of text, as typed in redis-cli. Blank lines and ``#`` comments give None.

        Raises ``kedis.ParseError`` ("Invalid argument(s)") when a quote is unbalanced.
        """
        if trace:
            return self._run_traced(line)
        argv = split_args(line)
        if not argv or (argv[0][:1] == b"#" and _is_comment(line)):
            return None
        return self.execute(*argv)

    def execute(self, *argv: Any, trace: bool = False, client: Client | None = None,
                _tracer: Tracer | None = None) -> Reply:
        """Run one command given as arguments: ``execute("SET", "k", "v")`` (str, bytes, numbers).

        The friendly entry point: the arguments become bytes, the command runs traced if asked,
        and ``client`` (whose connection state to use) is the engine's own by default. Then the
        dispatcher, ``call``, runs it.
        """
        for arg in argv:
            if type(arg) is not bytes:  # convert only when needed: most callers pass bytes
                argv = tuple([to_bytes(a) for a in argv])
                break
        if not argv:
            raise ValueError("execute() needs at least a command name")
        if trace:
            return self._traced(argv, client)
        if client is None:
            client = self.client
        # The class's own dispatcher, not ``self.call``: while live views watch (watch.py), that
        # is their wrapper, and this command is already theirs to report (or, deliberately, not).
        reply = Kedis.call(self, client, argv, _tracer)
        if client.attention and client.connection is None:
            # No connection to decide what the client gets (CLIENT REPLY): decided here.
            return reply if client.after_command(reply) else NO_REPLY
        return reply

    def call(self, client: Client, argv: Sequence[bytes], _tracer: Tracer | None = None
             ) -> Reply:
        """Run one command whose arguments are bytes already, for a client: what a server calls
        for each command it reads, with none of execute's conveniences to pay for.

        This is the dispatcher, Redis's ``processCommand`` and ``call`` (server.c): look the name
        up in the command table, check the arity, run the handler, and turn a raised CommandError
        into an error reply. It is the hot path of Kedis, so it is written for speed: one
        function, no object built but the reply, and tracing reduced to ``is not None`` checks.
        """
        cmd = self._command(argv[0])
        if cmd is None:
            cmd = self._command(argv[0].lower())  # an unusual spelling, like "Get"
            if cmd is None:
                cmd = self.protected.get(argv[0].lower())  # DEBUG, if this client may run it
                if cmd is None:
                    client.last_command = None
                    return self._reject(unknown_command(argv), argv, _tracer, None, client)
                refusal = self._refuse_protected(client, cmd, argv, _tracer)
                if refusal is not None:
                    return refusal
        if cmd.subcommands and len(argv) > 1:
            sub = cmd.subcommands.get(argv[1].lower().decode("utf-8", "replace"))
            if sub is None:
                client.last_command = None
                return self._reject(unknown_subcommand(argv), argv, _tracer, cmd, client,
                                    refused=False)
            cmd = sub
        client.last_command = cmd  # CLIENT LIST's cmd=: the command found, even if refused
        arity = cmd.arity
        argc = len(argv)
        if argc != arity and (arity > 0 or argc < -arity):
            return self._reject(wrong_arity(cmd.name), argv, _tracer, cmd, client)
        if client.gated:  # not authenticated, in MULTI, MONITOR, subscribed, paused: look first
            gate_reply = self._gate(client, cmd, argv)
            if gate_reply is not None:
                return gate_reply
        if _tracer is not None:
            _tracer.steps += (("command table", "lookup", argv[0], cmd, None, None, None, None,
                               argc),
                              ("handler", "call", argv, None, None, None, None, None, cmd))
        start = _now_ns()
        try:
            if self.aof is None:
                return cmd.handler(client, argv)
            return self.aof.call(cmd, client, argv)  # the handler, then the AOF (aof.py)
        except CommandError as error:
            cmd.failed_calls += 1
            self.stats.count_error(error.reply.text)
            return error.reply
        except Exception as error:  # a bug in Kedis: answer it, never crash the host
            cmd.failed_calls += 1
            self.stats.unexpected_error_replies += 1
            return Error(f"ERR Kedis internal error in '{cmd.name}': "
                         f"{type(error).__name__}: {error}".replace("\r", " ").replace("\n", " "))
        finally:
            # Counted once the command has run, as Redis's call() counts it: INFO does not count
            # itself, and CONFIG RESETSTAT counts as the first command after the reset.
            duration = _now_ns() - start
            cmd.calls += 1
            cmd.duration_ns += duration
            if duration >= self.slowlog_threshold_ns:
                self._log_slow(client, cmd, argv, duration)
            if self.monitors:  # after it ran, as Redis's call(): SELECT shows its new database
                self._feed_monitors(client, cmd, argv)

    def _reject(self, text: str, argv: Sequence[bytes], tracer: Tracer | None,
                cmd: Command | None, client: Client, refused: bool = True) -> Reply:
        """Refuse a command before it runs (rejectCommand): an error reply, counted in INFO's
        errorstats and, when the command was found (``refused``: not for an unknown
        subcommand, whose container Redis does not count), in its commandstats."""
        if cmd is not None and refused:
            cmd.rejected_calls += 1
        if client.multi is not None:
            client.multi_error = True  # EXEC will answer EXECABORT (flagTransaction in multi.c)
        if cmd is not None and cmd.name == "exec":
            # A refused EXEC ends the transaction, and says so (execCommandAbort in multi.c).
            from ..commands.multi import discard_transaction

            discard_transaction(client)
            text = "EXECABORT Transaction discarded because of: " + text.removeprefix("ERR ")
        self.stats.count_error(text)
        reply = Error(text)
        if tracer is not None:
            tracer.add("command table", "reject", argv[0], reply, detail=(cmd, len(argv)))
        return reply

    def _refuse_protected(self, client: Client, cmd: Command, argv: Sequence[bytes],
                          tracer: Tracer | None) -> Reply | None:
        """The refusal of a protected command (DEBUG), or None when this client may run it.

        Redis checks a protected command right after its arity, before anything else
        (processCommand): its parameter (``enable-debug-command``, fixed at start) says "yes",
        or "local" and the client is on loopback or in the engine's own process. Otherwise
        the command is refused before it runs, as a wrong arity is (INFO counts it rejected),
        and a transaction that queued it will abort."""
        client.last_command = cmd
        argc = len(argv)
        if argc != cmd.arity and (cmd.arity > 0 or argc < -cmd.arity):
            return self._reject(wrong_arity(cmd.name), argv, tracer, cmd, client)
        allowed = self.config[cmd.protected]
        if allowed == "yes" or (allowed == "local" and client.local):
            return None
        name = cmd.name.upper()
        return self._reject(
            f"ERR {name} command not allowed. If the {cmd.protected} option is set to "
            '"local", you can run it from a local connection, otherwise you need to set this '
            "option in the configuration file, and then restart the server.",
            argv, tracer, cmd, client)

    def _gate(self, client: Client, cmd: Command, argv: Sequence[bytes]) -> Reply | None:
        """What processCommand (server.c) checks once a command is known and its arity right,
        in its order: authentication; writes (and PING) refused while the disk fails
        (persistence.check_disk); in RESP2, a subscribed connection's limits; a MONITOR
        client's (Redis's replica's) ban on the keyspace; a CLIENT PAUSE, which holds the
        command (POSTPONED); then a transaction, which queues it instead of running it. None
        means: run it now. EXEC's own commands were checked when they were queued: they run."""
        if client.in_exec:
            return None
        if not client.authenticated and "no_auth" not in cmd.flags:
            return self._reject(NOAUTH, argv, None, cmd, client)
        if client.multi is not None and "no_multi" in cmd.flags:  # SAVE: it would block EXEC
            return self._reject("ERR Command not allowed inside a transaction", argv, None, cmd,
                                client)
        if self.disk_error is not None and (cmd.name == "ping" or _flagged(cmd, client, _WRITE)):
            error = self.persistence.check_disk()  # (a failed AOF write is tried again first)
            if error is not None:
                return self._reject(error, argv, None, cmd, client)
        if (client.resp == 2 and (client.channels or client.patterns)
                and cmd.name not in _RUN_WHEN_SUBSCRIBED):
            # In RESP2 a subscribed connection carries messages: replies to other commands could
            # not be told apart from them (RESP3 has a push type for messages).
            return self._reject(
                f"ERR Can't execute '{cmd.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING "
                "/ QUIT / RESET are allowed in this context", argv, None, cmd, client)
        if client.monitor and not _KEYSPACE_FLAGS.isdisjoint(cmd.flags):
            # Redis marks a MONITOR client as a replica, and a replica may not touch the data.
            return self._reject(MONITOR_NO_KEYSPACE, argv, None, cmd, client)
        if self.pause_kind != PAUSE_OFF and self._postpone(client, cmd, argv):
            return POSTPONED
        if client.multi is not None and cmd.name not in _RUN_IN_MULTI:
            client.multi.append(argv)
            return QUEUED
        return None

    def _log_slow(self, client: Client, cmd: Command, argv: Sequence[bytes], duration: int
                  ) -> None:
        from ..commands.slowlog import log_slow_command

        log_slow_command(self, client, cmd, argv, duration)

    def _feed_monitors(self, client: Client, cmd: Command, argv: Sequence[bytes]) -> None:
        from ..commands.monitor import feed_monitors

        feed_monitors(self, client, cmd, argv)

    # --- the traced path ----------------------------------------------------------------------
    def _run_traced(self, line: str | bytes) -> Reply | None:
        tracer = Tracer()
        data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
        tracer.add("input", "line", line, data)
        try:
            argv = split_args(data)
        except ParseError as error:
            tracer.add("parser", "reject", data, None)
            error.trace = as_steps(tracer.steps)
            raise
        tracer.add("parser", "split", data, argv, detail=b'"' in data or b"'" in data)
        if not argv or (argv[0][:1] == b"#" and _is_comment(line)):
            return None
        return self._traced(argv, None, tracer)

    def _traced(self, argv: Sequence[bytes], client: Client | None,
                tracer: Tracer | None = None) -> Reply:
        if tracer is None:
            tracer = Tracer()
            tracer.steps.append(("input", "argv", argv, argv, None, None, None, None, None))
        self.hooks.tracer = tracer
        try:
            reply = self.execute(*argv, client=client, _tracer=tracer)
        finally:
            self.hooks.tracer = None
        tracer.steps.append(("reply", "encode", reply, None, None, None, None, None, None))
        return reply.with_trace(tracer.steps)

    # --- watching -----------------------------------------------------------------------------
    def watch(self, callback: Any, *, trace: bool = False) -> None:
        """Call ``callback(event)`` after every command (a watch.CommandEvent: the keys it named,
        before and after, its reply, and with ``trace=True`` its steps). For live views."""
        from .watch import watch

        watch(self, callback, trace=trace)

    def unwatch(self, callback: Any, *, trace: bool = False) -> None:
        from .watch import unwatch

        unwatch(self, callback, trace=trace)

    # --- background work ------------------------------------------------------------------------
    def tick(self) -> CycleReport:
        """What serverCron does, ``hz`` times a second: sample INFO's instantaneous rates (on the
        real monotonic clock: a rate per second is about the machine, not the store's clock),
        refresh the LRU clock, run the slow active expiry cycle and shrink the expiry tables it
        left nearly empty (databasesCron; see expiry.py), check the save rules
        (persistence/disk.py), and end a CLIENT PAUSE whose time is up. Answers the cycle's report."""
        self.stats.sample_rates(time.monotonic())
        self.refresh_lru_clock()
        report = self.expiry.slow()
        self.expiry.resize_tables()
        self.persistence.cron()
        self.clients_paused()  # a CLIENT PAUSE whose time is up ends here at the latest
        return report

    def before_sleep(self) -> CycleReport | None:
        """What beforeSleep does before the host waits for the next commands: a fast active
        expiry cycle, when one is due (after a cycle that ran out of time, and not within 2 ms
        of the last fast one). Answers its report, or None when none ran."""
        return self.expiry.fast()

    def __repr__(self) -> str:
        keys = sum(len(db) for db in self.databases)
        return (f"<Kedis {plural(keys, 'key')} in {len(self.databases)} databases, "
                f"clock={self._clock!r}>")


def _flagged(cmd: Command, client: Client, flags: frozenset[str]) -> bool:
    # Whether the command has one of ``flags``; for EXEC, whether one of the commands it queued
    # has (Redis's mstate.cmd_flags).
    if cmd.name == "exec" and client.multi:
        return any(_flagged(queued, client, flags) for queued in
                   filter(None, map(command_of, client.multi)))
    return not flags.isdisjoint(cmd.flags)


_WRITE = frozenset({"write"})
#: A write, or a command Redis sends to replicas all the same (PUBLISH).
_MAY_REPLICATE = frozenset({"write", "may_replicate"})


def _is_comment(line: str | bytes) -> bool:
    stripped = line.lstrip()
    return stripped[:1] in ("#", b"#")

