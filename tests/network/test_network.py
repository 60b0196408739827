"""kedis-server with real clients: redis-py (sync, asyncio, pipelines, RESP3), raw sockets, redis-cli;
limits, malformed input, many clients, a client that never reads."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time

import pytest
import redis
import redis.asyncio
from kedis_server import KedisServerThread
from redis_oracle import RawClient, require_redis_binaries

from kedis.network.resp import HAVE_HIREDIS, encode_command
from kedis.network.server import (
    DENIED,
    MAX_CLIENTS_REACHED,
    Connection,
    KedisServer,
    ServerConfig,
    parse_arguments,
)

PARSERS = [False, True] if HAVE_HIREDIS else [False]


@pytest.fixture(params=PARSERS, ids=lambda h: "hiredis" if h else "python")
def server(request):
    """A kedis-server on a fake clock, with each request parser."""
    instance = KedisServerThread(ServerConfig(use_hiredis=request.param))
    yield instance
    instance.stop()


@pytest.fixture
def r(server):
    client = redis.Redis(port=server.port)
    yield client
    client.close()


def wait_for(condition, timeout: float = 5.0) -> None:
    """Poll until the server's loop has done something (never a wait for expiry: the clock is
    fake and moved by the test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def exchange(port: int, data: bytes, timeout: float = 0.3) -> bytes:
    """Send raw bytes, read until the server closes or goes quiet; '<open>' marks the latter."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(data)
        sock.settimeout(timeout)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            return received + b"<open>"
        return received + b"<closed>"


# --- redis-py ----------------------------------------------------------------------------------
def test_redis_py_runs_the_string_and_key_commands(r):
    assert r.ping() is True
    assert r.set("greeting", "hello") is True
    assert r.get("greeting") == b"hello"
    assert r.incr("n") == 1 and r.incrby("n", 41) == 42
    assert r.mget("greeting", "nothing", "n") == [b"hello", None, b"42"]
    assert r.expire("greeting", 100) is True and r.ttl("greeting") == 100
    assert r.delete("greeting", "nothing") == 1
    assert r.exists("n") == 1 and r.dbsize() == 1
    with pytest.raises(redis.ResponseError, match="value is not an integer"):
        r.incr("n", "x")


def test_each_connection_has_its_own_database(server):
    a, b = redis.Redis(port=server.port, db=0), redis.Redis(port=server.port, db=3)
    a.set("k", "in 0")
    b.set("k", "in 3")
    assert (a.get("k"), b.get("k")) == (b"in 0", b"in 3")
    a.close()
    b.close()


def test_a_pipeline_answers_in_order(r):
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"k{i}", i)
        pipe.incr(f"k{i}")
    replies = pipe.execute()
    assert replies == [True, 1] * 0 + [x for i in range(500) for x in (True, i + 1)]


def test_a_transaction_pipeline_runs_multi_exec(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1).incr("a").get("a")
    assert pipe.execute() == [True, 2, b"2"]


def test_watch_with_redis_py_retries_after_another_client_wrote(server, r):
    other = redis.Redis(port=server.port)
    r.set("balance", 10)
    with r.pipeline() as pipe:
        pipe.watch("balance")
        other.set("balance", 20)  # between WATCH and EXEC
        pipe.multi()
        pipe.incr("balance")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("balance") == b"20"
    other.close()


def test_redis_py_asyncio_clients_run_concurrently(server):
    async def main():
        client = redis.asyncio.Redis(port=server.port, max_connections=300)
        await asyncio.gather(*(client.incr("counter") for _ in range(300)))
        value = await client.get("counter")
        await client.aclose()
        return value

    assert asyncio.run(main()) == b"300"


def test_resp3_with_redis_py(server):
    client = redis.Redis(port=server.port, protocol=3)
    assert client.set("k", "v") is True
    assert client.get("k") == b"v"
    assert client.get("nothing") is None
    assert client.execute_command("HELLO", "3")[b"proto"] == 3
    assert "redis_version" in client.info("server")
    client.close()


def test_resp3_sets_and_maps_reach_redis_py_as_python_sets_and_dicts(server):
    client = redis.Redis(port=server.port, protocol=3)
    client.sadd("s", "a", "b")
    assert client.smembers("s") == {b"a", b"b"}
    assert client.sunion("s", "nothing") == {b"a", b"b"}
    assert client.config_get("hz") == {"hz": "10"}  # (redis-py decodes CONFIG GET)
    client.close()


#: Replies whose RESP3 type is a set (~) or a map (%) in Redis 7, not an array.
RESP3_TYPES = (b"HELLO 3\r\nSADD s 1\r\nSMEMBERS s\r\nSMEMBERS nothing\r\nSINTER s nothing\r\n"
               b"SUNION s\r\nSDIFF s\r\nSPOP nothing 2\r\nSRANDMEMBER s 1\r\nCONFIG GET hz\r\n"
               b"CONFIG GET nothing\r\nCOMMAND INFO get\r\nCOMMAND INFO sintercard\r\n"
               b"COMMAND GETKEYSANDFLAGS set a b\r\nCOMMAND DOCS nothing\r\nSPOP s 5\r\n")


@pytest.mark.redis
def test_resp3_sets_and_maps_are_redis_s(server, redis_server):
    def without_hello(data):  # HELLO's reply holds the connection's id, which differs
        return data[data.index(b"*0\r\n") + 4:]

    assert without_hello(exchange(server.port, RESP3_TYPES)) == without_hello(
        exchange(redis_server.port, RESP3_TYPES))


def test_resp3_nulls_maps_and_verbatim_on_the_wire(server):
    data = exchange(server.port, b"HELLO 3\r\nGET nothing\r\nCLIENT INFO\r\n")
    assert data.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
    assert b"\r\n_\r\n=" in data and b"txt:id=" in data


# --- the connection's own commands --------------------------------------------------------------
def test_client_id_setname_getname_list_and_info(server, r):
    r.client_setname("worker-1")
    assert r.client_getname() == "worker-1"
    assert r.client_id() == int(r.client_info()["id"])
    listed = r.client_list()
    assert [c["name"] for c in listed] == ["worker-1"]
    assert listed[0]["addr"].startswith("127.0.0.1:") and listed[0]["cmd"] == "client|list"


def test_client_kill_closes_another_connection(server, r):
    victim = RawClient(server.port)
    victim_id = int(victim.call("CLIENT", "ID")[1:-2])
    assert r.client_kill_filter(_id=victim_id) == 1
    with pytest.raises((ConnectionError, OSError)):
        victim.call("PING")
        victim.call("PING")
    wait_for(lambda: len(r.client_list()) == 1)


def test_quit_answers_ok_then_closes_after_the_earlier_replies(server):
    assert exchange(server.port, b"PING\r\nQUIT\r\nPING\r\n") == b"+PONG\r\n+OK\r\n<closed>"


def test_reset_makes_the_connection_as_new(server):
    data = exchange(server.port, b"SELECT 2\r\nCLIENT SETNAME x\r\nMULTI\r\nRESET\r\n"
                                 b"CLIENT GETNAME\r\nSET k v\r\nDBSIZE\r\n")
    assert data == b"+OK\r\n+OK\r\n+OK\r\n+RESET\r\n$-1\r\n+OK\r\n:1\r\n<open>"


def test_info_clients_and_stats_count_connections(server, r):
    other = redis.Redis(port=server.port)
    other.ping()
    assert r.info("clients")["connected_clients"] == 2
    assert r.info("stats")["total_connections_received"] >= 2
    assert r.info("server")["tcp_port"] == server.port
    other.close()


# --- AUTH and requirepass -------------------------------------------------------------------------
@pytest.fixture
def secret_server():
    instance = KedisServerThread(ServerConfig(requirepass=b"s3cret"))
    yield instance
    instance.stop()


def test_a_password_is_required_before_anything_else(secret_server):
    port = secret_server.port
    assert exchange(port, b"GET k\r\nNOPE\r\nGET\r\nAUTH wrong\r\nAUTH s3cret\r\nGET k\r\n") == (
        b"-NOAUTH Authentication required.\r\n"
        b"-ERR unknown command 'NOPE', with args beginning with: \r\n"
        b"-ERR wrong number of arguments for 'get' command\r\n"
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        b"+OK\r\n$-1\r\n<open>")


def test_redis_py_authenticates_with_password(secret_server):
    client = redis.Redis(port=secret_server.port, password="s3cret")
    assert client.set("k", "v") is True
    client.close()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=secret_server.port, password="nope").ping()


def test_hello_auth_and_reset_forgets_the_authentication(secret_server):
    data = exchange(secret_server.port, b"HELLO 2 AUTH default s3cret\r\nPING\r\nRESET\r\n"
                                        b"PING\r\n")
    assert data.endswith(b"+PONG\r\n+RESET\r\n-NOAUTH Authentication required.\r\n<open>")


def test_an_unauthenticated_client_cannot_send_big_requests(secret_server):
    data = exchange(secret_server.port, encode_command([b"SET"] + [b"x"] * 20))
    assert data == b"-ERR Protocol error: unauthenticated multibulk length\r\n<closed>"


# --- protocol errors and malformed input -------------------------------------------------------
def test_a_protocol_error_answers_then_closes_that_connection_only(server, r):
    r.set("k", "v")
    assert exchange(server.port, b"PING\r\n*1\r\n$x\r\n") == (
        b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n<closed>")
    assert r.get("k") == b"v"


def test_random_bytes_never_hurt_the_server(server, r):
    rng = random.Random(11)
    r.set("k", "v")
    for _ in range(30):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        try:
            exchange(server.port, junk, timeout=0.05)
        except ConnectionResetError:
            pass
    assert r.get("k") == b"v"
    wait_for(lambda: len(r.client_list()) == 1)  # every junk connection is gone


def test_a_huge_declared_length_is_refused_at_once(server):
    assert exchange(server.port, b"*1\r\n$1000000000000\r\n") == (
        b"-ERR Protocol error: invalid bulk length\r\n<closed>")
    assert exchange(server.port, b"*1\r\n$536870912\r\nabc") == b"<open>"  # 512mb: allowed


def test_a_half_sent_command_then_a_disconnect_leaves_nothing_behind(server, r):
    for partial in (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel", b"SET k hel", b"*2\r\n"):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(partial)
        sock.close()
    wait_for(lambda: len(r.client_list()) == 1)
    assert r.get("k") is None


def test_the_query_buffer_limit_closes_a_client_that_never_ends_its_command():
    instance = KedisServerThread(ServerConfig(query_buffer_limit=100_000))
    try:
        sock = socket.create_connection(("127.0.0.1", instance.port))
        sock.sendall(b"*2\r\n$3\r\nGET\r\n$10000000\r\n")
        with pytest.raises((ConnectionError, OSError)):
            for _ in range(100):
                sock.sendall(b"x" * 10_000)
                time.sleep(0.001)
            sock.settimeout(2)
            assert sock.recv(10) == b""
            raise ConnectionError("closed")
        assert redis.Redis(port=instance.port).ping()
    finally:
        instance.stop()


# --- limits ------------------------------------------------------------------------------------
def test_maxclients_refuses_one_client_too_many():
    instance = KedisServerThread(ServerConfig(maxclients=2))
    try:
        first, second = RawClient(instance.port), RawClient(instance.port)
        assert first.call("PING") == second.call("PING") == b"+PONG\r\n"
        assert exchange(instance.port, b"") == MAX_CLIENTS_REACHED + b"<closed>"
        assert b"rejected_connections:1\r\n" in first.call("INFO", "stats")
    finally:
        instance.stop()


def test_config_set_maxclients_acts_on_the_next_connection():
    instance = KedisServerThread(ServerConfig(maxclients=10))
    try:
        first = RawClient(instance.port)
        assert first.call("CONFIG", "GET", "maxclients") == b"*2\r\n$10\r\nmaxclients\r\n$2\r\n10\r\n"
        assert first.call("CONFIG", "SET", "maxclients", "1") == b"+OK\r\n"
        assert exchange(instance.port, b"") == MAX_CLIENTS_REACHED + b"<closed>"
        assert first.call("CONFIG", "SET", "maxclients", "2") == b"+OK\r\n"
        assert RawClient(instance.port).call("PING") == b"+PONG\r\n"
    finally:
        instance.stop()


def test_config_get_port_and_bind_say_where_the_server_listens(server):
    client = RawClient(server.port)
    port = str(server.port).encode()
    assert client.call("CONFIG", "GET", "port") == (
        b"*2\r\n$4\r\nport\r\n$%d\r\n%s\r\n" % (len(port), port))
    assert client.call("CONFIG", "GET", "bind") == b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"
    # The same port again: nothing moves (CONFIG SET moving it: test_listen.py).
    assert client.call("CONFIG", "SET", "port", port) == b"+OK\r\n"
    assert RawClient(server.port).call("PING") == b"+PONG\r\n"


def test_config_set_requirepass_asks_new_clients_for_it_and_clearing_it_frees_them(server):
    admin = RawClient(server.port)
    assert admin.call("CONFIG", "SET", "requirepass", "s3cret") == b"+OK\r\n"
    assert admin.call("PING") == b"+PONG\r\n"  # authenticated before: it stays so
    newcomer = RawClient(server.port)
    assert newcomer.call("GET", "k") == b"-NOAUTH Authentication required.\r\n"
    assert admin.call("CONFIG", "GET", "requirepass") == (
        b"*2\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n")
    assert admin.call("CONFIG", "SET", "requirepass", "") == b"+OK\r\n"
    assert newcomer.call("GET", "k") == b"$-1\r\n"


def test_info_stats_counts_the_bytes_and_the_reads_and_writes(server):
    client = RawClient(server.port)
    client.call("PING")  # 14 bytes in, 7 out
    fields = {}
    for line in client.call("INFO", "stats").split(b"\r\n"):
        name, _, value = line.partition(b":")
        fields[name.decode()] = value.decode()
    # INFO's own request is counted before it answers; its reply is not, yet.
    info_request = len(encode_command([b"INFO", b"stats"]))
    assert int(fields["total_net_input_bytes"]) == 14 + info_request
    assert int(fields["total_net_output_bytes"]) == 7
    assert (fields["total_reads_processed"], fields["total_writes_processed"]) == ("2", "1")


def test_instantaneous_ops_per_sec_follows_the_commands(server, r):
    server.call(server.engine.tick)
    for _ in range(50):
        r.ping()
    server.call(server.engine.tick)  # (the server's own ticks may sample in between too)
    assert r.info("stats")["instantaneous_ops_per_sec"] > 0


def test_timeout_closes_idle_clients_but_not_monitors_or_subscribers(server):
    idle, monitor, busy = RawClient(server.port), RawClient(server.port), RawClient(server.port)
    subscriber, psubscriber = RawClient(server.port), RawClient(server.port)
    monitor.sock.sendall(b"MONITOR\r\n")
    assert subscriber.call("SUBSCRIBE", "news").startswith(b"*3\r\n$9\r\nsubscribe")
    assert psubscriber.call("PSUBSCRIBE", "n*").startswith(b"*3\r\n$10\r\npsubscribe")
    assert busy.call("CONFIG", "SET", "timeout", "60") == b"+OK\r\n"
    assert idle.call("PING") == b"+PONG\r\n"
    wait_for(lambda: server.call(lambda: sum(c.client.monitor for c in server.server.connections)))
    # Seen from 61 seconds later (no test waits a minute): all five have been idle; the
    # monitor and the subscribers only listen (Redis's CLIENT_PUBSUB is exempt too).
    closed = server.call(lambda: server.server.close_idle_clients(time.monotonic() + 61))
    assert closed == 2
    with pytest.raises(OSError):
        idle.call("PING")
    assert monitor.sock.recv(1000).startswith(b"+OK\r\n")  # still open: its +OK, and no EOF
    assert subscriber.call("PING").startswith(b"*2\r\n$4\r\npong")
    assert subscriber.call("UNSUBSCRIBE").startswith(b"*3\r\n$11\r\nunsubscribe")
    closed = server.call(lambda: server.server.close_idle_clients(time.monotonic() + 61))
    assert closed == 1  # no longer subscribed: idle like any other
    assert server.call(lambda: server.server.close_idle_clients(time.monotonic())) == 0


def test_timeout_is_a_config_file_option(tmp_path):
    conf = tmp_path / "kedis.conf"
    conf.write_text("timeout 300\n")
    assert parse_arguments([str(conf)]).engine_config["timeout"] == "300"


@pytest.mark.redis
def test_client_no_evict_answers_as_redis(server, redis_server):
    requests = b"CLIENT NO-EVICT on\r\nCLIENT NO-EVICT OFF\r\nCLIENT NO-EVICT maybe\r\nCLIENT NO-EVICT\r\n"
    assert exchange(server.port, requests) == exchange(redis_server.port, requests)


def test_client_kill_user_knows_only_the_default_user(server):
    client = RawClient(server.port)
    assert client.call("CLIENT", "KILL", "USER", "nobody") == b"-ERR No such user 'nobody'\r\n"
    other = RawClient(server.port)
    assert other.call("PING") == b"+PONG\r\n"  # (the server has taken the connection in)
    assert client.call("CLIENT", "KILL", "USER", "default") == b":1\r\n"  # SKIPME yes
    with pytest.raises(OSError):  # ConnectionError, or a reset
        other.call("PING")


class FakeTransport:
    def __init__(self, peer: str) -> None:
        self.peer, self.written, self.closed = peer, b"", False

    def get_extra_info(self, name):
        return {"peername": (self.peer, 5000), "sockname": ("0.0.0.0", 6379)}.get(name)

    def write(self, data):
        self.written += data

    def close(self):
        self.closed = True

    def set_write_buffer_limits(self, high):
        pass


@pytest.mark.parametrize(("peer", "password", "denied"), [
    ("10.1.2.3", None, True), ("::ffff:10.1.2.3", None, True), ("10.1.2.3", b"pw", False),
    ("127.0.0.1", None, False), ("127.8.9.10", None, False), ("::1", None, False),
])
def test_protected_mode_refuses_outside_clients_when_no_password_is_set(peer, password, denied):
    # No test may connect from outside this machine, so the connection is given a fake peer.
    server = KedisServer(config=ServerConfig(requirepass=password))
    transport = FakeTransport(peer)
    Connection(server).connection_made(transport)
    assert (transport.written == DENIED and transport.closed) is denied
    assert transport.written == (DENIED if denied else b"")


def test_without_protected_mode_outside_clients_are_served():
    server = KedisServer(config=ServerConfig(protected_mode=False))
    transport = FakeTransport("10.1.2.3")
    Connection(server).connection_made(transport)
    assert transport.written == b"" and not transport.closed


def test_a_client_that_never_reads_does_not_stop_the_others_and_loses_nothing(server, r):
    r.set("big", b"x" * 100_000)
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.sendall(encode_command([b"GET", b"big"]) * 1000)  # 100 MB of replies, not read yet
    # The others are served while the slow one's replies wait, and the server holds few of
    # them: it stops reading the slow client's commands while its replies are not read.
    for i in range(100):
        assert r.incr("n") == i + 1
    wait_for(lambda: server.call(lambda: any(c.paused for c in server.server.connections)))
    buffered = server.call(lambda: max(c.output_buffer_size() for c in server.server.connections))
    assert buffered < 5_000_000
    # Now it reads: every reply arrives, none lost.
    reply = b"$100000\r\n" + b"x" * 100_000 + b"\r\n"
    received = bytearray()
    slow.settimeout(10)
    while len(received) < len(reply) * 1000:
        chunk = slow.recv(1 << 20)
        assert chunk
        received += chunk
    assert received == reply * 1000
    slow.close()


def test_the_output_buffer_limit_closes_a_slow_reader():
    instance = KedisServerThread(ServerConfig(output_buffer_limit=500_000))
    try:
        fast = redis.Redis(port=instance.port)
        fast.set("big", b"x" * 100_000)
        slow = socket.create_connection(("127.0.0.1", instance.port))
        slow.sendall(encode_command([b"GET", b"big"]) * 1000)
        wait_for(lambda: len(fast.client_list()) == 1)
        assert fast.get("big") == b"x" * 100_000
    finally:
        instance.stop()


# --- many clients at once ------------------------------------------------------------------------
def test_a_thousand_concurrent_clients(server):
    async def one(i: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(encode_command([b"SET", b"key:%d" % i, b"%d" % i])
                     + encode_command([b"INCR", b"counter"])
                     + encode_command([b"GET", b"key:%d" % i]))
        await writer.drain()
        data = b""
        while data.count(b"\r\n") < 4:
            data += await reader.read(1024)
        writer.close()
        await writer.wait_closed()
        return data

    async def main():
        return await asyncio.gather(*(one(i) for i in range(1000)))

    replies = asyncio.run(main())
    for i, data in enumerate(replies):
        assert data.startswith(b"+OK\r\n:") and data.endswith(b"$%d\r\n%d\r\n" % (len(str(i)), i))
    check = redis.Redis(port=server.port)
    assert check.get("counter") == b"1000" and check.dbsize() == 1001
    check.close()


# --- expiry inside the server -----------------------------------------------------------------
def test_active_expiry_runs_in_the_server_at_hz(server, r):
    r.set("short", "v", px=100)
    r.set("long", "v", ex=100)
    server.clock.advance(1)  # the fake clock: no sleeping for the TTL
    wait_for(lambda: server.engine.stats.expired_keys_active == 1)
    assert r.dbsize() == 1


# --- redis-cli scripts, compared with redis-server ------------------------------------------------
SCRIPT = """\
SET greeting "hello world"
GET greeting
INCR counter
INCRBY counter 10
MGET greeting nothing counter
EXPIRE greeting 100
TTL greeting
CLIENT SETNAME scripted
CLIENT GETNAME
MULTI
SET a 1
INCR a
EXEC
MULTI
NOPE
EXEC
GET nothing
SELECT 99
APPEND greeting "!"
DEL greeting counter a
"""


def redis_cli(port: int, script: str, *args: str) -> str:
    return subprocess.run(["redis-cli", "-p", str(port), *args], input=script, text=True,
                          capture_output=True, timeout=30).stdout


@pytest.mark.redis
@pytest.mark.parametrize("mode", [[], ["--no-raw"], ["--no-raw", "-3"]],
                         ids=["raw", "formatted", "resp3"])
def test_a_redis_cli_script_answers_as_with_redis_server(server, redis_server, mode):
    require_redis_binaries("redis-cli")
    for port in (server.port, redis_server.port):
        redis_cli(port, "FLUSHALL\n")
    assert redis_cli(server.port, SCRIPT, *mode) == redis_cli(redis_server.port, SCRIPT, *mode)


@pytest.mark.skipif(sys.platform != "linux", reason="the script is Linux's")
def test_the_kedis_server_script_starts_and_stops(tmp_path):
    port = _free_port()
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "kedis-server"),
                                "--port", str(port), "--dir", str(tmp_path)],
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        while "Ready to accept connections" not in line:
            assert line, "kedis-server stopped"
            line = process.stderr.readline()
        client = redis.Redis(port=port)
        assert client.ping() and client.set("k", "v") and client.get("k") == b"v"
        client.close()
    finally:
        process.terminate()
        assert process.wait(10) == 0
    # As redis-server, it saved at shutdown (its default save rules), and loads it at start.
    assert (tmp_path / "dump.rdb").exists()


def test_the_server_keeps_its_data_across_restarts_with_the_aof(tmp_path):
    from kedis.network.server import make_engine

    config = parse_arguments(["--port", "0", "--dir", str(tmp_path), "--appendonly", "yes",
                              "--save", ""])
    first = KedisServerThread.around(make_engine(config), config)
    client = redis.Redis(port=first.port)
    client.set("k", "v")
    with client.pipeline(transaction=True) as pipe:
        pipe.incr("n").incr("n").execute()
    client.close()
    first.stop()
    assert b"MULTI" in b"".join(p.read_bytes() for p in (tmp_path / "appendonlydir").iterdir())
    second = KedisServerThread.around(make_engine(config), config)
    client = redis.Redis(port=second.port)
    assert (client.get("k"), client.get("n")) == (b"v", b"2")
    client.close()
    second.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_config_file_gives_options_and_the_command_line_overrides_them(tmp_path):
    conf = tmp_path / "kedis.conf"
    conf.write_text("# a comment\nport 7777\nrequirepass \"s3 cret\"\nmaxclients 50\n"
                    "save \"\"\nappendonly yes\n")
    config = parse_arguments([str(conf), "--maxclients", "5"])
    assert (config.port, config.requirepass, config.maxclients) == (7777, b"s3 cret", 5)
    assert config.engine_config == {"save": "", "appendonly": "yes"}
    conf.write_text("port\n")
    with pytest.raises(SystemExit, match="Bad directive or wrong number of arguments"):
        parse_arguments([str(conf)])
