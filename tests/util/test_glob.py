"""Glob patterns (kedis/util/glob.py): Redis's answers, in time bounded for every pattern.

Python's regular expressions backtrack, and so did Redis's own matcher before 7.0.9: a pattern of
many stars against a long name that does not match took exponential time, and one such KEYS (or a
PSUBSCRIBE that every PUBLISH then matches) froze the server. Every place that reads a pattern is
tried here with the worst ones, under a time limit, and compared with redis-server.

A pattern can also be *huge* (an argument may be 512 MB): KEYS with ``a?`` repeated five million
times must answer as fast as Redis, which stops reading the pattern when the name runs out.
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
from kedis.engine.command_table import KEDIS_ONLY, TABLE
from kedis.network.server import ServerConfig
from kedis.util.glob import compile_glob, glob_match

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


# --- huge patterns --------------------------------------------------------------------------------
HUGE = 10_000_000  # bytes: far more than any name; a client may send a bulk string of 512 MB

#: Each piece of the glob language, repeated until the pattern is HUGE bytes long, and patterns
#: whose huge part comes first (a run of stars, a set that never closes) or is all one set.
HUGE_SHAPES = {
    "a?": lambda n: b"a?" * (n // 2),
    "[a]": lambda n: b"[a]" * (n // 3),
    "escapes": lambda n: b"\\a" * (n // 2),
    "*a": lambda n: b"*a" * (n // 2),
    "a": lambda n: b"a" * n,
    "?": lambda n: b"?" * n,
    "backslashes": lambda n: b"\\" * n,       # n / 2 escaped backslashes
    "[": lambda n: b"[" * n,                  # one set that never closes: it accepts "[" only
    "*": lambda n: b"*" * n,                  # one star: every name but the empty one
    "stars then a": lambda n: b"*" * n + b"a",
    "a*": lambda n: b"a*" * (n // 2) + b"b",  # the pathological pattern, huge
    "mixed": lambda n: b"a?[a]\\a*[^b]*[a-z]?\\*" * (n // 21),
    "[b...b]?": lambda n: b"[" + b"b" * n + b"]?",
    "[^ab...]*": lambda n: b"[^" + b"ab" * (n // 2) + b"]*",
    # A set's body is read whole, as Redis reads it for each byte of a name it compares: one made
    # of escapes and ranges takes longest (about 0.1 us a byte), so these are a tenth as long.
    "[\\a\\a...": lambda n: b"[" + b"\\a" * (n // 20),
    "[a-b...]?": lambda n: b"[" + b"a-b" * (n // 30) + b"]?",
    "[---...": lambda n: b"[" + b"-" * (n // 10),
}
#: Names the huge patterns can match (or nearly): short ones, and a few longer than the pattern
#: is read at once (so that more of it is read when they come).
HUGE_PATTERN_NAMES = [b"a", b"b", b"ab", b"ba", b"bb", b"ca", b"[", b"[[", b"\\", b"-", b"a*",
                      b"aa", b"user:1", b"a" * 40, b"a" * 3000, b"ab" * 1600, b"[" * 2000,
                      b"\\" * 2500, b"-" * 1200]


def huge_pattern(shape: str, size: int = HUGE) -> bytes:
    return HUGE_SHAPES[shape](size)


def timed(db: kedis.Kedis, *argv: bytes):
    """Kedis's reply to argv, and how long it took."""
    started = time.perf_counter()
    reply = db.execute(*argv)
    return reply, time.perf_counter() - started


@pytest.mark.redis
@pytest.mark.parametrize("shape", HUGE_SHAPES)
def test_a_huge_pattern_answers_at_once_and_as_redis(redis, shape):
    """KEYS, SCAN MATCH, SSCAN MATCH and PUBSUB CHANNELS with a pattern of megabytes: each
    answers in well under the limit (a Python loop over the pattern would take a minute), and
    answers what Redis answers."""
    db = kedis.Kedis()
    for argv in ([b"MSET", *[b for name in HUGE_PATTERN_NAMES for b in (name, b"1")]],
                 [b"SADD", b"s", *HUGE_PATTERN_NAMES]):
        assert db.execute(*argv).resp() == redis.call(*argv)
    pattern = huge_pattern(shape)
    for argv in ([b"KEYS", pattern], [b"SSCAN", b"s", b"0", b"MATCH", pattern, b"COUNT", b"100"],
                 [b"SCAN", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
                 [b"PUBSUB", b"CHANNELS", pattern]):
        compile_glob.cache_clear()  # (each command reads the pattern afresh)
        reply, took = timed(db, *argv)
        assert took < 2, (argv[0], shape, took)
        # (SCAN's cursors differ, but each visits every key in one call, and answers cursor 0)
        assert sorted_reply(reply.resp()) == sorted_reply(redis.call(*argv)), (argv[0], shape)


@pytest.mark.redis
@pytest.mark.parametrize("shape", HUGE_SHAPES)
def test_a_huge_pattern_without_case_answers_at_once_and_as_redis(redis, shape):
    """CONFIG GET and COMMAND LIST FILTERBY PATTERN, which match without case, with the same
    huge patterns: Kedis answers at once, with the parameters and commands Redis answers (of
    those Kedis has). Redis reads a set's body again for each name it tries, hundreds here, so
    these patterns are a tenth as long."""
    db = kedis.Kedis()
    parameters = set(db.execute(b"CONFIG", b"GET", b"*").value[0::2])
    commands = {name for name in db.execute(b"COMMAND", b"LIST").value
                if name.decode() not in KEDIS_ONLY}
    pattern = huge_pattern(shape, HUGE // 10)
    for argv, known in (([b"CONFIG", b"GET", pattern], parameters),
                        ([b"COMMAND", b"LIST", b"FILTERBY", b"PATTERN", pattern], commands)):
        compile_glob.cache_clear()
        reply, took = timed(db, *argv)
        assert took < 2, (argv[0], shape, took)
        theirs = parse_resp(redis.call(*argv))
        mine = reply.value[0::2] if argv[0] == b"CONFIG" else reply.value  # (names, not values)
        theirs = theirs[0::2] if argv[0] == b"CONFIG" else theirs
        assert set(mine) & known == set(theirs) & known, (argv[0], shape)


@pytest.mark.redis
def test_a_huge_pattern_subscription_answers_publish_at_once_and_as_redis(redis):
    """PSUBSCRIBE with huge patterns: a PUBLISH matches the channel against each of them, and
    must answer at once, with as many receivers as Redis counts. (The patterns are a tenth as
    long: each message to a pattern carries the pattern, and Redis drops a subscriber whose
    unread messages pass 32 MB.)"""
    shapes = ["a?", "*", "stars then a", "[", "[b...b]?", "mixed"]
    channels = [b"news", b"a", b"[", b"bx", b"a" * 3000]
    server = KedisServerThread(ServerConfig())
    try:
        answers = {}
        for port in (server.port, redis.sock.getpeername()[1]):
            listeners = [RawClient(port) for _ in shapes]
            for listener, shape in zip(listeners, shapes, strict=True):
                listener.call(b"PSUBSCRIBE", huge_pattern(shape, HUGE // 10))
            publisher = RawClient(port)
            started = time.perf_counter()
            answers[port] = [publisher.call(b"PUBLISH", channel, b"m") for channel in channels]
            took = time.perf_counter() - started
            if port == server.port:
                assert took < 2, took
            for client in (*listeners, publisher):
                client.close()
        assert answers[server.port] == answers[redis.sock.getpeername()[1]]
    finally:
        server.stop()


@pytest.mark.redis
def test_long_patterns_select_the_same_keys_as_redis(redis):
    """Patterns of thousands of tokens (a random one repeated), over names as long: the part of
    a pattern read only once a name long enough comes must answer as Redis does too."""
    db = kedis.Kedis()
    names = {unit * count for unit in (b"a", b"ab", b"[", b"\\", b"a?", b"-", b"]", b"k\xff")
             for count in (1, 2, 3, 700, 1100, 2100)}
    for name in names:
        assert db.execute(b"SET", name, b"1").resp() == redis.call(b"SET", name, b"1")

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(unit=patterns, count=st.sampled_from([300, 1023, 1025, 1100, 2100]), tail=patterns)
    def same_keys(unit, count, tail):
        pattern = unit * count + tail
        mine, theirs = db.execute(b"KEYS", pattern).resp(), redis.call(b"KEYS", pattern)
        assert sorted_reply(mine) == sorted_reply(theirs), (unit, count, tail)

    same_keys()


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
    (b"[!a]", b"!", True),       # only ^ negates a set: [!a] is the set of ! and a
    (b"[!a]", b"b", False),
    (b"a**b", b"ab", True),      # a run of stars is one star
    (b"a***", b"a", True),
    (b"[a\\", b"\\", True),      # a backslash that ends an unclosed set is itself
    (b"[--z]", b"a", True),      # a range from - to z
    (b"[a-c-e]", b"-", True),    # a-c, then - and e alone
    (b"[a-c-e]", b"d", False),
])
def test_redis_corner_cases(pattern, name, matches):
    assert glob_match(pattern, name) is matches


#: Redis follows at most 1000 stars, one inside the other (since the fix of CVE-2024-31228).
DEEP_STARS = [
    (b"*a" * 1000, b"a" * 1000, True),
    (b"*a" * 1001, b"a" * 1001, False),    # a 1001st star before the end: no name matches
    (b"a*" * 1001, b"a" * 1001, True),     # (here the 1001st star is the end)
    (b"a*" * 1002, b"a" * 1002, False),
    (b"**a" * 1000, b"a" * 1000, True),    # a run of stars is one star
    (b"\\*a" * 1500, b"*a" * 1500, True),  # an escaped star is no star
    (b"[*]?" * 1500, b"*a" * 1500, True),  # nor is a star in a set
]


@pytest.mark.parametrize("pattern, name, matches", DEEP_STARS, ids=lambda v: repr(v)[:12])
def test_more_than_a_thousand_stars_match_nothing(pattern, name, matches):
    assert glob_match(pattern, name) is matches


@pytest.mark.redis
def test_more_than_a_thousand_stars_match_nothing_in_redis_too(redis):
    """The redis-server the tests run has the fix (Debian's 7.0.15 has it, though 7.0.15's own
    source predates it): KEYS answers the same keys for each of those patterns."""
    db = kedis.Kedis()
    for _, name, _ in DEEP_STARS:
        assert db.execute(b"SET", name, b"1").resp() == redis.call(b"SET", name, b"1")
    for pattern, _, _ in DEEP_STARS:
        mine, theirs = db.execute(b"KEYS", pattern).resp(), redis.call(b"KEYS", pattern)
        assert sorted_reply(mine) == sorted_reply(theirs), pattern[:12]


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
