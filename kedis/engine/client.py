"""A client: one connection's state, as the engine keeps it (Redis's ``client`` struct, networking.c).

The engine (dispatcher.py) creates one per connection: kedis-server one per socket, the kernel
and the REPL one for themselves. A handler gets the client that sent its command, and from it
everything it needs: ``client.db`` (the selected database, keyspace.py), ``client.server`` (the
engine: its configuration, counters, clock, the other clients). This is how a handler reaches the
store without importing the engine: the dispatcher hands it what it needs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .reply import Frames, Partial, Push, Reply

if TYPE_CHECKING:
    from .command_table import Command
    from .dispatcher import Kedis
    from .keyspace import Database

__all__ = ["Client", "PAUSE_OFF", "PAUSE_WRITE", "PAUSE_ALL"]

#: CLIENT PAUSE's kinds, from the least to the most restrictive (Redis's pause_type).
PAUSE_OFF, PAUSE_WRITE, PAUSE_ALL = 0, 1, 2


class Client:
    """One connection's state (Redis's ``client`` struct, much reduced).

    Besides the selected database: the name CLIENT SETNAME gave, the protocol HELLO chose (2 or
    3), whether the client has authenticated, and its transaction: ``multi`` is the list of
    queued commands between MULTI and EXEC (None outside one), ``multi_error`` says a command was
    refused while queueing (EXEC will abort), ``watched`` holds the WATCHed keys and ``dirty`` says
    one of them changed; ``in_exec`` is True while EXEC runs the queue (its commands are not
    checked again). ``gated`` is True when the dispatcher must look before running a command
    (not authenticated, in a transaction, in MONITOR mode, subscribed to channels, the server
    is paused, or it refuses writes): one check on the hot path instead of six.

    What the connection does with a reply (Redis's client flags, networking.c): ``reply_off``
    (CLIENT REPLY OFF: no replies at all), ``reply_skip`` (CLIENT REPLY SKIP: not this command's;
    ``reply_skip_next`` is the SKIP just asked, which applies to the next command), and
    ``close_after_reply`` (QUIT). ``blocked`` says what the client waits for, or None: "postponed"
    while a CLIENT PAUSE holds its command (``blocked_argv``), and ``unblocked`` while it is
    queued to run again; CLIENT LIST shows both, INFO counts the blocked. ``attention`` is True
    when any of these is set: one check after each command on the server's hot path.
    ``no_evict`` is CLIENT NO-EVICT's mark.

    A network server fills in ``connection`` (an object with ``close()``), ``addr``, ``laddr``
    and ``local``: whether the peer is on this machine's loopback (Redis's islocalClient, for
    ``enable-protected-configs local``); a client in the engine's own process is local.
    """

    __slots__ = ("server", "db", "id", "name", "created", "resp", "authenticated", "multi",
                 "multi_error", "watched", "dirty", "in_exec", "gated", "_close_after_reply",
                 "reply_off", "reply_skip", "reply_skip_next", "blocked", "blocked_argv",
                 "unblocked", "attention", "no_evict", "connection", "addr", "laddr", "local", "fd",
                 "last_command", "last_interaction", "monitor", "channels", "patterns")

    def __init__(self, server: Kedis, id: int) -> None:
        self.server = server
        self.db: Database = server.databases[0]  # the selected database
        self.id = id
        self.name = b""
        self.created = self.last_interaction = time.monotonic()
        self.resp = 2
        self.authenticated = server.requirepass is None
        self.multi: list | None = None
        self.multi_error = False
        self.watched: dict = {}  # (database, key) -> whether the key had expired when watched
        self.dirty = False
        self.in_exec = False
        self._close_after_reply = False  # QUIT, a protocol error: closed after replying
        self.reply_off = self.reply_skip = self.reply_skip_next = False
        self.blocked: str | None = None
        self.blocked_argv: Sequence[bytes] | None = None
        self.unblocked = False
        self.attention = False
        self.no_evict = False
        self.connection: Any = None
        self.addr = self.laddr = ""
        self.local = True
        self.fd = -1
        self.last_command: Command | None = None
        self.monitor = 0  # 1: a MONITOR client, 2: one that also wants each command's trace
        # Pub/Sub (commands/pubsub.py): the channels and the patterns this client listens to.
        self.channels: dict[bytes, None] = {}
        self.patterns: dict[bytes, None] = {}
        self.update_gate()

    def select(self, index: int) -> None:
        self.db = self.server.database(index)

    def unwatch_all(self) -> None:
        """Forget every WATCHed key (UNWATCH, EXEC, DISCARD; Redis's unwatchAllKeys)."""
        for db, key in self.watched:
            clients = db.watchers.get(key)
            if clients is not None:
                clients.remove(self)
                if not clients:
                    del db.watchers[key]
        self.watched.clear()

    def update_gate(self) -> None:
        self.gated = (not self.authenticated or self.multi is not None or bool(self.monitor)
                      or bool(self.channels or self.patterns) or self.server.pause_kind > 0
                      or self.server.disk_error is not None)

    # --- what happens to a reply (networking.c) -------------------------------------------------
    @property
    def close_after_reply(self) -> bool:
        """The connection closes once this reply is sent (QUIT, CLIENT KILL of itself)."""
        return self._close_after_reply

    @close_after_reply.setter
    def close_after_reply(self, value: bool) -> None:
        self._close_after_reply = value
        self.update_attention()

    def update_attention(self) -> None:
        self.attention = (self._close_after_reply or self.reply_off or self.reply_skip
                          or self.reply_skip_next or self.blocked is not None)

    def after_command(self, reply: Reply) -> bool:
        """Whether the client gets ``reply``, then what Redis does after each command
        (resetClient): a CLIENT REPLY SKIP just asked now applies to the next command.

        While replies are off, or this one is skipped, the client gets nothing, errors included
        (Redis's prepareClientToWrite refuses to write). Two exceptions, as in Redis: Pub/Sub's
        confirmations are pushed, not replied (CLIENT_PUSHING), so they always go; and an EXEC
        during which replies were turned off or on has already left out what was silenced
        (a Partial). Called only when ``attention`` is set: the hot path never comes here.
        """
        kept = (not (self.reply_off or self.reply_skip) or type(reply) is Partial
                or (type(reply) is Frames and reply.items and type(reply.items[0]) is Push))
        self.reply_skip = self.reply_skip_next
        self.reply_skip_next = False
        if self.connection is None:
            self._close_after_reply = False  # embedded: there is no connection to close
        self.update_attention()
        return kept

    def __repr__(self) -> str:
        return f"<Client id={self.id} db={self.db.id}>"
