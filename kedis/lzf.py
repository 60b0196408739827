"""LZF decompression: how Redis shrinks long strings in an RDB file (lzf_d.c).

With ``rdbcompression yes`` (the default), Redis tries to compress every string longer than 20
bytes with LZF, a tiny member of the LZ77 family built for speed, and keeps the result only when
it saves space. The compressed data is a series of instructions, each starting with a control
byte ``c``:

- ``c < 32``: a *literal run*: copy the next ``c + 1`` bytes as they are;
- otherwise a *back reference*: the top 3 bits are a length (7 means "add the next byte"), the
  low 5 bits and the next byte an offset: copy ``length + 2`` bytes from ``offset + 1`` bytes back
  in the output. The copy may overlap what it writes (offset 1 repeats one byte many times), so
  it goes byte by byte when it does.

Kedis reads such strings (any file written by Redis has them) but writes its strings uncompressed:
a compressor in pure Python would make SAVE many times slower, and Redis itself writes a string
uncompressed whenever compression does not pay. Both are valid RDB.
"""

from __future__ import annotations

__all__ = ["decompress", "LZFError"]


class LZFError(ValueError):
    """The compressed data is damaged: it points before the start or runs past the end."""


def decompress(data: bytes, length: int) -> bytes:
    """Expand LZF ``data`` into the ``length`` bytes it was made from."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:  # a literal run of ctrl + 1 bytes
            end = i + ctrl + 1
            if end > n:
                raise LZFError("a literal run goes past the end of the compressed data")
            out += data[i:end]
            i = end
            continue
        size = ctrl >> 5
        if size == 7:
            if i >= n:
                raise LZFError("a back reference is cut short")
            size += data[i]
            i += 1
        if i >= n:
            raise LZFError("a back reference is cut short")
        start = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
        i += 1
        if start < 0:
            raise LZFError("a back reference points before the start of the data")
        size += 2
        if start + size <= len(out):  # no overlap: one slice
            out += out[start:start + size]
        else:
            for j in range(start, start + size):
                out.append(out[j])
    if len(out) != length:
        raise LZFError(f"expanded to {len(out)} bytes where {length} were announced")
    return bytes(out)
