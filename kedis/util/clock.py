"""Clocks: where the engine's "now" comes from.

Redis reads the system clock (``mstime()`` in server.c) whenever it needs to know whether a key has
expired. Kedis asks an injectable clock instead, so that tests and tutorials can *move time by hand*
and never sleep: ``FakeClock.advance(10)`` makes ten seconds pass instantly and deterministically.

Both clocks answer in two units, like Redis does internally:

- ``time()``: seconds since the Unix epoch, as a float (what ``TIME`` reports);
- ``ms()``: whole milliseconds since the epoch, as an int (the unit of every expiry deadline);
- ``us()``: whole microseconds (the active expiry cycle's unit on a fake clock, expiry.py).
"""

from __future__ import annotations

import time as _time


class RealClock:
    """The system clock. The default for users: keys expire in real time."""

    def time(self) -> float:
        return _time.time()

    def ms(self) -> int:
        return _time.time_ns() // 1_000_000

    def us(self) -> int:
        return _time.time_ns() // 1_000

    def __repr__(self) -> str:
        return "RealClock()"


class FakeClock:
    """A clock that only moves when told to.

    >>> clock = FakeClock(1_700_000_000.0)
    >>> clock.advance(1.5)
    >>> clock.ms()
    1700000001500
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        # Time is kept in integer microseconds so that advancing by 0.001 s a thousand times lands
        # exactly on one second: floats would drift, and expiry deadlines are compared exactly.
        self._us = round(start * 1_000_000)
        #: Called after each move: what keeps a copy of the time (the engine's LRU clock, which
        #: a real clock's host refreshes hz times a second) follows at once.
        self.listeners: list = []

    def time(self) -> float:
        return self._us / 1_000_000

    def ms(self) -> int:
        return self._us // 1_000

    def us(self) -> int:
        return self._us

    def advance(self, seconds: float) -> None:
        """Move time forward (a negative amount moves it back, which Redis never sees: use with care)."""
        self._us += round(seconds * 1_000_000)
        for listener in self.listeners:
            listener()

    def set(self, when: float) -> None:
        """Jump to an absolute time, in seconds since the epoch."""
        self._us = round(when * 1_000_000)
        for listener in self.listeners:
            listener()

    def __repr__(self) -> str:
        return f"FakeClock({self.time()!r})"
