"""What the server counts about its commands: INFO commandstats and errorstats, SLOWLOG, and
each key's access time and frequency (OBJECT IDLETIME, OBJECT FREQ), compared with redis-server.

Durations differ from one server to the other, so the counts are compared exactly and the times
only for their shape.
"""

from __future__ import annotations

import pytest
from compare import info_fields, parse_resp, same

import kedis

SCRIPT = [
    ["SET", "a", "1"], ["GET", "a"], ["GET", "nosuch"], ["GET"], ["GET", "a", "b"],
    ["INCR", "a"], ["SET", "s", "x"], ["INCR", "s"], ["NOSUCH", "x"],
    ["CONFIG", "NOSUCH"], ["CONFIG", "GET", "hz"], ["CONFIG", "SET", "hz", "abc"],
    ["MULTI"], ["INCR", "a"], ["INCR", "s"], ["EXEC"], ["MULTI"], ["GET"], ["EXEC"],
    ["EXEC"], ["SADD", "s", "m"], ["OBJECT", "ENCODING", "a"], ["EXPIRE", "a", "100", "xx", "nx"],
]


def _counts(text: str) -> dict[str, tuple[str, ...]]:
    """commandstats' fields, without the times (calls, rejected_calls, failed_calls)."""
    counts = {}
    for name, value in info_fields(text).items():
        fields = dict(part.split("=") for part in value.split(","))
        counts[name] = (fields["calls"], fields["rejected_calls"], fields["failed_calls"])
    return counts


@pytest.mark.redis
def test_commandstats_count_calls_rejections_and_failures_as_redis(db, redis):
    for argv in [["CONFIG", "RESETSTAT"], *SCRIPT]:
        same(db, redis, *argv)
    mine = db.execute("INFO", "commandstats").value
    theirs = parse_resp(redis.call("INFO", "commandstats")).decode()
    assert _counts(mine) == _counts(theirs)
    errors = db.execute("INFO", "errorstats").value
    assert info_fields(errors) == info_fields(parse_resp(redis.call("INFO", "errorstats")))


def test_commandstats_lines_have_redis_s_shape(db):
    db.run("SET a 1")
    db.run("GET a")
    line = info_fields(db.run("INFO commandstats").value)["cmdstat_get"]
    calls, usec, per_call, rejected, failed = (part.split("=") for part in line.split(","))
    assert (calls, rejected, failed) == (["calls", "1"], ["rejected_calls", "0"],
                                         ["failed_calls", "0"])
    assert usec[0] == "usec" and int(usec[1]) >= 0
    assert per_call[0] == "usec_per_call" and per_call[1] == f"{int(usec[1]):.2f}"


def test_resetstat_starts_the_counts_again_and_counts_itself(db):
    db.run("SET a 1")
    db.run("CONFIG RESETSTAT")
    counts = _counts(db.run("INFO commandstats").value)
    assert counts == {"cmdstat_config|resetstat": ("1", "0", "0")}
    assert info_fields(db.run("INFO stats").value)["total_commands_processed"] == "2"


def test_info_default_leaves_commandstats_out(db):
    db.run("SET a 1")
    assert "cmdstat_set" not in db.run("INFO").value
    assert "cmdstat_set" in db.run("INFO all").value
    assert "cmdstat_set" in db.run("INFO everything").value
    assert "cmdstat_set" in db.run("INFO commandstats keyspace").value


def test_each_engine_counts_its_own_commands():
    first, second = kedis.Kedis(), kedis.Kedis()
    first.run("SET a 1")
    assert "cmdstat_set" not in second.run("INFO commandstats").value


# --- SLOWLOG -----------------------------------------------------------------------------------
def _entries(reply) -> list:
    """SLOWLOG GET's entries without what differs by server: id, time, duration."""
    return [entry[3:] for entry in reply]


@pytest.mark.redis
def test_slowlog_keeps_the_commands_as_redis_does(db, redis):
    commands = [["CONFIG", "SET", "slowlog-log-slower-than", "0"], ["SLOWLOG", "RESET"],
                ["SET", "k", "v"], ["CLIENT", "SETNAME", "ada"], ["GET", "k"],
                ["SET", "big", "x" * 200], ["MSET", *[f"k{i}" for i in range(40)]],
                ["CONFIG", "SET", "requirepass", ""], ["MULTI"], ["GET", "k"], ["EXEC"],
                ["SLOWLOG", "LEN"]]
    for argv in commands:
        same(db, redis, *argv)
    mine = db.execute("SLOWLOG", "GET", "-1").value
    theirs = parse_resp(redis.call("SLOWLOG", "GET", "-1"))
    for entry in mine:
        entry[4] = b""  # the client's address: the embedded engine has none
    for entry in theirs:
        entry[4] = b""
    assert _entries(mine) == _entries(theirs)
    assert [entry[0] for entry in mine] == sorted((entry[0] for entry in mine), reverse=True)
    for argv in (["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "abc"], ["SLOWLOG", "GET", "1", "2"],
                 ["SLOWLOG", "LEN", "x"], ["SLOWLOG", "NOSUCH"], ["SLOWLOG", "RESET"],
                 ["SLOWLOG", "LEN"], ["CONFIG", "SET", "slowlog-log-slower-than", "10000"]):
        same(db, redis, *argv)


def test_slowlog_threshold_and_length(db):
    db.run("CONFIG SET slowlog-log-slower-than 0")
    db.run("CONFIG SET slowlog-max-len 3")
    for i in range(10):
        db.execute("SET", f"k{i}", "v")
    assert db.run("SLOWLOG LEN").value == 3
    # The newest three: SLOWLOG LEN itself, then the last two SETs.
    assert [entry[3][:2] for entry in db.run("SLOWLOG GET").value] == [
        [b"SLOWLOG", b"LEN"], [b"SET", b"k9"], [b"SET", b"k8"]]
    newest = db.run("SLOWLOG GET 1").value[0]
    assert newest[3] == [b"SLOWLOG", b"GET"]  # (the GET before it was logged too)
    db.run("CONFIG SET slowlog-log-slower-than -1")
    db.run("SLOWLOG RESET")
    db.run("SET a b")
    assert db.run("SLOWLOG LEN").value == 0


def test_slowlog_uses_the_engine_s_clock(db, clock):
    db.run("CONFIG SET slowlog-log-slower-than 0")
    clock.advance(100)
    db.run("GET a")
    assert db.run("SLOWLOG GET 1").value[0][1] == int(clock.time())


# --- OBJECT IDLETIME and FREQ ------------------------------------------------------------------
def test_idletime_grows_with_the_clock_and_a_use_resets_it(db, clock):
    db.run("SET k v")
    clock.advance(30)
    assert db.run("OBJECT IDLETIME k").value == 30
    for looking in ("TYPE k", "EXISTS k", "TTL k", "PTTL k", "OBJECT ENCODING k", "SCAN 0 TYPE string",
                    "KEYS *", "DBSIZE"):
        db.run(looking)
    assert db.run("OBJECT IDLETIME k").value == 30  # looking is not using
    db.run("TOUCH k")
    assert db.run("OBJECT IDLETIME k").value == 0
    clock.advance(5)
    db.run("GET k")
    assert db.run("OBJECT IDLETIME k").value == 0
    clock.advance(5)
    db.run("EXPIRE k 100")  # a write's lookup uses the key too
    assert db.run("OBJECT IDLETIME k").value == 0


def test_idletime_of_a_new_value_is_zero_and_rename_keeps_using(db, clock):
    db.run("SET k v")
    clock.advance(10)
    db.run("SET k w")
    assert db.run("OBJECT IDLETIME k").value == 0
    clock.advance(10)
    db.run("RENAME k j")
    assert db.run("OBJECT IDLETIME j").value == 0


@pytest.mark.redis
def test_idletime_freq_and_their_errors_as_redis(db, redis):
    for argv in (["SET", "k", "v"], ["OBJECT", "IDLETIME", "k"], ["OBJECT", "IDLETIME", "nosuch"],
                 ["OBJECT", "FREQ", "k"], ["OBJECT", "FREQ", "nosuch"],
                 ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
                 ["OBJECT", "IDLETIME", "k"], ["SET", "n", "v"], ["OBJECT", "FREQ", "n"],
                 ["GET", "n"], ["OBJECT", "FREQ", "n"],  # the first use always counts: 5 -> 6
                 ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"],
                 ["CONFIG", "GET", "maxmemory-policy"],
                 ["CONFIG", "SET", "maxmemory-policy", "nosuch"],
                 ["CONFIG", "SET", "maxmemory-policy", "noeviction"], ["OBJECT", "HELP", "x"]):
        same(db, redis, *argv)


def test_lfu_counter_grows_logarithmically_and_decays(db, clock):
    db.run("CONFIG SET maxmemory-policy allkeys-lfu")
    db.run("SET k v")
    assert db.run("OBJECT FREQ k").value == 5
    for _ in range(2000):
        db.run("GET k")
    grown = db.run("OBJECT FREQ k").value
    assert 10 < grown < 60  # about log(2000) steps of a factor of 10, far from 2000
    db.run("CONFIG SET lfu-decay-time 2")
    clock.advance(20 * 60)
    assert db.run("OBJECT FREQ k").value == grown - 10  # one per 2 minutes without use


# --- the parameters -----------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("name, values", [
    ("slowlog-log-slower-than", ["-1", "0", "5000", "-2", "abc", "10000"]),
    ("slowlog-max-len", ["0", "1000", "-1", "128"]),
    ("maxmemory-samples", ["1", "0", "64", "5"]),
    ("maxmemory-eviction-tenacity", ["0", "100", "101", "10"]),
    ("lfu-log-factor", ["0", "-1", "100", "10"]),
    ("lfu-decay-time", ["0", "x", "1"]),
    ("set-max-intset-entries", ["0", "-1", "1000", "512"]),
    ("notify-keyspace-events", ["KEA", "gx", "Q", "$lshzxeKEtmdn", "AKE", ""]),
])
def test_new_parameters_read_and_refuse_as_redis(db, redis, name, values):
    for value in values:
        same(db, redis, "CONFIG", "SET", name, value)
        same(db, redis, "CONFIG", "GET", name)


@pytest.mark.redis
def test_set_max_intset_entries_decides_the_encoding_as_redis(db, redis):
    for argv in (["CONFIG", "SET", "set-max-intset-entries", "3"], ["SADD", "s", "1", "2", "3"],
                 ["OBJECT", "ENCODING", "s"], ["SADD", "s", "4"], ["OBJECT", "ENCODING", "s"],
                 ["SCARD", "s"],
                 ["SADD", "t", "5", "1", "3", "2"], ["OBJECT", "ENCODING", "t"],
                 ["SUNIONSTORE", "u", "s"], ["OBJECT", "ENCODING", "u"],
                 ["CONFIG", "SET", "set-max-intset-entries", "512"], ["SADD", "v", "1"],
                 ["OBJECT", "ENCODING", "v"]):
        same(db, redis, *argv)


def test_maxmemory_stays_zero_and_says_why(db):
    assert db.run("CONFIG SET maxmemory 0").value == "OK"
    error = db.run("CONFIG SET maxmemory 100mb").value
    assert error.startswith("ERR CONFIG SET failed (possibly related to argument 'maxmemory')")
    assert "maxmemory can only be 0" in error
    assert db.run("CONFIG GET maxmemory").value == [b"maxmemory", b"0"]
