"""DEBUG (kedis/commands/debug.py), against redis-server where the answer is deterministic.

Byte for byte with Redis: the refusal while ``enable-debug-command`` says no (and where it
comes: after the arity, before AUTH and MULTI), the errors, DIGEST and DIGEST-VALUE of the same
data, DEBUG OBJECT's fields but the address and the clock's ``lru``, POPULATE's keys, PROTOCOL in
RESP2 and RESP3, RELOAD's answers and its effect. Kedis's own: SET-ACTIVE-EXPIRE on the cycles,
SLEEP blocking the server, LOADAOF, LOG, CHANGE-REPL-ID.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from compare import OK, changes_since_save, info_fields, parse_resp, same
from hypothesis import given, settings
from hypothesis import strategies as st
from kedis_server import KedisServerThread
from redis_oracle import RawClient, RedisServer, encode_command, free_port
from strategies_redis import keys, members, values

import kedis
from kedis.commands.debug import _atoi, _strtod
from kedis.network.server import ServerConfig, parse_arguments

DEBUG_ALLOWED = {"enable-debug-command": "yes"}
NOT_ALLOWED = (b'-ERR DEBUG command not allowed. If the enable-debug-command option is set to '
               b'"local", you can run it from a local connection, otherwise you need to set this '
               b'option in the configuration file, and then restart the server.\r\n')


@pytest.fixture
def ddb(db: kedis.Kedis) -> kedis.Kedis:
    """The ``db`` engine (fake clock), started with DEBUG allowed."""
    db.configure(DEBUG_ALLOWED)
    return db


@pytest.fixture(scope="module")
def strict_redis():
    """A redis-server with Redis's default: enable-debug-command no."""
    server = RedisServer(options=["--enable-debug-command", "no"])
    yield server
    server.stop()


def _stat(reply: bytes, name: str) -> str:
    # One command's counters, from INFO commandstats, without its timings.
    line = info_fields(parse_resp(reply))[f"cmdstat_{name}"]
    return ",".join(part for part in line.split(",") if "usec" not in part)


# --- who may run DEBUG ------------------------------------------------------------------------------
@pytest.mark.redis
def test_debug_is_refused_by_default_as_redis_refuses_it(db, strict_redis):
    redis = strict_redis.client()
    redis.call("CONFIG", "RESETSTAT")
    assert db.run("CONFIG GET enable-debug-command").value == [b"enable-debug-command", b"no"]
    assert same(db, redis, "DEBUG", "HELP") == NOT_ALLOWED
    assert same(db, redis, "debug", "sleep", "0") == NOT_ALLOWED
    # The arity is checked first; an unknown subcommand is refused all the same.
    same(db, redis, "DEBUG")
    assert same(db, redis, "DEBUG", "NOSUCH") == NOT_ALLOWED
    assert same(db, redis, "CONFIG", "SET", "enable-debug-command", "yes").startswith(
        b"-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't "
        b"set immutable config")
    # Refused before it ran: counted as rejected, as a wrong arity is.
    mine, theirs = db.execute("INFO", "commandstats").resp(), redis.call("INFO", "commandstats")
    assert _stat(mine, "debug") == _stat(theirs, "debug") == \
        "calls=0,rejected_calls=4,failed_calls=0"
    same(db, redis, "INFO", "errorstats")
    redis.close()


@pytest.mark.redis
def test_a_refused_debug_aborts_the_transaction_and_comes_before_auth(db, strict_redis):
    redis = strict_redis.client()
    for command in (["MULTI"], ["DEBUG", "HELP"], ["SET", "a", "1"], ["EXEC"], ["GET", "a"]):
        same(db, redis, *command)
    redis.call("CONFIG", "SET", "requirepass", "secret")
    db.run("CONFIG SET requirepass secret")
    stranger, client = strict_redis.client(), db.new_client()
    try:
        assert stranger.call("DEBUG", "HELP") == NOT_ALLOWED  # not NOAUTH: it comes first
        assert db.execute("DEBUG", "HELP", client=client).resp() == NOT_ALLOWED
        assert stranger.call("GET", "a") == db.execute("GET", "a", client=client).resp()
    finally:
        redis.call("CONFIG", "SET", "requirepass", "")
        stranger.close()
        redis.close()


def test_local_allows_the_clients_on_this_machine_and_in_the_engine(db):
    db.configure({"enable-debug-command": "local"})
    assert db.run("DEBUG SET-ACTIVE-EXPIRE 1").value == "OK"  # the engine's own client: local
    remote = db.new_client()
    remote.local = False  # (what kedis-server says of a peer that is not on loopback)
    assert db.execute("DEBUG", "SET-ACTIVE-EXPIRE", "1", client=remote).resp() == NOT_ALLOWED


def test_the_dispatcher_finds_debug_only_after_a_miss(ddb):
    # The hot path looks in ``commands``, which holds no protected command.
    assert b"debug" not in ddb.commands and b"DEBUG" not in ddb.commands
    assert ddb.protected[b"debug"].protected == "enable-debug-command"
    assert ddb.run("Debug set-active-expire 1").value == "OK"
    assert "cmdstat_debug:calls=1," in ddb.run("INFO commandstats").value


def test_kedis_server_takes_enable_debug_command():
    config = parse_arguments(["--enable-debug-command", "yes"])
    assert config.engine_config["enable-debug-command"] == "yes"
    assert "enable-debug-command" not in parse_arguments([]).engine_config


def test_kedis_server_allows_debug_to_loopback_clients_with_local(clock):
    engine = kedis.Kedis(clock=clock)
    engine.configure({"enable-debug-command": "local"})
    server = KedisServerThread(ServerConfig(), engine=engine)
    try:
        client = RawClient(server.port)
        assert client.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == OK
        client.close()
    finally:
        server.stop()


# --- subcommands and errors -------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["DEBUG", "NOSUCH"], ["DEBUG", "help", "x"], ["DEBUG", "LOG"], ["DEBUG", "OBJECT"],
    ["DEBUG", "OBJECT", "a", "b"], ["DEBUG", "OBJECT", "missing"], ["DEBUG", "DIGEST", "x"],
    ["DEBUG", "SLEEP"], ["DEBUG", "SET-ACTIVE-EXPIRE"], ["DEBUG", "PROTOCOL"],
    ["DEBUG", "PROTOCOL", "nosuch"], ["DEBUG", "PROTOCOL", "push"], ["DEBUG", "POPULATE"],
    ["DEBUG", "POPULATE", "-1"], ["DEBUG", "POPULATE", "x"], ["DEBUG", "POPULATE", "1", "p", "-3"],
    ["DEBUG", "POPULATE", "1", "p", "3", "x"], ["DEBUG", "RELOAD", "nosuch"],
    ["DEBUG", "RELOAD", "MERGE", "x"], ["DEBUG", "ERROR"], ["DEBUG", "CHANGE-REPL-ID", "x"],
    ["DEBUG", "x" * 200], ["DEBUG", "DIGEST-VALUE"], ["DEBUG", "JMAP"],
], ids=" ".join)
def test_errors_are_redis_s(ddb, redis, command):
    assert same(ddb, redis, *command).startswith(b"-") or command[1] == "DIGEST-VALUE"


@pytest.mark.redis
def test_help_lists_redis_s_lines_for_the_subcommands_kedis_has(ddb, redis):
    mine = ddb.run("DEBUG HELP").value
    theirs = parse_resp(redis.call("DEBUG", "HELP"))
    assert mine[0] == theirs[0] and mine[-2:] == theirs[-2:]  # the title, and HELP's own
    # Each subcommand's entry (its line and its description) is Redis's, in Redis's order.
    entries = [entry for entry in _entries(theirs[1:-2]) if entry[0] in _entries_names(mine)]
    assert _entries(mine[1:-2]) == entries
    assert {entry[0].split()[0] for entry in entries} == {
        "CHANGE-REPL-ID", "DIGEST", "DIGEST-VALUE", "ERROR", "LOG", "LOADAOF", "OBJECT",
        "POPULATE", "PROTOCOL", "QUICKLIST-PACKED-THRESHOLD", "RELOAD", "SET-ACTIVE-EXPIRE",
        "SLEEP"}


def _entries(lines: list[str]) -> list[tuple[str, ...]]:
    entries: list[list[str]] = []
    for line in lines:
        if line.startswith(" "):
            entries[-1].append(line)
        else:
            entries.append([line])
    return [tuple(entry) for entry in entries]


def _entries_names(lines: list[str]) -> set[str]:
    return {line for line in lines[1:-2] if not line.startswith(" ")}


@pytest.mark.redis
def test_command_docs_of_debug_are_redis_s_but_its_summary(ddb, redis):
    mine = dict(zip(*[iter(ddb.run("COMMAND DOCS debug").value[1])] * 2, strict=True))
    theirs = parse_resp(redis.call("COMMAND", "DOCS", "debug"))[1]
    theirs = dict(zip(theirs[::2], theirs[1::2], strict=True))
    for field in (b"since", b"group", b"complexity", b"doc_flags"):
        assert mine[field] == theirs[field], field


@pytest.mark.redis
def test_error_answers_its_argument_uncounted(ddb, redis):
    assert same(ddb, redis, "DEBUG", "ERROR", "FOO bar") == b"-FOO bar\r\n"
    assert same(ddb, redis, "DEBUG", "ERROR", "two\r\nlines") == b"-two  lines\r\n"
    same(ddb, redis, "INFO", "errorstats")  # (empty on both: not an error Redis counts)
    mine, theirs = ddb.execute("INFO", "commandstats").resp(), redis.call("INFO", "commandstats")
    assert _stat(mine, "debug") == _stat(theirs, "debug") == \
        "calls=2,rejected_calls=0,failed_calls=0"


# --- DIGEST and DIGEST-VALUE ------------------------------------------------------------------------
DATASETS = {
    "empty": [],
    "strings": [["SET", "s", "hello"], ["SET", "n", "12"], ["SET", "big", "x" * 100],
                ["SET", "bin", b"\x00\xff\r\n"], ["SET", "", "empty name"], ["SET", "e", ""]],
    "bitmaps and in-place strings": [["SETBIT", "b", "100", "1"], ["SET", "a", "abc"],
                                     ["APPEND", "a", "def"], ["SETRANGE", "r", "3", "xy"]],
    "sets": [["SADD", "ints", "3", "1", "2"], ["SADD", "wide", "1", "70000", "-5000000000"],
             ["SADD", "words", "b", "a", "c", "1"], ["SADD", "one", "x"]],
    "TTLs": [["SET", "t", "v", "EX", "1000"], ["SET", "u", "v", "PX", "123456789"],
             ["SADD", "st", "m"], ["EXPIRE", "st", "5000"], ["SET", "p", "v"]],
    "several databases": [["SET", "a", "1"], ["SELECT", "1"], ["SET", "a", "1"],
                          ["SELECT", "15"], ["SADD", "s", "x", "y"], ["SELECT", "0"]],
    "moved": [["SET", "a", "1"], ["SWAPDB", "0", "3"]],
}


@pytest.mark.redis
@pytest.mark.parametrize("name", DATASETS)
def test_digests_are_redis_s(ddb, redis, name):
    for command in DATASETS[name]:
        same(ddb, redis, *command)
    same(ddb, redis, "DEBUG", "DIGEST")
    keys = {argv[1] for argv in DATASETS[name] if argv[0] not in ("SELECT", "SWAPDB")}
    same(ddb, redis, "DEBUG", "DIGEST-VALUE", *sorted(keys, key=str), "missing")


_operations = st.one_of(
    st.tuples(st.just(b"SET"), keys, values),
    st.tuples(st.just(b"SET"), keys, values, st.just(b"EX"), st.just(b"1000")),
    st.builds(lambda key, chosen: (b"SADD", key, *chosen), keys,
              st.lists(members, min_size=1, max_size=6)),
    st.tuples(st.just(b"SETBIT"), keys, st.integers(0, 200).map(b"%d".__mod__), st.just(b"1")),
    st.tuples(st.just(b"APPEND"), keys, values),
    st.tuples(st.just(b"EXPIRE"), keys, st.just(b"5000")),
    st.tuples(st.just(b"PERSIST"), keys),
    st.tuples(st.just(b"DEL"), keys),
    st.tuples(st.just(b"SELECT"), st.sampled_from([b"0", b"1", b"5"])),
    st.tuples(st.just(b"SWAPDB"), st.sampled_from([b"0", b"1"]), st.sampled_from([b"1", b"5"])),
)


@pytest.mark.redis
def test_random_datasets_have_redis_s_digests(ddb, redis):
    """Whatever the data: the same digest of the store, and of each key's value."""

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(operations=st.lists(_operations, max_size=25))
    def digests(operations):
        for argv in ([b"FLUSHALL"], [b"SELECT", b"0"], *operations):
            mine, theirs = ddb.execute(*argv).resp(), redis.call(*argv)
            assert mine == theirs, argv
        for index in (b"0", b"1", b"5"):
            ddb.execute(b"SELECT", index)
            redis.call(b"SELECT", index)
            names = sorted(parse_resp(redis.call(b"KEYS", b"*")))
            assert same(ddb, redis, b"DEBUG", b"DIGEST-VALUE", *names, b"missing")
        assert same(ddb, redis, b"DEBUG", b"DIGEST")

    digests()


@pytest.mark.redis
def test_a_digest_sees_order_in_strings_not_in_sets_nor_keys(ddb, redis):
    digests = []
    for commands in ([["SADD", "s", "a", "b"], ["SET", "x", "ab"], ["SET", "y", "1"]],
                     [["SET", "y", "1"], ["SET", "x", "ab"], ["SADD", "s", "b", "a"]]):
        for command in [["FLUSHALL"], *commands]:
            same(ddb, redis, *command)
        digests.append(same(ddb, redis, "DEBUG", "DIGEST"))
    assert digests[0] == digests[1]
    same(ddb, redis, "SET", "x", "ba")
    assert same(ddb, redis, "DEBUG", "DIGEST") != digests[0]


@pytest.mark.redis
def test_digest_value_of_an_expired_key_still_there(ddb, redis, clock):
    # Straight from the dict: a key whose deadline passed and that nobody removed yet.
    same(ddb, redis, "SET", "k", "v", "PX", "50")
    time.sleep(0.1)  # (the oracle's active expiry is off, as the fixture leaves it)
    clock.advance(0.1)
    same(ddb, redis, "DEBUG", "DIGEST-VALUE", "k")
    same(ddb, redis, "DEBUG", "DIGEST")
    same(ddb, redis, "DBSIZE")


# --- DEBUG OBJECT -------------------------------------------------------------------------------------
def _fields(line: bytes) -> dict[str, str]:
    # Redis's "Value at:0x... refcount:1 encoding:... serializedlength:... lru:... lru_seconds_idle:0"
    text = line.decode()
    assert text.startswith("+Value at:0x") and text.endswith("\r\n"), text
    fields = dict(part.split(":", 1) for part in text[len("+Value "):-2].split(" "))
    int(fields.pop("at"), 16)
    int(fields.pop("lru"))  # (the LRU clock: each server's own time)
    # Seconds since the last access, on each server's own LRU clock (ticking in whole seconds,
    # so a key just written may already show 1 on redis-server): a number, compared apart.
    fields["lru_seconds_idle"] = int(fields["lru_seconds_idle"])
    return fields


OBJECTS = [
    ["SET", "k", "12"], ["SET", "k", "9999"], ["SET", "k", "10000"], ["SET", "k", "-1"],
    ["SET", "k", "12345678901"], ["SET", "k", "123456789012345678901"], ["SET", "k", "hello"],
    ["SET", "k", "a" * 44], ["SET", "k", "a" * 45], ["SET", "k", "abc" * 30],
    ["SET", "k", bytes(range(256)) * 4], ["SET", "k", "0" * 20000], ["SETBIT", "k", "999", "1"],
    ["SADD", "k", "1", "2", "3"], ["SADD", "k", "1", "100000"], ["SADD", "k", "1", "x"],
    ["SADD", "k", *[f"member-{n}" for n in range(100)]],
]


@pytest.mark.redis
@pytest.mark.parametrize("command", OBJECTS, ids=lambda c: " ".join(map(str, c))[:40])
@pytest.mark.parametrize("compression", ["yes", "no"])
def test_debug_object_is_redis_s(ddb, redis, command, compression):
    redis.call("CONFIG", "SET", "rdbcompression", compression)
    try:
        ddb.run(f"CONFIG SET rdbcompression {compression}")
        same(ddb, redis, "DEL", "k")
        same(ddb, redis, *command)
        mine = _fields(ddb.execute("DEBUG", "OBJECT", "k").resp())
        theirs = _fields(redis.call("DEBUG", "OBJECT", "k"))
        assert mine.pop("lru_seconds_idle") == 0  # (the fake clock has not moved)
        idle = theirs.pop("lru_seconds_idle")
        # (A shared integer is one object for every key that holds it, whose clock is its last
        # read by any key since redis-server started: not this key's. Kedis keeps the key's.)
        assert idle in (0, 1) or theirs["refcount"] == "2147483647"
        assert mine == theirs
    finally:
        redis.call("CONFIG", "SET", "rdbcompression", "yes")


def test_debug_object_neither_touches_nor_expires(ddb, clock):
    ddb.run("SET k v PX 5000")
    clock.advance(10)
    line = ddb.run("DEBUG OBJECT k").value
    assert line.endswith(" lru_seconds_idle:10") and "encoding:embstr" in line
    assert ddb.run("DBSIZE").value == 1  # described, not expired
    assert ddb.run("OBJECT IDLETIME k").value is None  # (OBJECT, a lookup, does expire it)


# --- DEBUG POPULATE -----------------------------------------------------------------------------------
@pytest.mark.redis
def test_populate_is_redis_s(ddb, redis):
    for command in (["SET", "key:3", "mine"], ["DEBUG", "POPULATE", "10"],
                    ["DEBUG", "POPULATE", "3", "p", "3"], ["DEBUG", "POPULATE", "2", "q", "50"],
                    ["DEBUG", "POPULATE", "2", "z" * 130], ["DEBUG", "POPULATE", "1", "nul\x00x"],
                    ["DEBUG", "POPULATE", "0"], ["DBSIZE"], ["GET", "key:3"], ["GET", "key:9"],
                    ["GET", "p:2"], ["GET", "q:1"], ["OBJECT", "ENCODING", "key:0"],
                    ["OBJECT", "ENCODING", "q:0"], ["DEBUG", "DIGEST"]):
        same(ddb, redis, *command)
    assert sorted(ddb.run("KEYS *").value) == sorted(parse_resp(redis.call("KEYS", "*")))
    assert changes_since_save(ddb.execute("INFO", "persistence").resp()) == 1  # the SET only


# --- DEBUG PROTOCOL ------------------------------------------------------------------------------------
TYPES = ["string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push",
         "verbatim", "true", "false", "TRUE"]


@pytest.mark.redis
@pytest.mark.parametrize("kind", TYPES)
def test_protocol_in_resp2_is_redis_s(ddb, redis, kind):
    same(ddb, redis, "DEBUG", "PROTOCOL", kind)


def _received_resp3(port: int, commands: list[list[str]]) -> bytes:
    """What one connection receives for ``commands`` after HELLO 3 (each server answers HELLO
    its own way: what comes before the first marker is left out), up to the last marker."""
    start, end = b"$9\r\n--start--\r\n", b"$7\r\n--end--\r\n"
    pipeline = [[b"HELLO", b"3"], [b"ECHO", b"--start--"],
                *([part.encode() for part in command] for command in commands),
                [b"ECHO", b"--end--"]]
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(5)
        sock.sendall(b"".join(map(encode_command, pipeline)))
        data = b""
        while not data.endswith(end):
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {data!r}"
            data += chunk
    return data[data.index(start) + len(start):-len(end)]


@pytest.mark.redis
def test_protocol_in_resp3_is_redis_s(redis_server, kedis_server):
    kedis_server.engine.configure(DEBUG_ALLOWED)
    commands = [["DEBUG", "PROTOCOL", kind] for kind in TYPES]
    mine = _received_resp3(kedis_server.port, commands)
    theirs = _received_resp3(redis_server.port, commands)
    assert mine == theirs
    assert b"|1\r\n$14\r\nkey-popularity\r\n" in mine and b",3.141\r\n" in mine


# --- SET-ACTIVE-EXPIRE and SLEEP ---------------------------------------------------------------------
def test_set_active_expire_stops_and_restarts_both_cycles(ddb, clock):
    for n in range(100):
        ddb.execute("SET", f"k{n}", "v", "PX", "100")
    clock.advance(1)
    assert ddb.run("DEBUG SET-ACTIVE-EXPIRE 0").value == "OK"
    ddb.tick()
    assert ddb.before_sleep() is None
    assert ddb.run("DBSIZE").value == 100  # nothing expired actively
    assert "active expiry is off" in ddb.expiry.why_not_fast()
    assert ddb.run("GET k0").value is None  # lazy expiry still works
    assert ddb.run("DEBUG SET-ACTIVE-EXPIRE 1").value == "OK"
    ddb.tick()
    assert ddb.run("DBSIZE").value < 99


@pytest.mark.parametrize("text, number", [
    (b"0", 0), (b"1", 1), (b"-1", -1), (b" 12x", 12), (b"x", 0), (b"", 0), (b"+7", 7),
    (b"4294967296", 0), (b"4294967297", 1), (b"99999999999999999999", -1), (b"1.5", 1)])
def test_set_active_expire_reads_its_argument_as_c_s_atoi(text, number):
    assert _atoi(text) == number


@pytest.mark.parametrize("text, seconds", [
    (b"0.5", 0.5), (b"1e-3", 0.001), (b"  2", 2.0), (b"1.5abc", 1.5), (b"abc", 0.0),
    (b"-1", -1.0), (b".5", 0.5), (b"0x10", 16.0), (b"inf", float("inf"))])
def test_sleep_reads_its_argument_as_c_s_strtod(text, seconds):
    assert _strtod(text) == seconds


def test_sleep_stops_the_whole_server():
    engine = kedis.Kedis()
    engine.configure(DEBUG_ALLOWED)
    server = KedisServerThread(ServerConfig(), engine=engine)
    try:
        sleeper, other = RawClient(server.port), RawClient(server.port)
        started = time.monotonic()
        sleeper.sock.sendall(encode_command([b"DEBUG", b"SLEEP", b"0.3"]))
        time.sleep(0.05)
        assert other.call("PING") == b"+PONG\r\n"  # answered only once the sleep is over
        assert time.monotonic() - started >= 0.3
        assert sleeper._read_reply() == OK
        for quick in (b"-1", b"abc", b"inf", b"nan", b"0"):
            started = time.monotonic()
            assert sleeper.call("DEBUG", "SLEEP", quick) == OK
            assert time.monotonic() - started < 0.2
        sleeper.close()
        other.close()
    finally:
        server.stop()


# --- RELOAD and LOADAOF --------------------------------------------------------------------------------
def _engine(tmp_path, **config) -> kedis.Kedis:
    engine = kedis.Kedis(config={"dir": str(tmp_path), "save": "", **DEBUG_ALLOWED, **config})
    return engine


def test_reload_saves_and_loads_the_same_store(tmp_path):
    db = _engine(tmp_path, dbfilename="reload.rdb")
    db.run("SET a 1")
    db.run("SADD s x y 3")
    db.run("SET t v EX 1000")
    db.run("SELECT 2")
    db.run("SET b hello")
    digest = db.run("DEBUG DIGEST").value
    assert info_fields(db.run("INFO persistence").value)["rdb_changes_since_last_save"] != "0"
    assert db.run("DEBUG RELOAD").value == "OK"
    assert (tmp_path / "reload.rdb").exists()
    assert db.run("DEBUG DIGEST").value == digest
    db.run("SELECT 0")
    assert 990 <= db.run("TTL t").value <= 1000
    persistence = info_fields(db.run("INFO persistence").value)
    assert persistence["rdb_changes_since_last_save"] == "0"


def test_reload_options(tmp_path):
    db = _engine(tmp_path)
    db.run("SET a file")
    db.run("SET b file")
    db.run("SAVE")
    db.run("SET a memory")
    db.run("SET c memory")
    # NOFLUSH without MERGE: a key on both sides (Redis panics); Kedis refuses, changes nothing.
    assert db.run("DEBUG RELOAD NOSAVE NOFLUSH").value == "ERR Error trying to load the RDB dump"
    assert db.run("MGET a b c").value == [b"memory", b"file", b"memory"]
    assert db.run("DEBUG RELOAD nosave noflush merge").value == "OK"
    assert db.run("MGET a b c").value == [b"file", b"file", b"memory"]
    assert info_fields(db.run("INFO persistence").value)["rdb_changes_since_last_save"] == "2"
    assert db.run("DEBUG RELOAD NOSAVE").value == "OK"
    assert db.run("MGET a b c").value == [b"file", b"file", None]
    os.unlink(tmp_path / "dump.rdb")
    assert db.run("DEBUG RELOAD NOSAVE").value == "ERR Error trying to load the RDB dump"
    assert db.run("DBSIZE").value == 0  # emptied first, as Redis does


def test_reload_merge_takes_the_file_s_deadline(tmp_path):
    db = _engine(tmp_path)
    db.run("SET a file")
    db.run("SET b file EX 1000")
    db.run("SAVE")
    db.run("SET a memory EX 500")
    db.run("SET b memory")
    assert db.run("DEBUG RELOAD NOSAVE NOFLUSH MERGE").value == "OK"
    assert [db.run("TTL a").value, db.run("TTL b").value > 990] == [-1, True]


@pytest.mark.redis
def test_reload_is_redis_s(ddb, redis):
    # (the oracle's dir is a folder of its own; the engine's is this test's cwd: a temp folder)
    for command in (["SET", "a", "1"], ["SADD", "s", "1", "x"], ["SET", "t", "v", "EX", "100"],
                    ["DEBUG", "RELOAD"], ["MGET", "a", "t"], ["SMISMEMBER", "s", "1", "x", "y"],
                    ["SCARD", "s"], ["DBSIZE"],
                    ["DEBUG", "DIGEST"], ["SET", "a", "2"], ["DEBUG", "RELOAD", "NOSAVE"],
                    ["GET", "a"], ["DEBUG", "DIGEST"]):
        same(ddb, redis, *command)
    # A SAVE cleans the store; a load alone (NOSAVE) leaves the changes since as they were.
    assert changes_since_save(ddb.execute("INFO", "persistence").resp()) == changes_since_save(
        redis.call("INFO", "persistence")) == 1


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the engines' dir is where they start: not the project's


def test_loadaof_replays_the_append_only_file(tmp_path):
    db = _engine(tmp_path, appendonly="yes")
    db.run("SET a 1")
    db.run("SET b v EX 1000")
    db.run("SADD s x y")
    db.run("INCR a")
    digest = db.run("DEBUG DIGEST").value
    clients = len(db.clients)
    assert db.run("DEBUG LOADAOF").value == "OK"
    assert db.run("DEBUG DIGEST").value == digest
    assert db.run("GET a").value == b"2" and 990 < db.run("TTL b").value <= 1000
    assert len(db.clients) == clients  # the replay's client is gone with it
    db.run("SET c 3")  # the AOF goes on after it
    assert db.run("DEBUG LOADAOF").value == "OK"
    assert db.run("GET c").value == b"3"
    db.shutdown()


def test_loadaof_without_an_aof_empties_and_answers_an_error_when_embedded(tmp_path):
    db = _engine(tmp_path)
    db.run("SET a 1")
    assert db.run("DEBUG LOADAOF").value.startswith("ERR DEBUG LOADAOF: there is no append only")
    assert db.run("DBSIZE").value == 0


@pytest.mark.redis
def test_loadaof_without_an_aof_stops_the_server_as_redis_does(tmp_path):
    redis = RedisServer()
    kedis_port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kedis.network.server", "--port", str(kedis_port), "--save", "",
         "--enable-debug-command", "yes"], cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                kedis_client = RawClient(kedis_port)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        for client in (redis.client(), kedis_client):
            with pytest.raises(ConnectionError):
                client.call("DEBUG", "LOADAOF")
        assert process.wait(10) == 1
        assert redis.process.wait(10) == 1
        assert b"DEBUG LOADAOF: there is no append only file to load" in process.stderr.read()
    finally:
        process.kill()
        redis.stop()


# --- LOG and CHANGE-REPL-ID ----------------------------------------------------------------------------
def test_log_writes_to_the_log(ddb, caplog):
    with caplog.at_level("WARNING", logger="kedis.debug"):
        assert ddb.run("DEBUG LOG 'hello there'").value == "OK"
    assert caplog.messages == ["DEBUG LOG: hello there"]


def test_change_repl_id_makes_up_a_new_replication_id(ddb):
    before = info_fields(ddb.run("INFO replication").value)
    assert ddb.run("DEBUG CHANGE-REPL-ID").value == "OK"
    after = info_fields(ddb.run("INFO replication").value)
    assert after["master_replid"] != before["master_replid"]
    assert len(after["master_replid"]) == 40 and after["master_replid2"] == "0" * 40

