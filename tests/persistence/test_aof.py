"""The append-only file (kedis/persistence/aof.py): what is appended, the replay at start, the rewrite, the
damage a crash leaves, and Redis's own tools and server reading what Kedis writes.

The crash tests start a child process that writes keys as fast as it can, each acknowledged
(printed) only once SET has returned, and kill it with SIGKILL; the restart must hold every
acknowledged key. benchmarks/persistence.py runs a hundred of them.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis_oracle import RedisServer, require_redis_binaries
from stores import (
    START,
    ServerProcess,
    _redis_contents,
    contents,
    mounted_small_disk,
    redis_contents_of,
)

import kedis
from kedis.network.resp import encode_command
from kedis.persistence import aof

ROOT = Path(__file__).resolve().parents[2]


def engine(tmp_path, clock=None, **config) -> kedis.Kedis:
    clock = clock if clock is not None else kedis.FakeClock(START)
    return kedis.Kedis(clock=clock, config={"dir": str(tmp_path), "appendonly": "yes", **config})


def incr_file(tmp_path) -> Path:
    parts = aof.read_manifest(str(tmp_path / "appendonlydir" / "appendonly.aof.manifest"))
    return tmp_path / "appendonlydir" / [p.name for p in parts if p.type == "i"][-1]


def appended(tmp_path) -> list[list[bytes]]:
    data = incr_file(tmp_path).read_bytes()
    return [argv for argv, _ in aof.parse_commands(data, "incr")]


def redis_check_aof(tmp_path) -> subprocess.CompletedProcess:
    require_redis_binaries("redis-check-aof")
    return subprocess.run(["redis-check-aof", str(tmp_path / "appendonlydir" /
                                                  "appendonly.aof.manifest")],
                          capture_output=True, text=True, timeout=60)


# --- what is appended ---------------------------------------------------------------------------
def test_the_aof_starts_as_redis_7_lays_it_out(tmp_path):
    engine(tmp_path)
    folder = tmp_path / "appendonlydir"
    assert sorted(os.listdir(folder)) == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                                          "appendonly.aof.manifest"]
    assert (folder / "appendonly.aof.manifest").read_text() == (
        "file appendonly.aof.1.base.rdb seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n")


def test_each_write_is_appended_in_resp_after_it_succeeds(tmp_path):
    db = engine(tmp_path)
    db.run("SET greeting hello")
    assert incr_file(tmp_path).read_bytes() == (
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
        b"*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$5\r\nhello\r\n")


def test_commands_that_change_nothing_are_not_appended(tmp_path):
    db = engine(tmp_path)
    db.run("SET k v")
    for line in ["GET k", "SET k other NX", "DEL missing", "EXPIRE missing 10", "PERSIST k",
                 "INCR k", "SELECT 2", "DBSIZE", "SREM nosuch a"]:
        db.run(line)
    assert appended(tmp_path) == [[b"SELECT", b"0"], [b"SET", b"k", b"v"]]


def test_what_a_replay_needs_is_written_instead_of_the_command(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    now = int(START * 1000)
    for line in ["SET a 1 EX 10", "SETEX b 20 x", "SET c 2", "EXPIRE c 30", "INCRBYFLOAT c 0.5",
                 "GETSET c 7", "GETEX c PX 100", "GETDEL a", "SET d 1 PXAT 1", "SADD s only",
                 "SPOP s", "SELECT 1", "SET e 1 PX 50"]:
        db.run(line)
    clock.advance(1)
    db.run("GET e")  # expires lazily: written as a DEL
    assert appended(tmp_path) == [
        [b"SELECT", b"0"],
        [b"SET", b"a", b"1", b"PXAT", b"%d" % (now + 10_000)],
        [b"SET", b"b", b"x", b"PXAT", b"%d" % (now + 20_000)],
        [b"SET", b"c", b"2"],
        [b"PEXPIREAT", b"c", b"%d" % (now + 30_000)],
        [b"SET", b"c", b"2.5", b"KEEPTTL"],
        [b"SET", b"c", b"7"],
        [b"PEXPIREAT", b"c", b"%d" % (now + 100)],
        [b"DEL", b"a"],
        [b"SET", b"d", b"1", b"PXAT", b"1"],
        [b"SADD", b"s", b"only"],
        [b"SREM", b"s", b"only"],
        [b"SELECT", b"1"],
        [b"SET", b"e", b"1", b"PXAT", b"%d" % (now + 50)],
        [b"DEL", b"e"],
    ]


def test_a_restart_replays_the_aof_to_the_same_store(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    for line in ["SET a 1 EX 100", "INCR counter", "INCR counter", "SADD s a b c", "SREM s b",
                 "RENAME a renamed", "SELECT 9", "MSET x 1 y 2", "DEL x", "INCRBYFLOAT f 1.25",
                 "COPY y z", "EXPIRE z 1000"]:
        db.run(line)
    again = engine(tmp_path, clock)
    assert contents(again) == contents(db)
    assert again.run("PTTL renamed").value == 100_000


def test_what_a_load_replays_is_not_counted_as_commands_run(tmp_path):
    # Redis runs a loaded command's function itself, not call(): INFO counts none of them
    # (redis-server, restarted on its AOF: commandstats empty, total_commands_processed 1,
    # the INFO itself).
    db = engine(tmp_path)
    for line in ["SET a 1", "INCR a", "SADD s x", "INCR s", "SELECT 3", "SET b 2"]:
        db.run(line)
    again = engine(tmp_path)
    assert again.run("INFO commandstats").value == "# Commandstats\r\n"
    assert "errorstat" not in again.run("INFO errorstats").value
    assert "total_commands_processed:2\r\n" in again.run("INFO stats").value
    assert again.run("GET a").value == b"2"


def test_keys_whose_deadline_passed_while_down_expire_after_the_load(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    db.run("SET short x PX 100")
    db.run("SET long y EX 1000")
    clock.advance(10)
    again = engine(tmp_path, clock)
    assert again.run("KEYS *").value == [b"long"]


def test_appendonly_off_at_start_ignores_the_aof_and_writes_none(tmp_path):
    db = kedis.Kedis(clock=kedis.FakeClock(START), config={"dir": str(tmp_path)})
    db.run("SET k v")
    assert not (tmp_path / "appendonlydir").exists()
    assert "aof_enabled:0\r\n" in db.run("INFO persistence").value


# --- turning it on and off, BGREWRITEAOF --------------------------------------------------------
def test_config_set_appendonly_yes_writes_the_store_then_the_writes(tmp_path):
    db = kedis.Kedis(clock=kedis.FakeClock(START), config={"dir": str(tmp_path)})
    db.run("SET before 1")
    assert db.run("CONFIG SET appendonly yes").cli() == "OK"
    db.run("SET during 2")  # while the base is written: it goes to a temporary incr file
    db.persistence.wait()
    db.run("SET after 3")
    assert "aof_enabled:1\r\n" in db.run("INFO persistence").value
    assert redis_check_aof(tmp_path).returncode == 0
    again = engine(tmp_path)
    assert sorted(again.run("KEYS *").value) == [b"after", b"before", b"during"]


def test_config_set_appendonly_no_closes_the_aof(tmp_path):
    db = engine(tmp_path)
    db.run("SET a 1")
    db.run("CONFIG SET appendonly no")
    db.run("SET b 2")
    assert appended(tmp_path) == [[b"SELECT", b"0"], [b"SET", b"a", b"1"]]


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_bgrewriteaof_compacts_the_history_into_the_store_it_led_to(tmp_path, preamble):
    db = engine(tmp_path, **{"aof-use-rdb-preamble": preamble})
    for i in range(300):
        db.run(f"INCR counter{i % 3}")
    db.run("SADD s a b")
    db.run("SET t x EX 100")
    size_before = incr_file(tmp_path).stat().st_size
    assert db.run("BGREWRITEAOF").cli() == "Background append only file rewriting started"
    db.run("SET during yes")  # a write while the base is being written
    db.persistence.wait()
    folder = tmp_path / "appendonlydir"
    extension = "rdb" if preamble == "yes" else "aof"
    assert sorted(os.listdir(folder)) == [f"appendonly.aof.2.base.{extension}",
                                          "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    assert appended(tmp_path) == [[b"SELECT", b"0"], [b"SET", b"during", b"yes"]]
    assert (folder / f"appendonly.aof.2.base.{extension}").stat().st_size < size_before
    if preamble == "no":
        base = (folder / "appendonly.aof.2.base.aof").read_bytes()
        commands = [argv[0] for argv, _ in aof.parse_commands(base, "base")]
        assert commands == [b"SELECT", b"SET", b"SET", b"SET", b"SADD", b"SET", b"PEXPIREAT"]
    result = redis_check_aof(tmp_path)
    assert result.returncode == 0, result.stdout
    again = engine(tmp_path)
    assert contents(again) == contents(db)
    assert "aof_rewrites:1\r\n" in db.run("INFO persistence").value


def test_a_second_bgrewriteaof_while_one_runs_is_refused(tmp_path):
    db = engine(tmp_path)
    db.persistence.bgrewriteaof()
    if db.persistence.rewrite is not None and db.persistence.rewrite.running:
        assert db.run("BGREWRITEAOF").value == (
            "ERR Background append only file rewriting already in progress")
    db.persistence.wait()


# --- damage -------------------------------------------------------------------------------------
def test_a_command_cut_short_at_the_end_is_dropped_with_a_warning(tmp_path):
    db = engine(tmp_path)
    db.run("SET first 1")
    db.run("SET second 2")
    db.shutdown()
    path = incr_file(tmp_path)
    whole = path.read_bytes()
    path.write_bytes(whole[:-5])  # the process died in the middle of writing "SET second 2"
    again = engine(tmp_path)
    assert again.run("KEYS *").value == [b"first"]
    assert any("short read while loading the AOF file appendonly.aof.1.incr.aof" in message
               for message in again.persistence.messages)
    valid = whole.index(b"*3\r\n$3\r\nSET\r\n$6\r\nsecond")
    assert path.stat().st_size == valid  # cut where the last whole command ends
    assert redis_check_aof(tmp_path).returncode == 0


def test_with_aof_load_truncated_no_a_cut_command_stops_the_start(tmp_path):
    db = engine(tmp_path)
    db.run("SET first 1")
    db.shutdown()
    path = incr_file(tmp_path)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(aof.AOFError, match="Unexpected end of file reading the append only file "
                                           r"appendonly.aof.1.incr.aof: the command at byte 23"):
        engine(tmp_path, **{"aof-load-truncated": "no"})


def test_garbage_in_the_aof_stops_the_start_with_where(tmp_path):
    db = engine(tmp_path)
    db.run("SET first 1")
    db.shutdown()
    path = incr_file(tmp_path)
    path.write_bytes(path.read_bytes() + b"GARBAGE\r\n*1\r\n$4\r\nPING\r\n")
    with pytest.raises(aof.AOFError, match="Bad file format reading the append only file "
                                           "appendonly.aof.1.incr.aof: expected .\\*. at byte 54"):
        engine(tmp_path)


# --- Redis's tools and server -------------------------------------------------------------------
@pytest.mark.redis
def test_redis_check_aof_accepts_what_kedis_writes(tmp_path):
    db = engine(tmp_path)
    for line in ["SET a 1 EX 100", "SADD s 1 2", "SELECT 4", "INCRBYFLOAT f 2.5", "GETDEL f"]:
        db.run(line)
    result = redis_check_aof(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All AOF files and manifest are valid" in result.stdout


@pytest.mark.redis
def test_a_redis_server_started_on_kedis_aof_has_the_same_keys_values_and_ttls(tmp_path):
    db = engine(tmp_path, kedis.RealClock())
    for line in ["SET a 1 EX 1000", "SADD s 1 2 x", "SELECT 4", "INCRBYFLOAT f 2.5",
                 "SET g hello", "EXPIRE g 5000"]:
        db.run(line)
    db.run("BGREWRITEAOF")
    db.persistence.wait()
    db.run("SET after-rewrite 1")
    db.shutdown()
    assert redis_contents_of(tmp_path, ["--appendonly", "yes"]) == contents(db)


@pytest.mark.redis
def test_kedis_loads_an_aof_written_by_redis_server_equal(tmp_path):
    server = RedisServer(dir=str(tmp_path), options=["--appendonly", "yes",
                                                     "--appendfsync", "always"])
    try:
        client = server.client()
        for argv in (["SET", "a", "1", "EX", "1000"], ["SADD", "s", "1", "2", "x"],
                     ["INCRBYFLOAT", "f", "1.5"], ["SELECT", "3"], ["SET", "three", "3"],
                     ["SPOP", "nothing"], ["GETEX", "three", "PX", "900000"]):
            client.call(*argv)
        client.call("BGREWRITEAOF")
        for _ in range(200):
            info = client.call("INFO", "persistence")
            if b"aof_rewrite_in_progress:0" in info and b"aof_rewrite_scheduled:0" in info:
                break
            __import__("time").sleep(0.05)
        client.call("SELECT", "0")
        client.call("SET", "after", "rewrite")
        expected = _redis_contents(client)
        client.close()
    finally:
        server.stop()
    loaded = engine(tmp_path, kedis.RealClock())
    assert contents(loaded) == expected


# --- crashes ------------------------------------------------------------------------------------
def _benchmark():
    spec = importlib.util.spec_from_file_location("persistence_benchmark",
                                                  ROOT / "benchmarks" / "persistence.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclass looks its module up there)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("policy", ["always", "always", "everysec"])
def test_a_process_killed_mid_writes_keeps_every_acknowledged_write(tmp_path, policy):
    result = _benchmark().crash_run(str(tmp_path), policy, run_seconds=0.4)
    assert result.acknowledged > 0
    assert result.lost == 0, result


@pytest.mark.redis
def test_the_aof_parameters_answer_as_redis_does(db, redis):
    from compare import same

    for argv in (["CONFIG", "SET", "appendonly", "maybe"],
                 ["CONFIG", "SET", "appendfsync", "sometimes"],
                 ["CONFIG", "SET", "appendfilename", "other.aof"],
                 ["CONFIG", "SET", "appenddirname", "elsewhere"],
                 ["CONFIG", "SET", "aof-use-rdb-preamble", "perhaps"],
                 ["CONFIG", "GET", "appendfsync"], ["CONFIG", "GET", "aof-load-truncated"],
                 ["CONFIG", "SET", "appendfsync", "ALWAYS"], ["CONFIG", "GET", "appendfsync"],
                 ["BGREWRITEAOF", "now"]):
        same(db, redis, *argv)
    redis.call("CONFIG", "SET", "appendfsync", "everysec")


def test_appendonly_yes_at_start_ignores_the_dump_as_redis_7_does(tmp_path):
    db = kedis.Kedis(clock=kedis.FakeClock(START), config={"dir": str(tmp_path)})
    db.run("SET in-the-dump 1")
    db.run("SAVE")
    # redis-server 7.0 started with appendonly yes and no AOF starts empty, and creates one.
    again = engine(tmp_path)
    assert again.run("DBSIZE").value == 0
    assert (tmp_path / "appendonlydir" / "appendonly.aof.manifest").exists()


def test_reset_closes_the_aof_of_the_engine_it_replaces(tmp_path):
    from kedis.jupyter.cells import CellRunner

    db = engine(tmp_path)
    runner = CellRunner(engine=db, display=lambda data, metadata: None)
    runner.run("SET a 1\n%reset\nSET b 2")
    assert db.aof is None
    assert runner.engine.aof is None  # the fresh engine lives in memory only
    assert appended(tmp_path) == [[b"SELECT", b"0"], [b"SET", b"a", b"1"]]


def test_a_key_found_expired_by_a_write_goes_with_it_between_multi_and_exec(tmp_path):
    # What redis-server 7.0 writes for the same commands: MULTI, DEL k, INCR k, EXEC.
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    db.run("SET k 5 PX 1")
    clock.advance(1)
    db.run("INCR k")
    assert appended(tmp_path)[2:] == [[b"MULTI"], [b"DEL", b"k"], [b"INCR", b"k"], [b"EXEC"]]
    assert redis_check_aof(tmp_path).returncode == 0
    assert engine(tmp_path, clock).run("GET k").value == b"1"


def test_a_key_found_expired_by_a_command_that_fails_is_still_deleted_in_the_aof(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    db.run("SET gone 1 PX 1")
    clock.advance(1)
    assert db.run("RENAME gone elsewhere").value == "ERR no such key"
    assert appended(tmp_path)[-1] == [b"DEL", b"gone"]


def test_a_transaction_is_replayed_whole_and_one_cut_before_its_exec_not_at_all(tmp_path):
    db = engine(tmp_path)
    db.run("SET k 5")
    db.shutdown()
    path = incr_file(tmp_path)
    whole = path.read_bytes()
    transaction = encode_command([b"MULTI"]) + encode_command([b"DEL", b"k"]) + \
        encode_command([b"INCR", b"k"])
    path.write_bytes(whole + transaction + encode_command([b"EXEC"]))
    assert engine(tmp_path).run("GET k").value == b"1"
    path.write_bytes(whole + transaction)  # the crash came before the EXEC
    again = engine(tmp_path)
    assert again.run("GET k").value == b"5"  # none of it: the file is cut before the MULTI
    assert path.read_bytes() == whole


def test_save_info_and_lastsave_are_never_appended_and_flushall_always_is(tmp_path):
    db = engine(tmp_path, save="3600 1")
    db.run("SET a 1")
    db.run("BGSAVE")
    db.persistence._bgsave.join()
    for line in ["INFO persistence", "LASTSAVE", "SET b 2", "SAVE", "FLUSHALL", "FLUSHALL"]:
        db.run(line)
    assert [argv[0] for argv in appended(tmp_path)] == [b"SELECT", b"SET", b"SET", b"FLUSHALL",
                                                          b"FLUSHALL"]


def test_turning_the_aof_off_and_on_again_starts_from_the_store_as_it_is(tmp_path):
    db = engine(tmp_path)
    db.run("SET a 1")
    db.run("CONFIG SET appendonly no")
    db.run("SET b 2")  # not in the AOF: the new base will hold it
    db.run("CONFIG SET appendonly yes")
    db.persistence.wait()
    db.run("SET c 3")
    assert sorted(os.listdir(tmp_path / "appendonlydir")) == [
        "appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    assert sorted(engine(tmp_path).run("KEYS *").value) == [b"a", b"b", b"c"]


def test_an_aof_that_cannot_start_undoes_the_whole_config_set(tmp_path):
    # Redis's answer (checked against redis-server 7.0.15, whose appendonlydir was a file):
    # every value of the command goes back, and the error names appendonly.
    (tmp_path / "appendonlydir").write_text("")
    db = kedis.Kedis(config={"dir": str(tmp_path)})
    assert db.execute("CONFIG", "SET", "hz", "40", "appendonly", "yes").resp() == (
        b"-ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on "
        b"AOF. Check server logs.\r\n")
    assert db.execute("CONFIG", "GET", "hz").value == [b"hz", b"10"]
    assert db.execute("CONFIG", "GET", "appendonly").value == [b"appendonly", b"no"]
    assert db.execute("SET", "a", "1").resp() == b"+OK\r\n"


# --- a disk that fills up (test_rdb.py's small_disk: a real tmpfs) ---------------------------------
MISCONF_AOF = b"-MISCONF Errors writing to the AOF file: No space left on device\r\n"
BIG = b"v" * 5000  # more than a page: on a full disk, its write fails for sure (SmallDisk)


@pytest.fixture
def small_disk(tmp_path):
    with mounted_small_disk(tmp_path) as disk:
        yield disk


@pytest.mark.parametrize("kind", ["kedis", pytest.param("redis", marks=pytest.mark.redis)])
def test_with_appendfsync_always_a_failed_write_exits_before_its_reply(small_disk, tmp_path, kind):
    log = tmp_path / "server.log"
    server = ServerProcess(kind, small_disk.path, log, "--appendonly", "yes", "--appendfsync",
                           "always", "--save", "")
    try:
        assert server.call(b"SET", b"before", b"1") == b"+OK\r\n"
        small_disk.fill()
        assert server.call(b"SET", b"k", BIG) == b""  # the connection closes: no OK, no error
        assert server.process.wait(timeout=20) == 1
    finally:
        server.stop()
    assert ("Can't recover from AOF write error when the AOF fsync policy is 'always'. "
            "Exiting...") in log.read_text()
    # What was acknowledged is in the file, and what was not is not, not even a part of it.
    small_disk.free()
    loaded = kedis.Kedis(config={"dir": str(small_disk.path), "appendonly": "yes"})
    assert sorted(loaded.databases[0].data) == [b"before"]
    loaded.persistence.close()


@pytest.mark.parametrize("kind", ["kedis", pytest.param("redis", marks=pytest.mark.redis)])
def test_with_appendfsync_everysec_writes_are_refused_until_the_disk_has_room(small_disk, tmp_path,
                                                                              kind):
    server = ServerProcess(kind, small_disk.path, tmp_path / "server.log", "--appendonly", "yes",
                           "--appendfsync", "everysec", "--save", "")
    call = server.call
    try:
        assert call(b"SET", b"a", b"1") == b"+OK\r\n"
        listener = server.connect()
        assert call(b"SUBSCRIBE", b"c", sock=listener) == (
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n")
        queued = server.connect()  # a transaction queued before the disk fills
        assert call(b"MULTI", sock=queued) == b"+OK\r\n"
        assert call(b"SET", b"q", b"1", sock=queued) == b"+QUEUED\r\n"
        small_disk.fill()
        # The write that fails is acknowledged (about a second may be lost: the promise of
        # everysec); its bytes wait. The writes after it are refused, and PING, reads are not.
        assert call(b"SET", b"k", BIG) == b"+OK\r\n"
        assert server.info("aof_last_write_status") == "err"
        assert call(b"SET", b"x", b"1") == MISCONF_AOF
        assert call(b"INCR", b"a") == MISCONF_AOF
        assert call(b"DEL", b"nosuch") == MISCONF_AOF
        assert call(b"PING") == MISCONF_AOF
        assert call(b"PING", sock=listener) == MISCONF_AOF  # (before the subscribed check)
        assert call(b"GET", b"a") == b"$1\r\n1\r\n"
        assert call(b"STRLEN", b"k") == b":5000\r\n"  # the failed write's change is there
        assert call(b"PUBLISH", b"c", b"m") == b":1\r\n"
        assert call(b"SET", b"x") == b"-ERR wrong number of arguments for 'set' command\r\n"
        assert call(b"EXEC", sock=queued) == (
            b"-EXECABORT Transaction discarded because of: MISCONF Errors writing to the AOF "
            b"file: No space left on device\r\n")
        assert call(b"MULTI") == b"+OK\r\n"
        assert call(b"SET", b"x", b"1") == MISCONF_AOF
        assert call(b"GET", b"x") == b"+QUEUED\r\n"
        assert call(b"EXEC") == (b"-EXECABORT Transaction discarded because of previous "
                                 b"errors.\r\n")
        stats = call(b"INFO", b"errorstats").decode()
        assert "errorstat_MISCONF:count=6\r\n" in stats
        assert "errorstat_EXECABORT:count=2\r\n" in stats
        small_disk.free()
        deadline = time.monotonic() + 10  # (Redis tries again in beforeSleep: soon, not now)
        while (reply := call(b"SET", b"x", b"2")) != b"+OK\r\n":
            assert reply == MISCONF_AOF and time.monotonic() < deadline, reply
            time.sleep(0.01)
        assert server.info("aof_last_write_status") == "ok"
        assert call(b"PING") == b"+PONG\r\n"
    finally:
        server.stop()
    # The write that failed reached the file once, whole, when the disk had room.
    assert [argv[:2] for argv in appended(small_disk.path)] == [
        [b"SELECT", b"0"], [b"SET", b"a"], [b"SET", b"k"], [b"SET", b"x"]]


def test_an_embedded_engine_under_always_answers_an_error_instead_of_exiting(small_disk):
    db = engine(small_disk.path, kedis.RealClock(), appendfsync="always")
    db.run("SET a 1")
    small_disk.fill()
    reply = db.execute("SET", "k", BIG)
    assert reply.is_error
    assert reply.value.startswith(MISCONF_AOF[1:-2].decode() + " (appendfsync is always: ")
    assert db.run("GET k").value == BIG  # done in memory: it is not taken back
    assert db.run("SET x 1").value == MISCONF_AOF[1:-2].decode()
    assert db.run("PING").value == MISCONF_AOF[1:-2].decode()
    assert "aof_last_write_status:err\r\n" in db.run("INFO persistence").value
    small_disk.free()
    # The next write tries the file again first: it goes, and so do the bytes that waited.
    assert db.run("SET x 1").cli() == "OK"
    assert "aof_last_write_status:ok\r\n" in db.run("INFO persistence").value
    assert "AOF write error looks solved, Kedis can write again." in db.persistence.messages
    db.shutdown()
    again = engine(small_disk.path)
    assert (again.run("GET a").value, again.run("GET k").value, again.run("GET x").value) == (
        b"1", BIG, b"1")
    again.persistence.close()


def test_the_tick_writes_what_waits_once_the_disk_has_room(small_disk):
    db = engine(small_disk.path)  # everysec
    small_disk.fill()
    assert db.execute("SET", "k", BIG).cli() == "OK"
    assert db.run("SET x 1").is_error
    db.tick()  # still full: still refused
    assert db.disk_error == MISCONF_AOF[1:-2].decode()
    small_disk.free()
    db.tick()
    assert db.disk_error is None
    assert [argv[:2] for argv in appended(small_disk.path)] == [[b"SELECT", b"0"], [b"SET", b"k"]]
    assert db.run("SET x 1").cli() == "OK"
    db.persistence.close()


def test_a_bgrewriteaof_that_cannot_start_on_a_full_disk_changes_no_file(small_disk):
    db = engine(small_disk.path)
    db.run("SET a 1")
    manifest = (small_disk.path / "appendonlydir" / "appendonly.aof.manifest").read_bytes()
    files = sorted(os.listdir(small_disk.path / "appendonlydir"))
    small_disk.fill()
    assert db.run("BGREWRITEAOF").value == ("ERR Can't execute an AOF background rewriting. "
                                            "Please check the server logs for more information.")
    assert "aof_last_bgrewrite_status:err\r\n" in db.run("INFO persistence").value
    assert sorted(os.listdir(small_disk.path / "appendonlydir")) == files
    assert (small_disk.path / "appendonlydir" / "appendonly.aof.manifest").read_bytes() == manifest
    small_disk.free()
    db.run("SET b 2")  # still in the file the manifest names
    db.shutdown()
    again = engine(small_disk.path)
    assert sorted(again.databases[0].data) == [b"a", b"b"]
    again.persistence.close()
