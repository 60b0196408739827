"""Server counters: what INFO's stats section reports, and what CONFIG RESETSTAT zeroes."""

from __future__ import annotations

import os
import resource
from dataclasses import MISSING, dataclass, field, fields

__all__ = ["Stats", "Rate"]

#: How many samples the instantaneous rates average (Redis's STATS_METRIC_SAMPLES).
RATE_SAMPLES = 16


class Rate:
    """A per-second rate over the last samples of a growing counter, as Redis computes
    INFO's ``instantaneous_ops_per_sec`` (trackInstantaneousMetric, called from serverCron)."""

    __slots__ = ("last_time", "last_value", "samples")

    def __init__(self) -> None:
        self.last_time: float | None = None
        self.last_value = 0
        self.samples: list[float] = []

    def sample(self, now: float, value: int) -> None:
        if self.last_time is not None and now > self.last_time:
            self.samples.append((value - self.last_value) / (now - self.last_time))
            del self.samples[:-RATE_SAMPLES]
        self.last_time = now
        self.last_value = value

    @property
    def per_second(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else 0.0


@dataclass
class Stats:
    #: This engine's copies of the command table's entries, subcommands included: each counts
    #: its own calls, time and errors (INFO commandstats; the engine fills it in).
    commands: list = field(default_factory=list, repr=False)
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
    #: Changes to the store since the last save (Redis's server.dirty): INFO's
    #: rdb_changes_since_last_save. The save rules read it (persistence/disk.py), and the AOF appends
    #: a command when it made it grow (aof.py). Each command handler adds its own changes, where
    #: Redis's command does ``server.dirty++``: mostly one per key written, but one per member
    #: for SADD and SREM, one for a SET with a TTL or a RENAME, none for a key that expires (see
    #: keyspace.py for why the handlers count, not the keyspace). A save zeroes it, CONFIG
    #: RESETSTAT does not: it is not a statistic but a state.
    dirty: int = 0
    #: Error replies by their code, the first word (INFO errorstats: ``errorstat_ERR:count=3``).
    errors: dict[str, int] = field(default_factory=dict)
    # The network's counters, kept by kedis-server (network/server.py): bytes in and out, and how many
    # times it read from or wrote to a socket.
    net_input_bytes: int = 0
    net_output_bytes: int = 0
    reads_processed: int = 0
    writes_processed: int = 0
    #: INFO's instantaneous_* rates (commands, and kilobytes in and out, per second).
    rates: dict[str, Rate] = field(default_factory=lambda: {
        "ops": Rate(), "input": Rate(), "output": Rate()})

    @property
    def total_commands_processed(self) -> int:
        """Every command that ran (Redis's stat_numcommands): the sum of each command's calls."""
        return sum(cmd.calls for cmd in self.commands)

    def count_error(self, text: str) -> None:
        """Count an error reply, in all and by its code (Redis's afterErrorReply)."""
        self.total_error_replies += 1
        code = text.split(" ", 1)[0]
        self.errors[code] = self.errors.get(code, 0) + 1

    def sample_rates(self, now: float) -> None:
        """Take one sample for the instantaneous rates (about ``hz`` times a second)."""
        self.rates["ops"].sample(now, self.total_commands_processed)
        self.rates["input"].sample(now, self.net_input_bytes)
        self.rates["output"].sample(now, self.net_output_bytes)

    def reset(self) -> None:
        """CONFIG RESETSTAT: every counter back to zero, the commands' too (but not ``dirty``)."""
        for f in fields(self):
            if f.name not in ("dirty", "commands"):
                setattr(self, f.name,
                        f.default_factory() if f.default is MISSING else f.default)  # type: ignore[misc]
        for cmd in self.commands:
            cmd.calls = cmd.duration_ns = cmd.failed_calls = cmd.rejected_calls = 0


def rss_bytes() -> int:
    """The memory the process holds (resident set size): INFO memory's used_memory_rss."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
