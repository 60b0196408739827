"""RDB snapshots (kedis/persistence/rdb.py, kedis/persistence/disk.py, kedis/commands/persistence.py).

The format is proven on the real thing: redis-check-rdb accepts every file Kedis writes, a
redis-server started on Kedis's file holds the same keys, values and TTLs, and a file written by
redis-server loads into Kedis equal. Time is the fake clock's: nothing here sleeps for a TTL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest
from compare import parse_resp
from redis_oracle import RedisServer, require_redis_binaries
from stores import ServerProcess, _redis_contents, contents, mounted_small_disk, redis_contents_of

import kedis
from kedis.persistence import rdb
from kedis.persistence.crc64 import CHECK, crc64, crc64_python

START = 1_700_000_000.0  # the fake clock's start (as in conftest.py)
NOW_MS = int(START * 1000)


def engine(tmp_path, clock=None, **config) -> kedis.Kedis:
    """An engine started on ``tmp_path`` as a redis-server with that --dir would be."""
    clock = clock if clock is not None else kedis.FakeClock(START)
    return kedis.Kedis(clock=clock, config={"dir": str(tmp_path), **config})


def fill(db: kedis.Kedis) -> None:
    """A bit of everything the format has: each string encoding, TTLs, sets, two databases."""
    for line in ['SET small 7', 'SET int16 -1000', 'SET int32 2147483647', 'SET big 2147483648',
                 'SET padded 007', 'SET minus-zero -0', 'SET empty ""', 'SET 42 "a number as key"',
                 'SET text "hello world" PX 5000', 'SET binary "\\x00\\xff\\r\\n"',
                 'SADD numbers 3 1 2 -70000 9000000000', 'SADD words a b c', 'EXPIRE words 60',
                 'SELECT 5', 'SET in-five yes EX 100']:
        assert not db.run(line).is_error, line
    db.run("SELECT 0")
    db.execute("SET", "medium", b"m" * 300)
    db.execute("SET", "long", b"L" * 70000)


def redis_check_rdb(path) -> subprocess.CompletedProcess:
    require_redis_binaries("redis-check-rdb")
    return subprocess.run(["redis-check-rdb", str(path)], capture_output=True, text=True,
                          timeout=60)


# --- the checksum -------------------------------------------------------------------------------
def test_crc64_is_redis_crc64_jones():
    assert crc64(b"123456789") == crc64_python(b"123456789") == CHECK == 0xE9C6D914C4B8D9CA


def test_crc64_continues_from_a_previous_crc():
    data = bytes(range(256)) * 10
    assert crc64(data[1000:], crc64(data[:1000])) == crc64(data) == crc64_python(data)


# --- the bytes ----------------------------------------------------------------------------------
def test_a_one_key_dump_byte_by_byte(tmp_path, db):
    db.run("SET a 1")
    path = tmp_path / "dump.rdb"
    rdb.write_file(str(path), rdb.encode([(0, db.keyspace.data, db.keyspace.expires)]))
    data = path.read_bytes()
    assert data[:9] == b"REDIS0010"
    body = data[9:-8]
    assert body == (b"\xfe\x00"          # SELECTDB 0
                    b"\xfb\x01\x00"      # RESIZEDB: 1 key, 0 with a TTL
                    b"\x00\x01a"         # type string, key "a" (length 1)
                    b"\xc0\x01"          # value "1", an 8-bit integer
                    b"\xff")             # EOF
    assert int.from_bytes(data[-8:], "little") == crc64(data[:-8])


def test_lengths_take_one_two_five_or_nine_bytes():
    assert rdb.encode_length(63) == b"\x3f"
    assert rdb.encode_length(64) == b"\x40\x40"
    assert rdb.encode_length(16383) == b"\x7f\xff"
    assert rdb.encode_length(16384) == b"\x80\x00\x00\x40\x00"
    assert rdb.encode_length(2 ** 32) == b"\x81" + (2 ** 32).to_bytes(8, "big")


@pytest.mark.parametrize(("text", "encoded"), [
    (b"12", b"\xc0\x0c"), (b"-1000", b"\xc1\x18\xfc"), (b"70000", b"\xc2\x70\x11\x01\x00"),
    (b"2147483648", b"\x0a2147483648"), (b"007", b"\x03007"), (b"-0", b"\x02-0"),
    (b"+5", b"\x02+5"), (b"", b"\x00")])
def test_strings_that_read_as_32_bit_integers_are_written_as_integers(text, encoded):
    assert rdb.encode_string(text) == encoded


def test_a_dump_ends_with_the_crc64_of_everything_before(tmp_path, db):
    fill(db)
    data = b"".join(rdb.encode([(d.id, d.data, d.expires) for d in db.databases if d.data]))
    assert data[-9] == 0xFF
    assert int.from_bytes(data[-8:], "little") == crc64(data[:-8])


# --- SAVE, load, and the round trip -------------------------------------------------------------
def test_save_writes_the_dump_and_a_restart_loads_it_equal(tmp_path):
    db = engine(tmp_path)
    fill(db)
    assert db.run("SAVE").cli() == "OK"
    assert (tmp_path / "dump.rdb").exists()
    again = engine(tmp_path)
    assert contents(again) == contents(db)
    assert again.run("PTTL text").cli() == "(integer) 5000"


def test_a_set_keeps_its_encoding_through_a_dump(tmp_path):
    db = engine(tmp_path)
    db.run("SADD small-ints 5 3 1")
    db.run("SADD words x y")
    db.run("SAVE")
    data = (tmp_path / "dump.rdb").read_bytes()
    assert b"\x0b\x0asmall-ints" in data   # type 11 (intset), then the key
    assert b"\x02\x05words\x02" in data    # type 2 (set), the key, then 2 members
    again = engine(tmp_path)
    assert again.run("SMEMBERS small-ints").value == [b"1", b"3", b"5"]


def test_keys_whose_deadline_passed_while_on_disk_are_not_loaded(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    db.run("SET brief x PX 1000")
    db.run("SET lasting y PX 9000")
    db.run("SAVE")
    clock.advance(5)
    again = engine(tmp_path, clock)
    assert again.run("KEYS *").value == [b"lasting"]
    assert "rdb_last_load_keys_expired:1" in again.run("INFO persistence").value


def test_a_plain_engine_touches_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kedis.Kedis().run("SET a 1")
    (tmp_path / "dump.rdb").write_bytes(b"not even an RDB file")
    assert kedis.Kedis().run("DBSIZE").value == 0  # no config: nothing loaded, nothing saved


PROTECTED_ALLOWED = {"enable-protected-configs": "yes"}


def test_dir_and_dbfilename_are_protected_as_in_redis(tmp_path):
    # Redis 7.0.15's default (enable-protected-configs no): CONFIG SET may not choose where the
    # server writes, even with a good value; "local" allows it to a local client (in-process here).
    db = engine(tmp_path)
    for name, value in (("dir", str(tmp_path)), ("dbfilename", "snap.rdb")):
        assert db.execute("CONFIG", "SET", name, value).value == (
            f"ERR CONFIG SET failed (possibly related to argument '{name}') - can't set "
            "protected config")
    assert db.run("CONFIG GET dbfilename").value == [b"dbfilename", b"dump.rdb"]
    assert db.run("CONFIG GET enable-protected-configs").value == [b"enable-protected-configs",
                                                                   b"no"]
    assert db.run("CONFIG SET enable-protected-configs yes").value == (
        "ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') - "
        "can't set immutable config")
    local = engine(tmp_path, **{"enable-protected-configs": "local"})
    assert local.run("CONFIG SET dbfilename snap.rdb").cli() == "OK"


@pytest.mark.redis
def test_kedis_server_protects_dir_as_redis_does(redis_server):
    from kedis_server import KedisServerThread

    kedis_server = KedisServerThread()
    try:
        for port in (redis_server.port, kedis_server.port):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(b"CONFIG SET dir /tmp\r\nCONFIG SET dbfilename x.rdb\r\n")
                received = b""
                while received.count(b"\r\n") < 2:
                    received += sock.recv(4096)
            assert received == (
                b"-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set "
                b"protected config\r\n-ERR CONFIG SET failed (possibly related to argument "
                b"'dbfilename') - can't set protected config\r\n")
    finally:
        kedis_server.stop()


def test_a_network_client_is_local_only_on_loopback():
    from kedis_server import KedisServerThread

    server = KedisServerThread(fake_clock=False)
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"PING\r\n")
            assert sock.recv(100) == b"+PONG\r\n"  # it is connected: it has a client
            clients = server.call(lambda: [c for c in server.engine.clients.values() if c.addr])
            assert [client.local for client in clients] == [True]
    finally:
        server.stop()
    assert server.engine.client.local  # the engine's own client, in its process


def test_dir_and_dbfilename_say_where_the_dump_goes(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    db = engine(tmp_path, **PROTECTED_ALLOWED)
    db.run("SET a 1")
    assert db.execute("CONFIG", "SET", "dir", str(tmp_path / "elsewhere"),
                      "dbfilename", "snap.rdb").cli() == "OK"
    db.run("SAVE")
    assert (tmp_path / "elsewhere" / "snap.rdb").exists()
    assert not (tmp_path / "dump.rdb").exists()
    assert db.run("CONFIG GET dbfilename").value == [b"dbfilename", b"snap.rdb"]


def test_config_set_refuses_a_bad_dir_or_dbfilename(tmp_path):
    db = engine(tmp_path, **PROTECTED_ALLOWED)
    assert db.execute("CONFIG", "SET", "dir", str(tmp_path / "nosuch")).value == (
        "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory")
    (tmp_path / "file").write_text("")
    assert db.execute("CONFIG", "SET", "dir", str(tmp_path / "file")).value == (
        "ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory")
    assert db.execute("CONFIG", "SET", "dbfilename", "a/b.rdb").value == (
        "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't "
        "be a path, just a filename")


@pytest.mark.redis
@pytest.mark.parametrize("rules", [b"1", b"abc", b"-1 1", b"10 1 20", b" 10 1", b"10  1",
                                   b"10 01", b"10 +1", b"0 0", b"1 0", b"10 1 20 2", b"", b"5 -"])
def test_config_set_save_reads_rules_as_redis_does(db, redis, rules):
    from compare import same

    same(db, redis, "CONFIG", "SET", "save", rules)
    same(db, redis, "CONFIG", "GET", "save")
    redis.call("CONFIG", "SET", "save", "")


@pytest.mark.redis
def test_persistence_commands_answer_as_redis_does(db, redis):
    from compare import same

    for argv in (["SAVE", "x"], ["LASTSAVE", "x"], ["BGSAVE", "x"], ["BGSAVE", "a", "b"],
                 ["CONFIG", "SET", "rdbcompression", "maybe"],
                 ["CONFIG", "SET", "rdbchecksum", "no"]):
        same(db, redis, *argv)


# --- BGSAVE -------------------------------------------------------------------------------------
def test_bgsave_writes_the_store_as_it_was_when_it_was_asked(tmp_path):
    db = engine(tmp_path)
    for i in range(2000):
        db.execute("SET", b"key:%d" % i, b"before")
    db.run("SADD members a b")
    assert db.run("BGSAVE").cli() == "Background saving started"
    for i in range(2000):  # the commands go on while the file is written, and change everything
        db.execute("SET", b"key:%d" % i, b"after")
    db.run("SADD members c")
    db.run("SET newcomer 1")
    db.persistence.wait()
    again = engine(tmp_path)
    assert again.run("GET key:1999").value == b"before"
    assert again.run("SCARD members").value == 2
    assert again.run("EXISTS newcomer").value == 0


def test_a_second_bgsave_while_one_runs_is_refused(tmp_path):
    db = engine(tmp_path)
    db.run("SET a 1")
    db.persistence.bgsave()
    thread = db.persistence._bgsave
    if thread is not None and thread.is_alive():
        assert db.run("BGSAVE").value == "ERR Background save already in progress"
        assert db.run("SAVE").value == "ERR Background save already in progress"
    db.persistence.wait()
    assert db.run("BGSAVE SCHEDULE").cli() == "Background saving started"
    db.persistence.wait()


@pytest.mark.redis
@pytest.mark.parametrize("kind", ["kedis", "redis"])
def test_rdb_key_save_delay_keeps_a_bgsave_running_as_on_redis(tmp_path, kind):
    server = ServerProcess(kind, tmp_path, tmp_path / "server.log", "--save", "")
    try:
        for i in range(20):
            assert server.call(b"SET", b"k%d" % i, b"v") == b"+OK\r\n"
        assert server.call(b"CONFIG", b"SET", b"rdb-key-save-delay", b"25000") == b"+OK\r\n"
        assert server.call(b"BGSAVE") == b"+Background saving started\r\n"
        assert b"rdb_bgsave_in_progress:1" in server.call(b"INFO", b"persistence")
        assert server.call(b"BGSAVE") == b"-ERR Background save already in progress\r\n"
        deadline = time.monotonic() + 20
        while b"rdb_bgsave_in_progress:1" in server.call(b"INFO", b"persistence"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert b"rdb_last_bgsave_status:ok" in server.call(b"INFO", b"persistence")
        assert len(kedis.Kedis(config={"dir": str(tmp_path)}).databases[0]) == 20
    finally:
        server.stop()


def test_key_load_delay_waits_after_each_key_loaded(tmp_path):
    db = engine(tmp_path, **{"enable-debug-command": "yes"})
    for i in range(20):
        db.execute("SET", b"k%d" % i, b"v")
    db.run("SAVE")
    db.run("CONFIG SET key-load-delay 5000")  # 5 ms a key
    started = time.monotonic()
    assert db.run("DEBUG RELOAD").cli() == "OK"
    assert time.monotonic() - started >= 20 * 0.005
    assert len(db.databases[0]) == 20


@pytest.mark.redis
def test_hidden_parameters_answer_only_their_exact_name(db, redis):
    for argv in (["CONFIG", "GET", "key-load-delay"], ["CONFIG", "GET", "RDB-Key-Save-Delay"],
                 ["CONFIG", "GET", "key-load-*"], ["CONFIG", "GET", "rdb-key-save-dela?"],
                 ["CONFIG", "SET", "key-load-delay", "-10"], ["CONFIG", "GET", "key-load-delay"],
                 ["CONFIG", "SET", "key-load-delay", "0"]):
        assert db.execute(*argv).resp() == redis.call(*argv), argv
    names = parse_resp(db.execute("CONFIG", "GET", "*").resp())[::2]
    assert b"key-load-delay" not in names and b"rdb-key-save-delay" not in names


def test_lastsave_and_info_follow_the_saves(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock)
    assert db.run("LASTSAVE").value == int(START)
    db.run("MSET a 1 b 2")
    db.run("EXPIRE a 100")
    info = db.run("INFO persistence").value
    assert "rdb_changes_since_last_save:3\r\n" in info
    clock.advance(30)
    db.run("BGSAVE")
    db.run("SET c 3")  # after the snapshot: still to be saved
    db.persistence.wait()
    assert db.run("LASTSAVE").value == int(START) + 30
    info = db.run("INFO persistence").value
    assert "rdb_changes_since_last_save:1\r\n" in info
    assert "rdb_last_bgsave_status:ok\r\n" in info
    assert "rdb_saves:1\r\n" in info


# --- the save rules, the shutdown -----------------------------------------------------------------
def test_a_save_rule_starts_a_bgsave_when_its_time_and_changes_are_reached(tmp_path):
    clock = kedis.FakeClock(START)
    db = engine(tmp_path, clock, save="60 2")
    db.run("SET a 1")
    clock.advance(61)
    db.tick()
    assert not (tmp_path / "dump.rdb").exists()  # 60 s, but one change only
    db.run("SET b 2")
    clock.advance(1)
    db.tick()
    db.persistence.wait()
    assert (tmp_path / "dump.rdb").exists()
    assert db.run("LASTSAVE").value == int(START) + 62
    assert "rdb_changes_since_last_save:0\r\n" in db.run("INFO persistence").value


def test_shutdown_saves_when_there_are_save_rules(tmp_path):
    db = engine(tmp_path, save="3600 1")
    db.run("SET kept yes")
    db.shutdown()
    assert engine(tmp_path).run("GET kept").value == b"yes"


def test_shutdown_without_save_rules_writes_nothing(tmp_path):
    db = engine(tmp_path)
    db.run("SET a 1")
    db.shutdown()
    assert not (tmp_path / "dump.rdb").exists()


def test_flushall_with_save_rules_saves_an_empty_dump(tmp_path):
    db = engine(tmp_path, save="3600 1")
    db.run("SET a 1")
    db.run("SAVE")
    db.run("FLUSHALL")
    assert engine(tmp_path).run("DBSIZE").value == 0


# --- crashes and damage ---------------------------------------------------------------------------
def test_a_save_that_fails_midway_leaves_the_old_dump_whole(tmp_path, monkeypatch):
    db = engine(tmp_path)
    db.run("SET version old")
    db.run("SAVE")
    old = (tmp_path / "dump.rdb").read_bytes()
    db.run("SET version new")

    def broken(*args, **kwargs):
        yield b"REDIS0010"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rdb, "encode", broken)
    assert db.run("SAVE").value == "ERR"
    assert (tmp_path / "dump.rdb").read_bytes() == old
    assert os.listdir(tmp_path) == ["dump.rdb"]  # no temporary file left behind


def test_a_process_killed_mid_save_leaves_the_old_dump_whole(tmp_path):
    db = engine(tmp_path)
    db.run("SET version old")
    db.run("SAVE")
    old = (tmp_path / "dump.rdb").read_bytes()
    script = (f"import kedis, os, signal\n"
              f"from kedis.persistence import rdb\n"
              f"db = kedis.Kedis(config={{'dir': {str(tmp_path)!r}}})\n"
              f"db.run('SET version new')\n"
              f"real = rdb.encode\n"
              f"def dying(*a, **k):\n"
              f"    for i, chunk in enumerate(real(*a, **k)):\n"
              f"        yield chunk\n"
              f"        if i == 1: os.kill(os.getpid(), signal.SIGKILL)\n"
              f"rdb.encode = dying\n"
              f"db.run('SAVE')\n")
    result = subprocess.run([os.sys.executable, "-c", script], timeout=60)
    assert result.returncode == -9
    assert (tmp_path / "dump.rdb").read_bytes() == old
    assert engine(tmp_path).run("GET version").value == b"old"


@pytest.fixture
def saved(tmp_path):
    db = engine(tmp_path)
    fill(db)
    for i in range(200):
        db.execute("SET", b"key:%d" % i, b"value:%d" % i)
    db.run("SAVE")
    return tmp_path / "dump.rdb"


@pytest.mark.parametrize("cut", [5, 9, 30, 100, 1000, -20, -9, -1])
def test_a_truncated_dump_is_refused_with_where_it_ends(saved, cut):
    data = saved.read_bytes()
    saved.write_bytes(data[:cut])
    with pytest.raises(rdb.RDBError) as caught:
        engine(saved.parent)
    message = str(caught.value)
    assert message.startswith("dump.rdb: ")
    assert " at byte " in message
    assert "ends" in message or "not an RDB file" in message


def test_a_damaged_byte_is_caught_by_the_checksum(saved):
    data = bytearray(saved.read_bytes())
    where = data.index(b"value:150")
    data[where + 6] ^= 0x01  # "value:150" becomes "value:050": the structure is still fine
    saved.write_bytes(bytes(data))
    with pytest.raises(rdb.RDBError, match="wrong checksum.*damaged somewhere between byte 9 "
                                           f"and byte {len(data) - 8}"):
        engine(saved.parent)


def test_a_damaged_dump_loads_nothing(saved):
    db = engine(saved.parent)
    db.run("SET mine 1")
    data = saved.read_bytes()
    saved.write_bytes(data[:len(data) // 2])
    with pytest.raises(rdb.RDBError):
        db.persistence.load()
    assert db.run("GET mine").value == b"1"  # the store is as it was: nothing half-loaded
    assert db.run("GET key:1").value == b"value:1"


def test_an_unknown_type_is_refused_by_name(tmp_path):
    head = b"REDIS0010\xfe\x00" + b"\x01\x04list\x01\x01a"  # a list: Kedis has none
    body = head + b"\xff"
    (tmp_path / "dump.rdb").write_bytes(body + crc64(body).to_bytes(8, "little"))
    with pytest.raises(rdb.RDBError, match=r"a key of type list \(1\), which Kedis does not "
                                           r"have yet at byte 11"):
        engine(tmp_path)


def test_lzf_compressed_strings_are_read():
    from kedis.util.lzf import decompress

    # A literal "a", then 9 bytes from 1 back (a copy that overlaps what it writes), a literal
    # "bc", then 4 bytes from 2 back.
    assert decompress(b"\x00a" + b"\xe0\x00\x00" + b"\x01bc" + b"\x40\x01", 16) == (
        b"a" * 10 + b"bcbcbc")


# --- the real Redis reads Kedis's files, and Kedis reads Redis's --------------------------------
@pytest.mark.redis
def test_redis_check_rdb_accepts_what_kedis_writes(saved):
    result = redis_check_rdb(saved)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RDB looks OK" in result.stdout


@pytest.mark.redis
def test_a_redis_server_started_on_kedis_dump_has_the_same_keys_values_and_ttls(tmp_path):
    # Deadlines in the future of the real clock: Redis drops keys whose deadline has passed.
    db = engine(tmp_path, kedis.RealClock())
    fill(db)
    for i in range(3000):
        db.execute("SET", b"key:%d" % i, b"v" * (i % 100), "PX", 10_000_000 + i)
    db.run("SAVE")
    assert redis_contents_of(tmp_path) == contents(db)


@pytest.mark.redis
def test_kedis_loads_a_dump_written_by_redis_server_equal(tmp_path):
    server = RedisServer(dir=str(tmp_path))
    try:
        client = server.client()
        for argv in (["SET", "small", "12"], ["SET", "big", "9" * 15], ["SET", "neg", "-40000"],
                     ["SET", "compressible", "abc" * 200], ["SET", "text", "hello"],
                     ["SET", "ttl", "x", "PX", "50000000"], ["SADD", "ints", "1", "2", "300"],
                     ["SADD", "wide", "1", str(2 ** 40)], ["SADD", "words", "a", "b", "c" * 40],
                     ["SELECT", "7"], ["SET", "seven", "in db 7"], ["SELECT", "0"]):
            client.call(*argv)
        for i in range(500):
            client.call("SET", f"key:{i}", f"value:{i}" * (i % 7))
        assert client.call("SAVE") == b"+OK\r\n"
        expected = _redis_contents(client)
        client.close()
    finally:
        server.stop()
    data = (tmp_path / "dump.rdb").read_bytes()
    assert data[:9] == b"REDIS0010"
    loaded = engine(tmp_path, kedis.RealClock())
    assert contents(loaded) == expected


def test_a_set_comes_back_in_the_order_it_was_saved(tmp_path):
    # A Python set would give another order in each process (string hashes are salted): a set
    # read from a file keeps the file's order, so that SMEMBERS answers the same after a restart.
    db = engine(tmp_path)
    members = [f"member-{i}" for i in range(50)]
    db.execute("SADD", "words", *members)
    db.run("SAVE")
    assert engine(tmp_path).run("SMEMBERS words").value == [m.encode() for m in members]


@pytest.mark.redis
def test_info_persistence_has_redis_fields_in_redis_order(db, redis):
    def names(text: str) -> list[str]:
        return [line.split(":")[0] for line in text.split("\r\n") if ":" in line]

    theirs = names(parse_resp(redis.call("INFO", "persistence")).decode())
    mine = names(db.run("INFO persistence").value)
    assert set(mine) <= set(theirs)
    assert mine == [name for name in theirs if name in mine]


@pytest.mark.redis
def test_changes_since_the_last_save_count_as_in_redis_for_plain_writes_and_flushes(db, redis):
    def changes(info: str) -> int:
        return int(info.split("rdb_changes_since_last_save:")[1].split("\r\n")[0])

    def both() -> tuple[int, int]:
        return (changes(db.run("INFO persistence").value),
                changes(parse_resp(redis.call("INFO", "persistence")).decode()))

    for line in ["SET a 1", "MSET b 2 c 3", "INCR a", "EXPIRE a 100", "DEL b c", "SET d 1 KEEPTTL",
                 "SETNX d 2", "FLUSHDB", "FLUSHALL", "SET e 1", "SELECT 1", "SET f 1", "FLUSHALL"]:
        mine, theirs = both()  # (the shared redis-server has counted the other tests' writes)
        argv = line.split()
        redis.call(*argv)
        db.execute(*argv)
        mine_after, theirs_after = both()
        assert mine_after - mine == theirs_after - theirs, line
    redis.call("SELECT", "0")




@pytest.fixture
def small_disk(tmp_path):
    with mounted_small_disk(tmp_path) as disk:
        yield disk


# --- a BGSAVE that fails: writes are refused --------------------------------------------------------
MISCONF_RDB = (b"-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
               b"persist to disk. Commands that may modify the data set are disabled, because "
               b"this instance is configured to report errors during writes if RDB snapshotting "
               b"fails (stop-writes-on-bgsave-error option). Please check the Redis logs for "
               b"details about the RDB error.\r\n")


@pytest.mark.parametrize("kind", ["kedis", pytest.param("redis", marks=pytest.mark.redis)])
def test_after_a_failed_bgsave_writes_are_refused_until_a_save_succeeds(small_disk, tmp_path,
                                                                           kind):
    server = ServerProcess(kind, small_disk.path, tmp_path / "server.log", "--save", "900 1")
    try:
        call = server.call
        assert call(b"SET", b"big", b"x" * 20000) == b"+OK\r\n"
        small_disk.fill()
        assert call(b"BGSAVE") == b"+Background saving started\r\n"
        server.wait_bgsave()
        assert server.info("rdb_last_bgsave_status") == "err"
        assert call(b"SET", b"k", b"v") == MISCONF_RDB
        assert call(b"PING") == MISCONF_RDB  # (a monitoring PING notices)
        assert call(b"GET", b"big") == b"$20000\r\n" + b"x" * 20000 + b"\r\n"  # reads go on
        assert call(b"PUBLISH", b"channel", b"m") == b":0\r\n"  # not a write
        # Without save rules, the failed BGSAVE stops nothing; with them again, it does.
        assert call(b"CONFIG", b"SET", b"save", b"") == b"+OK\r\n"
        assert call(b"SET", b"k", b"v") == b"+OK\r\n"
        assert call(b"CONFIG", b"SET", b"save", b"900 1") == b"+OK\r\n"
        assert call(b"INCR", b"n") == MISCONF_RDB
        assert call(b"SAVE") == b"-ERR\r\n"  # a SAVE that fails changes nothing
        assert call(b"DEL", b"k") == MISCONF_RDB
        small_disk.free()
        assert call(b"BGSAVE") == b"+Background saving started\r\n"
        server.wait_bgsave()
        assert server.info("rdb_last_bgsave_status") == "ok"
        assert call(b"SET", b"k", b"w") == b"+OK\r\n"
        assert call(b"PING") == b"+PONG\r\n"
    finally:
        server.stop()


def failed_bgsave(small_disk) -> kedis.Kedis:
    """An engine with save rules whose BGSAVE just failed: the disk was full."""
    db = engine(small_disk.path, save="900 1")
    db.execute("SET", "big", b"x" * 20000)
    small_disk.fill()
    db.run("BGSAVE")
    db.persistence.wait()
    return db


def test_a_save_that_succeeds_ends_the_refusal_of_a_failed_bgsave(small_disk):
    db = failed_bgsave(small_disk)
    assert db.run("SET k v").value == MISCONF_RDB[1:-2].decode()
    assert "errorstat_MISCONF:count=1\r\n" in db.run("INFO errorstats").value
    small_disk.free()
    assert db.run("SAVE").cli() == "OK"
    assert db.run("SET k v").cli() == "OK"
    db.persistence.close()


def test_stop_writes_on_bgsave_error_no_lets_writes_go_on_after_a_failed_bgsave(small_disk):
    db = failed_bgsave(small_disk)
    assert db.run("SET k v").is_error
    assert db.run("CONFIG SET stop-writes-on-bgsave-error no").cli() == "OK"
    assert db.run("SET k v").cli() == "OK"
    assert db.run("CONFIG SET stop-writes-on-bgsave-error yes").cli() == "OK"
    assert db.run("SET k v").value == MISCONF_RDB[1:-2].decode()
    db.persistence.close()


# --- what eviction needs survives a restart: IDLE and FREQ records -----------------------------
def _number(reply: bytes) -> int:
    return int(reply[1:-2])


@pytest.mark.redis
@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu"])
def test_idle_times_and_counters_go_across_in_the_dump_both_ways(tmp_path, policy):
    # With an LRU policy Redis writes each key's idle seconds before it, with an LFU one its
    # counter; a server started on the file, with the same policy, has them back.
    lru = policy.endswith("lru")
    option, asked, back = ("IDLETIME", 1000, 500) if lru else ("FREQ", 77, 200)
    question = ["OBJECT", "IDLETIME" if lru else "FREQ", "k"]
    db = engine(tmp_path, kedis.RealClock(), **{"maxmemory-policy": policy})
    db.run("SET v x")
    payload = db.execute("DUMP", "v").value
    assert db.execute("RESTORE", "k", "0", payload, option, str(asked)).cli() == "OK"
    db.run("SAVE")
    server = RedisServer(dir=str(tmp_path), options=["--maxmemory-policy", policy])
    try:
        client = server.client()
        theirs = _number(client.call(*question))
        assert client.call("RESTORE", "r", "0", payload, option, str(back)) == b"+OK\r\n"
        assert client.call("SAVE") == b"+OK\r\n"
        client.close()
    finally:
        server.stop()
    loaded = engine(tmp_path, kedis.RealClock(), **{"maxmemory-policy": policy})
    mine = loaded.execute(*question[:2], "r").value
    if lru:  # (seconds go by on the real clock between the steps)
        assert asked <= theirs <= asked + 5 and back <= mine <= back + 5
    else:
        assert (theirs, mine) == (asked, back)
    access: dict = {}
    rdb.decode((tmp_path / "dump.rdb").read_bytes(), access=access)
    assert set(access[0]) == {b"k", b"r", b"v"}
    engine(tmp_path, kedis.RealClock()).run("SAVE")  # the default policy writes neither
    access.clear()
    rdb.decode((tmp_path / "dump.rdb").read_bytes(), access=access)
    assert access == {}


# --- SHUTDOWN: the final save, then the exit ----------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("kind", ["kedis", "redis"])
@pytest.mark.parametrize("rules, flags, saved", [
    ("3600 1", (), True),            # save rules: the final SAVE
    ("", (), False),                 # none: no file
    ("3600 1", (b"NOSAVE",), False),
    ("", (b"SAVE",), True),
    ("", (b"now", b"SAVE", b"force"), True),
], ids=lambda v: " ".join(x.decode() for x in v) if isinstance(v, tuple) else repr(v))
def test_shutdown_saves_as_asked_then_the_server_exits(tmp_path, kind, rules, flags, saved):
    folder = tmp_path / "data"
    folder.mkdir()
    server = ServerProcess(kind, folder, tmp_path / "server.log", "--save", rules)
    try:
        assert server.call(b"SET", b"k", b"v") == b"+OK\r\n"
        assert server.call(b"SHUTDOWN", *flags) == b""  # no reply: the connection closes
        assert server.process.wait(timeout=20) == 0
        assert (folder / "dump.rdb").exists() == saved
        if saved:
            assert kedis.Kedis(config={"dir": str(folder)}).execute("GET", "k").value == b"v"
    finally:
        server.stop()


@pytest.mark.redis
@pytest.mark.parametrize("kind", ["kedis", "redis"])
def test_shutdown_whose_save_fails_refuses_to_stop_unless_forced(tmp_path, kind):
    folder = tmp_path / "data"
    folder.mkdir()
    server = ServerProcess(kind, folder, tmp_path / "server.log", "--save", "3600 1")
    try:
        assert server.call(b"SET", b"k", b"v") == b"+OK\r\n"
        (folder / "dump.rdb").mkdir()  # now the dump cannot be renamed into place
        assert server.call(b"SHUTDOWN") == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
        assert server.call(b"GET", b"k") == b"$1\r\nv\r\n"  # still serving, nothing lost
        assert server.call(b"SHUTDOWN", b"FORCE") == b""
        assert server.process.wait(timeout=20) == 0
    finally:
        server.stop()


@pytest.mark.redis
@pytest.mark.parametrize("kind", ["kedis", "redis"])
def test_sigterm_whose_save_fails_leaves_the_server_running_as_redis_does(tmp_path, kind):
    folder = tmp_path / "data"
    folder.mkdir()
    log = tmp_path / "server.log"
    server = ServerProcess(kind, folder, log, "--save", "3600 1")
    try:
        assert server.call(b"SET", b"k", b"v") == b"+OK\r\n"
        (folder / "dump.rdb").mkdir()  # the dump cannot be renamed into place
        server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while b"Errors trying to shut down the server" not in log.read_bytes():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        assert server.process.poll() is None
        assert server.call(b"GET", b"k") == b"$1\r\nv\r\n"  # still serving, nothing lost
        (folder / "dump.rdb").rmdir()
        server.process.send_signal(signal.SIGTERM)  # now the save works: it stops
        assert server.process.wait(timeout=20) == 0
        assert kedis.Kedis(config={"dir": str(folder)}).execute("GET", "k").value == b"v"
    finally:
        server.stop()


@pytest.mark.redis
@pytest.mark.parametrize("kind", ["kedis", "redis"])
def test_shutdown_syntax_and_abort_answer_as_redis(tmp_path, kind):
    server = ServerProcess(kind, tmp_path, tmp_path / "server.log", "--save", "")
    try:
        for argv, reply in [((b"SHUTDOWN", b"NOSAVE", b"SAVE"), b"-ERR syntax error\r\n"),
                            ((b"SHUTDOWN", b"ABORT", b"NOW"), b"-ERR syntax error\r\n"),
                            ((b"SHUTDOWN", b"LATER"), b"-ERR syntax error\r\n"),
                            ((b"SHUTDOWN", b"ABORT"), b"-ERR No shutdown in progress.\r\n"),
                            ((b"SHUTDOWN", b"abort", b"ABORT"),
                             b"-ERR No shutdown in progress.\r\n")]:
            assert server.call(*argv) == reply, argv
        assert server.call(b"PING") == b"+PONG\r\n"
    finally:
        server.stop()


def test_shutdown_does_not_stop_an_embedded_engine(db):
    # The Jupyter kernel or the REPL holds the engine: SHUTDOWN must not end its host.
    db.run("SET k v")
    assert "kedis-server only" in db.run("SHUTDOWN").value
    assert db.run("GET k").value == b"v"
