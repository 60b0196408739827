"""Expiry: the index of deadlines, and the two active cycles that remove expired keys nobody asks for.

Redis keeps expiry *beside* the data, not inside it: each database has a second dict, ``expires``,
from key to deadline (Unix time in milliseconds). A key without a TTL costs nothing extra. Expired
keys are removed by two mechanisms, and Kedis implements both:

1. **Lazy** (``expireIfNeeded`` in db.c): any command that touches a key first checks its deadline
   and deletes it if it has passed. Cheap, but a key nobody touches again would stay forever...
2. **Active** (``activeExpireCycle`` in expire.c): so Redis also walks the expires table in the
   background, a little at a time, and deletes the expired keys it meets.

The active cycle (Redis 7.0's, as Kedis runs it)
------------------------------------------------
Each database's table has a **cursor** (``expires_cursor``). A *round* looks at the next 20 keys
from the cursor (``ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP``), deletes those whose deadline has passed,
and moves the cursor on; when it reaches the end, it starts again from the start. The database
gets another round while more than 10% of the keys a round saw were expired (so probably many
more are), and the cycle moves to the next database when a round finds 10% or fewer. Why walk,
and not scan everything? A scan would cost time in proportion to the keys, and freeze a server of
millions of keys. A round of 20 *estimates* how stale the table is: when few keys are, stop; when
many are, clean more. At any moment about a tenth of the keys with a TTL may be expired and still
there, at worst: the memory this costs is the price of never pausing for long.

Every 16 rounds the cycle looks at the time, and stops when it has spent its **time limit**. A
database whose table is nearly empty (under 1% of its buckets used: sampling it would mostly meet
empty buckets) is skipped until the table is resized, which the cron does after the cycle.

The cycle runs in two ways (``CYCLE_SLOW``, ``CYCLE_FAST``):

- the **slow cycle**, from serverCron, ``hz`` times a second (``Kedis.tick``): its limit is 25% of
  one tick (25 ms at the default hz of 10);
- the **fast cycle**, from ``beforeSleep``, each time the event loop is about to wait for the next
  events: after each round of serving clients (``Kedis.before_sleep``). It may use at most 1 ms
  (1000 us), and never starts within 2 ms of the previous fast cycle. It runs only when the last
  cycle stopped on its time limit: there is more to clean than the slow cycle managed, so it is
  worth cleaning between two rounds of commands, a little at a time. (Redis's code means to start
  it also when the estimated share of stale keys is above 10%, but it compares that estimate, a
  fraction between 0 and 1, with the percentage 10, so the condition never holds: in 7.0 only the
  time limit starts a fast cycle. Kedis does what 7.0 does; see redis/redis#15410.)

``active-expire-effort`` (CONFIG, 1 to 10, default 1) makes both work harder: each step above 1
adds 5 keys to a round, 250 us to the fast cycle's limit and 2 points to the slow cycle's share of
a tick, and takes one point off the 10% that ends a database's rounds.

What the cycles leave in INFO: ``expired_stale_perc`` (a running estimate of the share of
expired keys among those the cycles saw: each cycle counts for 5%), ``expired_time_cap_reached_
count`` (cycles stopped by their time limit), ``expire_cycle_cpu_milliseconds`` (the time spent in
them), and, per database in INFO keyspace, ``avg_ttl`` (a running average of the TTLs the rounds
met: each round counts for 2%).

Where Kedis simplifies, and why it still behaves as Redis
---------------------------------------------------------
Redis's expires table is a hash table: an array of buckets, each a chain of entries, in the order
of the keys' hashes. The cursor is a bucket index; a bucket may hold no key or several. Kedis's
``Expires`` is a Python dict (key -> deadline: every read of a deadline is a dict lookup) plus a
**list of the keys**, which stands for the array of buckets: one key per slot, the cursor an index
into it. What the walk relies on is kept:

- *the order tells nothing about the deadlines*, as a hash's order does not: a new key goes to a
  random slot of the list (the key that was there moves to the end), so a round of 20 is a fair
  sample of the table, whatever order keys were written in (were keys kept in the order they came,
  a round would meet the oldest ones together, and the estimate would be wrong);
- *the cursor keeps its place*: the walk removes a slot by moving the list's last key into it (so
  removal stays O(1)), and looks at that slot again before moving on, so no key is jumped over;
- *empty buckets*: a key whose deadline goes outside the walk (DEL, PERSIST, a lazy expiry) leaves
  a *hole* in its slot, which the walk takes out when it comes by, as Redis's walk crosses empty
  buckets (at most 20 per key a round may look at). So that removal is one dict deletion, with
  no index of slots to keep up to date;
- *the table's size*: Kedis keeps the size Redis's table would have (a power of two, doubled when
  full, shrunk by the cron below 10% use: ``slots``) for the "nearly empty" rule; the rehashing
  Redis does between two sizes is not modelled;
- *the deadline is where the walk is*: Redis's entry holds its key's deadline, so the walk reads
  it where it stands. Beside the list of keys, Kedis keeps each slot's deadline in an array of
  64-bit integers (``notes``), read one after the other: the walk looks a key up only to remove
  it (see ``Expires``).

What a key costs the walk
-------------------------
On a big store, what a cycle spends is mostly waiting for memory: a dict of a million keys is far
bigger than the processor's caches, and each dict operation on a key nobody touched lately waits
for two or three reads from memory (about half a microsecond here). Redis removes an expired key
with about five such reads; Kedis needs about eight (the key, its value, its access field and its
deadline are in three dicts and two objects), so a key costs Kedis about twice what it costs
Redis, and the same time limit reclaims about half as many keys. What Kedis avoids is the rest:
a key the walk leaves costs no dict lookup (its note says it stays), the expired keys of a round
are removed together, and a round whose keys had all expired, the usual round once a store's keys
have all passed their deadline, is done in a few list and array slices (``_whole_round_expired``)
instead of key by key. Each gives the same walk, key for key, as the plain loop of ``_round``.

Time, on a fake clock
---------------------
Redis measures a cycle's time on the system clock. On a real clock Kedis does the same (a
monotonic clock). On a fake clock (tests, tutorials) no real time may show: the results would
vary from run to run. So there a cycle's time is *counted*: each key a cycle looks at costs
``FAKE_US_PER_KEY`` (1 us), about what a key costs Redis. The slow cycle's 25 ms are then 25,000
keys, the fast cycle's 1 ms a thousand; INFO's ``expire_cycle_cpu_milliseconds`` adds up the
counted time, and the fast cycle's 2 ms spacing is measured on the fake clock.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import TYPE_CHECKING

from ..util.clock import FakeClock
from .notify import EXPIRED

if TYPE_CHECKING:
    from .dispatcher import Kedis
    from .keyspace import Database

__all__ = ["Expires", "ActiveExpiry", "CycleReport", "DatabaseWalk", "CYCLE_SLOW", "CYCLE_FAST",
           "KEYS_PER_LOOP", "ACCEPTABLE_STALE", "FAST_DURATION_US", "SLOW_TIME_PERCENT",
           "FAKE_US_PER_KEY", "cycle_settings"]

CYCLE_SLOW = "slow"
CYCLE_FAST = "fast"

# expire.c's constants, at active-expire-effort 1.
KEYS_PER_LOOP = 20        # keys a round looks at (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP)
FAST_DURATION_US = 1000   # the fast cycle's time limit (ACTIVE_EXPIRE_CYCLE_FAST_DURATION)
SLOW_TIME_PERCENT = 25    # the slow cycle's share of a tick (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC)
ACCEPTABLE_STALE = 10     # another round while more than this % was expired (..._ACCEPTABLE_STALE)
DBS_PER_CALL = 16         # databases a cycle visits, unless the last one ran out of time
#: How much time a key costs a cycle on a fake clock, where time is counted, not measured.
FAKE_US_PER_KEY = 1
#: Keys of a cycle's walk recorded for the views and %tick (the counts are always complete).
WALK_RECORDED = 200

_INITIAL_SLOTS = 4        # the smallest hash table (DICT_HT_INITIAL_SIZE)
_MIN_FILL = 10            # below this % used, the cron shrinks a table (HASHTABLE_MIN_FILL)


def _table_size(used: int) -> int:
    """The power of two Redis's dict would size a table to for ``used`` keys (_dictNextExp)."""
    return _INITIAL_SLOTS if used <= _INITIAL_SLOTS else 1 << (used - 1).bit_length()


class Expires(dict):
    """One database's expiry index: ``key -> deadline in ms``, and the table the cycles walk.

    It *is* a dict, so reading a deadline is a plain dict lookup (``expires.get(key)``). Writes go
    through ``set`` and ``discard``, which also keep the table's slots: ``keys``, a list of the
    keys in no meaningful order (each new key lands in a random slot), ``notes``, beside it, each
    slot's deadline, and the cycles' ``cursor``. A key whose deadline is removed (DEL, PERSIST, a
    lazy expiry) leaves a *hole*: its slot stays, and holds it, until the walk comes by and takes
    the slot out (``holes`` names them; a key given a deadline again goes back to its slot). So a
    removal outside the walk is one dict deletion, with no index of slots to keep, and the walk
    meets holes as Redis's meets empty buckets. ``slots`` is the size Redis's hash table would
    have (see the module's docstring).

    Why ``notes``? Redis's walk reads a key's deadline in the table entry it is on. A walk over
    ``keys`` alone would look each one up in the dict, and on a big table each lookup is several
    reads far apart in memory: most of the time a cycle spends on a key it leaves. The notes are
    an ``array`` of 64-bit integers in slot order, so the walk reads them one after the other
    and touches a key only to remove it. A note is the deadline the key had when it came to its
    slot; a key given another deadline since (EXPIRE again, or a hole given one back) is
    ``outdated``: the walk reads that key's deadline in the dict instead, and writes it down.
    """

    __slots__ = ("keys", "notes", "holes", "outdated", "cursor", "slots", "_random")

    def __init__(self, rng: random.Random | None = None) -> None:
        super().__init__()
        self.keys: list[bytes] = []        # the slots the cursor walks: keys with a deadline, holes
        self.notes = array("q")            # each slot's deadline, as it was when written there
        self.holes: set[bytes] = set()     # the keys in keys that have no deadline any more
        self.outdated: set[bytes] = set()  # keys whose deadline is not their slot's note
        self.cursor = 0                    # the next slot a cycle looks at (expires_cursor)
        self.slots = 0                     # Redis's table size: 0 until the first key
        self._random = (rng if rng is not None else random.Random(0)).random

    def set(self, key: bytes, deadline: int) -> None:
        old = self.get(key)
        if old is None:
            if key in self.holes:  # its slot is still there: back in it, under an older note
                self.holes.discard(key)
                self.outdated.add(key)
            else:
                keys = self.keys
                notes = self.notes
                used = len(keys)
                if len(self) >= self.slots:  # full: Redis doubles its table (_dictExpandIfNeeded)
                    self.slots = _table_size(len(self) + 1)
                # A random slot, as a hash would place it: what was there moves to the end.
                slot = int(self._random() * (used + 1))
                if slot == used:
                    keys.append(key)
                    notes.append(deadline)
                else:
                    keys.append(keys[slot])
                    notes.append(notes[slot])
                    keys[slot] = key
                    notes[slot] = deadline
        elif old != deadline:  # the same slot, whose note is now out of date
            self.outdated.add(key)
        self[key] = deadline

    def discard(self, key: bytes) -> bool:
        """Forget a key's deadline (its slot becomes a hole); True if it had one."""
        if self.pop(key, None) is None:
            return False
        if self:
            self.holes.add(key)
            if self.outdated:
                self.outdated.discard(key)
        else:  # no deadline left: no slot is worth keeping
            self.drop_holes()
        return True

    def drop_holes(self) -> None:
        """With no deadline left, empty the slots (the table keeps its size, as Redis's)."""
        self.keys.clear()
        del self.notes[:]
        self.holes.clear()
        self.outdated.clear()
        self.cursor = 0

    def clear(self) -> None:
        """Forget every deadline (FLUSHDB): the table is freed, the cursor back at the start."""
        super().clear()
        self.drop_holes()
        self.slots = 0

    def replace(self, deadlines: dict[bytes, int]) -> None:
        """Hold exactly ``deadlines`` (a load from disk): built in bulk, not key by key."""
        super().clear()
        self.update(deadlines)
        self.keys = list(deadlines)
        self.notes = array("q", deadlines.values())
        self.holes = set()
        self.outdated = set()
        self.cursor = 0
        self.slots = _table_size(len(self)) if self else 0

    def deadline_at(self, slot: int) -> int | None:
        """The deadline of the key in ``slot`` (None: a hole), its note brought up to date."""
        if self.holes or self.outdated:
            key = self.keys[slot]
            if key in self.holes:
                return None
            if key in self.outdated:
                self.outdated.discard(key)
                self.notes[slot] = self[key]
        return self.notes[slot]

    def remove_slot(self, slot: int) -> None:
        """Take a slot out: the last slot's key (and note) moves into it, to be looked at next."""
        keys = self.keys
        notes = self.notes
        last = keys.pop()
        note = notes.pop()
        if slot != len(keys):
            keys[slot] = last
            notes[slot] = note

    def resize(self) -> bool:
        """Shrink the table when it is under 10% used, as the cron does (tryResizeHashTables);
        True when it did. Until then a nearly empty table is skipped by the cycles."""
        used = len(self)
        if self.slots > _INITIAL_SLOTS and used * 100 // self.slots < _MIN_FILL:
            self.slots = _table_size(used)
            return True
        return False

    def nearly_empty(self) -> bool:
        """Under 1% of the table used: a cycle skips it (sampling it would meet empty buckets)."""
        return self.slots > _INITIAL_SLOTS and len(self) * 100 // self.slots < 1


@dataclass
class DatabaseWalk:
    """What a cycle did in one database: where its cursor went, what it saw and removed."""

    db: int
    size: int             # keys with a TTL when the cycle came
    cursor_from: int      # the cursor when the cycle came, and when it left
    cursor_to: int = 0
    rounds: int = 0
    sampled: int = 0
    expired: int = 0
    skipped: str = ""     # why it walked nothing: "no key with a TTL", "nearly empty table"


@dataclass
class CycleReport:
    """What one active expiry cycle did: the data ``%tick`` prints and the ExpiryView draws."""

    kind: str                           # CYCLE_SLOW or CYCLE_FAST
    started_ms: int = 0                 # the engine's clock when it ran
    time_limit_us: int = 0
    elapsed_us: int = 0                 # measured, or counted on a fake clock
    time_cap_reached: bool = False
    rounds: int = 0                     # Redis's iterations, over every database
    sampled: int = 0                    # keys looked at
    expired: int = 0                    # of those, removed
    databases: list[DatabaseWalk] = field(default_factory=list)  # in the order visited
    #: The first keys looked at (WALK_RECORDED at most), in order: (db, key, was expired).
    walked: list[tuple[int, bytes, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class CycleSettings:
    """expire.c's parameters at one ``active-expire-effort``."""

    keys_per_loop: int
    fast_duration_us: int
    slow_time_percent: int
    acceptable_stale: int


def cycle_settings(effort: int) -> CycleSettings:
    """The cycles' parameters at ``active-expire-effort`` 1..10 (each step above 1 adds work)."""
    step = effort - 1
    return CycleSettings(KEYS_PER_LOOP + KEYS_PER_LOOP // 4 * step,
                         FAST_DURATION_US + FAST_DURATION_US // 4 * step,
                         SLOW_TIME_PERCENT + 2 * step, ACCEPTABLE_STALE - step)


class ActiveExpiry:
    """The active expiry cycles of one engine, and what they remember from one run to the next
    (the static variables of Redis's activeExpireCycle): the next database to visit, whether the
    last cycle ran out of time, and when the last fast cycle started.

    ``listeners`` are called with each report (the live views); ``last`` is the latest report.
    ``enabled`` is False after DEBUG SET-ACTIVE-EXPIRE 0 (Redis's active_expire_enabled): then
    neither cycle runs, and an expired key goes only when a command touches it.
    """

    def __init__(self, server: Kedis) -> None:
        self.server = server
        self.enabled = True
        self.current_db = 0
        self.timelimit_exit = False
        self.last_fast_cycle_us = 0
        self.last: CycleReport | None = None
        self.listeners: list = []

    # --- the two ways in -------------------------------------------------------------------------
    def _paused(self) -> bool:
        # While clients are paused (CLIENT PAUSE) the dataset must stay as it is: no key
        # expires, actively or lazily (checkClientPauseTimeoutAndReturnIfPaused).
        server = self.server
        return bool(server.pause_kind) and server.clients_paused()

    def slow(self) -> CycleReport:
        """A slow cycle (serverCron's): runs within its share of a tick, unless clients are
        paused or active expiry is off (then an empty report)."""
        if not self.enabled or self._paused():
            return CycleReport(CYCLE_SLOW, self.server.clock.ms(), 0)
        return self._cycle(CYCLE_SLOW, self._now_us())

    def fast(self) -> CycleReport | None:
        """A fast cycle (beforeSleep's), when one is due; None when it is not (see why_not_fast)."""
        if not self.enabled or self._paused():
            return None
        stats = self.server.stats
        settings = cycle_settings(self.server.config["active-expire-effort"])
        # Redis 7.0 compares its stale estimate (a fraction) with a percentage, as here: in
        # effect, only a cycle that ran out of time starts a fast one (redis/redis#15410).
        if not self.timelimit_exit and stats.expired_stale_perc < settings.acceptable_stale:
            return None
        start = self._now_us()
        if start < self.last_fast_cycle_us + settings.fast_duration_us * 2:
            return None
        self.last_fast_cycle_us = start
        return self._cycle(CYCLE_FAST, start)

    def why_not_fast(self) -> str | None:
        """Why ``fast()`` would not run now, in words; None when it would."""
        if not self.enabled:
            return "active expiry is off (DEBUG SET-ACTIVE-EXPIRE 0)"
        settings = cycle_settings(self.server.config["active-expire-effort"])
        if (not self.timelimit_exit
                and self.server.stats.expired_stale_perc < settings.acceptable_stale):
            return "the last cycle finished within its time limit"
        wait = self.last_fast_cycle_us + settings.fast_duration_us * 2 - self._now_us()
        if wait > 0:
            return (f"the last fast cycle started less than {settings.fast_duration_us * 2} us "
                    f"ago: the next may start in {wait} us")
        return None

    def clock_changed(self) -> None:
        """A new clock (the kernel's ``%clock fake``): the fast cycles' spacing was measured on
        the old one, and the last report's times too, so both are forgotten."""
        self.last_fast_cycle_us = 0
        self.last = self.server.last_cycle = None

    def _now_us(self) -> int:
        clock = self.server.clock
        return clock.us() if isinstance(clock, FakeClock) else perf_counter_ns() // 1000

    # --- the cycle ---------------------------------------------------------------------------
    def _cycle(self, kind: str, start: int) -> CycleReport:
        server = self.server
        config = server.config
        stats = server.stats
        settings = cycle_settings(config["active-expire-effort"])
        counted = isinstance(server.clock, FakeClock)  # time counted per key, not measured
        databases = server.databases
        dbnum = len(databases)
        dbs_per_call = DBS_PER_CALL
        if dbs_per_call > dbnum or self.timelimit_exit:
            dbs_per_call = dbnum
        if kind == CYCLE_FAST:
            time_limit = settings.fast_duration_us
        else:
            time_limit = settings.slow_time_percent * 1_000_000 // config["hz"] // 100 or 1
        self.timelimit_exit = False
        keys_per_loop = settings.keys_per_loop
        acceptable = settings.acceptable_stale
        clock_ms = server.clock.ms
        report = CycleReport(kind, clock_ms(), time_limit)
        walked = report.walked
        iteration = total_sampled = total_expired = 0
        for _ in range(dbs_per_call):
            if self.timelimit_exit:
                break
            db = databases[self.current_db % dbnum]
            self.current_db += 1  # now, so that a cycle that runs out of time starts further on
            expires = db.expires
            walk = DatabaseWalk(db.id, len(expires), expires.cursor)
            report.databases.append(walk)
            while True:
                iteration += 1
                if not expires:
                    db.avg_ttl = 0
                    if expires.keys:
                        expires.drop_holes()  # (the walk removed the last deadline itself)
                    if not walk.rounds:
                        walk.skipped = "no key with a TTL"
                    break
                if expires.nearly_empty():
                    walk.skipped = "nearly empty table"
                    break
                num = min(len(expires), keys_per_loop)
                now = clock_ms()
                record = walked if len(walked) < WALK_RECORDED else None
                walk_round = _plain_round if _plain(db) else _round
                sampled, expired, ttl_sum, ttl_samples = walk_round(db, num, now, record)
                walk.rounds += 1
                walk.sampled += sampled
                walk.expired += expired
                total_sampled += sampled
                total_expired += expired
                if ttl_samples:
                    # INFO keyspace's avg_ttl: a running average, this round counting for 2%
                    # (the first round's too, as in Redis 7.0).
                    average = ttl_sum // ttl_samples
                    if db.avg_ttl == 0:
                        db.avg_ttl = average
                    db.avg_ttl = (db.avg_ttl // 50) * 49 + average // 50
                if iteration & 0xF == 0:  # the time, once every 16 rounds
                    elapsed = (total_sampled * FAKE_US_PER_KEY if counted
                               else perf_counter_ns() // 1000 - start)
                    if elapsed > time_limit:
                        self.timelimit_exit = True
                        stats.expired_time_cap_reached_count += 1
                        break
                if sampled and expired * 100 // sampled <= acceptable:
                    break  # few enough stale keys here: on to the next database
            walk.cursor_to = expires.cursor
        report.rounds = iteration
        report.sampled = total_sampled
        report.expired = total_expired
        report.time_cap_reached = self.timelimit_exit
        report.elapsed_us = (total_sampled * FAKE_US_PER_KEY if counted
                             else perf_counter_ns() // 1000 - start)
        stats.expire_cycle_cpu_us += report.elapsed_us
        # expired_stale_perc: a running estimate of the share of stale keys, this cycle 5% of it.
        current = total_expired / total_sampled if total_sampled else 0.0
        stats.expired_stale_perc = current * 0.05 + stats.expired_stale_perc * 0.95
        self.last = server.last_cycle = report
        for listener in list(self.listeners):
            listener(report)
        return report

    def resize_tables(self) -> None:
        """Shrink the tables the cycles left nearly empty (the cron's tryResizeHashTables)."""
        for db in self.server.databases:
            if db.expires.slots:
                db.expires.resize()


def _plain(db: Database) -> bool:
    """Nothing traces, watches or listens to this database's expirations: each expired key can
    be removed by a few dict operations instead of ``expire_key`` (see _plain_round)."""
    hooks = db.hooks
    return not (hooks.tracer is not None or hooks.on_expire or db.watchers
                or db.notify_flags & EXPIRED)


def _round(db: Database, num: int, now: int, walked: list | None) -> tuple[int, int, int, int]:
    """One round: look at ``num`` keys from the cursor, remove the expired ones (each through
    ``expire_key``, with everything it tells), move the cursor past the others, and take out the
    holes met on the way (at most ``num * 20`` slots, as Redis bounds the empty buckets a round
    may cross). Answers the keys seen, those expired, and the TTLs left of the others (their
    sum, and how many). The keys seen go into ``walked`` too, up to WALK_RECORDED (None: not)."""
    expires = db.expires
    sampled = expired = ttl_sum = ttl_samples = checked = 0
    max_checked = num * 20
    # (expires.keys is read again each time: what expire_key tells may write other keys.)
    while sampled < num and checked < max_checked and expires.keys:
        if expires.cursor >= len(expires.keys):
            expires.cursor = 0  # past the end: the walk starts again
        cursor = expires.cursor
        key = expires.keys[cursor]
        checked += 1
        when = expires.deadline_at(cursor)
        if when is None:  # a hole: its slot goes, the last slot's key comes in, seen next
            expires.holes.discard(key)
            expires.remove_slot(cursor)
            continue
        ttl = when - now
        sampled += 1
        if ttl < 0:
            db.expire_key(key, active=True)  # (it tells the listeners, the watchers...)
            expired += 1
            # Its slot goes with it, as the key leaves Redis's bucket: the last slot fills it.
            keys = expires.keys
            if cursor < len(keys) and keys[cursor] is key and key in expires.holes:
                expires.holes.discard(key)
                expires.remove_slot(cursor)
        else:
            if ttl:
                ttl_sum += ttl
                ttl_samples += 1
            expires.cursor = cursor + 1
        if walked is not None:
            walked.append((db.id, key, ttl < 0))
            if len(walked) >= WALK_RECORDED:
                walked = None
    return sampled, expired, ttl_sum, ttl_samples


def _plain_round(db: Database, num: int, now: int, walked: list | None
                 ) -> tuple[int, int, int, int]:
    """``_round`` when nothing watches (``_plain``): the same walk, reading the deadlines in the
    slots' notes, with the expired keys removed together at the end of the round (their value,
    access field, encoding note and deadline) and counted in bulk.

    This is the common case, and the one that must be fast: a server reclaiming a hundred
    thousand keys a second spends its time here. On a big store each key of a dict is in a
    part of memory nothing has read lately, and a dict operation on it costs about half a
    microsecond in waiting for memory: so a key the round leaves costs no dict operation (its
    note says it stays), and a key it removes costs the three it must (data, access field,
    deadline). Only when some notes are not to be trusted (a hole or an outdated note in the
    table) does the round look at each key's own deadline (``Expires.deadline_at``).
    """
    expires = db.expires
    keys = expires.keys
    notes = expires.notes
    cursor = expires.cursor
    suspects = bool(expires.holes or expires.outdated)  # some notes are not to be trusted
    gone = _whole_round_expired(expires, num, now) if not suspects else None
    if gone is not None:  # every key the round met had expired: taken out in a few slices
        sampled = num
        ttl_sum = ttl_samples = 0
        if walked is not None:
            for key in gone[:WALK_RECORDED - len(walked)]:
                walked.append((db.id, key, True))
    else:
        gone = []  # the expired keys, in the order met
        sampled = ttl_sum = ttl_samples = checked = 0
        max_checked = num * 20
        while sampled < num and checked < max_checked and keys:
            if cursor >= len(keys):
                cursor = 0
            checked += 1
            when = expires.deadline_at(cursor) if suspects else notes[cursor]
            if when is None:  # a hole: its slot goes, the last slot's key comes in, seen next
                expires.holes.discard(keys[cursor])
                expires.remove_slot(cursor)
                continue
            sampled += 1
            if walked is not None:  # the first keys of a cycle, for the views and %tick
                walked.append((db.id, keys[cursor], now > when))
                if len(walked) >= WALK_RECORDED:
                    walked = None
            if now <= when:  # still alive: the cursor moves past it
                if now < when:
                    ttl_sum += when - now
                    ttl_samples += 1
                cursor += 1
                continue
            # Expired: its slot goes (the last one fills it, and is seen next), the key with it.
            gone.append(keys[cursor])
            last = keys.pop()
            note = notes.pop()
            if cursor != len(keys):
                keys[cursor] = last
                notes[cursor] = note
        expires.cursor = cursor
    if gone:
        data = db.data
        lru = db.lru
        encodings = db.encodings
        for key in gone:
            del data[key]
            lru.pop(key, None)
            if encodings:
                encodings.pop(key, None)
            del expires[key]
        stats = db.stats
        stats.expired_keys += len(gone)
        stats.expired_keys_active += len(gone)
    return sampled, len(gone), ttl_sum, ttl_samples


def _whole_round_expired(expires: Expires, num: int, now: int) -> list[bytes] | None:
    """A round in which every key met has expired, done in a few slices; None if it is not one.

    Such a round (most of them, once a store's keys have all expired) meets the key under the
    cursor, then, each time it removes one, the key the last slot brings in: the keys of the
    slot at the cursor and of the last ``num - 1`` slots, last first. When all their notes are
    past, the end is known before the walk: those keys go, the slot ``num`` from the end fills
    the cursor's, the list is ``num`` shorter. (Not when the cursor is among those last slots:
    the walk would start again from the first one.)
    """
    keys = expires.keys
    notes = expires.notes
    cursor = expires.cursor
    tail = len(keys) - num + 1  # the first of the last num - 1 slots
    if num < 2 or cursor >= tail - 1 or now <= notes[cursor] or now <= max(notes[tail:]):
        return None
    gone = [keys[cursor]]
    gone += reversed(keys[tail:])
    keys[cursor] = keys[tail - 1]
    notes[cursor] = notes[tail - 1]
    del keys[tail - 1:]
    del notes[tail - 1:]
    return gone
