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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from random import Random

from ..util.numbers import string_to_int

__all__ = ["SetValue", "MAX_INTSET_ENTRIES", "intset_width"]

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
