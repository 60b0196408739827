"""A listpack: a list of strings and integers packed into one block of bytes (listpack.c).

Redis 7.0 keeps each node of a list's quicklist (quicklist.py) as a listpack, and small hashes and
sorted sets as one. The block is laid out as

    <total bytes: 4, little-endian> <entries: 2> <entry> <entry> ... <0xFF>

and each entry as ``<encoding and data> <backlen>``. The encoding's first byte says what follows:

    0xxxxxxx                   an integer 0..127 in the byte itself             1 byte
    10LLLLLL <data>            a string shorter than 64 bytes                   1 + length
    110xxxxx xxxxxxxx          an integer -4096..4095 (13 bits)                 2 bytes
    1110LLLL LLLLLLLL <data>   a string shorter than 4096 bytes                 2 + length
    0xF0 <length: 4> <data>    a longer string                                  5 + length
    0xF1, 0xF2, 0xF3, 0xF4     an integer in 16, 24, 32 or 64 bits after it     3, 4, 5, 9

A string is stored as an integer when it spells one in Redis's strict form (``"42"`` but not
``"042"``: lpStringToInt64), so ``RPUSH l 42`` costs 2 bytes, not 4. The *backlen* after each entry
is that entry's length (encoding and data), written so that it can be read from its last byte
backwards, 7 bits a byte: it lets Redis walk the list from the tail (LRANGE with negative indexes,
RPOP) without an index. The header's entry count saturates at 65535 ("count them").

What Kedis models: every entry's exact encoding and size, so ``Listpack.nbytes`` is the size
Redis's listpack would have (quicklist.py splits nodes by it, as Redis does), and ``to_bytes()``
gives Redis's very bytes (RDB files and DUMP carry them; ``from_bytes`` reads Redis's). What it
simplifies, and why: the entries are held as a Python list of the bytes they stand for, not
parsed out of the block at each access. Reading an entry from packed bytes in Python costs far
more than in C, and LRANGE would pay it for every entry; the list keeps the commands fast while
the sizes and the bytes stay Redis's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..util.numbers import string_to_int

__all__ = ["Listpack", "ListpackError", "entry_size", "encode_entry", "HEADER_SIZE", "EOF"]

#: The header: total bytes (32 bits) and number of entries (16 bits); then one 0xFF at the end.
HEADER_SIZE = 6
EOF = 0xFF
#: What the 16-bit entry count holds once there are more entries than it can count.
COUNT_UNKNOWN = 0xFFFF
#: A string that long or longer is never an integer (LONG_STR_SIZE: 20 digits and a sign).
_LONG_STR_SIZE = 21


class ListpackError(ValueError):
    """Bytes that are not a valid listpack (a corrupt RDB file or DUMP payload)."""


def _int_size(number: int) -> int:
    # The bytes lpEncodeIntegerGetType spends on an integer: the smallest form it fits.
    if 0 <= number <= 127:
        return 1
    if -4096 <= number <= 4095:
        return 2
    if -32768 <= number <= 32767:
        return 3
    if -8388608 <= number <= 8388607:
        return 4
    return 5 if -2147483648 <= number <= 2147483647 else 9


def _backlen_size(length: int) -> int:
    # lpEncodeBacklen: 7 bits of the length in each byte.
    if length <= 127:
        return 1
    if length < 16383:
        return 2
    if length < 2097151:
        return 3
    return 4 if length < 268435455 else 5


def _as_int(value: bytes) -> int | None:
    return string_to_int(value) if len(value) < _LONG_STR_SIZE else None


def entry_size(value: bytes) -> int:
    """The bytes one entry holding ``value`` takes in a listpack: encoding, data and backlen."""
    size = len(value)
    # Only a short value starting with a digit or a minus can be an integer (the usual push of
    # a word skips the integer parse).
    if size < _LONG_STR_SIZE and size and value[0] in _NUMERIC_START:
        number = string_to_int(value)
        if number is not None:
            size = _int_size(number)
            return size + 1  # (an integer's entry is at most 9 bytes: a one-byte backlen)
    if size < 63:
        return size + 2  # the 6-bit length byte, the data, a one-byte backlen (<= 127)
    size += 1 if size < 64 else 2 if size < 4096 else 5
    return size + _backlen_size(size)


_NUMERIC_START = frozenset(b"-0123456789")


def _encode_int(number: int) -> bytes:
    size = _int_size(number)
    if size == 1:
        return bytes((number,))
    if size == 2:  # 13 bits, two's complement, the top 5 after the 110 tag
        bits = number & 0x1FFF
        return bytes((0xC0 | bits >> 8, bits & 0xFF))
    tag = {3: 0xF1, 4: 0xF2, 5: 0xF3, 9: 0xF4}[size]
    return bytes((tag,)) + (number & ((1 << 8 * (size - 1)) - 1)).to_bytes(size - 1, "little")


def _encode_string(value: bytes) -> bytes:
    size = len(value)
    if size < 64:
        return bytes((0x80 | size,)) + value
    if size < 4096:
        return bytes((0xE0 | size >> 8, size & 0xFF)) + value
    return b"\xf0" + size.to_bytes(4, "little") + value


def _encode_backlen(length: int) -> bytes:
    # The highest 7 bits first; every byte but the first has its top bit set, so a reader that
    # starts from the last byte knows to go on while it sees that bit (lpDecodeBacklen).
    groups = []
    while True:
        groups.append(length & 127)
        length >>= 7
        if not length:
            break
    groups.reverse()
    return bytes([groups[0]] + [group | 128 for group in groups[1:]])


def encode_entry(value: bytes) -> bytes:
    """One entry as Redis writes it: its encoding and data, then its backlen."""
    number = _as_int(value)
    body = _encode_int(number) if number is not None else _encode_string(value)
    return body + _encode_backlen(len(body))


class Listpack:
    """The entries of one listpack, and its size in bytes as Redis's would be.

    ``entries`` are the values as the commands see them (bytes; an integer-encoded entry reads
    back as the digits it came as, which Redis's strict form makes exact). ``nbytes`` is kept
    as entries come and go: the header, each entry's ``entry_size``, the end byte.
    """

    __slots__ = ("entries", "nbytes")

    def __init__(self, entries: Iterable[bytes] = ()) -> None:
        self.entries: list[bytes] = list(entries)
        self.nbytes = HEADER_SIZE + 1 + sum(map(entry_size, self.entries))

    def insert(self, index: int, value: bytes) -> None:
        """Put ``value`` before the entry at ``index`` (``len`` appends): lpInsertString."""
        self.entries.insert(index, value)
        self.nbytes += entry_size(value)

    def append(self, value: bytes) -> None:
        self.entries.append(value)
        self.nbytes += entry_size(value)

    def pop(self, index: int = -1) -> bytes:
        value = self.entries.pop(index)
        self.nbytes -= entry_size(value)
        return value

    def replace(self, index: int, value: bytes) -> None:
        self.nbytes += entry_size(value) - entry_size(self.entries[index])
        self.entries[index] = value

    def delete(self, start: int, count: int) -> None:
        """Remove ``count`` entries from ``start`` on (lpDeleteRange)."""
        gone = self.entries[start:start + count]
        del self.entries[start:start + count]
        self.nbytes -= sum(map(entry_size, gone))

    def split(self, index: int) -> Listpack:
        """Keep the entries before ``index``; return the rest as a listpack of their own."""
        rest = Listpack()
        rest.entries = self.entries[index:]
        rest.nbytes = HEADER_SIZE + 1 + sum(map(entry_size, rest.entries))
        del self.entries[index:]
        self.nbytes -= rest.nbytes - HEADER_SIZE - 1
        return rest

    def extend(self, other: Listpack) -> None:
        """Append every entry of ``other`` (lpMerge: one header and end byte go)."""
        self.entries.extend(other.entries)
        self.nbytes += other.nbytes - HEADER_SIZE - 1

    def to_bytes(self) -> bytes:
        """The listpack exactly as Redis lays it out in memory (and in RDB files and DUMP)."""
        body = b"".join(map(encode_entry, self.entries))
        total = HEADER_SIZE + len(body) + 1
        count = min(len(self.entries), COUNT_UNKNOWN)
        return total.to_bytes(4, "little") + count.to_bytes(2, "little") + body + bytes((EOF,))

    @classmethod
    def from_bytes(cls, data: bytes) -> Listpack:
        """Read a listpack Redis wrote; ListpackError if its bytes do not hold together."""
        if len(data) < HEADER_SIZE + 1 or int.from_bytes(data[:4], "little") != len(data):
            raise ListpackError("listpack size does not match its header")
        if data[-1] != EOF:
            raise ListpackError("listpack does not end with 0xFF")
        entries = [value for value, _start, _end in _walk(data)]
        declared = int.from_bytes(data[4:6], "little")
        if declared != COUNT_UNKNOWN and declared != len(entries):
            raise ListpackError("listpack entry count does not match its header")
        packed = cls()
        packed.entries, packed.nbytes = entries, len(data)
        return packed

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.entries)

    def __eq__(self, other: object) -> bool:
        return type(other) is Listpack and other.entries == self.entries

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"<Listpack: {len(self.entries)} entries, {self.nbytes} bytes>"


def _walk(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """Each entry of a listpack's bytes: its value, and where its bytes start and end."""
    at, end = HEADER_SIZE, len(data) - 1
    while at < end:
        start, first = at, data[at]
        if first < 0x80:                       # 7-bit unsigned integer
            value, at = b"%d" % first, at + 1
        elif first < 0xC0:                     # string, 6-bit length
            size = first & 0x3F
            value, at = data[at + 1:at + 1 + size], at + 1 + size
        elif first < 0xE0:                     # 13-bit integer
            number = (first & 0x1F) << 8 | _byte(data, at + 1, end)
            value, at = b"%d" % (number - 0x2000 if number >= 0x1000 else number), at + 2
        elif first < 0xF0:                     # string, 12-bit length
            size = (first & 0x0F) << 8 | _byte(data, at + 1, end)
            value, at = data[at + 2:at + 2 + size], at + 2 + size
        elif first == 0xF0:                    # string, 32-bit length
            size = int.from_bytes(data[at + 1:at + 5], "little")
            value, at = data[at + 5:at + 5 + size], at + 5 + size
        elif 0xF1 <= first <= 0xF4:            # 16, 24, 32 or 64-bit integer
            width = (2, 3, 4, 8)[first - 0xF1]
            value = b"%d" % int.from_bytes(data[at + 1:at + 1 + width], "little", signed=True)
            at += 1 + width
        else:
            raise ListpackError(f"unknown listpack entry encoding 0x{first:02x}")
        if at > end:
            raise ListpackError("listpack entry runs past the end")
        length = at - start
        backlen = _encode_backlen(length)
        if data[at:at + len(backlen)] != backlen:
            raise ListpackError("listpack entry's backlen does not match its length")
        at += len(backlen)
        yield value, start, at
    if at != end:
        raise ListpackError("listpack entries run past the end")


def _byte(data: bytes, at: int, end: int) -> int:
    if at >= end:
        raise ListpackError("listpack entry runs past the end")
    return data[at]
