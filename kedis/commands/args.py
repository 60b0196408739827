"""A command's numeric arguments, read as Redis reads them (object.c's get*FromObjectOrReply).

The rules of what is an integer are util/numbers.py's (Redis's string2ll); what this adds is the
handler's side: an argument that breaks them is an error reply, the one Redis gives for it.
"""

from __future__ import annotations

from ..engine.errors import INT32_RANGE, NOT_INTEGER, CommandError
from ..util.numbers import string_to_int

__all__ = ["parse_int", "parse_int32"]


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
