"""StoreView: every key of a database, as a table that follows the store while commands run.

One row per key: the key as redis-cli prints it, its type, a preview of its value, its TTL and the
bytes its value holds. The keys the last command named are marked, with what it did to each
(``"1" → "2"``), so that a learner sees a command's effect where it happens. A key whose deadline
has passed but that nothing has touched yet is still there, marked stale: it is what lazy expiry
leaves behind until a command or the active cycle removes it (see expiry.py).

The TTL counts down in the browser: a row carries the key's *deadline* (ms since the epoch), the
view carries the engine's clock (``now_ms``) at its last push, and the browser adds the time
passed since. A fake clock does not move by itself, so with it nothing counts down: the TTL
changes when the clock is moved (``%clock advance``). Hovering a TTL shows the deadline itself.

A store may hold 100,000 keys. The view sorts them once, and then keeps them in order in a
sorted list in pieces (_sorted.py: a key finds its place by bisection and shifts at most a
thousand others): at each push it places the keys that the commands heard since the last push
named, once each (see _live.py: hearing a command only notes its keys). Only a command that may change any key (FLUSHDB,
FLUSHALL), a change of database (SELECT) or of the filter sorts them afresh. The browser gets one
page of rows (``page_size``) and the totals, never the whole store.

The filter is a Redis glob pattern (``user:*``, ``h?llo``, ``[ab]*``), read exactly as KEYS reads
it (glob.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import traitlets

from ..util.glob import compile_glob
from ..util.plural import plural
from ._format import change_text, command_text, key_text, type_of, value_size, value_text, when_text
from ._live import PlacingView, static_file
from ._sorted import SortedPieces

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis
    from ..engine.keyspace import Database
    from ..engine.watch import CommandEvent

__all__ = ["StoreView"]


def _place(keys: SortedPieces, key: bytes, present: bool) -> None:
    """Put ``key`` in the sorted keys or take it out."""
    if present:
        keys.add(key)
    else:
        keys.discard(key)


def _pattern_bytes(pattern: str) -> bytes:
    return pattern.encode("utf-8", "surrogateescape")


class StoreView(PlacingView):
    """The keys of one database: ``StoreView(engine)`` follows the selected database (SELECT
    moves it), ``StoreView(engine, db=3)`` stays on database 3."""

    _esm = static_file("common.js") + static_file("store.js")

    db = traitlets.Int(0).tag(sync=True)              # the database shown
    pattern = traitlets.Unicode("*").tag(sync=True)   # the filter (a glob), the browser may set it
    page = traitlets.Int(0).tag(sync=True)            # 0-based; the browser's buttons set it
    page_size = traitlets.Int(50).tag(sync=True)
    page_count = traitlets.Int(1).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)           # keys that match the filter
    db_size = traitlets.Int(0).tag(sync=True)         # keys in the database (DBSIZE)
    rows = traitlets.List().tag(sync=True)            # the visible page (see _row)
    last_command = traitlets.Unicode("").tag(sync=True)
    changes = traitlets.List().tag(sync=True)         # what it did to each key it named

    def __init__(self, engine: Kedis, db: int | None = None, pattern: str = "*",
                 page_size: int = 50, **kwargs: Any) -> None:
        self._keys = SortedPieces()        # every key of the database, sorted
        self._shown = self._keys           # those that match the filter (the same for "*")
        self._match = compile_glob(_pattern_bytes(pattern))
        self._expired_now: dict[bytes, str] = {}  # keys that expired during the running command
        # The last command heard since the last push (with the keys that expired while it ran;
        # None: it moved the view to another database, and has no changes to show). The keys
        # commands created or deleted wait in _named, placed at the push (see PlacingView).
        self._last: tuple[CommandEvent, dict[bytes, str] | None] | None = None
        # The rows of the page last pushed, by key: a push rebuilds only the rows of keys that
        # changed since, so that a command costs the same on a page of 50 or of 5.
        self._rows: dict[bytes, dict] = {}
        super().__init__(engine, db, pattern=pattern, page_size=max(page_size, 1), **kwargs)
        self.refresh()

    def __repr__(self) -> str:
        return f"<StoreView of db {self._database.id}: {plural(len(self._keys), 'key')}>"

    # --- the sorted keys -----------------------------------------------------------------------
    def _sort_all(self) -> None:
        self._keys = SortedPieces(self._database.data)
        self._rows = {}
        self._refilter()

    def _in_step(self) -> bool:
        return len(self._keys) == len(self._database.data)

    def _refilter(self) -> None:
        if _pattern_bytes(self.pattern) == b"*":
            self._shown = self._keys
        else:
            # The keys come in order, and filtering keeps it: sorting them again is one pass.
            match = self._match
            self._shown = SortedPieces(key for key in self._keys if match(key))

    def _sync_key(self, key: bytes) -> None:
        """Put ``key`` in the sorted lists or take it out, as the database has it now."""
        present = key in self._database.data
        self._rows.pop(key, None)
        _place(self._keys, key, present)
        if self._shown is not self._keys and self._match(key):
            _place(self._shown, key, present)

    # --- events: noted, for the next push ------------------------------------------------------
    def _command(self, event: CommandEvent) -> None:
        expired, self._expired_now = self._expired_now, {}
        if self._follow_selection():
            self._last = (event, None)
            return
        if event.whole_keyspace:
            # FLUSHDB or FLUSHALL, or SWAPDB, which may bring another database's keys here
            # (whichever database the client had selected).
            self._resort = True
        if event.db != self._database.id:
            # A command of another database may still write here (COPY ... DB n), so the keys it
            # named are checked against this database at the push: O(keys named), never O(n).
            self._named.update(change.key for change in event.keys)
            return
        # A key keeps its place unless the command created or deleted it (or it expired:
        # _expired noted it).
        for change in event.keys:
            if change.came_or_went:
                self._named.add(change.key)  # to put in its place, or take out, at the push
            elif change.changed:
                self._rows.pop(change.key, None)  # its row is made again at the push
        self._last = (event, expired)

    def _expired(self, db: Database, key: bytes, how: str) -> None:
        if db is self._database:
            self._expired_now[key] = how  # the command that touched it will report it
            self._named.add(key)

    # --- what the browser shows -------------------------------------------------------------
    def _row(self, key: bytes) -> dict:
        database = self._database
        value = database.data[key]
        deadline = database.expires.get(key)
        return {"key": key_text(key), "type": type_of(value), "value": value_text(value),
                "size": value_size(value), "expires_at": deadline,
                "expires_text": when_text(deadline)}

    def _state(self) -> dict:
        self._catch_up()
        database = self._database
        total = len(self._shown)
        pages = max(1, -(-total // self.page_size))
        page = min(max(self.page, 0), pages - 1)
        start = page * self.page_size
        cached = self._rows
        self._rows = {key: cached.get(key) or self._row(key)
                      for key in self._shown[start:start + self.page_size]}
        state = {"db": database.id, "total": total, "db_size": len(database.data),
                 "page_count": pages, "page": page, "rows": list(self._rows.values())}
        if self._last is not None:
            event, expired = self._last
            self._last = None
            state["last_command"] = command_text(event.argv)
            state["changes"] = [] if expired is None else [
                {"key": key_text(change.key), "changed": change.changed,
                 "change": change_text(change.before, change.after, expired.get(change.key))
                 if change.changed else "no such key" if change.before is None else "unchanged"}
                for change in event.keys]
        return state

    # --- paging and filtering, from Python or from the browser --------------------------------
    def next_page(self) -> None:
        self.page = min(self.page + 1, self.page_count - 1)

    def prev_page(self) -> None:
        self.page = max(self.page - 1, 0)

    @traitlets.observe("page", "page_size")
    def _paged(self, change: dict) -> None:
        if self._applying:
            return  # the push itself set it
        self._dirty = True
        self.flush()

    @traitlets.observe("pattern")
    def _filtered(self, change: dict) -> None:
        if self._applying:
            return
        with self._lock:
            self._match = compile_glob(_pattern_bytes(change["new"]))
            self._catch_up()
            self._refilter()
            with self.applying():
                self.page = 0
            self._dirty = True
        self.flush()

    @traitlets.validate("page_size")
    def _valid_page_size(self, proposal: dict) -> int:
        return max(int(proposal["value"]), 1)

    @property
    def keys_shown(self) -> list[bytes]:
        """The keys of the visible page, as bytes (the rows show them as text)."""
        with self._lock:
            self._catch_up()
            start = self.page * self.page_size
            return self._shown[start:start + self.page_size]
