"""Server counters: what INFO's stats section reports, and what CONFIG RESETSTAT zeroes."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Stats"]


@dataclass
class Stats:
    total_commands_processed: int = 0
    keyspace_hits: int = 0           # reads that found their key
    keyspace_misses: int = 0         # reads that did not
    expired_keys: int = 0            # keys removed because their TTL passed, both ways:
    expired_keys_lazy: int = 0       #   on access (Kedis's own counter; Redis only has the sum)
    expired_keys_active: int = 0     #   by the active expiry cycle
    expired_stale_perc: float = 0.0  # running estimate of the share of expired keys among TTL keys
    expired_time_cap_reached_count: int = 0
    expire_cycle_cpu_us: int = 0
    total_error_replies: int = 0
    unexpected_error_replies: int = 0  # Kedis bugs turned into error replies instead of crashes
    #: Changes to the store since the last save (Redis's server.dirty): each key a command
    #: creates, changes or deletes counts one. INFO's rdb_changes_since_last_save; the save rules
    #: read it. A save zeroes it, CONFIG RESETSTAT does not: it is not a statistic but a state.
    dirty: int = 0

    def reset(self) -> None:
        for f in fields(self):
            if f.name != "dirty":
                setattr(self, f.name, f.default)
