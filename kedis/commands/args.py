"""A command's numeric arguments, read as Redis reads them (object.c's get*FromObjectOrReply).

The rules of what is an integer are util/numbers.py's (Redis's string2ll); what this adds is the
handler's side: an argument that breaks them is an error reply, the one Redis gives for it.
"""

from __future__ import annotations

from ..engine.errors import INT32_RANGE, NOT_INTEGER, CommandError
from ..util.numbers import LLONG_MAX, LLONG_MIN, string_to_int

__all__ = ["parse_int", "parse_int32", "parse_range", "counted_keys"]


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


def parse_range(data: bytes, low: int, high: int, error: str | None = None) -> int:
    """An integer argument within ``low`` and ``high`` (getRangeLongFromObjectOrReply). A command
    that gives its own message (LPOS's "COUNT can't be negative") gets it for both faults: not an
    integer, and out of range; without one, each fault has Redis's own words."""
    value = parse_int(data, error or NOT_INTEGER)
    if not low <= value <= high:
        raise CommandError(error or f"ERR value is out of range, value must between {low} and "
                                    f"{high}")
    return value


def _atoi(data: bytes) -> int:
    # C's atoi(), which Redis's getkeys functions use: leading spaces, a sign, digits up to the
    # first other byte (0 if none); the long it reads is then cut to a 32-bit int.
    text = data.split(b"\x00", 1)[0].lstrip(b" \t\n\r\x0b\x0c")
    sign = -1 if text[:1] == b"-" else 1
    digits = text[1:] if text[:1] in (b"-", b"+") else text
    end = 0
    while end < len(digits) and digits[end:end + 1].isdigit():
        end += 1
    value = max(LLONG_MIN, min(LLONG_MAX, sign * int(digits[:end] or b"0")))
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31


def counted_keys(argv: list[bytes], count_at: int) -> list[tuple[int, tuple[str, ...]]]:
    """The keys of a command whose argument at ``count_at`` says how many keys follow it
    (SINTERCARD, LMPOP), for COMMAND GETKEYS(ANDFLAGS) when the key spec cannot find them
    (db.c's genericGetKeys).

    The spec finds them when the count is a strict integer and the keys are all there (with
    the spec's flags); otherwise Redis tries again with C's atoi(), which accepts "02" or
    "2abc", and that path answers keys without flags, or none for a count out of range.
    """
    count = _atoi(argv[count_at])
    first = count_at + 1
    if 1 <= count <= len(argv) - first:
        return [(i, ()) for i in range(first, first + count)]
    return []
