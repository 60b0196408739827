"""Set commands (Redis's t_set.c): unordered collections of distinct strings.

A Redis set holds members (byte strings), each at most once. What these commands teach:

- a second type, and with it WRONGTYPE: SADD on a string, or GET on a set, is an error, while
  SET and the "store" commands replace a key of any type;
- membership in O(1) (SISMEMBER), and the algebra of sets on the server (SINTER, SUNION, SDIFF),
  which answers without sending the sets over the network; the STORE variants keep the result;
- a key never holds an empty set: removing the last member deletes the key, and an empty result
  deletes the destination;
- randomness on the server (SPOP, SRANDMEMBER), and SSCAN, which walks a big set a few members
  at a time.

**The value.** A set is a ``SetValue`` (structures/set.py), changed in place by the commands, as
Redis changes its own objects. Because it changes in place, each command takes the key's ``before_change`` snapshot
and calls ``changed`` after (keyspace.py), so that a traced SADD shows the set before and after.

**The count of changes** (``stats.dirty``, INFO's rdb_changes_since_last_save) is each
member's, not each key's, as t_set.c counts it: ``SADD s a b c`` makes 3 changes, SREM one per
member removed, SPOP one per member popped; SMOVE one for the removal and one more when the
destination did not have the member; a STORE command one for the destination it wrote or deleted.

**The order** in which SMEMBERS, SINTER, SUNION, SDIFF and SSCAN answer is not a promise of
Redis, but learners see it, so Kedis follows Redis where it is cheap. Redis 7.0 keeps a small set
whose members are all integers (at most ``set-max-intset-entries``, 512) as an *intset*: a sorted
array of integers. Such a set answers in numeric order, in Redis and in Kedis. Any other member,
or a 513th, turns it into a hash table for good (even when that member goes), and a hash table
answers in its buckets' order; Kedis answers in the order the members came (the intset's
members first, sorted, as Redis copies them into the new table). ``SetValue.encoding`` says which
(Redis's ``OBJECT ENCODING``, which Kedis does not have).

Kedis's costs differ from Redis's in two places: picking a random member (SPOP, SRANDMEMBER) is
O(N), as a dict cannot be indexed (Redis picks a random bucket in O(1)); SSCAN sorts a hash
table's members by hash once, and again after members are added (see ``sscan``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..engine.command_table import command, key
from ..engine.errors import (
    COUNT_RANGE,
    LIMIT_NEGATIVE,
    NUMKEYS,
    NUMKEYS_OVER_ARGS,
    POSITIVE,
    SYNTAX,
    WRONGTYPE,
    CommandError,
)
from ..engine.notify import GENERIC, SET, notify
from ..engine.reply import EMPTY_ARRAY, EMPTY_SET, NULL, ONE, ZERO, Array, Bulk, Integer, Reply, Set
from ..structures.set import SetValue
from ..util.glob import compile_glob
from ..util.numbers import LLONG_MIN, string_to_int
from .args import counted_keys, parse_int
from .keys import parse_cursor, parse_scan_options, scan_hash, scan_page


def _limit(client) -> int:
    """The engine's set-max-intset-entries."""
    return client.server.config["set-max-intset-entries"]


def _set_or_error(value: object) -> SetValue | None:
    """A stored value that must be a set (or absent): anything else is a WRONGTYPE error."""
    if value is not None and type(value) is not SetValue:
        raise CommandError(WRONGTYPE)
    return value  # type: ignore[return-value]


def _members_reply(members: Iterable[bytes]) -> Reply:
    """Members as a set reply: an array in RESP2, RESP3's set type for SMEMBERS, SINTER, SUNION,
    SDIFF and SPOP with a count, as Redis answers them (SRANDMEMBER answers an array: its
    negative count may repeat a member)."""
    return Set([Bulk(member) for member in members])


# --- one set --------------------------------------------------------------------------------------
@command("sadd", arity=-3, flags="write denyoom fast", acl="set", keys=[key("RW insert")],
         group="set", since="1.0.0",
         complexity="O(1) for each member added, so O(N) for N members",
         summary="Adds members to a set, creating it if needed; answers how many were new.")
def sadd(client, argv: list[bytes]) -> Reply:
    """SADD key member [member ...]

    Answers the number of members that were not there yet (adding one twice adds it once).
    Teaches: a set holds each member once; a key of another type is a WRONGTYPE error, never
    silently replaced (only SET and the STORE commands replace a key whatever its type).
    """
    db = client.db
    name = argv[1]
    value = _set_or_error(db.lookup_write(name))
    limit = _limit(client)
    if value is None:
        value = SetValue(argv[2:], limit)
        db.store(name, value)  # a new key: Redis's dbAdd
        notify(db, SET, b"sadd", name)
        client.server.stats.dirty += len(value)  # one change per member, as below
        return Integer(len(value))
    before = db.before_change(name)
    added = 0
    for member in argv[2:]:
        if value.add(member, limit):
            added += 1
    if added:
        db.changed(name, before)
        notify(db, SET, b"sadd", name)
    client.server.stats.dirty += added
    return Integer(added)


@command("srem", arity=-3, flags="write fast", acl="set", keys=[key("RW delete")],
         group="set", since="1.0.0",
         complexity="O(N) where N is the number of members to remove",
         summary="Removes members from a set, deleting the key when it becomes empty; answers "
                 "how many were there.")
def srem(client, argv: list[bytes]) -> Reply:
    """SREM key member [member ...]

    Teaches: Redis never stores an empty set. When the last member goes, the key goes too, so
    EXISTS answers 0 and TYPE answers none.
    """
    db = client.db
    name = argv[1]
    value = _set_or_error(db.lookup_write(name))
    if value is None:
        return ZERO
    before = db.before_change(name)
    removed = 0
    for member in argv[2:]:
        if value.discard(member):
            removed += 1
            if not value:
                break
    if removed:
        db.changed(name, before)
        notify(db, SET, b"srem", name)
        if not value:
            db.delete(name)  # (not one change more: Redis counts the members only)
            notify(db, GENERIC, b"del", name)
        client.server.stats.dirty += removed
    return Integer(removed)


@command("smembers", arity=2, flags="readonly", acl="set", keys=[key("RO access")],
         tips="nondeterministic_output_order", group="set", since="1.0.0",
         complexity="O(N) where N is the set's cardinality",
         summary="Answers every member of a set (an empty array for a missing key).")
def smembers(client, argv: list[bytes]) -> Reply:
    """SMEMBERS key

    Teaches: a set has no order; the order of the answer is the encoding's (see the module's
    docstring: numeric for a small set of integers). On a huge set, prefer SSCAN.
    """
    value = _set_or_error(client.db.lookup_read(argv[1]))
    return EMPTY_SET if value is None else _members_reply(value)


@command("sismember", arity=3, flags="readonly fast", acl="set", keys=[key("RO")],
         group="set", since="1.0.0", complexity="O(1)",
         summary="Answers 1 if a member is in a set, else 0.")
def sismember(client, argv: list[bytes]) -> Reply:
    """SISMEMBER key member

    Teaches: the reason to use a set: membership costs the same with ten members or ten million.
    """
    value = _set_or_error(client.db.lookup_read(argv[1]))
    return ONE if value is not None and argv[2] in value else ZERO


@command("smismember", arity=-3, flags="readonly fast", acl="set", keys=[key("RO access")],
         group="set", since="6.2.0",
         complexity="O(N) where N is the number of members asked about",
         summary="Answers, for each member given, 1 if it is in a set, else 0.")
def smismember(client, argv: list[bytes]) -> Reply:
    """SMISMEMBER key member [member ...]

    SISMEMBER for several members in one round trip: an array of 1s and 0s, in the same order.
    """
    value = _set_or_error(client.db.lookup_read(argv[1]))
    if value is None:
        return Array([ZERO] * (len(argv) - 2))
    return Array([ONE if member in value else ZERO for member in argv[2:]])


@command("scard", arity=2, flags="readonly fast", acl="set", keys=[key("RO")],
         group="set", since="1.0.0", complexity="O(1)",
         summary="Answers the number of members of a set (0 for a missing key).")
def scard(client, argv: list[bytes]) -> Reply:
    """SCARD key

    The set's cardinality. A missing key is an empty set: 0.
    """
    value = _set_or_error(client.db.lookup_read(argv[1]))
    return ZERO if value is None else Integer(len(value))


# --- several sets: intersection, union, difference ---------------------------------------------
def _sources(client, names: list[bytes]) -> list[SetValue | None]:
    """The sets at ``names`` (None for a missing key), every type checked before any work.

    Redis 7.0 looks up every key first, so ``SINTER missing string`` is WRONGTYPE, not empty.
    """
    lookup = client.db.lookup_read
    return [_set_or_error(lookup(name)) for name in names]


def _intersection(sets: list[SetValue | None], limit: int = 0) -> list[bytes]:
    """The members common to every set (at most ``limit`` of them, when it is not 0).

    A missing key is an empty set, so the intersection is empty at once. Otherwise Redis walks
    the smallest set and keeps the members that every other set has: O(N*M) at worst, N the
    smallest set's size and M the number of sets.
    """
    if any(value is None for value in sets):
        return []
    smallest, *others = sorted(sets, key=len)  # type: ignore[arg-type]
    common = []
    for member in smallest:
        if all(member in other for other in others):
            common.append(member)
            if len(common) == limit:
                break
    return common


def _union(sets: list[SetValue | None], limit: int) -> SetValue:
    result = SetValue()
    for value in sets:
        if value is not None:
            for member in value:
                result.add(member, limit)
    return result


def _difference(sets: list[SetValue | None], limit: int) -> SetValue:
    first, *others = sets
    if first is None:
        return SetValue()
    present = [other for other in others if other is not None]
    return SetValue((member for member in first if not any(member in o for o in present)), limit)


def _store(client, destination: bytes, result: SetValue, event: bytes) -> Reply:
    """Put a result at ``destination``, replacing any value of any type and its TTL; an empty
    result deletes the destination instead (Redis: dbDelete, then dbAdd if not empty). The
    keyspace event is the command's name (``sinterstore``...), or ``del``."""
    db = client.db
    if result:
        db.set_key(destination, result)
        notify(db, SET, event, destination)
        client.server.stats.dirty += 1  # one change, however many members
    elif db.delete(destination):
        notify(db, GENERIC, b"del", destination)
        client.server.stats.dirty += 1
    return Integer(len(result))


@command("sinter", arity=-2, flags="readonly", acl="set", keys=[key("RO access", last_key=-1)],
         tips="nondeterministic_output_order", group="set", since="1.0.0",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set and M "
                    "is the number of sets",
         summary="Answers the members common to every given set.")
def sinter(client, argv: list[bytes]) -> Reply:
    """SINTER key [key ...]

    A missing key counts as an empty set, so it makes the answer empty. Teaches: the server does
    the work where the data is (walking the smallest set), and sends only the result.
    """
    return _members_reply(_intersection(_sources(client, argv[1:])))


@command("sinterstore", arity=-3, flags="write denyoom", acl="set",
         keys=[key("RW update"), key("RO access", index=2, last_key=-1)],
         group="set", since="1.0.0",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set and M "
                    "is the number of sets",
         summary="Stores the members common to every given set at a key; answers how many.")
def sinterstore(client, argv: list[bytes]) -> Reply:
    """SINTERSTORE destination key [key ...]

    Replaces whatever ``destination`` held (of any type, and its TTL) with the intersection;
    an empty intersection deletes ``destination``. The destination may be one of the keys.
    """
    return _store(client, argv[1],
                  SetValue(_intersection(_sources(client, argv[2:])), _limit(client)),
                  b"sinterstore")


def _sintercard_get_keys(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """SINTERCARD's keys for COMMAND GETKEYS(ANDFLAGS) when its key spec cannot find them
    (sintercardGetKeys): numkeys at argv[1], the keys after it (see ``counted_keys``)."""
    return counted_keys(argv, 1)


@command("sintercard", arity=-3, flags="readonly movablekeys", acl="set",
         keys=[key("RO access", keynum=0, first_key=1)], getkeys=_sintercard_get_keys,
         group="set", since="7.0.0",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set and M "
                    "is the number of sets",
         summary="Answers how many members the given sets have in common, counting up to an "
                 "optional limit.")
def sintercard(client, argv: list[bytes]) -> Reply:
    """SINTERCARD numkeys key [key ...] [LIMIT limit]

    The size of SINTER's answer, without the members. With LIMIT n (0: no limit), the count stops
    at n. Teaches: a command whose first argument says how many keys follow (clients and the
    command table find its keys that way: a "keynum" key spec); and an early exit ("do these
    sets share at least 3 members?" needs LIMIT 3, not the whole intersection).
    """
    numkeys = string_to_int(argv[1])
    if numkeys is None or numkeys < 1:
        raise CommandError(NUMKEYS)
    if numkeys > len(argv) - 2:
        raise CommandError(NUMKEYS_OVER_ARGS)
    limit = 0
    j = 2 + numkeys
    while j < len(argv):
        option = argv[j].split(b"\x00", 1)[0].lower()  # C's strcasecmp stops at a NUL byte
        if option == b"limit" and j + 1 < len(argv):
            limit = parse_int(argv[j + 1], LIMIT_NEGATIVE)
            if limit < 0:
                raise CommandError(LIMIT_NEGATIVE)
            j += 2
        else:
            raise CommandError(SYNTAX)
    return Integer(len(_intersection(_sources(client, argv[2:2 + numkeys]), limit)))


@command("sunion", arity=-2, flags="readonly", acl="set", keys=[key("RO access", last_key=-1)],
         tips="nondeterministic_output_order", group="set", since="1.0.0",
         complexity="O(N) where N is the total number of members in all given sets",
         summary="Answers the members of any of the given sets.")
def sunion(client, argv: list[bytes]) -> Reply:
    """SUNION key [key ...]

    Missing keys are empty sets. The answer is built as a new set first (as Redis does), so a
    union of small integer sets comes sorted.
    """
    return _members_reply(_union(_sources(client, argv[1:]), _limit(client)))


@command("sunionstore", arity=-3, flags="write denyoom", acl="set",
         keys=[key("OW update"), key("RO access", index=2, last_key=-1)],
         group="set", since="1.0.0",
         complexity="O(N) where N is the total number of members in all given sets",
         summary="Stores the members of any of the given sets at a key; answers how many.")
def sunionstore(client, argv: list[bytes]) -> Reply:
    """SUNIONSTORE destination key [key ...]

    Replaces ``destination`` (any type, and its TTL); an empty union deletes it.
    """
    return _store(client, argv[1], _union(_sources(client, argv[2:]), _limit(client)),
                  b"sunionstore")


@command("sdiff", arity=-2, flags="readonly", acl="set", keys=[key("RO access", last_key=-1)],
         tips="nondeterministic_output_order", group="set", since="1.0.0",
         complexity="O(N) where N is the total number of members in all given sets",
         summary="Answers the members of the first set that are in none of the others.")
def sdiff(client, argv: list[bytes]) -> Reply:
    """SDIFF key [key ...]

    The first set minus all the others; missing keys are empty sets. Teaches: unlike union and
    intersection, difference depends on the order of the keys.
    """
    return _members_reply(_difference(_sources(client, argv[1:]), _limit(client)))


@command("sdiffstore", arity=-3, flags="write denyoom", acl="set",
         keys=[key("OW update"), key("RO access", index=2, last_key=-1)],
         group="set", since="1.0.0",
         complexity="O(N) where N is the total number of members in all given sets",
         summary="Stores the members of the first set that are in none of the others at a "
                 "key; answers how many.")
def sdiffstore(client, argv: list[bytes]) -> Reply:
    """SDIFFSTORE destination key [key ...]

    Replaces ``destination`` (any type, and its TTL); an empty difference deletes it.
    """
    return _store(client, argv[1], _difference(_sources(client, argv[2:]), _limit(client)),
                  b"sdiffstore")


# --- moving, popping, sampling, scanning ----------------------------------------------------------
@command("smove", arity=4, flags="write fast", acl="set",
         keys=[key("RW access delete"), key("RW insert", index=2)],
         group="set", since="1.0.0", complexity="O(1)",
         summary="Moves a member from one set to another; answers 1 if it was moved, 0 if the "
                 "source did not have it.")
def smove(client, argv: list[bytes]) -> Reply:
    """SMOVE source destination member

    Teaches: a move in one step, so no other client ever sees the member in both sets or in
    neither. Redis's order of checks: a missing source answers 0 (whatever the destination
    holds); then both types; then a move onto the same set only says whether the member is there.
    """
    db = client.db
    source_name, target_name, member = argv[1], argv[2], argv[3]
    source = db.lookup_write(source_name)
    target = db.lookup_write(target_name)
    if source is None:
        return ZERO
    _set_or_error(source)
    _set_or_error(target)
    if source is target:
        return ONE if member in source else ZERO
    before = db.before_change(source_name)
    if not source.discard(member):
        return ZERO
    db.changed(source_name, before)
    notify(db, SET, b"srem", source_name)
    if not source:
        db.delete(source_name)
        notify(db, GENERIC, b"del", source_name)
    stats = client.server.stats
    stats.dirty += 1  # the removal
    if target is None:
        db.store(target_name, SetValue([member], _limit(client)))
        notify(db, SET, b"sadd", target_name)
        stats.dirty += 1  # and the addition, to a new set
    else:
        before = db.before_change(target_name)
        if target.add(member, _limit(client)):
            db.changed(target_name, before)
            notify(db, SET, b"sadd", target_name)
            stats.dirty += 1  # and the addition, when the destination did not have it
    return ONE


#: Redis's SPOP_MOVE_STRATEGY_MUL: when fewer than count*5 members would stay, Redis builds a
#: new set of the members that stay instead of removing the popped ones one by one.
_SPOP_MOVE_STRATEGY_MUL = 5


@command("spop", arity=-2, flags="write fast", acl="set", keys=[key("RW access delete")],
         tips="nondeterministic_output", group="set", since="1.0.0",
         complexity="Without the count argument O(1) in Redis, O(N) in Kedis; otherwise O(N) "
                    "where N is the set's cardinality",
         summary="Removes and answers a random member of a set, or count random members.")
def spop(client, argv: list[bytes]) -> Reply:
    """SPOP key [count]

    Without count: one member, or nil for a missing key. With count: an array of up to count
    distinct members (all of them, and the key is deleted, when count >= the set's size); a
    negative count is an error. Teaches: randomness on the server, and "take one at random and
    remove it" in one step (a raffle, or handing out unique tokens).
    """
    if len(argv) > 3:
        raise CommandError(SYNTAX)
    if len(argv) == 3:
        return _spop_count(client, argv)
    db = client.db
    name = argv[1]
    value = _set_or_error(db.lookup_write(name))
    if value is None:
        return NULL
    before = db.before_change(name)
    member = value.random_member(client.server.rng)
    value.discard(member)
    db.changed(name, before)
    notify(db, SET, b"spop", name)
    if not value:
        db.delete(name)
        notify(db, GENERIC, b"del", name)
    client.server.stats.dirty += 1
    return Bulk(member)


def _spop_count(client, argv: list[bytes]) -> Reply:
    count = parse_int(argv[2], POSITIVE)  # read before the key, so its error comes first
    if count < 0:
        raise CommandError(POSITIVE)
    db = client.db
    name = argv[1]
    value = _set_or_error(db.lookup_write(name))
    if value is None or count == 0:
        return EMPTY_SET
    size = len(value)
    notify(db, SET, b"spop", name)  # (before the members go, as in Redis)
    client.server.stats.dirty += min(count, size)  # one change per member popped
    if count >= size:
        reply = _members_reply(value)  # the whole set, in its order, and the key goes
        db.delete(name)
        notify(db, GENERIC, b"del", name)
        return reply
    before = db.before_change(name)
    popped = client.server.rng.sample(list(value.members), count)
    for member in popped:
        value.discard(member)
    if (size - count) * _SPOP_MOVE_STRATEGY_MUL <= count:
        value.recreate(_limit(client))  # Redis's new set of those that stay: an intset again?
    db.changed(name, before)
    return _members_reply(popped)


@command("srandmember", arity=-2, flags="readonly", acl="set", keys=[key("RO access")],
         tips="nondeterministic_output", group="set", since="1.0.0",
         complexity="Without the count argument O(1) in Redis, O(N) in Kedis; otherwise O(N) "
                    "where N is the absolute value of count (plus the set's cardinality in "
                    "Kedis)",
         summary="Answers a random member of a set, or count of them (distinct when count is "
                 "positive, possibly repeated when negative), without removing them.")
def srandmember(client, argv: list[bytes]) -> Reply:
    """SRANDMEMBER key [count]

    Without count: one member, or nil. A positive count answers that many *distinct* members (the
    whole set if it has fewer); a negative count answers exactly -count members, each drawn
    anew, so the same one may come several times. Teaches: sampling with and without
    replacement, chosen by the sign of one number.
    """
    if len(argv) > 3:
        raise CommandError(SYNTAX)
    db = client.db
    rng = client.server.rng
    if len(argv) == 2:
        value = _set_or_error(db.lookup_read(argv[1]))
        return NULL if value is None else Bulk(value.random_member(rng))
    count = parse_int(argv[2])
    if count == LLONG_MIN:  # its opposite does not fit in 64 bits
        raise CommandError(COUNT_RANGE)
    value = _set_or_error(db.lookup_read(argv[1]))
    if value is None or count == 0:
        return EMPTY_ARRAY
    if count < 0:
        members = list(value.members)
        chosen = [rng.choice(members) for _ in range(-count)]
    elif count >= len(value):
        chosen = list(value)
    else:
        chosen = rng.sample(list(value.members), count)
    return Array([Bulk(member) for member in chosen])


def _scan_order(value: SetValue) -> tuple[list[int], list[bytes]]:
    """The members sorted by a fixed hash, built when needed and dropped when one is added."""
    if value.scan_order is None:
        pairs = sorted((scan_hash(member), member) for member in value.members)
        value.scan_order = ([h for h, _ in pairs], [member for _, member in pairs])
    return value.scan_order


@command("sscan", arity=-3, flags="readonly", acl="set", keys=[key("RO access")],
         tips="nondeterministic_output", group="set", since="2.8.0",
         complexity="O(1) for every call; O(N) for a complete iteration (Kedis sorts a hash "
                    "table's members by hash once per change: O(N log N))",
         summary="Iterates over the members of a set a few at a time, with a cursor.")
def sscan(client, argv: list[bytes]) -> Reply:
    """SSCAN key cursor [MATCH pattern] [COUNT count]

    SCAN for the members of one set: start at cursor 0, go on with the cursor each call answers,
    stop when it answers 0. A member that stays in the set for the whole walk is returned at
    least once. Teaches: a small set comes whole in one call (as Redis answers a small encoding
    such as an intset, whatever the cursor and COUNT); a big one comes a few members at a time.

    The members of a hash-table set come in another order than Redis's (as with SCAN: Kedis
    walks them by CRC32, Redis by the buckets of its table), with the same guarantee.
    """
    cursor = parse_cursor(argv[2])  # Redis reads the cursor before it looks the key up
    value = _set_or_error(client.db.lookup_read(argv[1]))
    if value is None:
        return Array([Bulk(b"0"), EMPTY_ARRAY])
    count, pattern, _ = parse_scan_options(argv, 3, allow_type=False)
    if value.intset:
        members: Iterable[bytes] = value
        next_cursor = 0
    else:
        hashes, names = _scan_order(value)
        start, end, next_cursor = scan_page(hashes, cursor, count)
        members = [member for member in names[start:end] if member in value.members]
    # MATCH * is no filter at all, so the empty member is answered too (use_pattern in Redis).
    matches = compile_glob(pattern) if pattern not in (None, b"*") else None
    found = [Bulk(member) for member in members if matches is None or matches(member)]
    return Array([Bulk(b"%d" % next_cursor), Array(found)])
