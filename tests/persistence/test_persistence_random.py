"""Random command sequences: whatever they do, a restart from the AOF, or from a dump, gives the
same store (hypothesis). The clock is fake and moves between commands, so keys expire lazily
(written to the AOF as DEL) and deadlines pass while the store is "down"."""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_redis import MEMBERS

import kedis

START = 1_700_000_000.0
KEYS = [b"a", b"b", b"c", b"", b"\x00\xff", b"key:1"]
VALUES = [b"0", b"1", b"-1", b"42", b"007", b"abc", b"", b"x" * 70, b"2147483648", b"1.5"]

keys = st.sampled_from(KEYS)
values = st.sampled_from(VALUES)
members = st.sampled_from(MEMBERS[:8])
small = st.integers(1, 3000).map(lambda n: b"%d" % n)

commands = st.one_of(
    st.tuples(st.just(b"SET"), keys, values),
    st.tuples(st.just(b"SET"), keys, values, st.sampled_from([b"EX", b"PX"]), small),
    st.tuples(st.just(b"SET"), keys, values, st.sampled_from([b"NX", b"XX", b"KEEPTTL", b"GET"])),
    st.tuples(st.sampled_from([b"INCR", b"DECR", b"GETDEL", b"PERSIST", b"DEL"]), keys),
    st.tuples(st.just(b"INCRBYFLOAT"), keys, st.sampled_from([b"1.5", b"-0.25", b"3"])),
    st.tuples(st.sampled_from([b"APPEND", b"GETSET", b"SETNX"]), keys, values),
    st.tuples(st.sampled_from([b"EXPIRE", b"PEXPIRE"]), keys, small),
    st.tuples(st.just(b"PEXPIREAT"), keys, st.sampled_from([b"1", b"%d" % (START * 1000 + 500)])),
    st.tuples(st.just(b"GETEX"), keys, st.sampled_from([b"PX", b"EX"]), small),
    st.tuples(st.sampled_from([b"RENAME", b"COPY", b"SMOVE"]), keys, keys),
    st.tuples(st.sampled_from([b"SADD", b"SREM"]), keys, members, members),
    st.tuples(st.just(b"SPOP"), keys, st.sampled_from([b"1", b"2", b"5"])),
    st.tuples(st.just(b"SINTERSTORE"), keys, keys, keys),
    st.tuples(st.just(b"SELECT"), st.sampled_from([b"0", b"1"])),
    st.tuples(st.just(b"FLUSHDB")),
    st.tuples(st.just(b"advance"), st.integers(1, 2000)),   # the clock moves (ms)
    st.tuples(st.sampled_from([b"BGREWRITEAOF", b"BGSAVE", b"SAVE", b"INFO", b"FLUSHALL"])),
)


def live(db: kedis.Kedis) -> dict:
    """The store as a client sees it: keys whose deadline has not passed, values and deadlines."""
    now = db.clock.ms()
    found = {}
    for database in db.databases:
        for key, value in database.data.items():
            deadline = database.expires.get(key)
            if deadline is None or deadline >= now:
                found[(database.id, key)] = (value if type(value) is bytes else set(value),
                                             deadline)
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=40), st.sampled_from(["yes", "no"]))
def test_a_restart_from_the_aof_or_the_dump_gives_the_same_store(sequence, preamble):
    with tempfile.TemporaryDirectory() as folder:
        clock = kedis.FakeClock(START)
        config = {"dir": folder, "appendonly": "yes", "aof-use-rdb-preamble": preamble}
        db = kedis.Kedis(clock=clock, config=config, seed=0)
        for command in sequence:
            if command[0] == b"advance":
                clock.advance(command[1] / 1000)
                continue
            db.execute(*command)
            db.persistence.wait()  # a BGREWRITEAOF finishes before the next command
        db.execute(b"SAVE")
        expected = live(db)
        db.shutdown()
        from_aof = kedis.Kedis(clock=clock, config=config)
        assert live(from_aof) == expected
        from_aof.shutdown()
        from_dump = kedis.Kedis(clock=clock, config={"dir": folder})
        assert live(from_dump) == expected
