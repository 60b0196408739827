"""List commands (Redis's t_list.c): sequences of strings, pushed and popped at both ends.

A Redis list holds elements (byte strings) in order, the same one as often as it is pushed. What
these commands teach:

- a list is a queue or a stack by the ends one uses: LPUSH + RPOP is first in, first out; LPUSH
  + LPOP last in, first out; LMOVE takes from one list and gives to another in one step (a
  reliable queue: the element is never only in the client's hands);
- indexes count from 0 at the head and from -1 at the tail, and a range (LRANGE, LTRIM) is
  clipped to the list, never an error: LTRIM keeps a capped timeline (LPUSH, then LTRIM 0 99);
- a key never holds an empty list: popping the last element deletes the key;
- what is cheap: the ends (O(1)); what is not: an index or a search in the middle (O(N)).

**The value** is a ``Quicklist`` (structures/quicklist.py): a chain of listpack nodes, each a
small block of packed entries, filled up to ``list-max-listpack-size`` and, past
``list-compress-depth`` nodes from the ends, LZF-compressed, as Redis 7.0 holds every list
(OBJECT ENCODING answers ``quicklist``). The commands change it in place, as Redis changes its
own objects, taking the key's ``before_change`` snapshot and calling ``changed`` after
(keyspace.py) so that a traced command shows the list before and after.

**The count of changes** (``stats.dirty``) is each element's, as t_list.c counts it: one per
element pushed, popped, removed or trimmed away; LSET and LINSERT one.

The blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) are not in Kedis yet.
"""

from __future__ import annotations

from ..engine.command_table import command, key
from ..engine.errors import (
    NO_SUCH_KEY,
    NUMKEYS,
    POSITIVE,
    SYNTAX,
    WRONGTYPE,
    CommandError,
    wrong_arity,
)
from ..engine.notify import GENERIC, LIST, notify
from ..engine.reply import (
    EMPTY_ARRAY,
    NULL,
    NULL_ARRAY,
    OK,
    ZERO,
    Array,
    Bulk,
    Bulks,
    Integer,
    Reply,
)
from ..structures.quicklist import Quicklist
from .args import counted_keys, parse_int, parse_range

INDEX_OUT_OF_RANGE = "ERR index out of range"
RANK_ZERO = ("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
             "or use negative to start from the end of the list")
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"
COUNT_NOT_POSITIVE = "ERR count should be greater than 0"
LONG_MAX = 2 ** 63 - 1


def _list_or_error(value: object) -> Quicklist | None:
    """A stored value that must be a list (or absent): anything else is a WRONGTYPE error."""
    if value is not None and type(value) is not Quicklist:
        raise CommandError(WRONGTYPE)
    return value  # type: ignore[return-value]


def _new_list(client) -> Quicklist:
    # createQuicklistObject, with the server's options as they are now: a list keeps the options
    # it was made with (CONFIG SET changes the lists made after it).
    config = client.server.config
    return Quicklist(config["list-max-listpack-size"], config["list-compress-depth"])


def _emptied(client, name: bytes, value: Quicklist) -> None:
    # Redis never keeps an empty list: the key goes, with a "del" event.
    if not value.count:
        client.db.delete(name)
        notify(client.db, GENERIC, b"del", name)


def _side(argument: bytes) -> bool:
    """LEFT or RIGHT (getListPositionFromObjectOrReply): True for the head."""
    word = argument.split(b"\x00", 1)[0].lower()  # C's strcasecmp stops at a NUL byte
    if word == b"left":
        return True
    if word == b"right":
        return False
    raise CommandError(SYNTAX)


# --- pushing ---------------------------------------------------------------------------------------
def _push(client, argv: list[bytes], head: bool, only_existing: bool) -> Reply:
    # The hot path of a queue: kept as short as SET's (one lookup, one type check, the pushes,
    # the keyspace told, the event only when someone listens).
    db = client.db
    name = argv[1]
    value = db.lookup_write(name)
    if value is None:
        if only_existing:
            return ZERO
        value = _new_list(client)
        push = value.push_head if head else value.push_tail
        for element in argv[2:]:
            push(element)
        db.store(name, value)  # a new key: Redis's dbAdd
    elif type(value) is Quicklist:
        before = db.before_change(name)
        push = value.push_head if head else value.push_tail
        for element in argv[2:]:
            push(element)
        db.changed(name, before)
    else:
        raise CommandError(WRONGTYPE)
    if db.notify_flags & LIST:
        notify(db, LIST, b"lpush" if head else b"rpush", name)
    client.server.stats.dirty += len(argv) - 2
    return Integer(value.count)


_PUSH = dict(arity=-3, flags="write denyoom fast", acl="list", keys=[key("RW insert")],
             group="list", complexity="O(1) for each element added, so O(N) to add N elements "
             "when the command is called with multiple arguments.")


@command("lpush", since="1.0.0", summary="Prepends elements to a list, creating it if needed; "
         "answers the list's length.", **_PUSH)
def lpush(client, argv: list[bytes]) -> Reply:
    """LPUSH key element [element ...]

    Each element goes to the head in turn, so ``LPUSH l a b c`` leaves ``c b a``. Teaches: the
    head is a list's cheap end (its first node takes the entry, or a new node starts when that
    one is full: watch it in %structure).
    """
    return _push(client, argv, head=True, only_existing=False)


@command("rpush", since="1.0.0", summary="Appends elements to a list, creating it if needed; "
         "answers the list's length.", **_PUSH)
def rpush(client, argv: list[bytes]) -> Reply:
    """RPUSH key element [element ...]

    Each element goes to the tail: ``RPUSH l a b c`` leaves ``a b c``, in the order given.
    """
    return _push(client, argv, head=False, only_existing=False)


@command("lpushx", since="2.2.0", summary="Prepends elements to a list only when the list "
         "exists; answers its length (0: no list).", **_PUSH)
def lpushx(client, argv: list[bytes]) -> Reply:
    """LPUSHX key element [element ...]

    LPUSH that never creates: on a missing key it answers 0 and stores nothing.
    """
    return _push(client, argv, head=True, only_existing=True)


@command("rpushx", since="2.2.0", summary="Appends elements to a list only when the list "
         "exists; answers its length (0: no list).", **_PUSH)
def rpushx(client, argv: list[bytes]) -> Reply:
    """RPUSHX key element [element ...]

    RPUSH that never creates: on a missing key it answers 0 and stores nothing.
    """
    return _push(client, argv, head=False, only_existing=True)


# --- popping ---------------------------------------------------------------------------------------
def _removed(client, name: bytes, value: Quicklist, head: bool, taken: int, before) -> None:
    # t_list.c's listElementsRemoved, after any pop: the change signalled, the event, the key
    # gone if the list is empty, one change per element.
    client.db.changed(name, before)
    notify(client.db, LIST, b"lpop" if head else b"rpop", name)
    _emptied(client, name, value)
    client.server.stats.dirty += taken


def _pop_range(client, name: bytes, value: Quicklist, head: bool, count: int) -> list[bytes]:
    """Take ``count`` elements (at most all) from one end, in the order they come off it (a
    range, then quicklistDelRange, as popGenericCommand with a count does)."""
    before = client.db.before_change(name)
    taken = min(count, value.count)
    if head:
        elements = value.range(0, taken - 1)
        value.delete_range(0, taken)
    else:
        elements = value.range(value.count - taken, value.count - 1)[::-1]
        value.delete_range(-taken, taken)
    _removed(client, name, value, head, taken, before)
    return elements


def _pop(client, argv: list[bytes], head: bool) -> Reply:
    if len(argv) > 3:
        raise CommandError(wrong_arity("lpop" if head else "rpop"))
    counted = len(argv) == 3
    count = parse_range(argv[2], 0, LONG_MAX, POSITIVE) if counted else 0
    db = client.db
    name = argv[1]
    value = _list_or_error(db.lookup_write(name))
    if value is None:
        return NULL_ARRAY if counted else NULL
    if counted and not count:
        return EMPTY_ARRAY
    if not counted:  # one element, as quicklistPopCustom takes it
        before = db.before_change(name)
        element = value.pop_head() if head else value.pop_tail()
        _removed(client, name, value, head, 1, before)
        return Bulk(element)
    return Bulks(_pop_range(client, name, value, head, count))


_POP = dict(arity=-2, flags="write fast", acl="list", keys=[key("RW access delete")],
            group="list", since="1.0.0",
            complexity="O(N) where N is the number of elements returned")


@command("lpop", summary="Removes and answers the first elements of a list; the key goes with "
         "its last element.", **_POP)
def lpop(client, argv: list[bytes]) -> Reply:
    """LPOP key [count]

    One element (a bulk string, or nil for no list), or with a count up to that many (an
    array; nil for no list). Teaches: with LPUSH, a stack; with RPUSH, a queue.
    """
    return _pop(client, argv, head=True)


@command("rpop", summary="Removes and answers the last elements of a list; the key goes with "
         "its last element.", **_POP)
def rpop(client, argv: list[bytes]) -> Reply:
    """RPOP key [count]

    LPOP from the tail: with a count, the elements come last first.
    """
    return _pop(client, argv, head=False)


@command("lmpop", arity=-4, flags="write movablekeys", acl="list",
         keys=[key("RW access delete", keynum=0, first_key=1)],
         getkeys=lambda argv: counted_keys(argv, 1), group="list", since="7.0.0",
         complexity="O(N+M) where N is the number of provided keys and M is the number of "
                    "elements returned.",
         summary="Pops elements from the first non-empty list of several; answers its name "
                 "and the elements.")
def lmpop(client, argv: list[bytes]) -> Reply:
    """LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]

    Looks at the keys in order and pops from the first that holds a list: ``[key, [elements]]``,
    or nil when none does. Teaches: one command serves several queues by priority.
    """
    numkeys = parse_range(argv[1], 1, LONG_MAX, NUMKEYS)
    where = 2 + numkeys
    if where >= len(argv):
        raise CommandError(SYNTAX)
    head = _side(argv[where])
    count = -1
    j = where + 1
    while j < len(argv):
        option = argv[j].split(b"\x00", 1)[0].lower()
        if count == -1 and option == b"count" and j + 1 < len(argv):
            count = parse_range(argv[j + 1], 1, LONG_MAX, COUNT_NOT_POSITIVE)
            j += 2
        else:
            raise CommandError(SYNTAX)
    count = 1 if count == -1 else count
    db = client.db
    for name in argv[2:where]:
        value = _list_or_error(db.lookup_write(name))
        if value is None or not value.count:
            continue
        elements = _pop_range(client, name, value, head, count)
        return Array([Bulk(name), Bulks(elements)])
    return NULL_ARRAY


# --- reading ---------------------------------------------------------------------------------------
@command("llen", arity=2, flags="readonly fast", acl="list", keys=[key("RO")], group="list",
         since="1.0.0", complexity="O(1)", summary="Answers the length of a list (0: no list).")
def llen(client, argv: list[bytes]) -> Reply:
    """LLEN key

    Teaches: the length is kept, not counted: O(1) however long the list.
    """
    value = _list_or_error(client.db.lookup_read(argv[1]))
    return ZERO if value is None else Integer(value.count)


def _clip(start: int, stop: int, length: int) -> tuple[int, int] | None:
    """A range as LRANGE and LTRIM read it: negative indexes from the tail, clipped to the list;
    None when empty."""
    if start < 0:
        start += length
    if stop < 0:
        stop += length
    start = max(start, 0)
    if start > stop or start >= length:
        return None
    return start, min(stop, length - 1)


@command("lrange", arity=4, flags="readonly", acl="list", keys=[key("RO access")],
         group="list", since="1.0.0",
         complexity="O(S+N) where S is the distance of start offset from HEAD for small lists, "
                    "from nearest end (HEAD or TAIL) for large lists; and N is the number of "
                    "elements in the specified range.",
         summary="Answers the elements of a list between two indexes, both included.")
def lrange(client, argv: list[bytes]) -> Reply:
    """LRANGE key start stop

    Both ends are included and clipped to the list: ``LRANGE l 0 -1`` is the whole list, an
    empty range an empty array, never an error.
    """
    start, stop = parse_int(argv[2]), parse_int(argv[3])
    value = _list_or_error(client.db.lookup_read(argv[1]))
    if value is None:
        return EMPTY_ARRAY
    span = _clip(start, stop, value.count)
    if span is None:
        return EMPTY_ARRAY
    return Bulks(value.range(*span))


@command("lindex", arity=3, flags="readonly", acl="list", keys=[key("RO access")],
         group="list", since="1.0.0",
         complexity="O(N) where N is the number of elements to traverse to get to the element "
                    "at index. This makes asking for the first or the last element of the list "
                    "O(1).",
         summary="Answers the element at an index of a list (nil past its ends).")
def lindex(client, argv: list[bytes]) -> Reply:
    """LINDEX key index

    Teaches: a list is not an array. Redis walks its nodes from the nearer end to reach the
    index: the ends are O(1), the middle of a long list is not.
    """
    value = _list_or_error(client.db.lookup_read(argv[1]))
    if value is None:
        return NULL
    element = value.index(parse_int(argv[2]))
    return NULL if element is None else Bulk(element)


@command("lpos", arity=-3, flags="readonly", acl="list", keys=[key("RO access")],
         group="list", since="6.0.6",
         complexity="O(N) where N is the number of elements in the list, for the average case. "
                    "When searching for elements near the head or the tail of the list, or when "
                    "the MAXLEN option is provided, the command may run in constant time.",
         summary="Answers the index of matching elements of a list.")
def lpos(client, argv: list[bytes]) -> Reply:
    """LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]

    The index of the first match; RANK n the n-th (negative: counted from the tail, searching
    from there); COUNT n up to n matches as an array (0: all); MAXLEN n looks at n elements only.
    """
    rank, count, maxlen = 1, -1, 0
    j = 3
    while j < len(argv):
        option = argv[j].split(b"\x00", 1)[0].lower()
        more = j + 1 < len(argv)
        if option == b"rank" and more:
            rank = parse_int(argv[j + 1])
            if rank == 0:
                raise CommandError(RANK_ZERO)
        elif option == b"count" and more:
            count = parse_range(argv[j + 1], 0, LONG_MAX, COUNT_NEGATIVE)
        elif option == b"maxlen" and more:
            maxlen = parse_range(argv[j + 1], 0, LONG_MAX, MAXLEN_NEGATIVE)
        else:
            raise CommandError(SYNTAX)
        j += 2
    forward = rank > 0
    if rank != -(2 ** 63):  # (Redis's -rank of LLONG_MIN stays LLONG_MIN: the first match counts)
        rank = abs(rank)
    value = _list_or_error(client.db.lookup_read(argv[1]))
    if value is None:
        return EMPTY_ARRAY if count != -1 else NULL
    wanted = argv[2]
    length = value.count
    found: list[Reply] = []
    matches = 0
    walk = value.walk(forward)
    for index, element in enumerate(walk):
        if maxlen and index >= maxlen:
            break
        if element != wanted:
            continue
        matches += 1
        if matches >= rank:
            found.append(Integer(index if forward else length - index - 1))
            # (in C's 64 bits: with LLONG_MIN's rank this wraps negative, and COUNT never stops)
            counted = (matches - rank + 1 + 2 ** 63) % 2 ** 64 - 2 ** 63
            if count == -1 or (count and counted >= count):
                break
    walk.close()
    if count != -1:
        return Array(found)
    return found[0] if found else NULL


# --- changing in the middle ----------------------------------------------------------------------
@command("lset", arity=4, flags="write denyoom", acl="list", keys=[key("RW update")],
         group="list", since="1.0.0",
         complexity="O(N) where N is the length of the list. Setting either the first or the "
                    "last element of the list is O(1).",
         summary="Sets the element at an index of a list.")
def lset(client, argv: list[bytes]) -> Reply:
    """LSET key index element

    Errors, unlike LINDEX: ``no such key`` for a missing list, ``index out of range`` past its
    ends. Teaches: a list grows only at its ends (push) or beside an element (LINSERT).
    """
    db = client.db
    name = argv[1]
    value = _list_or_error(db.lookup_write(name))
    if value is None:
        raise CommandError(NO_SUCH_KEY)
    index = parse_int(argv[2])
    before = db.before_change(name)
    if not value.replace(index, argv[3]):
        raise CommandError(INDEX_OUT_OF_RANGE)
    db.changed(name, before)
    notify(db, LIST, b"lset", name)
    client.server.stats.dirty += 1
    return OK


@command("linsert", arity=5, flags="write denyoom", acl="list", keys=[key("RW insert")],
         group="list", since="2.2.0",
         complexity="O(N) where N is the number of elements to traverse before seeing the value "
                    "pivot. This means that inserting somewhere on the left end on the list "
                    "(head) can be considered O(1) and inserting somewhere on the right end "
                    "(tail) is O(N).",
         summary="Inserts an element before or after the first element equal to a pivot; "
                 "answers the length (-1: no pivot, 0: no list).")
def linsert(client, argv: list[bytes]) -> Reply:
    """LINSERT key BEFORE|AFTER pivot element

    Teaches: an insert in the middle of a full node splits it in two, and the neighbours that
    became small merge again (quicklist.c's _quicklistInsert: watch it in %structure).
    """
    where = argv[2].split(b"\x00", 1)[0].lower()
    if where not in (b"after", b"before"):
        raise CommandError(SYNTAX)
    db = client.db
    name = argv[1]
    value = _list_or_error(db.lookup_write(name))
    if value is None:
        return ZERO
    at = value.find(argv[3])
    if at is None:
        return Integer(-1)
    before = db.before_change(name)
    value.insert(at, argv[4], after=where == b"after")
    db.changed(name, before)
    notify(db, LIST, b"linsert", name)
    client.server.stats.dirty += 1
    return Integer(value.count)


@command("lrem", arity=4, flags="write", acl="list", keys=[key("RW delete")], group="list",
         since="1.0.0",
         complexity="O(N+M) where N is the length of the list and M is the number of elements "
                    "removed.",
         summary="Removes elements equal to a value from a list; answers how many went.")
def lrem(client, argv: list[bytes]) -> Reply:
    """LREM key count element

    count > 0: the first ``count`` matches from the head; < 0: from the tail; 0: all of them.
    """
    count = parse_int(argv[2])
    db = client.db
    name = argv[1]
    value = _list_or_error(db.lookup_write(name))
    if value is None:
        return ZERO
    before = db.before_change(name)
    removed = value.remove(argv[3], count)
    if removed:
        db.changed(name, before)
        notify(db, LIST, b"lrem", name)
        client.server.stats.dirty += removed
        _emptied(client, name, value)
    return Integer(removed)


@command("ltrim", arity=4, flags="write", acl="list", keys=[key("RW delete")], group="list",
         since="1.0.0",
         complexity="O(N) where N is the number of elements to be removed by the operation.",
         summary="Keeps only the elements of a list between two indexes, both included.")
def ltrim(client, argv: list[bytes]) -> Reply:
    """LTRIM key start stop

    Teaches: a capped list. ``LPUSH timeline post`` then ``LTRIM timeline 0 99`` keeps the
    newest hundred, in constant work a push.
    """
    start, stop = parse_int(argv[2]), parse_int(argv[3])
    db = client.db
    name = argv[1]
    value = _list_or_error(db.lookup_write(name))
    if value is None:
        return OK
    length = value.count
    span = _clip(start, stop, length)
    left, right = (length, 0) if span is None else (span[0], length - span[1] - 1)
    before = db.before_change(name)
    value.delete_range(0, left)
    value.delete_range(-right, right)
    db.changed(name, before)
    notify(db, LIST, b"ltrim", name)
    _emptied(client, name, value)
    client.server.stats.dirty += left + right
    return OK


# --- from one list to another --------------------------------------------------------------------
def _move(client, source: bytes, destination: bytes, from_head: bool, to_head: bool) -> Reply:
    db = client.db
    value = _list_or_error(db.lookup_write(source))
    if value is None or not value.count:
        return NULL
    target = _list_or_error(db.lookup_write(destination))
    before = db.before_change(source)
    element = value.pop_head() if from_head else value.pop_tail()
    db.changed(source, before)
    if target is None:
        # (the source may be the destination: then it exists, and this never happens)
        target = _new_list(client)
        (target.push_head if to_head else target.push_tail)(element)
        db.store(destination, target)
    else:
        before = db.before_change(destination)
        (target.push_head if to_head else target.push_tail)(element)
        db.changed(destination, before)
    notify(db, LIST, b"lpush" if to_head else b"rpush", destination)
    notify(db, LIST, b"lpop" if from_head else b"rpop", source)
    _emptied(client, source, value)
    client.server.stats.dirty += 1
    return Bulk(element)


_MOVE_KEYS = [key("RW access delete"), key("RW insert", index=2)]


@command("lmove", arity=5, flags="write denyoom", acl="list", keys=_MOVE_KEYS, group="list",
         since="6.2.0", complexity="O(1)",
         summary="Pops an element from one end of a list and pushes it to an end of another; "
                 "answers the element.")
def lmove(client, argv: list[bytes]) -> Reply:
    """LMOVE source destination LEFT|RIGHT LEFT|RIGHT

    Teaches: a reliable queue. The element is in the source or in the destination at every
    moment, never only in a client that may crash: a worker moves a job to its "processing"
    list, and removes it from there when done (LREM).
    """
    from_head, to_head = _side(argv[3]), _side(argv[4])
    return _move(client, argv[1], argv[2], from_head, to_head)


@command("rpoplpush", arity=3, flags="write denyoom", acl="list", keys=_MOVE_KEYS, group="list",
         since="1.2.0", complexity="O(1)", doc_flags="deprecated",
         summary="Pops the last element of a list and pushes it to the head of another; "
                 "answers the element.")
def rpoplpush(client, argv: list[bytes]) -> Reply:
    """RPOPLPUSH source destination

    ``LMOVE source destination RIGHT LEFT`` in its older form (deprecated since 6.2). With the
    same key twice, it rotates the list: the last element becomes the first.
    """
    return _move(client, argv[1], argv[2], from_head=False, to_head=True)

