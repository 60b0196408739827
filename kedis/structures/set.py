"""A set's value as Redis holds it: an intset while it is small and all integers, else a hash table
(t_set.c's setType* functions over intset.c and dict.c).

Redis 7.0 keeps a set whose members are all integers written as Redis writes them (at most
``set-max-intset-entries``, 512) as an *intset*: a sorted array of integers, each 2, 4 or 8 bytes
wide, the width of the largest (intsetUpgradeAndAdd widens them all, and never narrows). Any
other member, or a 513th, converts the set to a hash table for good (setTypeConvert), even when
that member goes again.

What Kedis models: the encoding (``intset``), the width, the moments of conversion and the
orders a learner sees (an intset iterates in numeric order; a hash table here in the order its
members came, the intset's first, sorted, as Redis copies them into the new table). What it
simplifies, and why: the members are the keys of one Python dict in both encodings (Python's
ordered set of hashable things), not an array of fixed-width integers and a table of buckets,
so that membership stays O(1) and the commands stay short. The real intset.c and dict.c come
as modules of their own with the types that need them.

What a view draws (``layout()``, for kedis.widgets.structure): the set as Redis would lay it out,
from these members. An intset as its real bytes: ``encoding`` (4 bytes, little-endian: the
width, 2, 4 or 8), ``length`` (4 bytes), then each member in its cell, little-endian at the
width. A hash table as dict.c's: the robj points to a ``dict`` (56 bytes), whose table 0 is an
array of bucket pointers, a power of two of them, each the head of a chain of ``dictEntry``
(key, value, next: 24 bytes, NULL value for a set), the newest entry first (dictAddRaw puts it
at the top). Modelled: the table's size as dict.c grows it (4 at first, or the intset's length
at a conversion, each rounded up to a power of two; doubled when the members reach the size),
the chains' order. Not modelled: shrinking after removals (done by the cron, databasesCron), the
incremental rehash (both tables drawn as if it were done). The hash is illustrative: Redis
hashes with SipHash under a key chosen at random when it starts, so no two servers place a
member in the same bucket; the drawing uses Python's own hash of the bytes, SipHash too and also
seeded at random when Python starts, so the buckets differ from one kernel to the next as they
do between two Redis servers.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from random import Random

from ..util.numbers import string_to_int
from .robj import block, field, little_endian, malloc_size
from .sds import sds_type

__all__ = ["SetValue", "MAX_INTSET_ENTRIES", "intset_width", "table_size", "layout"]

#: Redis's set-max-intset-entries by default: the most members a set of integers keeps as a
#: sorted intset. The commands pass the engine's own value (CONFIG SET set-max-intset-entries).
MAX_INTSET_ENTRIES = 512


def intset_width(number: int) -> int:
    """The bytes an intset needs for ``number``: 2, 4 or 8 (intset.c's _intsetValueEncoding)."""
    if -32768 <= number <= 32767:
        return 2
    return 4 if -2147483648 <= number <= 2147483647 else 8


class SetValue:
    """One Redis set: distinct byte strings, and how Redis 7.0 would encode them.

    ``members`` is a dict whose keys are the members (the values are unused): membership, adding
    and removing are O(1), and it remembers the order members came in. ``intset`` is True while
    Redis would keep the set as an intset (every member an integer written as Redis writes it,
    at most ``set-max-intset-entries`` of them, ``limit`` here: 512 by default); iteration then
    goes in numeric order, as an intset's does. ``width`` is then the size of each integer in
    Redis's intset, 2, 4 or 8 bytes: it grows with the largest member and never shrinks
    (intsetUpgradeAndAdd), and DUMP and SAVE write it.
    """

    __slots__ = ("members", "intset", "width", "scan_order")

    def __init__(self, members: Iterable[bytes] = (), limit: int = MAX_INTSET_ENTRIES) -> None:
        self.members: dict[bytes, None] = {}
        self.intset = True  # an empty set, as Redis's createIntsetObject() makes for results
        self.width = 2      # intsetNew: 16-bit integers, until one does not fit
        self.scan_order: tuple[list[int], list[bytes]] | None = None  # SSCAN's, built on demand
        for member in members:
            self.add(member, limit)

    def add(self, member: bytes, limit: int = MAX_INTSET_ENTRIES) -> bool:
        """Add ``member``; False if it was there already (setTypeAdd). An intset that would pass
        ``limit`` members, or gets a member that is not an integer, becomes a hash table."""
        members = self.members
        if member in members:
            return False
        members[member] = None
        self.scan_order = None
        if self.intset:
            number = string_to_int(member)
            if number is None or len(members) > limit:
                self._convert(member)
            elif not -32768 <= number <= 32767 and self.width != 8:
                self.width = max(self.width, intset_width(number))
        return True

    def _convert(self, newcomer: bytes) -> None:
        # Redis's setTypeConvert copies the intset, in its sorted order, into a new hash table.
        # A 513th integer is added to the intset first (so it is sorted in with the others);
        # any other member converts the set first, and comes after the integers.
        members = self.members
        if string_to_int(newcomer) is None:
            del members[newcomer]
            self.members = dict.fromkeys(sorted(members, key=int))
            self.members[newcomer] = None
        else:
            self.members = dict.fromkeys(sorted(members, key=int))
        self.intset = False

    def discard(self, member: bytes) -> bool:
        """Remove ``member``; False if it was not there (setTypeRemove). An intset stays one."""
        if member in self.members:
            del self.members[member]
            return True
        return False

    def recreate(self, limit: int = MAX_INTSET_ENTRIES) -> None:
        """The encoding a new set of these members would have (SPOP's "create new set" case)."""
        self.intset = len(self.members) <= limit and all(
            string_to_int(member) is not None for member in self.members)
        if self.intset:
            self.members = dict.fromkeys(sorted(self.members, key=int))
            self.width = max(map(intset_width, map(int, self.members)), default=2)

    def random_member(self, rng: Random) -> bytes:
        """A member picked at random, each as likely (O(N): a dict has no random access)."""
        return next(islice(iter(self.members), rng.randrange(len(self.members)), None))

    @property
    def encoding(self) -> str:
        """What Redis's OBJECT ENCODING would answer: "intset" or "hashtable"."""
        return "intset" if self.intset else "hashtable"

    def copy(self) -> SetValue:
        twin = SetValue()
        twin.members = self.members.copy()
        twin.intset = self.intset
        twin.width = self.width
        return twin

    def __iter__(self) -> Iterator[bytes]:
        # An intset is an array sorted by value: the order SMEMBERS gives for small integer sets.
        if self.intset:
            return iter(sorted(self.members, key=int))
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, member: object) -> bool:
        return member in self.members

    def __eq__(self, other: object) -> bool:
        # Two sets are equal when they hold the same members, whatever their encoding or order.
        return type(other) is SetValue and other.members.keys() == self.members.keys()

    __hash__ = None  # type: ignore[assignment]  # mutable, like a Python set

    def __repr__(self) -> str:
        return f"SetValue({list(self)!r})"


# --- the picture: how Redis would lay the set out in memory ------------------------------------
#: The members drawn, at most (the rest counted): a set may hold millions.
CELLS_SHOWN = 64
#: The buckets drawn, at most.
BUCKETS_SHOWN = 32
#: Past this many members, the buckets drawn are those of the first members only: hashing every
#: member of a huge set at each change would make the view cost more than the command.
HASHED_AT_MOST = 2048
#: intset.c's header: encoding and length, a uint32 each.
INTSET_HEADER = 8
#: sizeof(dict) (dict.h, 7.0): type, ht_table[2], ht_used[2], rehashidx, pauserehash,
#: ht_size_exp[2], padded to 8; sizeof(dictEntry): key, value, next.
DICT_SIZE = 56
ENTRY_SIZE = 24


def table_size(members: int) -> int:
    """The buckets of a dict holding ``members`` that only grew: DICT_HT_INITIAL_SIZE (4), or the
    next power of two at or above the members (dictExpand, _dictNextExp)."""
    return max(4, 1 << (members - 1).bit_length()) if members > 4 else 4


def _ascii(member: bytes) -> str:
    return member.decode("ascii", "backslashreplace")


def layout(value: SetValue, cap: int = CELLS_SHOWN, text: Callable[[bytes], str] = _ascii,
           limit: int = MAX_INTSET_ENTRIES) -> dict:
    """How Redis would hold ``value``: blocks of byte cells, and a table of buckets.

    At most ``cap`` members are drawn; ``text`` writes a member for the picture (the views pass
    redis-cli's quoting); ``limit`` is the engine's set-max-intset-entries, for the caption.
    """
    if value.intset:
        return _intset_layout(value, cap, text, limit)
    return _hashtable_layout(value, cap, text)


def _intset_layout(value: SetValue, cap: int, text: Callable[[bytes], str], limit: int) -> dict:
    count, width = len(value), value.width
    members = value.members
    # The cells are sorted by value, as intset.c keeps them (a binary search finds a member).
    first = (sorted(members, key=int)[:cap] if count <= 4 * cap
             else heapq.nsmallest(cap, members, key=int))
    fields = [field("intset.encoding", "encoding", little_endian(width, 4),
                    f"{width} bytes per member ({8 * width}-bit)"),
              field("intset.length", "length", little_endian(count, 4), str(count))]
    for index, member in enumerate(first):
        fields.append(field(f"m:{text(member)}", f"[{index}]",
                            little_endian(int(member), width), text(member), kind="member"))
    if count > cap:
        fields.append(field("intset.more", f"… and {count - cap:,} more members", kind="more",
                            width=width * (count - cap)))
    size = INTSET_HEADER + width * count
    robj = block("set", "intset")
    robj["fields"][-1]["points_to"] = "intset"
    intset = {"id": "intset", "shape": "cells", "title": f"intset: {count} × int{8 * width}",
              "bytes": size, "alloc": malloc_size(size), "fields": fields}
    wider = {2: "a member beyond ±32,767 widens every cell to 4 bytes",
             4: "a member beyond ±2,147,483,647 widens every cell to 8 bytes",
             8: "8 bytes: the widest cells"}[width]
    return {"type": "set", "encoding": "intset",
            "summary": (f"intset: {count} integers, sorted, {width} bytes each: "
                        f"{INTSET_HEADER} + {width} × {count} = {size} bytes"),
            "blocks": [robj, intset],
            "notes": [wider + " (intsetUpgradeAndAdd; never narrowed again)",
                      f"member {limit + 1}, or any member that is not an integer, makes it a "
                      "hashtable, for good"],
            "facts": {"length": count, "width": width, "total": robj["alloc"] + intset["alloc"]}}


def _hashtable_layout(value: SetValue, cap: int, text: Callable[[bytes], str]) -> dict:
    count = len(value)
    size = table_size(count)
    mask = size - 1
    exp = size.bit_length() - 1
    sampled = count > HASHED_AT_MOST
    chains: dict[int, list[bytes]] = {}
    # Every member when the set is small enough, else the first ones only (see HASHED_AT_MOST).
    for member in (islice(value.members, cap) if sampled else value.members):
        chains.setdefault(hash(member) & mask, []).append(member)
    indexes = sorted(chains)[:BUCKETS_SHOWN] if sampled else range(min(size, BUCKETS_SHOWN))
    buckets, drawn = [], 0
    for index in indexes:
        chain = chains.get(index, [])[::-1]  # the newest first: dictAddRaw adds at the top
        shown = chain[:max(cap - drawn, 0)]
        drawn += len(shown)
        buckets.append({"index": index,
                        "chain": [{"id": f"m:{text(member)}", "text": text(member),
                                   "sds": f"sdshdr{sds_type(len(member))}"}
                                  for member in shown],
                        "more": len(chain) - len(shown)})
    robj = block("set", "hashtable")
    robj["fields"][-1]["points_to"] = "dict"
    null = little_endian(0, 8)
    dict_block = {"id": "dict", "shape": "cells", "title": "dict", "bytes": DICT_SIZE,
                  "alloc": malloc_size(DICT_SIZE), "fields": [
                      field("dict.type", "type", value="→ setDictType", kind="pointer", width=8),
                      {**field("dict.table0", "ht_table[0]", value="→", kind="pointer",
                               width=8), "points_to": "table"},
                      field("dict.table1", "ht_table[1]", null, "NULL (no rehash)"),
                      field("dict.used0", "ht_used[0]", little_endian(count, 8), str(count)),
                      field("dict.used1", "ht_used[1]", null, "0"),
                      field("dict.rehashidx", "rehashidx", little_endian(-1, 8), "-1"),
                      field("dict.pause", "pauserehash", little_endian(0, 2), "0"),
                      field("dict.exp", "ht_size_exp", [f"{exp:02x}", "ff"],
                            f"2^{exp} = {size} buckets; table 1: none")]}
    table = {"id": "table", "shape": "table",
             "title": f"ht_table[0]: {size:,} buckets × 8-byte pointer", "bytes": 8 * size,
             "alloc": malloc_size(8 * size), "size": size, "used": count, "buckets": buckets,
             "more_buckets": size - len(buckets), "sampled": sampled}
    entries = count * malloc_size(ENTRY_SIZE)
    notes = [f"each member is a dictEntry (key → sds, value NULL, next): {ENTRY_SIZE} bytes, "
             f"in a {malloc_size(ENTRY_SIZE)}-byte block",
             "the bucket is hash(member) & (size - 1): an illustrative hash, not Redis's "
             "(Redis seeds its SipHash at random when it starts)"]
    if sampled:
        notes.append(f"only the buckets of the first {min(cap, count)} members are drawn "
                     f"(of {count:,}); their chains may hold more")
    return {"type": "set", "encoding": "hashtable",
            "summary": (f"hashtable: {count:,} members in {size:,} buckets "
                        f"(load {count / size:.2f}); the table grows to the next power of two "
                        "when the members reach its size"),
            "blocks": [robj, dict_block, table], "notes": notes,
            "facts": {"length": count, "buckets": size,
                      "total": robj["alloc"] + dict_block["alloc"] + table["alloc"] + entries}}
