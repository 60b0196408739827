"""MONITOR on kedis-server, compared with redis-server's feed; MONITOR.TRACE; ``kedis monitor``;
and the REPL's -h/-p, which talks to a server as redis-cli does."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
from kedis_server import KedisServerThread
from redis_oracle import RawClient, require_redis_binaries

from kedis.network.server import ServerConfig

KEDIS = os.path.join(os.path.dirname(sys.executable), "kedis")

COMMANDS = [
    ["SELECT", "1"], ["SET", "a", "1"], ["GET"], ["NOPE"], ["AUTH", "x", "y"],
    ["HELLO", "2", "AUTH", "default", "x"], ["MULTI"], ["INCR", "a"], ["EXEC"],
    ["CONFIG", "GET", "hz"], ["CLIENT", "SETNAME", "x"], ["CLIENT", "LIST"],
    ["ECHO", "a\x00b \"q\""], ["DEL", "a"],
]


@pytest.fixture
def server():
    instance = KedisServerThread(ServerConfig(), fake_clock=False)
    yield instance
    instance.stop()


def read_lines(sock: socket.socket, until: bytes, timeout: float = 5.0) -> list[bytes]:
    sock.settimeout(timeout)
    data = b""
    while until not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    return data.split(b"\r\n")


def start_monitor(port: int) -> socket.socket:
    monitor = socket.create_connection(("127.0.0.1", port))
    monitor.sendall(b"MONITOR\r\n")
    assert read_lines(monitor, b"\r\n") == [b"+OK", b""]
    return monitor


def masked(lines: list[bytes]) -> list[str]:
    # The time and the client's port vary: the rest must be the same.
    return [re.sub(rb"^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]", rb"+T [\1 ADDR]", line).decode()
            for line in lines if line]


def feed(port: int) -> list[str]:
    monitor = start_monitor(port)
    client = RawClient(port)
    for argv in COMMANDS:
        client.call(*[a.encode() for a in argv])
    lines = read_lines(monitor, b'"DEL" "a"\r\n')
    client.close()
    monitor.close()
    return masked(lines)


@pytest.mark.redis
def test_the_monitor_feed_is_redis_s(server, redis_server):
    kedis_feed = feed(server.port)
    assert kedis_feed == feed(redis_server.port)
    assert '+T [1 ADDR] "AUTH" "(redacted)" "(redacted)"' in kedis_feed


def own_commands(port: int) -> list[str]:
    """What a MONITOR client gets for commands of its own: each reply, then its feed line."""
    monitor = start_monitor(port)
    lines = []
    for command, last in ((b"PING\r\n", b'"PING"\r\n'), (b"GET a\r\n", b"keyspace\r\n"),
                          (b"SET a b\r\n", b"keyspace\r\n"), (b"ECHO hi\r\n", b'"hi"\r\n')):
        monitor.sendall(command)
        lines += read_lines(monitor, last)
    monitor.close()
    return masked(lines)


@pytest.mark.redis
def test_a_monitor_s_own_commands_are_answered_and_fed_as_redis_does_them(server, redis_server):
    # Redis sends the reply first, then the feed line; and a MONITOR client is a replica to
    # Redis, which may not read or write keys: those commands are refused, and not fed.
    kedis_lines = own_commands(server.port)
    assert kedis_lines == own_commands(redis_server.port)
    assert kedis_lines[:2] == ["+PONG", '+T [0 ADDR] "PING"']
    assert "-ERR Replica can't interact with the keyspace" in kedis_lines


@pytest.mark.redis
def test_a_second_monitor_gets_no_reply_as_from_redis(server, redis_server):
    def second_monitor(port: int) -> list[str]:
        monitor = start_monitor(port)
        monitor.sendall(b"MONITOR\r\nPING\r\n")  # nothing for the first, +PONG for the second
        lines = read_lines(monitor, b'"PING"\r\n')
        monitor.close()
        return masked(lines)

    assert second_monitor(server.port) == second_monitor(redis_server.port) == [
        "+PONG", '+T [0 ADDR] "PING"']


def test_monitor_trace_follows_each_line_with_the_command_s_steps(server):
    monitor = socket.create_connection(("127.0.0.1", server.port))
    monitor.sendall(b"MONITOR.TRACE\r\n")
    read_lines(monitor, b"+OK\r\n")
    RawClient(server.port).call("SET", "k", "v")
    lines = read_lines(monitor, b"keyspace")
    assert lines[0].endswith(b'"SET" "k" "v"')
    assert lines[1].startswith(b"+\t  1 input")
    assert any(b"command table  found 'set'" in line for line in lines)
    monitor.close()
    # Once the server's loop has noticed the close, nothing is traced any more.
    deadline = time.monotonic() + 5
    while server.call(lambda: (server.engine.monitors, server.engine.hooks.trace_watchers)) != (
            [], 0):
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_reset_ends_monitoring(server):
    monitor = RawClient(server.port)
    assert monitor.call("MONITOR") == b"+OK\r\n"
    assert monitor.call("RESET") == b"+RESET\r\n"
    assert monitor.call("PING") == b"+PONG\r\n"  # its own PING is not fed back to it
    assert server.call(lambda: server.engine.monitors) == []


def test_kedis_monitor_shows_the_feed_with_traces(server):
    process = subprocess.Popen([KEDIS, "monitor", "-p", str(server.port)],
                               stdout=subprocess.PIPE)
    try:
        assert process.stdout.readline() == b"OK\n"
        RawClient(server.port).call("INCR", "n")
        line = process.stdout.readline()
        assert re.fullmatch(rb'\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "INCR" "n"\n', line)
        assert process.stdout.readline().startswith(b"\t  1 input")
    finally:
        process.terminate()
        process.wait(10)


# --- the REPL on a server ---------------------------------------------------------------------------
SCRIPT = 'SET k "hello world"\nGET k\nINCR k\nSELECT 3\nGET k\nEXPIRE nothing 10\nMULTI\nEXEC\n'


@pytest.mark.redis
@pytest.mark.parametrize("mode", ["--raw", "--no-raw"])
def test_the_repl_with_p_answers_as_redis_cli_does_on_the_same_server(server, mode):
    require_redis_binaries("redis-cli")
    def run(command):
        return subprocess.run(command + ["-p", str(server.port), mode], input=SCRIPT,
                              capture_output=True, text=True, timeout=30).stdout
    assert run([KEDIS]) == run(["redis-cli"])


def test_the_repl_runs_one_command_on_a_server(server):
    result = subprocess.run([KEDIS, "-h", "127.0.0.1", "-p", str(server.port), "SET", "k", "v"],
                            capture_output=True, text=True, timeout=30)
    assert result.stdout == "OK\n"
    assert (result.returncode, result.stderr) == (0, "")  # leaving does not stop the server
    assert server.call(lambda: server.engine.databases[0].data) == {b"k": b"v"}


def test_a_repl_session_on_a_server_ends_cleanly(server):
    result = subprocess.run([KEDIS, "-p", str(server.port)], input="SET k v\nGET k\n",
                            capture_output=True, text=True, timeout=30)
    assert (result.stdout, result.returncode, result.stderr) == ("OK\nv\n", 0, "")


def test_the_repl_says_when_it_cannot_connect():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = subprocess.run([KEDIS, "-p", str(port), "PING"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Could not connect to Redis at 127.0.0.1:{port}")
