"""The clocks that eviction reads: each key's last access (LRU) or access frequency (LFU) (evict.c).

Redis keeps, in 24 bits of every value's object header (``robj->lru``), one of two things,
chosen by ``maxmemory-policy``:

- **LRU** (the default, and every policy but the ``*-lfu`` ones): the time of the key's last
  access, in seconds, on a 24-bit clock (``LRU_CLOCK``) that wraps around every 194 days. The
  clock is read from a copy that serverCron refreshes, so an access costs no system call.
  OBJECT IDLETIME is the difference between now and that time.
- **LFU** (``allkeys-lfu``, ``volatile-lfu``): how *often* the key is used. 16 bits of minutes
  (when the counter was last decremented) and an 8-bit counter that grows *logarithmically*:
  each access increments it with probability 1 / ((counter - 5) * lfu-log-factor + 1), so 255
  stands for about a million hits at the default factor of 10. And it decays: it loses one for
  every ``lfu-decay-time`` minutes without access. OBJECT FREQ reads it.

Every lookup that is not marked "no touch" updates one or the other (keyspace.py's
``lookup_read`` and ``lookup_write``, Redis's lookupKey), and a new value starts at "now" (LRU) or
at a counter of 5 (LFU), so that a new key is not evicted before it had a chance to be used.

Kedis keeps this 24-bit field in a dict beside the data (``Database.lru``), since a Kedis value
is a plain Python object with no header to put it in. Eviction itself (maxmemory, the sampling
pool) comes later; these clocks are what it will read.
"""

from __future__ import annotations

from random import Random

__all__ = ["LRU_CLOCK_MAX", "LRU_CLOCK_RESOLUTION", "LFU_INIT_VAL", "lru_clock", "idle_ms",
           "lfu_minutes", "lfu_initial", "lfu_decayed", "lfu_touched", "idle_field"]

LRU_BITS = 24
LRU_CLOCK_MAX = (1 << LRU_BITS) - 1   # the clock wraps around after this many seconds
LRU_CLOCK_RESOLUTION = 1000           # ms per tick of the LRU clock
LFU_INIT_VAL = 5                      # a new key's counter


def lru_clock(now_ms: int) -> int:
    """The LRU clock at ``now_ms``: seconds, on 24 bits (getLRUClock)."""
    return (now_ms // LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX


def idle_ms(clock: int, stamp: int) -> int:
    """How long ago ``stamp`` was, on the LRU clock, in ms (estimateObjectIdleTime): the clock
    may have wrapped around since."""
    if clock >= stamp:
        return (clock - stamp) * LRU_CLOCK_RESOLUTION
    return (clock + (LRU_CLOCK_MAX - stamp)) * LRU_CLOCK_RESOLUTION


def lfu_minutes(now_ms: int) -> int:
    """The LFU field's time: minutes, on 16 bits (LFUGetTimeInMinutes)."""
    return (now_ms // 60_000) & 65535


def lfu_initial(now_ms: int) -> int:
    """A new value's LFU field: now, and a counter of LFU_INIT_VAL."""
    return lfu_minutes(now_ms) << 8 | LFU_INIT_VAL


def lfu_decayed(field: int, now_ms: int, decay_time: int) -> int:
    """The counter in ``field`` once the minutes since its last decrement have taken their toll:
    one per ``decay_time`` minutes (LFUDecrAndReturn). What OBJECT FREQ answers."""
    counter = field & 255
    if decay_time:
        then = field >> 8
        now = lfu_minutes(now_ms)
        elapsed = now - then if now >= then else 65535 - then + now
        periods = elapsed // decay_time
        counter = 0 if periods > counter else counter - periods
    return counter


def lfu_touched(field: int, now_ms: int, decay_time: int, log_factor: int, rng: Random) -> int:
    """The LFU field after one access (updateLFU): decay, then a logarithmic increment."""
    counter = lfu_decayed(field, now_ms, decay_time)
    if counter < 255:
        base = max(counter - LFU_INIT_VAL, 0)
        if rng.random() < 1.0 / (base * log_factor + 1):
            counter += 1
    return lfu_minutes(now_ms) << 8 | counter


def idle_field(clock: int, idle_seconds: int) -> int:
    """The LRU field of a key last used ``idle_seconds`` ago, with the LRU clock at ``clock``
    (objectSetLRUOrLFU): the clock minus the idle time, on 24 bits. As in Redis, the seconds are
    scaled to the clock's ms resolution in a long long (a huge IDLETIME wraps around), and a time
    before the clock's start goes round to its end."""
    scaled = idle_seconds * 1000 % (1 << 64)
    if scaled >= 1 << 63:  # a C long long wraps around where Python's int does not
        scaled -= 1 << 64
    idle = abs(scaled) // 1000 * (1 if scaled >= 0 else -1)  # C's division truncates
    stamp = clock - idle
    if stamp < 0:
        stamp += LRU_CLOCK_MAX
    return stamp & LRU_CLOCK_MAX
