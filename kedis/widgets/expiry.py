"""ExpiryView: the keys that will expire, in the order they will, and the two ways they go.

Redis removes an expired key in one of two ways (expiry.py tells the story):

- **lazily**: a command touches the key, finds its deadline passed, and deletes it first;
- **actively**: about ten times a second the active cycle samples keys with a TTL and deletes the
  expired ones it finds.

The view shows both at work. At the top, a timeline: the ``limit`` keys whose deadline comes
first, each with a countdown against the engine's clock (a real clock counts down in the browser;
a fake one stands still until it is moved). A key whose countdown has reached zero stays on the
timeline, marked due: nothing has removed it *yet*, and it goes when a command touches it or the
cycle samples it. Below, each expiration as it happens, marked lazy or active, with the server's
counters of each (``expired_keys_lazy`` and ``expired_keys_active`` in INFO's terms), and the
last active cycle: which keys it sampled, which of them it found expired.

The timeline is kept as a sorted list of (deadline, key), in pieces (_sorted.py), updated at
each push for the keys the commands since the last push named (by bisection, once per key
however many commands named it), so even 100,000 keys with a TTL cost little per command.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import traitlets

from ..plural import plural
from ._format import key_text, when_text
from ._live import PlacingView, static_file
from ._sorted import SortedPieces

if TYPE_CHECKING:
    from ..engine import Kedis
    from ..expiry import CycleReport
    from ..keyspace import Database
    from ..watch import CommandEvent

__all__ = ["ExpiryView"]

#: Expirations remembered for the list of events; sampled keys of the last cycle sent, at most.
EVENTS = 20
SAMPLE_SHOWN = 100


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

    def __init__(self, engine: Kedis, db: int | None = None, limit: int = 20,
                 **kwargs: Any) -> None:
        self._queue = SortedPieces()                # (deadline, key), soonest first
        self._deadline: dict[bytes, int] = {}       # key -> the deadline _queue holds for it
        self._events: deque[dict] = deque(maxlen=EVENTS)
        self._rows: dict[tuple[int, bytes], dict] = {}  # the rows last pushed, to reuse
        self._cycle: CycleReport | None = engine.last_cycle
        # (its _named: the keys whose deadline moved, placed at the push; see PlacingView)
        super().__init__(engine, db, limit=max(limit, 1), **kwargs)
        self.refresh()

    def __repr__(self) -> str:
        return (f"<ExpiryView of db {self._database.id}: {plural(len(self._queue), 'key')} "
                "with a TTL>")

    # --- the queue -----------------------------------------------------------------------------
    def _sort_all(self) -> None:
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
            return
        if event.whole_keyspace:
            self._resort = True  # FLUSHDB, FLUSHALL, or SWAPDB (from any database)
        if event.db != self._database.id:
            # another database's COPY ... DB n may write here: checked at the push
            self._named.update(change.key for change in event.keys)
            return
        # Only a key whose deadline moved changes place (or one that expired: _expired noted it).
        self._named.update(change.key for change in event.keys if change.deadline_moved)

    def _expired(self, db: Database, key: bytes, how: str) -> None:
        if db is self._database:
            self._named.add(key)
        self._events.appendleft({"key": key_text(key), "how": how, "db": db.id,
                                 "at_ms": db.clock.ms(), "at_text": when_text(db.clock.ms())})

    def _ticked(self, report: CycleReport) -> None:
        self._cycle = report

    # --- what the browser shows -------------------------------------------------------------
    def _sample(self) -> dict:
        cycle = self._cycle
        if cycle is None:
            return {}
        return {"started_ms": cycle.started_ms, "started_text": when_text(cycle.started_ms),
                "rounds": cycle.rounds, "expired": cycle.expired,
                "sampled_count": len(cycle.sampled), "time_cap_reached": cycle.time_cap_reached,
                "elapsed_us": cycle.elapsed_us,
                "keys": [{"db": db, "key": key_text(key), "expired": expired}
                         for db, key, expired in cycle.sampled[:SAMPLE_SHOWN]]}

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
                "sample": self._sample()}

    @traitlets.observe("limit")
    def _limited(self, change: dict) -> None:
        if not self._applying:
            self._dirty = True
            self.flush()

    @traitlets.validate("limit")
    def _valid_limit(self, proposal: dict) -> int:
        return max(int(proposal["value"]), 1)
