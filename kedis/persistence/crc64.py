"""CRC-64 as Redis computes it (crc64.c): the checksum at the end of every RDB file.

A CRC (cyclic redundancy check) treats the data as one long binary polynomial and keeps the
remainder of its division by a fixed polynomial, here Jones's 0xad93d23594c935a9, in its
"reflected" form (bits are read least significant first, as Redis does), starting from 0 with no
final xor. Any burst of errors shorter than 64 bits, and all but a 2**-64 share of longer damage,
changes the remainder: a file whose last 8 bytes do not match the CRC of the bytes before them
has been damaged (or cut short) since it was written.

The textbook way is one table lookup per byte (``crc64_python`` below: ``table[(crc ^ byte) & 0xff]``
holds the effect of 8 bits of division). In CPython that is about ten million bytes a second,
seconds for a dump of a million keys, where Redis's C (slicing-by-16) does gigabytes. So ``crc64``
uses anycrc's C code when it is installed (a dependency of Kedis: the same CRC model, called
CRC64-REDIS there), and falls back to the table otherwise. The check value proves they agree:
``crc64(b"123456789") == 0xe9c6d914c4b8d9ca``, the value Redis's own test asserts.
"""

from __future__ import annotations

__all__ = ["crc64", "crc64_python", "POLY", "CHECK"]

POLY = 0xAD93D23594C935A9  # Jones's polynomial, as written in its normal (unreflected) form
CHECK = 0xE9C6D914C4B8D9CA  # crc64(b"123456789"), the standard check value


def _reflect(value: int, bits: int) -> int:
    return int(format(value, f"0{bits}b")[::-1], 2)


def _make_table() -> tuple[int, ...]:
    poly = _reflect(POLY, 64)  # reflected CRC: shift right, xor the reflected polynomial
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _make_table()


def crc64_python(data: bytes, crc: int = 0) -> int:
    """The CRC of ``data``, continuing from ``crc`` (the CRC of the bytes before it): one table
    lookup per byte. Slow, but it is the whole algorithm."""
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


try:
    from anycrc import Model as _Model

    _model = _Model("CRC64-REDIS")

    def crc64(data: bytes, crc: int = 0) -> int:
        """The CRC of ``data``, continuing from ``crc`` (anycrc's C code)."""
        return _model.calc(data, crc) if data else crc

except ImportError:  # pragma: no cover - anycrc is a dependency; this keeps Kedis running without
    crc64 = crc64_python
