"""List commands (kedis/commands/lists.py), each reply compared byte for byte with redis-server's.
The quicklist under them is tests/structures/test_quicklist.py; the random sequences of list
commands are in tests/test_differential.py's state machine."""

from __future__ import annotations

import pytest
from compare import NIL, OK, array, bulk, integer, same

pytestmark = pytest.mark.redis

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"


def test_pushes_at_both_ends_keep_their_order(db, redis):
    assert same(db, redis, "RPUSH", "l", "a", "b") == integer(2)
    assert same(db, redis, "LPUSH", "l", "x", "y") == integer(4)
    assert same(db, redis, "LRANGE", "l", "0", "-1") == array(*map(bulk, [b"y", b"x", b"a", b"b"]))
    assert same(db, redis, "TYPE", "l") == b"+list\r\n"
    assert same(db, redis, "OBJECT", "ENCODING", "l") == bulk(b"quicklist")


def test_a_queue_and_a_stack_are_two_ways_of_popping(db, redis):
    same(db, redis, "RPUSH", "q", "1", "2", "3")
    assert same(db, redis, "LPOP", "q") == bulk(b"1")           # queue: first in, first out
    assert same(db, redis, "RPOP", "q") == bulk(b"3")           # stack: last in, first out
    assert same(db, redis, "RPOP", "q", "5") == array(bulk(b"2"))
    assert same(db, redis, "EXISTS", "q") == integer(0)         # the last pop took the key
    assert same(db, redis, "LPOP", "q") == NIL
    assert same(db, redis, "LPOP", "q", "2") == b"*-1\r\n"


@pytest.mark.parametrize("command", [
    ["LPOP", "l", "-1"], ["LPOP", "l", "x"], ["LPOP", "l", "0"], ["LPOP", "l", "1", "2"],
    ["LINDEX", "l", "x"], ["LRANGE", "l", "0", "x"], ["LSET", "missing", "x", "v"],
    ["LSET", "l", "x", "v"], ["LSET", "l", "10", "v"], ["LINSERT", "l", "middle", "a", "b"],
    ["LPOS", "l", "a", "RANK", "0"], ["LPOS", "l", "a", "COUNT", "-1"],
    ["LPOS", "l", "a", "MAXLEN", "-1"], ["LPOS", "l", "a", "RANK"], ["LPOS", "l", "a", "BOGUS", "1"],
    ["LMOVE", "l", "m", "LEFT", "UP"], ["LMPOP", "0", "l", "LEFT"], ["LMPOP", "2", "l", "LEFT"],
    ["LMPOP", "1", "l", "LEFT", "COUNT", "0"], ["LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1"],
    ["LMPOP", "1", "l", "MIDDLE"], ["LREM", "l", "x", "a"], ["LTRIM", "l", "a", "1"],
])
def test_wrong_arguments_get_redis_s_errors(db, redis, command):
    same(db, redis, "RPUSH", "l", "a", "b", "a")
    same(db, redis, *command)  # the very bytes: each error's text, or LPOP 0's empty array


def test_a_list_command_on_another_type_is_wrongtype(db, redis):
    same(db, redis, "SET", "s", "x")
    for command in (["LPUSH", "s", "a"], ["LLEN", "s"], ["LRANGE", "s", "0", "1"], ["LPOP", "s"],
                    ["LMOVE", "s", "d", "LEFT", "LEFT"], ["LPOS", "s", "a"]):
        assert same(db, redis, *command) == WRONGTYPE
    same(db, redis, "RPUSH", "l", "a")
    assert same(db, redis, "LMOVE", "l", "s", "LEFT", "LEFT") == WRONGTYPE
    assert same(db, redis, "LLEN", "l") == integer(1)  # the source kept its element


def test_ranges_are_clipped_to_the_list_never_an_error(db, redis):
    same(db, redis, "RPUSH", "l", *"abcde")
    for start, stop in [("0", "-1"), ("-2", "100"), ("3", "1"), ("-100", "1"), ("5", "10")]:
        same(db, redis, "LRANGE", "l", start, stop)
    assert same(db, redis, "LTRIM", "l", "1", "-2") == OK
    assert same(db, redis, "LRANGE", "l", "0", "-1") == array(*map(bulk, [b"b", b"c", b"d"]))
    assert same(db, redis, "LTRIM", "l", "5", "1") == OK
    assert same(db, redis, "EXISTS", "l") == integer(0)  # trimmed to nothing: no key


def test_insert_remove_and_search_in_the_middle(db, redis):
    same(db, redis, "RPUSH", "l", "a", "b", "a", "c", "a")
    assert same(db, redis, "LINSERT", "l", "AFTER", "b", "new") == integer(6)
    assert same(db, redis, "LINSERT", "l", "before", "zzz", "new") == integer(-1)
    assert same(db, redis, "LINSERT", "missing", "BEFORE", "a", "b") == integer(0)
    assert same(db, redis, "LPOS", "l", "a", "RANK", "-1") == integer(5)
    same(db, redis, "LPOS", "l", "a", "COUNT", "0")
    same(db, redis, "LPOS", "l", "a", "COUNT", "2", "RANK", "2")
    same(db, redis, "LPOS", "l", "a", "MAXLEN", "1", "COUNT", "0")
    same(db, redis, "LPOS", "l", "a", "RANK", "-9223372036854775808")  # -rank overflows in C
    same(db, redis, "LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "2")
    assert same(db, redis, "LREM", "l", "-2", "a") == integer(2)
    assert same(db, redis, "LRANGE", "l", "0", "-1") == array(*map(bulk, [b"a", b"b", b"new", b"c"]))
    assert same(db, redis, "LSET", "l", "-1", "last") == OK
    assert same(db, redis, "LINDEX", "l", "-1") == bulk(b"last")
    assert same(db, redis, "LINDEX", "l", "99") == NIL


def test_lmove_rotates_a_list_onto_itself_and_lmpop_serves_the_first_non_empty(db, redis):
    same(db, redis, "RPUSH", "l", "1", "2", "3")
    assert same(db, redis, "RPOPLPUSH", "l", "l") == bulk(b"3")
    assert same(db, redis, "LMOVE", "l", "other", "LEFT", "RIGHT") == bulk(b"3")
    assert same(db, redis, "LMPOP", "3", "none", "l", "other", "RIGHT", "COUNT", "5") == array(
        bulk(b"l"), array(bulk(b"2"), bulk(b"1")))
    assert same(db, redis, "LMPOP", "1", "none", "LEFT") == b"*-1\r\n"
    same(db, redis, "COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT")


def test_a_list_keeps_its_nodes_through_save_and_dump(db, redis):
    same(db, redis, "CONFIG", "SET", "list-max-listpack-size", "3")
    same(db, redis, "CONFIG", "SET", "list-compress-depth", "1")
    same(db, redis, "RPUSH", "l", *[b"element number %d, and some words to compress" % i
                                    for i in range(20)])
    assert db.execute("DUMP", "l").resp() == redis.call("DUMP", "l")
    payload = redis.call("DUMP", "l").split(b"\r\n", 1)[1][:-2]
    assert db.execute("RESTORE", "copy", "0", payload).resp() == OK
    assert db.execute("LRANGE", "copy", "0", "-1").resp() == redis.call("LRANGE", "l", "0", "-1")
    same(db, redis, "CONFIG", "SET", "list-max-listpack-size", "-2")
    same(db, redis, "CONFIG", "SET", "list-compress-depth", "0")


def test_a_list_counts_one_change_per_element(db):
    before = db.stats.dirty
    db.execute("RPUSH", "l", "a", "b", "c", "d")
    db.execute("LPOP", "l", "2")
    db.execute("LTRIM", "l", "0", "0")
    assert db.stats.dirty - before == 4 + 2 + 1
