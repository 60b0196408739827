"""The keyspace: logical databases of typed values, with their expiry index (Redis's db.c).

A Redis server holds 16 numbered databases (``SELECT 0`` .. ``SELECT 15``); each is two dicts:

- ``data``: key -> value. Keys are bytes. The value's Python type *is* its Redis type, so no wrapper
  object is needed per key: ``bytes`` is a string, a ``SetValue`` (commands/sets.py) a set;
- ``expires``: key -> deadline in ms (see expiry.py), only for keys that have a TTL.

Every command reaches the data through the few methods below, named after db.c's functions, and
that is where the rules live that every command shares:

- ``lookup_read`` / ``lookup_write`` first expire the key if its deadline has passed (lazy expiry),
  and reads count ``keyspace_hits`` / ``keyspace_misses`` for INFO;
- ``set_key`` (a SET) drops any TTL the key had, ``store`` (an INCR, an APPEND) keeps it;
- ``delete`` removes a key and its deadline together;
- a container (a set) is changed in place, as Redis changes it: the command takes
  ``before_change`` first and calls ``changed`` after, so that a trace still sees both states.

What these methods do *not* count is ``dirty``, the changes since the last save (stats.py:
INFO's rdb_changes_since_last_save, which the save rules and the AOF read). What makes one
change is the command's to say, not the keyspace's, so Redis counts it in each command
(``server.dirty++`` in t_string.c, ``server.dirty += added`` in t_set.c), and so does Kedis, in
each handler beside the same logic: ``SET k v EX 10`` writes a value and a deadline and counts 1;
``SADD`` counts each member it added; ``RENAME`` deletes a key and writes another and counts 1;
``SMOVE`` counts the removal, and the addition when the destination did not have the member; a
key that lazy or active expiry deletes counts nothing. Counted here, each of those would need a
correction, and a learner would not find the count beside the Redis logic it mirrors.

**A string's bitmap form.** A string is ``bytes``, and ``bytes`` cannot change: a command that
patches one byte of a string must copy all of it. For SETBIT on a 12 MB bitmap that is 12 MB copied
to change one bit, where Redis changes the bit in place. So the commands that patch a string
(SETBIT and BITFIELD in commands/bitops.py, SETRANGE) keep it as a ``bytearray``, changed in place
(``unshare_string``, Redis's dbUnshareStringValue). It is still a string: TYPE_NAMES says so,
``duplicate`` copies it as bytes (COPY, snapshots, the trace), and the string commands read either
form (strings.py: one that keeps or answers the whole value takes a bytes copy). The lookups hand
back what is stored, so the hot path (GET of bytes) pays nothing for it.

When a command runs traced, each of these methods also records a step (what it read or wrote, the
entry before and after) into the tracer of ``self.hooks``. Untraced, that costs one check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..structures.quicklist import Quicklist
from ..structures.set import SetValue
from .evict import idle_field, lfu_initial, lfu_minutes, lfu_touched
from .expiry import Expires
from .notify import EXPIRED, KEY_MISS, NEW, notify

if TYPE_CHECKING:
    from ..util.clock import FakeClock, RealClock
    from .stats import Stats
    from .trace import Tracer

__all__ = ["Database", "Hooks", "type_name", "duplicate", "TYPE_NAMES", "NOTOUCH", "NONOTIFY"]

#: Flags of ``lookup_read`` (Redis's LOOKUP_*): NOTOUCH leaves the key's access time alone (TYPE,
#: TTL, EXISTS, OBJECT look without using), NONOTIFY sends no ``keymiss`` event (OBJECT).
NOTOUCH = 1
NONOTIFY = 2

#: Python type of a stored value -> the name TYPE answers: a string is bytes (or a bytearray, its
#: bitmap form), a set a SetValue (structures/set.py), a list a Quicklist (structures/quicklist.py).
TYPE_NAMES: dict[type, str] = {bytes: "string", bytearray: "string", SetValue: "set",
                               Quicklist: "list"}


def type_name(value: Any) -> str:
    return TYPE_NAMES[type(value)]


def duplicate(value: Any) -> Any:
    """An independent copy of a stored value (COPY, and the trace's snapshots).

    Strings are immutable bytes, so they are shared, not copied; containers (sets) are changed in
    place, so they are copied: a snapshot must not change with the key. A string in its bitmap
    form is copied as bytes: the copy is a plain string.
    """
    if type(value) is bytes:
        return value
    if type(value) is bytearray:
        return bytes(value)
    return value.copy()


class Hooks:
    """What watches an engine's databases, shared by all of them.

    ``tracer`` is set while a traced command runs (see trace.py); ``on_expire`` holds callbacks
    called as ``callback(db, key, "lazy" | "active")`` after a key expires, and ``on_command``
    callbacks called with a CommandEvent after each command (watch.py: for live views);
    ``trace_watchers`` counts the watchers that want each command's trace.

    The engine also hands the databases what they need from the server without importing it:
    ``publish(channel, message)`` for keyspace notifications (notify.py, through Pub/Sub),
    ``config`` (its parameters: the LFU counter's ``lfu-log-factor`` and ``lfu-decay-time``),
    ``rng``, the engine's randomness (the LFU counter's increments are random), and, while a
    CLIENT PAUSE is on, ``pause_check``: a function that answers whether it still is.
    """

    __slots__ = ("tracer", "on_expire", "on_command", "trace_watchers", "publish", "config",
                 "rng", "pause_check")

    def __init__(self) -> None:
        self.tracer: Tracer | None = None
        self.on_expire: list = []
        self.on_command: list = []
        self.trace_watchers = 0
        self.publish: Any = lambda channel, message: 0
        self.config: dict[str, Any] = {"lfu-log-factor": 10, "lfu-decay-time": 1}
        self.rng: Any = None
        self.pause_check: Any = None


class Database:
    """One logical database (``redisDb`` in server.h)."""

    __slots__ = ("id", "data", "expires", "clock", "stats", "hooks", "avg_ttl", "scan_order",
                 "watchers", "encodings", "notify_flags", "lru", "lru_clock", "lfu")

    def __init__(self, id: int, clock: RealClock | FakeClock, stats: Stats,
                 hooks: Hooks | None = None) -> None:
        self.id = id
        self.data: dict[bytes, Any] = {}
        self.clock = clock
        self.stats = stats
        self.hooks = hooks if hooks is not None else Hooks()
        # Its slots are drawn from the engine's randomness, so that a seeded engine repeats them.
        self.expires = Expires(self.hooks.rng)
        self.avg_ttl = 0  # INFO keyspace's estimate, kept by the active expiry cycle
        # SCAN's cached key order (see commands/keys.py); dropped whenever a new key appears.
        self.scan_order: list | None = None
        #: WATCHed keys -> the clients watching them (Redis's ``db->watched_keys``). Every write
        #: below calls ``touch``, which makes those clients' transactions fail (multi.py).
        self.watchers: dict[bytes, list] = {}
        #: The strings whose encoding (OBJECT ENCODING, commands/object.py) is not the one their
        #: bytes would get: "raw" once changed in place (APPEND, SETRANGE), "embstr" as
        #: INCRBYFLOAT writes them. Any other write of the key forgets it (set_key, store).
        self.encodings: dict[bytes, str] = {}
        #: notify-keyspace-events as flags (notify.py), kept here by the engine: one check.
        self.notify_flags = 0
        #: Each key's 24-bit access field (evict.py): the LRU clock at its last access, or with
        #: an LFU maxmemory-policy (``lfu`` True) its access counter. Redis keeps it in the
        #: value's object header. ``lru_clock`` is the LRU clock now, refreshed by the engine.
        self.lru: dict[bytes, int] = {}
        self.lru_clock = 0
        self.lfu = False

    # --- reading ------------------------------------------------------------------------------
    def lookup_read(self, key: bytes, flags: int = 0) -> Any:
        """The value at ``key`` for a reading command, or None (lookupKeyRead).

        Counts a hit or a miss; a hit updates the key's access time (unless ``flags`` has
        NOTOUCH), a miss sends a ``keymiss`` notification (unless NONOTIFY).
        """
        value = self.data.get(key)
        if value is not None and self.expires:
            deadline = self.expires.get(key)
            if deadline is not None and self.clock.ms() > deadline:
                self.expire_key(key)
                value = None
        if value is None:
            self.stats.keyspace_misses += 1
            if self.notify_flags & KEY_MISS and not flags & NONOTIFY:
                notify(self, KEY_MISS, b"keymiss", key)
        else:
            self.stats.keyspace_hits += 1
            if not flags & NOTOUCH:
                if self.lfu:
                    self.touch_lfu(key)
                else:
                    self.lru[key] = self.lru_clock
        tracer = self.hooks.tracer
        if tracer is not None:
            tracer.read(self, key, value)
        return value

    def lookup_write(self, key: bytes) -> Any:
        """The value at ``key`` for a writing command, or None (lookupKeyWrite). Not counted as
        a hit or a miss, and no ``keymiss``; a hit updates the key's access time."""
        value = self.data.get(key)
        if value is not None:
            if self.expires:
                deadline = self.expires.get(key)
                if deadline is not None and self.clock.ms() > deadline:
                    self.expire_key(key)
                    value = None
            if value is not None:
                if self.lfu:
                    self.touch_lfu(key)
                else:
                    self.lru[key] = self.lru_clock
        tracer = self.hooks.tracer
        if tracer is not None:
            tracer.read(self, key, value, counted=False)
        return value

    def touch_lfu(self, key: bytes) -> None:
        """One more access to ``key`` for its LFU counter (updateLFU, evict.py)."""
        config = self.hooks.config
        now = self.clock.ms()
        field = self.lru.get(key)
        self.lru[key] = lfu_touched(lfu_initial(now) if field is None else field, now,
                                    config["lfu-decay-time"], config["lfu-log-factor"],
                                    self.hooks.rng)

    def restore_access(self, key: bytes, idle: int = -1, freq: int = -1) -> None:
        """Set the key's access field from what a RESTORE or a dump record says of it
        (objectSetLRUOrLFU): with an LFU policy its counter ``freq``, otherwise its idle time
        ``idle`` in seconds; -1, or the one the policy does not keep, leaves the field as it is."""
        if self.lfu:
            if freq >= 0:
                self.lru[key] = lfu_minutes(self.clock.ms()) << 8 | freq
        elif idle >= 0:
            self.lru[key] = idle_field(self.lru_clock, idle)

    def exists(self, key: bytes) -> bool:
        """Whether ``key`` is alive, expiring it first if due (no stats: for internal checks)."""
        if key not in self.data:
            return False
        deadline = self.expires.get(key)
        if deadline is not None and self.clock.ms() > deadline:
            self.expire_key(key)
            return False
        return True

    def is_expired(self, key: bytes) -> bool:
        """Whether ``key``'s deadline has passed, *without* deleting it (KEYS looks, never touches)."""
        deadline = self.expires.get(key)
        return deadline is not None and self.clock.ms() > deadline

    def get_expire(self, key: bytes) -> int:
        """The key's deadline in ms, or -1 when it has none (getExpire)."""
        return self.expires.get(key, -1)

    def __len__(self) -> int:
        # Like Redis's DBSIZE, this counts keys whose deadline has passed but that no one has
        # touched yet: they are still in the dict until lazy or active expiry removes them.
        return len(self.data)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.data)

    # --- writing ------------------------------------------------------------------------------
    def set_key(self, key: bytes, value: Any, keep_ttl: bool = False) -> None:
        """Store ``value`` at ``key`` the way SET does: any TTL the key had is dropped."""
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        created = self.notify_flags & NEW and key not in self.data
        if self.scan_order is not None and key not in self.data:
            self.scan_order = None
        self.data[key] = value
        # A new value object starts "just used" (createObject): the LRU clock now; with an LFU
        # policy, a new key starts with a fresh counter, an overwritten one keeps its own.
        if not self.lfu:
            self.lru[key] = self.lru_clock
        elif key not in self.lru:
            self.lru[key] = lfu_initial(self.clock.ms())
        if self.encodings:
            self.encodings.pop(key, None)
        if self.watchers:
            self.touch(key)
        dropped_ttl = not keep_ttl and self.expires and self.expires.discard(key)
        if tracer is not None:
            tracer.write(self, key, before)
            if dropped_ttl:
                tracer.expiry(self, key, "remove", before, None)
        if created:
            notify(self, NEW, b"new", key)  # (dbAdd)

    def add(self, key: bytes, value: Any) -> None:
        """Create ``key``, which is not there, the way Redis's dbAdd does: unlike ``set_key``, no
        WATCH is told. The command signals the change itself (``changed``) once it has made one:
        SETBIT, BITFIELD and SETRANGE create a string of zeros first, then write into it."""
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        if self.scan_order is not None:
            self.scan_order = None
        self.data[key] = value
        self._new_value(key)
        if self.encodings:
            self.encodings.pop(key, None)
        if tracer is not None:
            tracer.write(self, key, before)
        if self.notify_flags & NEW:
            notify(self, NEW, b"new", key)

    def _new_value(self, key: bytes) -> None:
        # What set_key and store do inline, on the hot path: a new value starts "just used".
        if not self.lfu:
            self.lru[key] = self.lru_clock
        elif key not in self.lru:
            self.lru[key] = lfu_initial(self.clock.ms())

    def unshare_string(self, key: bytes, value: bytes | bytearray, length: int = 0) -> bytearray:
        """The string at ``key`` in its bitmap form, a bytearray that the caller changes in
        place, grown with zero bytes to at least ``length`` (Redis's dbUnshareStringValue, then
        sdsgrowzero). The string is ``raw`` from now on, as Redis makes it, changed or not.

        Call ``before_change`` first if the bytes may change, and ``changed`` once they did.
        """
        if type(value) is bytes:
            value = self.data[key] = bytearray(value)
        if len(value) < length:
            value.extend(bytes(length - len(value)))  # (bytes(n) is calloc'd: no zeros written)
        self.encodings[key] = "raw"
        return value  # type: ignore[return-value]

    def store(self, key: bytes, value: Any) -> None:
        """Store ``value`` at ``key`` keeping its TTL, as INCR and APPEND do."""
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        created = self.notify_flags & NEW and key not in self.data
        if self.scan_order is not None and key not in self.data:
            self.scan_order = None
        self.data[key] = value
        # A new value object starts "just used" (createObject): the LRU clock now; with an LFU
        # policy, a new key starts with a fresh counter, an overwritten one keeps its own.
        if not self.lfu:
            self.lru[key] = self.lru_clock
        elif key not in self.lru:
            self.lru[key] = lfu_initial(self.clock.ms())
        if self.encodings:
            self.encodings.pop(key, None)
        if self.watchers:
            self.touch(key)
        if tracer is not None:
            tracer.write(self, key, before)
        if created:
            notify(self, NEW, b"new", key)


    def before_change(self, key: bytes) -> tuple | None:
        """The entry at ``key`` before a change in place (SADD, SREM...), for the trace: call it
        before changing the value, then ``changed``. Untraced, it costs one check and is None.

        A set is one object that commands change in place, as in Redis: without this snapshot,
        the trace's "before" would be taken after the change and show the new members.
        """
        tracer = self.hooks.tracer
        return tracer.state(self, key) if tracer is not None else None

    def changed(self, key: bytes, before: tuple | None) -> None:
        """Note that the value at ``key`` was changed in place (Redis's signalModifiedKey)."""
        if self.watchers:
            self.touch(key)
        tracer = self.hooks.tracer
        if tracer is not None:
            tracer.modified(self, key, before)

    def delete(self, key: bytes) -> bool:
        """Remove ``key`` and its deadline; True if it was there."""
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        if self.data.pop(key, None) is None:
            return False
        self.lru.pop(key, None)
        if self.expires:
            self.expires.discard(key)
        if self.watchers:
            self.touch(key)
        if tracer is not None:
            tracer.delete(self, key, before)
        return True

    def set_expire(self, key: bytes, deadline: int) -> None:
        """Give ``key`` (which must exist) a deadline, in ms since the epoch."""
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        self.expires.set(key, deadline)
        if self.watchers:
            self.touch(key)
        if tracer is not None:
            tracer.expiry(self, key, "set", before, deadline)

    def remove_expire(self, key: bytes) -> bool:
        """Make ``key`` persistent; True if it had a deadline."""
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        removed = self.expires.discard(key)
        if removed and self.watchers:
            self.touch(key)
        if removed and tracer is not None:
            tracer.expiry(self, key, "remove", before, None)
        return removed

    def expire_key(self, key: bytes, active: bool = False) -> None:
        """Delete a key whose deadline has passed, and count it (lazily, or by the active cycle).

        While clients are paused (CLIENT PAUSE), the key stays: the dataset must not change
        under a pause, so the key only reads as missing until the pause ends (expireIfNeeded).
        """
        pause_check = self.hooks.pause_check
        if pause_check is not None and pause_check():
            return
        tracer = self.hooks.tracer
        before = tracer.state(self, key) if tracer is not None else None
        deadline = self.expires.get(key)
        del self.data[key]
        self.lru.pop(key, None)
        if self.encodings:
            self.encodings.pop(key, None)
        self.expires.discard(key)
        if self.watchers:
            self.touch(key)
        stats = self.stats
        stats.expired_keys += 1
        if active:
            stats.expired_keys_active += 1
        else:
            stats.expired_keys_lazy += 1
        if tracer is not None:
            tracer.expired(self, key, before, deadline, active)
        for listener in self.hooks.on_expire:
            listener(self, key, "active" if active else "lazy")
        if self.notify_flags & EXPIRED:
            notify(self, EXPIRED, b"expired", key)  # (deleteExpiredKeyAndPropagate)

    def flush(self) -> int:
        """Remove every key (FLUSHDB); returns how many there were (what FLUSHDB and FLUSHALL
        add to ``dirty``, as Redis's emptyData answers them)."""
        removed = len(self.data)
        if self.hooks.tracer is not None:
            self.hooks.tracer.flush(self, removed)
        self.touch_all(None)
        self.data.clear()
        self.expires.clear()
        self.encodings.clear()
        self.lru.clear()
        self.scan_order = None
        self.avg_ttl = 0
        return removed

    def swap(self, other: Database) -> None:
        """SWAPDB: this database and ``other`` exchange their keys, with their deadlines
        (Redis's dbSwapDatabases). The clients stay where they were, by number, and so do the
        WATCHes: a client in database 0 sees at once what database 1 held."""
        # Each side's watched keys, against what it holds and what will replace it: before the
        # exchange, as Redis does it (a key is "emptied" from one side, "replaced with" the other).
        self.touch_all(other)
        other.touch_all(self)
        self.data, other.data = other.data, self.data
        self.expires, other.expires = other.expires, self.expires
        self.encodings, other.encodings = other.encodings, self.encodings
        self.lru, other.lru = other.lru, self.lru
        self.avg_ttl, other.avg_ttl = other.avg_ttl, self.avg_ttl
        self.scan_order = other.scan_order = None
        if self.hooks.tracer is not None:
            self.hooks.tracer.swap(self, other)

    def touch_all(self, replaced_with: Database | None) -> None:
        """Every watched key that this database holds, or that ``replaced_with`` holds, changed
        (Redis's touchAllWatchedKeysInDb): for a flush (``None``), and for SWAPDB.

        Redis 7's exceptions for keys that had expired when watched: one that is now gone did not
        logically change, and one that is expired on both sides still has not; a key that was
        missing and is now replaced by an expired one is noted as expired, not as changed.
        """
        for key in list(self.watchers):
            here = key in self.data
            there = replaced_with is not None and key in replaced_with.data
            if not (here or there):
                continue
            for client in list(self.watchers.get(key, ())):
                entry = (self, key)
                if client.watched.get(entry):  # it had expired when WATCHed
                    if not there:
                        client.watched[entry] = False
                        continue
                    if replaced_with.is_expired(key):  # type: ignore[union-attr]
                        continue
                elif not here and there and replaced_with.is_expired(key):  # type: ignore[union-attr]
                    client.watched[entry] = True
                    continue
                client.dirty = True
                client.unwatch_all()

    def touch(self, key: bytes) -> None:
        """A watched key changed (Redis's touchWatchedKey, called by signalModifiedKey): the
        transactions of the clients watching it will fail at EXEC.

        One exception, as in Redis 7: a key that had already expired when it was watched, and is
        now deleted (by expiry, DEL; a flush: touch_all), did not logically change: it was gone, it still is.
        """
        for client in list(self.watchers.get(key, ())):
            entry = (self, key)
            if client.watched.get(entry):  # it had expired when WATCHed
                if key not in self.data:
                    client.watched[entry] = False
                    continue
            client.dirty = True
            client.unwatch_all()  # dirty already: no need to hear about its keys any more

    def __repr__(self) -> str:
        return f"<Database {self.id}: {len(self.data)} keys, {len(self.expires)} with a TTL>"
