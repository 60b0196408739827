"""Bitmap commands (Redis's bitops.c): a string read and written as an array of bits.

A bitmap is not a type of its own: it is a string, seen bit by bit. Bit 0 is the most significant
bit of the first byte, bit 7 its least, bit 8 the first of the second byte, and so on, so that
``SETBIT k 7 1`` on a missing key makes the string ``"\\x01"``. What these commands teach:

- SETBIT and GETBIT: one bit, at any offset below 2^32 (512 MB, proto-max-bulk-len); writing past
  the end grows the string with zero bytes, reading past it reads 0. A day's active users, one
  bit per user id, fit in 12 MB for 100 million users;
- BITCOUNT and BITPOS count the 1 bits, or find the first 1 (or 0), in the whole string or in a
  range, given in bytes or (since Redis 7.0) in bits, negative ends counting from the end;
- BITOP AND, OR, XOR and NOT combine whole strings into a destination key, the shorter ones read
  as if padded with zero bytes: users active on two days are the AND of the two days' bitmaps;
- BITFIELD packs integers of any width (i1 to i64, u1 to u63) at any bit offset, and reads
  (GET), writes (SET) or adds to (INCRBY) them, each addition wrapping around, saturating or
  failing when it overflows (OVERFLOW WRAP | SAT | FAIL): many small counters in one string.

**The bitmap form.** Redis changes a bitmap in place: SETBIT on a 12 MB bitmap writes one byte.
Python's bytes cannot change, so patching one would copy all of it, 12 MB for one bit (about 25 ms
here, some 10,000 times Redis's cost). So the commands that write bits (SETBIT, BITFIELD, and
strings.py's SETRANGE) turn the string into a ``bytearray`` the first time, and change that
bytearray in place from then on (``Database.unshare_string``, named after Redis's
dbUnshareStringValue, which does the same job: it gives the command a string of its own to write).
It is still a string to every other command: they all read either form, and one that answers or
keeps the whole value (GET, APPEND...) takes a bytes copy, which costs what sending the value costs
anyway. A run of bitmap commands copies nothing; the first SETBIT on a string that was bytes copies
it once. The lookups hand back what is stored as it is, so GET and SET of plain strings pay nothing
for any of this.

**Fast over big strings.** Counting and searching go through C, never a Python loop per bit:
BITCOUNT reads the bytes as big integers, 16 KB at a time, and counts their 1 bits
(``int.bit_count``); BITPOS compares 16 KB blocks with a block of zeros (or of 0xff) and looks
closer only into the first block that differs; BITOP combines 16 KB at a time as integers
(little-endian, so that a shorter string is padded with zeros for free), and NOT is one
``bytes.translate``.

**Where errors come from, in Redis's order.** Each command reads its arguments and looks its key
up in the order bitops.c does, so that a wrong argument and a missing key answer as they do in
Redis: BITCOUNT and BITPOS answer a missing key (0, or -1 for a 1 bit) before reading their
range, GETBIT reads its offset first. BITFIELD checks all its operations before it looks the key
up, and then runs them one after the other, each on what the previous one left.

**The count of changes** (``stats.dirty``) is Redis's: SETBIT counts one when the bit changed or
the string was created or grown; BITFIELD one per SET or INCRBY that changed its integer (or ran
on a string it created or grew); BITOP one for the destination written or deleted.
"""

from __future__ import annotations

import operator
import re

from ..engine.command_table import command, key
from ..engine.errors import (
    BIT_ARGUMENT,
    BIT_OFFSET,
    BIT_VALUE,
    BITFIELD_OVERFLOW,
    BITFIELD_RO_GET_ONLY,
    BITFIELD_TYPE,
    BITOP_NOT_ONE_KEY,
    SYNTAX,
    WRONGTYPE,
    CommandError,
)
from ..engine.notify import GENERIC, STRING, notify
from ..engine.reply import NULL, ONE, ZERO, Array, Integer, Reply
from ..util.numbers import LLONG_MAX, string_to_int
from .args import parse_int

__all__ = ["count_bits", "first_bit"]

#: How many bytes BITCOUNT, BITPOS and BITOP hand to C at a time: big enough that the loop around
#: the calls costs nothing, small enough to stay in the CPU's cache (measured: 16 KB is best).
CHUNK = 16384
_ZEROS = bytes(CHUNK)
_ONES = b"\xff" * CHUNK
_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_ONE = re.compile(rb"[^\xff]")
_INVERTED = bytes(range(255, -1, -1))  # BITOP NOT, for bytes.translate: each byte's complement
_COMBINE = {b"and": operator.and_, b"or": operator.or_, b"xor": operator.xor}
#: SETBIT's value: 0 or 1, and as Redis reads integers strictly, those are their only spellings.
_BIT_VALUES = {b"0": 0, b"1": 1}


def _word(arg: bytes) -> bytes:
    """An option as C's strcasecmp compares it: up to its first NUL byte, in any case."""
    return arg.split(b"\x00", 1)[0].lower()


def _is_string(value: object) -> bool:
    return type(value) is bytes or type(value) is bytearray


def _int64(n: int) -> int:
    """``n`` as C's 64-bit arithmetic leaves it: wrapped around into the int64 range."""
    return (n + 2 ** 63) % 2 ** 64 - 2 ** 63


def _bit_offset(client, text: bytes, width: int = 0) -> int:
    """A bit offset argument (getBitOffsetFromArgument): an integer from 0 to 2^32 - 1 with the
    default proto-max-bulk-len (the bit must fall inside the largest string allowed). BITFIELD
    passes its integers' ``width``: ``#3`` then means the third integer, bit 3 * width."""
    by_width = width > 0 and text[:1] == b"#"
    offset = string_to_int(text[1:] if by_width else text)
    if offset is None:
        raise CommandError(BIT_OFFSET)
    if by_width:
        offset = _int64(offset * width)  # as in C, a product past 64 bits wraps around
    if offset < 0 or offset >> 3 >= client.server.config["proto-max-bulk-len"]:
        raise CommandError(BIT_OFFSET)
    return offset


def _bitmap_to_write(client, name: bytes, last_bit: int, value: object = None
                     ) -> tuple[bytearray, bool, tuple | None]:
    """The string at ``name`` in its bitmap form, long enough to hold bit ``last_bit``: created
    (zeros) if missing, grown with zero bytes if short (Redis's lookupStringForBitCommand).
    ``value``: what the caller's ``lookup_write`` found, if it looked already.

    Answers the bytearray, whether it was created or grown (that counts as a change, whatever
    the bits written), and the entry as it was, for ``changed`` (the trace's before).
    """
    db = client.db
    if value is None:
        value = db.lookup_write(name)
    length = (last_bit >> 3) + 1
    if value is None:
        bitmap = bytearray(length)
        db.add(name, bitmap)
        db.encodings[name] = "raw"
        return bitmap, True, db.before_change(name)
    if not _is_string(value):
        raise CommandError(WRONGTYPE)
    before = db.before_change(name)
    grown = len(value) < length
    return db.unshare_string(name, value, length), grown, before


# --- counting and finding bits, in C-sized steps ----------------------------------------------------
def _popcount(data: bytes | bytearray, start: int, stop: int) -> int:
    """The 1 bits of ``data[start:stop]`` (redisPopcount)."""
    from_bytes = int.from_bytes
    if stop - start <= CHUNK:  # most bitmaps: one piece
        return from_bytes(data[start:stop], "little").bit_count()
    return sum([from_bytes(data[i:min(i + CHUNK, stop)], "little").bit_count()
                for i in range(start, stop, CHUNK)])


def count_bits(data: bytes | bytearray, first: int, last: int) -> int:
    """The 1 bits from bit ``first`` to bit ``last``, both included (``last < 8 * len(data)``):
    the whole bytes, less the bits of the first and last byte that fall outside."""
    first_byte, last_byte = first >> 3, last >> 3
    count = _popcount(data, first_byte, last_byte + 1)
    count -= (data[first_byte] >> (8 - (first & 7))).bit_count()   # bits before ``first``
    count -= (data[last_byte] & (0x7F >> (last & 7))).bit_count()   # bits after ``last``
    return count


def _first_in_byte(byte: int, bit: int, low: int, high: int) -> int | None:
    """The first of bits ``low``..``high`` (0: the most significant) of one byte that is
    ``bit``, or None."""
    wanted = (byte if bit else ~byte) & (0xFF >> low) & (0xFF << (7 - high))
    return 8 - (wanted & 0xFF).bit_length() if wanted & 0xFF else None


def _first_byte_not(data: bytes | bytearray, skip: int, start: int, stop: int) -> int | None:
    """The index of the first byte of ``data[start:stop]`` that is not ``skip`` (0 or 0xff):
    whole blocks are compared with a block of ``skip`` bytes in C, then one is searched."""
    block, search = (_ZEROS, _NOT_ZERO) if skip == 0 else (_ONES, _NOT_ONE)
    for i in range(start, stop, CHUNK):
        piece = data[i:min(i + CHUNK, stop)]
        if piece != block[:len(piece)]:
            return i + search.search(piece).start()  # type: ignore[union-attr]
    return None


def first_bit(data: bytes | bytearray, bit: int, first: int, last: int) -> int | None:
    """The position of the first bit equal to ``bit`` from bit ``first`` to bit ``last`` (both
    included, ``last < 8 * len(data)``), or None (redisBitpos, with BITPOS's edge bytes)."""
    first_byte, last_byte = first >> 3, last >> 3
    if first_byte == last_byte:
        found = _first_in_byte(data[first_byte], bit, first & 7, last & 7)
        return None if found is None else first_byte * 8 + found
    found = _first_in_byte(data[first_byte], bit, first & 7, 7)
    if found is not None:
        return first_byte * 8 + found
    middle = _first_byte_not(data, 0xFF if bit == 0 else 0, first_byte + 1, last_byte)
    if middle is not None:
        return middle * 8 + _first_in_byte(data[middle], bit, 0, 7)  # type: ignore[operator]
    found = _first_in_byte(data[last_byte], bit, 0, last & 7)
    return None if found is None else last_byte * 8 + found


def _clamp(start: int, end: int, total: int) -> tuple[int, int]:
    """A range's ends with negative ones counted from the end, then cut to 0..total - 1 (an
    empty range comes out with start > end)."""
    if start < 0:
        start += total
    if end < 0:
        end += total
    return max(start, 0), min(max(end, 0), total - 1)


def _in_bits(arg: bytes) -> bool:
    """BITCOUNT's and BITPOS's unit: True for BIT, False for BYTE, else a syntax error."""
    unit = _word(arg)
    if unit == b"bit":
        return True
    if unit == b"byte":
        return False
    raise CommandError(SYNTAX)


# --- SETBIT, GETBIT ------------------------------------------------------------------------------------
@command("setbit", arity=4, flags="write denyoom", acl="bitmap", keys=[key("RW access update")],
         group="bitmap", since="2.2.0", complexity="O(1)",
         summary="Sets or clears the bit at an offset of a string; creates or grows the string "
                 "if needed.")
def setbit(client, argv: list[bytes]) -> Reply:
    """SETBIT key offset value

    Sets the bit at ``offset`` to ``value`` (0 or 1) and answers the bit that was there.
    Teaches: a string as an array of bits. An offset past the end grows the string with zero
    bytes first, so ``SETBIT visits 1000000 1`` on a missing key makes a 125,001-byte string: a
    bitmap costs its highest offset, not the number of bits set. Keeps the key's TTL.
    """
    offset = _bit_offset(client, argv[2])
    on = _BIT_VALUES.get(argv[3])
    if on is None:
        raise CommandError(BIT_VALUE)
    name = argv[1]
    db = client.db
    bitmap = db.lookup_write(name)
    byte = offset >> 3
    if type(bitmap) is bytearray and byte < len(bitmap):  # the usual case: nothing to make
        created, before = False, None
    else:
        bitmap, created, before = _bitmap_to_write(client, name, offset, bitmap)
    mask = 0x80 >> (offset & 7)
    was = bitmap[byte] & mask
    if created or bool(was) != on:
        if before is None:
            before = db.before_change(name)
        bitmap[byte] = bitmap[byte] | mask if on else bitmap[byte] & ~mask
        db.changed(name, before)
        notify(db, STRING, b"setbit", name)
        client.server.stats.dirty += 1
    return ONE if was else ZERO


@command("getbit", arity=3, flags="readonly fast", acl="bitmap", keys=[key("RO access")],
         group="bitmap", since="2.2.0", complexity="O(1)",
         summary="Returns the bit at an offset of a string; 0 past its end or for a missing key.")
def getbit(client, argv: list[bytes]) -> Reply:
    """GETBIT key offset

    Teaches: a bitmap is as long as you like to the reader: every bit past the end of the string
    (or of a missing key) is 0.
    """
    offset = _bit_offset(client, argv[2])
    value = client.db.lookup_read(argv[1])
    if value is None:
        return ZERO
    if not _is_string(value):
        raise CommandError(WRONGTYPE)
    byte = offset >> 3
    if byte >= len(value):
        return ZERO
    return ONE if value[byte] & (0x80 >> (offset & 7)) else ZERO


# --- BITCOUNT, BITPOS ----------------------------------------------------------------------------------
@command("bitcount", arity=-2, flags="readonly", acl="bitmap", keys=[key("RO access")],
         group="bitmap", since="2.6.0", complexity="O(N)",
         summary="Counts the bits set to 1 in a string, or in a range of its bytes or bits.")
def bitcount(client, argv: list[bytes]) -> Reply:
    """BITCOUNT key [start end [BYTE | BIT]]

    Counts the 1 bits of the whole string, or from ``start`` to ``end`` (both included; -1 is
    the last), in bytes unless BIT says bits. Teaches: population count, the question a bitmap
    answers best: how many users were active today is one command over 12 MB.
    """
    value = client.db.lookup_read(argv[1])
    if value is None:
        return ZERO  # whatever the range says: it is not even read
    if not _is_string(value):
        raise CommandError(WRONGTYPE)
    argc = len(argv)
    if argc == 2:
        return Integer(_popcount(value, 0, len(value)))  # the whole string: no edges to cut
    if argc in (4, 5):
        start = parse_int(argv[2])
        end = parse_int(argv[3])
        if start < 0 and end < 0 and start > end:
            return ZERO
        in_bits = argc == 5 and _in_bits(argv[4])
        start, end = _clamp(start, end, len(value) * 8 if in_bits else len(value))
        if start > end:
            return ZERO
        first, last = (start, end) if in_bits else (start * 8, end * 8 + 7)
        return Integer(count_bits(value, first, last))
    raise CommandError(SYNTAX)


@command("bitpos", arity=-3, flags="readonly", acl="bitmap", keys=[key("RO access")],
         group="bitmap", since="2.8.7", complexity="O(N)",
         summary="Finds the first bit set to 1 (or to 0) in a string, or in a range of its "
                 "bytes or bits.")
def bitpos(client, argv: list[bytes]) -> Reply:
    """BITPOS key bit [start [end [BYTE | BIT]]]

    Answers the position of the first ``bit`` (0 or 1), counted from the start of the string
    whatever the range, or -1 when there is none. Teaches: the string is taken as padded with
    zeros on the right, so the first 0 of ``"\\xff"`` is at 8, unless an ``end`` was given (then
    the search stops there, and finding nothing is -1); a missing key is all zeros (0 for a 0
    bit, -1 for a 1).
    """
    bit = parse_int(argv[2])
    if bit != 0 and bit != 1:
        raise CommandError(BIT_ARGUMENT)
    value = client.db.lookup_read(argv[1])
    if value is None:
        return Integer(-1 if bit else 0)
    if not _is_string(value):
        raise CommandError(WRONGTYPE)
    argc = len(argv)
    end_given = argc >= 5
    if argc == 3:
        start, end, in_bits = 0, len(value) - 1, False
    elif argc <= 6:
        start = parse_int(argv[3])
        in_bits = argc == 6 and _in_bits(argv[5])
        end = parse_int(argv[4]) if end_given else len(value) - 1
        start, end = _clamp(start, end, len(value) * 8 if in_bits else len(value))
    else:
        raise CommandError(SYNTAX)
    if start > end:
        return Integer(-1)
    first, last = (start, end) if in_bits else (start * 8, end * 8 + 7)
    found = first_bit(value, bit, first, last)
    if found is not None:
        return Integer(found)
    if bit == 1 or end_given:
        return Integer(-1)
    return Integer(last + 1)  # no 0 in the string: the first of the zeros that pad it


# --- BITOP ------------------------------------------------------------------------------------------------
def _combine(operation: bytes, sources: list, length: int) -> bytes:
    """The bytes of ``sources`` combined by AND, OR or XOR, ``length`` bytes long: a short
    source reads as zeros past its end. Or, for NOT, the one source's bytes inverted."""
    if operation == b"not":
        return bytes(sources[0].translate(_INVERTED))
    combine = _COMBINE[operation]
    from_bytes = int.from_bytes
    pieces = []
    for i in range(0, length, CHUNK):
        size = min(CHUNK, length - i)
        result = from_bytes(sources[0][i:i + size], "little")
        for source in sources[1:]:
            result = combine(result, from_bytes(source[i:i + size], "little"))
        pieces.append(result.to_bytes(size, "little"))
    return b"".join(pieces)


@command("bitop", arity=-4, flags="write denyoom", acl="bitmap",
         keys=[key("OW update", index=2), key("RO access", index=3, last_key=-1)],
         group="bitmap", since="2.6.0", complexity="O(N)",
         summary="Stores the AND, OR, XOR of strings, or the NOT of one, in a destination key.")
def bitop(client, argv: list[bytes]) -> Reply:
    """BITOP AND | OR | XOR | NOT destkey key [key ...]

    Answers the length of the result, the longest source's: shorter sources (and missing keys)
    count as zero bytes. Teaches: set algebra on bitmaps: the users active on Monday AND on
    Tuesday, in one pass over the bytes, on the server. An empty result deletes the destination.
    """
    operation = _word(argv[1])
    if operation not in _COMBINE and operation != b"not":
        raise CommandError(SYNTAX)
    if operation == b"not" and len(argv) != 4:
        raise CommandError(BITOP_NOT_ONE_KEY)
    db = client.db
    sources = []
    for name in argv[3:]:
        value = db.lookup_read(name)
        if value is None:
            value = b""
        elif not _is_string(value):
            raise CommandError(WRONGTYPE)
        sources.append(value)
    length = max(map(len, sources))
    destination = argv[2]
    if length:
        result = _combine(operation, sources, length)
        db.lookup_write(destination)  # an expired one goes first, as in Redis's setKey
        db.set_key(destination, result)
        db.encodings[destination] = "raw"  # a new string Redis made itself: raw, whatever its size
        notify(db, STRING, b"set", destination)
        client.server.stats.dirty += 1
    elif db.delete(destination):
        notify(db, GENERIC, b"del", destination)
        client.server.stats.dirty += 1
    return Integer(length)


# --- BITFIELD ---------------------------------------------------------------------------------------------
GET, SET, INCRBY = "get", "set", "incrby"
WRAP, SAT, FAIL = "wrap", "sat", "fail"
_OPERATIONS = {b"get": (GET, 2), b"set": (SET, 3), b"incrby": (INCRBY, 3)}
_OVERFLOWS = {b"wrap": WRAP, b"sat": SAT, b"fail": FAIL}


def _field_type(text: bytes) -> tuple[bool, int]:
    """``i8`` -> (signed, 8): i1..i64 or u1..u63 (a u64 could not be answered: RESP's integers
    are signed 64-bit). The width is read as C reads a string: up to a NUL byte."""
    kind = text[:1]
    if kind != b"i" and kind != b"u":
        raise CommandError(BITFIELD_TYPE)
    signed = kind == b"i"
    bits = string_to_int(text[1:].split(b"\x00", 1)[0])
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(BITFIELD_TYPE)
    return signed, bits


def get_field(data: bytes | bytearray, offset: int, bits: int, signed: bool) -> int:
    """The integer of ``bits`` bits at bit ``offset``, most significant bit first (in at most 9
    bytes); bits past the end of ``data`` read as 0."""
    first, last = offset >> 3, (offset + bits - 1) >> 3
    size = last - first + 1
    piece = data[first:last + 1]
    raw = int.from_bytes(piece, "big") << 8 * (size - len(piece))
    value = (raw >> (8 * size - (offset & 7) - bits)) & ((1 << bits) - 1)
    if signed and value >> (bits - 1):
        value -= 1 << bits  # two's complement: the top bit is the sign
    return value


def set_field(bitmap: bytearray, offset: int, bits: int, value: int) -> None:
    """Write the low ``bits`` bits of ``value`` (two's complement if negative) at bit
    ``offset``; ``bitmap`` is long enough."""
    first, last = offset >> 3, (offset + bits - 1) >> 3
    size = last - first + 1
    shift = 8 * size - (offset & 7) - bits
    mask = ((1 << bits) - 1) << shift
    raw = int.from_bytes(bitmap[first:last + 1], "big")
    bitmap[first:last + 1] = ((raw & ~mask) | ((value << shift) & mask)).to_bytes(size, "big")


def _unsigned_overflow(value: int, increment: int, bits: int, overflow: str) -> int | None:
    """What ``value + increment`` becomes in an unsigned integer of ``bits`` bits when it does
    not fit (checkUnsignedBitfieldOverflow): wrapped around, or the limit it crossed; None when
    it fits. ``value`` is C's uint64 (a SET of -1 is 2^64 - 1, which never fits)."""
    top = (1 << bits) - 1
    if value > top or (increment > 0 and increment > top - value):
        limit = top
    elif increment < 0 and increment < -value:
        limit = 0
    else:
        return None
    return (value + increment) & top if overflow == WRAP else limit


def _signed_overflow(value: int, increment: int, bits: int, overflow: str) -> int | None:
    """The same for a signed integer (checkSignedBitfieldOverflow), with C's arithmetic: the
    room left above and below ``value`` is computed in 64 bits, which wrap around, so a value
    far below the range can be taken as above it (``OVERFLOW SAT SET i63 0
    -9223372036854775808`` saturates up, in Redis and here)."""
    top = LLONG_MAX if bits == 64 else (1 << (bits - 1)) - 1
    bottom = -top - 1
    room_up, room_down = _int64(top - value), _int64(bottom - value)
    if (value > top or (bits != 64 and increment > room_up)
            or (value >= 0 and increment > 0 and increment > room_up)):
        limit = top
    elif (value < bottom or (bits != 64 and increment < room_down)
            or (value < 0 and increment < 0 and increment < room_down)):
        limit = bottom
    else:
        return None
    if overflow != WRAP:
        return limit
    wrapped = (value + increment) & ((1 << bits) - 1)
    return wrapped - (1 << bits) if wrapped >> (bits - 1) else wrapped


def _parse_fields(client, argv: list[bytes]) -> tuple[list[tuple], int]:
    """BITFIELD's operations, all read before any runs: (operation, signed, bits, offset,
    number, overflow) each, and the last bit a SET or INCRBY writes (-1: none does)."""
    operations = []
    overflow = WRAP
    last_bit = -1
    j, argc = 2, len(argv)
    while j < argc:
        word = _word(argv[j])
        operation, needs = _OPERATIONS.get(word, (None, 0))
        left = argc - j - 1
        if word == b"overflow" and left >= 1:
            overflow = _OVERFLOWS.get(_word(argv[j + 1]))  # type: ignore[assignment]
            if overflow is None:
                raise CommandError(BITFIELD_OVERFLOW)
            j += 2
            continue
        if operation is None or left < needs:
            raise CommandError(SYNTAX)
        signed, bits = _field_type(argv[j + 1])
        offset = _bit_offset(client, argv[j + 2], bits)
        number = 0
        if operation != GET:
            last_bit = max(last_bit, offset + bits - 1)
            number = parse_int(argv[j + 3])
        operations.append((operation, signed, bits, offset, number, overflow))
        j += needs + 1
    return operations, last_bit


def _bitfield(client, argv: list[bytes], read_only: bool) -> Reply:
    operations, last_bit = _parse_fields(client, argv)
    db = client.db
    name = argv[1]
    if last_bit < 0:  # only GETs: a read, of a key that may be missing
        value = db.lookup_read(name)
        if value is None:
            value = b""
        elif not _is_string(value):
            raise CommandError(WRONGTYPE)
        return Array([Integer(get_field(value, offset, bits, signed))
                      for _, signed, bits, offset, _, _ in operations])
    if read_only:
        raise CommandError(BITFIELD_RO_GET_ONLY)
    bitmap, grown, before = _bitmap_to_write(client, name, last_bit)
    replies: list[Reply] = []
    changes = 0
    for operation, signed, bits, offset, number, overflow in operations:
        old = get_field(bitmap, offset, bits, signed)
        if operation == GET:
            replies.append(Integer(old))
            continue
        check = _signed_overflow if signed else _unsigned_overflow
        if operation == INCRBY:
            limit = check(old, number, bits, overflow)
            new = old + number if limit is None else limit
            answer = new
        else:
            new = number if signed else number & 0xFFFFFFFFFFFFFFFF  # C's int64 -> uint64
            limit = check(new, 0, bits, overflow)
            if limit is not None:
                new = limit
            answer = old
        if limit is not None and overflow == FAIL:
            replies.append(NULL)  # nothing written
            continue
        replies.append(Integer(answer))
        set_field(bitmap, offset, bits, new)
        if grown or old != new:
            changes += 1
    if changes:
        db.changed(name, before)
        notify(db, STRING, b"setbit", name)
        client.server.stats.dirty += changes
    return Array(replies)


def _bitfield_get_keys(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """BITFIELD's key and its flags, for COMMAND GETKEYSANDFLAGS (Redis's bitfieldGetKeys):
    read only (RO) while the operations are GETs and OVERFLOWs, RW from the first SET or INCRBY
    on, and RW too for anything it does not understand (the safer guess)."""
    j, argc = 2, len(argv)
    while j < argc:
        word, left = _word(argv[j]), argc - j - 1
        if word == b"get" and left >= 2:
            j += 3
        elif word == b"overflow" and left >= 1:
            j += 2
        else:
            return [(1, ("RW", "access", "update"))]
    return [(1, ("RO", "access"))]


@command("bitfield", arity=-2, flags="write denyoom", acl="bitmap",
         keys=[key("RW access update variable_flags",
                   notes="This command allows both access and modification of the key")],
         getkeys=_bitfield_get_keys, group="bitmap", since="3.2.0",
         complexity="O(1) for each subcommand specified",
         summary="Reads, writes and adds to integers of any width at any bit offset of a string.")
def bitfield(client, argv: list[bytes]) -> Reply:
    """BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding offset value | [OVERFLOW WRAP | SAT | FAIL] INCRBY encoding offset increment ...]

    ``encoding`` is ``i`` (signed) or ``u`` (unsigned) and a width: i1..i64, u1..u63. ``offset``
    is in bits, or ``#N`` for the N-th integer of that width. GET answers the integer, SET the
    old one, INCRBY the new one; an OVERFLOW applies to the SETs and INCRBYs after it: WRAP
    (the default) wraps around, SAT stops at the limit, FAIL writes nothing and answers nil.
    Teaches: many small counters in one string, each as wide as it needs to be, read and
    changed together in one command.
    """
    return _bitfield(client, argv, read_only=False)


@command("bitfield_ro", arity=-2, flags="readonly fast", acl="bitmap", keys=[key("RO access")],
         group="bitmap", since="6.0.0", complexity="O(1) for each subcommand specified",
         summary="Reads integers of any width at any bit offset of a string (BITFIELD's GET).")
def bitfield_ro(client, argv: list[bytes]) -> Reply:
    """BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]

    BITFIELD with GETs only: a read-only command, which a replica may run.
    """
    return _bitfield(client, argv, read_only=True)
