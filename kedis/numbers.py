"""Numbers as Redis reads them from arguments and values (util.c: string2ll, strtoul).

Redis is strict: ``"007"``, ``"+5"``, ``" 5"``, ``"5.0"`` and ``"-0"`` are not integers, whatever
Python's ``int()`` would say. A counter stored as text can only be incremented if it is written
exactly the way Redis would write the number itself. These helpers apply those rules.
"""

from __future__ import annotations

from .errors import INT32_RANGE, NOT_INTEGER, CommandError

__all__ = ["LLONG_MAX", "LLONG_MIN", "string_to_int", "parse_int", "parse_int32"]

LLONG_MAX = 2 ** 63 - 1
LLONG_MIN = -(2 ** 63)


def string_to_int(data: bytes) -> int | None:
    """The integer ``data`` spells in Redis's strict form, or None (Redis's string2ll).

    Accepted: ``0``, or an optional ``-`` and digits without a leading zero, within 64 bits.
    """
    if data.isdigit() and len(data) < 19 and (data[0] != 0x30 or len(data) == 1):
        return int(data)  # the usual counter, answered first: 18 digits always fit in 64 bits
    digits = data[1:] if data[:1] == b"-" else data
    if not digits.isdigit() or len(data) > 20:
        return None
    if digits[0] == 0x30 and data != b"0":  # leading zero, or "-0"
        return None
    value = int(data)
    if value > LLONG_MAX or value < LLONG_MIN:
        return None
    return value


def parse_int(data: bytes, error: str = NOT_INTEGER) -> int:
    """A 64-bit integer argument, or a CommandError (getLongLongFromObjectOrReply)."""
    value = string_to_int(data)
    if value is None:
        raise CommandError(error)
    return value


def parse_int32(data: bytes, error: str | None = None) -> int:
    """A C ``int`` argument (SELECT's index, COPY's DB), as getIntFromObjectOrReply reads it.

    Two checks, two different errors: not a 64-bit integer at all is NOT_INTEGER; an integer that
    does not fit in 32 bits says which range it must be in (getRangeLongFromObjectOrReply). A
    command that gives its own message (SWAPDB's "invalid first DB index") gets it for both.
    """
    value = parse_int(data, error or NOT_INTEGER)
    if not -(2 ** 31) <= value < 2 ** 31:
        raise CommandError(error or INT32_RANGE)
    return value
