"""INFO persistence's rdb_changes_since_last_save counts as Redis 7.0's ``server.dirty`` does.

Each command handler counts its own changes (keyspace.py says why), so each case below is one
command and the count it adds: read as "after <setup>, <command> makes <n> changes". The same
table runs on Kedis (a fake clock) and on redis-server (the oracle, which wrote these numbers),
and a hypothesis test sends random write commands to both and compares the count after each.
"""

from __future__ import annotations

import os
import shlex

import pytest
from compare import changes_since_save, parse_resp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kedis

START = 1_700_000_000.0  # the fake clock's start (as in conftest.py)

# name: (setup lines, the command, the changes it makes). Numbers measured on redis-server 7.0.
CASES: dict[str, tuple[list[str], str, int]] = {
    # strings (t_string.c): one per key written, whatever the options
    "SET counts one": ([], "SET k v", 1),
    "SET with a TTL counts one, not two": ([], "SET k v EX 10", 1),
    "SETEX counts one": ([], "SETEX k 10 v", 1),
    "SET with a TTL in the past counts one": ([], "SET k v PXAT 1", 1),
    "SET NX that does nothing counts nothing": (["SET k v"], "SET k w NX", 0),
    "SET XX on a missing key counts nothing": ([], "SET k v XX", 0),
    "SET GET counts one": (["SET k v"], "SET k w GET", 1),
    "SET GET on a set is an error, and counts nothing": (["SADD k a"], "SET k v GET", 0),
    "GETSET counts one": (["SET k v"], "GETSET k w", 1),
    "GETDEL of a missing key counts nothing": ([], "GETDEL k", 0),
    "GETDEL counts one": (["SET k v"], "GETDEL k", 1),
    "GETEX without options counts nothing": (["SET k v"], "GETEX k", 0),
    "GETEX EX counts one": (["SET k v"], "GETEX k EX 10", 1),
    "GETEX PERSIST without a TTL counts nothing": (["SET k v"], "GETEX k PERSIST", 0),
    "GETEX PERSIST of a TTL counts one": (["SET k v EX 10"], "GETEX k PERSIST", 1),
    "GETEX PXAT in the past deletes the key: one": (["SET k v"], "GETEX k PXAT 1", 1),
    "MSET counts each pair, even a key named twice": ([], "MSET a 1 b 2 a 3", 3),
    "MSETNX that sets nothing counts nothing": (["SET a 1"], "MSETNX a 1 b 2", 0),
    "MSETNX counts each pair": ([], "MSETNX a 1 b 2", 2),
    "APPEND of nothing to a missing key creates it: one": ([], "APPEND k ''", 1),
    "APPEND of nothing to a string still counts one": (["SET k v"], "APPEND k ''", 1),
    "SETRANGE of nothing counts nothing": (["SET k abc"], "SETRANGE k 1 ''", 0),
    "SETRANGE of nothing on a missing key counts nothing": ([], "SETRANGE k 5 ''", 0),
    "SETRANGE counts one": (["SET k abc"], "SETRANGE k 1 X", 1),
    "INCR counts one": ([], "INCR n", 1),
    "INCR of a word is an error, and counts nothing": (["SET n abc"], "INCR n", 0),
    "INCRBYFLOAT of zero still counts one": (["SET n 1.5"], "INCRBYFLOAT n 0", 1),
    # keys (db.c)
    "DEL counts the keys it deleted": (["MSET a 1 b 2"], "DEL a b c", 2),
    "DEL of missing keys counts nothing": ([], "DEL a b", 0),
    "RENAME counts one, though it deletes a key and writes another": (
        ["SET a 1 EX 10", "SET b 2"], "RENAME a b", 1),
    "RENAME of a key to itself counts nothing": (["SET a 1"], "RENAME a a", 0),
    "RENAMENX onto an existing key counts nothing": (["SET a 1", "SET b 2"], "RENAMENX a b", 0),
    "COPY REPLACE counts one": (["SET a 1 EX 10", "SET b 2"], "COPY a b REPLACE", 1),
    "COPY onto an existing key counts nothing": (["SET a 1", "SET b 2"], "COPY a b", 0),
    "COPY to another database counts one": (["SET a 1 EX 10"], "COPY a a DB 1", 1),
    # expiry (expire.c)
    "EXPIRE of a missing key counts nothing": ([], "EXPIRE k 10", 0),
    "EXPIRE counts one": (["SET k v"], "EXPIRE k 10", 1),
    "EXPIRE XX without a TTL counts nothing": (["SET k v"], "EXPIRE k 10 XX", 0),
    "EXPIRE in the past deletes the key: one": (["SET k v"], "PEXPIREAT k 1", 1),
    "PERSIST without a TTL counts nothing": (["SET k v"], "PERSIST k", 0),
    "PERSIST counts one": (["SET k v EX 10"], "PERSIST k", 1),
    # lazy expiry deletes the key, and counts nothing: only what the command did counts
    "reading an expired key counts nothing": (["SET k v PXAT 1"], "GET k", 0),
    "DEL of an expired key counts nothing": (["SET k v PXAT 1"], "DEL k", 0),
    "EXPIRE of an expired key counts nothing": (["SET k v PXAT 1"], "EXPIRE k 10", 0),
    "SET over an expired key counts one": (["SET k v PXAT 1"], "SET k w", 1),
    # sets (t_set.c): one per member
    "SADD counts each member added": ([], "SADD s a b c", 3),
    "SADD counts only the new members": (["SADD s a"], "SADD s a b b", 1),
    "SADD of an existing member counts nothing": (["SADD s a"], "SADD s a", 0),
    "SREM counts each member removed": (["SADD s a b c"], "SREM s a b x", 2),
    "SREM of the last members counts them, not the key": (["SADD s a b"], "SREM s a b", 2),
    "SMOVE counts the removal and the addition": (["SADD s a b", "SADD t c"], "SMOVE s t a", 2),
    "SMOVE to a new set counts two": (["SADD s a b"], "SMOVE s t a", 2),
    "SMOVE to a set that has the member counts one": (
        ["SADD s a b", "SADD t a"], "SMOVE s t a", 1),
    "SMOVE of a member the source lacks counts nothing": (["SADD s a"], "SMOVE s t x", 0),
    "SMOVE within one set counts nothing": (["SADD s a"], "SMOVE s s a", 0),
    "SPOP counts one": (["SADD s a b c"], "SPOP s", 1),
    "SPOP with a count counts each member popped": (["SADD s 1 2 3 4 5"], "SPOP s 2", 2),
    "SPOP of more than the set counts its members": (["SADD s 1 2 3"], "SPOP s 10", 3),
    "SPOP of zero counts nothing": (["SADD s a"], "SPOP s 0", 0),
    "SINTERSTORE counts one for the destination": (
        ["SADD s a b", "SADD t b c"], "SINTERSTORE d s t", 1),
    "SINTERSTORE of nothing, over nothing, counts nothing": (["SADD s a"], "SINTERSTORE d s x", 0),
    "SINTERSTORE of nothing deletes the destination: one": (
        ["SADD s a", "SET d v"], "SINTERSTORE d s x", 1),
    "SUNIONSTORE counts one": (["SADD s a b", "SADD t c"], "SUNIONSTORE d s t", 1),
    "SDIFFSTORE counts one": (["SADD s a b", "SADD t b"], "SDIFFSTORE d s t", 1),
    # the server
    "FLUSHDB counts the keys it removed": (["MSET a 1 b 2"], "FLUSHDB", 2),
    "FLUSHDB of an empty database counts nothing": ([], "FLUSHDB", 0),
    "FLUSHALL counts the keys of every database": (
        ["MSET a 1 b 2", "SELECT 1", "SET c 3"], "FLUSHALL", 3),
    "SELECT counts nothing": ([], "SELECT 1", 0),
}


def kedis_changes(db: kedis.Kedis) -> int:
    return changes_since_save(db.execute("INFO", "persistence").resp())


@pytest.mark.parametrize(("setup", "line", "expected"), CASES.values(), ids=CASES.keys())
def test_a_command_counts_its_changes_as_redis_does(setup, line, expected):
    db = kedis.Kedis(clock=kedis.FakeClock(START), seed=0)
    for setup_line in setup:
        db.execute(*shlex.split(setup_line))
    before = kedis_changes(db)
    db.execute(*shlex.split(line))
    assert kedis_changes(db) - before == expected


@pytest.mark.redis
@pytest.mark.parametrize(("setup", "line", "expected"), CASES.values(), ids=CASES.keys())
def test_redis_counts_the_same(redis, setup, line, expected):
    """The oracle: the table above is redis-server's own count."""
    redis.call("SELECT", "0")
    for setup_line in setup:
        redis.call(*shlex.split(setup_line))
    before = changes_since_save(redis.call("INFO", "persistence"))
    redis.call(*shlex.split(line))
    assert changes_since_save(redis.call("INFO", "persistence")) - before == expected
    redis.call("SELECT", "0")


def test_active_expiry_counts_nothing():
    clock = kedis.FakeClock(START)
    db = kedis.Kedis(clock=clock, seed=0)
    db.execute("SET", "k", "v", "PX", "100")
    clock.advance(1)
    db.tick()
    assert db.stats.expired_keys_active == 1
    assert kedis_changes(db) == 1  # the SET's change, and nothing for the expiry


def test_a_save_rule_sees_each_member_of_an_sadd(tmp_path):
    """``save 60 3``: one SADD of three members is three changes, enough to save."""
    clock = kedis.FakeClock(START)
    db = kedis.Kedis(clock=clock, config={"dir": str(tmp_path), "save": "60 3"})
    db.execute("SADD", "s", "a", "b", "c")
    clock.advance(61)
    db.tick()
    db.persistence.wait()
    assert (tmp_path / "dump.rdb").exists()
    assert kedis_changes(db) == 0


def test_a_bgsave_leaves_the_changes_made_while_it_wrote(tmp_path):
    db = kedis.Kedis(clock=kedis.FakeClock(START), config={"dir": str(tmp_path)})
    db.execute("MSET", "a", "1", "b", "2")
    db.execute("BGSAVE")
    db.execute("SADD", "s", "x", "y", "z")  # after the snapshot: three changes still unsaved
    db.persistence.wait()
    assert kedis_changes(db) == 3


def test_the_aof_gets_only_the_commands_that_count_a_change(tmp_path):
    """A command is appended when it made changes (Redis's call() propagates when dirty grew)."""
    db = kedis.Kedis(clock=kedis.FakeClock(START),
                     config={"dir": str(tmp_path), "appendonly": "yes"})
    for line in ["SADD s a", "SADD s a", "SET k v", "PERSIST k", "SET k w NX", "SETRANGE k 0 ''",
                 "SET k v EX 10"]:
        db.execute(*shlex.split(line))
    incr = next((tmp_path / "appendonlydir").glob("*.incr.aof")).read_bytes()
    assert incr.count(b"SADD") == 1
    assert b"PERSIST" not in incr and b"SETRANGE" not in incr and b"NX" not in incr
    assert incr.count(b"\r\nSET\r\n") == 2


# --- random writes: Kedis and Redis count alike, command by command ---------------------------------
# Few keys and members, so that commands keep meeting each other's. String commands and set
# commands have keys of their own and one in common (c), so that a SADD mostly finds a set, and
# sometimes a string; the commands on keys of any type (DEL, RENAME, EXPIRE...) use all five.
STRING_KEYS, SET_KEYS = [b"a", b"b", b"c"], [b"s", b"t", b"c"]
MEMBERS = [b"a", b"b", b"c", b"d", b"1", b"2", b"3", b"-4"]
keys = st.sampled_from(STRING_KEYS)
set_keys = st.sampled_from(SET_KEYS)
any_keys = st.sampled_from(sorted(set(STRING_KEYS + SET_KEYS)))
members = st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=4)
values = st.sampled_from([b"v", b"", b"1", b"1.5", b"abc"])
ttls = st.sampled_from([[b"EX", b"100"], [b"PX", b"100000"], [b"PXAT", b"1"], [b"KEEPTTL"],
                        [b"EXAT", b"99999999999"], []])


def _line(*parts):
    """A strategy for one command: each part a strategy of bytes, or of a list of them."""
    return st.tuples(*[st.just(p) if isinstance(p, bytes) else p for p in parts]).map(
        lambda drawn: [a for part in drawn for a in (part if isinstance(part, list) else [part])])


string_writes = st.one_of(
    _line(b"SET", keys, values, ttls, st.sampled_from([[], [b"NX"], [b"XX"], [b"GET"]])),
    _line(st.sampled_from([b"SETNX", b"GETSET", b"APPEND"]), keys, values),
    _line(b"SETEX", keys, st.sampled_from([b"100", b"0"]), values),
    _line(st.sampled_from([b"GETDEL", b"INCR", b"DECR", b"GET"]), keys),
    _line(b"GETEX", keys, st.sampled_from([[], [b"EX", b"100"], [b"PERSIST"], [b"PXAT", b"1"]])),
    _line(st.sampled_from([b"MSET", b"MSETNX"]), st.lists(st.tuples(keys, values), min_size=1,
                                                         max_size=3).map(
        lambda pairs: [item for pair in pairs for item in pair])),
    _line(st.sampled_from([b"INCRBY", b"INCRBYFLOAT"]), keys, st.sampled_from([b"0", b"2", b"x"])),
    _line(b"SETRANGE", keys, st.sampled_from([b"0", b"2"]), st.sampled_from([b"", b"xy"])),
)
set_writes = st.one_of(
    _line(b"SADD", set_keys, members),
    _line(b"SREM", set_keys, members),
    _line(b"SMOVE", set_keys, set_keys, st.sampled_from(MEMBERS)),
    _line(b"SPOP", set_keys, st.sampled_from([[], [b"0"], [b"1"], [b"2"], [b"9"]])),
    _line(st.sampled_from([b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"]), set_keys,
          st.lists(set_keys, min_size=1, max_size=2)),
)
key_writes = st.one_of(
    _line(st.sampled_from([b"DEL", b"UNLINK"]), st.lists(any_keys, min_size=1, max_size=3)),
    _line(st.sampled_from([b"RENAME", b"RENAMENX"]), any_keys, any_keys),
    _line(b"COPY", any_keys, any_keys, st.sampled_from([[], [b"REPLACE"], [b"DB", b"1"]])),
    # Absolute deadlines, far in the future or in the past: a relative one would compare (GT, LT)
    # with a deadline set a few milliseconds before, and each server's clock reads its own time.
    _line(b"EXPIREAT", any_keys, st.sampled_from([b"4000000000", b"4000000001", b"1"]),
          st.sampled_from([[], [b"NX"], [b"XX"], [b"GT"], [b"LT"]])),
    _line(st.sampled_from([b"PERSIST", b"SCARD"]), any_keys),
    # (one branch for all four: emptying the store often would leave little to count)
    st.sampled_from([[b"FLUSHDB"], [b"FLUSHALL"], [b"SELECT", b"0"], [b"SELECT", b"1"]]),
)
# Sets first and twice (hypothesis draws the first branches more often): their counts depend on
# what the sets hold, so the sets must fill up.
writes = st.one_of(set_writes, string_writes, set_writes, key_writes)
# What each sequence starts from, on both: a few sets and strings, some with a TTL.
PRELUDE = [[b"SADD", b"s", b"a", b"b", b"1"], [b"SADD", b"t", b"b", b"c", b"2"],
           [b"SADD", b"c", b"1", b"2"], [b"SET", b"a", b"1", b"EX", b"100"], [b"SET", b"b", b"v"]]


def _popped(reply: bytes) -> list[bytes]:
    """The members an SPOP answered (none for nil, an empty array or an error)."""
    value = parse_resp(reply)
    if isinstance(value, bytes):
        return [value]
    return value if isinstance(value, list) else []


@pytest.mark.redis
def test_random_writes_count_as_in_redis(redis):
    """Random sequences of writes on both: after each command, the same number of changes.

    The replies must be equal too (they show that both stores are still alike), except SPOP's,
    which pops different members: Kedis's set is then made Redis's again, uncounted.
    """
    wanted = os.environ.get("KEDIS_DIFFERENTIAL_EXAMPLES")

    @settings(max_examples=int(wanted) if wanted else 200, deadline=None,
              derandomize=not wanted, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(writes, min_size=10, max_size=40))
    def run(sequence):
        db = kedis.Kedis()
        redis.call("SELECT", "0")
        redis.call("FLUSHALL")
        for argv in PRELUDE:
            db.execute(*argv)
            redis.call(*argv)
        for argv in sequence:
            mine_before = kedis_changes(db)
            theirs_before = changes_since_save(redis.call("INFO", "persistence"))
            mine, theirs = db.execute(*argv).resp(), redis.call(*argv)
            mine_changes = kedis_changes(db) - mine_before
            their_changes = changes_since_save(redis.call("INFO", "persistence")) - theirs_before
            assert mine_changes == their_changes, (argv, mine_changes, their_changes)
            mine_popped, their_popped = _popped(mine), _popped(theirs)
            if argv[0] == b"SPOP" and sorted(mine_popped) != sorted(their_popped):
                assert len(mine_popped) == len(their_popped), (argv, mine, theirs)
                changes = db.stats.dirty
                db.execute(b"SADD", argv[1], *mine_popped)
                db.execute(b"SREM", argv[1], *their_popped)
                db.stats.dirty = changes
            elif argv[0] != b"SPOP":
                assert mine == theirs, (argv, mine, theirs)

    run()
