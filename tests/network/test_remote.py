"""RedisTarget: a real Redis, answering with Kedis's replies, byte for byte what the server sent.

The main check runs the same commands on a raw socket (redis_oracle.RawClient, which returns the
exact reply bytes) and on a RedisTarget, on the same private redis-server, and compares the raw
bytes with ``reply.resp()``. The others pin down the reply types, the URL, authentication, and what
happens when a connection goes away.
"""

from __future__ import annotations

import re
import socket
import struct
import threading

import pytest
from redis.exceptions import InvalidResponse
from redis_oracle import RawClient, RedisServer, free_port

from kedis.engine.reply import Array, Bulk, Error, Integer, Null, NullArray, Status
from kedis.network.remote import RedisTarget, RemoteError, ReplyParser, encode_command

pytestmark = pytest.mark.redis

BINARY = b"a\r\nb\x00c\xff\r\n"
BIG = bytes(range(256)) * 2000  # 512 kB: more than one socket read

# Keys of every type, binary values, an empty string, a big value, a long list.
SETUP = [
    [b"SET", b"s", b"hello"],
    [b"SET", b"bin", BINARY],
    [b"SET", b"empty", b""],
    [b"SET", b"big", BIG],
    [b"SET", b"n", b"10"],
    [b"SET", b"k\r\n\x00", b"binary key"],
    [b"RPUSH", b"list", b"a", b"", b"c\r\n"],
    [b"RPUSH", b"long", *[b"%d" % i for i in range(1000)]],
    [b"HSET", b"h", b"f", b"v"],
    [b"SADD", b"set", b"m"],
    [b"ZADD", b"z", b"1", b"a", b"2.5", b"b"],
    [b"XADD", b"x", b"1-1", b"f", b"v"],
]

# Each case is a list of commands run in order on one connection. Every reply type is here:
# statuses, errors (alone and inside an array), integers, bulks, nil, the null array, arrays
# nested two and three deep.
CASES = {
    "ping": [[b"PING"], [b"PING", b"hi"]],
    "set": [[b"SET", b"k", b"v"], [b"SET", b"k", b"v", b"NX"], [b"GET", b"k"]],
    "get": [[b"GET", b"s"], [b"GET", b"missing"], [b"GET", b"empty"]],
    "binary": [[b"GET", b"bin"], [b"GET", b"k\r\n\x00"], [b"SET", BINARY, BINARY],
               [b"GET", BINARY], [b"KEYS", b"*\r\n*"]],
    "big": [[b"GET", b"big"], [b"STRLEN", b"big"], [b"LRANGE", b"long", b"0", b"-1"]],
    "integers": [[b"INCR", b"n"], [b"DECRBY", b"n", b"100"], [b"TTL", b"missing"],
                 [b"EXISTS", b"s", b"n", b"missing"]],
    "errors": [[b"INCR", b"s"], [b"GET", b"list"], [b"GET"], [b"NOSUCH", b"a", b"b"],
               [b"SET", b"k", b"v", b"XX", b"NX"], [b"GET FOO"], [b""], [b"CONFIG", b"NOPE"]],
    "arrays": [[b"LRANGE", b"list", b"0", b"-1"], [b"LRANGE", b"missing", b"0", b"-1"],
               [b"MGET", b"s", b"missing", b"bin"], [b"HGETALL", b"h"],
               [b"ZRANGE", b"z", b"0", b"-1", b"WITHSCORES"], [b"SMEMBERS", b"set"]],
    "nested": [[b"COMMAND", b"INFO", b"get"], [b"COMMAND", b"INFO", b"get", b"nosuch"],
               [b"XRANGE", b"x", b"-", b"+"], [b"SCAN", b"0", b"COUNT", b"100"],
               [b"ZMPOP", b"1", b"z", b"MIN"], [b"CONFIG", b"GET", b"maxmemory"]],
    "null array": [[b"ZMPOP", b"1", b"missing", b"MIN"], [b"LMPOP", b"1", b"missing", b"LEFT"]],
    "statuses": [[b"TYPE", b"s"], [b"TYPE", b"missing"], [b"OBJECT", b"ENCODING", b"s"]],
    "transaction": [[b"MULTI"], [b"INCR", b"n"], [b"INCR", b"s"], [b"GET", b"n"], [b"EXEC"],
                    [b"EXEC"], [b"DISCARD"]],
    "select": [[b"SELECT", b"2"], [b"GET", b"s"], [b"SELECT", b"99"], [b"SELECT", b"0"],
               [b"GET", b"s"]],
}


def run_raw(client: RawClient, commands: list[list[bytes]]) -> list[bytes]:
    return [client.call(*argv) for argv in commands]


@pytest.fixture
def target(redis_server: RedisServer, redis: RawClient):  # `redis` empties every database first
    with RedisTarget(f"redis://127.0.0.1:{redis_server.port}/0", timeout=2) as target:
        yield target


def client_id(target: RedisTarget) -> int:
    reply = target.execute(b"CLIENT", b"ID")
    assert isinstance(reply, Integer)
    return reply.number


# --- byte for byte --------------------------------------------------------------------------------
@pytest.mark.parametrize("commands", CASES.values(), ids=CASES.keys())
def test_replies_are_the_bytes_the_server_sent(commands, target, redis):
    run_raw(redis, SETUP)
    expected = run_raw(redis, commands)
    redis.call(b"FLUSHALL")
    run_raw(redis, SETUP)
    got = [target.execute(*argv).resp() for argv in commands]
    assert got == expected


# --- reply types ----------------------------------------------------------------------------------
def test_each_resp2_type_becomes_its_kedis_reply(target):
    assert target.execute(b"SET", b"k", b"v") == Status("OK")  # not True, as redis-py would say
    assert target.execute(b"EXPIRE", b"k", b"100") == Integer(1)
    assert target.execute(b"GET", b"k") == Bulk(b"v")
    assert target.execute(b"GET", b"missing") == Null()
    assert target.execute(b"LMPOP", b"1", b"missing", b"LEFT") == NullArray()
    assert target.execute(b"GET", b"") == Null()
    assert target.execute(b"LRANGE", b"missing", b"0", b"-1") == Array([])
    assert target.execute(b"MGET", b"k", b"missing") == Array([Bulk(b"v"), Null()])


def test_nested_arrays_keep_their_shape(target):
    reply = target.execute(b"COMMAND", b"INFO", b"get")
    assert isinstance(reply, Array) and len(reply.items) == 1
    get = reply.items[0]
    assert isinstance(get, Array)
    assert get.items[:2] == (Bulk(b"get"), Integer(2))
    assert get.items[2] == Array([Status("readonly"), Status("fast")])


def test_an_error_reply_is_returned_with_its_full_text(target):
    reply = target.execute(b"NOSUCH", b"a")
    assert reply == Error("ERR unknown command 'NOSUCH', with args beginning with: 'a' ")
    target.execute(b"RPUSH", b"list", b"a")
    assert target.execute(b"GET", b"list") == Error(
        "WRONGTYPE Operation against a key holding the wrong kind of value")


def test_an_error_inside_an_array_stays_a_reply(target):
    target.execute(b"SET", b"s", b"text")
    for argv in ([b"MULTI"], [b"INCR", b"s"], [b"PING"]):
        target.execute(*argv)
    assert target.execute(b"EXEC") == Array(
        [Error("ERR value is not an integer or out of range"), Status("PONG")])


def test_arguments_may_be_str_or_int_as_for_the_engine(target):
    assert target.execute("SET", "k", 42) == Status("OK")
    assert target.execute(b"GET", b"k") == Bulk(b"42")


def test_a_command_needs_a_name(target):
    with pytest.raises(ValueError):
        target.execute()


# --- binary safety --------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [b"", BINARY, b"\x00", b"\r\n", b"\xff\xfe", BIG],
                         ids=["empty", "crlf-nul", "nul", "crlf", "not-utf8", "big"])
def test_values_travel_unchanged(target, value):
    assert target.execute(b"SET", value, value) == Status("OK")
    assert target.execute(b"GET", value) == Bulk(value)


def test_a_command_name_with_a_space_is_one_argument(target, redis):
    # redis-py's encoder would split b"GET FOO" into two arguments; a target sends what it is given.
    reply = target.execute(b"GET FOO")
    assert reply.resp() == redis.call(b"GET FOO")
    assert reply == Error("ERR unknown command 'GET FOO', with args beginning with: ")


def test_encode_command_is_a_resp2_array_of_bulk_strings():
    assert encode_command((b"SET", b"k", b"")) == b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"


# --- the URL --------------------------------------------------------------------------------------
def test_the_database_comes_from_the_url(redis_server, redis):
    with RedisTarget(f"redis://127.0.0.1:{redis_server.port}/3") as target:
        assert target.execute(b"SET", b"k", b"in 3") == Status("OK")
    assert redis.call(b"GET", b"k") == b"$-1\r\n"
    redis.call(b"SELECT", b"3")
    assert redis.call(b"GET", b"k") == b"$4\r\nin 3\r\n"


def test_the_database_may_be_a_query_option(redis_server, redis):
    with RedisTarget(f"redis://127.0.0.1:{redis_server.port}?db=2") as target:
        assert "db=2 " in target.execute(b"CLIENT", b"INFO").data.decode()


def test_the_description_names_the_server_and_its_version(redis_server, redis):
    version = re.search(rb"redis_version:(\S+)", redis.call(b"INFO", b"server")).group(1)
    with RedisTarget(f"redis://127.0.0.1:{redis_server.port}/3") as target:
        assert target.description == (f"redis://127.0.0.1:{redis_server.port}/3 "
                                      f"(Redis {version.decode()})")
        assert target.version == version.decode()


def test_the_handshake_still_works_with_options_of_the_url(redis_server, redis):
    # CLIENT SETNAME is part of redis-py's handshake, which reads its reply as a plain b"OK".
    url = f"redis://127.0.0.1:{redis_server.port}/1?client_name=kedis-test"
    with RedisTarget(url) as target:
        assert target.execute(b"CLIENT", b"GETNAME") == Bulk(b"kedis-test")


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:6379", "bad Redis URL 'http://127.0.0.1:6379': Redis URL must specify"),
    ("127.0.0.1:6379", "bad Redis URL '127.0.0.1:6379'"),
    ("redis://127.0.0.1:port", "bad Redis URL 'redis://127.0.0.1:port': Port could not be cast"),
    ("redis://127.0.0.1:6379/zero", "the database must be a number"),
    ("redis://127.0.0.1:6379?protocol=3", "Kedis's replies are RESP2, remove protocol=3"),
    ("redis://127.0.0.1:6379?colour=blue", "unknown option 'colour'"),
])
def test_a_bad_url_is_a_remote_error(url, message):
    with pytest.raises(RemoteError) as caught:
        RedisTarget(url)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_closed_port_is_a_remote_error():
    port = free_port()
    with pytest.raises(RemoteError, match=rf"^cannot connect to redis://127.0.0.1:{port}: .*"
                                          r"Connection refused"):
        RedisTarget(f"redis://127.0.0.1:{port}")


def test_a_missing_unix_socket_is_a_remote_error(tmp_path):
    with pytest.raises(RemoteError, match="cannot connect to unix://.*No such file"):
        RedisTarget(f"unix://{tmp_path}/redis.sock")


# --- authentication -------------------------------------------------------------------------------
@pytest.fixture
def alice(redis):
    """A user alice, password "secret", allowed everything."""
    assert redis.call(b"ACL", b"SETUSER", b"alice", b"on", b">secret", b"~*", b"&*",
                      b"+@all") == b"+OK\r\n"
    yield
    redis.call(b"ACL", b"DELUSER", b"alice")


def test_a_user_and_password_in_the_url_authenticate(redis_server, alice):
    with RedisTarget(f"redis://alice:secret@127.0.0.1:{redis_server.port}/0") as target:
        assert target.execute(b"ACL", b"WHOAMI") == Bulk(b"alice")
        assert target.description.startswith(f"redis://alice@127.0.0.1:{redis_server.port}/0 ")
        assert "secret" not in target.description + repr(target)


def test_a_wrong_password_is_a_remote_error_that_hides_it(redis_server, alice):
    with pytest.raises(RemoteError) as caught:
        RedisTarget(f"redis://alice:wrong@127.0.0.1:{redis_server.port}/0")
    assert str(caught.value) == (
        f"authentication to redis://alice:***@127.0.0.1:{redis_server.port}/0 failed: "
        "invalid username-password pair or user is disabled.")


def test_a_password_the_server_does_not_want_is_a_remote_error(redis_server):
    with pytest.raises(RemoteError, match="^authentication to .* failed: AUTH <password> called "
                                          "without any password configured"):
        RedisTarget(f"redis://:secret@127.0.0.1:{redis_server.port}/0")


# --- connections that go away ---------------------------------------------------------------------
def test_a_connection_killed_by_another_client_is_reopened(target, redis):
    before = client_id(target)
    assert redis.call(b"CLIENT", b"KILL", b"ID", b"%d" % before) == b":1\r\n"
    assert target.execute(b"PING") == Status("PONG")
    assert client_id(target) != before


def test_a_connection_that_killed_itself_is_reopened(target, redis):
    before = client_id(target)
    # SKIPME no: by default CLIENT KILL spares the connection that sends it.
    kill = (b"CLIENT", b"KILL", b"ID", b"%d" % before, b"SKIPME", b"no")
    assert target.execute(*kill) == Integer(1)
    # The server closes the connection just after the reply: the next command reconnects (or, if
    # it was sent before the close, is reset unread and sent again on a new connection).
    assert target.execute(b"PING") == Status("PONG")
    assert client_id(target) != before


def test_a_reconnection_keeps_the_selected_database(redis_server, redis):
    with RedisTarget(f"redis://127.0.0.1:{redis_server.port}/3") as target:
        assert target.execute(b"SELECT", b"5") == Status("OK")
        redis.call(b"CLIENT", b"KILL", b"ID", b"%d" % client_id(target))
        assert "db=5 " in target.execute(b"CLIENT", b"INFO").data.decode()
        assert target.description.split(" ")[0].endswith("/5")
        assert target.execute(b"RESET") == Status("RESET")
        redis.call(b"CLIENT", b"KILL", b"ID", b"%d" % client_id(target))
        assert "db=0 " in target.execute(b"CLIENT", b"INFO").data.decode()


def test_after_quit_the_next_command_reconnects(target):
    before = client_id(target)
    assert target.execute(b"QUIT") == Status("OK")
    assert target.execute(b"PING") == Status("PONG")
    assert client_id(target) != before


def test_no_reply_within_the_timeout_is_a_remote_error(redis_server, redis):
    with RedisTarget(f"redis://127.0.0.1:{redis_server.port}/0", timeout=0.1) as target:
        with pytest.raises(RemoteError, match=r"^no reply from .* within 0.1 s; the connection "
                                              "was closed"):
            target.execute(b"BLPOP", b"missing", b"0")  # blocks until the connection closes
        assert target.execute(b"PING") == Status("PONG")
        assert redis.call(b"INFO", b"clients").count(b"blocked_clients:0") == 1


def test_subscribe_returns_its_first_confirmation_and_the_next_command_reconnects(target):
    before = client_id(target)
    assert target.execute(b"SUBSCRIBE", b"a", b"b") == Array(
        [Bulk(b"subscribe"), Bulk(b"a"), Integer(1)])
    # The confirmation for b was never asked for: the connection is replaced.
    assert target.execute(b"PING") == Status("PONG")
    assert client_id(target) != before


def test_monitor_does_not_hang(target):
    assert target.execute(b"MONITOR") == Status("OK")
    assert target.execute(b"RESET") == Status("RESET")
    assert target.execute(b"PING") == Status("PONG")


def test_a_resp3_reply_is_a_remote_error_and_the_next_connection_speaks_resp2(target):
    with pytest.raises(RemoteError, match=r"answered in RESP3"):
        target.execute(b"HELLO", b"3")
    assert "resp=2" in target.execute(b"CLIENT", b"INFO").data.decode()


def test_a_closed_target_refuses_commands(redis_server, redis):
    target = RedisTarget(f"redis://127.0.0.1:{redis_server.port}/0")
    target.close()
    with pytest.raises(RemoteError, match="was closed"):
        target.execute(b"PING")


# --- servers that are not quite Redis -------------------------------------------------------------
@pytest.fixture
def fake_server():
    """Start a server on a free port; `handler(conn, n)` serves its n-th connection (from 0)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def serve(handler) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # the test is over
                return
            accepted.append(conn)
            with conn:
                try:
                    handler(conn, len(accepted) - 1)
                except OSError:  # the test ended first, and closed the connection under it
                    return

    def start(handler) -> int:
        threading.Thread(target=serve, args=(handler,), daemon=True).start()
        return listener.getsockname()[1]

    yield start
    listener.close()
    for conn in accepted:
        conn.close()


def silent(conn: socket.socket, n: int) -> None:
    while conn.recv(1 << 16):  # reads, never answers, until the client leaves
        pass


def reset(conn: socket.socket) -> None:
    # Close with SO_LINGER 0: TCP resets the connection, as when closing with data unread.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def pretend_redis(on_get):
    """A server that answers redis-py's handshake, PING and INFO, and GET with `on_get`."""
    info = b"redis_version:0.0.0-fake\r\n"

    def handler(conn: socket.socket, n: int) -> None:
        # Commands are small and sent one at a time: one recv holds one command.
        while data := conn.recv(1 << 16):
            if b"GET" in data:
                if on_get(conn, n) is False:
                    return
            elif b"PING" in data:
                conn.sendall(b"+PONG\r\n")
            elif b"INFO" in data:
                conn.sendall(b"$%d\r\n%s\r\n" % (len(info), info))
            else:  # CLIENT SETINFO, SELECT
                conn.sendall(b"+OK\r\n")
    return handler


def test_a_server_that_never_answers_is_a_timeout(fake_server):
    port = fake_server(silent)
    with pytest.raises(RemoteError, match=rf"^no answer from redis://127.0.0.1:{port} within "
                                          r"0.1 s"):
        RedisTarget(f"redis://127.0.0.1:{port}", timeout=0.1)


def test_a_server_that_is_not_redis_is_a_remote_error(fake_server):
    def http(conn: socket.socket, n: int) -> None:
        conn.recv(1 << 16)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        silent(conn, n)

    port = fake_server(http)
    with pytest.raises(RemoteError, match=r"does not answer as Redis does: not a RESP2 reply: "
                                          r"b'HTTP/1.1 400"):
        RedisTarget(f"redis://127.0.0.1:{port}", timeout=1)


def test_a_command_reset_unread_is_sent_again_on_a_new_connection(fake_server):
    gets = []

    def on_get(conn: socket.socket, n: int) -> bool:
        gets.append(n)
        if n == 0:
            reset(conn)
            return False
        conn.sendall(b"$5\r\nfresh\r\n")
        return True

    with RedisTarget(f"redis://127.0.0.1:{fake_server(pretend_redis(on_get))}") as target:
        assert target.version == "0.0.0-fake"
        assert target.execute(b"GET", b"k") == Bulk(b"fresh")
    assert gets == [0, 1]


def test_a_connection_closed_during_a_command_is_not_sent_again(fake_server):
    gets = []

    def on_get(conn: socket.socket, n: int) -> bool:
        gets.append(n)
        if n == 0:
            conn.shutdown(socket.SHUT_RDWR)  # an orderly end: the command may have run
            return False
        conn.sendall(b"$5\r\nfresh\r\n")
        return True

    with RedisTarget(f"redis://127.0.0.1:{fake_server(pretend_redis(on_get))}") as target:
        with pytest.raises(RemoteError, match="lost during the command, which may or may not have"
                                              " run"):
            target.execute(b"GET", b"k")
        assert gets == [0]
        assert target.execute(b"GET", b"k") == Bulk(b"fresh")  # the next command reconnects
    assert gets == [0, 1]


# --- the parser on its own ------------------------------------------------------------------------
class _FakeConnection:
    """What ReplyParser.on_connect uses of a redis-py connection."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.socket_timeout = 1.0
        self.encoder = None
        self.callbacks: list = []

    def register_connect_callback(self, callback) -> None:
        self.callbacks.append(callback)


@pytest.fixture
def parse():
    """Feed bytes to a ReplyParser; `handshake=True` reads them as redis-py's handshake would."""
    sockets = []

    def parse(data: bytes, handshake: bool = False):
        ours, theirs = socket.socketpair()
        sockets.extend([ours, theirs])
        parser = ReplyParser(socket_read_size=4)  # tiny reads: replies arrive in pieces
        connection = _FakeConnection(ours)
        parser.on_connect(connection)
        if not handshake:
            for callback in connection.callbacks:
                callback(connection)
        theirs.sendall(data)
        return parser.read_response()

    yield parse
    for sock in sockets:
        sock.close()


def test_the_parser_reads_replies_that_arrive_in_pieces(parse):
    data = b"*3\r\n$4\r\na\r\nb\r\n*-1\r\n*1\r\n:-7\r\n"
    reply = parse(data)
    assert reply == Array([Bulk(b"a\r\nb"), NullArray(), Array([Integer(-7)])])
    assert reply.resp() == data


def test_during_the_handshake_the_parser_gives_redis_py_values(parse):
    assert parse(b"+OK\r\n", handshake=True) == b"OK"
    assert parse(b"*2\r\n:1\r\n$-1\r\n", handshake=True) == [1, None]
    assert type(parse(b"-ERR nope\r\n", handshake=True)).__name__ == "ResponseError"


@pytest.mark.parametrize("data", [b"$-2\r\n", b":1_0\r\n", b": 1\r\n", b"*x\r\n", b"?\r\n",
                                  b"%1\r\n"])
def test_the_parser_rejects_what_redis_never_sends(parse, data):
    with pytest.raises(InvalidResponse):
        parse(data)
