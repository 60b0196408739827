"""DUMP and RESTORE: a value as bytes, and back (Redis keeps them in cluster.c, beside MIGRATE).

``DUMP key`` answers the key's value serialized in Redis's own format, a *payload*; ``RESTORE
key ttl payload`` makes a key of it again, in this server or in another one: Redis Cluster's
MIGRATE moves keys between nodes exactly so (DUMP here, RESTORE there, DEL here), which is why
these commands live in cluster.c. A payload is what an RDB file holds for one key after its name
(rdb.py): a type byte, the value's encoding, then a footer with the RDB version (2 bytes,
little-endian) and the CRC-64 of everything before it::

    DUMP greeting  ->  00 05 68 65 6c 6c 6f  0a 00  <8 bytes of CRC>
                       |  |  "hello"          |      (crc64.py)
                       |  its length, 5       RDB version 10
                       type 0: a string

What these commands teach:

- serialization is the RDB format, one value at a time: the same integers in 1, 2 or 4 bytes, the
  same LZF-compressed long strings (lzf.py), the same intsets; ``kedis.persistence.dumpview`` shows a payload
  byte by byte;
- a checksum protects data that travels: RESTORE refuses a payload whose CRC does not match
  ("DUMP payload version or checksum are wrong"), or written by a newer format; one whose value
  cannot be read is "Bad data format", never a crash, and nothing is allocated for a length the
  payload announces before the payload is seen to hold it;
- RESTORE does not overwrite (BUSYKEY) unless told (REPLACE); its TTL is relative in ms, or a Unix
  time in ms with ABSTTL; a deadline already past restores nothing (and REPLACE still deleted);
- the AOF (aof.py) records a relative TTL as the deadline it became, plus ABSTTL, so that a replay
  gives the key the same deadline; IDLETIME and FREQ restore how recently or how often the key
  was used, which eviction reads (evict.py).

Kedis answers Redis's very bytes for strings and intsets (a hash-table set's members come in
another order), and reads Redis's payloads. Where it simplifies: LZF, in plain Python, compresses
at most ``rdb.LZF_BUDGET`` steps per payload (a step is a byte it cannot match, or a whole match:
so every string up to 64 KB, and long runs of repeats; beyond, strings are written as they are,
which any RESTORE reads); a payload of a type Kedis does not have yet (a list, a hash...) is "Bad
data format", Redis's answer for a value it cannot load; an intset out of order is refused, as
Redis refuses it with ``sanitize-dump-payload yes`` (by default Redis keeps it, broken).
"""

from __future__ import annotations

from ..engine.command_table import command, key
from ..engine.errors import (
    BAD_DATA_FORMAT,
    BAD_PAYLOAD,
    BUSYKEY,
    INVALID_FREQ,
    INVALID_IDLETIME,
    INVALID_TTL,
    SYNTAX,
    CommandError,
)
from ..engine.notify import GENERIC, notify
from ..engine.reply import NULL, OK, Bulk, Reply
from ..persistence import rdb
from ..util.numbers import LLONG_MAX
from .args import parse_int

_WRAP = 1 << 64  # C's long long wraps around where Python's int does not


@command("dump", arity=2, flags="readonly", acl="keyspace", keys=[key("RO access")],
         tips="nondeterministic_output", group="generic", since="2.6.0",
         complexity="O(1) to find the key, then O(N) in the size of its value",
         summary="Answers a key's value serialized in Redis's format, for RESTORE.")
def dump(client, argv: list[bytes]) -> Reply:
    """DUMP key

    Answers nil for a missing key. With ``rdbcompression yes`` (the default), strings longer
    than 20 bytes are LZF-compressed when that saves at least 4 bytes, as Redis writes them.
    Teaches: the payload is the RDB encoding of one value, with a version and a checksum; it
    carries no TTL (RESTORE is given one) and no key name.
    """
    value = client.db.lookup_read(argv[1])
    if value is None:
        return NULL
    lzf = None
    if client.server.config["rdbcompression"] and (type(value) is not bytes
                                                   or len(value) > rdb.LZF_MIN_LENGTH):
        lzf = rdb.LZFBudget()  # (only where there may be a string to compress)
    return Bulk(rdb.dump_payload(value, lzf))


@command("restore", arity=-4, flags="write denyoom", acl="keyspace dangerous",
         keys=[key("OW update")], group="generic", since="2.6.0",
         complexity="O(1) to create the key, then O(N) in the size of the value",
         summary="Creates a key from a DUMP payload, with a TTL (0: none).")
def restore(client, argv: list[bytes]) -> Reply:
    """RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]

    ``ttl`` is in milliseconds from now, 0 for none, or with ABSTTL a Unix time in milliseconds.
    REPLACE overwrites a key that exists (else: BUSYKEY). IDLETIME (how long since the key was
    used) and FREQ (its LFU counter) are for eviction, one or the other.
    Teaches: the checks come in Redis's order: the options, the key, the TTL, the footer (version
    and checksum), then the value itself; only then is anything changed.
    """
    replace = absttl = False
    idle = freq = -1
    argc = len(argv)
    i = 4
    while i < argc:
        option = argv[i].split(b"\x00", 1)[0].lower()
        more = i + 1 < argc
        if option == b"replace":
            replace = True
        elif option == b"absttl":
            absttl = True
        elif option == b"idletime" and more and freq == -1:
            idle = parse_int(argv[i + 1])
            if idle < 0:
                raise CommandError(INVALID_IDLETIME)
            i += 1
        elif option == b"freq" and more and idle == -1:
            freq = parse_int(argv[i + 1])
            if not 0 <= freq <= 255:
                raise CommandError(INVALID_FREQ)
            i += 1
        else:  # (IDLETIME after FREQ, or FREQ after IDLETIME, too)
            raise CommandError(SYNTAX)
        i += 1

    db = client.db
    name = argv[1]
    if not replace and db.lookup_write(name) is not None:
        raise CommandError(BUSYKEY)
    ttl = parse_int(argv[2])
    if ttl < 0:
        raise CommandError(INVALID_TTL)
    payload = argv[3]
    if not rdb.verify_payload(payload):
        raise CommandError(BAD_PAYLOAD)
    try:
        value = rdb.load_payload(payload, client.server.config)
    except rdb.RDBError:
        raise CommandError(BAD_DATA_FORMAT) from None

    server = client.server
    deleted = replace and db.delete(name)  # (dbDelete: even a key whose TTL ran out)
    if ttl:
        now = server.clock.ms()
        if not absttl:
            ttl += now
            if ttl > LLONG_MAX:  # Redis adds in a long long: past its end, it wraps to the past
                ttl -= _WRAP
        if ttl <= now:  # already expired: no key (checkAlreadyExpired)
            if deleted:  # but REPLACE deleted one: that is the change (the AOF writes a DEL)
                if db.notify_flags & GENERIC:
                    notify(db, GENERIC, b"del", name)
                server.stats.dirty += 1
            return OK
    db.set_key(name, value)
    if ttl:
        db.set_expire(name, ttl)
    db.restore_access(name, idle, freq)
    if db.notify_flags & GENERIC:
        notify(db, GENERIC, b"restore", name)
    server.stats.dirty += 1
    return OK
