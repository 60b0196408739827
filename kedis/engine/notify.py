"""Keyspace notifications: every change to a key, published over Pub/Sub (Redis's notify.c).

    CONFIG SET notify-keyspace-events KEA     # then, on another connection:
    PSUBSCRIBE __keyspace@0__:*               # each event on each key of database 0

When a command changes a key, Redis can publish what happened on two channels:

- ``__keyspace@<db>__:<key>`` gets the event's name (``set``, ``del``, ``expired``...): "what
  happened to this key?";
- ``__keyevent@<db>__:<event>`` gets the key's name: "which keys had this happen?".

Nothing is published unless asked for, since publishing costs every write a little. The
``notify-keyspace-events`` parameter is a string of letters, each a class of events:

    K  keyspace channels            E  keyevent channels      (one of the two, or nothing goes)
    g  generic: del, expire, rename_from, rename_to, move_from, copy_to, persist, restore...
    $  string commands    l  lists    s  sets    h  hashes    z  sorted sets    t  streams
    x  expired (a key's TTL ran out)  e  evicted (maxmemory)  d  module events
    m  keymiss (a read found no key; not part of A)           n  new (a key was created; not A)
    A  g$lshzxetd: all the classes but m and n

Each command says which event it makes, and of which class, where Redis's does (the handlers
call ``notify``); the keyspace itself sends the three that are not any command's: ``new`` when a
key is created, ``keymiss`` when a read finds nothing, ``expired`` when a TTL runs out. Events go
out as the command runs, so a subscriber hears ``new`` before ``set``, ``rename_from`` before
``rename_to``, and a client listening to its own keys gets the messages before its reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .keyspace import Database

__all__ = ["KEYSPACE", "KEYEVENT", "GENERIC", "STRING", "LIST", "SET", "HASH", "ZSET", "EXPIRED",
           "EVICTED", "STREAM", "KEY_MISS", "MODULE", "NEW", "ALL", "parse_classes",
           "classes_text", "notify"]

# The classes, as Redis's NOTIFY_* bit flags (server.h).
KEYSPACE = 1 << 0    # K
KEYEVENT = 1 << 1    # E
GENERIC = 1 << 2     # g
STRING = 1 << 3      # $
LIST = 1 << 4        # l
SET = 1 << 5         # s
HASH = 1 << 6        # h
ZSET = 1 << 7        # z
EXPIRED = 1 << 8     # x
EVICTED = 1 << 9     # e
STREAM = 1 << 10     # t
KEY_MISS = 1 << 11   # m (left out of A on purpose: every missed read would publish)
MODULE = 1 << 13     # d
NEW = 1 << 14        # n (left out of A too)
ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE

_LETTERS = {ord("A"): ALL, ord("g"): GENERIC, ord("$"): STRING, ord("l"): LIST, ord("s"): SET,
            ord("h"): HASH, ord("z"): ZSET, ord("x"): EXPIRED, ord("e"): EVICTED,
            ord("K"): KEYSPACE, ord("E"): KEYEVENT, ord("t"): STREAM, ord("m"): KEY_MISS,
            ord("d"): MODULE, ord("n"): NEW}
#: The letters in the order CONFIG GET writes them (keyspaceEventsFlagsToString).
_CLASS_ORDER = ((GENERIC, "g"), (STRING, "$"), (LIST, "l"), (SET, "s"), (HASH, "h"), (ZSET, "z"),
                (EXPIRED, "x"), (EVICTED, "e"), (STREAM, "t"), (MODULE, "d"), (NEW, "n"))


def parse_classes(text: bytes) -> int | None:
    """``b"KEA"`` -> the flags, or None for a letter that is no class (keyspaceEventsStringToFlags).
    Like Redis, only the bytes before a NUL count (it reads a C string)."""
    flags = 0
    for letter in text.split(b"\x00", 1)[0]:
        flag = _LETTERS.get(letter)
        if flag is None:
            return None
        flags |= flag
    return flags


def classes_text(flags: int) -> str:
    """The flags as CONFIG GET shows them: ``A`` for all the classes of A, then K, E and m.

    As in Redis, ``n`` is not shown beside ``A`` (keyspaceEventsFlagsToString forgets it), though
    it still acts: ``KEAn`` reads back as ``AKE``.
    """
    if flags & ALL == ALL:
        text = "A"
    else:
        text = "".join(letter for flag, letter in _CLASS_ORDER if flags & flag)
    return (text + ("K" if flags & KEYSPACE else "") + ("E" if flags & KEYEVENT else "")
            + ("m" if flags & KEY_MISS else ""))


def notify(db: Database, kind: int, event: bytes, key: bytes) -> None:
    """Publish that ``event`` (of class ``kind``) happened to ``key`` in ``db``, on the channels
    that ``notify-keyspace-events`` asks for (notifyKeyspaceEvent). Costs one check when off."""
    flags = db.notify_flags
    if not flags & kind:
        return
    publish = db.hooks.publish
    if flags & KEYSPACE:
        publish(b"__keyspace@%d__:%s" % (db.id, key), event)
    if flags & KEYEVENT:
        publish(b"__keyevent@%d__:%s" % (db.id, event), key)
