"""String commands (Redis's t_string.c).

A Redis string is a sequence of bytes: text, a number, a JPEG. It is the only type of value in this
module, and the one every other type is built from. What these commands teach:

- SET and its options: one command that can create, overwrite, refuse (NX/XX), expire and return
  the old value, decided in a fixed order (parse all options, validate the expiry, then act);
- counters (INCR and friends) are strings that happen to hold a number; the server reads, adds and
  writes back in one step, so two clients can never lose each other's increment;
- a TTL belongs to the key, and each command says whether it keeps it (APPEND, INCR, SETRANGE) or
  drops it (SET, GETSET, MSET);
- LCS, the longest common subsequence of two strings: dynamic programming, made fast in Python
  by computing a whole row of the table at once with big-integer arithmetic (see ``_lcs_rows``).

Each handler that writes also counts its changes in ``stats.dirty`` (INFO's
rdb_changes_since_last_save, Redis's ``server.dirty++``), as t_string.c counts them: one per key
written, whatever options came with it (``SET k v EX 10`` is one change, not two), none when the
command wrote nothing (``SET k v NX`` on an existing key, ``SETRANGE k 0 ""``).

Every handler has the same shape: ``handler(client, argv) -> Reply``. argv[0] is the command name;
its arity was checked by the dispatcher before the handler runs.
"""

from __future__ import annotations

import os

from ..engine.command_table import command, key
from ..engine.errors import (
    DECREMENT_OVERFLOW,
    LCS_LEN_AND_IDX,
    LCS_NO_MEMORY,
    LCS_NOT_STRINGS,
    LCS_OVER_LIMIT,
    LCS_TOO_LONG,
    NAN_OR_INFINITY,
    NOT_FLOAT,
    NOT_INTEGER,
    OFFSET_RANGE,
    OVERFLOW,
    STRING_TOO_LONG,
    SYNTAX,
    WRONGTYPE,
    CommandError,
    invalid_expire_time,
    wrong_arity,
)
from ..engine.notify import GENERIC, STRING, notify
from ..engine.reply import EMPTY_BULK, NULL, OK, ONE, ZERO, Array, Bulk, Integer, Map, Reply
from ..util import longdouble
from ..util.numbers import LLONG_MAX, LLONG_MIN, string_to_int
from .args import parse_int

# The options of SET and GETEX, as bit flags (Redis: OBJ_SET_NX, OBJ_SET_XX, ...).
NX, XX, GET, KEEPTTL, PERSIST, EX, PX, EXAT, PXAT = (1 << i for i in range(9))
_EXPIRY = EX | PX | EXAT | PXAT


def _stored_string(value: object) -> bytes | bytearray | None:
    """A stored value that must be a string (or absent): anything else is a WRONGTYPE error.

    A string is bytes, or a bytearray once a bitmap command has written it (its bitmap form,
    commands/bitops.py): both read alike (``len``, slices, indexes).
    """
    if value is not None and type(value) is not bytes and type(value) is not bytearray:
        raise CommandError(WRONGTYPE)
    return value  # type: ignore[return-value]


def _string_or_error(value: object) -> bytes | None:
    """The same, as bytes, for a command that answers or keeps the whole value: a bitmap's
    bytearray is copied (which costs what sending it costs anyway)."""
    if type(value) is bytearray:
        return bytes(value)
    return _stored_string(value)  # type: ignore[return-value]


def _check_length(client, current: int, added: int) -> None:
    # Strings are capped at proto-max-bulk-len (512 MB by default) so one command cannot make a
    # value the protocol could not even carry (checkStringLength).
    if current + added > client.server.config["proto-max-bulk-len"]:
        raise CommandError(STRING_TOO_LONG)


def _parse_options(argv: list[bytes], start: int, for_set: bool) -> tuple[int, bytes | None]:
    """Read SET's (or GETEX's) options into flags, and the expiry argument if any.

    The rules are Redis's (parseExtendedStringArgumentsOrReply): options may come in any order;
    NX/XX, and the five expiry forms (EX, PX, EXAT, PXAT, KEEPTTL or PERSIST), exclude each other;
    anything unexpected, or an expiry option without its number, is a syntax error.
    """
    flags = 0
    expire = None
    j = start
    n = len(argv)
    while j < n:
        opt = argv[j].split(b"\x00", 1)[0].upper()  # C compares up to the first NUL byte
        has_next = j + 1 < n
        if opt == b"NX" and for_set and not flags & XX:
            flags |= NX
        elif opt == b"XX" and for_set and not flags & NX:
            flags |= XX
        elif opt == b"GET" and for_set:
            flags |= GET
        elif opt == b"KEEPTTL" and for_set and not flags & (PERSIST | _EXPIRY):
            flags |= KEEPTTL
        elif opt == b"PERSIST" and not for_set and not flags & (KEEPTTL | _EXPIRY):
            flags |= PERSIST
        elif opt in _UNIT_FLAGS and has_next and not flags & (KEEPTTL | PERSIST | (_EXPIRY & ~_UNIT_FLAGS[opt])):
            flags |= _UNIT_FLAGS[opt]
            expire = argv[j + 1]
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    return flags, expire


_UNIT_FLAGS = {b"EX": EX, b"PX": PX, b"EXAT": EXAT, b"PXAT": PXAT}


def _deadline(client, argument: bytes, flags: int, command_name: str) -> int:
    """The absolute deadline (ms since the epoch) that EX/PX/EXAT/PXAT's argument asks for.

    Zero, negative and overflowing times are refused (getExpireMillisecondsOrReply): an absolute
    time in the past is accepted, and the key is then expired the next time anyone touches it.
    """
    when = parse_int(argument)
    seconds = bool(flags & (EX | EXAT))
    if when <= 0 or (seconds and when > LLONG_MAX // 1000):
        raise CommandError(invalid_expire_time(command_name))
    if seconds:
        when *= 1000
    if flags & (EX | PX):
        when += client.server.clock.ms()
    if when > LLONG_MAX:  # in C the addition would wrap around to a negative number
        raise CommandError(invalid_expire_time(command_name))
    return when


def _get_reply(client, key_name: bytes) -> Reply:
    """GET's answer for a key: its value, nil, or a WRONGTYPE error (getGenericCommand)."""
    value = _string_or_error(client.db.lookup_read(key_name))
    return NULL if value is None else Bulk(value)


def _set_generic(client, flags: int, key_name: bytes, value: bytes, expire: bytes | None,
                 command_name: str, ok: Reply = OK, aborted: Reply = NULL) -> Reply:
    """The one implementation behind SET, SETNX, SETEX and PSETEX (setGenericCommand)."""
    deadline = _deadline(client, expire, flags, command_name) if expire is not None else None
    old = _get_reply(client, key_name) if flags & GET else None
    db = client.db
    found = db.lookup_write(key_name) is not None
    if (flags & NX and found) or (flags & XX and not found):
        return old if old is not None else aborted
    db.set_key(key_name, value, keep_ttl=bool(flags & KEEPTTL))
    client.server.stats.dirty += 1  # the value and its TTL: one change, as in Redis
    notify(db, STRING, b"set", key_name)
    if deadline is not None:
        db.set_expire(key_name, deadline)
        notify(db, GENERIC, b"expire", key_name)
    return old if old is not None else ok


def _set_get_keys(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """SET's key and how SET uses it, for COMMAND GETKEYSANDFLAGS (Redis's setGetKeys).

    With a GET option the old value is read (RW access update), without one it is only
    overwritten (OW update). Like Redis, any argument after the value that reads ``get`` as a C
    string counts, even one that is really EX's number: ``SET k v EX get`` says RW too.
    """
    for arg in argv[3:]:
        if arg.split(b"\x00", 1)[0].lower() == b"get":
            return [(1, ("RW", "access", "update"))]
    return [(1, ("OW", "update"))]


@command("set", arity=-3, flags="write denyoom", acl="string",
         keys=[key("RW access update variable_flags",
                   notes="RW and ACCESS due to the optional `GET` argument")],
         getkeys=_set_get_keys,
         group="string", since="1.0.0", complexity="O(1)",
         summary="Sets the string value of a key, ignoring its type; options set a TTL, a "
                 "condition (NX, XX) or return the old value (GET).")
def set_(client, argv: list[bytes]) -> Reply:
    """SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]

    Stores ``value`` at ``key``, replacing whatever was there (of any type) and its TTL.
    NX: only if the key does not exist; XX: only if it does (otherwise nil). GET: answer the old
    value instead of OK. EX/PX: expire in seconds/milliseconds; EXAT/PXAT: at a Unix time;
    KEEPTTL: keep the key's current TTL.

    Teaches: one command, many decisions, taken in Redis's order: parse every option (a conflict
    is a syntax error), validate the expiry, read the old value for GET, test NX/XX, write.
    """
    if len(argv) == 3:  # the common case: no options
        db = client.db
        if db.expires:
            db.lookup_write(argv[1])  # an expired key is removed (and counted) before it is replaced
        db.set_key(argv[1], argv[2])
        client.server.stats.dirty += 1
        if db.notify_flags:
            notify(db, STRING, b"set", argv[1])
        return OK
    flags, expire = _parse_options(argv, 3, for_set=True)
    return _set_generic(client, flags, argv[1], argv[2], expire, "set")


@command("setnx", arity=3, flags="write denyoom fast", acl="string", keys=[key("OW insert")],
         group="string", since="1.0.0", complexity="O(1)",
         summary="Sets the string value of a key only when the key does not exist.")
def setnx(client, argv: list[bytes]) -> Reply:
    """SETNX key value

    Answers 1 if it set the key, 0 if the key already existed. The same as ``SET key value NX``
    with an integer reply. Teaches: the classic building block of locks ("set if not exists").
    """
    return _set_generic(client, NX, argv[1], argv[2], None, "setnx", ONE, ZERO)


@command("setex", arity=4, flags="write denyoom", acl="string", keys=[key("OW update")],
         group="string", since="2.0.0", complexity="O(1)",
         summary="Sets the string value and the expiration time (in seconds) of a key.")
def setex(client, argv: list[bytes]) -> Reply:
    """SETEX key seconds value

    ``SET key value EX seconds`` in the older form. Teaches: value and TTL set in one step, so no
    one ever sees the key without its TTL.
    """
    return _set_generic(client, EX, argv[1], argv[3], argv[2], "setex")


@command("psetex", arity=4, flags="write denyoom", acl="string", keys=[key("OW update")],
         group="string", since="2.6.0", complexity="O(1)",
         summary="Sets the string value and the expiration time (in milliseconds) of a key.")
def psetex(client, argv: list[bytes]) -> Reply:
    """PSETEX key milliseconds value

    ``SET key value PX milliseconds`` in the older form.
    """
    return _set_generic(client, PX, argv[1], argv[3], argv[2], "psetex")


@command("get", arity=2, flags="readonly fast", acl="string", keys=[key("RO access")],
         group="string", since="1.0.0", complexity="O(1)",
         summary="Returns the string value of a key, or nil when the key does not exist.")
def get(client, argv: list[bytes]) -> Reply:
    """GET key

    Teaches: the simplest read: look the key up (expiring it first if its deadline passed), check
    that it holds a string, answer it. A key of another type is a WRONGTYPE error, not nil.
    """
    value = client.db.lookup_read(argv[1])
    if value is None:
        return NULL
    if type(value) is not bytes:
        return Bulk(_string_or_error(value))  # a bitmap's bytes, or WRONGTYPE
    return Bulk(value)


@command("getdel", arity=2, flags="write fast", acl="string", keys=[key("RW access delete")],
         group="string", since="6.2.0", complexity="O(1)",
         summary="Returns the string value of a key and deletes the key.")
def getdel(client, argv: list[bytes]) -> Reply:
    """GETDEL key

    Teaches: read-and-remove in one step, so the value is handed out once ("pop" a string).
    """
    reply = _get_reply(client, argv[1])
    if reply is not NULL:
        client.db.delete(argv[1])
        notify(client.db, GENERIC, b"del", argv[1])
        client.server.stats.dirty += 1
    return reply


@command("getex", arity=-2, flags="write fast", acl="string",
         keys=[key("RW access update", notes="RW and UPDATE because it changes the TTL")],
         group="string", since="6.2.0", complexity="O(1)",
         summary="Returns the string value of a key and optionally sets or removes its TTL.")
def getex(client, argv: list[bytes]) -> Reply:
    """GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]

    Teaches: reading can also be a write. GETEX answers the value, then sets a new TTL (EX/PX/
    EXAT/PXAT), removes it (PERSIST), or leaves it alone. A deadline already past deletes the key.
    """
    flags, expire = _parse_options(argv, 2, for_set=False)
    db = client.db
    value = _string_or_error(db.lookup_read(argv[1]))
    if value is None:
        return NULL
    deadline = _deadline(client, expire, flags, "getex") if expire is not None else None
    stats = client.server.stats
    if deadline is not None:
        if flags & (EXAT | PXAT) and deadline <= client.server.clock.ms():
            db.delete(argv[1])  # an absolute time in the past: the key is gone at once
            notify(db, GENERIC, b"del", argv[1])
        else:
            db.set_expire(argv[1], deadline)
            notify(db, GENERIC, b"expire", argv[1])
        stats.dirty += 1
    elif flags & PERSIST and db.remove_expire(argv[1]):  # a change only if there was a TTL
        notify(db, GENERIC, b"persist", argv[1])
        stats.dirty += 1
    return Bulk(value)


@command("getset", arity=3, flags="write denyoom fast", acl="string",
         keys=[key("RW access update")], group="string", since="1.0.0", complexity="O(1)",
         summary="Sets the string value of a key and returns its previous value.",
         doc_flags="deprecated")
def getset(client, argv: list[bytes]) -> Reply:
    """GETSET key value

    ``SET key value GET`` in the older form (deprecated since 6.2). Drops the key's TTL.
    """
    reply = _get_reply(client, argv[1])
    client.db.set_key(argv[1], argv[2])
    notify(client.db, STRING, b"set", argv[1])
    client.server.stats.dirty += 1
    return reply


@command("mget", arity=-2, flags="readonly fast", acl="string",
         keys=[key("RO access", last_key=-1)], tips="request_policy:multi_shard",
         group="string", since="1.0.0", complexity="O(N) where N is the number of keys",
         summary="Returns the string values of one or more keys.")
def mget(client, argv: list[bytes]) -> Reply:
    """MGET key [key ...]

    Answers an array with one element per key: its value, or nil when the key is missing *or
    holds another type* (MGET never answers WRONGTYPE). Teaches: one round trip for many reads.
    """
    lookup = client.db.lookup_read
    items = []
    for name in argv[1:]:
        value = lookup(name)
        if type(value) is bytes:
            items.append(Bulk(value))
        elif type(value) is bytearray:  # a string in its bitmap form
            items.append(Bulk(bytes(value)))
        else:
            items.append(NULL)
    return Array(items)


def _mset_generic(client, argv: list[bytes], nx: bool) -> Reply:
    if len(argv) % 2 == 0:  # keys and values must pair up
        raise CommandError(wrong_arity("msetnx" if nx else "mset"))
    db = client.db
    if nx and any(db.lookup_write(argv[j]) is not None for j in range(1, len(argv), 2)):
        return ZERO
    for j in range(1, len(argv), 2):
        db.set_key(argv[j], argv[j + 1])
        if db.notify_flags:
            notify(db, STRING, b"set", argv[j])
    # One per pair, even for a key named twice (MSET a 1 a 2 counts 2), as Redis counts them.
    client.server.stats.dirty += len(argv) // 2
    return ONE if nx else OK


@command("mset", arity=-3, flags="write denyoom", acl="string",
         keys=[key("OW update", last_key=-1, key_step=2)],
         tips="request_policy:multi_shard response_policy:all_succeeded",
         group="string", since="1.0.1", complexity="O(N) where N is the number of keys to set",
         summary="Sets the string values of one or more keys, replacing existing values.")
def mset(client, argv: list[bytes]) -> Reply:
    """MSET key value [key value ...]

    Teaches: several writes as one command: no other command runs between them.
    """
    return _mset_generic(client, argv, nx=False)


@command("msetnx", arity=-3, flags="write denyoom", acl="string",
         keys=[key("OW insert", last_key=-1, key_step=2)],
         tips="request_policy:multi_shard response_policy:agg_min",
         group="string", since="1.0.1", complexity="O(N) where N is the number of keys to set",
         summary="Sets the string values of one or more keys only when none of the keys exist.")
def msetnx(client, argv: list[bytes]) -> Reply:
    """MSETNX key value [key value ...]

    All or nothing: sets every key and answers 1 if none of them existed, else sets none and
    answers 0.
    """
    return _mset_generic(client, argv, nx=True)


@command("append", arity=3, flags="write denyoom fast", acl="string", keys=[key("RW insert")],
         group="string", since="2.0.0",
         complexity="O(1) amortized in Redis; O(N) in Kedis, which copies the string",
         summary="Appends a string to the value of a key, creating the key if needed.")
def append(client, argv: list[bytes]) -> Reply:
    """APPEND key value

    Answers the new length. Keeps the key's TTL. Teaches: Redis grows the string in place (its sds
    strings keep spare room); Python's bytes are immutable, so Kedis builds a new one each time.
    """
    db = client.db
    value = _string_or_error(db.lookup_write(argv[1]))
    stats = client.server.stats
    if value is None:
        db.store(argv[1], argv[2])  # even an empty string: APPEND k "" creates k
        value = argv[2]
    else:
        _check_length(client, len(value), len(argv[2]))
        value += argv[2]
        db.store(argv[1], value)
        db.encodings[argv[1]] = "raw"  # grown in place: a raw sds string from now on
    if db.notify_flags:
        notify(db, STRING, b"append", argv[1])
    stats.dirty += 1  # even when nothing was appended, as Redis counts it
    return Integer(len(value))


@command("strlen", arity=2, flags="readonly fast", acl="string", keys=[key("RO")],
         group="string", since="2.2.0", complexity="O(1)",
         summary="Returns the length of a string value, 0 when the key does not exist.")
def strlen(client, argv: list[bytes]) -> Reply:
    """STRLEN key

    The length in bytes, not characters: "ü" is 2.
    """
    value = _stored_string(client.db.lookup_read(argv[1]))
    return ZERO if value is None else Integer(len(value))


def _incr_by(client, key_name: bytes, increment: int) -> Reply:
    """Add to the integer stored at a key (incrDecrCommand): a missing key counts as 0."""
    db = client.db
    stored = db.lookup_write(key_name)
    if stored is None:
        current = 0
    elif type(stored) is not bytes and type(stored) is not bytearray:
        raise CommandError(WRONGTYPE)
    else:
        current = string_to_int(stored)
        if current is None:
            raise CommandError(NOT_INTEGER)
    result = current + increment
    if result > LLONG_MAX or result < LLONG_MIN:
        raise CommandError(OVERFLOW)
    db.store(key_name, b"%d" % result)
    client.server.stats.dirty += 1
    if db.notify_flags:  # INCR, DECR, INCRBY and DECRBY all say "incrby"
        notify(db, STRING, b"incrby", key_name)
    return Integer(result)


@command("incr", arity=2, flags="write denyoom fast", acl="string",
         keys=[key("RW access update")], group="string", since="1.0.0", complexity="O(1)",
         summary="Increments the integer value of a key by one; a missing key counts as 0.")
def incr(client, argv: list[bytes]) -> Reply:
    """INCR key

    Teaches: atomic counters. Two clients doing GET then SET can both read 41 and both write 42;
    INCR reads, adds and writes in one command, and commands never interleave, so none is lost.
    The value stays a string: INCR parses it strictly ("007" or "1.0" is not an integer).
    """
    return _incr_by(client, argv[1], 1)


@command("decr", arity=2, flags="write denyoom fast", acl="string",
         keys=[key("RW access update")], group="string", since="1.0.0", complexity="O(1)",
         summary="Decrements the integer value of a key by one; a missing key counts as 0.")
def decr(client, argv: list[bytes]) -> Reply:
    """DECR key"""
    return _incr_by(client, argv[1], -1)


@command("incrby", arity=3, flags="write denyoom fast", acl="string",
         keys=[key("RW access update")], group="string", since="1.0.0", complexity="O(1)",
         summary="Increments the integer value of a key by a number; a missing key counts as 0.")
def incrby(client, argv: list[bytes]) -> Reply:
    """INCRBY key increment

    The result must fit in a signed 64-bit integer, or the command fails and nothing changes.
    """
    return _incr_by(client, argv[1], parse_int(argv[2]))


@command("decrby", arity=3, flags="write denyoom fast", acl="string",
         keys=[key("RW access update")], group="string", since="1.0.0", complexity="O(1)",
         summary="Decrements the integer value of a key by a number; a missing key counts as 0.")
def decrby(client, argv: list[bytes]) -> Reply:
    """DECRBY key decrement"""
    decrement = parse_int(argv[2])
    if decrement == LLONG_MIN:  # -LLONG_MIN does not fit in 64 bits
        raise CommandError(DECREMENT_OVERFLOW)
    return _incr_by(client, argv[1], -decrement)


@command("incrbyfloat", arity=3, flags="write denyoom fast", acl="string",
         keys=[key("RW access update")], group="string", since="2.6.0", complexity="O(1)",
         summary="Increments the floating point value of a key by a number; a missing key "
                 "counts as 0.")
def incrbyfloat(client, argv: list[bytes]) -> Reply:
    """INCRBYFLOAT key increment

    Teaches: Redis adds in C's ``long double`` (80-bit on x86-64) and prints 17 decimals without
    trailing zeros, so ``10.5 + 0.1`` is ``10.6`` here, not Python's 10.600000000000001.
    See longdouble.py. Keeps the key's TTL.
    """
    db = client.db
    stored = _stored_string(db.lookup_write(argv[1]))
    current = longdouble.parse(stored) if stored is not None else 0
    increment = longdouble.parse(argv[2])
    if current is None or increment is None:
        raise CommandError(NOT_FLOAT)
    result = longdouble.add(current, increment)
    if result is None or isinstance(result, str):  # NaN or an infinity
        raise CommandError(NAN_OR_INFINITY)
    text = longdouble.format_human(result)
    db.store(argv[1], text)
    # Redis makes the new value a plain string object, never an integer one, even for "3".
    db.encodings[argv[1]] = "embstr"
    client.server.stats.dirty += 1  # even for an increment of 0
    notify(db, STRING, b"incrbyfloat", argv[1])
    return Bulk(text)


@command("getrange", arity=4, flags="readonly", acl="string", keys=[key("RO access")],
         group="string", since="2.4.0", complexity="O(N) where N is the length of the result",
         summary="Returns a substring of the string stored at a key; negative offsets count "
                 "from the end.")
def getrange(client, argv: list[bytes]) -> Reply:
    """GETRANGE key start end

    Both ends are inclusive; -1 is the last byte. Out-of-range ends are clipped, and an empty
    range (or a missing key) gives the empty string.
    """
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    value = _stored_string(client.db.lookup_read(argv[1]))
    if value is None:
        return EMPTY_BULK
    length = len(value)
    if start < 0 and end < 0 and start > end:
        return EMPTY_BULK
    if start < 0:
        start = max(length + start, 0)
    if end < 0:
        end = max(length + end, 0)
    end = min(end, length - 1)
    if start > end or length == 0:
        return EMPTY_BULK
    return Bulk(bytes(value[start:end + 1]))  # (bytes of bytes is the same object: no copy)


@command("substr", arity=4, flags="readonly", acl="string", keys=[key("RO access")],
         group="string", since="1.0.0",
         complexity="O(N) where N is the length of the result",
         summary="Returns a substring of the string stored at a key (GETRANGE's old name).",
         doc_flags="deprecated")
def substr(client, argv: list[bytes]) -> Reply:
    """SUBSTR key start end

    GETRANGE under the name it had before Redis 2.0, kept for old clients: the same handler.
    """
    return getrange(client, argv)


@command("setrange", arity=4, flags="write denyoom", acl="string", keys=[key("RW update")],
         group="string", since="2.2.0",
         complexity="O(1) plus the time to copy the new bytes in place",
         summary="Overwrites part of a string value from an offset, padding with zero bytes; "
                 "creates the key if needed.")
def setrange(client, argv: list[bytes]) -> Reply:
    """SETRANGE key offset value

    Answers the new length. Writing past the end pads with zero bytes. Keeps the key's TTL.
    Teaches: a string is a byte array you can patch in place (bitmaps are built on this).
    """
    offset = parse_int(argv[2])
    if offset < 0:
        raise CommandError(OFFSET_RANGE)
    patch = argv[3]
    name = argv[1]
    db = client.db
    value = _stored_string(db.lookup_write(name))
    if value is None:
        if not patch:
            return ZERO  # nothing to write: the key is not created, and nothing is counted
        _check_length(client, offset, len(patch))
        string = bytearray(offset + len(patch))
        db.add(name, string)  # zeros first (Redis's dbAdd), then the patch: a change
        db.encodings[name] = "raw"
        before = db.before_change(name)
    else:
        if not patch:
            return Integer(len(value))
        _check_length(client, offset, len(patch))
        before = db.before_change(name)
        # Patched in place, as Redis does: the string's bitmap form (commands/bitops.py), raw.
        string = db.unshare_string(name, value, offset + len(patch))
    string[offset:offset + len(patch)] = patch
    db.changed(name, before)
    notify(db, STRING, b"setrange", name)
    client.server.stats.dirty += 1
    return Integer(len(string))


# --- LCS: the longest common subsequence ------------------------------------------------------------
# Redis fills the classic table: LCS(i, j), the length of the longest common subsequence of the
# first i bytes of a and the first j bytes of b, is LCS(i-1, j-1) + 1 when a[i-1] == b[j-1], and
# the larger of LCS(i-1, j) and LCS(i, j-1) otherwise. Then it walks back from the last cell to
# spell the subsequence: a match steps diagonally, anything else steps towards the larger
# neighbour, towards j-1 on a tie. That is O(N*M) cells, one machine instruction or two each;
# a Python loop over 134 million cells (the most proto-max-bulk-len allows) would take minutes.
#
# Kedis computes the same table a row at a time. Along a row, LCS(i, j) grows by 0 or 1 at each
# j, so a row is a bit vector: bit j-1 is 0 where the row grows. Allison and Dix (1986) found how
# to get row i from row i-1 with a handful of big-integer operations (here in Hyyrö's form, 2004),
# which CPython runs 30 bits at a time in C. The walk back uses the same bit vectors: the moves
# along a row up to the next match or growth are one bit search (``int.bit_length``), so it
# costs one big-integer step per row too. When b is the shorter string, the table is computed
# by columns instead (iterating over b), and the walk asks one more question per column, so that
# both ways find Redis's very path, and so its very answer, spelled the same.

_DIGITS = b"0" * 256


def _positions(text: bytes, alphabet: set[int] | bytes) -> dict[int, int]:
    """For each byte value of ``alphabet``, where ``text`` holds it: an int whose bit k is set
    when ``text[k]`` is that byte (each built in C: translate to 0/1 digits, read in base 2)."""
    masks = {}
    for byte in set(alphabet):
        digits = text.translate(_DIGITS[:byte] + b"1" + _DIGITS[byte + 1:])
        masks[byte] = int(digits[::-1], 2) if text else 0
    return masks


def _lcs_rows(a: bytes, b: bytes, keep: bool) -> tuple[list[int], int, dict[int, int]]:
    """The rows of the LCS table of ``a`` (one per byte of a) and ``b`` as bit vectors: bit j-1
    of row i is 0 when LCS(i, j) = LCS(i, j-1) + 1. Answers the rows (if ``keep``), the last
    one, and where each byte of ``a`` is in ``b``."""
    masks = _positions(b, a)
    full = (1 << len(b)) - 1
    row = full  # row 0: LCS(0, j) = 0, no growth anywhere
    rows = []
    for byte in a:
        matches = row & masks.get(byte, 0)
        row = ((row + matches) | (row - matches)) & full
        if keep:
            rows.append(row)
    return rows, row, masks


def _lcs_length(a: bytes, b: bytes) -> int:
    """LCS(len(a), len(b)): the zeros of the last row, computed over the shorter string."""
    if len(a) > len(b):
        a, b = b, a
    _, last, _ = _lcs_rows(a, b, keep=False)
    return len(b) - last.bit_count()


def _lcs_walk(a: bytes, b: bytes) -> list[tuple[int, int]]:
    """The matches (index in a, index in b) of Redis's walk back through the table, from the
    end. One Python step per row of the shorter string's side, not per cell."""
    matches = []
    i, j = len(a), len(b)
    if len(a) <= len(b):
        rows, _, masks = _lcs_rows(a, b, keep=True)
        while i > 0 and j > 0:
            byte = a[i - 1]
            if b[j - 1] == byte:
                matches.append((i - 1, j - 1))
                i -= 1
                j -= 1
                continue
            # Leftwards along row i, the first cell that matches or where the row grows: the
            # cells before it all step left (their left neighbour is as long). At a growth that
            # is no match, the cell above is the longer one: step up.
            stops = (~rows[i - 1] | masks[byte]) & ((1 << j) - 1)
            stop = stops.bit_length()
            if stop == j:
                i -= 1
            else:
                j = stop
        return matches
    # By columns: bit i-1 of column j is 0 when LCS(i, j) = LCS(i-1, j) + 1.
    columns, _, masks = _lcs_rows(b, a, keep=True)
    full = (1 << len(a)) - 1
    while i > 0 and j > 0:
        byte = b[j - 1]
        if a[i - 1] == byte:
            matches.append((i - 1, j - 1))
            i -= 1
            j -= 1
            continue
        column = columns[j - 1]
        if not (column >> (i - 1)) & 1:
            j -= 1  # the cell above is shorter: the left one is the longer (or as long)
            continue
        # Above is as long as here: step up only if the left cell is shorter, which the two
        # columns' counts of non-growing rows say. Then keep stepping up (it stays so) until a
        # match or a growth.
        before = columns[j - 2] if j >= 2 else full
        rows_mask = (1 << i) - 1
        if (before & rows_mask).bit_count() > (column & rows_mask).bit_count():
            i = ((~column | masks[byte]) & ((1 << (i - 1)) - 1)).bit_length()
        else:
            j -= 1
    return matches


def _lcs_ranges(matches: list[tuple[int, int]], min_length: int, with_length: bool) -> list:
    """IDX's ranges: each run of consecutive matches (diagonal steps of the walk), last first,
    as [[a_start, a_end], [b_start, b_end]] and its length with WITHMATCHLEN, if at least
    ``min_length`` long."""
    ranges = []
    k, count = 0, len(matches)
    while k < count:
        a_end, b_end = a_start, b_start = matches[k]
        k += 1
        while k < count and matches[k] == (a_start - 1, b_start - 1):
            a_start, b_start = a_start - 1, b_start - 1
            k += 1
        length = a_end - a_start + 1
        if length >= min_length:
            item = [Array([Integer(a_start), Integer(a_end)]),
                    Array([Integer(b_start), Integer(b_end)])]
            if with_length:
                item.append(Integer(length))
            ranges.append(Array(item))
    return ranges


def _memory_size() -> int:
    """The machine's memory in bytes: the most a table could be allocated in."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2 ** 63


@command("lcs", arity=-3, flags="readonly", acl="string", keys=[key("RO access", last_key=1)],
         group="string", since="7.0.0",
         complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively",
         summary="Finds the longest common subsequence of two strings: the subsequence, its "
                 "length, or where its pieces are.")
def lcs(client, argv: list[bytes]) -> Reply:
    """LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]

    Answers the longest sequence of bytes found in both strings in the same order, not
    necessarily next to each other (``ohmytext`` and ``mynewtext`` have ``mytext``); LEN: its
    length; IDX: where its pieces are in each string, last first (MINMATCHLEN: only pieces at
    least that long; WITHMATCHLEN: with each one's length), and the length. A missing key is the
    empty string. Teaches: dynamic programming, and its price: the table has a cell for each
    pair of positions, so Redis refuses two strings whose table would pass proto-max-bulk-len.
    """
    db = client.db
    a = db.lookup_read(argv[1])
    b = db.lookup_read(argv[2])
    strings = (bytes, bytearray)  # (a bytearray: a string in its bitmap form)
    if (a is not None and type(a) not in strings) or (b is not None and type(b) not in strings):
        raise CommandError(LCS_NOT_STRINGS)
    a = b"" if a is None else a
    b = b"" if b is None else b
    get_length = get_indexes = with_length = False
    min_length = 0
    j, argc = 3, len(argv)
    while j < argc:
        option = argv[j].split(b"\x00", 1)[0].lower()  # C compares up to the first NUL byte
        if option == b"idx":
            get_indexes = True
        elif option == b"len":
            get_length = True
        elif option == b"withmatchlen":
            with_length = True
        elif option == b"minmatchlen" and j + 1 < argc:
            min_length = max(parse_int(argv[j + 1]), 0)
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    if get_length and get_indexes:
        raise CommandError(LCS_LEN_AND_IDX)
    if len(a) >= 2 ** 32 - 2 or len(b) >= 2 ** 32 - 2:  # Redis's table holds 32-bit lengths
        raise CommandError(LCS_TOO_LONG)
    # Redis's guard: the table it would allocate (4 bytes a cell), before any work. Kedis's bit
    # vectors take 1 bit a cell, and time in proportion: refused here, refused there.
    table = (len(a) + 1) * (len(b) + 1) * 4
    if table > client.server.config["proto-max-bulk-len"]:
        raise CommandError(LCS_OVER_LIMIT)
    if table > _memory_size():
        # Past proto-max-bulk-len raised by CONFIG SET: Redis tries to allocate the table, and
        # answers this when the allocation fails. With an allocator that overcommits it may not
        # fail, and Redis then fills terabytes until the machine runs out of memory (seen with
        # Debian's redis-server 7.0.15: two strings of 4 MB). Kedis refuses any table larger
        # than the machine's memory instead.
        raise CommandError(LCS_NO_MEMORY)
    if get_length:
        return Integer(_lcs_length(a, b))
    matches = _lcs_walk(a, b)
    if not get_indexes:
        return Bulk(bytes([a[i] for i, _ in reversed(matches)]))
    return Map([(Bulk(b"matches"), Array(_lcs_ranges(matches, min_length, with_length))),
                (Bulk(b"len"), Integer(len(matches)))])
