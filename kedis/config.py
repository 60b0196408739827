"""Configuration parameters: the ones Kedis really has, read and set by CONFIG GET / CONFIG SET.

Redis has about 200 parameters (config.c). Kedis declares only those that change what it does:

- ``databases``: how many logical databases (fixed when the engine starts, as in Redis);
- ``hz``: how many times a second hosts run the active expiry cycle (``Kedis.tick``), 1..500;
- ``proto-max-bulk-len``: the longest string a command may build (APPEND, SETRANGE), 512mb.

Values are parsed and checked the way Redis checks them, with the same error texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .numbers import string_to_int

__all__ = ["Parameter", "ConfigError", "PARAMETERS", "parse_memory"]


class ConfigError(ValueError):
    """A value a parameter refuses; the message is Redis's reason ("argument must be ...")."""


_MEMORY = re.compile(rb"(\d*)(k|kb|m|mb|g|gb|b)?\Z", re.IGNORECASE)
_UNITS = {None: 1, b"b": 1, b"k": 1000, b"kb": 1024, b"m": 1000 ** 2, b"mb": 1024 ** 2,
          b"g": 1000 ** 3, b"gb": 1024 ** 3}
_ULLONG = 2 ** 64


def parse_memory(value: bytes) -> int:
    """``512mb`` -> 536870912, as Redis's memtoull reads it (k=1000, kb=1024, m, mb, g, gb).

    Redis's quirks are kept: no digits at all means 0 (``kb`` is 0 bytes), more than 127 digits is
    not a memory value, and a number too big for 64 bits wraps around as C's unsigned arithmetic
    does, so that the range check that follows refuses it.
    """
    match = _MEMORY.match(value)
    if not match or len(match.group(1)) >= 128:
        raise ConfigError("argument must be a memory value")
    number = min(int(match.group(1) or b"0"), _ULLONG - 1)  # strtoull saturates at ULLONG_MAX
    unit = match.group(2).lower() if match.group(2) else None
    wrapped = number * _UNITS[unit] % _ULLONG
    return wrapped - _ULLONG if wrapped >= _ULLONG // 2 else wrapped  # stored in a long long


def _parse_integer(value: bytes) -> int:
    number = string_to_int(value)  # Redis's string2ll: 64 bits, no "+", no leading zeros
    if number is None:
        raise ConfigError("argument couldn't be parsed into an integer")
    return number


@dataclass
class Parameter:
    name: str
    default: int
    minimum: int
    maximum: int
    parse: Callable[[bytes], int]
    mutable: bool = True
    clamp: tuple[int, int] | None = None  # accepted, then held within this range (hz)

    def convert(self, raw: bytes) -> int:
        value = self.parse(raw)
        if not self.minimum <= value <= self.maximum:
            raise ConfigError(f"argument must be between {self.minimum} and {self.maximum} inclusive")
        if self.clamp:
            value = min(max(value, self.clamp[0]), self.clamp[1])
        return value


_LONG_MAX = 2 ** 63 - 1
_INT_MAX = 2 ** 31 - 1

PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("databases", 16, 1, _INT_MAX, _parse_integer, mutable=False),
    Parameter("hz", 10, 0, _INT_MAX, _parse_integer, clamp=(1, 500)),
    Parameter("proto-max-bulk-len", 512 * 1024 * 1024, 1024 * 1024, _LONG_MAX, parse_memory),
)}
