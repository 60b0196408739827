"""The store at one instant, as a dump records it: what SAVE, BGSAVE and an AOF rewrite write.

Each database becomes an ``rdb.Snapshot``: its keys and values, its deadlines, and, when the
maxmemory-policy keeps them, each key's idle time or access counter (evict.py). SAVE writes the
databases themselves (``live``: no command runs meanwhile); BGSAVE and BGREWRITEAOF write a copy
(``snapshot``), taken at the command, while commands go on. ``rdb_aux`` is the file's header of
aux fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.evict import idle_ms, lfu_decayed, lfu_initial
from ..engine.keyspace import TYPE_NAMES, duplicate
from ..engine.stats import rss_bytes
from ..engine.version import REDIS_VERSION
from . import rdb

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis

__all__ = ["snapshot", "live", "rdb_aux"]


def snapshot(server: Kedis) -> list[rdb.Snapshot]:
    """Every non-empty database at this instant, copied: what BGSAVE and an AOF rewrite write
    while commands go on (disk.py's docstring says why a copy, where Redis forks)."""
    shots = []
    for db in server.databases:
        if not db.data:
            continue
        data = dict(db.data)
        if len(TYPE_NAMES) > 1:  # there are types whose values change in place: copy those
            for key, value in data.items():
                if type(value) is not bytes:
                    data[key] = duplicate(value)
        shots.append((db.id, data, dict(db.expires), *_access(server, db)))
    return shots


def live(server: Kedis) -> list[rdb.Snapshot]:
    """The databases themselves, for SAVE: no command runs while it writes, so no copy."""
    return [(db.id, db.data, db.expires, *_access(server, db))
            for db in server.databases if db.data]


def _access(server: Kedis, db: Any) -> tuple[dict[bytes, bytes], ...]:
    # With an LRU maxmemory-policy Redis writes each key's idle seconds before it, with an LFU
    # one its counter (rdbSaveKeyValuePair), so that a restart keeps what eviction needs.
    policy = server.config["maxmemory-policy"]
    fields = db.lru
    if policy.endswith("-lru"):
        clock = db.lru_clock
        return ({key: rdb.access_record(idle_ms(clock, fields.get(key, clock)) // 1000)
                 for key in db.data},)
    if policy.endswith("-lfu"):
        now, decay = server.clock.ms(), server.config["lfu-decay-time"]
        initial = lfu_initial(now)
        return ({key: rdb.access_record(freq=lfu_decayed(fields.get(key, initial), now, decay))
                 for key in db.data},)
    return ()


def rdb_aux(server: Kedis, aof_base: bool = False) -> dict[str, str | int]:
    """The aux fields Redis 7.0 writes at the top of a dump (rdbSaveInfoAuxFields)."""

    return {"redis-ver": REDIS_VERSION, "redis-bits": 64, "ctime": int(server.clock.time()),
            "used-mem": rss_bytes(), "aof-base": int(aof_base)}
