"""Set commands (kedis/commands/sets.py), one behaviour per test.

Tests that take the ``redis`` fixture also check each reply, byte for byte, against a real
redis-server (see compare.py). A reply whose order Redis does not promise (SMEMBERS of a hash
table, SINTER...) is compared as a sorted list with ``same_members``; random replies (SPOP,
SRANDMEMBER) are checked for what they must be: their size, and members of the set.
"""

from __future__ import annotations

import pytest
from compare import NIL, NOT_INTEGER, OK, SYNTAX_ERROR, array, bulk, integer, parse_resp, same

import kedis
from kedis.structures.set import SetValue

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
EMPTY = b"*0\r\n"


def same_members(db, redis, *command) -> list:
    """Run ``command`` on both; the same members, in any order; answer them sorted."""
    mine, theirs = parse_resp(db.execute(*command).resp()), parse_resp(redis.call(*command))
    assert isinstance(theirs, list), theirs
    assert sorted(mine) == sorted(theirs), f"{command!r}: {mine!r} != {theirs!r}"
    return sorted(theirs)


def members(db, name) -> set:
    return set(db.execute("SMEMBERS", name).value)


# --- SADD, SREM, SCARD, SISMEMBER, SMISMEMBER ---------------------------------------------------
@pytest.mark.redis
def test_sadd_answers_how_many_members_were_new(db, redis):
    assert same(db, redis, "SADD", "s", "a", "b", "a") == integer(2)
    assert same(db, redis, "SADD", "s", "b", "c") == integer(1)
    assert same(db, redis, "SCARD", "s") == integer(3)


@pytest.mark.redis
def test_type_of_a_set_is_set(db, redis):
    same(db, redis, "SADD", "s", "a")
    assert same(db, redis, "TYPE", "s") == b"+set\r\n"


@pytest.mark.redis
def test_a_set_command_on_a_string_is_wrongtype(db, redis):
    same(db, redis, "SET", "str", "v")
    for command in (["SADD", "str", "a"], ["SREM", "str", "a"], ["SMEMBERS", "str"],
                    ["SISMEMBER", "str", "a"], ["SMISMEMBER", "str", "a"], ["SCARD", "str"],
                    ["SPOP", "str"], ["SRANDMEMBER", "str", "2"], ["SSCAN", "str", "0"]):
        assert same(db, redis, *command) == WRONGTYPE
    assert same(db, redis, "GET", "str") == bulk(b"v")  # untouched


@pytest.mark.redis
def test_a_string_command_on_a_set_is_wrongtype_but_mget_answers_nil(db, redis):
    same(db, redis, "SADD", "s", "1")
    for command in (["GET", "s"], ["INCR", "s"], ["APPEND", "s", "x"], ["STRLEN", "s"],
                    ["GETRANGE", "s", "0", "1"], ["GETSET", "s", "x"], ["GETDEL", "s"]):
        assert same(db, redis, *command) == WRONGTYPE
    assert same(db, redis, "MGET", "s", "missing") == array(NIL, NIL)


@pytest.mark.redis
def test_set_replaces_a_set_with_a_string(db, redis):
    same(db, redis, "SADD", "s", "a")
    assert same(db, redis, "SET", "s", "v") == OK
    assert same(db, redis, "TYPE", "s") == b"+string\r\n"


@pytest.mark.redis
def test_srem_of_the_last_member_deletes_the_key(db, redis):
    same(db, redis, "SADD", "s", "a", "b")
    assert same(db, redis, "SREM", "s", "a", "x", "a") == integer(1)
    assert same(db, redis, "SREM", "s", "b", "c") == integer(1)
    assert same(db, redis, "EXISTS", "s") == integer(0)
    assert same(db, redis, "TYPE", "s") == b"+none\r\n"
    assert same(db, redis, "SREM", "s", "a") == integer(0)


@pytest.mark.redis
def test_membership_of_one_or_many_members(db, redis):
    same(db, redis, "SADD", "s", "a", "")
    assert same(db, redis, "SISMEMBER", "s", "a") == integer(1)
    assert same(db, redis, "SISMEMBER", "s", "z") == integer(0)
    assert same(db, redis, "SISMEMBER", "missing", "a") == integer(0)
    assert same(db, redis, "SMISMEMBER", "s", "a", "z", "") == array(integer(1), integer(0),
                                                                      integer(1))
    assert same(db, redis, "SMISMEMBER", "missing", "a", "b") == array(integer(0), integer(0))


@pytest.mark.redis
def test_a_missing_key_is_an_empty_set(db, redis):
    assert same(db, redis, "SCARD", "missing") == integer(0)
    assert same(db, redis, "SMEMBERS", "missing") == EMPTY
    assert same(db, redis, "SPOP", "missing") == NIL
    assert same(db, redis, "SRANDMEMBER", "missing") == NIL
    assert same(db, redis, "SPOP", "missing", "3") == EMPTY
    assert same(db, redis, "SRANDMEMBER", "missing", "-3") == EMPTY


@pytest.mark.redis
@pytest.mark.parametrize("command", [["SADD", "s"], ["SREM", "s"], ["SMEMBERS"], ["SCARD"],
                                     ["SISMEMBER", "s"], ["SMISMEMBER", "s"], ["SMOVE", "a", "b"],
                                     ["SINTER"], ["SINTERSTORE", "d"], ["SINTERCARD", "1"],
                                     ["SPOP"], ["SSCAN", "s"]])
def test_a_wrong_number_of_arguments_is_refused_by_name(db, redis, command):
    assert same(db, redis, *command).startswith(b"-ERR wrong number of arguments for '")


# --- the order of the members ------------------------------------------------------------------
@pytest.mark.redis
def test_a_small_set_of_integers_answers_in_numeric_order_as_an_intset(db, redis):
    same(db, redis, "SADD", "n", "10", "-3", "7", "9223372036854775807", "-9223372036854775808")
    assert parse_resp(same(db, redis, "SMEMBERS", "n")) == [
        b"-9223372036854775808", b"-3", b"7", b"10", b"9223372036854775807"]
    assert db.keyspace.data[b"n"].encoding == "intset"


@pytest.mark.redis
def test_a_union_of_integer_sets_comes_sorted_as_redis_builds_it_as_an_intset(db, redis):
    same(db, redis, "SADD", "a", "5", "1")
    same(db, redis, "SADD", "b", "3")
    assert parse_resp(same(db, redis, "SUNION", "b", "a")) == [b"1", b"3", b"5"]
    assert same(db, redis, "SUNIONSTORE", "c", "a", "b") == integer(3)
    assert parse_resp(same(db, redis, "SMEMBERS", "c")) == [b"1", b"3", b"5"]


def test_another_member_turns_an_intset_into_a_hash_table_for_good(db):
    db.run("SADD s 3 1 2")
    db.run("SADD s x")
    value = db.keyspace.data[b"s"]
    assert value.encoding == "hashtable"
    assert list(value) == [b"1", b"2", b"3", b"x"]  # the intset's order, then the newcomer
    db.run("SREM s x")
    assert value.encoding == "hashtable"


def test_integers_written_otherwise_are_other_members(db):
    db.run("SADD s 7 007 +7 -0 0")
    assert db.run("SCARD s").value == 5
    assert db.keyspace.data[b"s"].encoding == "hashtable"
    assert db.run("SISMEMBER s 07").value == 0


# --- SINTER, SUNION, SDIFF and their STORE forms, SINTERCARD -----------------------------------
@pytest.fixture
def abc(db, redis):
    """Three sets on both servers: a = {x, y, z, 1}, b = {y, z, w}, c = {z}."""
    same(db, redis, "SADD", "a", "x", "y", "z", "1")
    same(db, redis, "SADD", "b", "y", "z", "w")
    same(db, redis, "SADD", "c", "z")


@pytest.mark.redis
def test_sinter_sunion_sdiff(db, redis, abc):
    assert same_members(db, redis, "SINTER", "a", "b") == [b"y", b"z"]
    assert same_members(db, redis, "SINTER", "a", "b", "c") == [b"z"]
    assert same_members(db, redis, "SUNION", "a", "b", "missing") == [b"1", b"w", b"x", b"y",
                                                                      b"z"]
    assert same_members(db, redis, "SDIFF", "a", "b", "missing") == [b"1", b"x"]
    assert same_members(db, redis, "SDIFF", "b", "a") == [b"w"]
    assert same_members(db, redis, "SDIFF", "a", "a") == []


@pytest.mark.redis
def test_an_intersection_with_a_missing_key_is_empty(db, redis, abc):
    assert same(db, redis, "SINTER", "a", "missing") == EMPTY
    assert same(db, redis, "SINTERCARD", "2", "a", "missing") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("command", [["SINTER", "missing", "str"], ["SUNION", "a", "str"],
                                     ["SDIFF", "missing", "str"], ["SINTERSTORE", "d", "missing",
                                                                   "str"],
                                     ["SINTERCARD", "2", "missing", "str"],
                                     ["SUNIONSTORE", "d", "str"]])
def test_every_key_is_checked_before_any_work(db, redis, abc, command):
    same(db, redis, "SET", "str", "v")
    assert same(db, redis, *command) == WRONGTYPE


@pytest.mark.redis
@pytest.mark.parametrize("name", ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
def test_store_replaces_a_destination_of_any_type_and_drops_its_ttl(db, redis, abc, name):
    same(db, redis, "SET", "d", "a string", "EX", "1000")
    assert same(db, redis, name, "d", "a", "b") in (integer(2), integer(5))
    assert same(db, redis, "TYPE", "d") == b"+set\r\n"
    assert same(db, redis, "TTL", "d") == integer(-1)


@pytest.mark.redis
@pytest.mark.parametrize("name", ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
def test_an_empty_result_deletes_the_destination(db, redis, abc, name):
    same(db, redis, "SET", "d", "v")
    assert same(db, redis, name, "d", "missing", "missing2") == integer(0)
    assert same(db, redis, "EXISTS", "d") == integer(0)


@pytest.mark.redis
def test_the_destination_may_be_one_of_the_keys(db, redis, abc):
    assert same(db, redis, "SINTERSTORE", "a", "a", "b") == integer(2)
    assert same_members(db, redis, "SMEMBERS", "a") == [b"y", b"z"]


@pytest.mark.redis
def test_sintercard_counts_up_to_its_limit(db, redis, abc):
    assert same(db, redis, "SINTERCARD", "2", "a", "b") == integer(2)
    assert same(db, redis, "SINTERCARD", "2", "a", "b", "LIMIT", "1") == integer(1)
    assert same(db, redis, "SINTERCARD", "2", "a", "b", "limit", "0") == integer(2)
    assert same(db, redis, "SINTERCARD", "1", "a", "LIMIT", "5", "LIMIT", "2") == integer(2)


@pytest.mark.redis
@pytest.mark.parametrize("args, error", [
    (["0", "a"], b"-ERR numkeys should be greater than 0\r\n"),
    (["x", "a"], b"-ERR numkeys should be greater than 0\r\n"),
    (["-1", "a"], b"-ERR numkeys should be greater than 0\r\n"),
    (["3", "a", "b"], b"-ERR Number of keys can't be greater than number of args\r\n"),
    (["1", "a", "LIMIT", "-1"], b"-ERR LIMIT can't be negative\r\n"),
    (["1", "a", "LIMIT", "x"], b"-ERR LIMIT can't be negative\r\n"),
    (["1", "a", "LIMIT"], SYNTAX_ERROR),
    (["1", "a", "b"], SYNTAX_ERROR),
])
def test_sintercard_errors(db, redis, args, error):
    assert same(db, redis, "SINTERCARD", *args) == error


@pytest.mark.redis
@pytest.mark.parametrize("numkeys", ["2", "02", "2abc", " 1", "3", "0", "x", "-1"])
def test_command_getkeys_of_sintercard_is_redis_s(db, redis, numkeys):
    # A strict count gives the key spec's flags; one only C's atoi() reads gives none.
    for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
        same(db, redis, "COMMAND", sub, "SINTERCARD", numkeys, "a", "b", "LIMIT", "1")


# --- SMOVE -----------------------------------------------------------------------------------------
@pytest.mark.redis
def test_smove_moves_a_member_and_deletes_an_emptied_source(db, redis):
    same(db, redis, "SADD", "src", "m")
    assert same(db, redis, "SMOVE", "src", "dst", "m") == integer(1)
    assert same(db, redis, "EXISTS", "src") == integer(0)
    assert same(db, redis, "SMEMBERS", "dst") == array(bulk(b"m"))
    assert same(db, redis, "SMOVE", "dst", "src", "absent") == integer(0)


@pytest.mark.redis
def test_smove_checks_the_source_first_then_both_types(db, redis):
    same(db, redis, "SET", "str", "v")
    same(db, redis, "SADD", "s", "m")
    assert same(db, redis, "SMOVE", "missing", "str", "m") == integer(0)
    assert same(db, redis, "SMOVE", "s", "str", "absent") == WRONGTYPE
    assert same(db, redis, "SMOVE", "str", "s", "m") == WRONGTYPE


@pytest.mark.redis
def test_smove_onto_the_same_set_only_says_whether_the_member_is_there(db, redis):
    same(db, redis, "SADD", "s", "m")
    assert same(db, redis, "SMOVE", "s", "s", "m") == integer(1)
    assert same(db, redis, "SMOVE", "s", "s", "x") == integer(0)
    assert same(db, redis, "SCARD", "s") == integer(1)


# --- SPOP and SRANDMEMBER ----------------------------------------------------------------------------
def test_spop_removes_and_answers_a_random_member(db):
    db.run("SADD s a b c")
    popped = db.run("SPOP s").value
    assert popped in (b"a", b"b", b"c")
    assert members(db, "s") == {b"a", b"b", b"c"} - {popped}


def test_spop_with_a_count_answers_distinct_members_and_the_rest_stay(db):
    db.execute("SADD", "s", *range(20))
    popped = db.run("SPOP s 15").value  # (most of the set: Redis's "new set" strategy)
    assert len(set(popped)) == 15
    assert members(db, "s") == {b"%d" % i for i in range(20)} - set(popped)
    assert db.keyspace.data[b"s"].encoding == "intset"


@pytest.mark.redis
def test_spop_of_the_whole_set_answers_it_and_deletes_the_key(db, redis):
    same(db, redis, "SADD", "s", "3", "1", "2")
    assert same(db, redis, "SPOP", "s", "10") == array(bulk(b"1"), bulk(b"2"), bulk(b"3"))
    assert same(db, redis, "EXISTS", "s") == integer(0)


@pytest.mark.redis
def test_spop_count_zero_and_negative(db, redis):
    same(db, redis, "SADD", "s", "a")
    assert same(db, redis, "SPOP", "s", "0") == EMPTY
    for count in ("-1", "abc", "9223372036854775808"):
        assert same(db, redis, "SPOP", "s", count) == (
            b"-ERR value is out of range, must be positive\r\n")
    assert same(db, redis, "SPOP", "s", "1", "2") == SYNTAX_ERROR
    assert same(db, redis, "SCARD", "s") == integer(1)


def test_srandmember_with_a_positive_count_answers_distinct_members(db):
    db.execute("SADD", "s", *"abcdefghij")
    sample = db.run("SRANDMEMBER s 4").value
    assert len(sample) == len(set(sample)) == 4 and set(sample) <= members(db, "s")
    assert sorted(db.run("SRANDMEMBER s 100").value) == sorted(members(db, "s"))
    assert db.run("SCARD s").value == 10  # nothing removed


def test_srandmember_with_a_negative_count_may_repeat_members(db):
    db.run("SADD s a b")
    sample = db.run("SRANDMEMBER s -50").value
    assert len(sample) == 50 and set(sample) == {b"a", b"b"}


@pytest.mark.redis
def test_srandmember_count_errors(db, redis):
    same(db, redis, "SADD", "s", "a")
    assert same(db, redis, "SRANDMEMBER", "s", "0") == EMPTY
    assert same(db, redis, "SRANDMEMBER", "s", "abc") == NOT_INTEGER
    assert same(db, redis, "SRANDMEMBER", "missing", "abc") == NOT_INTEGER
    assert same(db, redis, "SRANDMEMBER", "s", "-9223372036854775808") == (
        b"-ERR value is out of range, value must between -9223372036854775807 and "
        b"9223372036854775807\r\n")
    assert same(db, redis, "SRANDMEMBER", "s", "1", "2") == SYNTAX_ERROR


def test_random_choices_repeat_with_the_same_seed():
    runs = []
    for _ in range(2):
        engine = kedis.Kedis(seed=42)
        engine.execute("SADD", "s", *range(100))
        runs.append((engine.run("SRANDMEMBER s 5").value, engine.run("SPOP s").value))
    assert runs[0] == runs[1]


# --- SSCAN -----------------------------------------------------------------------------------------
def sscan_all(db, key, *options) -> tuple[list[bytes], int]:
    cursor, found, calls = b"0", [], 0
    while True:
        cursor, page = db.execute("SSCAN", key, cursor, *options).value
        found += page
        calls += 1
        if cursor == b"0":
            return found, calls


def test_sscan_walks_a_big_set_in_several_calls_returning_each_member_once(db):
    db.execute("SADD", "s", *[b"m%d" % i for i in range(100)])
    found, calls = sscan_all(db, "s", "COUNT", "10")
    assert sorted(found) == sorted(b"m%d" % i for i in range(100))
    assert calls >= 10


def test_sscan_returns_every_member_that_stays_throughout_a_changing_walk(db):
    db.execute("SADD", "s", *[b"m%d" % i for i in range(50)])
    cursor, seen = b"0", set()
    for step in range(100):
        cursor, page = db.execute("SSCAN", "s", cursor, "COUNT", "5").value
        seen.update(page)
        db.execute("SADD", "s", b"new%d" % step)
        db.execute("SREM", "s", b"new%d" % (step - 1))
        if cursor == b"0":
            break
    assert {b"m%d" % i for i in range(50)} <= seen


@pytest.mark.redis
def test_sscan_of_an_intset_answers_it_whole_in_one_call(db, redis):
    same(db, redis, "SADD", "n", "3", "1", "2")
    assert same(db, redis, "SSCAN", "n", "0", "COUNT", "1") == array(
        bulk(b"0"), array(bulk(b"1"), bulk(b"2"), bulk(b"3")))
    assert same(db, redis, "SSCAN", "n", "0", "MATCH", "[12]") == array(
        bulk(b"0"), array(bulk(b"1"), bulk(b"2")))


@pytest.mark.redis
def test_sscan_errors_and_a_missing_key(db, redis):
    same(db, redis, "SADD", "s", "a")
    assert same(db, redis, "SSCAN", "s", "abc") == b"-ERR invalid cursor\r\n"
    assert same(db, redis, "SSCAN", "missing", "abc") == b"-ERR invalid cursor\r\n"
    assert same(db, redis, "SSCAN", "missing", "0", "COUNT", "0") == array(bulk(b"0"), EMPTY)
    for options in (["COUNT", "0"], ["TYPE", "set"], ["MATCH"], ["FOO", "1"]):
        assert same(db, redis, "SSCAN", "s", "0", *options) == SYNTAX_ERROR


# --- sets among the other commands -------------------------------------------------------------
@pytest.mark.redis
def test_keyspace_commands_work_on_sets(db, redis):
    same(db, redis, "SADD", "s", "a", "b")
    same(db, redis, "SET", "str", "v")
    assert same(db, redis, "SCAN", "0", "TYPE", "set") == array(bulk(b"0"), array(bulk(b"s")))
    assert same(db, redis, "COPY", "s", "copy") == integer(1)
    same(db, redis, "SADD", "copy", "c")
    assert same_members(db, redis, "SMEMBERS", "s") == [b"a", b"b"]  # the copy is its own set
    assert same(db, redis, "RENAME", "copy", "renamed") == OK
    assert same(db, redis, "SCARD", "renamed") == integer(3)
    assert same(db, redis, "EXISTS", "s", "renamed", "copy") == integer(2)
    assert same(db, redis, "DEL", "s", "renamed") == integer(2)


def test_sadd_and_srem_keep_the_ttl_and_an_expired_set_is_gone(db, clock):
    db.run("SADD s a")
    db.run("EXPIRE s 10")
    db.run("SADD s b")
    db.run("SREM s a")
    assert db.run("TTL s").value == 10
    clock.advance(11)
    assert db.run("SCARD s").value == 0
    assert db.run("SADD s c").value == 1 and db.run("TTL s").value == -1


def test_a_traced_sadd_shows_the_set_before_and_after(db):
    db.run("SADD s a")
    steps = db.run("SADD s b", trace=True).trace
    change = next(step for step in steps if step.action == "modify")
    assert change.before.value == SetValue([b"a"]) and change.after.value == SetValue([b"a", b"b"])
    assert change.did == 'changed the set "s" in place: added "b"'
    assert change.after.describe() == 'set {"a", "b"}'


def test_a_traced_srem_of_the_last_member_shows_the_key_deleted(db):
    db.run("SADD s a")
    steps = db.run("SREM s a", trace=True).trace
    assert [step.action for step in steps if step.layer == "keyspace"] == [
        "read", "modify", "delete"]
    assert steps[-2].did == 'deleted "s": an empty set is no value, so no key'
