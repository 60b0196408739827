"""LZF: how Redis shrinks long strings in RDB files and DUMP payloads (lzf_c.c, lzf_d.c).

With ``rdbcompression yes`` (the default), Redis tries to compress every string longer than 20
bytes with LZF, a tiny member of the LZ77 family built for speed, and keeps the result only when
it saves at least four bytes. The compressed data is a series of instructions, each starting
with a control byte ``c``:

- ``c < 32``: a *literal run*: copy the next ``c + 1`` bytes as they are;
- otherwise a *back reference*: the top 3 bits are a length (7 means "add the next byte"), the
  low 5 bits and the next byte an offset: copy ``length + 2`` bytes from ``offset + 1`` bytes back
  in the output. The copy may overlap what it writes (offset 1 repeats one byte many times).

**Compressing** walks the input once. At each position it hashes the next three bytes into a
table of 65,536 slots, each holding the last position whose three bytes had that hash. If the
slot's position is less than 8 KB back and its three bytes really are the same (two sequences
may share a hash), that is a match: it is stretched as far as the bytes agree (at most 264), and
written as a back reference; otherwise the byte joins the current literal run (at most 32 bytes
a run). After a match the walk jumps past it, hashing only its last two positions (liblzf's
VERY_FAST mode, the one Redis builds). Nothing in the method searches: one table look-up per
position, which is why LZF is fast in C, and why its output is a little larger than zlib's.

``compress`` follows lzf_compress step by step, with its hash, its limits and its checks of the
room left in the output, so that Kedis's DUMP of a string is byte for byte Redis's (the tests
compare thousands of them). It is plain Python: about a microsecond a step where Redis's C takes
a nanosecond, so a caller may bound its work with a ``Budget`` of steps (rdb.py's
``LZF_BUDGET``). A step is one position looked up in the table: a byte of a literal run, or a
whole match, so a long run of repeats (a bitmap of zeros) costs few steps, however long. Where the
original leaves its table uninitialised (faster in C; a stale slot only ever yields a match the
bytes confirm), Kedis starts from an empty one.
"""

from __future__ import annotations

__all__ = ["compress", "decompress", "Budget", "LZFError"]

HASH_BITS = 16               # HLOG: 65,536 slots
MAX_LITERAL = 1 << 5         # 32 bytes in one literal run
MAX_OFFSET = 1 << 13         # a back reference reaches 8,192 bytes back at most
MAX_MATCH = (1 << 8) + (1 << 3)  # and copies at most 264 bytes
_FAR = -MAX_OFFSET - 1       # an empty slot: a position too far back to ever match
_SMALL = 8192                # inputs up to this size hash into a dict, not a 65,536-slot list


class LZFError(ValueError):
    """The compressed data is damaged: it points before the start or runs past the end."""


class Budget:
    """How many more steps ``compress`` may take, shared by the strings of one payload. When it
    runs out in the middle of a string, ``compress`` gives up on it as on an incompressible one
    (and the caller writes it as it is)."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


class _Slots(dict):
    """The hash table of a short input: only the slots it uses exist; the others are empty."""

    def __missing__(self, key: int) -> int:
        return _FAR


def compress(data: bytes, room: int, budget: Budget | None = None) -> bytes | None:
    """``data`` compressed, or None when the result would not fit in ``room`` bytes (as
    lzf_compress returns 0 when its output buffer is too small: Redis gives it ``len - 4``), or
    when ``budget`` runs out first (what is spent is taken from it)."""
    size = len(data)
    if not size or not room:
        return None
    steps = size if budget is None else budget.left  # (never more than one a byte)
    table: list[int] | dict[int, int] = [_FAR] * (1 << HASH_BITS) if size > _SMALL else _Slots()
    out = bytearray()
    run_start = 0    # the first byte of the literal run not written yet
    stop = size - 2  # the last position that has three bytes to hash
    # Position 0 never matches (lzf_compress wants a reference after the start), so the walk
    # starts at 1 with byte 0 in the run; its slot would be empty anyway.
    ip = 1 if stop > 0 else 0
    while ip < stop:
        steps -= 1
        if steps < 0:
            budget.left = 0  # type: ignore[union-attr]  (only a budget runs out)
            return None
        second = data[ip + 1]
        slot = ((data[ip] << 8 | second) - 5 * (second << 8 | data[ip + 2])) & 0xFFFF
        ref = table[slot]
        table[slot] = ip
        if (ip - ref <= MAX_OFFSET and data[ref + 2] == data[ip + 2] and data[ref] == data[ip]
                and data[ref + 1] == second):
            # How far the match goes: lzf_compress compares up to 264 bytes (fewer near the
            # end), but checks 19 bytes at once when more than 16 are left, and always takes 3.
            left = min(size - ip - 2, MAX_MATCH)
            limit = max(left, 19) if left > 16 else max(left, 3)
            if data[ref:ref + limit] == data[ip:ip + limit]:
                length = limit
            else:
                length = 3
                while data[ref + length] == data[ip + length]:
                    length += 1
            literals = ip - run_start
            # The room for the run so far, its control bytes, and this reference (the exact
            # test of lzf_compress; it gives up, rather than write past its buffer).
            if len(out) + literals + (literals + MAX_LITERAL - 1) // MAX_LITERAL + 4 >= room:
                if budget is not None:
                    budget.left = steps
                return None
            if literals:
                _literal_runs(out, data, run_start, ip)
            offset = ip - ref - 1
            extra = length - 2
            if extra < 7:
                out.append((offset >> 8) + (extra << 5))
            else:
                out.append((offset >> 8) + (7 << 5))
                out.append(extra - 7)
            out.append(offset & 0xFF)
            ip += length
            run_start = ip
            if ip >= stop:
                break
            # The match's last two positions go into the table (VERY_FAST), the rest is skipped.
            p = ip - 2
            second = data[p + 1]
            third = data[p + 2]
            table[((data[p] << 8 | second) - 5 * (second << 8 | third)) & 0xFFFF] = p
            table[((second << 8 | third) - 5 * (third << 8 | data[p + 3])) & 0xFFFF] = p + 1
        else:
            ip += 1
    if budget is not None:
        budget.left = steps
    literals = ip - run_start
    if len(out) + 1 + literals + literals // MAX_LITERAL + 3 > room:
        return None
    _literal_runs(out, data, run_start, size)  # the run so far and the last bytes
    return bytes(out)


def _literal_runs(out: bytearray, data: bytes, start: int, end: int) -> None:
    for first in range(start, end, MAX_LITERAL):
        last = min(first + MAX_LITERAL, end)
        out.append(last - first - 1)
        out += data[first:last]


def decompress(data: bytes, length: int) -> bytes:
    """Expand LZF ``data`` into the ``length`` bytes it was made from.

    ``length`` comes from the file or the payload, so nothing is allocated for it: the output
    grows as the instructions write it, and the first instruction that goes past ``length`` is
    an error (a few bytes of input could otherwise announce gigabytes). As lzf_decompress read
    by Redis, a ``length`` of 0 is an empty string whatever the data says.
    """
    if length == 0:
        return b""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        if len(out) > length:
            break
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
        back = ((ctrl & 0x1F) << 8) + data[i] + 1
        i += 1
        start = len(out) - back
        if start < 0:
            raise LZFError("a back reference points before the start of the data")
        size += 2
        if back >= size:  # no overlap: one slice
            out += out[start:start + size]
        else:  # it copies what it writes: the last ``back`` bytes, repeated
            out += (out[start:] * (size // back + 1))[:size]
    if len(out) != length:
        raise LZFError(f"expands to {'more than ' if len(out) > length else ''}{len(out)} bytes "
                       f"where {length} were announced")
    return bytes(out)
