"""The append-only file (kedis/aof.py): what is appended, the replay at start, the rewrite, the
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
from pathlib import Path

import pytest
from redis_oracle import RedisServer, require_redis_binaries
from test_rdb import START, _redis_contents, contents, redis_contents_of

import kedis
from kedis import aof

ROOT = Path(__file__).resolve().parent.parent


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
    from kedis.cells import CellRunner

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
    transaction = aof.encode_command([b"MULTI"]) + aof.encode_command([b"DEL", b"k"]) + \
        aof.encode_command([b"INCR", b"k"])
    path.write_bytes(whole + transaction + aof.encode_command([b"EXEC"]))
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
