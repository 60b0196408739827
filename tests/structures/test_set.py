"""A set's value (kedis/structures/set.py): the intset Redis keeps while it can, and the hash table
it converts to, at the moments Redis converts. The commands' view of it is tests/commands/test_sets.py."""

from __future__ import annotations

import random

import pytest

from kedis.structures.set import SetValue, intset_width


@pytest.mark.parametrize("number, width", [
    (0, 2), (32767, 2), (-32768, 2), (32768, 4), (-32769, 4),
    (2**31 - 1, 4), (-2**31, 4), (2**31, 8), (-2**31 - 1, 8), (2**63 - 1, 8),
])
def test_an_intset_entry_takes_the_smallest_of_2_4_or_8_bytes(number, width):
    assert intset_width(number) == width


def test_an_intset_widens_for_its_largest_member_and_never_narrows():
    value = SetValue([b"1", b"2"])
    assert (value.encoding, value.width) == ("intset", 2)
    value.add(b"70000")
    assert value.width == 4
    value.add(b"-9000000000")
    assert value.width == 8
    value.discard(b"-9000000000")
    value.discard(b"70000")
    assert (value.encoding, value.width) == ("intset", 8)  # intsetRemove keeps the encoding


def test_an_intset_iterates_in_numeric_order_whatever_the_order_of_adding():
    assert list(SetValue([b"10", b"-3", b"2"])) == [b"-3", b"2", b"10"]


def test_a_513th_integer_makes_a_hash_table_with_the_integers_sorted():
    value = SetValue(b"%d" % i for i in range(512, 0, -1))
    assert value.encoding == "intset" and next(iter(value)) == b"1"
    value.add(b"0")
    assert value.encoding == "hashtable"
    assert list(value)[:3] == [b"0", b"1", b"2"]  # sorted in with the others, then converted


def test_a_member_that_is_not_an_integer_converts_the_set_for_good():
    value = SetValue([b"3", b"1"])
    value.add(b"x")
    assert value.encoding == "hashtable"
    assert list(value) == [b"1", b"3", b"x"]  # the intset's order, then the newcomer
    value.discard(b"x")
    assert value.encoding == "hashtable"


@pytest.mark.parametrize("member", [b"007", b"+7", b"-0", b" 7", b"7.0", b"9223372036854775808"])
def test_integers_written_otherwise_are_strings(member):
    value = SetValue([b"7"])
    value.add(member)
    assert value.encoding == "hashtable"


def test_a_smaller_limit_converts_sooner():
    value = SetValue([b"1", b"2", b"3"], limit=3)
    assert value.encoding == "intset"
    value.add(b"4", limit=3)
    assert value.encoding == "hashtable"


def test_recreate_gives_the_encoding_a_new_set_of_the_members_would_have():
    value = SetValue([b"5", b"x", b"70000"])
    value.discard(b"x")
    value.recreate()
    assert (value.encoding, value.width, list(value)) == ("intset", 4, [b"5", b"70000"])


def test_adding_twice_and_removing_what_is_not_there_change_nothing():
    value = SetValue([b"a"])
    assert value.add(b"a") is False and value.discard(b"b") is False
    assert value.add(b"b") is True and value.discard(b"a") is True
    assert list(value) == [b"b"] and len(value) == 1 and b"b" in value


def test_a_copy_is_independent_and_equal_whatever_the_encoding():
    value = SetValue([b"1", b"2"])
    twin = value.copy()
    twin.add(b"x")
    assert value.encoding == "intset" and list(value) == [b"1", b"2"]
    assert SetValue([b"1", b"x"]) == SetValue([b"x", b"1"])
    assert value != twin


def test_a_random_member_is_any_member():
    value = SetValue([b"a", b"b", b"c"])
    rng = random.Random(1)
    assert {value.random_member(rng) for _ in range(200)} == {b"a", b"b", b"c"}
