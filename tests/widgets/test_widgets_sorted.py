"""The sorted list in pieces behind the StoreView and the ExpiryView (kedis/widgets/_sorted.py):
it must always read like one sorted list of the same items."""

import random

import pytest

from kedis.widgets._sorted import PIECE, SortedPieces


def test_it_reads_like_a_sorted_list_through_random_adds_and_discards():
    rng = random.Random(1)
    pieces, model = SortedPieces(rng.sample(range(10 * PIECE), 3 * PIECE)), set()
    model.update(pieces)
    for _ in range(20_000):
        item = rng.randrange(10 * PIECE)
        if rng.random() < 0.5:
            pieces.add(item)
            model.add(item)
        else:
            pieces.discard(item)
            model.discard(item)
    assert list(pieces) == sorted(model) and len(pieces) == len(model)
    assert pieces == sorted(model) and pieces != sorted(model)[1:]
    assert all(len(piece) <= 2 * PIECE for piece in pieces._pieces)
    assert pieces._lasts == [piece[-1] for piece in pieces._pieces]


def test_a_piece_grows_to_twice_its_size_then_is_cut_in_two():
    pieces = SortedPieces(range(2 * PIECE))  # two pieces of PIECE items
    for below in range(-1, -PIECE - 1, -1):  # PIECE more items, all into the first piece
        pieces.add(below)
    assert [len(piece) for piece in pieces._pieces] == [2 * PIECE, PIECE]
    pieces.add(-PIECE - 1)
    assert [len(piece) for piece in pieces._pieces] == [PIECE, PIECE + 1, PIECE]
    assert list(pieces) == list(range(-PIECE - 1, 2 * PIECE))


@pytest.mark.parametrize("start, stop", [(0, 50), (990, 1010), (1500, 1550), (2950, 3100),
                                         (3000, 3050), (5, 2), (-10, None)])
def test_a_slice_is_a_page_across_pieces(start, stop):
    items = list(range(0, 6000, 2))
    assert SortedPieces(items)[start:stop] == items[start:stop]


def test_adding_twice_or_discarding_what_is_not_there_changes_nothing():
    pieces = SortedPieces([b"a", b"c"])
    pieces.add(b"a")
    pieces.discard(b"b")
    assert list(pieces) == [b"a", b"c"] and len(pieces) == 2 and b"c" in pieces
    pieces.discard(b"a")
    pieces.discard(b"c")
    assert list(pieces) == [] and b"a" not in pieces and pieces[0:10] == []
    pieces.add(b"z")
    assert list(pieces) == [b"z"]
