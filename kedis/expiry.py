"""Expiry: the index of deadlines, and the active cycle that removes expired keys nobody asks for.

Redis keeps expiry *beside* the data, not inside it: each database has a second dict, ``expires``,
from key to deadline (Unix time in milliseconds). A key without a TTL costs nothing extra. Expired
keys are removed by two mechanisms, and Kedis implements both:

1. **Lazy** (``expireIfNeeded`` in db.c): any command that touches a key first checks its deadline
   and deletes it if it has passed. Cheap, but a key nobody touches again would stay forever...
2. **Active** (``activeExpireCycle`` in expire.c): so, about ten times a second, Redis *samples* a
   few keys that have a TTL, deletes the expired ones, and repeats while the sample suggests that
   many more are expired (here: more than a quarter of the sample), within a time budget.

Why sample instead of scanning every key with a TTL? A scan costs time proportional to the number
of keys, and it would freeze the server on a store with millions of them. A random sample of 20
estimates how many keys are stale: if few are, stop; if many are, clean more. Memory held by expired
keys stays bounded (about 25% of the keys with a TTL, at worst), and each cycle stays short.

Redis 6 and 7 refine this: they walk the expires table with a cursor instead of picking random keys,
and ``active-expire-effort`` tunes the thresholds (10% stale by default). Kedis keeps the classic,
easier to see version: random samples of 20, a 25% threshold, a time budget of 25% of a tick.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Kedis

__all__ = ["Expires", "CycleReport", "active_expire_cycle", "KEYS_PER_LOOP", "STALE_PERCENT"]

KEYS_PER_LOOP = 20   # keys sampled per round (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP)
STALE_PERCENT = 25   # another round while more than this share of a sample was expired
BUDGET_PERCENT = 25  # share of one tick's period the cycle may use (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC)


class Expires(dict):
    """One database's expiry index: ``key -> deadline in ms``, and random sampling in O(1).

    It *is* a dict, so reading a deadline is a plain dict lookup (``expires.get(key)``). Writes go
    through ``set`` and ``discard``, which also keep a list of the keys so that the active cycle can
    pick random ones without copying the dict (a Python dict cannot pick a random key by itself).
    """

    __slots__ = ("_keys", "_slot")

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[bytes] = []       # every key with a deadline, in no particular order
        self._slot: dict[bytes, int] = {}  # where each key sits in _keys

    def set(self, key: bytes, deadline: int) -> None:
        if key not in self._slot:
            self._slot[key] = len(self._keys)
            self._keys.append(key)
        self[key] = deadline

    def discard(self, key: bytes) -> bool:
        """Forget a key's deadline; True if it had one."""
        slot = self._slot.pop(key, None)
        if slot is None:
            return False
        del self[key]
        last = self._keys.pop()
        if last != key:  # fill the hole with the last key: removal stays O(1)
            self._keys[slot] = last
            self._slot[last] = slot
        return True

    def clear(self) -> None:
        super().clear()
        self._keys.clear()
        self._slot.clear()

    def replace(self, deadlines: dict[bytes, int]) -> None:
        """Hold exactly ``deadlines`` (a load from disk): built in bulk, not key by key."""
        super().clear()
        self.update(deadlines)
        self._keys = list(deadlines)
        self._slot = {key: slot for slot, key in enumerate(self._keys)}

    def sample(self, rng: random.Random, count: int) -> list[bytes]:
        """Up to ``count`` distinct keys picked at random."""
        keys = self._keys
        return rng.sample(keys, count) if count < len(keys) else list(keys)


@dataclass
class CycleReport:
    """What one run of the active expiry cycle did: the data the ExpiryView draws."""

    started_ms: int = 0                 # engine clock when the cycle ran
    sampled: list[tuple[int, bytes, bool]] = field(default_factory=list)  # (db, key, was expired)
    expired: int = 0
    rounds: int = 0
    time_cap_reached: bool = False
    elapsed_us: int = 0


def active_expire_cycle(server: Kedis, budget_ms: float | None = None) -> CycleReport:
    """Run one cycle of active expiry over every database (Redis's slow cycle).

    Each round samples ``KEYS_PER_LOOP`` keys with a TTL in one database and deletes the expired
    ones; the database gets another round while more than ``STALE_PERCENT`` % of its sample was
    expired. The cycle stops early when it has used its time budget (by default 25% of one tick at
    the configured ``hz``), so that a store full of expired keys never blocks commands for long.
    """
    if server.pause_kind and server.clients_paused():
        # Clients are paused (CLIENT PAUSE): the dataset stays as it is, no key expires.
        return CycleReport(started_ms=server.clock.ms())
    if budget_ms is None:
        budget_ms = 1000 / max(server.config_hz, 1) * BUDGET_PERCENT / 100
    start = time.perf_counter()
    deadline = start + budget_ms / 1000
    now = server.clock.ms()
    report = CycleReport(started_ms=now)
    stats = server.stats
    for db in server.databases:
        expires = db.expires
        ttl_sum = ttl_count = 0
        while expires:
            report.rounds += 1
            sample = expires.sample(server.rng, KEYS_PER_LOOP)
            expired = 0
            for key in sample:
                when = expires.get(key)
                if when is None:
                    continue
                if now > when:
                    db.expire_key(key, active=True)
                    expired += 1
                    report.sampled.append((db.id, key, True))
                else:
                    ttl_sum += when - now
                    ttl_count += 1
                    report.sampled.append((db.id, key, False))
            report.expired += expired
            if time.perf_counter() > deadline:
                report.time_cap_reached = True
                stats.expired_time_cap_reached_count += 1
                break
            if expired * 100 <= STALE_PERCENT * len(sample):
                break
        if ttl_count:
            # Redis keeps a running estimate of the average TTL for INFO keyspace (avg_ttl):
            # each cycle's sample counts for 2% of it.
            average = ttl_sum // ttl_count
            db.avg_ttl = average if db.avg_ttl == 0 else (db.avg_ttl // 50) * 49 + average // 50
        elif not expires:
            db.avg_ttl = 0
        if report.time_cap_reached:
            break
    report.elapsed_us = int((time.perf_counter() - start) * 1_000_000)
    stats.expire_cycle_cpu_us += report.elapsed_us
    sampled = len(report.sampled)
    if sampled:
        # expired_stale_perc: Redis's running estimate of the share of expired keys among TTL keys.
        current = report.expired / sampled
        stats.expired_stale_perc = current * 0.05 + stats.expired_stale_perc * 0.95
    server.last_cycle = report
    return report
