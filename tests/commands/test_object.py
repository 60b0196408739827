"""OBJECT ENCODING, REFCOUNT, FREQ and HELP (kedis/commands/object.py), against redis-server.

Each sequence runs on Kedis and on Redis; every reply must be the same bytes. The encodings
follow from a value's bytes and from the command that last wrote it.
"""

from __future__ import annotations

import pytest
from compare import NIL, bulk, integer, same

SEQUENCES = {
    "integers, short and long strings": [
        ["SET", "n", "12"], ["SET", "neg", "-5"], ["SET", "big", "12345678901234567890"],
        ["SET", "zero-led", "007"], ["SET", "minus-zero", "-0"], ["SET", "max", "9223372036854775807"],
        ["SET", "min", "-9223372036854775808"], ["SET", "over", "9223372036854775808"],
        ["SET", "s44", "a" * 44], ["SET", "s45", "a" * 45], ["MSET", "m1", "1", "m2", "x"],
        ["SETEX", "ttl", "100", "5"], ["GETSET", "gs", "7"], ["SET", "gs", "8", "GET"]],
    "changed in place: raw": [
        ["SET", "a", "5"], ["APPEND", "a", ""], ["SET", "b", "abc"], ["APPEND", "b", "d"],
        ["APPEND", "new", "123"], ["SETRANGE", "r", "0", "5"], ["SET", "f", "5"],
        ["SETRANGE", "f", "0", ""], ["SET", "c", "12"], ["APPEND", "c", "3"]],
    "written again: encoded again": [
        ["SET", "a", "abc"], ["APPEND", "a", "d"], ["SET", "a", "1"], ["SET", "c", "12"],
        ["APPEND", "c", "3"], ["INCR", "c"], ["SET", "d", "x"], ["SETRANGE", "d", "0", "1"],
        ["INCRBY", "d", "5"]],
    "INCRBYFLOAT writes plain strings": [
        ["SET", "g", "1.5"], ["INCRBYFLOAT", "g", "1.5"], ["INCRBYFLOAT", "h", "2"],
        ["INCRBYFLOAT", "i", "1e30"]],
    "RENAME and COPY keep the encoding": [
        ["SET", "a", "abc"], ["APPEND", "a", "d"], ["RENAME", "a", "b"], ["COPY", "b", "c"],
        ["COPY", "b", "d", "DB", "1"], ["SWAPDB", "0", "1"], ["SELECT", "1"]],
    "a COPY of a shared integer is an int of its own": [
        ["SET", "n", "100"], ["COPY", "n", "n2"], ["COPY", "n2", "n3"], ["INCR", "n3"],
        ["SET", "big", "123456"], ["COPY", "big", "big2"], ["COPY", "n", "n4"],
        ["APPEND", "n4", "1"]],
    "sets: intset, then hashtable for good": [
        ["SADD", "s", "1", "2"], ["SADD", "t", "1", "x"], ["SREM", "t", "x"],
        ["SADD", "u", "a"]],
}


@pytest.mark.redis
@pytest.mark.parametrize("name", SEQUENCES)
def test_object_encoding_and_refcount_are_redis_s(db, redis, name):
    keys = []
    for command in SEQUENCES[name]:
        same(db, redis, *command)
        if command[0] in ("SET", "SETEX", "GETSET", "APPEND", "SETRANGE", "INCRBYFLOAT", "SADD",
                          "INCR", "INCRBY"):
            keys.append(command[1])
        elif command[0] in ("MSET",):
            keys += command[1::2]
        elif command[0] in ("RENAME", "COPY"):
            keys.append(command[2])
    for key in dict.fromkeys(keys + ["missing"]):
        same(db, redis, "OBJECT", "ENCODING", key)
        same(db, redis, "OBJECT", "REFCOUNT", key)


def test_the_encodings_a_learner_meets(db):
    db.run("SET n 12")
    db.run("SET s hello")
    assert db.run("OBJECT ENCODING n").value == b"int"
    assert db.run("OBJECT ENCODING s").value == b"embstr"
    db.run("APPEND s !")
    assert db.run("OBJECT ENCODING s").value == b"raw"
    db.run("SADD set 1 2")
    assert db.run("OBJECT ENCODING set").value == b"intset"
    db.run("SADD set x")
    db.run("SREM set x")
    assert db.run("OBJECT ENCODING set").value == b"hashtable"  # no way back


@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["OBJECT", "FREQ", "k"], ["OBJECT", "FREQ", "missing"], ["OBJECT"], ["OBJECT", "ENCODING"],
    ["OBJECT", "ENCODING", "k", "extra"], ["OBJECT", "NOPE", "k"], ["OBJECT", "HELP", "x"]])
def test_object_errors_are_redis_s(db, redis, command):
    same(db, redis, "SET", "k", "1")
    same(db, redis, *command)


@pytest.mark.redis
def test_object_counts_a_read_and_expires_the_key_as_redis_does(db, redis):
    same(db, redis, "SET", "gone", "1", "PXAT", "1")  # expired, not yet deleted
    assert same(db, redis, "OBJECT", "ENCODING", "gone") == NIL
    assert same(db, redis, "OBJECT", "REFCOUNT", "gone") == NIL
    assert same(db, redis, "DBSIZE") == integer(0)
    same(db, redis, "SET", "k", "1")
    assert same(db, redis, "OBJECT", "ENCODING", "k") == bulk(b"int")


def test_object_help_lists_what_kedis_answers(db):
    lines = db.run("OBJECT HELP").value
    assert "ENCODING <key>" in lines and "REFCOUNT <key>" in lines
    assert "IDLETIME <key>" in lines and "FREQ <key>" in lines
