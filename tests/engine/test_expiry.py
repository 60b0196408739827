"""Expiry: TTL commands (kedis/commands/expire.py) and lazy expiry on access (keyspace.py), one
behaviour per test. The active cycles (kedis/engine/expiry.py) have their own file, test_active_expiry.py.

Time is the fake clock of the ``db`` fixture, 1_700_000_000.0 at the start; tests move it with
``clock.advance`` and never sleep. Tests that also ask Redis use absolute deadlines (EXPIREAT,
PXAT) or deadlines already past (``PXAT 1``), which read the same on both clocks.
"""

from __future__ import annotations

import pytest
from compare import NIL, info_fields, integer, parse_resp, same

import kedis

NOW_MS = 1_700_000_000_000  # the fake clock's start, in ms


def stats(db: kedis.Kedis) -> dict[str, str]:
    return info_fields(db.run("INFO stats").value)


def stat(db: kedis.Kedis, name: str) -> int:
    return int(stats(db)[name])


def keys_with_ttl(db: kedis.Kedis, count: int, seconds: int, prefix: str = "k") -> None:
    for i in range(count):
        db.execute("SET", f"{prefix}{i}", "v", "EX", seconds)


# --- TTL, PTTL, EXPIRETIME, PEXPIRETIME -------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command", ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"])
def test_ttl_of_a_missing_key_is_minus_2(db, redis, command):
    assert same(db, redis, command, "missing") == integer(-2)


@pytest.mark.redis
@pytest.mark.parametrize("command", ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"])
def test_ttl_of_a_key_without_deadline_is_minus_1(db, redis, command):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, command, "k") == integer(-1)


@pytest.mark.redis
@pytest.mark.parametrize("command", ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"])
def test_ttl_of_an_expired_key_is_minus_2(db, redis, command):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, command, "k") == integer(-2)


@pytest.mark.parametrize("ttl_ms, elapsed, expected", [
    (10_000, 0, 10),
    (1500, 0, 2),       # 1.5 s rounds up
    (1499, 0, 1),       # 1.499 s rounds down
    (10_000, 0.4, 10),  # 9.6 s left
    (10_000, 0.6, 9),   # 9.4 s left
    (10_000, 9.6, 0),   # 0.4 s left
    (10_000, 10, 0),    # the deadline itself: not expired yet
])
def test_ttl_rounds_the_time_left_to_the_nearest_second(db, clock, ttl_ms, elapsed, expected):
    db.execute("SET", "k", "v", "PX", ttl_ms)
    clock.advance(elapsed)
    assert db.run("TTL k").value == expected


def test_pttl_counts_down_with_the_clock(db, clock):
    db.run("SET k v PX 5000")
    clock.advance(1.234)
    assert db.run("PTTL k").value == 3766


def test_expiretime_answers_the_absolute_deadline(db, clock):
    db.run("SET k v EX 100")
    clock.advance(50)  # the deadline does not move with the clock
    assert db.run("EXPIRETIME k").value == 1_700_000_100
    assert db.run("PEXPIRETIME k").value == 1_700_000_100_000


@pytest.mark.redis
@pytest.mark.parametrize("deadline_ms, seconds", [
    ("4000000000500", 4_000_000_001), ("4000000000499", 4_000_000_000)])
def test_expiretime_rounds_the_deadline_to_the_nearest_second(db, redis, deadline_ms, seconds):
    same(db, redis, "SET", "k", "v")
    same(db, redis, "PEXPIREAT", "k", deadline_ms)
    assert same(db, redis, "EXPIRETIME", "k") == integer(seconds)


# --- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST --------------------------------------------
@pytest.mark.parametrize("command, deadline_ms", [
    ("EXPIRE k 100", NOW_MS + 100_000),
    ("PEXPIRE k 1500", NOW_MS + 1500),
    ("EXPIREAT k 1700000300", 1_700_000_300_000),
    ("PEXPIREAT k 1700000000777", 1_700_000_000_777),
])
def test_expire_commands_set_the_deadline(db, command, deadline_ms):
    db.run("SET k v")
    assert db.run(command).value == 1
    assert db.run("PEXPIRETIME k").value == deadline_ms


@pytest.mark.redis
@pytest.mark.parametrize("command", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_of_a_missing_key_answers_0(db, redis, command):
    assert same(db, redis, command, "missing", "4000000000000") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("command", [["EXPIRE", "k", "-1"], ["PEXPIRE", "k", "0"],
                                     ["EXPIREAT", "k", "1"], ["PEXPIREAT", "k", "0"]],
                         ids=" ".join)
def test_expire_in_the_past_deletes_the_key_at_once(db, redis, command):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, *command) == integer(1)
    assert same(db, redis, "DBSIZE") == integer(0)


@pytest.mark.redis
def test_expire_in_the_past_is_a_deletion_not_an_expiration(db, redis):
    same(db, redis, "SET", "k", "v")
    same(db, redis, "EXPIRE", "k", "-1")
    redis_stats = info_fields(parse_resp(redis.call("INFO", "stats")))
    assert stat(db, "expired_keys") == int(redis_stats["expired_keys"]) == 0


@pytest.mark.redis
def test_expire_replaces_an_earlier_deadline(db, redis):
    same(db, redis, "SET", "k", "v")
    same(db, redis, "EXPIREAT", "k", "4000000000")
    assert same(db, redis, "EXPIREAT", "k", "4500000000") == integer(1)
    assert same(db, redis, "EXPIRETIME", "k") == integer(4_500_000_000)


# The conditions of Redis 7: NX (no deadline yet), XX (has one), GT (later), LT (earlier);
# a key without a deadline counts as expiring infinitely late.
@pytest.mark.redis
@pytest.mark.parametrize("current, option, new, answer, deadline", [
    (None, "NX", 4_000_000_000, 1, 4_000_000_000),
    (4_500_000_000, "NX", 4_000_000_000, 0, 4_500_000_000),
    (None, "XX", 4_000_000_000, 0, -1),
    (4_500_000_000, "XX", 4_000_000_000, 1, 4_000_000_000),
    (4_500_000_000, "GT", 5_000_000_000, 1, 5_000_000_000),
    (4_500_000_000, "GT", 4_000_000_000, 0, 4_500_000_000),
    (4_500_000_000, "GT", 4_500_000_000, 0, 4_500_000_000),
    (None, "GT", 4_000_000_000, 0, -1),
    (4_500_000_000, "LT", 4_000_000_000, 1, 4_000_000_000),
    (4_500_000_000, "LT", 5_000_000_000, 0, 4_500_000_000),
    (4_500_000_000, "LT", 4_500_000_000, 0, 4_500_000_000),
    (None, "LT", 4_000_000_000, 1, 4_000_000_000),
    (4_500_000_000, "xx", 4_000_000_000, 1, 4_000_000_000),
])
def test_expire_conditions(db, redis, current, option, new, answer, deadline):
    same(db, redis, "SET", "k", "v")
    if current is not None:
        same(db, redis, "EXPIREAT", "k", current)
    assert same(db, redis, "EXPIREAT", "k", new, option) == integer(answer)
    assert same(db, redis, "EXPIRETIME", "k") == integer(deadline)


@pytest.mark.redis
def test_expire_gt_with_a_past_deadline_keeps_the_key(db, redis):
    same(db, redis, "SET", "k", "v", "EX", "100")
    assert same(db, redis, "EXPIRE", "k", "-1", "GT") == integer(0)
    assert same(db, redis, "EXISTS", "k") == integer(1)


@pytest.mark.redis
def test_expire_lt_with_a_past_deadline_deletes_the_key(db, redis):
    same(db, redis, "SET", "k", "v", "EX", "100")
    assert same(db, redis, "EXPIRE", "k", "-1", "LT") == integer(1)
    assert same(db, redis, "EXISTS", "k") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("options, error", [
    (["NX", "XX"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
    (["nx", "gt"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
    (["GT", "LT"], b"-ERR GT and LT options at the same time are not compatible\r\n"),
    (["FOO"], b"-ERR Unsupported option FOO\r\n"),
    ([b"a\x00b"], b"-ERR Unsupported option a\r\n"),
], ids=lambda v: repr(v) if isinstance(v, list) else "")
def test_expire_option_errors(db, redis, options, error):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "EXPIRE", "k", "10", *options) == error


@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["EXPIRE", "k", "9223372036854775"],    # seconds * 1000 overflows 64 bits
    ["EXPIRE", "k", "-9223372036854776"],
    ["PEXPIRE", "k", "9223372036854775807"],  # now + milliseconds overflows
], ids=" ".join)
def test_expire_times_that_overflow_are_invalid(db, redis, command):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, *command) == (
        b"-ERR invalid expire time in '%s' command\r\n" % command[0].lower().encode())


@pytest.mark.redis
def test_expire_time_that_is_not_a_number_is_not_an_integer(db, redis):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "EXPIRE", "k", "soon") == (
        b"-ERR value is not an integer or out of range\r\n")


@pytest.mark.redis
def test_pexpireat_accepts_the_largest_deadline(db, redis):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "PEXPIREAT", "k", "9223372036854775807") == integer(1)
    assert same(db, redis, "PEXPIRETIME", "k") == integer(9_223_372_036_854_775_807)


@pytest.mark.redis
def test_persist_removes_the_deadline(db, redis):
    same(db, redis, "SET", "k", "v", "EX", "100")
    assert same(db, redis, "PERSIST", "k") == integer(1)
    assert same(db, redis, "TTL", "k") == integer(-1)


@pytest.mark.redis
@pytest.mark.parametrize("setup", [["SET", "k", "v"], None], ids=["no deadline", "missing"])
def test_persist_answers_0_when_there_is_no_deadline_to_remove(db, redis, setup):
    if setup:
        same(db, redis, *setup)
    assert same(db, redis, "PERSIST", "k") == integer(0)


# --- when a key expires -----------------------------------------------------------------------
def test_a_key_lives_until_its_deadline_and_is_gone_one_millisecond_later(db, clock):
    db.run("SET k v PX 1000")
    clock.advance(1.0)
    assert db.run("GET k").value == b"v"
    clock.advance(0.001)
    assert db.run("GET k").value is None


def test_an_expired_key_is_gone_for_every_reading_command(db, clock):
    db.run("SET k v EX 1")
    clock.advance(2)
    assert [db.run(f"{command} k").value for command in ("GET", "EXISTS", "STRLEN", "TYPE")] == [
        None, 0, 0, "none"]


@pytest.mark.redis
def test_a_write_on_an_expired_key_starts_from_nothing(db, redis):
    same(db, redis, "SET", "n", "41", "PXAT", "1")
    assert same(db, redis, "INCR", "n") == integer(1)
    assert same(db, redis, "TTL", "n") == integer(-1)


@pytest.mark.redis
@pytest.mark.parametrize("command, reply", [
    (["SET", "k", "w", "NX"], b"+OK\r\n"),
    (["SET", "k", "w", "XX"], NIL),
    (["SET", "k", "w", "GET"], NIL),
    (["SETNX", "k", "w"], integer(1)),
    (["MSETNX", "k", "w"], integer(1)),
    (["GETDEL", "k"], NIL),
    (["GETEX", "k", "PERSIST"], NIL),
    (["APPEND", "k", "w"], integer(1)),
    (["EXPIRE", "k", "100"], integer(0)),
    (["PERSIST", "k"], integer(0)),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_commands_treat_an_expired_key_as_missing(db, redis, command, reply):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, *command) == reply


# --- lazy expiry ------------------------------------------------------------------------------
def test_lazy_expiry_deletes_the_key_when_it_is_accessed(db, clock):
    db.run("SET k v EX 10")
    clock.advance(11)
    assert db.keyspace.data.get(b"k") == b"v"  # still stored: nobody looked yet
    db.run("GET k")
    assert b"k" not in db.keyspace.data


def test_lazy_expiry_is_counted_in_info_stats(db, clock):
    db.run("SET k v EX 10")
    clock.advance(11)
    db.run("GET k")
    fields = stats(db)
    assert (fields["expired_keys"], fields["expired_keys_lazy"],
            fields["expired_keys_active"]) == ("1", "1", "0")


@pytest.mark.redis
def test_dbsize_counts_an_expired_key_nobody_touched(db, redis):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, "DBSIZE") == integer(1)
    same(db, redis, "GET", "k")
    assert same(db, redis, "DBSIZE") == integer(0)


def test_keys_hides_an_expired_key_without_deleting_it(db, clock):
    db.run("SET k v EX 10")
    db.run("SET other v")
    clock.advance(11)
    assert db.run("KEYS *").value == [b"other"]
    assert db.run("DBSIZE").value == 2
    assert stat(db, "expired_keys") == 0


def test_info_keyspace_counts_an_expired_key_until_it_is_removed(db, clock):
    db.run("SET k v EX 10")
    clock.advance(11)
    assert "db0:keys=1,expires=1" in db.run("INFO keyspace").value


def test_expire_listeners_hear_lazy_expiry(db, clock):
    heard = []
    db.hooks.on_expire.append(lambda database, key, how: heard.append((database.id, key, how)))
    db.run("SET k v EX 10")
    clock.advance(11)
    db.run("GET k")
    assert heard == [(0, b"k", "lazy")]


# --- keyspace hits and misses -----------------------------------------------------------------
@pytest.mark.redis
def test_reads_count_keyspace_hits_and_misses_like_redis(db, redis):
    commands = [["SET", "a", "1"], ["GET", "a"], ["GET", "missing"], ["MGET", "a", "missing", "a"],
                ["EXISTS", "a", "missing"], ["TTL", "a"], ["TTL", "missing"], ["STRLEN", "a"],
                ["TYPE", "missing"], ["GETRANGE", "a", "0", "1"], ["INCR", "a"],
                ["APPEND", "a", "x"], ["SET", "a", "1", "GET"], ["GETSET", "a", "2"],
                ["SET", "gone", "v", "PXAT", "1"], ["GET", "gone"],
                ["SCAN", "0", "TYPE", "string"]]
    for command in commands:
        same(db, redis, *command)
    redis_stats = info_fields(parse_resp(redis.call("INFO", "stats")))
    for name in ("keyspace_hits", "keyspace_misses", "expired_keys"):
        assert stats(db)[name] == redis_stats[name], name


def test_a_read_that_finds_its_key_is_a_hit(db):
    db.run("SET k v")
    db.run("GET k")
    assert (stat(db, "keyspace_hits"), stat(db, "keyspace_misses")) == (1, 0)


def test_a_read_that_does_not_find_its_key_is_a_miss(db):
    db.run("GET missing")
    assert (stat(db, "keyspace_hits"), stat(db, "keyspace_misses")) == (0, 1)


def test_a_read_of_an_expired_key_is_a_miss(db, clock):
    db.run("SET k v EX 1")
    clock.advance(2)
    db.run("GET k")
    assert (stat(db, "keyspace_hits"), stat(db, "keyspace_misses")) == (0, 1)


def test_writes_count_neither_hits_nor_misses(db):
    db.run("SET k v")
    db.run("INCR n")
    db.run("APPEND k w")
    assert (stat(db, "keyspace_hits"), stat(db, "keyspace_misses")) == (0, 0)


def test_config_resetstat_zeroes_hits_misses_and_expirations(db, clock):
    db.run("SET k v EX 1")
    db.run("GET k")
    db.run("GET missing")
    clock.advance(2)
    db.run("GET k")
    db.run("CONFIG RESETSTAT")
    fields = stats(db)
    assert [fields[name] for name in ("keyspace_hits", "keyspace_misses", "expired_keys",
                                      "expired_keys_lazy")] == ["0", "0", "0", "0"]


# --- the clock -------------------------------------------------------------------------------
def test_swapping_the_clock_moves_every_database_to_it(db):
    db.run("SET a v EX 10")
    db.run("SELECT 3")
    db.run("SET b v EX 10")
    later = kedis.FakeClock(1_700_000_000.0 + 11)
    db.clock = later
    assert db.run("EXISTS b").value == 0
    db.run("SELECT 0")
    assert db.run("EXISTS a").value == 0
    assert db.run("TIME").value[0] == b"1700000011"
