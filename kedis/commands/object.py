"""OBJECT: how a value is stored inside the server (Redis's object.c).

A Redis value is an object with a type (string, set...) and an *encoding*, the data structure that
holds it; Redis picks the smallest one that fits and converts when it no longer does. OBJECT
ENCODING shows the choice, which is what these commands teach:

- a string is ``int`` when its bytes are a 64-bit integer in Redis's strict form (then the number
  itself is stored, no bytes at all), ``embstr`` up to 44 bytes (object and bytes in one
  allocation), ``raw`` beyond, or once a command changed it in place (APPEND, SETRANGE);
- a set is an ``intset`` (a sorted array of integers) while it holds at most 512 integers, and a
  ``hashtable`` from its first other member on (sets.py keeps that choice, as Redis 7.0 does);
- OBJECT REFCOUNT: the integers 0 to 9999 are *shared*: one object that every key holding that
  number points to, whose count of references Redis pins at 2147483647.

- OBJECT IDLETIME: how long since the key was last used, and OBJECT FREQ: how often it is used
  (with an LFU maxmemory-policy), from the 24-bit field every value carries (evict.py): what
  eviction reads to choose a victim.

Kedis stores a string as Python bytes, whatever Redis would choose; it answers OBJECT ENCODING
with Redis's choice, from the bytes and from the commands that wrote them (keyspace.py's
``encodings``). OBJECT looks its key up as a read that does not touch it (its access time stays
as it was) and sends no keymiss event, as Redis's objectCommandLookup.
"""

from __future__ import annotations

from ..engine.command_table import command, key
from ..engine.errors import CommandError
from ..engine.evict import idle_ms, lfu_decayed
from ..engine.keyspace import NONOTIFY, NOTOUCH
from ..engine.reply import NULL, Bulk, Integer, Reply, help_reply
from ..structures.quicklist import Quicklist
from ..structures.robj import SHARED_REFCOUNT
from ..structures.sds import SHARED_INTEGERS, string_encoding
from ..structures.set import SetValue

# The string encodings' rule lives with the string's layout (structures/sds.py: the StructureView
# draws what OBJECT ENCODING answers); the shared objects' refcount with the robj (robj.py).

NO_LFU = ("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
          "that when switching between policies at runtime LRU and LFU data will take some time "
          "to adjust.")
NO_LRU = ("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to "
          "adjust.")


def _lookup(client, name: bytes):
    # OBJECT looks without using (objectCommandLookup: LOOKUP_NOTOUCH | LOOKUP_NONOTIFY).
    return client.db.lookup_read(name, NOTOUCH | NONOTIFY)


def value_encoding(db, name: bytes, value) -> str:
    """OBJECT ENCODING's answer for the value at ``name`` (DEBUG OBJECT's ``encoding:`` too)."""
    if type(value) is SetValue or type(value) is Quicklist:
        return value.encoding
    return string_encoding(value, db.encodings.get(name))


def value_refcount(db, name: bytes, value) -> int:
    """OBJECT REFCOUNT's answer (DEBUG OBJECT's ``refcount:``): a shared integer's pinned
    count, or 1."""
    if (type(value) is bytes and name not in db.encodings
            and string_encoding(value) == "int" and 0 <= int(value) < SHARED_INTEGERS):
        return SHARED_REFCOUNT
    return 1


@command("object", arity=-2, group="generic", since="2.2.3", complexity="Depends on subcommand.",
         summary="A container for the commands that show how a value is stored.")
def object_(client, argv: list[bytes]) -> Reply:
    """OBJECT <subcommand> [argument ...]"""
    raise AssertionError("the dispatcher routes OBJECT to its subcommands")


_SUB = dict(flags="readonly", acl="keyspace", keys=[key("RO", index=2)],
            tips="nondeterministic_output", group="generic", complexity="O(1)")


@command("object|encoding", arity=3, since="2.2.3",
         summary="Answers the data structure that holds a key's value (int, embstr, raw, "
                 "intset, hashtable).", **_SUB)
def object_encoding(client, argv: list[bytes]) -> Reply:
    """OBJECT ENCODING key

    Teaches: the same type, several layouts. ``SET n 12`` is an ``int``, ``SET s hello`` an
    ``embstr``, and ``APPEND s !`` makes it ``raw``; ``SADD s 1 2`` is an ``intset`` until
    ``SADD s x`` converts it to a ``hashtable``, for good.
    """
    value = _lookup(client, argv[2])
    if value is None:
        return NULL
    return Bulk(value_encoding(client.db, argv[2], value).encode())


@command("object|refcount", arity=3, since="2.2.3",
         summary="Answers how many references the server holds to a key's value.", **_SUB)
def object_refcount(client, argv: list[bytes]) -> Reply:
    """OBJECT REFCOUNT key

    Teaches: shared objects. Every key set to a number from 0 to 9999 points to one object made
    at start, whose count Redis pins at 2147483647; any other value belongs to its key alone (1).
    """
    value = _lookup(client, argv[2])
    if value is None:
        return NULL
    return Integer(value_refcount(client.db, argv[2], value))


@command("object|freq", arity=3, since="4.0.0",
         summary="Answers a key's access frequency counter, with an LFU maxmemory-policy.",
         **_SUB)
def object_freq(client, argv: list[bytes]) -> Reply:
    """OBJECT FREQ key

    Teaches: with an LFU maxmemory-policy (``allkeys-lfu``, ``volatile-lfu``), each key counts
    how often it is used, on a logarithmic scale (255 is about a million uses) that decays by
    one every ``lfu-decay-time`` minutes without use. A new key starts at 5. Under any other
    policy no frequency is counted, and Redis's error says so.
    """
    db = client.db
    if _lookup(client, argv[2]) is None:
        return NULL
    if not db.lfu:
        raise CommandError(NO_LFU)
    now = client.server.clock.ms()
    return Integer(lfu_decayed(db.lru[argv[2]], now, client.server.config["lfu-decay-time"]))


@command("object|idletime", arity=3, since="2.2.3",
         summary="Answers how many seconds ago a key was last read or written.", **_SUB)
def object_idletime(client, argv: list[bytes]) -> Reply:
    """OBJECT IDLETIME key

    Teaches: every read or write of a key notes the time, on a clock of whole seconds that the
    server refreshes ten times a second (so an access costs no clock read); what an LRU
    eviction policy looks at to choose a key to evict. Looking does not count: TYPE, TTL,
    EXISTS and OBJECT leave the time as it was, TOUCH updates it. With an LFU policy the same
    field counts frequency instead, and Redis's error says so.
    """
    db = client.db
    if _lookup(client, argv[2]) is None:
        return NULL
    if db.lfu:
        raise CommandError(NO_LRU)
    return Integer(idle_ms(db.lru_clock, db.lru[argv[2]]) // 1000)


@command("object|help", arity=2, flags="loading stale", acl="keyspace", group="generic",
         since="6.2.0", complexity="O(1)",
         summary="Answers a short description of the OBJECT subcommands.")
def object_help(client, argv: list[bytes]) -> Reply:
    """OBJECT HELP"""
    return help_reply("OBJECT", (
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return about how many seconds ago the <key> was last read or written.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ))
