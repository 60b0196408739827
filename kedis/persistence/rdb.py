"""RDB: the snapshot file, in Redis's own format (rdb.c, rdb.h), version 10 as Redis 7.0 writes it.

An RDB file is the whole store at one instant, written as a stream of small records. A real
``redis-server`` loads what Kedis writes, and Kedis loads what Redis writes. Byte by byte::

    52 45 44 49 53 30 30 31 30     "REDIS0010": the magic and the format version (10, Redis 7.0)
    fa <string> <string>           AUX: a name and a value (redis-ver, redis-bits, ctime, ...)
    fe <length>                    SELECTDB: the keys that follow live in this database
    fb <length> <length>           RESIZEDB: how many keys, and how many of them have a TTL
    fc <8 bytes, little-endian>    EXPIRETIME_MS: the next key's deadline, in Unix ms (optional)
    00 <string> <string>           a key of type 0 (string): its name, then its value
    02 <string> <length> <string>...  a key of type 2 (set): its name, how many members, each
    0b <string> <string>           type 11, a small set of integers: its name, then an intset
                                   (one string: sorted integers of 2, 4 or 8 bytes)
    ff <8 bytes>                   EOF, then the CRC-64 of every byte before it (crc64.py)

A *length* takes 1, 2, 5 or 9 bytes, picked by its first two bits: ``00`` means the 6 bits that
follow are the length (0..63), ``01`` 14 bits (..16383), ``10`` then 4 or 8 big-endian bytes.
``11`` is not a length but a *special string encoding*: the low 6 bits say an integer follows
(1, 2 or 4 bytes, little-endian: "12345" takes 3 bytes, not 6) or LZF-compressed data (lzf.py).

A *string* is a length and its bytes, or one of those special encodings: Redis writes every
string of at most 11 characters that reads as a 32-bit integer as the integer (keys too), and,
with ``rdbcompression yes``, tries LZF on strings longer than 20 bytes. Kedis writes integers the
same way; it compresses with LZF only for DUMP (encode_string's ``lzf``, within a budget: lzf.py
is plain Python, about a microsecond a byte, where SAVE writes a million keys in half a second),
and SAVE writes strings as they are, as Redis does whenever compression does not pay. It reads
both.

A *value* is written the same way wherever it goes (``encode_value``: its type byte, then its
encoding): after a key's name in the file, and alone, with a footer, in a DUMP payload (the end
of this module). It is read back the same way too, into the values the store keeps (a set is a
SetValue), with Redis's checks: a set with a member twice, an intset out of order, a length that
the data cannot hold are refused, and nothing is allocated for a length read from the data
before the data is seen to hold it.

Writing is built for speed (a million keys a second is the goal): each string's bytes come from
tables of precomputed length prefixes, and a key is one ``bytes`` concatenation, no object per
key. Reading parses the common record (a short string key and value) inline, and the rest through
small functions. A load builds new dicts and hands them over only when the whole file has been
read and its checksum matches: a damaged file is refused with the offset where it went wrong,
and nothing of it is half-loaded. See disk.py for SAVE, BGSAVE and where the file goes.
"""

from __future__ import annotations

import os
import random
import struct
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..engine.keyspace import TYPE_NAMES
from ..structures.listpack import Listpack, ListpackError
from ..structures.quicklist import DEFAULT_COMPRESS, DEFAULT_FILL, Node, Quicklist
from ..structures.set import SetValue
from ..util.lzf import Budget, LZFError, decompress
from ..util.lzf import compress as lzf_compress
from .crc64 import crc64

__all__ = ["RDB_VERSION", "RDBError", "EmptyKey", "Snapshot", "LZFBudget", "encode", "write_file",
           "decode", "read_file", "encode_string", "encode_length", "encode_value", "parse_intset",
           "dump_payload", "verify_payload", "load_payload"]

RDB_VERSION = 10
MAGIC = b"REDIS%04d" % RDB_VERSION

# Value types (rdb.h). Kedis writes STRING, SET (or SET_INTSET) and LIST_QUICKLIST_2, and reads
# those.
TYPE_STRING = 0
TYPE_SET = 2
TYPE_SET_INTSET = 11
TYPE_LIST_QUICKLIST_2 = 18
# A quicklist node's container (quicklist.h): one large value, or a listpack of entries.
CONTAINER_PLAIN = 1
CONTAINER_PACKED = 2
RDB_TYPE_NAMES = {0: "string", 1: "list", 2: "set", 3: "zset", 4: "hash", 5: "zset", 6: "module",
              7: "module", 9: "hash (zipmap)", 10: "list (ziplist)", 11: "set (intset)",
              12: "zset (ziplist)", 13: "hash (ziplist)", 14: "list (quicklist)",
              15: "stream", 16: "hash (listpack)", 17: "zset (listpack)",
              18: "list (quicklist)", 19: "stream", 20: "set (listpack)"}

# Opcodes: records that are not keys (rdb.h).
OP_FUNCTION2 = 0xF5
OP_MODULE_AUX = 0xF7
OP_IDLE = 0xF8
OP_FREQ = 0xF9
OP_AUX = 0xFA
OP_RESIZEDB = 0xFB
OP_EXPIRETIME_MS = 0xFC
OP_EXPIRETIME = 0xFD
OP_SELECTDB = 0xFE
OP_EOF = 0xFF

# Special string encodings: the low 6 bits of a first byte 11xxxxxx.
ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF = 0, 1, 2, 3

#: One database's contents at one instant: its number, its data (key -> value) and its deadlines
#: (key -> Unix ms). BGSAVE takes these at one instant and writes them later (disk.py).
#: A database to write: its number, its keys and values, their deadlines; and, with an LRU or
#: LFU maxmemory-policy, what Redis writes before each record of their use (an OP_IDLE and the
#: idle seconds, or an OP_FREQ and the counter: ``access_record``), by key.
Snapshot = tuple[int, dict[bytes, Any], dict[bytes, int]] | \
    tuple[int, dict[bytes, Any], dict[bytes, int], dict[bytes, bytes]]


class RDBError(ValueError):
    """A file that is not a valid RDB file, with the byte offset where reading went wrong."""

    def __init__(self, message: str, offset: int | None = None, source: str = "RDB") -> None:
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"{source}: {message}{where}")
        self.offset = offset


# --- writing ------------------------------------------------------------------------------------
_SHORT = tuple(bytes([n]) for n in range(64))                            # 00xxxxxx
_MEDIUM = tuple(bytes([0x40 | n >> 8, n & 0xFF]) for n in range(16384))  # 01xxxxxx xxxxxxxx
_INT8 = struct.Struct("<Bb")
_INT16 = struct.Struct("<Bh")
_INT32 = struct.Struct("<Bi")
_EXPIRE = struct.Struct("<Bq")
_NUMERIC_START = frozenset(b"-0123456789")


def encode_length(n: int) -> bytes:
    """A length as RDB writes it: 1, 2, 5 or 9 bytes (rdbSaveLen)."""
    if n < 64:
        return _SHORT[n]
    if n < 16384:
        return _MEDIUM[n]
    if n <= 0xFFFFFFFF:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def _int_encoding(s: bytes) -> bytes | None:
    """``s`` as an integer encoding, if it is the canonical text of a 32-bit integer (Redis's
    rdbTryIntegerEncoding: "007" or "+7" must come back as they were, so they stay strings)."""
    try:
        value = int(s)
    except ValueError:
        return None
    if b"%d" % value != s:
        return None
    if -128 <= value <= 127:
        return _INT8.pack(0xC0 | ENC_INT8, value)
    if -32768 <= value <= 32767:
        return _INT16.pack(0xC0 | ENC_INT16, value)
    if -2147483648 <= value <= 2147483647:
        return _INT32.pack(0xC0 | ENC_INT32, value)
    return None


class LZFBudget(Budget):
    """The work LZF may do for the strings of one DUMP payload: LZF_BUDGET steps unless told."""

    __slots__ = ()

    def __init__(self, steps: int | None = None) -> None:
        super().__init__(LZF_BUDGET if steps is None else steps)


#: The steps LZF may take for one DUMP payload (lzf.py: a step is a byte of a literal run or a
#: whole match): 64K, about 60 ms of Python at worst (an incompressible string, which LZF reads
#: to the end before it gives up; benchmarks/dump.py, on the 2-core development machine), instead
#: of the minutes a 512 MB value would take. Within it, strings are compressed as Redis
#: compresses them, so DUMP answers Redis's very bytes: any string up to 64 KB, and longer ones
#: made of repeats (a megabyte of zeros takes 4,000 steps). A string the budget does not cover
#: is written uncompressed, which any RESTORE reads all the same.
LZF_BUDGET = 64 * 1024
#: Redis tries LZF on strings longer than this (shorter ones cannot win the 4 bytes it asks for).
LZF_MIN_LENGTH = 20


def encode_string(s: bytes, lzf: LZFBudget | None = None) -> bytes:
    """A string as RDB writes it (rdbSaveRawString): an integer, LZF-compressed (with a budget,
    and only when that saves at least 4 bytes, as Redis keeps it), or length + bytes."""
    n = len(s)
    if n < 12 and n and s[0] in _NUMERIC_START:
        encoded = _int_encoding(s)
        if encoded is not None:
            return encoded
    if lzf is not None and n > LZF_MIN_LENGTH and lzf.left:
        packed = lzf_compress(s, n - 4, lzf)
        if packed is not None:
            return b"\xc3" + encode_length(len(packed)) + encode_length(n) + packed
    if n < 64:
        return _SHORT[n] + s
    if n < 16384:
        return _MEDIUM[n] + s
    return encode_length(n) + s


def _encode_set(value: Any, lzf: LZFBudget | None) -> bytes:
    """A set (a SetValue): type 11 and an intset when Redis holds it as one (its integers sorted,
    each in ``value.width`` bytes: one string, compressed like any other), else type 2: the count,
    then each member."""
    if value.intset:
        numbers = sorted(map(int, value))
        width = value.width
        blob = struct.pack(f"<II{len(numbers)}{_INTSET_CODES[width]}", width, len(numbers),
                           *numbers)
        return bytes([TYPE_SET_INTSET]) + encode_string(blob, lzf)
    return b"".join([bytes([TYPE_SET]), encode_length(len(value)),
                     *(encode_string(m, lzf) for m in value)])


_INTSET_CODES = {2: "h", 4: "i", 8: "q"}


def _encode_list(value: Quicklist, lzf: LZFBudget | None) -> bytes:
    """A list (a Quicklist): type 18, the number of nodes, then each node: its container (plain
    or packed) and its bytes, a listpack or a plain node's value. A node the list holds
    compressed goes as its LZF form as it is (rdbSaveLzfBlob); any other as a string, compressed
    like any other (rdbSaveRawString)."""
    parts = [bytes([TYPE_LIST_QUICKLIST_2]), encode_length(len(value.nodes))]
    for node in value.nodes:
        parts.append(encode_length(CONTAINER_PLAIN if node.plain else CONTAINER_PACKED))
        if node.lzf is not None:
            parts += (b"\xc3", encode_length(len(node.lzf)), encode_length(node.sz), node.lzf)
        else:
            parts.append(encode_string(node.to_bytes(), lzf))
    return b"".join(parts)

#: Type name (keyspace.TYPE_NAMES) -> how to write a value of it, type byte first. A new type of
#: Kedis is one more entry here and one more reader in _READERS below. A string is written by
#: ``encode_value`` itself, unless it is in its bitmap form (a bytearray, keyspace.py): then here.
ENCODERS: dict[str, Callable[[Any, LZFBudget | None], bytes]] = {
    "set": _encode_set,
    "list": _encode_list,
    "string": lambda bitmap, lzf: bytes([TYPE_STRING]) + encode_string(bytes(bitmap), lzf),
}


def encode_value(value: Any, lzf: LZFBudget | None = None) -> bytes:
    """A value as RDB writes it, its type byte first (rdbSaveObjectType, then rdbSaveObject):
    what a key's record holds after its name, and what a DUMP payload holds before its footer."""
    if type(value) is bytes:
        return b"\x00" + encode_string(value, lzf)
    encoder = ENCODERS.get(TYPE_NAMES.get(type(value), ""))
    if encoder is None:
        raise TypeError(f"Kedis cannot write a {type(value).__name__} to RDB")
    return encoder(value, lzf)


def access_record(idle_seconds: int | None = None, freq: int | None = None) -> bytes:
    """What Redis writes before a key's record with an LRU policy (its idle time, in seconds) or
    an LFU one (its counter): the record type, then the number (rdbSaveKeyValuePair)."""
    if freq is not None:
        return bytes([OP_FREQ, freq])
    return bytes([OP_IDLE]) + encode_length(idle_seconds or 0)


def _aux(name: str, value: str | int) -> bytes:
    text = value if isinstance(value, str) else str(value)
    return bytes([OP_AUX]) + encode_string(name.encode()) + encode_string(text.encode())


def debug_delay(usec: int) -> None:
    """Wait ``usec`` microseconds, or, for a negative -N, 1 us once in N calls (debug.c's
    debugDelay, behind rdb-key-save-delay and key-load-delay)."""
    if usec < 0:
        usec = 1 if random.randrange(-usec) == 0 else 0
    if usec:
        time.sleep(usec / 1_000_000)


def encode(snapshots: Iterable[Snapshot], aux: dict[str, str | int] | None = None,
           chunk_keys: int = 4096, key_delay: int = 0) -> Iterator[bytes]:
    """The file's bytes, in chunks: header, aux fields, each database, EOF and checksum.
    ``key_delay``: rdb-key-save-delay, a wait after each key (debug_delay)."""
    crc = 0
    head = MAGIC + b"".join(_aux(name, value) for name, value in (aux or {}).items())
    crc = crc64(head, crc)
    yield head
    for index, data, expires, *more in snapshots:
        if not data:
            continue
        access = more[0] if more else None
        live_expires = sum(1 for key in expires if key in data)
        parts = [bytes([OP_SELECTDB]) + encode_length(index) + bytes([OP_RESIZEDB])
                 + encode_length(len(data)) + encode_length(live_expires)]
        append = parts.append
        # The loop below runs once per key: it is the cost of SAVE. encode_string is inlined for
        # the common case (a short string that does not start like a number).
        for key, value in data.items():
            if type(value) is bytes:
                n = len(key)
                if n < 64 and not (n < 12 and n and key[0] in _NUMERIC_START):
                    record = b"\x00" + _SHORT[n] + key
                else:
                    record = b"\x00" + encode_string(key)
                n = len(value)
                if n < 64 and not (n < 12 and n and value[0] in _NUMERIC_START):
                    record += _SHORT[n] + value
                else:
                    record += encode_string(value)
            else:
                encoded = encode_value(value)  # the type byte, then the value: the key between
                record = encoded[:1] + encode_string(key) + encoded[1:]
            if access:
                record = access[key] + record
            if expires:
                deadline = expires.get(key)
                if deadline is not None:
                    record = _EXPIRE.pack(OP_EXPIRETIME_MS, deadline) + record
            append(record)
            if key_delay:
                debug_delay(key_delay)
            if len(parts) >= chunk_keys:
                chunk = b"".join(parts)
                crc = crc64(chunk, crc)
                yield chunk
                parts.clear()
        chunk = b"".join(parts)
        crc = crc64(chunk, crc)
        yield chunk
    tail = bytes([OP_EOF])
    crc = crc64(tail, crc)
    yield tail + crc.to_bytes(8, "little")


def write_file(path: str, chunks: Iterable[bytes]) -> int:
    """Write the file crash-safely; returns its size in bytes.

    The bytes go to a temporary file beside ``path``, are fsynced (on the disk, not just in the
    kernel's cache), and only then is the temporary renamed over ``path``: a rename within one
    file system is atomic, so whoever opens ``path`` sees the old dump or the new one, never half
    of one, even if the process or the machine dies mid-save. Redis does the same (rdbSave:
    "temp-<pid>.rdb", fsync, rename). The directory is fsynced too, so that the rename itself
    survives a power cut.
    """
    folder = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(folder, f"temp-{os.getpid()}-{id(chunks)}.rdb")
    size = 0
    try:
        with open(temp, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
                size += len(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fsync_dir(folder)
    return size


def fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading ------------------------------------------------------------------------------------
class _Reader:
    """A cursor over a file's (or a payload's) bytes; every read checks that the bytes are there,
    so a length read from the data is never trusted before the data is seen to hold it."""

    __slots__ = ("data", "pos", "source", "noun", "set_options", "list_options")

    def __init__(self, data: bytes, pos: int, source: str, noun: str = "file",
                 config: Mapping[str, Any] | None = None) -> None:
        self.data = data
        self.pos = pos
        self.source = source
        self.noun = noun  # "file" or "payload", for the messages
        # The loading server's parameters decide the encodings of what is read, whatever the
        # writer's were (None: the defaults): set-max-intset-entries a set's, and
        # list-max-listpack-size and list-compress-depth a list's nodes (a list read keeps the
        # nodes it was written with, but takes the loading server's options from then on).
        self.set_options = {} if config is None else {"limit": config["set-max-intset-entries"]}
        self.list_options = (DEFAULT_FILL, DEFAULT_COMPRESS) if config is None else (
            config["list-max-listpack-size"], config["list-compress-depth"])

    def fail(self, message: str, offset: int | None = None) -> RDBError:
        return RDBError(message, self.pos if offset is None else offset, self.source)

    def take(self, n: int, what: str) -> bytes:
        start = self.pos
        end = start + n
        if end > len(self.data):
            raise self.fail(f"the {self.noun} ends in the middle of {what} "
                            f"({len(self.data) - start} of {n} bytes there)")
        self.pos = end
        return self.data[start:end]

    def byte(self, what: str) -> int:
        if self.pos >= len(self.data):
            raise self.fail(f"the {self.noun} ends where {what} was expected")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def length(self, what: str) -> int:
        """A length (rdbLoadLen). Like Redis, a first byte ``11xxxxxx`` (a string encoding) is
        read here as the 6-bit number it carries: rdbLoadLen does not look at that bit."""
        return self._length_or_encoding(what)[0]

    def _length_or_encoding(self, what: str) -> tuple[int, bool]:
        first = self.byte(what)
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, False
        if kind == 1:
            return (first & 0x3F) << 8 | self.byte(what), False
        if kind == 3:
            return first & 0x3F, True
        if first == 0x80:
            return int.from_bytes(self.take(4, what), "big"), False
        if first == 0x81:
            return int.from_bytes(self.take(8, what), "big"), False
        raise self.fail(f"an unknown length encoding 0x{first:02x} ({what})", self.pos - 1)

    def string(self, what: str) -> bytes:
        """A string in any of its encodings (rdbGenericLoadStringObject)."""
        start = self.pos
        length, special = self._length_or_encoding(what)
        if not special:
            return self.take(length, what)
        if length == ENC_INT8:
            return b"%d" % int.from_bytes(self.take(1, what), "little", signed=True)
        if length == ENC_INT16:
            return b"%d" % int.from_bytes(self.take(2, what), "little", signed=True)
        if length == ENC_INT32:
            return b"%d" % int.from_bytes(self.take(4, what), "little", signed=True)
        if length == ENC_LZF:
            compressed_length = self.length(what)
            plain_length = self.length(what)
            compressed = self.take(compressed_length, what)
            # One instruction of 3 bytes writes at most 264: a longer announced length is a lie,
            # refused before any work (Redis finds out after, and refuses it too).
            if plain_length > compressed_length * LZF_MAX_RATIO:
                raise self.fail(f"LZF data in {what} cannot expand to the {plain_length} bytes "
                                "it announces", start)
            try:
                return decompress(compressed, plain_length)
            except LZFError as error:
                raise self.fail(f"damaged LZF data in {what}: {error}", start) from None
        raise self.fail(f"an unknown string encoding {length} ({what})", start)


LZF_MAX_RATIO = 88  # 264 bytes out for a back reference of 3 bytes in


class EmptyKey(RDBError):
    """A set (or any container) with no member: Redis never stores one. A file that holds one
    (a bug of old Redis versions) loads without that key; a DUMP payload is refused."""


def _read_set(reader: _Reader, what: str) -> Any:
    """Type 2: a count, then each member (a string). Kept in the order read, Redis's hash table
    order: a Python set would lose it. As Redis loads it: an intset if at most 512 integers."""
    start = reader.pos
    count = reader.length(what)
    if count == 0:
        raise EmptyKey(f"an empty set in {what}", start, reader.source)
    options = reader.set_options
    value = SetValue(**options)
    add = value.add
    for _ in range(count):  # each member takes at least a byte: the data bounds the loop
        if not add(reader.string(what), **options):
            raise reader.fail(f"a member twice in {what} (Redis: \"Duplicate set members "
                              "detected\")")
    return value


def parse_intset(blob: bytes) -> tuple[int, tuple[int, ...]]:
    """An intset's bytes: (width, integers), checked as intsetValidateIntegrity does with its
    deep check (a width of 2, 4 or 8; the size the count says; not empty; strictly increasing).
    Raises ValueError with what is wrong."""
    if len(blob) < 8:
        raise ValueError(f"an intset needs an 8-byte header, not {len(blob)} bytes")
    width, count = struct.unpack_from("<II", blob)
    if width not in _INTSET_CODES:
        raise ValueError(f"an intset's integers are 2, 4 or 8 bytes wide, not {width}")
    if len(blob) != 8 + width * count:
        raise ValueError(f"an intset of {count} integers of {width} bytes takes "
                         f"{8 + width * count} bytes, not {len(blob)}")
    if count == 0:
        raise ValueError("an empty intset")
    numbers = struct.unpack_from(f"<{count}{_INTSET_CODES[width]}", blob, 8)
    if any(a >= b for a, b in zip(numbers, numbers[1:], strict=False)):
        raise ValueError("an intset's integers out of order, or one twice")
    return width, numbers


def _read_intset(reader: _Reader, what: str) -> Any:
    """Type 11: one string holding an intset, kept as it is (its width too); more integers than
    set-max-intset-entries become a hash table, as Redis converts them."""
    start = reader.pos
    blob = reader.string(what)
    try:
        width, numbers = parse_intset(blob)
    except ValueError as error:
        raise reader.fail(f"a damaged intset in {what}: {error}", start) from None
    value = SetValue((b"%d" % n for n in numbers), **reader.set_options)
    if value.intset:
        value.width = width
    return value


def _read_list(reader: _Reader, what: str) -> Any:
    """Type 18: the number of nodes, then each node's container and bytes, checked as Redis
    checks them (lpValidateIntegrity); a node with no entry is skipped, as Redis skips it. The
    list takes the loading server's options, and its nodes settle as they are appended
    (quicklistAppendListpack): the ends uncompressed, the rest compressed past the depth."""
    start = reader.pos
    count = reader.length(what)
    value = Quicklist(*reader.list_options)
    for _ in range(count):  # each node takes at least two bytes: the data bounds the loop
        at = reader.pos
        container = reader.length(what)
        if container not in (CONTAINER_PLAIN, CONTAINER_PACKED):
            raise reader.fail(f"a list node of an unknown container {container} in {what} "
                              "(Redis: \"Quicklist integrity check failed\")", at)
        data = reader.string(what)
        if not data:
            raise reader.fail(f"an empty list node in {what}", at)
        if container == CONTAINER_PLAIN:
            value.append_node(Node(Listpack([data]), plain=True))
            continue
        try:
            pack = Listpack.from_bytes(data)
        except ListpackError as error:
            raise reader.fail(f"a damaged listpack in {what}: {error} (Redis: \"Listpack "
                              "integrity check failed\")", at) from None
        if len(pack):
            value.append_node(Node(pack))
    if not value.count:
        raise EmptyKey(f"an empty list in {what}", start, reader.source)
    return value


#: RDB type -> how to read a value of it (the key has been read): the values the store keeps.
_READERS: dict[int, Callable[[_Reader, str], Any]] = {
    TYPE_STRING: lambda reader, what: reader.string(what),
    TYPE_SET: _read_set,
    TYPE_SET_INTSET: _read_intset,
    TYPE_LIST_QUICKLIST_2: _read_list,
}


def _show_key(key: bytes) -> str:
    text = key[:40].decode("utf-8", "backslashreplace")
    return repr(text + ("..." if len(key) > 40 else ""))


def decode(data: bytes, now_ms: int | None = None, databases: int = 16,
           source: str = "RDB", config: Mapping[str, Any] | None = None,
           access: dict[int, dict[bytes, tuple[int, int]]] | None = None, key_delay: int = 0
           ) -> tuple[dict[int, tuple[dict, dict]], dict[str, bytes], int]:
    """Read a whole RDB file: ({db: (data, expires)}, aux fields, keys skipped as expired).
    ``config`` holds the loading engine's parameters (the encodings of what is read: see
    _Reader). Given an ``access`` dict,
    it is filled with what the file says of the keys' use: {db: {key: (idle seconds, LFU
    counter)}}, -1 for what it does not say (Redis writes one of them with an LRU or LFU policy).

    Keys whose deadline is before ``now_ms`` are skipped, as a Redis master does at load (the
    file may be old). Raises RDBError, with the offset, for anything wrong: the caller gets all
    of the file or nothing.
    """
    if len(data) < 9 or data[:5] != b"REDIS":
        raise RDBError("not an RDB file (it does not start with REDIS)", 0, source)
    try:
        version = int(data[5:9])
    except ValueError:
        raise RDBError("not an RDB file (no version after REDIS)", 5, source) from None
    if not 1 <= version <= RDB_VERSION:
        raise RDBError(f"RDB format version {version} is newer than Kedis reads "
                       f"(up to {RDB_VERSION}, Redis 7.0)", 5, source)
    reader = _Reader(data, 9, source, config=config)
    result: dict[int, tuple[dict, dict]] = {}
    aux: dict[str, bytes] = {}
    db_data: dict[bytes, Any] = {}
    db_expires: dict[bytes, int] = {}
    db_index = 0
    result[0] = (db_data, db_expires)
    deadline: int | None = None
    used: tuple[int, int] | None = None  # (idle seconds, LFU counter) of the next key
    expired = 0
    key = b""
    size = len(data)
    short = _SHORT_LIMIT
    while True:
        pos = reader.pos
        # The common record, inline: a string key and value, both plain strings of < 64 bytes.
        # (A slice past the end is cut short without an error, hence the bound check first.)
        if (pos + 2 < size and data[pos] == 0 and data[pos + 1] < short and used is None
                and not key_delay):
            end = pos + 2 + data[pos + 1]
            if end < size and data[end] < short:
                key = data[pos + 2:end]
                stop = end + 1 + data[end]
                if stop <= size:
                    if deadline is None:
                        db_data[key] = data[end + 1:stop]
                    elif now_ms is None or deadline >= now_ms:
                        db_data[key] = data[end + 1:stop]
                        db_expires[key] = deadline
                    else:
                        expired += 1
                    deadline = None
                    reader.pos = stop
                    continue
        kind = reader.byte("a record type")
        if kind == OP_EOF:
            break
        if kind == OP_SELECTDB:
            db_index = reader.length("a database number")
            if db_index >= databases:
                raise reader.fail(f"database {db_index} is out of range (this server has "
                                  f"{databases})", pos)
            db_data, db_expires = result.setdefault(db_index, ({}, {}))
            continue
        if kind == OP_RESIZEDB:
            reader.length("RESIZEDB's key count")
            reader.length("RESIZEDB's expires count")
            continue
        if kind == OP_AUX:
            name = reader.string("an aux field's name")
            aux[name.decode("utf-8", "replace")] = reader.string("an aux field's value")
            continue
        if kind == OP_EXPIRETIME_MS:
            deadline = int.from_bytes(reader.take(8, "an expire time"), "little", signed=True)
            continue
        if kind == OP_EXPIRETIME:  # seconds: files of Redis before 3.0
            deadline = int.from_bytes(reader.take(4, "an expire time"), "little", signed=True) * 1000
            continue
        if kind == OP_IDLE:  # the next key's idle time (an LRU policy wrote it)
            used = (reader.length("an LRU idle time"), -1)
            continue
        if kind == OP_FREQ:  # the next key's LFU counter (an LFU policy wrote it)
            used = (-1, reader.byte("an LFU frequency"))
            continue
        if kind == OP_MODULE_AUX or kind == OP_FUNCTION2:
            name = "module data" if kind == OP_MODULE_AUX else "a function library"
            raise reader.fail(f"{name}, which Kedis cannot load", pos)
        read_value = _READERS.get(kind)
        if read_value is None:
            type_name = RDB_TYPE_NAMES.get(kind)
            if type_name is None:
                raise reader.fail(f"an unknown record type {kind}", pos)
            raise reader.fail(f"a key of type {type_name} ({kind}), which Kedis does not have "
                              "yet", pos)
        key = reader.string("a key")
        try:
            value = read_value(reader, f"the value of key {_show_key(key)}")
        except EmptyKey:  # Redis skips it ("rdbLoadObject skipping empty key"), and goes on
            deadline = used = None
            continue
        if deadline is None or now_ms is None or deadline >= now_ms:
            db_data[key] = value
            if deadline is not None:
                db_expires[key] = deadline
            if used is not None and access is not None:
                access.setdefault(db_index, {})[key] = used
        else:
            expired += 1
        deadline = used = None
        if key_delay:  # key-load-delay, after each key read (rdbLoadRioWithLoadingCtx)
            debug_delay(key_delay)
    if version >= 5:
        checksum_at = reader.pos
        stored = int.from_bytes(reader.take(8, "the checksum"), "little")
        if stored != 0:  # 0: written with rdbchecksum no
            computed = crc64(data[:checksum_at])
            if computed != stored:
                raise RDBError(f"wrong checksum: the file says {stored:016x}, its bytes give "
                               f"{computed:016x} (damaged somewhere between byte 9 and byte "
                               f"{checksum_at})", checksum_at, source)
    if reader.pos != size:
        raise RDBError(f"{size - reader.pos} bytes after the end of the file", reader.pos, source)
    return {index: pair for index, pair in result.items() if pair[0]}, aux, expired


_SHORT_LIMIT = 64


def read_file(path: str, now_ms: int | None = None, databases: int = 16,
              config: Mapping[str, Any] | None = None,
              access: dict[int, dict[bytes, tuple[int, int]]] | None = None, key_delay: int = 0
              ) -> tuple[dict[int, tuple[dict, dict]], dict[str, bytes], int]:
    """Read an RDB file (see decode). Raises OSError when it cannot be opened."""
    with open(path, "rb") as file:
        data = file.read()
    return decode(data, now_ms, databases, os.path.basename(path), config, access,
                  key_delay)


# --- DUMP payloads --------------------------------------------------------------------------------
# DUMP serializes one value, RESTORE makes a key of it again (Redis keeps both in cluster.c,
# beside MIGRATE, which moves keys between servers with them). A payload is the value as an RDB
# file writes it after a key's name (its type byte, then its encoding: encode_value), followed
# by a footer that says which format wrote it and proves it arrived whole:
#
#     <type> <value> | <RDB version: 2 bytes, little-endian> | <CRC-64 of all before: 8 bytes>
#
# Redis refuses a payload from a newer format (it could not read it) or with a wrong checksum.
PAYLOAD_FOOTER = RDB_VERSION.to_bytes(2, "little")


def dump_payload(value: Any, lzf: LZFBudget | None = None) -> bytes:
    """The DUMP payload of ``value`` (createDumpPayload); ``lzf`` compresses its long strings."""
    body = encode_value(value, lzf)
    if len(body) < 4096:  # one CRC call over a small copy is cheaper than two
        body += PAYLOAD_FOOTER
        return body + crc64(body).to_bytes(8, "little")
    crc = crc64(PAYLOAD_FOOTER, crc64(body))  # (a big value is not copied once more for it)
    return b"".join((body, PAYLOAD_FOOTER, crc.to_bytes(8, "little")))


def verify_payload(payload: bytes) -> bool:
    """Whether the footer is right (verifyDumpPayload): at least its 10 bytes, an RDB version
    Kedis reads (this one, 10, or an older one), and the CRC-64 of the bytes before the CRC."""
    size = len(payload)
    if size < 10 or payload[size - 10] | payload[size - 9] << 8 > RDB_VERSION:
        return False
    return crc64(memoryview(payload)[:-8]) == int.from_bytes(payload[-8:], "little")


def load_payload(payload: bytes, config: Mapping[str, Any] | None = None) -> Any:
    """The value a payload holds, as the store keeps it (rdbLoadObjectType, rdbLoadObject).
    Raises RDBError, with the byte where reading went wrong; check the footer first.

    As in Redis, the value is read from the payload's start with nothing to stop it at the
    footer: a value may end before it (the bytes between are ignored) or even read into it.
    """
    if len(payload) > 1 and payload[0] == TYPE_STRING and payload[1] < 64:  # a short string: inline
        end = 2 + payload[1]
        if end <= len(payload):
            return payload[2:end]
    reader = _Reader(payload, 0, "DUMP payload", "payload", config)
    kind = reader.byte("the value's type")
    read_value = _READERS.get(kind)
    if read_value is None:
        type_name = RDB_TYPE_NAMES.get(kind)
        if type_name is None or kind == 20:  # (type 20 is Redis 7.2's)
            raise reader.fail(f"an unknown value type {kind}", 0)
        raise reader.fail(f"a value of type {type_name} ({kind}), which Kedis does not have "
                          "yet", 0)
    return read_value(reader, "the value")
