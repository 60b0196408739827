"""Kedis against a real redis-server: the same random commands, the same replies, byte for byte.

A hypothesis state machine (``RedisTwin``) sends every command it draws to a ``kedis.Kedis()`` and to
Debian's redis-server 7.0 (the ``redis`` fixture of conftest.py), and compares Kedis's
``reply.resp()`` with the exact bytes Redis sent: values, integers, nils and error messages alike.
When hypothesis finds a difference it shrinks the run to the shortest sequence of commands that
still shows it, and prints that sequence.

A few replies differ *by design*, and the test compares what they must have in common instead:

- KEYS answers in hash-table order: compared as sorted lists.
- SCAN's cursors are positions in each server's own table: a whole iteration is run on each side,
  and the sets of keys they return are compared (``SCAN 0`` and its errors byte for byte).
- RANDOMKEY is random: both must answer nil, or both a key of the database.
- The members of a set come in hash-table order (SMEMBERS, SINTER, SUNION, SDIFF): compared as
  sorted lists, except for a set Redis keeps as an intset, whose sorted order Kedis must give
  too (and Kedis's encoding must be Redis's). SSCAN is compared as a whole iteration, like SCAN.
- SPOP and SRANDMEMBER are random: the same shape (nil, one member, or an array of that many,
  distinct when they must be), of members of the set. After an SPOP the members Redis popped
  are removed from Kedis's set too (and Kedis's popped ones put back), so both go on alike.
- DUMP of a set in a hash table lists its members in each server's order: the payloads must have
  the same length (the same encodings). RESTORE gives each server the other's DUMP, so each reads
  what the other writes, and the values are compared at the end as any others.
- INFO persistence's ``rdb_changes_since_last_save`` (Redis's ``server.dirty``) is compared after
  every step: it must grow by as much on both sides (the shared redis-server's count also holds
  what the other tests wrote). Expiry counts nothing in either, so the clock does not matter.
- Both servers read the real clock (Redis cannot be given a fake one), a few milliseconds apart.
  So the test never sleeps and uses only long TTLs (>= 1000 s) and absolute times far in the past
  or future, and TTL, PTTL, EXPIRETIME and PEXPIRETIME may differ by rounding and elapsed time:
  ±1 for seconds, ±100 for milliseconds (negative answers, -1 and -2, must be equal).
- COMMAND INFO of a container (COMMAND, CONFIG) lists the subcommands in Redis's dict order, which
  changes with every redis-server process (the hash seed is random): that list is compared as a
  set of byte-exact entries. HELP is Kedis's own command (redis-cli answers it client-side).
- A command or subcommand name with a NUL byte (``CONFIG get\x00``) is found by Redis, or not,
  depending on that random hash seed (its dicts hash the whole name but compare C strings). Names
  whose part before the NUL is a real name are not sent; other NUL bytes are.

The rest of INFO, CONFIG GET of other parameters, COMMAND COUNT/LIST/DOCS and the HELP
subcommands differ by design (Kedis has fewer commands and parameters) and are not compared.

Run longer locally with ``KEDIS_DIFFERENTIAL_EXAMPLES=2000`` (random seeds, instead of the fixed
ones CI uses).
"""

from __future__ import annotations

import os

import pytest
from compare import changes_since_save, parse_resp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from redis_oracle import RawClient
from strategies_redis import (
    KEYS,
    RelativeTime,
    absolute_times,
    bit_offsets,
    bit_ranges,
    bitfield_types,
    bits,
    databases,
    elements,
    expire_conditions,
    float_texts,
    getex_options,
    integer_texts,
    keys,
    list_counts,
    list_indexes,
    list_sides,
    members,
    offsets,
    patterns,
    relative_times,
    set_counts,
    set_options,
    spelled,
    values,
)

import kedis
from kedis.engine.command_table import KEDIS_ONLY, TABLE
from kedis.network.resp import encode_command
from kedis.persistence import rdb
from kedis.persistence.crc64 import crc64

pytestmark = pytest.mark.redis


# --- comparing replies -------------------------------------------------------------------------------
# TTL-like replies: (tolerance for a non-negative answer). See the module's docstring.
TOLERANCE = {b"ttl": 1, b"expiretime": 1, b"pttl": 100, b"pexpiretime": 100}


def same_reply(argv: list[bytes], mine: bytes, theirs: bytes) -> bool:
    """Whether Kedis's reply ``mine`` is Redis's ``theirs``: byte for byte, or for a TTL-like
    command, the same integer within the tolerance when both are non-negative."""
    if mine == theirs:
        return True
    tolerance = TOLERANCE.get(argv[0].lower())
    if tolerance is not None and mine[:1] == theirs[:1] == b":":
        a, b = int(mine[1:-2]), int(theirs[1:-2])
        return a >= 0 and b >= 0 and abs(a - b) <= tolerance
    return False


def explain(argv: list[bytes], mine: bytes, theirs: bytes) -> str:
    return f"\n  command: {argv!r}\n  kedis:   {mine!r}\n  redis:   {theirs!r}"


def _with_footer(body: bytes) -> bytes:
    body += rdb.PAYLOAD_FOOTER
    return body + crc64(body).to_bytes(8, "little")


# --- the state machine ------------------------------------------------------------------------------------
ONE_KEY_COMMANDS = ["get", "getdel", "strlen", "incr", "decr", "type", "ttl", "pttl", "expiretime",
                    "pexpiretime", "persist", "scard"]
MULTI_KEY_COMMANDS = ["mget", "exists", "touch", "del", "unlink"]
EXPIRE_COMMANDS = {"expire": (False, False), "pexpire": (True, False),
                   "expireat": (False, True), "pexpireat": (True, True)}


# RESTORE's payloads when the key to DUMP is missing: a good one, and each way of being wrong.
_GOOD = rdb.dump_payload(b"restored")
PAYLOADS = [
    _GOOD, rdb.dump_payload(b"x" * 40, rdb.LZFBudget()),
    b"", b"junk", _GOOD[:-1] + bytes([_GOOD[-1] ^ 1]),  # a wrong checksum
    _with_footer(b"\x08\x01\x01a"),                               # no such type
    _with_footer(b"\x02\x02\x01a\x01a"),                           # a member twice
]
restore_options = st.lists(st.one_of(
    st.sampled_from([(b"REPLACE",), (b"replace",), (b"ABSTTL",), (b"absttl",), (b"FOO",),
                     (b"IDLETIME",)]),
    st.tuples(st.sampled_from([b"IDLETIME", b"idletime", b"FREQ", b"freq"]),
              st.sampled_from([b"0", b"10", b"255", b"256", b"-1", b"abc"])),
), max_size=3)


def _arity_violations() -> list[tuple[list[str], int]]:
    """(command name words, a wrong argument count) for every Kedis command that can get one."""
    cases = []
    for cmd in TABLE.values():
        targets = [cmd, *cmd.subcommands.values()]
        for target in targets:
            if target.name in KEDIS_ONLY:
                continue  # Kedis's own command: Redis does not know it
            words = target.name.split("|")
            if target.arity > 0:
                counts = [n for n in range(len(words), target.arity + 3) if n != target.arity]
            else:
                counts = list(range(len(words), -target.arity))
            cases += [(words, n) for n in counts]
    return cases


ARITY_VIOLATIONS = _arity_violations()
COMMAND_NAMES = sorted(name.decode() for name in TABLE if name.decode() not in KEDIS_ONLY)


def _command_line(words_and_count):
    words, count = words_and_count
    first = spelled(words[0]).map(lambda name: [name])
    rest = [st.just(w.encode()) for w in words[1:]]
    extra = count - len(words)
    return st.tuples(first, *rest, st.lists(st.sampled_from(KEYS), min_size=extra,
                                             max_size=extra)).map(
        lambda parts: parts[0] + list(parts[1:-1]) + parts[-1])


#: The parameters the rules change, at their defaults: set on the redis-server before each run
#: and after it (the server is shared with the session's other tests).
DEFAULTS = (["CONFIG", "SET", "hz", "10"], ["CONFIG", "SET", "proto-max-bulk-len", "512mb"],
            ["CONFIG", "SET", "active-expire-effort", "1"])


class RedisTwin(RuleBasedStateMachine):
    """Kedis and Redis side by side; every rule sends one command (or a few) to both."""

    redis: RawClient            # set by the test before the machine runs
    redis_commands: frozenset   # every command name Redis knows, for unknown-command rules

    def __init__(self) -> None:
        super().__init__()
        self.kedis = kedis.Kedis()
        self.step = 0  # makes relative times distinct: see strategies_redis.RelativeTime
        for command in (["FLUSHALL"], ["SELECT", "0"], *DEFAULTS):
            self.redis.call(*command)
        self.sent: list[list[bytes]] = []  # the commands sent since the last step's checks
        self.changes = self.changes_now()

    # -- sending ---------------------------------------------------------------------------------------
    def materialize(self, parts) -> list[bytes]:
        self.step += 1
        return [p.text(self.step) if isinstance(p, RelativeTime) else p for p in parts]

    def both(self, argv: list[bytes]) -> tuple[bytes, bytes]:
        self.sent.append(argv)
        return self.kedis.execute(*argv).resp(), self.redis.call(*argv)

    def changes_now(self) -> tuple[int, int]:
        """rdb_changes_since_last_save in Kedis and in Redis, as INFO persistence shows it."""
        return (changes_since_save(self.kedis.execute(b"INFO", b"persistence").resp()),
                changes_since_save(self.redis.call(b"INFO", b"persistence")))

    def check(self, parts) -> bytes:
        """Send one command to both and require the same reply; answer Redis's."""
        argv = self.materialize(parts)
        mine, theirs = self.both(argv)
        assert same_reply(argv, mine, theirs), explain(argv, mine, theirs)
        return theirs

    def check_unordered(self, argv: list[bytes]) -> list:
        """For KEYS: the same reply, up to the order of the array's elements."""
        mine, theirs = self.both(argv)
        a, b = parse_resp(mine), parse_resp(theirs)
        if isinstance(a, list) and isinstance(b, list):
            assert sorted(a) == sorted(b), explain(argv, mine, theirs)
            return b
        assert mine == theirs, explain(argv, mine, theirs)
        return b

    def full_scan(self, argv: list[bytes], at: int = 1) -> None:
        """Run ``SCAN 0 [options]`` to the end on both; same errors, or the same set of keys.
        ``at`` is where the cursor goes (2 for ``SSCAN key 0``)."""
        mine, theirs = self.both(argv)
        a, b = parse_resp(mine), parse_resp(theirs)
        if not (isinstance(a, list) and isinstance(b, list)):
            assert mine == theirs, explain(argv, mine, theirs)
            return
        found = []
        for first, call in ((a, self.kedis_call), (b, self.redis.call)):
            seen = set(first[1])
            cursor = first[0]
            for _ in range(1000):
                if cursor == b"0":
                    break
                reply = parse_resp(call(*argv[:at], cursor, *argv[at + 1:]))
                assert isinstance(reply, list), reply
                cursor = reply[0]
                seen.update(reply[1])
            else:
                raise AssertionError(f"SCAN did not finish: {argv!r}")
            found.append(seen)
        assert found[0] == found[1], explain(argv, repr(sorted(found[0])).encode(),
                                             repr(sorted(found[1])).encode())

    def kedis_call(self, *argv: bytes) -> bytes:
        return self.kedis.execute(*argv).resp()

    # -- strings ---------------------------------------------------------------------------------------
    @rule(name=spelled("set"), key=keys, value=values, options=set_options())
    def set_(self, name, key, value, options):
        self.check([name, key, value, *options])

    @rule(key=keys, value=st.one_of(integer_texts, float_texts))
    def set_number(self, key, value):
        self.check([b"SET", key, value])

    @rule(name=st.sampled_from(ONE_KEY_COMMANDS).flatmap(spelled), key=keys)
    def one_key(self, name, key):
        self.check([name, key])

    @rule(name=spelled("getex"), key=keys, options=getex_options())
    def getex(self, name, key, options):
        self.check([name, key, *options])

    @rule(name=st.sampled_from(["getset", "setnx", "append"]).flatmap(spelled), key=keys,
          value=values)
    def key_and_value(self, name, key, value):
        self.check([name, key, value])

    @rule(data=st.data(), in_ms=st.booleans(), key=keys, value=values)
    def setex(self, data, in_ms, key, value):
        name = data.draw(spelled("psetex" if in_ms else "setex"))
        self.check([name, key, data.draw(relative_times(in_ms)), value])

    @rule(name=st.sampled_from(MULTI_KEY_COMMANDS).flatmap(spelled),
          names=st.lists(keys, max_size=4))
    def multi_key(self, name, names):
        self.check([name, *names])

    @rule(name=st.sampled_from(["mset", "msetnx"]).flatmap(spelled),
          pairs=st.lists(st.tuples(keys, values), max_size=3),
          odd=st.one_of(st.none(), keys))
    def mset(self, name, pairs, odd):
        args = [item for pair in pairs for item in pair] + ([odd] if odd is not None else [])
        self.check([name, *args])

    @rule(name=st.sampled_from(["incrby", "decrby"]).flatmap(spelled), key=keys,
          amount=integer_texts)
    def incrby(self, name, key, amount):
        self.check([name, key, amount])

    @rule(name=spelled("incrbyfloat"), key=keys, amount=st.one_of(float_texts, integer_texts))
    def incrbyfloat(self, name, key, amount):
        self.check([name, key, amount])

    @rule(name=st.sampled_from(["getrange", "substr"]).flatmap(spelled), key=keys, start=offsets,
          end=offsets)
    def getrange(self, name, key, start, end):
        self.check([name, key, start, end])

    @rule(name=spelled("setrange"), key=keys, offset=offsets,
          value=st.sampled_from([b"", b"x", b"hello", b"\x00\xff"]))
    def setrange(self, name, key, offset, value):
        self.check([name, key, offset, value])

    @rule(name=spelled("lcs"), a=keys, b=keys, options=st.lists(st.one_of(
        st.sampled_from([(b"LEN",), (b"IDX",), (b"idx",), (b"WITHMATCHLEN",), (b"MINMATCHLEN",),
                         (b"FOO",)]),
        st.tuples(st.just(b"MINMATCHLEN"), st.sampled_from([b"0", b"2", b"-1", b"x"]))),
        max_size=3))
    def lcs(self, name, a, b, options):
        self.check([name, a, b, *[t for option in options for t in option]])

    # -- bitmaps -----------------------------------------------------------------------------------------
    @rule(name=spelled("setbit"), key=keys, offset=bit_offsets, bit=bits)
    def setbit(self, name, key, offset, bit):
        self.check([name, key, offset, bit])

    @rule(name=spelled("getbit"), key=keys, offset=bit_offsets)
    def getbit(self, name, key, offset):
        self.check([name, key, offset])

    @rule(name=spelled("bitcount"), key=keys, arguments=bit_ranges)
    def bitcount(self, name, key, arguments):
        self.check([name, key, *arguments])

    @rule(name=spelled("bitpos"), key=keys, bit=bits, arguments=bit_ranges)
    def bitpos(self, name, key, bit, arguments):
        self.check([name, key, bit, *arguments])

    @rule(name=spelled("bitop"), operation=st.sampled_from([b"AND", b"or", b"Xor", b"NOT", b"nand"]),
          destination=keys, sources=st.lists(keys, max_size=3))
    def bitop(self, name, operation, destination, sources):
        self.check([name, operation, destination, *sources])

    @rule(name=st.sampled_from(["bitfield", "bitfield_ro"]).flatmap(spelled), key=keys,
          operations=st.lists(st.one_of(
              st.tuples(st.just(b"GET"), bitfield_types, bit_offsets),
              st.tuples(st.sampled_from([b"SET", b"incrby"]), bitfield_types, bit_offsets,
                        st.one_of(integer_texts, st.integers(-300, 300).map(lambda n: b"%d" % n))),
              st.tuples(st.just(b"OVERFLOW"), st.sampled_from([b"WRAP", b"sat", b"FAIL", b"x"])),
              st.sampled_from([(b"GET",), (b"FOO",)])), max_size=4))
    def bitfield(self, name, key, operations):
        self.check([name, key, *[t for operation in operations for t in operation]])

    # -- keys --------------------------------------------------------------------------------------------
    @rule(name=spelled("keys"), pattern=patterns)
    def keys_(self, name, pattern):
        self.check_unordered([name, pattern])

    @rule(name=spelled("scan"), options=st.lists(st.one_of(
        st.tuples(st.sampled_from([b"MATCH", b"match"]), patterns),
        st.tuples(st.sampled_from([b"COUNT", b"count"]),
                  st.sampled_from([b"1", b"2", b"10", b"1000", b"0", b"-1", b"abc",
                                   b"9223372036854775807"])),
        st.tuples(st.sampled_from([b"TYPE", b"type"]),
                  st.sampled_from([b"string", b"STRING", b"set", b"SET", b"list", b"none",
                                   b"foo"])),
        st.sampled_from([(b"MATCH",), (b"FOO", b"bar"), (b"COUNT",)]),
    ), max_size=3))
    def scan(self, name, options):
        self.full_scan([name, b"0", *[t for option in options for t in option]])

    @rule(name=spelled("scan"), cursor=st.sampled_from(
        [b"abc", b"", b" 1", b"1.5", b"+0", b"-0", b"-1", b"-", b"18446744073709551615",
         b"18446744073709551616", b"-18446744073709551616", b"0x10", b"1 ", b"0\x00abc",
         b"0" * 30 + b"7", b"1" * 4500, b"0" * 5000]))
    def scan_cursor(self, name, cursor):
        # A non-zero cursor means a different place in each server's table, so only whether the
        # cursor is accepted (and the error, if not) is compared. Each server deletes the expired
        # keys it meets on its way, different ones: so a full SCAN first removes them all.
        self.full_scan([b"SCAN", b"0"])
        mine, theirs = self.both([name, cursor])
        if theirs.startswith(b"-") or mine.startswith(b"-"):
            assert mine == theirs, explain([name, cursor], mine, theirs)

    @rule(name=spelled("randomkey"))
    def randomkey(self, name):
        # First a full SCAN on both, which removes every expired key: otherwise RANDOMKEY would
        # delete a random choice of them, and the two keyspaces would differ by chance.
        self.full_scan([b"SCAN", b"0"])
        everything = self.check_unordered([b"KEYS", b"*"])
        mine, theirs = self.both([name])
        a, b = parse_resp(mine), parse_resp(theirs)
        assert (a is None) == (b is None) == (not everything), explain([name], mine, theirs)
        assert a is None or a in everything, explain([name], mine, theirs)

    @rule(name=st.sampled_from(["rename", "renamenx"]).flatmap(spelled), source=keys,
          destination=keys)
    def rename(self, name, source, destination):
        self.check([name, source, destination])

    @rule(name=spelled("copy"), source=keys, destination=keys, options=st.lists(st.one_of(
        st.tuples(st.sampled_from([b"DB", b"db"]), databases),
        st.sampled_from([(b"REPLACE",), (b"replace",), (b"DB",), (b"FOO",)]),
    ), max_size=3))
    def copy(self, name, source, destination, options):
        self.check([name, source, destination, *[t for option in options for t in option]])

    # -- sets ----------------------------------------------------------------------------------------------
    def kedis_value(self, key: bytes):
        return self.kedis.client.db.data.get(key)

    def redis_intset(self, key: bytes) -> bool:
        return self.redis.call(b"OBJECT", b"ENCODING", key) == b"$6\r\nintset\r\n"

    @rule(name=st.sampled_from(["sadd", "srem", "smismember"]).flatmap(spelled), key=keys,
          names=st.lists(members, min_size=1, max_size=4))
    def members_of_one_set(self, name, key, names):
        self.check([name, key, *names])

    @rule(name=spelled("sismember"), key=keys, member=members)
    def sismember(self, name, key, member):
        self.check([name, key, member])

    @rule(name=spelled("smembers"), key=keys)
    def smembers(self, name, key):
        # An intset answers in numeric order on both; and Kedis encodes a set as Redis does.
        if self.redis_intset(key):
            self.check([name, key])
        else:
            self.check_unordered([name, key])
        value = self.kedis_value(key)
        if hasattr(value, "encoding"):
            theirs = self.redis.call(b"OBJECT", b"ENCODING", key)
            assert theirs == b"$%d\r\n%s\r\n" % (len(value.encoding), value.encoding.encode()), (
                key, value, theirs)

    @rule(name=st.sampled_from(["sinter", "sunion", "sdiff"]).flatmap(spelled),
          names=st.lists(keys, min_size=1, max_size=3))
    def set_algebra(self, name, names):
        self.check_unordered([name, *names])

    @rule(name=st.sampled_from(["sinterstore", "sunionstore", "sdiffstore"]).flatmap(spelled),
          destination=keys, names=st.lists(keys, min_size=1, max_size=3))
    def set_algebra_store(self, name, destination, names):
        self.check([name, destination, *names])

    @rule(name=spelled("sintercard"), numkeys=st.sampled_from(
        [b"1", b"2", b"3", b"0", b"-1", b"x", b"01", b"4"]), names=st.lists(keys, max_size=3),
          limit=st.lists(st.tuples(st.sampled_from([b"LIMIT", b"limit", b"FOO"]), st.sampled_from(
              [b"0", b"1", b"2", b"-1", b"x"])).map(list), max_size=2))
    def sintercard(self, name, numkeys, names, limit):
        self.check([name, numkeys, *names, *[t for option in limit for t in option]])

    @rule(name=spelled("smove"), source=keys, destination=keys, member=members)
    def smove(self, name, source, destination, member):
        self.check([name, source, destination, member])

    @rule(name=spelled("sscan"), key=keys, options=st.lists(st.one_of(
        st.tuples(st.sampled_from([b"MATCH", b"match"]), patterns),
        st.tuples(st.sampled_from([b"COUNT", b"count"]), st.sampled_from([b"1", b"2", b"0",
                                                                          b"abc"])),
        st.sampled_from([(b"TYPE", b"set"), (b"MATCH",)]),
    ), max_size=2))
    def sscan(self, name, key, options):
        self.full_scan([name, key, b"0", *[t for option in options for t in option]], at=2)

    @rule(name=spelled("srandmember"), key=keys, count=st.one_of(st.none(), set_counts))
    def srandmember(self, name, key, count):
        argv = [name, key] + ([count] if count is not None else [])
        mine, theirs = self.both(argv)
        a, b = parse_resp(mine), parse_resp(theirs)
        if b is None or isinstance(b, str) or b == []:  # nil, an error, an empty array: exact
            assert mine == theirs, explain(argv, mine, theirs)
            return
        everything = set(parse_resp(self.redis.call(b"SMEMBERS", key)))
        picked = [a] if isinstance(b, bytes) else a
        assert type(a) is type(b) and set(picked) <= everything, explain(argv, mine, theirs)
        if isinstance(b, list):
            assert len(a) == len(b), explain(argv, mine, theirs)
            if int(count) > 0:
                assert len(set(a)) == len(a), explain(argv, mine, theirs)

    @rule(name=spelled("spop"), key=keys, count=st.one_of(st.none(), set_counts))
    def spop(self, name, key, count):
        argv = [name, key] + ([count] if count is not None else [])
        before = parse_resp(self.redis.call(b"SMEMBERS", key))
        mine, theirs = self.both(argv)
        a, b = parse_resp(mine), parse_resp(theirs)
        if b is None or isinstance(b, str) or b == []:
            assert mine == theirs, explain(argv, mine, theirs)
            return
        mine_popped = [a] if isinstance(a, bytes) else a
        their_popped = [b] if isinstance(b, bytes) else b
        assert type(a) is type(b) and len(mine_popped) == len(their_popped), explain(
            argv, mine, theirs)
        assert len(set(mine_popped)) == len(mine_popped), explain(argv, mine, theirs)
        assert set(mine_popped) <= set(before), explain(argv, mine, theirs)
        if sorted(mine_popped) != sorted(their_popped):
            # Let Kedis's set become Redis's again (its TTL stays: the key never went away).
            # Redis saw no such changes: they are not counted in rdb_changes_since_last_save.
            changes = self.kedis.stats.dirty
            self.kedis_call(b"SADD", key, *mine_popped)
            self.kedis_call(b"SREM", key, *their_popped)
            self.kedis.stats.dirty = changes
            if self.redis_intset(key):
                self.kedis_value(key).recreate()  # (Redis's SPOP may rebuild it as an intset)

    # -- lists ---------------------------------------------------------------------------------------
    @rule(name=st.sampled_from(["lpush", "rpush", "lpushx", "rpushx"]).flatmap(spelled), key=keys,
          items=st.lists(elements, min_size=1, max_size=6))
    def push(self, name, key, items):
        self.check([name, key, *items])
        self.same_encoding(key)

    @rule(name=st.sampled_from(["lpop", "rpop"]).flatmap(spelled), key=keys,
          count=st.one_of(st.none(), list_counts), extra=st.booleans())
    def pop(self, name, key, count, extra):
        self.check([name, key] + ([] if count is None else [count]) + ([b"1"] if extra else []))

    @rule(name=st.sampled_from(["lrange", "ltrim"]).flatmap(spelled), key=keys,
          start=list_indexes, stop=list_indexes)
    def list_range(self, name, key, start, stop):
        self.check([name, key, start, stop])

    @rule(name=spelled("lindex"), key=keys, index=list_indexes)
    def lindex(self, name, key, index):
        self.check([name, key, index])

    @rule(name=spelled("lset"), key=keys, index=list_indexes, element=elements)
    def lset(self, name, key, index, element):
        self.check([name, key, index, element])

    @rule(name=spelled("linsert"), key=keys, where=st.sampled_from([b"BEFORE", b"after", b"x"]),
          pivot=elements, element=elements)
    def linsert(self, name, key, where, pivot, element):
        self.check([name, key, where, pivot, element])
        self.same_encoding(key)

    @rule(name=spelled("lrem"), key=keys, count=list_counts, element=elements)
    def lrem(self, name, key, count, element):
        self.check([name, key, count, element])

    @rule(name=spelled("lpos"), key=keys, element=elements, options=st.lists(st.tuples(
        st.sampled_from([b"RANK", b"count", b"MAXLEN", b"other"]), list_counts), max_size=3))
    def lpos(self, name, key, element, options):
        self.check([name, key, element, *(word for option in options for word in option)])

    @rule(name=spelled("lmove"), source=keys, destination=keys, wherefrom=list_sides,
          whereto=list_sides)
    def lmove(self, name, source, destination, wherefrom, whereto):
        self.check([name, source, destination, wherefrom, whereto])

    @rule(name=spelled("rpoplpush"), source=keys, destination=keys)
    def rpoplpush(self, name, source, destination):
        self.check([name, source, destination])

    @rule(name=spelled("lmpop"), numkeys=st.sampled_from([b"1", b"2", b"3", b"0", b"-1", b"x"]),
          names=st.lists(keys, min_size=1, max_size=3), side=list_sides,
          count=st.one_of(st.none(), list_counts))
    def lmpop(self, name, numkeys, names, side, count):
        self.check([name, numkeys, *names, side] + ([] if count is None else [b"COUNT", count]))

    def same_encoding(self, key: bytes) -> None:
        # A list's nodes are Redis's: the same DUMP, byte for byte (its listpacks, their split).
        if self.redis.call(b"TYPE", key) == b"+list\r\n":
            self.check([b"OBJECT", b"ENCODING", key])
            self.check([b"DUMP", key])

    # -- DUMP and RESTORE ----------------------------------------------------------------------------
    @rule(name=spelled("dump"), key=keys)
    def dump(self, name, key):
        # Byte for byte, but for a set in a hash table: its members come in another order (the
        # same encodings, so the same length).
        argv = [name, key]
        mine, theirs = self.both(argv)
        if mine != theirs:
            hashtable = self.redis.call(b"OBJECT", b"ENCODING", key) == b"$9\r\nhashtable\r\n"
            assert hashtable and len(mine) == len(theirs), explain(argv, mine, theirs)

    @rule(name=spelled("restore"), source=keys, destination=keys,
          ttl=st.one_of(relative_times(True), absolute_times(True)), options=restore_options)
    def restore(self, name, source, destination, ttl, options):
        # Each server RESTOREs the other's DUMP of ``source`` (or a payload of the list, when it
        # is missing): what Kedis writes, Redis reads, and the other way round.
        mine, theirs = (parse_resp(self.kedis_call(b"DUMP", source)),
                        parse_resp(self.redis.call(b"DUMP", source)))
        if theirs is None:
            mine = theirs = PAYLOADS[self.step % len(PAYLOADS)]
        ttl = self.materialize([ttl])[0]
        head, tail = [name, destination, ttl], [t for option in options for t in option]
        self.sent.append(head + [mine] + tail)
        my_reply = self.kedis.execute(*head, theirs, *tail).resp()
        their_reply = self.redis.call(*head, mine, *tail)
        assert my_reply == their_reply, explain(head + [b"<payload>"] + tail, my_reply,
                                                their_reply)

    # -- expiry ------------------------------------------------------------------------------------------
    @rule(data=st.data(), command=st.sampled_from(sorted(EXPIRE_COMMANDS)), key=keys,
          conditions=expire_conditions)
    def expire(self, data, command, key, conditions):
        in_ms, absolute = EXPIRE_COMMANDS[command]
        when = data.draw(absolute_times(in_ms) if absolute else relative_times(in_ms))
        self.check([data.draw(spelled(command)), key, when, *conditions])

    # -- connection and server -----------------------------------------------------------------------
    @rule(name=spelled("select"), index=databases)
    def select(self, name, index):
        self.check([name, index])

    @rule(command=st.sampled_from([
        [b"DBSIZE"], [b"PING"], [b"PING", b"hello"], [b"PING", b"a", b"b"], [b"ECHO", b"\x00x"],
        [b"ECHO", b""], [b"ping", b"\r\n"],
        [b"FLUSHDB"], [b"FLUSHDB", b"ASYNC"], [b"flushdb", b"sync"], [b"FLUSHDB", b"FOO"],
        [b"FLUSHDB", b"ASYNC", b"SYNC"], [b"FLUSHALL", b"SYNC"], [b"FLUSHALL", b"BAR"],
        [b"FLUSHALL", b"SYNC", b"ASYNC"], [b"FLUSHALL", b"async"],
    ]))
    def server(self, command):
        self.check(command)

    @rule(command=st.sampled_from([
        [b"CONFIG", b"GET", b"hz"], [b"config", b"get", b"HZ"], [b"CONFIG", b"GET", b"h?"],
        [b"CONFIG", b"SET", b"hz", b"20"], [b"CONFIG", b"SET", b"HZ", b"0"],
        [b"CONFIG", b"SET", b"hz", b"1000"], [b"CONFIG", b"SET", b"hz", b"-1"],
        [b"CONFIG", b"SET", b"hz", b"abc"], [b"CONFIG", b"SET", b"hz", b"01"],
        [b"CONFIG", b"SET", b"hz", b"2147483648"], [b"CONFIG", b"SET", b"hz", b""],
        [b"CONFIG", b"SET", b"hz", b"10", b"HZ", b"11"],
        [b"CONFIG", b"SET", b"hz", b"abc", b"hz", b"10"],
        [b"CONFIG", b"SET", b"databases", b"4"], [b"CONFIG", b"SET", b"DATABASES", b"16"],
        [b"CONFIG", b"SET", b"hz", b"abc", b"databases", b"4"],
        [b"CONFIG", b"SET", b"hz", b"10", b"databases", b"4", b"foo", b"1"],
        [b"CONFIG", b"SET", b"foo", b"1"], [b"CONFIG", b"SET", b"hz", b"10", b"foo", b"1"],
        [b"CONFIG", b"SET", b"hz", b"abc", b"foo", b"1"], [b"CONFIG", b"SET", b"hz", b"5", b"hz"],
        # the smallest string limit Redis allows, 1 MB, so that SETRANGE and APPEND can meet it
        [b"CONFIG", b"SET", b"proto-max-bulk-len", b"1mb"],
        [b"CONFIG", b"SET", b"proto-max-bulk-len", b"512mb"],
        [b"CONFIG", b"SET", b"foo\x00bar", b"5"], [b"CONFIG", b"FOO"], [b"CONFIG", b"foo", b"bar"],
        # how hard the active expiry cycles work (expiry.py): 1..10
        [b"CONFIG", b"GET", b"active-expire-effort"], [b"CONFIG", b"GET", b"active-expire-*"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"10"],
        [b"CONFIG", b"SET", b"ACTIVE-EXPIRE-EFFORT", b"1"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"0"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"11"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"-3"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"five"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"5", b"hz", b"abc"],
        [b"CONFIG", b"SET", b"active-expire-effort", b"3", b"hz", b"10"],
    ]))
    def config(self, command):
        self.check(command)

    @rule(data=st.data(), case=st.sampled_from(ARITY_VIOLATIONS))
    def wrong_arity(self, data, case):
        self.check(data.draw(_command_line(case)))

    @rule(name=st.binary(max_size=10), args=st.lists(st.one_of(
        st.binary(max_size=10), st.sampled_from([b"x" * 130, b"y" * 60, b"a\r\nb", b"\x00"])),
        max_size=4))
    def unknown_command(self, name, args):
        # Redis finds a command in a dict hashed over the whole name but compared as a C string:
        # "get\x00x" is found as GET only when its hash lands in GET's bucket, which depends on
        # the process's random hash seed. So names whose C string is a command are left out.
        # HELP is Kedis's own command (redis-cli answers it itself): not unknown to Kedis.
        assume(name.split(b"\x00", 1)[0].lower() not in self.redis_commands | {b"help"})
        self.check([name, *args])

    @rule(sub=st.sampled_from([b"GETKEYS", b"getkeysandflags"]),
          name=st.one_of(st.sampled_from(COMMAND_NAMES).flatmap(spelled),
                         st.sampled_from([b"foo", b"config|get"])),
          args=st.lists(st.one_of(keys, st.sampled_from([b"GET", b"get", b"1", b"DB", b"EX",
                                                          b"get\x00"])), max_size=4))
    def getkeys(self, sub, name, args):
        # As for unknown commands: a subcommand name with a NUL byte is found, or not, by chance.
        assume(not (name.lower() in (b"config", b"command") and args and b"\x00" in args[0]))
        self.check([b"COMMAND", sub, name, *args])

    # -- CLIENT and COMMAND ------------------------------------------------------------------------------
    @rule(mode=st.sampled_from([b"SKIP", b"skip", b"OFF", b"Off"]), commands=st.lists(
        st.one_of(st.tuples(st.sampled_from([b"GET", b"INCR", b"STRLEN", b"GET"]), keys),
                  st.tuples(st.just(b"SET"), keys, values),
                  st.sampled_from([(b"NOSUCH",), (b"GET",), (b"PING",),
                                   (b"CLIENT", b"REPLY", b"SKIP"), (b"CLIENT", b"REPLY", b"maybe"),
                                   (b"CLIENT", b"REPLY", b"ON")])).map(list), max_size=4))
    def client_reply(self, mode, commands):
        """CLIENT REPLY OFF or SKIP, a few commands, then CLIENT REPLY ON, in one pipeline: Redis
        answers only what is not silenced; Kedis's silenced replies are NO_REPLY (no bytes)."""
        argvs = [[b"CLIENT", b"REPLY", mode], *commands, [b"CLIENT", b"REPLY", b"ON"]]
        self.sent += argvs
        mine = b"".join(self.kedis.execute(*argv).resp() for argv in argvs)
        # What Redis answers: count the replies it sends, as the connection sees them.
        off, skip, skip_next, count = False, False, False, 0
        for argv in argvs:
            word = argv[2].lower() if argv[:2] == [b"CLIENT", b"REPLY"] else None
            if word == b"on":
                off = skip = False
            elif word == b"off":
                off = True
            elif word == b"skip" and not off:
                skip_next = True
            count += not (off or skip) and word not in (b"off", b"skip")
            skip, skip_next = skip_next, False
        self.redis.sock.sendall(b"".join(encode_command(argv) for argv in argvs))
        theirs = b"".join(self.redis._read_reply() for _ in range(count))
        assert mine == theirs, explain(argvs, mine, theirs)

    @rule(command=st.sampled_from([
        [b"CLIENT", b"GETREDIR"], [b"CLIENT", b"TRACKINGINFO"], [b"CLIENT", b"GETREDIR", b"x"],
        [b"CLIENT", b"UNBLOCK", b"1"], [b"CLIENT", b"UNBLOCK", b"99999", b"error"],
        [b"CLIENT", b"UNBLOCK", b"abc"], [b"CLIENT", b"UNBLOCK", b"1", b"later"],
        [b"CLIENT", b"UNBLOCK", b"1", b"x", b"y"], [b"CLIENT", b"NO-EVICT", b"on"],
        [b"CLIENT", b"NO-EVICT", b"OFF"], [b"CLIENT", b"NO-EVICT", b"x"],
        [b"CLIENT", b"PAUSE", b"abc"], [b"CLIENT", b"PAUSE", b"-5"], [b"CLIENT", b"PAUSE", b"1", b"x"],
        [b"CLIENT", b"PAUSE", b"1", b"WRITE", b"x"], [b"CLIENT", b"PAUSE"],
        [b"CLIENT", b"UNPAUSE"], [b"CLIENT", b"REPLY", b"x"], [b"CLIENT", b"KILL", b"ID", b"0"],
        [b"CLIENT", b"KILL", b"ID", b"99999999"], [b"CLIENT", b"KILL", b"TYPE", b"foo"],
        [b"CLIENT", b"KILL", b"TYPE", b"master"], [b"CLIENT", b"KILL", b"USER", b"nobody"],
        [b"CLIENT", b"KILL", b"a", b"b", b"c"], [b"CLIENT", b"KILL", b"SKIPME", b"maybe"],
        [b"CLIENT", b"KILL", b"1.2.3.4:5"], [b"CLIENT", b"LIST", b"TYPE", b"replica"],
        [b"CLIENT", b"LIST", b"TYPE", b"foo"], [b"CLIENT", b"LIST", b"ID", b"abc"],
        [b"CLIENT", b"LIST", b"ID", b"99999999", b"-1"], [b"CLIENT", b"LIST", b"FOO"],
        [b"CLIENT", b"SETNAME", b"a b"], [b"CLIENT", b"GETNAME"], [b"CLIENT", b"NOSUCH"],
        [b"COMMAND", b"COUNT", b"x"], [b"COMMAND", b"LIST", b"FILTERBY"], [b"COMMAND", b"FOO"],
    ]))
    def client_and_command(self, command):
        self.check(command)

    @rule(sub=st.sampled_from([b"INFO", b"info", b"DOCS"]), names=st.lists(st.one_of(
        st.sampled_from([b"", b"|", b"get|", b"get|x", b"config|", b"config|get|x", b"CONFIG|GET",
                         b"client|pause", b"Client|Reply", b"object|encoding", b"nosuch",
                         b"nosuch|x", b"x" * 300]),
        st.sampled_from(COMMAND_NAMES).map(lambda name: name.encode() + b"|x"),
        st.binary(max_size=6)), min_size=1, max_size=3))
    def command_info(self, sub, names):
        # Kedis's own words document its commands: COMMAND DOCS is compared for names that are
        # no command, which both must leave out. A name Redis has and Kedis has not is left out,
        # and so is a container asked for alone (its subcommands come in Redis's dict order),
        # and a name whose part before a NUL byte is a command (found, or not, by chance).
        def asked(name: bytes) -> bool:
            first = name.split(b"\x00")[0].split(b"|")[0].lower()
            if b"\x00" in name and first in self.redis_commands:
                return False
            return name.lower() not in TABLE and (
                first not in self.redis_commands or first in TABLE)

        names = [name for name in names if asked(name)]
        assume(names)
        if sub == b"DOCS":
            names = [name for name in names
                     if parse_resp(self.kedis_call(b"COMMAND", b"INFO", name)) == [None]]
            assume(names)  # (COMMAND DOCS alone documents every command, in Kedis's words)
        self.check([b"COMMAND", sub, *names])

    @rule(kind=st.sampled_from([b"PATTERN", b"pattern", b"ACLCAT", b"MODULE"]),
          value=st.one_of(patterns, st.sampled_from(
              [b"read", b"Write", b"keyspace", b"@read", b"connection\x00x", b"nosuch", b"",
               b"admin", b"dangerous", b"pubsub", b"slow", b"fast", b"string", b"set"])))
    def command_list(self, kind, value):
        """COMMAND LIST FILTERBY: the commands Redis names that Kedis has (Redis has more)."""
        argv = [b"COMMAND", b"LIST", b"FILTERBY", kind, value]
        mine, theirs = self.both(argv)
        ours = set(parse_resp(self.kedis_call(b"COMMAND", b"LIST")))
        a = sorted(name for name in parse_resp(mine) if name.decode() not in KEDIS_ONLY)
        b = sorted(name for name in parse_resp(theirs) if name in ours)
        assert a == b, explain(argv, mine, theirs)

    # -- the whole state --------------------------------------------------------------------------------
    @invariant()
    def same_keyspace(self):
        # DBSIZE counts expired keys not yet removed, and KEYS never removes them: neither
        # changes the state, so they can run after every step.
        self.check([b"DBSIZE"])
        self.check_unordered([b"KEYS", b"*"])

    @invariant()
    def same_rdb_changes(self):
        # Each step's commands must add as many changes in Kedis as in Redis (server.dirty).
        (mine, theirs), (my_last, their_last) = self.changes_now(), self.changes
        self.changes = (mine, theirs)
        sent, self.sent = self.sent, []
        assert mine - my_last == theirs - their_last, (
            f"rdb_changes_since_last_save grew by {mine - my_last} in Kedis, by "
            f"{theirs - their_last} in Redis, after {sent!r}")

    def teardown(self):
        # At the end, every value and TTL of the two databases the machine uses.
        if not hasattr(self, "kedis"):
            return
        try:
            self._check_everything()
        finally:  # the redis-server is the session's: the tests after this one expect defaults
            for command in DEFAULTS:
                self.redis.call(*command)

    def _check_everything(self):
        for index in (b"0", b"1"):
            self.check([b"SELECT", index])
            for key in self.check_unordered([b"KEYS", b"*"]):
                self.check([b"PTTL", key])
                if self.check([b"TYPE", key]) == b"+set\r\n":
                    self.check_unordered([b"SMEMBERS", key])
                else:
                    self.check([b"GET", key])


def _settings(examples: int, steps: int) -> settings:
    wanted = os.environ.get("KEDIS_DIFFERENTIAL_EXAMPLES")
    return settings(
        max_examples=int(wanted) if wanted else examples,
        stateful_step_count=steps,
        deadline=None,
        derandomize=not wanted,  # CI runs the same examples every time; set the variable to explore
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_kedis_answers_like_redis(redis):
    RedisTwin.redis = redis
    RedisTwin.redis_commands = frozenset(
        name.lower() for name in parse_resp(redis.call("COMMAND", "LIST")))
    run_state_machine_as_test(RedisTwin, settings=_settings(examples=300, steps=50))


# --- stateless properties: many patterns and numbers against one server ------------------------------
GLOB_KEYS = sorted({b"", b"a", b"b", b"ab", b"abc", b"a*", b"a?", b"[", b"]", b"[a]", b"^", b"-",
                    b"\\", b"a\\b", b"\x00", b"a\x00b", b"\x7f", b"\x80", b"\xfe", b"\xff", b"!",
                    b"z", b"key:1", b"key:12", b"\n", b"]!", b"]c", b"]\xff", b"a-b", b"a]b"})


def _stateless_settings(examples: int) -> settings:
    wanted = os.environ.get("KEDIS_DIFFERENTIAL_EXAMPLES")
    return settings(max_examples=int(wanted) if wanted else examples, deadline=None,
                    derandomize=not wanted, database=None)


def test_glob_patterns_select_the_same_keys(redis):
    """KEYS and SCAN MATCH with random patterns, over keys made of the glob's own characters."""
    db = kedis.Kedis()
    for key in GLOB_KEYS:
        assert db.execute(b"SET", key, b"1").resp() == redis.call(b"SET", key, b"1")

    @_stateless_settings(examples=1000)
    @given(pattern=patterns)
    def keys_match(pattern):
        mine, theirs = db.execute(b"KEYS", pattern).resp(), redis.call(b"KEYS", pattern)
        assert sorted(parse_resp(mine)) == sorted(parse_resp(theirs)), explain(
            [b"KEYS", pattern], mine, theirs)

    keys_match()


def test_incrbyfloat_adds_and_prints_like_redis(redis):
    """INCRBYFLOAT on random pairs of numbers, written in every way C's strtold reads."""
    db = kedis.Kedis()

    @_stateless_settings(examples=1000)
    @given(current=st.one_of(float_texts, integer_texts), increment=float_texts)
    def add(current, increment):
        for argv in ([b"SET", b"n", current], [b"INCRBYFLOAT", b"n", increment]):
            mine, theirs = db.execute(*argv).resp(), redis.call(*argv)
            assert mine == theirs, explain(argv, mine, theirs)

    add()


# --- COMMAND INFO and COMMAND GETKEYS -------------------------------------------------------------
def _elements(data: bytes) -> list[bytes]:
    """The raw bytes of each element of the RESP array ``data`` (one level down)."""
    count_end = data.index(b"\r\n")
    assert data[:1] == b"*", data[:20]
    position, items = count_end + 2, []
    for _ in range(int(data[1:count_end])):
        end = _frame_end(data, position)
        items.append(data[position:end])
        position = end
    return items


def _frame_end(data: bytes, start: int) -> int:
    line_end = data.index(b"\r\n", start)
    kind, count = data[start:start + 1], data[start + 1:line_end]
    if kind in (b"+", b"-", b":") or int(count) < 0:
        return line_end + 2
    if kind == b"$":
        return line_end + 2 + int(count) + 2
    position = line_end + 2
    for _ in range(int(count)):
        position = _frame_end(data, position)
    return position


INFO_NAMES = [name for cmd in TABLE.values() if cmd.name not in KEDIS_ONLY
              for name in [cmd.name, *(sub.name for sub in cmd.subcommands.values())]]


@pytest.mark.parametrize("name", INFO_NAMES)
def test_command_info_is_redis_s(redis, name):
    """COMMAND INFO <name>, byte for byte, for every command and subcommand Kedis has.

    A container's subcommands come in the order of Redis's dict, which a random hash seed shuffles
    for every redis-server process: that one list is compared as a set of byte-exact entries.
    """
    mine = kedis.Kedis().execute(b"COMMAND", b"INFO", name).resp()
    theirs = redis.call(b"COMMAND", b"INFO", name)
    if mine == theirs:
        return
    [my_entry], [their_entry] = _elements(mine), _elements(theirs)
    my_fields, their_fields = _elements(my_entry), _elements(their_entry)
    assert my_fields[:-1] == their_fields[:-1], explain([b"COMMAND", b"INFO", name], mine, theirs)
    my_subs, their_subs = sorted(_elements(my_fields[-1])), sorted(_elements(their_fields[-1]))
    # Kedis has some of CLIENT's, OBJECT's, PUBSUB's and FUNCTION's subcommands (no sharded
    # channels; no Lua libraries), each exactly as Redis's.
    if name in ("client", "object", "pubsub", "function"):
        assert set(my_subs) <= set(their_subs), explain([b"COMMAND", b"INFO", name], mine, theirs)
    else:
        assert my_subs == their_subs, explain([b"COMMAND", b"INFO", name], mine, theirs)


GETKEYS_CASES = [
    "GET a", "GET a b", "SET a b", "SET a b GET", "SET a b get", "SET a b EX get", "SET a get",
    "SET a b NX", "SET a b gets", "SET a", "GETEX a EX 10", "MSET a 1 b 2", "MSET a 1 b", "MSET a",
    "MGET a b c", "DEL a b c", "EXISTS a b", "EXPIRE a 10", "RENAME a b", "COPY a b DB 1",
    "KEYS a", "SCAN 0", "PING", "ECHO a", "DBSIZE x", "TIME 1", "CONFIG GET a", "CONFIG GET",
    "CONFIG FOO", "COMMAND INFO", "FOO a", "config|get a", "GETDEL a", "GETSET a b",
    "SADD s a b", "SINTERSTORE d a b", "SMOVE a b m", "SINTERCARD 2 a b LIMIT 1",
    "SINTERCARD 02 a b", "SINTERCARD 3 a b", "SINTERCARD 0 a", "SSCAN s 0", "SPOP s 2",
    "DUMP a", "DUMP a b", "RESTORE a 0 x", "RESTORE a 0 x REPLACE", "RESTORE a 0",
    "SETBIT k 0 1", "GETBIT k 0", "BITCOUNT k", "BITPOS k 1 0", "BITOP AND d a b", "BITOP NOT d",
    "BITFIELD k", "BITFIELD k GET u8 0", "BITFIELD k OVERFLOW SAT GET u8 0", "BITFIELD k GET u8",
    "BITFIELD k SET u8 0 1", "BITFIELD k GET u8 0 INCRBY u8 0 1", "BITFIELD k FOO",
    "BITFIELD_RO k GET u8 0", "LCS a b", "LCS a", "LCS a b IDX", "SUBSTR k 0 1",
]


@pytest.mark.parametrize("sub", ["GETKEYS", "GETKEYSANDFLAGS"])
@pytest.mark.parametrize("line", GETKEYS_CASES)
def test_command_getkeys_is_redis_s(redis, sub, line):
    argv = [b"COMMAND", sub.encode(), *line.encode().split()]
    mine, theirs = kedis.Kedis().execute(*argv).resp(), redis.call(*argv)
    assert mine == theirs, explain(argv, mine, theirs)


# --- recorded regressions: every mismatch this test found, kept fixed ---------------------------------
HUGE = b"1" * 4500  # more digits than Python converts between int and text in one go (4300)

REGRESSIONS = {
    "an index beyond 32 bits names the int range": [
        [b"SELECT", b"2147483648"], [b"SELECT", b"-2147483649"], [b"SET", b"a", b"1"],
        [b"COPY", b"a", b"b", b"DB", b"99999999999"]],
    "SET's key flags depend on GET": [
        [b"COMMAND", b"GETKEYSANDFLAGS", b"SET", b"a", b"b"],
        [b"COMMAND", b"GETKEYSANDFLAGS", b"SET", b"a", b"b", b"GET"],
        [b"COMMAND", b"GETKEYSANDFLAGS", b"SET", b"a", b"b", b"EX", b"get"],
        [b"COMMAND", b"GETKEYSANDFLAGS", b"SET", b"a", b"get"],
        [b"COMMAND", b"GETKEYSANDFLAGS", b"SET", b"a", b"b", b"get\x00x"]],
    "GETKEYS checks the name, then keys, then arity": [
        [b"COMMAND", b"GETKEYS", b"config|get", b"a"], [b"COMMAND", b"GETKEYS", b"DBSIZE", b"x"],
        [b"COMMAND", b"GETKEYS", b"CONFIG", b"GET"], [b"COMMAND", b"GETKEYS", b"TIME", b"1"]],
    "CONFIG SET checks every name before any value": [
        [b"CONFIG", b"SET", b"hz", b"abc", b"hz", b"10"],
        [b"CONFIG", b"SET", b"hz", b"abc", b"databases", b"10"],
        [b"CONFIG", b"SET", b"hz", b"10", b"databases", b"10", b"foo", b"1"],
        [b"CONFIG", b"SET", b"hz", b"abc", b"foo", b"1"], [b"CONFIG", b"GET", b"hz"]],
    "CONFIG SET names a refused value's parameter in lower case": [
        [b"CONFIG", b"SET", b"HZ", b"abc"], [b"CONFIG", b"SET", b"Proto-Max-Bulk-Len", b"1"]],
    "INCRBYFLOAT with a huge exponent answers at once": [
        [b"INCRBYFLOAT", b"n", b"1e-99999999999"], [b"INCRBYFLOAT", b"n", b"1e99999999999"],
        [b"INCRBYFLOAT", b"n", b"0x1p-99999999999"], [b"INCRBYFLOAT", b"n", b"0e99999999999"],
        [b"INCRBYFLOAT", b"n", b"1e" + b"0" * 4400 + b"5"]],
    "INCRBYFLOAT reads and prints thousands of digits": [
        [b"INCRBYFLOAT", b"n", HUGE], [b"INCRBYFLOAT", b"n", b"1"], [b"SET", b"m", HUGE],
        [b"INCRBYFLOAT", b"m", b"0.5"], [b"INCRBYFLOAT", b"p", b"1e4932"],
        [b"INCRBYFLOAT", b"q", b"-1.18973149535723176502e+4932"],
        [b"INCRBYFLOAT", b"r", b"0x1p16383"], [b"INCRBYFLOAT", b"s", b"1" * 5119]],
    "SCAN reads its cursor like strtoul": [
        [b"SET", b"a", b"1"], [b"SCAN", b"0\x00abc"], [b"SCAN", b"0" * 5000], [b"SCAN", HUGE],
        [b"SCAN", b"-"]],
    "glob ranges compare signed chars": [
        [b"MSET", b"!", b"1", b"c", b"1", b"\xff", b"1", b"\x00", b"1", b"\x80", b"1"],
        [b"KEYS", b"[\xff-a]"], [b"KEYS", b"[a-\xff]"], [b"KEYS", b"[\x80-\xfe]"],
        [b"KEYS", b"[^\xff-a]"], [b"KEYS", b"][a\xff-a\x00"], [b"SCAN", b"0", b"MATCH", b"[\xff-a]"]],
}


@pytest.mark.timeout(30)  # INCRBYFLOAT 1e-99999999999 once took forever
@pytest.mark.parametrize("commands", REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_recorded_regressions(redis, commands):
    db = kedis.Kedis()
    redis.call("CONFIG", "SET", "hz", "10")
    for argv in commands:
        mine, theirs = db.execute(*argv).resp(), redis.call(*argv)
        assert in_any_order(argv, mine) == in_any_order(argv, theirs), explain(argv, mine, theirs)


def in_any_order(argv: list[bytes], reply: bytes):
    """A reply with the order of KEYS's keys, or of one SCAN call's keys, taken out."""
    if reply[:1] != b"*" or argv[0].upper() not in (b"KEYS", b"SCAN"):
        return reply
    value = parse_resp(reply)
    return sorted(value) if argv[0].upper() == b"KEYS" else (value[0], sorted(value[1]))
