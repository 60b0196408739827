"""Glob patterns (kedis/glob.py): Redis's answers, in time bounded for every pattern.

Python's regular expressions backtrack, and so did Redis's own matcher before 7.0.9: a pattern of
many stars against a long name that does not match took exponential time, and one such KEYS (or a
PSUBSCRIBE that every PUBLISH then matches) froze the server. Every place that reads a pattern is
tried here with the worst ones, under a time limit, and compared with redis-server.
"""

from __future__ import annotations

import time

import pytest
from compare import parse_resp
from hypothesis import given, settings
from hypothesis import strategies as st
from kedis_server import KedisServerThread
from redis_oracle import RawClient
from strategies_redis import patterns

import kedis
from kedis.command_table import KEDIS_ONLY, TABLE
from kedis.glob import compile_glob, glob_match
from kedis.server import ServerConfig

LONG_NAME = b"a" * 40
#: Stars that must each try every length of the rest, for a name they can never match.
PATHOLOGICAL = [b"a*" * 20 + b"b", b"*a" * 25 + b"*b", b"?*" * 30 + b"b", b"[a]*" * 20 + b"x",
                b"*" + b"a*" * 40 + b"[^a]", b"\\a*" * 20 + b"c"]


@pytest.mark.parametrize("pattern", PATHOLOGICAL, ids=lambda p: p[:12].decode())
def test_a_pattern_of_many_stars_answers_at_once(pattern):
    started = time.perf_counter()
    for size in (40, 400, 4000):
        assert not glob_match(pattern, b"a" * size)
    assert time.perf_counter() - started < 0.5


def test_keys_with_the_issues_pattern_answers_at_once(db):
    db.execute("SET", LONG_NAME, "1")
    started = time.perf_counter()
    assert db.run('KEYS "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"').value == []
    assert db.run('KEYS "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a"').value == [LONG_NAME]
    assert time.perf_counter() - started < 0.5


@pytest.mark.redis
def test_every_place_that_reads_a_pattern_answers_at_once_and_as_redis(redis):
    """KEYS, SCAN MATCH, SSCAN MATCH, PUBSUB CHANNELS, CONFIG GET and COMMAND LIST FILTERBY
    PATTERN, each with a pathological pattern: the same answer as Redis, in a fraction of a
    second."""
    db = kedis.Kedis()
    long_set = [b"SADD", b"s", LONG_NAME, b"a" * 39]
    for argv in ([b"SET", LONG_NAME, b"1"], long_set):
        assert db.execute(*argv).resp() == redis.call(*argv)
    bad = b"a*" * 20 + b"b"
    good = b"a*" * 20 + b"a"
    started = time.perf_counter()
    for pattern in (bad, good):
        for argv in ([b"KEYS", pattern], [b"SSCAN", b"s", b"0", b"MATCH", pattern, b"COUNT", b"100"],
                     [b"CONFIG", b"GET", b"*" + pattern],
                     [b"COMMAND", b"LIST", b"FILTERBY", b"PATTERN", b"*e*e*e*e*e*e*e*e*z"]):
            mine, theirs = db.execute(*argv).resp(), redis.call(*argv)
            assert sorted_reply(mine) == sorted_reply(theirs), argv
        mine = db.execute(b"SCAN", b"0", b"MATCH", pattern, b"COUNT", b"1000").value
        theirs = parse_resp(redis.call(b"SCAN", b"0", b"MATCH", pattern, b"COUNT", b"1000"))
        assert (mine[0], mine[1]) == (b"0", theirs[1])
    assert time.perf_counter() - started < 2


def sorted_reply(data: bytes):
    """A reply with the order of every array's elements taken out (hash orders differ)."""
    def unordered(value):
        return sorted(map(unordered, value), key=repr) if isinstance(value, list) else value
    return unordered(parse_resp(data))


def test_a_pattern_subscription_cannot_freeze_publish():
    """One client PSUBSCRIBEs to a pathological pattern: another client's PUBLISH to a long
    channel must still answer at once (it matches the channel against every pattern)."""
    server = KedisServerThread(ServerConfig())
    try:
        listener, publisher = RawClient(server.port), RawClient(server.port)
        listener.call(b"PSUBSCRIBE", b"a*" * 30 + b"b")
        started = time.perf_counter()
        assert publisher.call(b"PUBLISH", b"a" * 60, b"hello") == b":0\r\n"
        assert publisher.call(b"PUBSUB", b"CHANNELS", b"a*" * 30 + b"b") == b"*0\r\n"
        assert time.perf_counter() - started < 1
        listener.close()
        publisher.close()
    finally:
        server.stop()


# --- Redis's rules -------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern, name, matches", [
    (b"*", b"", False),          # the empty name matches only the empty pattern
    (b"", b"", True),
    (b"?*", b"", False),
    (b"a*", b"a", True),
    (b"*a", b"a", True),
    (b"a*b*c", b"abc", True),
    (b"a*b*c", b"acb", False),
    (b"*x*y", b"xyxy", True),
    (b"[abc", b"b", True),       # an unclosed set runs to the end
    (b"[", b"[", False),         # a [ that ends the pattern matches nothing
    (b"[^", b"q", True),
    (b"[]", b"]", False),
    (b"[^]", b"x", True),
    (b"[a-]", b"]", True),       # a range from a to ]
    (b"\\", b"\\", True),        # a trailing backslash is itself
    (b"[\\]", b"]", True),       # an escaped ] in a set that is then unclosed
    (b"[\\]", b"\\", False),
    (b"\\*", b"*", True),
    (b"\\*", b"a", False),
    (b"[\xff-a]", b"\x00", True),  # signed chars: 0xff is -1, below 0x00
    (b"[\xff-a]", b"b", False),
])
def test_redis_corner_cases(pattern, name, matches):
    assert glob_match(pattern, name) is matches


@pytest.mark.parametrize("pattern, name, matches", [
    (b"SET", b"set", True),
    (b"[A-C]et", b"bet", True),
    (b"[Z-a]", b"z", False),   # put in order first (Z-a), then lowered (z-a): empty
    (b"[\\S]et", b"set", False),  # an escape in a set is compared exactly, even without case
    (b"\\Set", b"set", True),     # (but outside a set it is not)
])
def test_nocase_lowers_as_redis_does(pattern, name, matches):
    assert glob_match(pattern, name, nocase=True) is matches


@pytest.mark.redis
def test_nocase_patterns_list_the_same_commands_as_redis(redis):
    """COMMAND LIST FILTERBY PATTERN matches without case: the commands Kedis has, for random
    patterns with both cases, ranges and escapes, are those Redis lists."""
    db = kedis.Kedis()
    names = set()
    for cmd in TABLE.values():
        if cmd.name in KEDIS_ONLY:
            continue
        names.add(cmd.name.encode())
        names.update(sub.name.encode() for sub in cmd.subcommands.values())
    case_patterns = st.one_of(patterns, st.lists(st.sampled_from(
        [b"*", b"?", b"S", b"e", b"T", b"[A-F]", b"[z-a]", b"[Z-a]", b"\\S", b"[\\E]", b"|",
         b"c", b"O", b"[^G]"]), max_size=6).map(b"".join))

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(pattern=case_patterns)
    def same_commands(pattern):
        argv = [b"COMMAND", b"LIST", b"FILTERBY", b"PATTERN", pattern]
        mine = set(db.execute(*argv).value) - {name.encode() for name in KEDIS_ONLY}
        theirs = set(parse_resp(redis.call(*argv)))
        assert mine == theirs & names, pattern

    same_commands()


@pytest.mark.redis
def test_pubsub_channels_and_patterns_do_not_match_the_empty_channel(redis):
    """``*`` is no special case for Pub/Sub: the channel "" is not listed by PUBSUB CHANNELS *,
    and a PSUBSCRIBE * does not hear it."""
    server = KedisServerThread(ServerConfig())
    try:
        for port in (server.port, redis.sock.getpeername()[1]):
            listener, publisher = RawClient(port), RawClient(port)
            listener.call(b"SUBSCRIBE", b"")
            listener.call(b"PSUBSCRIBE", b"*")  # (its confirmation arrives as this reply)
            assert publisher.call(b"PUBSUB", b"CHANNELS", b"*") == b"*0\r\n"
            assert publisher.call(b"PUBSUB", b"CHANNELS") == b"*1\r\n$0\r\n\r\n"
            assert publisher.call(b"PUBLISH", b"", b"m") == b":1\r\n"  # the channel, not *
            listener.close()
            publisher.close()
    finally:
        server.stop()


def test_keys_and_scan_list_the_empty_key_for_star(db):
    db.execute("SET", "", "1")
    assert db.run("KEYS *").value == [b""]
    assert db.run("SCAN 0 MATCH *").value[1] == [b""]
    assert db.run("KEYS ?*").value == []


def test_compiled_patterns_are_kept():
    assert compile_glob(b"user:*") is compile_glob(b"user:*")
