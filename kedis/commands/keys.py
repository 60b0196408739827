"""Commands on keys, whatever their type (Redis's db.c; the "generic" group).

What these commands teach:

- a key's lifetime: EXISTS, TYPE, DEL and UNLINK, RENAME (which carries the TTL along), COPY;
- why ``KEYS *`` is dangerous on a big store (it walks every key while nothing else can run), and
  how ``SCAN`` walks the keyspace a few keys per call instead, with a cursor;
- that expired keys are invisible to every command, even before they are actually deleted.

The writing commands count their changes in ``stats.dirty`` as db.c does (``server.dirty++``):
DEL one per key it deleted, RENAME and COPY one each, though they delete a key and write another.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from itertools import islice

from ..engine.command_table import command, key
from ..engine.errors import INVALID_CURSOR, NO_SUCH_KEY, SAME_OBJECT, SYNTAX, CommandError
from ..engine.keyspace import NOTOUCH, duplicate, type_name
from ..engine.notify import GENERIC, notify
from ..engine.reply import NULL, OK, ONE, ZERO, Array, Bulk, Integer, Reply, Status
from ..util.glob import compile_glob
from .args import parse_int, parse_int32

_WHITESPACE = b" \t\n\r\x0b\x0c"


def _delete_keys(client, argv: list[bytes]) -> Reply:
    db = client.db
    deleted = 0
    for name in argv[1:]:
        # An expired key is removed as expired (and counted so), not as deleted by this command.
        if db.exists(name) and db.delete(name):
            notify(db, GENERIC, b"del", name)
            deleted += 1
    client.server.stats.dirty += deleted
    return Integer(deleted)


@command("del", arity=-2, flags="write", acl="keyspace", keys=[key("RM delete", last_key=-1)],
         tips="request_policy:multi_shard response_policy:agg_sum",
         group="generic", since="1.0.0",
         complexity="O(N) where N is the number of keys removed (O(M) more per big value)",
         summary="Deletes one or more keys; answers how many existed.")
def del_(client, argv: list[bytes]) -> Reply:
    """DEL key [key ...]"""
    return _delete_keys(client, argv)


@command("unlink", arity=-2, flags="write fast", acl="keyspace",
         keys=[key("RM delete", last_key=-1)],
         tips="request_policy:multi_shard response_policy:agg_sum",
         group="generic", since="4.0.0", complexity="O(1) for each key removed",
         summary="Deletes one or more keys, freeing big values in the background; answers how "
                 "many existed.")
def unlink(client, argv: list[bytes]) -> Reply:
    """UNLINK key [key ...]

    Teaches: in Redis, DEL frees a huge value on the spot and blocks the server meanwhile; UNLINK
    only unlinks the key and lets a background thread free the memory. In Kedis, Python frees
    the value when its last reference goes, so the two behave the same.
    """
    return _delete_keys(client, argv)


@command("exists", arity=-2, flags="readonly fast", acl="keyspace",
         keys=[key("RO", last_key=-1)], tips="request_policy:multi_shard response_policy:agg_sum",
         group="generic", since="1.0.0", complexity="O(N) where N is the number of keys",
         summary="Answers how many of the given keys exist (a key named twice counts twice).")
def exists(client, argv: list[bytes]) -> Reply:
    """EXISTS key [key ...]

    Teaches: looking is not using: EXISTS leaves each key's access time (OBJECT IDLETIME) alone.
    """
    lookup = client.db.lookup_read
    return Integer(sum(1 for name in argv[1:] if lookup(name, NOTOUCH) is not None))


@command("type", arity=2, flags="readonly fast", acl="keyspace", keys=[key("RO")],
         group="generic", since="1.0.0", complexity="O(1)",
         summary="Answers the type of the value stored at a key, or none.")
def type_(client, argv: list[bytes]) -> Reply:
    """TYPE key

    Teaches: a key holds one type of value; commands of another type answer WRONGTYPE.
    """
    value = client.db.lookup_read(argv[1], NOTOUCH)
    return Status("none" if value is None else type_name(value))


@command("touch", arity=-2, flags="readonly fast", acl="keyspace",
         keys=[key("RO", last_key=-1)], tips="request_policy:multi_shard response_policy:agg_sum",
         group="generic", since="3.2.1", complexity="O(N) where N is the number of keys",
         summary="Marks keys as just used (for eviction); answers how many exist.")
def touch(client, argv: list[bytes]) -> Reply:
    """TOUCH key [key ...]

    Teaches: a read that only updates each key's access time (what an LRU eviction policy and
    OBJECT IDLETIME look at), and answers how many of the keys exist.
    """
    lookup = client.db.lookup_read
    return Integer(sum(1 for name in argv[1:] if lookup(name) is not None))


@command("keys", arity=2, flags="readonly", acl="keyspace dangerous",
         tips="request_policy:all_shards nondeterministic_output_order",
         group="generic", since="1.0.0",
         complexity="O(N) with N the number of keys in the database",
         summary="Answers every key that matches a glob pattern.")
def keys(client, argv: list[bytes]) -> Reply:
    """KEYS pattern

    Teaches: KEYS looks at every key in one go, so on a store of millions it stops the server for
    as long as that takes. Use SCAN on a live server. Expired keys are skipped, not deleted.
    """
    db = client.db
    if argv[1] == b"*":  # every key, the empty one too: Redis does not even match (allkeys)
        return Array([Bulk(name) for name in db.data if not db.is_expired(name)])
    matches = compile_glob(argv[1])
    return Array([Bulk(name) for name in db.data if matches(name) and not db.is_expired(name)])


def parse_cursor(data: bytes) -> int:
    """SCAN's (and SSCAN's) cursor argument, or a CommandError (parseScanCursorOrReply)."""
    # Redis reads the cursor with strtoul() (parseScanCursorOrReply): an optional sign, decimal
    # digits (leading zeros are fine), 64 bits unsigned ("-1" wraps around to the largest cursor).
    # C sees the argument only up to its first NUL byte, so "0\x00abc" is cursor 0. Leading
    # whitespace, trailing garbage and values past 2**64 - 1 fail.
    text = data.split(b"\x00", 1)[0]
    if text[:1] and text[0] in _WHITESPACE:
        raise CommandError(INVALID_CURSOR)
    sign = text[:1] if text[:1] in (b"+", b"-") else b""
    digits = text[len(sign):]
    if not digits:
        if text:  # a sign alone: strtoul reads nothing, and stops on the sign
            raise CommandError(INVALID_CURSOR)
        return 0  # strtoul("") is 0, and Redis accepts it
    if not digits.isdigit():
        raise CommandError(INVALID_CURSOR)
    digits = digits.lstrip(b"0") or b"0"
    if len(digits) > 20 or int(digits) >= 2 ** 64:  # (checking the length first keeps int() cheap)
        raise CommandError(INVALID_CURSOR)
    value = int(digits)
    return (-value) % 2 ** 64 if sign == b"-" else value


def scan_hash(name: bytes) -> int:
    return zlib.crc32(name) + 1  # 1 .. 2**32, so that 0 can mean "start" and "done"


def _scan_order(db) -> tuple[list[int], list[bytes]]:
    """The keys sorted by a fixed hash, built when needed and dropped when a key is added."""
    if db.scan_order is None:
        pairs = sorted((scan_hash(name), name) for name in db.data)
        db.scan_order = ([h for h, _ in pairs], [name for _, name in pairs])
    return db.scan_order


def parse_scan_options(argv: list[bytes], start: int,
                       allow_type: bool) -> tuple[int, bytes | None, str | None]:
    """COUNT, MATCH and (for SCAN only) TYPE, from ``argv[start:]``: (count, pattern, type).

    Shared by SCAN and SSCAN, as Redis's scanGenericCommand is: COUNT must be at least 1, every
    option needs its argument, and TYPE is SCAN's alone (a syntax error after SSCAN).
    """
    count = 10
    pattern = None
    wanted_type = None
    i = start
    while i < len(argv):
        option = argv[i].split(b"\x00", 1)[0].lower()
        if i + 1 >= len(argv):
            raise CommandError(SYNTAX)
        if option == b"count":
            count = parse_int(argv[i + 1])
            if count < 1:
                raise CommandError(SYNTAX)
        elif option == b"match":
            pattern = argv[i + 1]
        elif option == b"type" and allow_type:
            wanted_type = argv[i + 1].split(b"\x00", 1)[0].lower().decode("utf-8", "replace")
        else:
            raise CommandError(SYNTAX)
        i += 2
    return count, pattern, wanted_type


def scan_page(hashes: list[int], cursor: int, count: int) -> tuple[int, int, int]:
    """One call's slice of a walk in hash order: (start, end, next cursor; 0 at the end).

    ``hashes`` are the sorted hashes of the items; the cursor is the hash to resume from.
    """
    start = bisect_left(hashes, cursor)
    end = min(start + count, len(hashes))
    while 0 < end < len(hashes) and hashes[end] == hashes[end - 1]:
        end += 1  # never split items that share a hash between two calls
    return start, end, hashes[end] if end < len(hashes) else 0


@command("scan", arity=-2, flags="readonly", acl="keyspace",
         tips="nondeterministic_output request_policy:special",
         group="generic", since="2.8.0",
         complexity="O(1) for every call; O(N) for a complete iteration",
         summary="Iterates over the keys of the database a few at a time, with a cursor.")
def scan(client, argv: list[bytes]) -> Reply:
    """SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]

    Start with cursor 0; each call answers the next cursor and some keys; a cursor of 0 means the
    walk is over. A key that exists for the whole walk is returned at least once; keys added or
    removed meanwhile may or may not be. COUNT is a hint of how much work to do per call; MATCH
    and TYPE filter *after* the keys are picked, so a call may answer no keys and a cursor to go on.

    Teaches: how to visit a huge keyspace without blocking it. Redis walks the buckets of its hash
    table in reverse-binary order, which keeps the guarantee even when the table is resized.
    Kedis walks the keys in the order of a fixed hash (CRC32): the cursor is the hash to resume
    from, which gives the same guarantee, because a key's hash never changes.
    """
    cursor = parse_cursor(argv[1])
    count, pattern, wanted_type = parse_scan_options(argv, 2, allow_type=True)
    db = client.db
    hashes, names = _scan_order(db)
    start, end, next_cursor = scan_page(hashes, cursor, count)
    # MATCH * is no filter at all, so the empty key is answered too (use_pattern in Redis).
    matches = compile_glob(pattern) if pattern not in (None, b"*") else None
    found = []
    for name in names[start:end]:
        if name not in db.data:
            continue  # deleted since the order was built
        if matches is not None and not matches(name):
            continue
        if wanted_type is not None:
            value = db.lookup_read(name, NOTOUCH)
            if (type_name(value) if value is not None else "none") != wanted_type:
                continue
        if not db.exists(name):  # expired: deleted now, and not returned
            continue
        found.append(Bulk(name))
    return Array([Bulk(b"%d" % next_cursor), Array(found)])


@command("randomkey", arity=1, flags="readonly", acl="keyspace",
         tips="request_policy:all_shards nondeterministic_output",
         group="generic", since="1.0.0", complexity="O(1) in Redis; O(N) in Kedis",
         summary="Answers a random key of the database, or nil when it is empty.")
def randomkey(client, argv: list[bytes]) -> Reply:
    """RANDOMKEY

    Teaches: Redis picks a random bucket of its hash table in O(1); a Python dict cannot, so Kedis
    skips a random number of keys. An expired key that comes up is deleted, and it tries again.
    While CLIENT PAUSE holds the data still, expired keys stay: if every key has a TTL, it gives
    up after 100 tries and answers the last key drawn, expired or not (as Redis 7.2 does; Redis
    7.0 would try for ever).
    """
    db = client.db
    rng = client.server.rng
    tries = 100
    while db.data:
        name = next(islice(iter(db.data), rng.randrange(len(db.data)), None))
        if db.exists(name):
            return Bulk(name)
        if client.server.pause_kind and len(db.expires) == len(db.data):
            tries -= 1
            if tries == 0:
                return Bulk(name)
    return NULL


def _rename(client, argv: list[bytes], nx: bool) -> Reply:
    db = client.db
    source, target = argv[1], argv[2]
    value = db.lookup_write(source)
    if value is None:
        raise CommandError(NO_SUCH_KEY)
    if source == target:
        return ZERO if nx else OK
    deadline = db.get_expire(source)
    if db.lookup_write(target) is not None:
        if nx:
            return ZERO
        db.delete(target)
    encoding = db.encodings.get(source)  # the same object under a new name: same encoding
    db.delete(source)
    db.set_key(target, value)
    if encoding is not None:
        db.encodings[target] = encoding
    if deadline != -1:
        db.set_expire(target, deadline)
    notify(db, GENERIC, b"rename_from", source)
    notify(db, GENERIC, b"rename_to", target)
    client.server.stats.dirty += 1  # one change in Redis, for all these steps
    return ONE if nx else OK


@command("rename", arity=3, flags="write", acl="keyspace",
         keys=[key("RW access delete"), key("OW update", index=2)],
         group="generic", since="1.0.0", complexity="O(1)",
         summary="Renames a key, replacing the destination if it exists.")
def rename(client, argv: list[bytes]) -> Reply:
    """RENAME key newkey

    Teaches: the value and its TTL move to the new name; whatever was at newkey is deleted.
    """
    return _rename(client, argv, nx=False)


@command("renamenx", arity=3, flags="write fast", acl="keyspace",
         keys=[key("RW access delete"), key("OW insert", index=2)],
         group="generic", since="1.0.0", complexity="O(1)",
         summary="Renames a key only when the new name does not exist; answers 1 or 0.")
def renamenx(client, argv: list[bytes]) -> Reply:
    """RENAMENX key newkey"""
    return _rename(client, argv, nx=True)


@command("copy", arity=-3, flags="write denyoom", acl="keyspace",
         keys=[key("RO access"), key("OW update", index=2)],
         group="generic", since="6.2.0", complexity="O(N) for a collection of N items; O(1) "
         "for a string", summary="Copies the value of a key (and its TTL) to a new key.")
def copy(client, argv: list[bytes]) -> Reply:
    """COPY source destination [DB destination-db] [REPLACE]

    Answers 1 when copied, 0 when the source is missing or the destination exists (without
    REPLACE). DB copies into another logical database.
    """
    server = client.server
    target_db = client.db
    replace = False
    j = 3
    while j < len(argv):
        option = argv[j].split(b"\x00", 1)[0].lower()
        if option == b"replace":
            replace = True
        elif option == b"db" and j + 1 < len(argv):
            target_db = server.database(parse_int32(argv[j + 1]))
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    source, target = argv[1], argv[2]
    if target_db is client.db and source == target:
        raise CommandError(SAME_OBJECT)
    value = client.db.lookup_read(source)
    if value is None:
        return ZERO
    deadline = client.db.get_expire(source)
    if target_db.lookup_write(target) is not None:
        if not replace:
            return ZERO
        target_db.delete(target)
    target_db.set_key(target, duplicate(value))
    from .object import string_encoding  # (object.py reads sets.py, which reads this module)

    encoding = client.db.encodings.get(source)  # a copy keeps the encoding (dupStringObject)
    if encoding is None and type(value) is bytes and string_encoding(value) == "int":
        encoding = "int"  # a new int object, the copy's own: not the shared one (REFCOUNT 1)
    if encoding is not None:
        target_db.encodings[target] = encoding
    if deadline != -1:
        target_db.set_expire(target, deadline)
    notify(target_db, GENERIC, b"copy_to", target)
    server.stats.dirty += 1  # one change, even when it replaced the destination
    return ONE


@command("move", arity=3, flags="write fast", acl="keyspace", keys=[key("RW access update")],
         group="generic", since="1.0.0", complexity="O(1)",
         summary="Moves a key, with its TTL, to another database; answers 1, or 0 if nothing "
                 "moved.")
def move(client, argv: list[bytes]) -> Reply:
    """MOVE key db

    Answers 0 when the key is missing or the other database already has that name: MOVE never
    overwrites. Teaches: the same object changes database, TTL and all (Redis moves the pointer;
    nothing is copied), so a lock-like "move if absent" can be built on it.
    """
    server = client.server
    source, target = client.db, server.database(parse_int32(argv[2]))
    if target is source:
        raise CommandError(SAME_OBJECT)
    name = argv[1]
    value = source.lookup_write(name)
    if value is None:
        return ZERO
    deadline = source.get_expire(name)
    if target.lookup_write(name) is not None:
        return ZERO
    encoding = source.encodings.get(name)
    target.set_key(name, value)
    if encoding is not None:
        target.encodings[name] = encoding
    if deadline != -1:
        target.set_expire(name, deadline)
    source.delete(name)
    notify(source, GENERIC, b"move_from", name)
    notify(target, GENERIC, b"move_to", name)
    server.stats.dirty += 1
    return ONE
