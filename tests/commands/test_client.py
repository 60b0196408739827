"""CLIENT (kedis/commands/connection.py; the connections in kedis/network/server.py, the pause and the
gate in kedis/engine/dispatcher.py), on kedis-server and on redis-server, over real sockets, byte for byte.

- CLIENT REPLY: what a connection receives, replies turned off, on, skipped, in pipelines,
  transactions, with Pub/Sub and MONITOR, and in the embedded engine;
- CLIENT PAUSE / UNPAUSE: which commands wait, in which order they run, what ends a pause (on a
  fake clock in Kedis: no test sleeps), the data held still (no key expires while paused);
- CLIENT LIST / INFO: every field, in Redis's order, and the flags and values of each state;
  TYPE, ID, and CLIENT KILL's filters;
- GETREDIR, TRACKINGINFO, UNBLOCK, NO-EVICT, HELP, and the arguments each refuses.

A pause holds everyone's commands, this test's too: each scenario watches the servers from a
MONITOR connection (``Observer``), which Redis never holds (it is a replica to Redis), and which
ends the pause if the scenario fails halfway.
"""

from __future__ import annotations

import itertools
import re
import socket
import time

import pytest
import redis as redis_py
from compare import SYNTAX_ERROR, parse_resp, same
from kedis_server import KedisServerThread
from redis_oracle import RawClient

import kedis
from kedis.engine.client import PAUSE_ALL, PAUSE_WRITE
from kedis.engine.dispatcher import POSTPONED
from kedis.engine.reply import NO_REPLY
from kedis.network.resp import encode_command
from kedis.network.server import ServerConfig

pytestmark = pytest.mark.redis

END = b"--end--"


def _encode(*commands) -> bytes:
    return b"".join(encode_command([a if isinstance(a, bytes) else str(a).encode() for a in c])
                    for c in commands)


def received(port: int, commands: list[list], *, before: list[list] = ()) -> bytes:
    """Every byte one connection receives for ``commands``, sent in one pipeline.

    The connection then sends RESET (which turns replies back on and leaves any channel) and
    ECHO of a marker, and is read until the marker's reply: so what it did *not* receive is
    seen too, without waiting for silence.
    """
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(5)
        for command in before:  # set-up, answered before the pipeline starts
            sock.sendall(_encode(command))
            sock.recv(65536)
        sock.sendall(_encode(*commands, ["RESET"], ["ECHO", END]))
        data = b""
        marker = b"$%d\r\n%s\r\n" % (len(END), END)
        while not data.endswith(marker):
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {data!r}"
            data += chunk
    return data[:-len(marker)]


# --- CLIENT REPLY ------------------------------------------------------------------------------------
REPLY_SCENARIOS = {
    "OFF silences everything until ON, errors included": [
        ["SET", "a", "1"], ["CLIENT", "REPLY", "OFF"], ["SET", "a", "2"], ["GET", "a"],
        ["NOSUCH"], ["GET"], ["INCR", "a"], ["CLIENT", "REPLY", "ON"], ["GET", "a"]],
    "SKIP silences the next command only": [
        ["CLIENT", "REPLY", "SKIP"], ["SET", "a", "1"], ["GET", "a"], ["CLIENT", "REPLY", "SKIP"],
        ["NOSUCH"], ["PING"]],
    "SKIP after SKIP: the second is skipped, and skips the next": [
        ["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "SKIP"], ["GET", "a"], ["GET", "a"]],
    "SKIP while OFF does nothing": [
        ["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["GET", "a"],
        ["CLIENT", "REPLY", "ON"], ["GET", "a"], ["PING"]],
    "ON after SKIP answers, and cancels the skip": [
        ["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"], ["PING"]],
    "ON when already on": [["CLIENT", "REPLY", "ON"], ["CLIENT", "REPLY", "on"]],
    "RESET turns replies back on and answers": [
        ["CLIENT", "REPLY", "OFF"], ["RESET"], ["PING"]],
    "RESET after SKIP is itself skipped": [["CLIENT", "REPLY", "SKIP"], ["RESET"], ["PING"]],
    "the words as C reads them, and wrong ones": [
        ["client", "reply", b"skip\x00x"], ["PING"], ["CLIENT", "REPLY", "Off"], ["PING"],
        ["client", "REPLY", "on"], ["CLIENT", "REPLY", "maybe"], ["CLIENT", "REPLY"],
        ["CLIENT", "REPLY", "on", "x"]],
    "a queued command's QUEUED is skipped, and so is EXEC's array": [
        ["MULTI"], ["CLIENT", "REPLY", "SKIP"], ["SET", "a", "1"], ["EXEC"],
        ["CLIENT", "REPLY", "SKIP"], ["MULTI"], ["CLIENT", "REPLY", "SKIP"], ["EXEC"], ["PING"]],
    "OFF inside EXEC: the array's count, then nothing of what was silenced": [
        ["MULTI"], ["GET", "a"], ["CLIENT", "REPLY", "OFF"], ["GET", "a"], ["EXEC"],
        ["GET", "a"], ["CLIENT", "REPLY", "ON"], ["PING"]],
    "ON inside EXEC of a transaction begun with replies off: no header": [
        ["CLIENT", "REPLY", "OFF"], ["MULTI"], ["GET", "a"], ["CLIENT", "REPLY", "ON"],
        ["GET", "a"], ["EXEC"], ["PING"]],
    "EXEC under SKIP, with OFF and ON inside": [
        ["SET", "a", "1"], ["CLIENT", "REPLY", "SKIP"], ["MULTI"], ["CLIENT", "REPLY", "OFF"],
        ["GET", "a"], ["CLIENT", "REPLY", "ON"], ["GET", "a"], ["EXEC"], ["PING"]],
    "Pub/Sub's confirmations are pushed: they arrive while replies are off": [
        ["CLIENT", "REPLY", "OFF"], ["SUBSCRIBE", "c1", "c2"], ["PSUBSCRIBE", "p*"], ["PING"],
        ["GET", "a"], ["UNSUBSCRIBE", "c1"], ["PUNSUBSCRIBE"], ["PUBLISH", "c2", "to myself"]],
    "RESP3": [
        ["HELLO", "3"], ["CLIENT", "REPLY", "SKIP"], ["GET", "nothing"], ["GET", "nothing"],
        ["CLIENT", "REPLY", "OFF"], ["SUBSCRIBE", "c"], ["PUBLISH", "c", "m"], ["GET", "a"],
        ["CLIENT", "REPLY", "ON"], ["CLIENT", "TRACKINGINFO"]],
}


@pytest.mark.parametrize("commands", REPLY_SCENARIOS.values(), ids=REPLY_SCENARIOS.keys())
def test_client_reply_scenarios_receive_what_redis_sends(kedis_server, redis_server, commands):
    setup = [["FLUSHALL"]]
    if commands[0][0] == "HELLO":  # answered before (its reply holds the client's id)
        setup, commands = setup + commands[:1], commands[1:]
    assert (received(kedis_server.port, commands, before=setup)
            == received(redis_server.port, commands, before=setup))


def test_client_reply_off_still_runs_the_commands(kedis_server):
    data = received(kedis_server.port, [["CLIENT", "REPLY", "OFF"], ["SET", "silent", "yes"],
                                        ["CLIENT", "REPLY", "ON"], ["GET", "silent"]])
    assert data == b"+OK\r\n$3\r\nyes\r\n+RESET\r\n"


def test_client_reply_skip_of_a_pipeline_sent_byte_by_byte(kedis_server):
    # The state belongs to the connection, not to a read: commands split anywhere act alike.
    with socket.create_connection(("127.0.0.1", kedis_server.port)) as sock:
        sock.settimeout(5)
        for byte in _encode(["CLIENT", "REPLY", "SKIP"], ["ECHO", "no"], ["ECHO", "yes"]):
            sock.sendall(bytes([byte]))
        assert sock.recv(100) == b"$3\r\nyes\r\n"


def read_exactly(sock: socket.socket, expected: bytes) -> bytes:
    data = b""
    while len(data) < len(expected):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("ending", [[b"QUIT"], [b"CLIENT", b"KILL", b"ID", b"{me}", b"SKIPME",
                                                b"no"], b"*1\r\n$abc\r\n"],
                         ids=["QUIT", "KILL", "protocol error"])
def test_a_client_that_closes_with_replies_off_waits_for_something_to_write(
        kedis_server, redis_server, ending):
    """Redis closes such a connection once it has written it its last replies: with nothing to
    write, the connection stays open and deaf, until a message is pushed to it: going to write
    it closes the connection, and the message is lost. (In RESP3, where a subscriber may run any
    command.)"""
    for port in (kedis_server.port, redis_server.port):
        publisher = RawClient(port)
        with socket.create_connection(("127.0.0.1", port)) as listener:
            listener.settimeout(5)
            listener.sendall(_encode(["CLIENT", "ID"]))
            me = listener.recv(100)[1:-2]
            listener.sendall(_encode(["HELLO", "3"]))
            hello = b""
            while not hello.endswith(b"$7\r\nmodules\r\n*0\r\n"):
                hello += listener.recv(65536)
            last = ending if isinstance(ending, bytes) else _encode(
                [me if arg == b"{me}" else arg for arg in ending])
            listener.sendall(_encode(["CLIENT", "REPLY", "OFF"], ["SUBSCRIBE", "c"]))
            confirmation = b">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n"
            assert read_exactly(listener, confirmation) == confirmation  # pushed: it goes
            listener.sendall(last + _encode(["PING"]))
            listener.settimeout(0.3)
            with pytest.raises(TimeoutError):
                listener.recv(100)  # open, and the PING unanswered: nothing is read any more
            listener.settimeout(5)
            assert publisher.call("PUBLISH", "c", "bye") == b":1\r\n"
            assert listener.recv(100) == b""  # closed, without the message
        publisher.close()


def test_a_client_that_closes_after_a_reply_still_sent_closes(kedis_server, redis_server):
    for port in (kedis_server.port, redis_server.port):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(5)
            sock.sendall(_encode(["PING"], ["CLIENT", "REPLY", "OFF"], ["QUIT"]))
            data = b""
            while chunk := sock.recv(100):
                data += chunk
            assert data == b"+PONG\r\n"


FEED = re.compile(rb"\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]")


def test_a_monitor_with_replies_off_hears_nothing(kedis_server, redis_server):
    def play(port: int) -> list[bytes]:
        monitor, other = RawClient(port), RawClient(port)
        assert monitor.call("MONITOR") == b"+OK\r\n"
        monitor.sock.sendall(_encode(["CLIENT", "REPLY", "OFF"]))
        other.call("SET", "heard", "no")
        other.call("SET", "heard", "no, again")
        monitor.sock.sendall(_encode(["CLIENT", "REPLY", "ON"]))
        lines = [monitor._read_reply(), monitor._read_reply()]  # ON's OK, and its own line
        other.call("SET", "heard", "yes")
        lines.append(monitor._read_reply())
        monitor.close()
        other.close()
        return [FEED.sub(rb"+T [\1 ADDR]", line) for line in lines]

    lines = play(kedis_server.port)
    assert lines == play(redis_server.port)
    assert lines == [b"+OK\r\n", b'+T [0 ADDR] "CLIENT" "REPLY" "ON"\r\n',
                     b'+T [0 ADDR] "SET" "heard" "yes"\r\n']


def test_a_subscriber_with_replies_off_still_gets_its_messages(kedis_server, redis_server):
    def play(port: int) -> bytes:
        listener, publisher = RawClient(port), RawClient(port)
        listener.sock.sendall(_encode(["CLIENT", "REPLY", "OFF"], ["SUBSCRIBE", "news"]))
        confirmation = listener._read_reply()
        publisher.call("PUBLISH", "news", "hello")
        message = listener._read_reply()
        listener.close()
        publisher.close()
        return confirmation + message

    data = play(kedis_server.port)
    assert data == play(redis_server.port)
    assert data.endswith(b"$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")


def test_client_reply_in_the_embedded_engine_answers_nothing_for_silenced_commands(db, redis):
    commands = [["CLIENT", "REPLY", "OFF"], ["SET", "a", "1"], ["GET"], ["CLIENT", "REPLY", "ON"],
                ["CLIENT", "REPLY", "SKIP"], ["INCR", "a"], ["GET", "a"]]
    replies = [db.execute(*command) for command in commands]
    assert [reply is NO_REPLY for reply in replies] == [True, True, True, False, True, True, False]
    redis.sock.sendall(_encode(*commands))
    assert b"".join(reply.resp() for reply in replies) == redis._read_reply() + redis._read_reply()
    assert db.run("GET a").value == b"2"  # the silenced commands ran


def test_the_embedded_engine_keeps_no_close_after_quit(db):
    # QUIT has no connection to close in the embedded engine: the next command is as fast as ever.
    assert db.run("QUIT").value == "OK"
    assert not db.client.attention and db.run("PING").value == "PONG"


# --- CLIENT PAUSE and UNPAUSE ----------------------------------------------------------------
class Observer:
    """A MONITOR connection that asks questions: Redis holds no command of a MONITOR client
    (it counts as a replica), and answers it any command that does not touch the keyspace.
    Monitor lines that arrive in between are skipped (CLIENT commands are admin: not fed)."""

    def __init__(self, port: int) -> None:
        self.raw = RawClient(port)
        assert self.raw.call("MONITOR") == b"+OK\r\n"

    def call(self, *args) -> bytes:
        self.raw.sock.sendall(_encode(args))
        while True:
            reply = self.raw._read_reply()
            if not FEED.match(reply):
                return reply

    def flags(self) -> dict[str, str]:
        """Each connection's flags, by name (CLIENT SETNAME), from CLIENT LIST."""
        lines = parse_resp(self.call("CLIENT", "LIST")).decode().splitlines()
        fields = [dict(item.split("=", 1) for item in line.split(" ")) for line in lines]
        return {f["name"]: f["flags"] for f in fields if f["name"]}

    def wait_held(self, *names: str) -> None:
        """Until these connections wait (flag b): their commands reached the server."""
        deadline = time.monotonic() + 5
        while not all("b" in self.flags().get(name, "") for name in names):
            assert time.monotonic() < deadline, self.flags()
            time.sleep(0.01)

    def close(self) -> None:
        self.call("CLIENT", "UNPAUSE")
        self.raw.close()


_runs = itertools.count()


def run_tag() -> str:
    """A suffix for this run's client names: connections an earlier test closed may still be
    on a server's list for a moment."""
    return f"-{next(_runs)}"


def ours(lines: list[dict[str, str]], tag: str) -> list[str]:
    """The names of this run's clients, without their tag, sorted."""
    return sorted(line["name"][:-len(tag)] for line in lines if line["name"].endswith(tag))


def blocked_line(info: bytes) -> bytes:
    return next(line for line in info.split(b"\r\n") if line.startswith(b"blocked_clients:"))


def connect(port: int, name: str) -> RawClient:
    client = RawClient(port)
    assert client.call("CLIENT", "SETNAME", name) == b"+OK\r\n"
    return client


def paused(port: int, scenario) -> list:
    """Run ``scenario(observer, port)`` from an empty store, and end any pause it leaves."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"FLUSHALL\r\n")
        assert sock.recv(100) == b"+OK\r\n"
    observer = Observer(port)
    try:
        return scenario(observer, port)
    finally:
        observer.close()


def on_both(kedis_server, redis_server, scenario) -> list:
    mine = paused(kedis_server.port, scenario)
    assert mine == paused(redis_server.port, scenario)
    return mine


def test_a_write_pause_holds_writes_until_unpause(kedis_server, redis_server):
    def scenario(observer, port):
        pauser, writer = connect(port, "pauser"), connect(port, "writer")
        seen = [pauser.call("CLIENT", "PAUSE", "100000", "WRITE")]
        writer.sock.sendall(_encode(["GET", "k"], ["SET", "k", "v"], ["GET", "k"]))
        seen.append(writer._read_reply())  # the read is answered at once
        observer.wait_held("writer")
        seen += [pauser.call("GET", "k"), pauser.call("PING"), pauser.call("INFO", "keyspace"),
                 observer.flags()["writer"]]
        seen += [pauser.call("CLIENT", "UNPAUSE"), writer._read_reply(), writer._read_reply(),
                 observer.flags()["writer"]]
        return seen

    assert on_both(kedis_server, redis_server, scenario) == [
        b"+OK\r\n", b"$-1\r\n", b"$-1\r\n", b"+PONG\r\n", b"$12\r\n# Keyspace\r\n\r\n", "b",
        b"+OK\r\n", b"+OK\r\n", b"$1\r\nv\r\n", "N"]


def test_a_write_pause_holds_publish_and_a_transaction_that_writes(kedis_server, redis_server):
    def scenario(observer, port):
        reader, writer, publisher = (connect(port, "reader"), connect(port, "writer"),
                                     connect(port, "publisher"))
        writer.sock.sendall(_encode(["MULTI"], ["SET", "k", "1"]))
        seen = [writer._read_reply(), writer._read_reply()]
        seen.append(observer.call("CLIENT", "PAUSE", "100000", "WRITE"))
        # A transaction of reads runs; one with a write waits, EXEC and all.
        seen += [reader.call("MULTI"), reader.call("PING"), reader.call("GET", "k"),
                 reader.call("EXEC")]
        writer.sock.sendall(_encode(["EXEC"]))
        publisher.sock.sendall(_encode(["PUBLISH", "c", "m"]))
        observer.wait_held("writer", "publisher")
        seen += [blocked_line(reader.call("INFO", "clients")),
                 observer.call("CLIENT", "UNPAUSE"), writer._read_reply(),
                 publisher._read_reply()]
        return seen

    assert on_both(kedis_server, redis_server, scenario) == [
        b"+OK\r\n", b"+QUEUED\r\n", b"+OK\r\n", b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n",
        b"*2\r\n+PONG\r\n$-1\r\n", b"blocked_clients:2", b"+OK\r\n", b"*1\r\n+OK\r\n", b":0\r\n"]


def test_a_pause_of_all_holds_every_command_but_refusals_and_monitors(kedis_server, redis_server):
    def scenario(observer, port):
        first, second = connect(port, "first"), connect(port, "second")
        seen = [first.call("CLIENT", "PAUSE", "100000")]
        # Refused commands are answered at once (unknown, wrong arity)...
        seen += [first.call("NOSUCH"), first.call("GET")]
        # ...everything else waits, CLIENT UNPAUSE too, and runs in the order it came.
        first.sock.sendall(_encode(["PING"], ["CLIENT", "UNPAUSE"]))
        second.sock.sendall(_encode(["SET", "k", "1"], ["MULTI"]))
        observer.wait_held("first", "second")
        seen += [observer.call("DBSIZE"), observer.call("CLIENT", "UNPAUSE"), first._read_reply(),
                 first._read_reply(), second._read_reply(), second._read_reply()]
        return seen

    assert on_both(kedis_server, redis_server, scenario) == [
        b"+OK\r\n", b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
        b"-ERR wrong number of arguments for 'get' command\r\n",
        b"-ERR Replica can't interact with the keyspace\r\n", b"+OK\r\n", b"+PONG\r\n", b"+OK\r\n",
        b"+OK\r\n", b"+OK\r\n"]


def test_a_pause_begun_in_a_transaction_starts_once_it_is_done(kedis_server, redis_server):
    def scenario(observer, port):
        client, other = connect(port, "client"), connect(port, "other")
        client.sock.sendall(_encode(["MULTI"], ["SET", "a", "1"], ["CLIENT", "PAUSE", "60000",
                                                                     "WRITE"], ["SET", "b", "2"],
                                    ["EXEC"]))
        seen = [client._read_reply() for _ in range(5)]
        other.sock.sendall(_encode(["SET", "c", "3"]))
        observer.wait_held("other")
        seen += [client.call("MGET", "a", "b", "c"), observer.call("CLIENT", "UNPAUSE"),
                 other._read_reply(), client.call("GET", "c")]
        return seen

    assert on_both(kedis_server, redis_server, scenario)[5:] == [
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", b"+OK\r\n", b"+OK\r\n", b"$1\r\n3\r\n"]


def test_a_second_pause_only_makes_it_longer_and_stricter(kedis_server, redis_server):
    def scenario(observer, port):
        client, other = connect(port, "client"), connect(port, "other")
        seen = [client.call("CLIENT", "PAUSE", "100000", "ALL"),
                observer.call("CLIENT", "PAUSE", "10", "WRITE")]  # still ALL, still long
        other.sock.sendall(_encode(["PING"]))
        observer.wait_held("other")
        seen += [observer.call("CLIENT", "UNPAUSE"), other._read_reply()]
        return seen

    assert on_both(kedis_server, redis_server, scenario) == [b"+OK\r\n"] * 3 + [b"+PONG\r\n"]


def test_a_client_waiting_for_a_pause_can_be_killed(kedis_server, redis_server):
    def scenario(observer, port):
        waiting, killer = connect(port, "waiting"), connect(port, "killer")
        waiting_id = int(waiting.call("CLIENT", "ID")[1:-2])
        seen = [killer.call("CLIENT", "PAUSE", "100000", "WRITE")]
        waiting.sock.sendall(_encode(["SET", "k", "1"]))
        observer.wait_held("waiting")
        seen += [killer.call("CLIENT", "KILL", "ID", str(waiting_id)),
                 blocked_line(killer.call("INFO", "clients")),
                 observer.call("CLIENT", "UNPAUSE"), killer.call("EXISTS", "k")]
        return seen

    assert on_both(kedis_server, redis_server, scenario) == [
        b"+OK\r\n", b":1\r\n", b"blocked_clients:0", b"+OK\r\n", b":0\r\n"]


def test_client_unblock_leaves_a_client_held_by_a_pause_waiting(kedis_server):
    # Redis 7.0.15 answers 1 and sends the held client an error, then holds its command again
    # (it gets two answers to one command; with TIMEOUT, Redis stops): Kedis answers 0.
    def scenario(observer, port):
        waiting = connect(port, "waiting")
        waiting_id = waiting.call("CLIENT", "ID")[1:-2]
        observer.call("CLIENT", "PAUSE", "100000", "WRITE")
        waiting.sock.sendall(_encode(["SET", "k", "1"]))
        observer.wait_held("waiting")
        seen = [observer.call("CLIENT", "UNBLOCK", waiting_id, reason) for reason in
                ("TIMEOUT", "ERROR")]
        seen += [observer.call("CLIENT", "UNPAUSE"), waiting._read_reply()]
        return seen

    assert paused(kedis_server.port, scenario) == [b":0\r\n", b":0\r\n", b"+OK\r\n", b"+OK\r\n"]


@pytest.mark.parametrize("argv, error", [
    (["CLIENT", "PAUSE", "abc"], b"-ERR timeout is not an integer or out of range\r\n"),
    (["CLIENT", "PAUSE", "1.5"], b"-ERR timeout is not an integer or out of range\r\n"),
    (["CLIENT", "PAUSE", ""], b"-ERR timeout is not an integer or out of range\r\n"),
    (["CLIENT", "PAUSE", "10\x00"], b"-ERR timeout is not an integer or out of range\r\n"),
    (["CLIENT", "PAUSE", "-1"], b"-ERR timeout is negative\r\n"),
    (["CLIENT", "PAUSE", "10", "foo"], b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"),
    (["CLIENT", "PAUSE", "abc", "foo"], b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"),
    (["CLIENT", "PAUSE", "-1", "WRITE"], b"-ERR timeout is negative\r\n"),
    (["CLIENT", "PAUSE", "10", "WRITE", "x"],
     b"-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n"),
    (["client", "Pause", "10", "WRITE", "x"],
     b"-ERR unknown subcommand or wrong number of arguments for 'Pause'. Try CLIENT HELP.\r\n"),
    (["CLIENT", "PAUSE"], b"-ERR wrong number of arguments for 'client|pause' command\r\n"),
    (["CLIENT", "UNPAUSE", "x"], b"-ERR wrong number of arguments for 'client|unpause' command\r\n"),
], ids=repr)
def test_client_pause_refuses_what_redis_refuses(db, redis, argv, error):
    assert same(db, redis, *argv) == error


def test_client_pause_modes_are_read_as_c_strings(kedis_server, redis_server):
    def scenario(observer, port):
        # (from the MONITOR connection: once ALL is on, any other client's next command waits)
        return [observer.call("CLIENT", "PAUSE", "100000", mode) for mode in
                (b"write\x00x", "Write", "all", b"ALL\x00")]

    assert on_both(kedis_server, redis_server, scenario) == [b"+OK\r\n"] * 4


@pytest.mark.parametrize("timeout", ["0", "9223372036854775807", "9223372036854775000"])
def test_a_pause_that_ends_before_it_begins_holds_nothing(kedis_server, redis_server, timeout):
    # 0 ends now; a timeout beyond the range of Redis's clock wraps around to a time long past.
    def scenario(observer, port):
        client = connect(port, "client")
        return [client.call("CLIENT", "PAUSE", timeout), client.call("SET", "k", "1")]

    assert on_both(kedis_server, redis_server, scenario) == [b"+OK\r\n", b"+OK\r\n"]


def test_client_pause_in_the_embedded_engine_is_refused(db):
    assert db.run("CLIENT PAUSE 1000").value.startswith("ERR CLIENT PAUSE holds the commands")
    assert db.run("CLIENT UNPAUSE").value == "OK"  # nothing paused: nothing to do
    assert db.run("SET k v").value == "OK"


@pytest.fixture
def alone():
    """A kedis-server of its own on a fake clock: a pause there holds no other test."""
    instance = KedisServerThread(ServerConfig())
    yield instance
    instance.stop()


def _advance(server: KedisServerThread, ms: int) -> None:
    server.call(server.clock.advance, ms / 1000)


def test_a_pause_ends_when_its_time_is_up_on_the_servers_clock(alone):
    pauser, writer = connect(alone.port, "pauser"), connect(alone.port, "writer")
    assert pauser.call("CLIENT", "PAUSE", "1000", "WRITE") == b"+OK\r\n"
    writer.sock.sendall(_encode(["SET", "k", "1"]))
    observer = Observer(alone.port)
    observer.wait_held("writer")
    _advance(alone, 1000)
    alone.call(alone.engine.tick)  # at its very end, still paused (Redis: end < now)
    assert "b" in observer.flags()["writer"]
    _advance(alone, 1)
    alone.call(alone.engine.tick)  # the cron ends it: the held command runs
    assert writer._read_reply() == b"+OK\r\n"
    assert alone.engine.pause_kind == 0 and alone.engine.postponed == []


def test_a_pause_whose_time_is_up_ends_when_a_command_it_would_hold_arrives(db):
    # In the dispatcher, without the cron: a command that the pause would hold ends it, and runs.
    class Connection:
        closed = paused = False
        resumed = 0

        def resume(self):
            self.resumed += 1

    db.network = object()  # as kedis-server: the pause is allowed
    first, second = db.new_client(), db.new_client()
    first.connection, second.connection = Connection(), Connection()
    assert db.execute("CLIENT", "PAUSE", "100", "WRITE", client=first).value == "OK"
    assert db.execute("SET", "k", "1", client=second) is POSTPONED
    assert second.blocked == "postponed" and db.postponed == [second]
    db.clock.advance(0.101)
    assert db.execute("SET", "k", "2", client=first).value == "OK"  # ends it: both may go on
    assert second.blocked is None and second.connection.resumed == 1 and second.unblocked
    assert not first.gated and not second.gated  # the hot path is free again


def test_while_paused_no_key_expires_and_reads_see_them_gone(alone):
    client = connect(alone.port, "client")
    stats = alone.engine.stats
    for key in (b"a", b"b"):
        client.call("SET", key, "v", "PX", "10")
    client.call("SET", "persistent", "v")
    assert client.call("CLIENT", "PAUSE", "50000", "WRITE") == b"+OK\r\n"
    _advance(alone, 20)
    alone.call(alone.engine.tick)  # the active cycle deletes nothing
    assert client.call("GET", "a") == b"$-1\r\n"  # logically expired...
    assert client.call("EXISTS", "a", "b") == b":0\r\n"
    assert client.call("DBSIZE") == b":3\r\n"  # ...but still there
    assert client.call("SCAN", "0") == (b"*2\r\n$1\r\n0\r\n*1\r\n$10\r\npersistent\r\n")
    assert stats.expired_keys == 0
    assert client.call("RANDOMKEY") in (b"$1\r\na\r\n", b"$1\r\nb\r\n", b"$10\r\npersistent\r\n")
    assert client.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert client.call("GET", "a") == b"$-1\r\n"  # now expiry deletes it
    assert stats.expired_keys == 1
    alone.call(alone.engine.tick)
    assert client.call("DBSIZE") == b":1\r\n" and stats.expired_keys == 2


def test_randomkey_answers_while_paused_even_if_every_key_has_expired(alone):
    # Redis 7.0.15 loops for ever here (its dbRandomKey waits for an expiry that the pause
    # forbids); Kedis gives up after 100 tries, as Redis 7.2 does, with a key long expired.
    client = connect(alone.port, "client")
    client.call("SET", "old", "v", "PX", "1")
    client.call("CLIENT", "PAUSE", "50000", "WRITE")
    _advance(alone, 10)
    assert client.call("RANDOMKEY") == b"$3\r\nold\r\n"
    client.call("CLIENT", "UNPAUSE")
    assert client.call("RANDOMKEY") == b"$-1\r\n"


def test_a_paused_client_is_not_closed_as_idle(alone):
    client, waiting = connect(alone.port, "client"), connect(alone.port, "waiting")
    client.call("CONFIG", "SET", "timeout", "1")
    client.call("CLIENT", "PAUSE", "100000", "WRITE")
    waiting.sock.sendall(_encode(["SET", "k", "1"]))
    Observer(alone.port).wait_held("waiting")
    closed = alone.call(lambda: alone.server.close_idle_clients(time.monotonic() + 10))
    assert closed == 1  # the pauser; not the one that waits, nor the observer (a MONITOR)
    alone.call(alone.engine.unpause_clients)
    assert waiting._read_reply() == b"+OK\r\n"


def test_pauses_cost_the_hot_path_nothing_once_over(alone):
    client = connect(alone.port, "client")
    engine = alone.engine
    client.call("CLIENT", "PAUSE", "100000", "WRITE")
    assert all(c.gated for c in engine.clients.values())
    assert engine.hooks.pause_check is not None
    client.call("CLIENT", "UNPAUSE")
    assert not any(c.gated for c in engine.clients.values())
    assert engine.hooks.pause_check is None
    assert PAUSE_WRITE < PAUSE_ALL


# --- CLIENT LIST and CLIENT INFO --------------------------------------------------------------------
FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
          "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
          "tot-mem", "events", "cmd", "user", "redir", "resp"]
#: What Kedis and Redis must agree on (the rest is about each server's own memory and time).
COMPARED = ["name", "flags", "db", "sub", "psub", "ssub", "multi", "argv-mem", "multi-mem",
            "obl", "oll", "omem", "events", "cmd", "user", "redir", "resp"]


def lines_of(reply: bytes) -> list[dict[str, str]]:
    text = parse_resp(reply).decode()
    assert text.endswith("\n") or not text
    fields = []
    for line in text.splitlines():
        pairs = [item.split("=", 1) for item in line.split(" ")]
        assert [name for name, _ in pairs] == FIELDS, line
        fields.append(dict(pairs))
    return fields


def test_client_info_has_every_field_in_redis_s_order(kedis_server, redis_server):
    for port in (kedis_server.port, redis_server.port):
        client = RawClient(port)
        [line] = lines_of(client.call("CLIENT", "INFO"))
        assert line["cmd"] == "client|info" and line["qbuf"] == "26" and line["argv-mem"] == "10"
        host, port_ = client.sock.getsockname()
        assert line["addr"] == f"{host}:{port_}"
        client.close()


def test_client_list_shows_each_state_as_redis_does(kedis_server, redis_server):
    def states(port: int) -> dict[str, dict[str, str]]:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"FLUSHALL\r\n")
            sock.recv(100)
        clients = {}
        tag = run_tag()

        def client(name, *commands):
            raw = connect(port, name + tag)
            for command in commands:
                raw.sock.sendall(_encode(command))
                if command[0] == "HELLO":  # a RESP3 map, which RawClient does not read
                    raw.sock.recv(65536)
                    continue
                for _ in command[1:] if command[0].endswith("SUBSCRIBE") else [None]:
                    raw._read_reply()
            clients[name] = raw

        client("plain")
        client("selected", ["SELECT", "3"], ["HELLO", "3"])
        client("queued", ["MULTI"], ["SET", "k", "v"], ["GET", "k"])
        client("dirty", ["WATCH", "w"], ["MULTI"])
        client("writer", ["SET", "w", "changed"])
        client("listener", ["SUBSCRIBE", "a", "b"], ["PSUBSCRIBE", "p*"])
        client("monitor", ["MONITOR"])
        client("protected", ["CLIENT", "NO-EVICT", "on"])
        client("unprotected", ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "off"])
        client("wrong", ["NOSUCH"])
        client("arity", ["GET"])
        client("subwrong", ["CLIENT", "NOSUCH"])
        client("reset", ["SUBSCRIBE", "x"], ["CLIENT", "REPLY", "OFF"], ["RESET"],
               ["CLIENT", "SETNAME", "reset" + tag])
        asker = RawClient(port)
        found = {line["name"][:-len(tag)]: line for line in lines_of(asker.call("CLIENT", "LIST"))
                 if line["name"].endswith(tag)}
        for raw in (*clients.values(), asker):
            raw.close()
        return {name: {field: (line[field][:-len(tag)] if field == "name" else line[field])
                       for field in COMPARED} for name, line in found.items()}

    mine, theirs = states(kedis_server.port), states(redis_server.port)
    assert mine == theirs
    assert mine["queued"]["flags"] == "x" and mine["queued"]["cmd"] == "get"
    assert mine["dirty"]["flags"] == "xd" and mine["listener"]["flags"] == "P"
    assert mine["monitor"]["flags"] == "O" and mine["protected"]["flags"] == "e"
    assert mine["wrong"]["cmd"] == "NULL" and mine["arity"]["cmd"] == "get"


def test_client_list_of_a_waiting_client_shows_its_held_command(kedis_server, redis_server):
    def scenario(observer, port):
        waiting = connect(port, "waiting")
        observer.call("CLIENT", "PAUSE", "100000", "WRITE")
        waiting.sock.sendall(_encode(["SET", "key", "1"], ["GET", "key"]))
        observer.wait_held("waiting")
        line = next(line for line in lines_of(observer.call("CLIENT", "LIST"))
                    if line["name"] == "waiting")
        observer.call("CLIENT", "UNPAUSE")
        waiting._read_reply()
        return [{field: line[field] for field in COMPARED}]

    [line] = on_both(kedis_server, redis_server, scenario)
    assert (line["flags"], line["cmd"], line["argv-mem"]) == ("b", "set", "7")


def test_client_list_inside_and_after_a_transaction(kedis_server, redis_server):
    def play(port: int) -> list:
        client = connect(port, "client")
        client.sock.sendall(_encode(["MULTI"], ["SET", "k", "1"], ["CLIENT", "INFO"], ["EXEC"]))
        replies = [client._read_reply() for _ in range(4)]
        after = lines_of(client.call("CLIENT", "LIST", "ID", client.call("CLIENT", "ID")[1:-2]))
        client.close()
        # (Inside EXEC, Redis's line says cmd=exec; Kedis's, the command that asks: not compared.)
        inner = lines_of(b"$" + replies[3].split(b"$", 1)[1])[0]
        return [replies[:3], inner["multi"], after[0]["cmd"], after[0]["multi"]]

    assert play(kedis_server.port) == play(redis_server.port)


def one_of_each_kind(port: int, tag: str) -> tuple:
    """Three connections named plain, listener (subscribed to "c") and monitor (in MONITOR)."""
    plain, listener, monitor = (connect(port, "plain" + tag), connect(port, "listener" + tag),
                                connect(port, "monitor" + tag))
    listener.sock.sendall(_encode(["SUBSCRIBE", "c"]))
    listener._read_reply()
    monitor.call("MONITOR")
    return plain, listener, monitor


@pytest.mark.parametrize("options", [
    ["TYPE", "normal"], ["TYPE", "NORMAL"], ["TYPE", "pubsub"], ["TYPE", "master"],
    ["TYPE", "replica"], ["TYPE", "slave"], ["type", b"pubsub\x00x"],
], ids=repr)
def test_client_list_type_chooses_the_clients_redis_chooses(kedis_server, redis_server,
                                                          options):
    def names(port: int) -> list[str]:
        tag = run_tag()
        plain, listener, monitor = one_of_each_kind(port, tag)
        asker = connect(port, "asker" + tag)
        chosen = ours(lines_of(asker.call("CLIENT", "LIST", *options)), tag)
        for raw in (plain, listener, monitor, asker):
            raw.close()
        return chosen

    assert names(kedis_server.port) == names(redis_server.port)


def test_client_list_id_answers_each_id_given_in_order(kedis_server, redis_server):
    def play(port: int) -> list:
        a, b = connect(port, "a"), connect(port, "b")
        ida, idb = (raw.call("CLIENT", "ID")[1:-2] for raw in (a, b))
        listed = [line["name"] for line in lines_of(a.call("CLIENT", "LIST", "ID", idb, ida, idb,
                                                           "0", "-1", "99999999"))]
        errors = [a.call("CLIENT", "LIST", "ID", ida, "abc"), a.call("CLIENT", "LIST", "ID"),
                  a.call("CLIENT", "LIST", "ID", "1.5"), a.call("CLIENT", "LIST", b"ID\x00", ida)]
        a.close()
        b.close()
        return [listed, errors[:3], errors[3][:1]]

    result = play(kedis_server.port)
    assert result == play(redis_server.port)
    assert result[0] == ["b", "a", "b"]


@pytest.mark.parametrize("argv, error", [
    (["CLIENT", "LIST", "TYPE"], SYNTAX_ERROR), (["CLIENT", "LIST", "FOO", "bar"], SYNTAX_ERROR),
    (["CLIENT", "LIST", "TYPE", "normal", "x"], SYNTAX_ERROR),
    (["CLIENT", "LIST", "TYPE", "foo"], b"-ERR Unknown client type 'foo'\r\n"),
    (["CLIENT", "LIST", "TYPE", b"foo\x00bar"], b"-ERR Unknown client type 'foo'\r\n"),
    (["CLIENT", "LIST", "ID", "abc"], b"-ERR Invalid client ID\r\n"),
    (["CLIENT", "INFO", "x"], b"-ERR wrong number of arguments for 'client|info' command\r\n"),
], ids=repr)
def test_client_list_refuses_what_redis_refuses(db, redis, argv, error):
    assert same(db, redis, *argv) == error


# --- CLIENT KILL -------------------------------------------------------------------------------
@pytest.mark.parametrize("filters", [
    ["TYPE", "normal"], ["TYPE", "pubsub"], ["TYPE", "master"], ["TYPE", "replica"],
    ["TYPE", "normal", "SKIPME", "no"], ["SKIPME", "yes"], ["SKIPME", "NO"], ["USER", "default"],
    ["TYPE", "pubsub", "USER", "default"], ["ID", "{listener}"], ["ID", "{me}"],
    ["ID", "{me}", "SKIPME", "no"], ["ADDR", "{listener-addr}"], ["ADDR", "nowhere:1"],
    ["LADDR", "{laddr}", "TYPE", "pubsub"], ["LADDR", "127.0.0.1:1"],
    ["addr", "{listener-addr}\x00garbage"], ["{listener-addr}"], ["{me-addr}"],
], ids=repr)
def test_client_kill_kills_the_clients_redis_kills(kedis_server, redis_server, filters):
    def play(port: int) -> tuple:
        tag = run_tag()
        plain, listener, monitor = one_of_each_kind(port, tag)
        me = connect(port, "me" + tag)
        survivor = connect(port, "survivor" + tag) if "SKIPME" in filters else plain

        def address(raw):
            host, port_ = raw.sock.getsockname()
            return f"{host}:{port_}"

        line = {row["name"]: row for row in lines_of(me.call("CLIENT", "LIST"))}
        values = {"{listener}": line["listener" + tag]["id"], "{me}": line["me" + tag]["id"],
                  "{listener-addr}": address(listener), "{me-addr}": address(me),
                  "{laddr}": line["me" + tag]["laddr"]}
        argv = ["CLIENT", "KILL"]
        for item in filters:
            for name, value in values.items():
                item = item.replace(name, value)
            argv.append(item)
        answer = me.call(*argv)
        try:
            still = ours(lines_of(survivor.call("CLIENT", "LIST")), tag)
        except ConnectionError:
            still = ["(the survivor was killed)"]
        for raw in (plain, listener, monitor, me, survivor):
            raw.close()
        return answer, still

    assert play(kedis_server.port) == play(redis_server.port)


@pytest.mark.parametrize("argv, error", [
    (["CLIENT", "KILL"], b"-ERR wrong number of arguments for 'client|kill' command\r\n"),
    (["CLIENT", "KILL", "a", "b", "c"], SYNTAX_ERROR),
    (["CLIENT", "KILL", "ID", "1", "ID"], SYNTAX_ERROR),
    (["CLIENT", "KILL", "ID", "0"], b"-ERR client-id should be greater than 0\r\n"),
    (["CLIENT", "KILL", "ID", "abc"], b"-ERR client-id should be greater than 0\r\n"),
    (["CLIENT", "KILL", "ID", "-5"], b"-ERR client-id should be greater than 0\r\n"),
    (["CLIENT", "KILL", "ID", "99999999"], b":0\r\n"),
    (["CLIENT", "KILL", "1.2.3.4:5"], b"-ERR No such client\r\n"),
    (["CLIENT", "KILL", "TYPE", "foo"], b"-ERR Unknown client type 'foo'\r\n"),
    (["CLIENT", "KILL", "SKIPME", "maybe"], SYNTAX_ERROR),
    (["CLIENT", "KILL", "USER", "nobody"], b"-ERR No such user 'nobody'\r\n"),
    (["CLIENT", "KILL", "USER", b"default\x00"], b"-ERR No such user 'default'\r\n"),
    (["CLIENT", "KILL", "TYPE", "master", "ID", "abc"], b"-ERR client-id should be greater than 0\r\n"),
    (["CLIENT", "KILL", "ADDR", "x", "LADDR", "y"], b":0\r\n"),
], ids=repr)
def test_client_kill_refuses_what_redis_refuses(kedis_server, redis_server, argv, error):
    for port in (kedis_server.port, redis_server.port):
        client = RawClient(port)
        assert client.call(*argv) == error
        client.close()


# --- GETREDIR, TRACKINGINFO, UNBLOCK, NO-EVICT, HELP ----------------------------------------------
@pytest.mark.parametrize("argv", [
    ["CLIENT", "GETREDIR"], ["CLIENT", "TRACKINGINFO"], ["CLIENT", "GETREDIR", "x"],
    ["CLIENT", "TRACKINGINFO", "x"], ["CLIENT", "UNBLOCK", "1"], ["CLIENT", "UNBLOCK", "99999"],
    ["CLIENT", "UNBLOCK", "-1"], ["CLIENT", "UNBLOCK", "1", "TIMEOUT"],
    ["CLIENT", "UNBLOCK", "1", "error"], ["CLIENT", "UNBLOCK", "1", b"ERROR\x00x"],
    ["CLIENT", "UNBLOCK", "abc"], ["CLIENT", "UNBLOCK", "1", "foo"],
    ["CLIENT", "UNBLOCK", "abc", "foo"], ["CLIENT", "UNBLOCK", "1", "x", "y"],
    ["CLIENT", "UNBLOCK"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "OFF"],
    ["CLIENT", "NO-EVICT", "maybe"], ["CLIENT", "NO-EVICT"], ["CLIENT", "HELP", "x"],
    ["CLIENT"], ["CLIENT", "NOSUCH"], ["client", "nosuch", "a", "b"],
], ids=repr)
def test_the_other_client_subcommands_answer_as_redis(db, redis, argv):
    same(db, redis, *argv)


def test_client_trackinginfo_in_resp3_is_a_map_with_a_set(kedis_server, redis_server):
    commands = [["CLIENT", "TRACKINGINFO"], ["CLIENT", "GETREDIR"]]
    data = received(kedis_server.port, commands, before=[["HELLO", "3"]])
    assert data == received(redis_server.port, commands, before=[["HELLO", "3"]])
    assert b"%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n" in data


@pytest.mark.parametrize("name", ["publish", "client|pause", "client|reply", "client|unblock",
                                  "client|getredir", "client|trackinginfo", "client|no-evict",
                                  "client|unpause", "client|list", "client|info", "client|kill"])
def test_command_info_of_the_client_commands_is_redis_s(db, redis, name):
    # PUBLISH is may_replicate (CLIENT PAUSE WRITE holds it), a flag Redis never shows.
    same(db, redis, "COMMAND", "INFO", name)


def test_client_help_names_every_subcommand_kedis_has(db):
    lines = db.run("CLIENT HELP").value
    assert lines[0] == "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    described = {line.split(" ")[0].lower() for line in lines[1:] if not line.startswith(" ")}
    assert described == set(kedis.engine.command_table.TABLE[b"client"].subcommands)


def test_a_monitor_may_not_publish(kedis_server, redis_server):
    # PUBLISH may reach replicas, and Redis counts a MONITOR client as one.
    for port in (kedis_server.port, redis_server.port):
        monitor = RawClient(port)
        monitor.call("MONITOR")
        assert monitor.call("PUBLISH", "c", "m") == (
            b"-ERR Replica can't interact with the keyspace\r\n")
        monitor.close()


def test_a_resp2_subscriber_is_told_of_its_limits_before_a_monitors(kedis_server, redis_server):
    for port in (kedis_server.port, redis_server.port):
        client = RawClient(port)
        client.call("MONITOR")
        client.sock.sendall(_encode(["SUBSCRIBE", "x"]))
        client._read_reply()
        client._read_reply()  # its own SUBSCRIBE, fed to itself
        assert client.call("GET", "k").startswith(b"-ERR Can't execute 'get': only (P|S)SUB")
        client.close()


def test_a_transaction_runs_what_it_queued_even_after_subscribing(kedis_server, redis_server):
    commands = [["SET", "k", "v"], ["MULTI"], ["SUBSCRIBE", "x"], ["GET", "k"], ["EXEC"],
                ["GET", "k"]]
    data = received(kedis_server.port, commands)
    assert data == received(redis_server.port, commands)
    assert b"$1\r\nv\r\n" in data


# --- redis-py ------------------------------------------------------------------------------------
def test_redis_py_reads_client_list_info_and_the_tracking_replies(kedis_server):
    client = redis_py.Redis(port=kedis_server.port, decode_responses=True)
    client.client_setname("py")
    info = client.client_info()
    assert info["name"] == "py" and info["cmd"] == "client|info" and info["flags"] == "N"
    assert any(c["name"] == "py" for c in client.client_list())
    assert client.client_getredir() == -1
    assert client.client_trackinginfo() == ["flags", ["off"], "redirect", -1, "prefixes", []]
    assert client.client_no_evict("on") == "OK" and client.client_info()["flags"] == "e"
    assert client.client_unblock(1) is False
    assert client.client_pause(0) is True and client.client_unpause() == "OK"
    client.close()
