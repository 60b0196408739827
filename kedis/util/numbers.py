"""Numbers as Redis reads them from arguments and values (util.c: string2ll, strtoul).

Redis is strict: ``"007"``, ``"+5"``, ``" 5"``, ``"5.0"`` and ``"-0"`` are not integers, whatever
Python's ``int()`` would say. A counter stored as text can only be incremented if it is written
exactly the way Redis would write the number itself. These helpers apply those rules.
"""

from __future__ import annotations

__all__ = ["LLONG_MAX", "LLONG_MIN", "string_to_int"]

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
