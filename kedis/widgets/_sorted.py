"""A sorted list in pieces: what keeps 100,000 keys in order cheaply while commands change them.

The StoreView lists a database's keys in order, and the ExpiryView its deadlines; both must
follow every key a command adds or removes. One Python list sorted once is the obvious way, and
``bisect`` finds where a key goes in O(log n). But putting it there is O(n): ``list.insert``
shifts every item after it, and in a list of 100,000 keys that is, on average, 400 kB of
pointers moved for each key, 10 to 30 us (more than the command itself).

So the items are kept in *pieces*: a list of sorted lists of at most about ``PIECE`` items each,
one after the other, and beside them the last item of each piece. Finding a place is two
bisections, one over the pieces' last items, one inside a piece; inserting shifts one piece
only (at most 8 kB). A piece that grows past twice ``PIECE`` is cut in two; an empty one goes.
Reading the items from position i on (a page of the view) walks the pieces' lengths, a hundred
for 100,000 items. This is the design of the ``sortedcontainers`` package, reduced to what the
views need.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["SortedPieces", "PIECE"]

#: About how many items a piece holds (between one and two times this, once cut).
PIECE = 1000


class SortedPieces:
    """Distinct items, in order: ``add``, ``discard``, ``len``, iteration and slices (pages)."""

    __slots__ = ("_pieces", "_lasts", "_len")

    def __init__(self, items: Iterable[Any] = ()) -> None:
        ordered = sorted(items)
        self._pieces = [ordered[i:i + PIECE] for i in range(0, len(ordered), PIECE)]
        self._lasts = [piece[-1] for piece in self._pieces]
        self._len = len(ordered)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Any]:
        for piece in self._pieces:
            yield from piece

    def __eq__(self, other: object) -> bool:
        """Equal to a list (or another SortedPieces) of the same items in the same order."""
        if isinstance(other, (SortedPieces, list)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (mutable, like a list)

    def __repr__(self) -> str:
        return f"<SortedPieces: {self._len} items in {len(self._pieces)} pieces>"

    def _piece_for(self, item: Any) -> int:
        """The piece where ``item`` is, or would go (the last one if it is past them all)."""
        return min(bisect_left(self._lasts, item), len(self._lasts) - 1)

    def __contains__(self, item: Any) -> bool:
        if not self._pieces:
            return False
        piece = self._pieces[self._piece_for(item)]
        i = bisect_left(piece, item)
        return i < len(piece) and piece[i] == item

    def add(self, item: Any) -> None:
        """Put ``item`` in its place (nothing if it is there already)."""
        if not self._pieces:
            self._pieces.append([item])
            self._lasts.append(item)
            self._len = 1
            return
        p = self._piece_for(item)
        piece = self._pieces[p]
        i = bisect_left(piece, item)
        if i < len(piece) and piece[i] == item:
            return
        piece.insert(i, item)
        self._lasts[p] = piece[-1]
        self._len += 1
        if len(piece) > 2 * PIECE:  # cut in two, so that no piece grows long
            self._pieces[p + 1:p + 1] = [piece[PIECE:]]
            del piece[PIECE:]
            self._lasts[p:p + 1] = [piece[-1], self._pieces[p + 1][-1]]

    def discard(self, item: Any) -> None:
        """Take ``item`` out (nothing if it is not there)."""
        if not self._pieces:
            return
        p = self._piece_for(item)
        piece = self._pieces[p]
        i = bisect_left(piece, item)
        if i == len(piece) or piece[i] != item:
            return
        del piece[i]
        self._len -= 1
        if piece:
            self._lasts[p] = piece[-1]
        else:
            del self._pieces[p], self._lasts[p]

    def __getitem__(self, where: slice) -> list:
        """Items ``start`` to ``stop`` as a list (slices only, without a step: a page)."""
        if not isinstance(where, slice) or where.step not in (None, 1):
            raise TypeError("SortedPieces takes slices without a step, like [start:stop]")
        start, stop, _ = where.indices(self._len)
        items: list = []
        for piece in self._pieces:  # skip the pieces before start, then collect up to stop
            if start >= len(piece):
                start -= len(piece)
                stop -= len(piece)
                continue
            if stop <= 0:
                break
            items += piece[start:stop]
            stop -= len(piece)
            start = 0
        return items
