"""ExpiryView: the keys that will expire, in the order they will, and the ways they go.

Redis removes an expired key in one of two ways (expiry.py tells the story):

- **lazily**: a command touches the key, finds its deadline passed, and deletes it first;
- **actively**: the active cycles walk the expires table with a cursor and delete the expired
  keys they meet: the *slow* cycle ``hz`` times a second, the *fast* one between two rounds of
  commands, after a cycle that ran out of time.

The view shows both at work. At the top, a timeline: the ``limit`` keys whose deadline comes
first, each with a countdown against the engine's clock (a real clock counts down in the browser;
a fake one stands still until it is moved). A key whose countdown has reached zero stays on the
timeline, marked due: nothing has removed it *yet*, and it goes when a command touches it or a
cycle's cursor reaches it. Below, each expiration as it happens, marked lazy or active, with the
server's counters of each (``expired_keys_lazy`` and ``expired_keys_active`` in INFO's terms).

Then the active cycles, drawn: the last cycles that ran, one block each (slow or fast, how much
of what it looked at it expired, and whether it ran out of time); the followed database's expires
table as the cursor sees it, one cell per slot in its place (a due key in red, the slots the last
cycle walked shaded, the cursor marked); and the last cycle's walk, key by key.

The timeline is kept as a sorted list of (deadline, key), in pieces (_sorted.py), updated at
each push for the keys the commands since the last push named (by bisection, once per key
however many commands named it), so even 100,000 keys with a TTL cost little per command. The
table's first ``TABLE_SHOWN`` slots are read again only when a deadline moved or a cycle ran.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import traitlets

from ..util.plural import plural
from ._format import clock_text, key_text, when_text
from ._live import PlacingView, static_file
from ._sorted import SortedPieces

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis
    from ..engine.expiry import CycleReport
    from ..engine.keyspace import Database
    from ..engine.watch import CommandEvent

__all__ = ["ExpiryView"]

#: Expirations remembered for the list of events; keys of the last cycle's walk sent, at most;
#: the cycles drawn; the slots of the expires table drawn.
EVENTS = 20
SAMPLE_SHOWN = 100
CYCLES_SHOWN = 12
TABLE_SHOWN = 256


class ExpiryView(PlacingView):
    """The expiry queue of one database (the selected one by default), and expirations live."""

    _esm = static_file("common.js") + static_file("expiry.js")

    db = traitlets.Int(0).tag(sync=True)
    limit = traitlets.Int(20).tag(sync=True)
    rows = traitlets.List().tag(sync=True)         # the soonest deadlines: key, expires_at, text
    ttl_count = traitlets.Int(0).tag(sync=True)    # keys with a TTL in the database
    events = traitlets.List().tag(sync=True)       # recent expirations, newest first
    lazy_count = traitlets.Int(0).tag(sync=True)   # engine.stats.expired_keys_lazy
    active_count = traitlets.Int(0).tag(sync=True)  # engine.stats.expired_keys_active
    sample = traitlets.Dict().tag(sync=True)       # the last active cycle ({} before the first)
    cycles = traitlets.List().tag(sync=True)       # the last cycles that ran, oldest first
    table = traitlets.Dict().tag(sync=True)        # the expires table: slots, cursor, last walk

    def __init__(self, engine: Kedis, db: int | None = None, limit: int = 20,
                 **kwargs: Any) -> None:
        self._queue = SortedPieces()                # (deadline, key), soonest first
        self._deadline: dict[bytes, int] = {}       # key -> the deadline _queue holds for it
        self._events: deque[dict] = deque(maxlen=EVENTS)
        self._rows: dict[tuple[int, bytes], dict] = {}  # the rows last pushed, to reuse
        self._cycle: CycleReport | None = engine.last_cycle
        self._cycles: deque[dict] = deque(maxlen=CYCLES_SHOWN)
        self._seq = 0                               # numbers the cycles this view has seen
        self._walk: tuple[int, CycleReport] | None = None  # the last cycle that visited the db
        self._table: dict = {}
        self._table_stale = True                    # a deadline moved or a cycle ran
        # (its _named: the keys whose deadline moved, placed at the push; see PlacingView)
        super().__init__(engine, db, limit=max(limit, 1), **kwargs)
        if self._cycle is not None:
            self._note_cycle(self._cycle)
        self.refresh()

    def __repr__(self) -> str:
        return (f"<ExpiryView of db {self._database.id}: {plural(len(self._queue), 'key')} "
                "with a TTL>")

    # --- the queue -----------------------------------------------------------------------------
    def _sort_all(self) -> None:
        self._table_stale = True
        expires = self._database.expires
        self._deadline = dict(expires)
        self._queue = SortedPieces((deadline, key) for key, deadline in expires.items())

    def _in_step(self) -> bool:
        return len(self._deadline) == len(self._database.expires)

    def _sync_key(self, key: bytes) -> None:
        """Move ``key`` to where its deadline puts it now (or out: no deadline, no key)."""
        new = self._database.expires.get(key)
        old = self._deadline.get(key)
        if new == old:
            return
        if old is not None:
            self._queue.discard((old, key))
            del self._deadline[key]
        if new is not None:
            self._queue.add((new, key))
            self._deadline[key] = new

    # --- events: noted, for the next push ------------------------------------------------------
    def _command(self, event: CommandEvent) -> None:
        if self._follow_selection():
            self._table_stale = True
            return
        if event.whole_keyspace:
            self._resort = True  # FLUSHDB, FLUSHALL, or SWAPDB (from any database)
            self._table_stale = True
        if event.db != self._database.id:
            # another database's COPY ... DB n may write here: checked at the push
            self._named.update(change.key for change in event.keys)
            self._table_stale = True
            return
        # Only a key whose deadline moved changes place (or one that expired: _expired noted it).
        moved = [change.key for change in event.keys if change.deadline_moved]
        if moved:
            self._named.update(moved)
            self._table_stale = True  # a key came into the table or left it: slots moved

    def _expired(self, db: Database, key: bytes, how: str) -> None:
        if db is self._database:
            self._named.add(key)
            self._table_stale = True
        self._events.appendleft({"key": key_text(key), "how": how, "db": db.id,
                                 "at_ms": db.clock.ms(), "at_text": clock_text(db.clock.ms(), db.clock)})

    def _ticked(self, report: CycleReport) -> None:
        self._cycle = report
        self._note_cycle(report)
        self._table_stale = True

    def _note_cycle(self, report: CycleReport) -> None:
        self._seq += 1
        self._cycles.append({
            "seq": self._seq, "kind": report.kind,
            "at_text": clock_text(report.started_ms, self.engine.clock),
            "sampled": report.sampled, "expired": report.expired,
            "capped": report.time_cap_reached, "elapsed_us": report.elapsed_us,
            "limit_us": report.time_limit_us})
        for walk in report.databases:
            if walk.db == self._database.id and walk.rounds:
                self._walk = (self._seq, report)

    # --- what the browser shows -------------------------------------------------------------
    def _sample(self) -> dict:
        cycle = self._cycle
        if cycle is None:
            return {}
        return {"seq": self._seq, "kind": cycle.kind, "started_ms": cycle.started_ms,
                "started_text": self._cycles[-1]["at_text"],  # (noted with its clock's name)
                "rounds": sum(walk.rounds for walk in cycle.databases),
                "expired": cycle.expired, "sampled_count": cycle.sampled,
                "time_cap_reached": cycle.time_cap_reached, "elapsed_us": cycle.elapsed_us,
                "time_limit_us": cycle.time_limit_us,
                "keys": [{"db": db, "key": key_text(key), "expired": expired}
                         for db, key, expired in cycle.walked[:SAMPLE_SHOWN]]}

    def _table_state(self) -> dict:
        """The followed database's expires table: its first slots, the cursor, the last walk."""
        if not self._table_stale:
            return self._table
        self._table_stale = False
        database = self._database
        expires = database.expires
        size = len(expires.keys)
        walk = None
        removed: list[str] = []
        seq, report = self._walk if self._walk is not None else (0, None)
        here = None if report is None else next(
            (w for w in report.databases if w.db == database.id and w.rounds), None)
        if here is not None:
            advances = here.sampled - here.expired  # the cursor moves past each live key seen
            walk = {"seq": seq, "kind": report.kind, "from": here.cursor_from,
                    "to": here.cursor_to, "advances": advances,
                    "whole": advances >= size, "sampled": here.sampled,
                    "expired": here.expired}
            removed = [key_text(key) for db, key, expired in report.walked
                       if expired and db == database.id][:SAMPLE_SHOWN]
        # Each slot drawn: the key and its deadline, or (a hole) the key that left it and None.
        self._table = {"db": database.id, "size": size, "live": len(expires),
                       "slots": expires.slots,
                       "cursor": expires.cursor if expires.cursor < size else 0,
                       "shown": [[key_text(key), expires.get(key)]
                                 for key in expires.keys[:TABLE_SHOWN]],
                       "walk": walk, "removed": removed}
        return self._table

    def _state(self) -> dict:
        self._catch_up()
        stats = self.engine.stats
        cached = self._rows
        self._rows = {entry: cached.get(entry) or {"key": key_text(entry[1]),
                                                   "expires_at": entry[0],
                                                   "expires_text": when_text(entry[0])}
                      for entry in self._queue[:self.limit]}
        return {"db": self._database.id, "ttl_count": len(self._queue),
                "rows": list(self._rows.values()),
                "events": list(self._events),
                "lazy_count": stats.expired_keys_lazy, "active_count": stats.expired_keys_active,
                "sample": self._sample(), "cycles": list(self._cycles),
                "table": self._table_state()}

    @traitlets.observe("limit")
    def _limited(self, change: dict) -> None:
        if not self._applying:
            self._dirty = True
            self.flush()

    @traitlets.validate("limit")
    def _valid_limit(self, proposal: dict) -> int:
        return max(int(proposal["value"]), 1)
