"""DUMP and RESTORE (kedis/commands/dump.py), the payload (kedis/persistence/rdb.py) and LZF (kedis/util/lzf.py).

Against the real redis-server: DUMP's very bytes for strings and intsets; for the rest (a set in
a hash table, whose members come in another order), Kedis's payload RESTOREd into Redis and
Redis's into Kedis; every error, the changes counted, the keyspace notifications, WATCH, the AOF.
Damaged payloads (random bytes, cuts, bit flips behind a recomputed checksum) must be refused
quickly, as Redis refuses them, and never crash or allocate what a length in them announces.
"""

from __future__ import annotations

import random
import time

import pytest
from compare import NIL, OK, changes_since_save, parse_resp, same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis_oracle import RedisServer

import kedis
from kedis.engine.evict import idle_ms, lfu_decayed, lru_clock
from kedis.persistence import rdb
from kedis.persistence.crc64 import crc64
from kedis.util import lzf

BAD_PAYLOAD = b"-ERR DUMP payload version or checksum are wrong\r\n"
BAD_FORMAT = b"-ERR Bad data format\r\n"
BUSYKEY = b"-BUSYKEY Target key name already exists.\r\n"
LLONG_MAX = 2 ** 63 - 1


def with_footer(body: bytes, version: int = 10) -> bytes:
    """A payload around ``body``: the version and a checksum that matches."""
    body += version.to_bytes(2, "little")
    return body + crc64(body).to_bytes(8, "little")


def dump(engine, key) -> bytes | None:
    return engine.execute("DUMP", key).value


def redis_dump(redis, key) -> bytes | None:
    return parse_resp(redis.call("DUMP", key))


@pytest.fixture
def redis_config(redis):
    """CONFIG SET on the shared redis-server, put back as it was after the test."""
    changed = {}

    def set_(name: str, value: str) -> None:
        if name not in changed:
            changed[name] = parse_resp(redis.call("CONFIG", "GET", name))[1]
        assert redis.call("CONFIG", "SET", name, value) == OK

    yield set_
    for name, value in changed.items():
        redis.call("CONFIG", "SET", name, value)


# --- DUMP answers Redis's bytes --------------------------------------------------------------------
STRINGS = [
    # integers of each width, and texts that only look like one
    b"0", b"127", b"-128", b"128", b"-129", b"32767", b"-32768", b"32768", b"-32769",
    b"2147483647", b"-2147483648", b"2147483648", b"-2147483649", b"12345678901",
    b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808", b"007", b"+1",
    b"-0", b" 1", b"1.5", b"",
    # short, binary, and around the 20 bytes below which LZF is not tried
    b"hello", b"\x00\xff\r\n\x80", b"a" * 20, b"a" * 21, b"ab" * 11, b"0123456789" * 2 + b"x",
    # long compressible, long incompressible (random), around the length encodings' limits
    b"abc" * 40, b"The quick brown fox jumps over the lazy dog. " * 30,
    random.Random(1).randbytes(100), random.Random(2).randbytes(5000),
    random.Random(3).randbytes(63), random.Random(4).randbytes(64),
    random.Random(5).randbytes(16383), random.Random(6).randbytes(16384),
    b"".join(b"%d," % n for n in range(20000))[:60000],
]


@pytest.mark.redis
@pytest.mark.parametrize("value", STRINGS, ids=lambda v: f"{len(v)}:{v[:12]!r}")
def test_dump_of_a_string_is_redis_s_byte_for_byte(db, redis, value):
    same(db, redis, "SET", "k", value)
    assert same(db, redis, "DUMP", "k").startswith(b"$")


@pytest.mark.redis
def test_dump_of_random_strings_is_redis_s_byte_for_byte(db, redis):
    """Strings made to have repeats at every distance and length: literal runs, back references,
    near misses of the 4 bytes LZF must save, and the end of the input."""

    @settings(max_examples=300, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(st.binary(min_size=1, max_size=40), st.tuples(
        st.integers(1, 300), st.integers(3, 300))), min_size=1, max_size=30))
    def check(pieces):
        value = bytearray()
        for piece in pieces:
            if isinstance(piece, bytes):
                value += piece
            elif value:  # a copy of earlier bytes, from some distance back
                start = max(0, len(value) - piece[0])
                value += (value[start:] * piece[1])[:piece[1]]
        value = bytes(value)
        assert db.execute("SET", "k", value).resp() == redis.call("SET", "k", value)
        assert dump(db, "k") == redis_dump(redis, "k"), value

    check()


@pytest.mark.redis
def test_with_rdbcompression_no_strings_are_written_as_they_are(db, redis, redis_config):
    redis_config("rdbcompression", "no")
    same(db, redis, "CONFIG", "SET", "rdbcompression", "no")
    same(db, redis, "SET", "k", "abc" * 40)
    assert same(db, redis, "DUMP", "k")[:8] == b"$133\r\n\x00\x40"  # type 0, length 120


@pytest.mark.redis
def test_strings_beyond_the_lzf_budget_are_written_uncompressed_and_redis_reads_them(db, redis):
    # Hex digits: LZF finds short matches all the way (about 120,000 steps for 300 KB).
    value = bytes(random.Random(1).choices(b"0123456789abcdef", k=300_000))
    db.execute("SET", "k", value)
    payload = dump(db, "k")
    assert payload[:6] == b"\x00\x80" + len(value).to_bytes(4, "big")  # raw: no LZF
    assert redis.call("RESTORE", "k", "0", payload) == OK
    assert redis_dump(redis, "k")[1] == 0xC3  # Redis compresses it, and Kedis reads that
    assert db.execute("RESTORE", "k2", "0", redis_dump(redis, "k")).resp() == OK
    assert db.execute("GET", "k2").value == value


@pytest.mark.redis
@pytest.mark.parametrize("offset", [70_000, 1_048_575])
def test_long_runs_of_repeats_cost_lzf_few_steps_and_dump_as_redis_does(db, redis, offset):
    # A bitmap of zeros (and an "x") longer than the budget in bytes: a few thousand matches.
    same(db, redis, "SETRANGE", "k", str(offset), "x")
    assert dump(db, "k") == redis_dump(redis, "k")


INTSETS = {
    "small integers, 2 bytes each": [["SADD", "s", "3", "1", "2", "-7"]],
    "4 bytes each": [["SADD", "s", "1", "70000"]],
    "8 bytes each": [["SADD", "s", "1", "-9223372036854775808", "9223372036854775807"]],
    "the width stays when the big member goes": [
        ["SADD", "s", "1", "2", "5000000000"], ["SREM", "s", "5000000000"]],
    "long enough for LZF, and compressed": [["SADD", "s", *range(50), "9223372036854775807"]],
    "long enough for LZF, not compressed": [["SADD", "s", *range(0, 300, 3)]],
    "512 members: still an intset": [["SADD", "s", *range(512)]],
    "built by the store commands": [
        ["SADD", "a", "1", "2", "100000"], ["SADD", "b", "2", "1", "3"],
        ["SINTERSTORE", "s", "a", "b"], ["SUNIONSTORE", "u", "a", "b"],
        ["SDIFFSTORE", "d", "b", "a"]],
    "SMOVE to a new key": [["SADD", "a", "1", "100000"], ["SMOVE", "a", "s", "100000"]],
    "COPY keeps the width": [["SADD", "a", "1", "100000"], ["SREM", "a", "100000"],
                             ["COPY", "a", "s"]],
}


@pytest.mark.redis
@pytest.mark.parametrize("name", INTSETS)
def test_dump_of_an_intset_is_redis_s_byte_for_byte(db, redis, name):
    for command in INTSETS[name]:
        same(db, redis, *command)
    for key in ("s", "u", "d"):
        same(db, redis, "DUMP", key)


@pytest.mark.redis
def test_an_intset_restored_keeps_its_width(db, redis):
    same(db, redis, "SADD", "s", "1", "2", "5000000000")
    same(db, redis, "SREM", "s", "5000000000")
    payload = redis_dump(redis, "s")  # 8 bytes wide, for 1 and 2
    same(db, redis, "RESTORE", "t", "0", payload)
    same(db, redis, "DUMP", "t")
    same(db, redis, "OBJECT", "ENCODING", "t")


@pytest.mark.redis
def test_a_restored_set_takes_the_encoding_the_loading_server_s_limit_gives(db, redis,
                                                                             redis_config):
    # The payload says intset (5 integers) or hash table (4 integers, once a string was in);
    # the server that loads it decides by its own set-max-intset-entries.
    same(db, redis, "SADD", "s", "1", "2", "3", "4", "5")
    same(db, redis, "SADD", "h", "1", "2", "3", "4", "x")
    same(db, redis, "SREM", "h", "x")
    payloads = {key: redis_dump(redis, key) for key in ("s", "h")}
    for limit in ("3", "512"):
        redis_config("set-max-intset-entries", limit)
        same(db, redis, "CONFIG", "SET", "set-max-intset-entries", limit)
        for key, payload in payloads.items():
            same(db, redis, "RESTORE", key + limit, "0", payload)
            same(db, redis, "OBJECT", "ENCODING", key + limit)


def test_a_file_s_sets_take_the_encoding_the_loading_engine_s_limit_gives(tmp_path):
    db = kedis.Kedis(config={"dir": str(tmp_path)})
    db.run("SADD s 1 2 3 4 5")
    db.run("SAVE")
    small = kedis.Kedis(config={"dir": str(tmp_path), "set-max-intset-entries": "3"})
    assert small.run("OBJECT ENCODING s").value == b"hashtable"
    assert kedis.Kedis(config={"dir": str(tmp_path)}).run("OBJECT ENCODING s").value == b"intset"


# --- what DUMP cannot match byte for byte goes through RESTORE both ways ---------------------------
def cross_restore(db, redis, key, target, *options) -> None:
    """Kedis's DUMP of ``key`` RESTOREd into Redis, Redis's into Kedis, under ``target``."""
    mine, theirs = dump(db, key), redis_dump(redis, key)
    assert db.execute("RESTORE", target, *options[:1], theirs, *options[1:]).resp() == \
        redis.call("RESTORE", target, *options[:1], mine, *options[1:])


def same_members(db, redis, key) -> list:
    mine = parse_resp(db.execute("SMEMBERS", key).resp())
    theirs = parse_resp(redis.call("SMEMBERS", key))
    assert sorted(mine) == sorted(theirs)
    return theirs


SETS = {
    "strings": ["a", "b", "hello", ""],
    "integers and strings": ["1", "2", "x", "-5"],
    "long members, compressed one by one": ["x" * 40, "y" * 100, "abc" * 30, "z"],
    "513 integers: a hash table": [str(n) for n in range(513)],
    "integers written another way": ["007", "+1", "-0", "1"],
}


@pytest.mark.redis
@pytest.mark.parametrize("name", SETS)
def test_a_hash_table_set_restored_across_is_the_same_set(db, redis, name):
    same(db, redis, "SADD", "s", *SETS[name])
    mine, theirs = dump(db, "s"), redis_dump(redis, "s")
    assert mine[0] == theirs[0] and len(mine) == len(theirs)  # the same encodings, another order
    cross_restore(db, redis, "s", "t", "0")
    assert sorted(same_members(db, redis, "t")) == sorted(same_members(db, redis, "s"))
    same(db, redis, "OBJECT", "ENCODING", "t")
    same(db, redis, "SCARD", "t")


@pytest.mark.redis
@pytest.mark.parametrize("value", [b"hello", b"12", b"x" * 50, b"9" * 30])
def test_a_restored_string_is_encoded_as_redis_encodes_it(db, redis, value):
    same(db, redis, "SET", "k", value)
    same(db, redis, "APPEND", "k", "")  # raw now; a restored copy is encoded afresh
    cross_restore(db, redis, "k", "t", "0")
    same(db, redis, "OBJECT", "ENCODING", "t")
    same(db, redis, "GET", "t")


@pytest.mark.redis
def test_the_ttl_comes_from_restore_relative_or_absolute(db, redis, clock):
    same(db, redis, "SET", "k", "v", "EX", "100")  # the TTL is not in the payload
    cross_restore(db, redis, "k", "plain", "0")
    same(db, redis, "PTTL", "plain")
    cross_restore(db, redis, "k", "rel", "5000000")
    mine, theirs = db.execute("PTTL", "rel").value, parse_resp(redis.call("PTTL", "rel"))
    assert mine == 5000000 and 4990000 < theirs <= 5000000  # Redis's clock went on meanwhile
    cross_restore(db, redis, "k", "abs", "32503680000123", "ABSTTL")
    same(db, redis, "PEXPIRETIME", "abs")
    # more than 32 bits of ms, which Redis's own test checks
    db.execute("RESTORE", "big", "2569591501", dump(db, "k"))
    assert db.execute("PTTL", "big").value == 2569591501


# --- RESTORE's answers, in Redis's order -----------------------------------------------------------
def string_payload(redis, value=b"bar") -> bytes:
    redis.call("SET", "payload-source", value)
    payload = redis_dump(redis, "payload-source")
    redis.call("DEL", "payload-source")
    return payload


@pytest.mark.redis
@pytest.mark.parametrize("options", [
    [], ["REPLACE"], ["replace"], ["ABSTTL"], ["REPLACE", "REPLACE", "ABSTTL", "absttl"],
    ["replace\x00x"], ["IDLETIME", "10"], ["idletime", "0"], ["FREQ", "0"], ["freq", "255"],
    ["IDLETIME", "1", "IDLETIME", "2"], ["FREQ", "1", "FREQ", "2"], ["IDLETIME", "9223372036854775807"],
    # errors
    ["IDLETIME"], ["FREQ"], ["IDLETIME", "1", "FREQ", "2"], ["FREQ", "1", "IDLETIME", "2"],
    ["IDLETIME", "-1"], ["FREQ", "256"], ["FREQ", "-1"], ["IDLETIME", "x"], ["FREQ", "1.5"],
    ["IDLETIME", "9223372036854775808"], ["bogus"], ["REPLACE", "bogus"], ["ABSTTL", "FREQ"],
    ["IDLETIME", "x", "bogus"], ["bogus", "IDLETIME", "x"],
])
def test_restore_options_are_read_as_redis_reads_them(db, redis, options):
    payload = string_payload(redis)
    same(db, redis, "RESTORE", "k", "0", payload, *options)
    same(db, redis, "GET", "k")


@pytest.mark.redis
@pytest.mark.parametrize(("ttl", "payload", "options"), [
    ("x", "<p>", []), ("-1", "<p>", []), ("1.5", "<p>", []), ("9223372036854775808", "<p>", []),
    ("0", "", []), ("0", "short", []), ("0", "123456789", []), ("0", "<p>[:-1]", []),
    ("0", "<p>+x", []), ("-1", "xx", []), ("-1", "xx", ["bogus"]), ("x", "xx", ["IDLETIME", "-1"]),
])
def test_restore_checks_come_in_redis_s_order(db, redis, ttl, payload, options):
    real = string_payload(redis)
    argument = {"<p>": real, "<p>[:-1]": real[:-1], "<p>+x": real + b"x"}.get(payload, payload)
    for key in ("missing", "k"):  # a free key, and one that exists (BUSYKEY comes first)
        same(db, redis, "SET", "k", "old")
        same(db, redis, "RESTORE", key, ttl, argument, *options)
        same(db, redis, "RESTORE", key, ttl, argument, "REPLACE", *options)
        same(db, redis, "GET", key)


@pytest.mark.redis
def test_restore_replaces_a_key_of_another_type_only_with_replace(db, redis):
    payload = string_payload(redis)
    same(db, redis, "SADD", "s", "1", "2")
    assert same(db, redis, "RESTORE", "s", "0", payload) == BUSYKEY
    assert same(db, redis, "RESTORE", "s", "0", payload, "REPLACE") == OK
    same(db, redis, "TYPE", "s")
    same(db, redis, "GET", "s")
    same(db, redis, "OBJECT", "ENCODING", "s")


@pytest.mark.redis
def test_a_ttl_already_past_restores_nothing_but_replace_still_deletes(db, redis):
    payload = string_payload(redis)
    assert same(db, redis, "RESTORE", "k", "1", payload, "ABSTTL") == OK
    same(db, redis, "EXISTS", "k")
    same(db, redis, "SET", "k", "old")
    assert same(db, redis, "RESTORE", "k", "1", payload, "ABSTTL") == BUSYKEY
    assert same(db, redis, "RESTORE", "k", "1", payload, "ABSTTL", "REPLACE") == OK
    assert same(db, redis, "EXISTS", "k") == b":0\r\n"
    # A relative TTL that runs past a long long wraps into the past, in Redis's addition.
    for ttl in ("9223372036854775807", "9223372036054775807"):
        assert same(db, redis, "RESTORE", "k", ttl, payload) == OK
        same(db, redis, "EXISTS", "k")
    assert same(db, redis, "RESTORE", "k", "9223372036854775807", payload, "ABSTTL") == OK
    same(db, redis, "PEXPIRETIME", "k")


@pytest.mark.redis
def test_an_expired_key_is_no_obstacle_to_restore(db, redis, clock):
    payload = string_payload(redis)
    db.execute("SET", "k", "old", "PX", "10")
    clock.advance(1)
    assert db.execute("RESTORE", "k", "0", payload).resp() == OK
    assert db.execute("GET", "k").value == b"bar"
    assert db.stats.expired_keys == 1


@pytest.mark.redis
def test_the_value_is_read_from_the_payload_s_start_whatever_follows(db, redis):
    # Redis reads the value without stopping at the footer: bytes between are ignored, and a
    # leading zero byte leaves a CRC-64 that starts from 0 unchanged (an empty string, then).
    real = string_payload(redis)
    same(db, redis, "RESTORE", "a", "0", b"\x00" + real)
    same(db, redis, "GET", "a")
    same(db, redis, "RESTORE", "b", "0", with_footer(b"\x00\x03barEXTRA"))
    same(db, redis, "GET", "b")
    # a string whose length reaches into the footer
    same(db, redis, "RESTORE", "c", "0", with_footer(b"\x00\x05bar"))
    same(db, redis, "GET", "c")


@pytest.mark.redis
@pytest.mark.parametrize(("name", "body", "version"), [
    ("a version from the future", b"\x00\x03bar", 11),
    ("an older version", b"\x00\x03bar", 9),
    ("version 0", b"\x00\x03bar", 0),
    ("no value at all", b"", 10),
    ("an unknown type", b"\x08\x03bar", 10),
    ("type 20 (Redis 7.2's set listpack)", b"\x14\x03bar", 10),
    ("a string cut short", b"\x00\x40\x10ab", 10),
    ("an unknown string encoding", b"\x00\xc4abc", 10),
    ("an unknown length encoding", b"\x00\x82abcd", 10),
    ("a set of no member", b"\x02\x00", 10),
    ("a set with a member twice", b"\x02\x02\x01a\x01a", 10),
    ("a set whose count is a string marker", b"\x02\xc1\x01a", 10),
    ("a set that announces more members than it has", b"\x02\x81" + b"\xff" * 8 + b"\x01a", 10),
    ("an intset with a bad width", b"\x0b\x0a" + b"\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00", 10),
    ("an intset of no integer", b"\x0b\x08" + b"\x02\x00\x00\x00\x00\x00\x00\x00", 10),
    ("an intset whose count is wrong", b"\x0b\x0c" + b"\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00"
                                                  b"\x02\x00", 10),
    ("an intset header cut short", b"\x0b\x04\x02\x00\x00\x00", 10),
    ("an LZF string that expands wrong", b"\x00\xc3\x02\x05\x00a", 10),
    ("an LZF string announcing 2**62 bytes", b"\x00\xc3\x02\x81" + (2 ** 62).to_bytes(8, "big")
     + b"\x00a", 10),
    ("an LZF string of 0 bytes, whatever its data", b"\x00\xc3\x02\x00\xe0\xff", 10),
    ("an LZF length as a string marker", b"\x00\xc3\xc2\xc1\x00a", 10),
    ("an LZF reference before the start", b"\x00\xc3\x02\x03\x20\x05", 10),
])
def test_damaged_payloads_are_refused_as_redis_refuses_them(db, redis, redis_config, name, body,
                                                           version):
    redis_config("sanitize-dump-payload", "yes")  # Redis's deep checks: Kedis always makes them
    payload = with_footer(body, version)
    same(db, redis, "RESTORE", "k", "0", payload)
    same(db, redis, "GET", "k")
    same(db, redis, "DEL", "k")


@pytest.mark.redis
def test_an_intset_out_of_order_is_refused_as_with_sanitize_dump_payload_yes(db, redis,
                                                                              redis_config):
    body = b"\x0b\x0c" + b"\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00"
    # Redis's default keeps it (a broken intset: SISMEMBER's binary search then fails)...
    assert redis.call("RESTORE", "k", "0", with_footer(body)) == OK
    redis.call("DEL", "k")
    # ... and refuses it when told to check: Kedis always checks.
    redis_config("sanitize-dump-payload", "yes")
    assert same(db, redis, "RESTORE", "k", "0", with_footer(body)) == BAD_FORMAT


@pytest.mark.redis
def test_a_type_kedis_does_not_have_is_bad_data_format_and_changes_nothing(db, redis):
    redis.call("HSET", "hash", "f", "v")
    redis.call("ZADD", "zset", "1", "m")
    for key in ("hash", "zset"):
        payload = redis_dump(redis, key)
        assert redis.call("RESTORE", key + "-copy", "0", payload) == OK  # Redis has them
        db.execute("SET", key, "old")
        assert db.execute("RESTORE", key, "0", payload, "REPLACE").resp() == BAD_FORMAT
        assert db.execute("GET", key).value == b"old"
    assert db.stats.dirty == 2  # the two SETs alone


@pytest.mark.redis
def test_dump_of_a_missing_or_expired_key_is_nil(db, redis, clock):
    assert same(db, redis, "DUMP", "missing") == NIL
    db.execute("SET", "k", "v", "PX", "5")
    clock.advance(1)
    assert db.execute("DUMP", "k").resp() == NIL
    assert db.stats.expired_keys == 1


# --- what a RESTORE changes: the count, the events, WATCH, the AOF ---------------------------------
def changes(engine_or_redis) -> int:
    if isinstance(engine_or_redis, kedis.Kedis):
        return changes_since_save(engine_or_redis.execute("INFO", "persistence").resp())
    return changes_since_save(engine_or_redis.call("INFO", "persistence"))


@pytest.mark.redis
def test_restore_counts_one_change_where_redis_counts_one(db, redis):
    payload = string_payload(redis)
    steps = [
        ["RESTORE", "k", "0", payload], ["RESTORE", "k", "0", payload],  # BUSYKEY: none
        ["RESTORE", "k", "100000", payload, "REPLACE"], ["RESTORE", "x", "0", b"junk"],
        ["RESTORE", "gone", "1", payload, "ABSTTL"],               # nothing made: none
        ["RESTORE", "k", "1", payload, "ABSTTL", "REPLACE"],       # deleted: one
        ["RESTORE", "k", "1", payload, "ABSTTL", "REPLACE"],       # nothing left to delete
        ["DUMP", "k"], ["RESTORE", "k", "0", payload, "IDLETIME", "5"]]
    for step in steps:
        before = changes(db), changes(redis)
        same(db, redis, *step)
        assert changes(db) - before[0] == changes(redis) - before[1], step


def _redis_events(redis_server, redis, commands) -> list:
    listener = redis_server.client()
    listener.call("PSUBSCRIBE", "__key*@*__:*")
    listener.call("SUBSCRIBE", "end")
    for command in commands:
        redis.call(*command)
    redis.call("PUBLISH", "end", "end")
    events = []
    while True:
        message = parse_resp(listener._read_reply())
        if message[0] == b"message":
            break
        events.append((message[2], message[3]))
    listener.close()
    return events


@pytest.mark.redis
def test_restore_sends_new_and_restore_or_del_as_redis(db, redis, redis_server, redis_config):
    payload = string_payload(redis)
    redis_config("notify-keyspace-events", "KEAn")
    db.execute("CONFIG", "SET", "notify-keyspace-events", "KEAn")
    same(db, redis, "SET", "old", "1")
    heard = []
    db.hooks.publish = lambda channel, message: heard.append((channel, message)) or 0
    commands = [["RESTORE", "k", "0", payload],
                ["RESTORE", "k", "0", payload, "REPLACE"], ["RESTORE", "k", "0", payload],
                ["RESTORE", "old", "1", payload, "ABSTTL", "REPLACE"],
                ["RESTORE", "gone", "1", payload, "ABSTTL"], ["RESTORE", "bad", "0", b"junk"],
                ["DUMP", "k"], ["DUMP", "missing"]]
    for command in commands:
        db.execute(*command)
    assert heard == _redis_events(redis_server, redis, commands)
    assert (b"__keyevent@0__:restore", b"k") in heard and (b"__keyevent@0__:del", b"old") in heard


@pytest.mark.redis
@pytest.mark.parametrize(("setup", "restore", "aborts"), [
    ([], ["RESTORE", "w", "0", "<p>"], True),
    ([["SET", "w", "1"]], ["RESTORE", "w", "0", "<p>", "REPLACE"], True),
    ([["SET", "w", "1"]], ["RESTORE", "w", "0", "<p>"], False),                 # BUSYKEY
    ([], ["RESTORE", "w", "1", "<p>", "ABSTTL"], False),                       # nothing made
    ([["SET", "w", "1"]], ["RESTORE", "w", "1", "<p>", "ABSTTL", "REPLACE"], True),  # deleted
    ([], ["RESTORE", "w", "0", "junk"], False),
])
def test_a_restore_makes_the_transactions_watching_its_key_fail(db, redis, redis_server, setup,
                                                              restore, aborts):
    payload = string_payload(redis)
    restore = [payload if arg == "<p>" else arg for arg in restore]
    watcher = db.new_client()
    theirs = redis_server.client()
    for command in setup:
        same(db, redis, *command)
    for command in (["WATCH", "w"], ["MULTI"], ["PING"]):
        assert db.execute(*command, client=watcher).resp() == theirs.call(*command)
    same(db, redis, *restore)
    mine, their_exec = db.execute("EXEC", client=watcher).resp(), theirs.call("EXEC")
    assert mine == their_exec
    assert (mine == b"*-1\r\n") == aborts
    theirs.close()


def test_the_aof_records_a_relative_ttl_as_its_deadline(tmp_path):
    clock = kedis.FakeClock(1_700_000_000.0)
    db = kedis.Kedis(clock=clock, config={"dir": str(tmp_path), "appendonly": "yes"})
    db.execute("SET", "src", "bar")
    payload = dump(db, "src")
    commands = [["RESTORE", "a", "0", payload], ["RESTORE", "b", "5000", payload, "IDLETIME", "3"],
                ["RESTORE", "c", "1800000000000", payload, "ABSTTL"],
                ["RESTORE", "src", "1", payload, "REPLACE", "ABSTTL"],
                ["RESTORE", "gone", "1", payload, "ABSTTL"], ["RESTORE", "a", "0", payload]]
    for command in commands:
        db.execute(*command)
    from kedis.persistence import aof

    folder = tmp_path / "appendonlydir"
    incr = [p.name for p in aof.read_manifest(str(folder / "appendonly.aof.manifest"))
            if p.type == "i"][-1]
    written = [argv for argv, _ in aof.parse_commands((folder / incr).read_bytes(), "incr")]
    assert written == [
        [b"SELECT", b"0"], [b"SET", b"src", b"bar"], [b"RESTORE", b"a", b"0", payload],
        [b"RESTORE", b"b", b"1700000005000", payload, b"IDLETIME", b"3", b"ABSTTL"],
        [b"RESTORE", b"c", b"1800000000000", payload, b"ABSTTL"], [b"DEL", b"src"]]
    db.shutdown()
    again = kedis.Kedis(clock=clock, config={"dir": str(tmp_path), "appendonly": "yes"})
    assert again.execute("PEXPIRETIME", "b").value == 1700000005000
    assert again.execute("GET", "c").value == b"bar" and again.execute("EXISTS", "src").value == 0


@pytest.mark.redis
def test_redis_writes_restore_to_its_aof_the_same_way(tmp_path):
    # (fsync always: with everysec, Redis may hold its writes back while a slow disk syncs)
    server = RedisServer(dir=str(tmp_path), options=["--appendonly", "yes",
                                                     "--appendfsync", "always"])
    try:
        client = server.client()
        client.call("SET", "src", "bar")
        payload = parse_resp(client.call("DUMP", "src"))
        before = int(time.time() * 1000)
        for command in (["RESTORE", "b", "5000", payload, "IDLETIME", "3"],
                        ["RESTORE", "src", "1", payload, "REPLACE", "ABSTTL"]):
            assert client.call(*command) == OK
        client.close()
        from kedis.persistence import aof

        folder = tmp_path / "appendonlydir"
        incr = [p.name for p in aof.read_manifest(str(folder / "appendonly.aof.manifest"))
                if p.type == "i"][-1]
        written = [argv for argv, _ in aof.parse_commands((folder / incr).read_bytes(), "incr")]
    finally:
        server.stop()
    restore, delete = written[-2:]
    assert restore[:2] == [b"RESTORE", b"b"] and restore[3:] == [payload, b"IDLETIME", b"3",
                                                                  b"ABSTTL"]
    assert before + 5000 <= int(restore[2]) <= before + 15000
    assert delete == [b"DEL", b"src"]


# --- IDLETIME and FREQ: the key's LRU or LFU field ---------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("idle", [0, 1000, 16777215, 100000000, 9223372036854775,
                                  9223372036854775807])
def test_idletime_sets_the_lru_field_as_redis_does(redis, redis_config, idle):
    redis_config("maxmemory-policy", "allkeys-lru")
    engine = kedis.Kedis()  # the real clock, as Redis's
    payload = string_payload(redis)
    assert redis.call("RESTORE", "k", "0", payload, "IDLETIME", idle) == OK
    theirs = parse_resp(redis.call("OBJECT", "IDLETIME", "k"))
    engine.refresh_lru_clock()
    assert engine.execute("RESTORE", "k", "0", payload, "IDLETIME", idle).resp() == OK
    keyspace = engine.keyspace
    mine = idle_ms(keyspace.lru_clock, keyspace.lru[b"k"]) // 1000
    assert abs(mine - theirs) <= 1  # the two clocks may be a second apart
    # FREQ counts only under an LFU policy: here the key keeps its fresh LRU stamp
    engine.execute("RESTORE", "f", "0", payload, "FREQ", "100")
    assert keyspace.lru[b"f"] == keyspace.lru_clock


@pytest.mark.redis
def test_freq_sets_the_lfu_counter_as_redis_does(db, redis, redis_config, clock):
    redis_config("maxmemory-policy", "allkeys-lfu")
    payload = string_payload(redis)
    assert redis.call("RESTORE", "k", "0", payload, "FREQ", "100") == OK
    assert redis.call("OBJECT", "FREQ", "k") == b":100\r\n"
    keyspace = db.keyspace
    keyspace.lfu = True  # (maxmemory-policy allkeys-lfu, which CONFIG SET does not set yet)
    db.execute("RESTORE", "k", "0", payload, "FREQ", "100")
    assert lfu_decayed(keyspace.lru[b"k"], clock.ms(), 1) == 100
    clock.advance(120)  # two minutes: two decrements at lfu-decay-time 1
    assert lfu_decayed(keyspace.lru[b"k"], clock.ms(), 1) == 98
    db.execute("RESTORE", "i", "0", payload, "IDLETIME", "100")  # no LRU under LFU: a new key's
    assert lfu_decayed(keyspace.lru[b"i"], clock.ms(), 1) == 5


def test_idletime_counts_back_from_the_lru_clock_and_wraps(db, clock):
    db.execute("SET", "src", "v")
    payload = dump(db, "src")
    db.execute("RESTORE", "k", "0", payload, "IDLETIME", "1000")
    stamp = db.keyspace.lru[b"k"]
    assert stamp == lru_clock(clock.ms()) - 1000
    clock.advance(10)
    assert idle_ms(db.keyspace.lru_clock, stamp) == 1010 * 1000


# --- damaged payloads: refused, quickly, whatever they say -------------------------------------------
def _mutations(payload: bytes, rng: random.Random, count: int = 60):
    """Damaged copies of ``payload``, each with a footer that matches (so the value is read)."""
    body = payload[:-10]
    for _ in range(count):
        damaged = bytearray(body)
        kind = rng.randrange(5)
        if kind == 0 and damaged:  # bit flips
            for _ in range(rng.randrange(1, 4)):
                damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        elif kind == 1:  # cut short
            del damaged[rng.randrange(len(damaged) + 1):]
        elif kind == 2:  # bytes inserted
            where = rng.randrange(len(damaged) + 1)
            damaged[where:where] = rng.randbytes(rng.randrange(1, 4))
        elif kind == 3 and len(damaged) > 1:  # a byte replaced, not the type
            damaged[rng.randrange(1, len(damaged))] = rng.randrange(256)
        else:  # random bytes after the type byte
            damaged[1:] = rng.randbytes(rng.randrange(0, 30))
        yield with_footer(bytes(damaged))


FUZZ_SOURCES = [
    ["SET", "k", "hello"], ["SET", "k", "12345"], ["SET", "k", "abc" * 40],
    ["SET", "k", "The quick brown fox jumps over the lazy dog " * 3],
    ["SADD", "k", "1", "2", "3", "70000"], ["SADD", "k", *range(0, 120, 7)],
    ["SADD", "k", "a", "b", "x" * 40, "12"],
]


@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.parametrize("source", FUZZ_SOURCES, ids=lambda c: " ".join(map(str, c))[:40])
def test_fuzzed_payloads_get_redis_s_verdict(db, redis, redis_config, source):
    redis_config("sanitize-dump-payload", "yes")
    redis.call(*source)
    payload = redis_dump(redis, "k")
    rng = random.Random(repr(source))
    verdicts = []
    for damaged in _mutations(payload, rng):
        started = time.perf_counter()
        mine = db.execute("RESTORE", "t", "0", damaged, "REPLACE").resp()
        assert time.perf_counter() - started < 0.5
        theirs = redis.call("RESTORE", "t", "0", damaged, "REPLACE")
        assert mine == theirs, damaged
        verdicts.append(theirs)
        if theirs == OK:  # the same value, read the same way
            same(db, redis, "TYPE", "t")
            encoding = same(db, redis, "OBJECT", "ENCODING", "t")
            if encoding == b"$9\r\nhashtable\r\n":  # another order: the same size
                same_members(db, redis, "t")
                assert len(dump(db, "t")) == len(redis_dump(redis, "t"))
            else:
                same(db, redis, "DUMP", "t")
    assert OK in verdicts and BAD_FORMAT in verdicts  # both kinds met


@pytest.mark.timeout(60)
def test_random_payloads_are_refused_quickly_and_never_crash(db):
    rng = random.Random(13)
    started = time.perf_counter()
    for _ in range(3000):
        body = bytes([rng.choice([0, 2, 11, rng.randrange(256)])]) + rng.randbytes(
            rng.randrange(0, 40))
        for payload in (with_footer(body), body + rng.randbytes(10)):
            reply = db.execute("RESTORE", "t", "0", payload, "REPLACE").resp()
            assert reply in (OK, BAD_FORMAT, BAD_PAYLOAD), (payload, reply)
    assert time.perf_counter() - started < 20
    assert db.stats.unexpected_error_replies == 0


@pytest.mark.timeout(30)
@pytest.mark.parametrize("body", [
    b"\x00\x81" + (2 ** 63).to_bytes(8, "big") + b"x",                    # a string of 2**63 bytes
    b"\x02\x81" + (2 ** 64 - 1).to_bytes(8, "big") + b"\x01a",             # 2**64 - 1 members
    b"\x0b\x0c\x08\x00\x00\x00\xff\xff\xff\xff\x01\x00",                    # 2**32 - 1 integers
    b"\x00\xc3\x81" + (2 ** 62).to_bytes(8, "big") + b"\x81" + (2 ** 63).to_bytes(8, "big"),
    b"\x00\xc3\x03\x81" + (2 ** 40).to_bytes(8, "big") + b"\xe0\xff\x00",  # 2**40 from 3 bytes
])
def test_a_length_the_payload_cannot_hold_is_refused_before_anything_is_allocated(db, body):
    started = time.perf_counter()
    assert db.execute("RESTORE", "t", "0", with_footer(body)).resp() == BAD_FORMAT
    assert time.perf_counter() - started < 0.1


@pytest.mark.timeout(60)
def test_dump_of_a_huge_string_stays_fast(db):
    value = random.Random(0).randbytes(64 * 1024 * 1024)  # incompressible, beyond the budget
    db.execute("SET", "big", value)
    started = time.perf_counter()
    payload = dump(db, "big")
    assert time.perf_counter() - started < 5
    assert db.execute("RESTORE", "copy", "0", payload).resp() == OK
    assert db.execute("STRLEN", "copy").value == len(value)


def test_a_payload_made_by_hand_reads_as_the_dump_view_says(db):
    payload = with_footer(b"\x00\x05hello")
    assert db.execute("RESTORE", "k", "0", payload).resp() == OK
    assert db.execute("DUMP", "k").value == payload


# --- LZF on its own -----------------------------------------------------------------------------
@given(st.binary(max_size=3000))
@settings(max_examples=300, deadline=None, database=None, derandomize=True)
def test_lzf_gives_back_what_it_was_given(data):
    packed = lzf.compress(data, len(data) + 64)
    if data:
        assert lzf.decompress(packed, len(data)) == data
    assert lzf.compress(data, 0) is None


def test_lzf_gives_up_when_the_result_would_not_fit():
    data = random.Random(7).randbytes(1000)
    assert lzf.compress(data, len(data) - 4) is None  # random bytes do not compress
    assert len(lzf.compress(b"a" * 1000, 996)) < 20


def test_lzf_decompression_stops_at_the_announced_length():
    # Each 3-byte instruction copies 264 bytes: expansion is bounded by the length announced.
    bomb = b"\x00a" + b"\xe0\xff\x00" * 100_000
    with pytest.raises(lzf.LZFError, match="more than"):
        lzf.decompress(bomb, 1000)
    assert lzf.decompress(bomb[:5], 265) == b"a" * 265
    assert lzf.decompress(b"\xff\xff", 0) == b""  # Redis: 0 bytes announced, 0 bytes given


# --- the RDB file shares the value's encoding ---------------------------------------------------
def _file(records: bytes) -> bytes:
    body = b"REDIS0010\xfe\x00" + records + b"\xff"
    return body + crc64(body).to_bytes(8, "little")


def test_an_empty_set_in_a_file_is_skipped_as_redis_skips_it():
    databases, _, _ = rdb.decode(_file(b"\x02\x01e\x00" + b"\x00\x01k\x01v"))
    assert list(databases[0][0]) == [b"k"]


@pytest.mark.parametrize(("records", "reason"), [
    (b"\x02\x01s\x02\x01a\x01a", "a member twice"),
    (b"\x0b\x01s\x0c\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00", "out of order"),
    (b"\x0b\x01s\x08\x02\x00\x00\x00\x00\x00\x00\x00", "an empty intset"),
])
def test_a_damaged_set_in_a_file_is_refused(records, reason):
    with pytest.raises(rdb.RDBError, match=reason):
        rdb.decode(_file(records))


def test_save_writes_the_same_value_encodings_as_dump_without_lzf(db):
    db.execute("SADD", "s", "1", "2", "5000000000")
    db.execute("SREM", "s", "5000000000")
    db.execute("CONFIG", "SET", "rdbcompression", "no")
    payload = dump(db, "s")
    data = b"".join(rdb.encode([(0, db.keyspace.data, {})]))
    assert payload[:1] + b"\x01s" + payload[1:-10] in data
    databases, _, _ = rdb.decode(data)
    assert databases[0][0][b"s"].width == 8
