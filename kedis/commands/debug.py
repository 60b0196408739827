"""DEBUG: the server's test bench (Redis's debug.c).

DEBUG is how Redis's own test suite reaches inside the server: switch the active expiry off to
watch lazy expiry alone, freeze the server for a while, save and reload the whole store to prove
that nothing is lost on the way, compare two datasets by a fingerprint, see how a value is
stored. Kedis has the subcommands that it can honour truthfully (the ones Redis's unit tests and
Kedis's own tests call), each answering as Redis 7.0 does:

- ``SET-ACTIVE-EXPIRE 0|1``: the two active expiry cycles (expiry.py) stop, or start again;
- ``QUICKLIST-PACKED-THRESHOLD size``: the length from which a list element gets a plain node
  of its own (structures/quicklist.py), lowered by Redis's tests to try plain nodes cheaply;
- ``SLEEP seconds``: the whole server stops, as Redis's does (a real sleep of the process, even
  on a fake clock: every client waits, and the fake clock does not move);
- ``OBJECT key``: Redis's line about a value: its encoding (OBJECT ENCODING), its reference
  count (OBJECT REFCOUNT), the length of its RDB encoding (rdb.py, compressed as SAVE would
  write it), and its 24-bit access field (evict.py). "Value at" is the Python object's address;
- ``RELOAD [MERGE] [NOFLUSH] [NOSAVE]``: SAVE to ``dir``/``dbfilename``, empty the store, load the
  file back; ``LOADAOF``: the same round trip through the append-only file;
- ``DIGEST`` and ``DIGEST-VALUE key...``: Redis's fingerprints of the store and of values (see
  "The digest" below), equal to redis-server's for the same data;
- ``POPULATE count [prefix] [size]``: ``count`` keys at once, for tests that need many;
- ``PROTOCOL type``: one reply of each RESP type, for testing clients (RESP2 and RESP3);
- ``ERROR message``, ``LOG message``, ``CHANGE-REPL-ID``, ``HELP``.

Any other subcommand (Redis's crashes, allocator and hash-table internals, listpacks...) gets
Redis's answer for an unknown one. DEBUG runs only as ``enable-debug-command`` allows (config.py;
"no" by default, as in Redis): the dispatcher checks before the handler is called (engine/dispatcher.py).

The digest
----------
Redis fingerprints data with SHA-1, in two ways. To *mix* bytes into a 20-byte digest is
``digest = SHA1(digest XOR SHA1(bytes))``: the result depends on the order things are mixed in
(a string, a list's elements). To *xor* them in is ``digest ^= SHA1(bytes)``: XOR does not care
about order, so the members of a set, or the keys of a database, give the same digest whatever
order a hash table visits them in, and two servers with the same data agree. A key's digest
mixes its name, its type (4 bytes, big-endian: string 0, set 2) and its value, and xors in the
text ``!!expire!!`` if it has a TTL (whatever the TTL); the store's digest xors the keys'
digests, after mixing in each non-empty database's number. An empty store is 40 zeros.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time

from ..engine.command_table import command
from ..engine.config import ConfigError, parse_memory
from ..engine.errors import CommandError, subcommand_syntax
from ..engine.evict import idle_ms
from ..engine.keyspace import TYPE_NAMES
from ..engine.reply import (
    NULL,
    OK,
    Array,
    Attributed,
    BigNumber,
    Boolean,
    Bulk,
    Double,
    Error,
    Frames,
    Integer,
    Map,
    Push,
    Reply,
    Set,
    Status,
    Verbatim,
    help_reply,
)
from ..persistence import rdb
from ..structures.quicklist import Quicklist, set_packed_threshold
from ..util.numbers import string_to_int
from .object import value_encoding, value_refcount
from .server import new_replication_id

log = logging.getLogger("kedis.debug")

NO_SUCH_KEY = "ERR no such key"
NOT_POSITIVE = "ERR value is out of range, must be positive"
LOAD_FAILED = "ERR Error trying to load the RDB dump"


@command("debug", arity=-2, flags="admin noscript loading stale", group="server",
         since="1.0.0", complexity="Depends on subcommand.",
         summary="A container for the commands that test and inspect the server.",
         doc_flags="syscmd", protected="enable-debug-command")
def debug(client, argv: list[bytes]) -> Reply:
    """DEBUG subcommand [argument ...]

    Teaches: what a server's tests need from inside it. ``DEBUG SET-ACTIVE-EXPIRE 0`` leaves
    only lazy expiry; ``DEBUG RELOAD`` proves that a SAVE and a load give the same store back
    (compare ``DEBUG DIGEST`` before and after); ``DEBUG OBJECT key`` shows a value's encoding
    and how many bytes it takes in a dump. Refused unless the server was started with
    ``enable-debug-command yes`` (or ``local``).

    Unlike OBJECT or CONFIG, DEBUG is one command whose handler reads its subcommand (Redis
    declares no subcommands for it): a wrong count of arguments is the same error as an
    unknown name.
    """
    entry = _SUBCOMMANDS.get(argv[1].lower())
    if entry is None or not entry[0](len(argv)):
        raise CommandError(subcommand_syntax(argv))
    return entry[1](client, argv)


# --- small things ---------------------------------------------------------------------------------
def _help(client, argv: list[bytes]) -> Reply:
    # Redis's lines, for the subcommands Kedis has, in Redis's order.
    return help_reply("DEBUG", (
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
    ))


def _log_warning(server, message: str) -> None:
    # Redis's log: kedis-server's (its stderr), or Python's logging for an embedded engine.
    if server.network is not None:
        server.network.log(message, "#")
    else:
        log.warning(message)


def _text(data: bytes) -> str:
    # An argument Redis prints as a C string (%s): up to its first NUL byte.
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _log(client, argv: list[bytes]) -> Reply:
    _log_warning(client.server, f"DEBUG LOG: {_text(argv[2])}")
    return OK


def _error(client, argv: list[bytes]) -> Reply:
    # The argument is sent as it is, as an error line (CR and LF made spaces): its first word is
    # the code. Redis writes it as raw protocol, so INFO's errorstats do not count it, and
    # returning it (not raising it) keeps Kedis's counters out of it too.
    return Error(argv[2].decode("utf-8", "surrogateescape").replace("\r", " ")
                 .replace("\n", " "))


def _change_repl_id(client, argv: list[bytes]) -> Reply:
    _log_warning(client.server, "Changing replication IDs after receiving DEBUG change-repl-id")
    new_replication_id()
    return OK


def _atoi(data: bytes) -> int:
    """C's atoi, as glibc has it: spaces, a sign and the digits that follow, anything after
    ignored ("1x" is 1, "x" is 0); strtol's clamp to 64 bits, then the cast to a 32-bit int."""
    match = re.match(rb"[ \t\n\v\f\r]*([+-]?\d+)", data)
    if match is None:
        return 0
    value = max(-2 ** 63, min(2 ** 63 - 1, int(match.group(1))))
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31


def _quicklist_packed_threshold(client, argv: list[bytes]) -> Reply:
    # The length from which a list element gets a plain node of its own (structures/
    # quicklist.py): Redis's tests lower it to a byte to try plain nodes without gigabytes.
    try:
        size = parse_memory(argv[2])
    except ConfigError:
        size = -1
    if size < 0 or not set_packed_threshold(size):
        raise CommandError("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
    return OK


def _set_active_expire(client, argv: list[bytes]) -> Reply:
    # Redis keeps the number (any non-zero one turns the cycles on); only whether it is 0 matters.
    client.server.expiry.enabled = _atoi(argv[2]) != 0
    return OK


_STRTOD = re.compile(
    rb"[ \t\n\v\f\r]*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    rb"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN]))")


def _strtod(data: bytes) -> float:
    """C's strtod: the longest number at the start of ``data`` (decimal, hexadecimal, inf, nan),
    0.0 when there is none."""
    match = _STRTOD.match(data)
    if match is None:
        return 0.0
    text = match.group(1)
    if b"x" in text or b"X" in text:
        return float.fromhex(text.decode())
    return float(text)


def _sleep(client, argv: list[bytes]) -> Reply:
    """The whole process sleeps: no other client is served meanwhile, as in Redis (whose one
    thread runs the commands). Redis turns the seconds into whole microseconds; a negative
    time, or one too big for a C ``long long`` (inf, nan), makes its nanosleep fail at once."""
    seconds = _strtod(argv[2])
    micros = seconds * 1_000_000
    if math.isfinite(micros) and 0 <= micros < 2 ** 63:
        time.sleep(min(int(micros) / 1_000_000, 2 ** 31))
    return OK


# --- DEBUG OBJECT ---------------------------------------------------------------------------------
def _object(client, argv: list[bytes]) -> Reply:
    """Redis looks the key up in the dict itself: no lazy expiry (a key whose deadline passed
    is still described), and the access time stays as it was."""
    db = client.db
    name = argv[2]
    value = db.data.get(name)
    if value is None:
        raise CommandError(NO_SUCH_KEY)
    server = client.server
    lzf = rdb.LZFBudget() if server.config["rdbcompression"] else None
    # rdbSavedObjectLen: the value's bytes in a dump, without the type byte before them.
    serialized = len(rdb.encode_value(value, lzf)) - 1
    field = db.lru.get(name, 0)
    idle = idle_ms(db.lru_clock, field) // 1000
    extra = ""
    if type(value) is Quicklist:  # a list's quicklist, in numbers
        extra = (f" ql_nodes:{len(value.nodes)} ql_avg_node:{value.count / len(value.nodes):.2f}"
                 f" ql_listpack_max:{value.fill} ql_compressed:{int(value.compress != 0)}"
                 f" ql_uncompressed_size:{sum(node.sz for node in value.nodes)}")
    return Status(f"Value at:{id(value):#x} refcount:{value_refcount(db, name, value)} "
                  f"encoding:{value_encoding(db, name, value)} serializedlength:{serialized} "
                  f"lru:{field} lru_seconds_idle:{idle}{extra}")


# --- DEBUG DIGEST and DIGEST-VALUE ----------------------------------------------------------------
_ZERO = bytes(20)
#: Redis's type numbers (OBJ_STRING, OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH, OBJ_STREAM).
_TYPE_IDS = {"string": 0, "list": 1, "set": 2, "zset": 3, "hash": 4, "stream": 6}


def _xor(digest: bytes, data: bytes) -> bytes:
    """``digest`` XOR SHA1(``data``): the order things are xored in does not matter."""
    hashed = hashlib.sha1(data).digest()
    return (int.from_bytes(digest, "big") ^ int.from_bytes(hashed, "big")).to_bytes(20, "big")


def _mix(digest: bytes, data: bytes) -> bytes:
    """SHA1(``digest`` XOR SHA1(``data``)): each mix depends on all the ones before it."""
    return hashlib.sha1(_xor(digest, data)).digest()


def value_digest(db, name: bytes, value, digest: bytes = _ZERO) -> bytes:
    """``digest`` with a key's value mixed in (Redis's xorObjectDigest): its type, its contents
    (a string mixed whole; a set's members xored, in no order), and a mark if it has a TTL."""
    type_name = TYPE_NAMES[type(value)]
    digest = _mix(digest, _TYPE_IDS[type_name].to_bytes(4, "big"))
    if type_name == "string":
        digest = _mix(digest, bytes(value))
    elif type_name == "set":
        for member in value:
            digest = _xor(digest, member)
    elif type_name == "list":  # in order: each element mixed after the ones before it
        for element in value:
            digest = _mix(digest, element)
    else:  # a type Redis digests otherwise (hashes xor pairs...): not in Kedis yet
        raise TypeError(f"no digest for a {type_name}")
    if name in db.expires:
        digest = _xor(digest, b"!!expire!!")
    return digest


def store_digest(server) -> bytes:
    """The digest of every database (Redis's computeDatasetDigest): each key's digest (its name
    mixed, then its value) xored into the total, after each non-empty database's number."""
    total = _ZERO
    for db in server.databases:
        if not db.data:
            continue
        total = _mix(total, db.id.to_bytes(4, "big"))
        for name, value in db.data.items():
            total = _xor(total, value_digest(db, name, value, _mix(_ZERO, name)))
    return total


def _digest(client, argv: list[bytes]) -> Reply:
    return Status(store_digest(client.server).hex())


def _digest_value(client, argv: list[bytes]) -> Reply:
    # As DEBUG OBJECT, straight from the dict: an expired key not yet removed has a digest; a
    # missing key's is 40 zeros.
    db = client.db
    answers = []
    for name in argv[2:]:
        value = db.data.get(name)
        answers.append(Status((_ZERO if value is None else value_digest(db, name, value)).hex()))
    return Array(answers)


# --- DEBUG POPULATE -------------------------------------------------------------------------------
def _positive(data: bytes) -> int:
    value = string_to_int(data)
    if value is None or value < 0:
        raise CommandError(NOT_POSITIVE)
    return value


def _populate(client, argv: list[bytes]) -> Reply:
    """``count`` keys, ``prefix:0`` up to ``prefix:<count-1>`` (``key`` by default), each with the
    value ``value:<n>``, or that text cut or padded with zero bytes to ``size`` bytes. A key
    that is there already is left as it is. Redis formats the name into a 128-byte buffer: a
    name is at most 127 bytes, and the prefix ends at a NUL byte. Nothing counts as a change
    to save (no ``dirty``), so the AOF does not get them either."""
    count = _positive(argv[2])
    size = _positive(argv[4]) if len(argv) == 5 else 0
    prefix = argv[3].split(b"\0", 1)[0] if len(argv) >= 4 else b"key"
    db = client.db
    for n in range(count):
        name = b"%s:%d" % (prefix, n)
        if len(name) > 127:
            name = name[:127]
        if db.lookup_write(name) is not None:
            continue
        value = b"value:%d" % n
        if size:
            value = value[:size].ljust(size, b"\0")
        db.add(name, value)
        if db.watchers:
            db.touch(name)  # (signalModifiedKey: a WATCH of the key sees it change)
    return OK


# --- DEBUG PROTOCOL -------------------------------------------------------------------------------
def _protocol(client, argv: list[bytes]) -> Reply:
    """One reply of the type asked, for testing clients. RESP2 has fewer types: a double, a big
    number and a verbatim string travel as bulk strings there, a boolean as 1 or 0, a set as an
    array, a map as a flat array; attributes are left out, and a push cannot be sent at all."""
    kind = argv[2].lower()
    if kind == b"string":
        return Bulk(b"Hello World")
    if kind == b"integer":
        return Integer(12345)
    if kind == b"double":
        return Double(b"3.141")
    if kind == b"bignum":
        return BigNumber(b"1234567999999999999999999999999999999")
    if kind == b"null":
        return NULL
    if kind == b"array":
        return Array([Integer(0), Integer(1), Integer(2)])
    if kind == b"set":
        return Set([Integer(0), Integer(1), Integer(2)])
    if kind == b"map":
        return Map([(Integer(j), Boolean(j == 1)) for j in range(3)])
    if kind == b"attrib":
        return Attributed(Bulk(b"Some real reply following the attribute"),
                          [(Bulk(b"key-popularity"), Array([Bulk(b"key:123"), Integer(90)]))])
    if kind == b"push":
        if client.resp < 3:
            raise CommandError("ERR RESP2 is not supported by this command")
        return Frames([Push([Bulk(b"server-cpu-usage"), Integer(42)]),
                       Bulk(b"Some real reply following the push reply")])
    if kind == b"true":
        return Boolean(1)
    if kind == b"false":
        return Boolean(0)
    if kind == b"verbatim":
        return Verbatim("This is a verbatim\nstring")
    raise CommandError("ERR Wrong protocol type name. Please use one of the following: "
                       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|"
                       "true|false")


# --- DEBUG RELOAD and LOADAOF ---------------------------------------------------------------------
_RELOAD_OPTIONS = {b"merge", b"noflush", b"nosave"}


def _reload(client, argv: list[bytes]) -> Reply:
    """SAVE (unless NOSAVE), empty the store (unless NOFLUSH), load ``dir``/``dbfilename``.

    With NOFLUSH the file's keys join those in memory; a key on both sides is the file's with
    MERGE. Without MERGE Redis stops the whole server on such a key (a panic); Kedis answers
    "Error trying to load the RDB dump" and changes nothing. A file that cannot be read gets
    that answer too, once the store is emptied (Redis, for a damaged file, exits)."""
    options = {option.lower() for option in argv[2:]}
    if not options <= _RELOAD_OPTIONS:
        raise CommandError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE "
                           "options.")
    server = client.server
    persistence = server.persistence
    dirty = server.stats.dirty
    if b"nosave" not in options:
        try:
            persistence.save()
        except OSError as error:
            persistence.note(f"Failed opening the temp RDB file for saving: {error}")
            raise CommandError("ERR") from None  # Redis's bare ERR (shared.err)
        dirty = 0
    flush = b"noflush" not in options
    try:
        loaded, _, _ = rdb.read_file(persistence.rdb_path, server.clock.ms(),
                                     len(server.databases),
                                     server.config, key_delay=server.config["key-load-delay"])
    except (OSError, rdb.RDBError) as error:
        persistence.note(f"DEBUG RELOAD: {error}")
        if flush:
            for db in server.databases:
                db.flush()
        raise CommandError(LOAD_FAILED) from None
    if flush:
        persistence.install(loaded)
    elif not persistence.merge(loaded, replace=b"merge" in options):
        raise CommandError(LOAD_FAILED)
    server.stats.dirty = dirty  # (loading is no change to save; SAVE had made it 0)
    _log_warning(server, "DB reloaded by DEBUG RELOAD")
    return OK


def _loadaof(client, argv: list[bytes]) -> Reply:
    """Empty the store and replay the AOF (its manifest, base and incr files), as at start-up.
    Redis exits when there is no AOF to load, or it is damaged: kedis-server does too; an
    embedded engine (the Jupyter kernel) answers an error instead, with the store emptied."""
    from ..persistence import aof

    server = client.server
    opened = server.aof
    if opened is not None:
        opened.retry()  # (what a failed write left waits no longer: flushAppendOnlyFile)
    for db in server.databases:
        db.flush()
    try:
        if not aof.Folder(server).parts():
            raise aof.AOFError("there is no append only file to load")
        aof.load(server)  # (each command's function: nothing is appended to the AOF again)
    except (OSError, aof.AOFError, rdb.RDBError) as error:
        message = f"DEBUG LOADAOF: {error}"
        if server.network is not None:
            server.network.fatal(message)  # does not return
        raise CommandError(f"ERR {message}") from None
    _log_warning(server, "Append Only File loaded by DEBUG LOADAOF")
    return OK


#: Each subcommand: which argument counts (the name included) it takes, and its handler.
_SUBCOMMANDS = {
    b"help": (lambda argc: argc == 2, _help),
    b"log": (lambda argc: argc == 3, _log),
    b"reload": (lambda argc: True, _reload),
    b"loadaof": (lambda argc: True, _loadaof),
    b"object": (lambda argc: argc == 3, _object),
    b"populate": (lambda argc: 3 <= argc <= 5, _populate),
    b"digest": (lambda argc: argc == 2, _digest),
    b"digest-value": (lambda argc: True, _digest_value),
    b"protocol": (lambda argc: argc == 3, _protocol),
    b"sleep": (lambda argc: argc == 3, _sleep),
    b"set-active-expire": (lambda argc: argc == 3, _set_active_expire),
    b"quicklist-packed-threshold": (lambda argc: argc == 3, _quicklist_packed_threshold),
    b"error": (lambda argc: argc == 3, _error),
    b"change-repl-id": (lambda argc: argc == 2, _change_repl_id),
}
