"""Pub/Sub on kedis-server (kedis/commands/pubsub.py): scenarios over several connections played
on kedis-server and on redis-server, byte for byte; redis-py's PubSub; the embedded engine."""

from __future__ import annotations

import re
import select
import socket
import time

import pytest
import redis

import kedis

# Each step: (connection, command). Channels are compared one at a time where Redis's own order
# would be its hash table's (UNSUBSCRIBE without arguments, PUBSUB CHANNELS).
SCENARIOS = {
    "a message reaches the subscribers of its channel, and only them": [
        ("A", "SUBSCRIBE news sports"), ("B", "PUBLISH news hello"), ("B", "PUBLISH other x"),
        ("C", "SUBSCRIBE news"), ("B", "PUBLISH news again"), ("B", "PUBSUB NUMSUB news sports x"),
        ("A", "UNSUBSCRIBE news"), ("B", "PUBLISH news third"), ("B", "PUBLISH sports go"),
        ("A", "UNSUBSCRIBE sports"), ("B", "PUBSUB CHANNELS"), ("B", "PUBSUB CHANNELS s*")],
    "a RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET": [
        ("A", "SUBSCRIBE c"), ("A", "PING"), ("A", "PING hi"), ("A", "GET k"), ("A", "SET k v"),
        ("A", "SUBSCRIBE c"), ("A", "UNSUBSCRIBE c"), ("A", "GET k"), ("A", "PING"),
        ("A", "UNSUBSCRIBE"), ("A", "PUNSUBSCRIBE")],
    "patterns": [
        ("A", "PSUBSCRIBE n* s?orts"), ("C", "SUBSCRIBE news"), ("B", "PUBLISH news hi"),
        ("B", "PUBLISH sports s"), ("B", "PUBLISH spurts s"), ("B", "PUBSUB NUMPAT"),
        ("A", "PUNSUBSCRIBE n*"), ("B", "PUBLISH news again"), ("A", "PUNSUBSCRIBE s?orts"),
        ("A", "PUNSUBSCRIBE"), ("B", "PUBSUB NUMPAT")],
    "RESP3: messages are pushes, and a subscriber may run any command": [
        ("A", "HELLO 3"), ("A", "SUBSCRIBE c"), ("A", "PUBLISH c self"), ("A", "SET k v"),
        ("A", "GET k"), ("A", "PING"), ("B", "PUBLISH c other"), ("A", "UNSUBSCRIBE c"),
        ("A", "UNSUBSCRIBE")],
    "RESET and QUIT leave every channel": [
        ("A", "SUBSCRIBE x"), ("A", "PSUBSCRIBE y*"), ("A", "RESET"), ("B", "PUBSUB NUMSUB x"),
        ("B", "PUBSUB NUMPAT"), ("A", "GET k"), ("C", "SUBSCRIBE z"), ("C", "QUIT"),
        ("B", "PUBSUB NUMSUB z")],
    "wrong arguments": [
        ("A", "SUBSCRIBE"), ("A", "PSUBSCRIBE"), ("A", "PUBLISH a"), ("A", "PUBSUB"),
        ("A", "PUBSUB FOO"), ("A", "PUBSUB CHANNELS a b"), ("A", "PUBSUB NUMPAT x"),
        ("A", "UNSUBSCRIBE a b"), ("A", "PUNSUBSCRIBE p")],
}


def play(port: int, steps: list[tuple[str, str]]) -> list[tuple[str, str, bytes]]:
    """Run the steps; after each, what every connection received (until all are quiet)."""
    with socket.create_connection(("127.0.0.1", port)) as setup:  # from an empty store
        setup.sendall(b"FLUSHALL\r\n")
        assert setup.recv(100) == b"+OK\r\n"
    connections: dict[str, socket.socket] = {}
    closed: set[str] = set()
    seen = []
    for who, line in steps:
        if who not in connections:
            connections[who] = socket.create_connection(("127.0.0.1", port))
        connections[who].sendall(line.encode() + b"\r\n")
        received = {name: b"" for name in connections}
        while True:
            open_ones = [sock for name, sock in connections.items() if name not in closed]
            ready, _, _ = select.select(open_ones, [], [], 0.15)
            if not ready:
                break
            for name, sock in connections.items():
                if sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        closed.add(name)
                    received[name] += data or b"<closed>"
        for name, data in sorted(received.items()):
            if data:
                seen.append((line, name, re.sub(rb"\nid=\S+|:\d+\r\n\$4\r\nmode", b"", data)))
    for sock in connections.values():
        sock.close()
    return seen


@pytest.mark.redis
@pytest.mark.parametrize("name", SCENARIOS)
def test_pubsub_answers_as_redis(kedis_server, redis_server, name):
    assert play(kedis_server.port, SCENARIOS[name]) == play(redis_server.port, SCENARIOS[name])


def test_redis_py_pubsub_receives_messages_and_patterns(kedis_server):
    client = redis.Redis(port=kedis_server.port)
    listener = client.pubsub()
    listener.subscribe("news")
    listener.psubscribe("sp*")
    assert listener.get_message(timeout=5)["type"] == "subscribe"
    assert listener.get_message(timeout=5)["type"] == "psubscribe"
    assert client.publish("news", "hello") == 1
    assert client.publish("sports", "goal") == 1
    message = listener.get_message(timeout=5)
    assert (message["type"], message["channel"], message["data"]) == ("message", b"news",
                                                                        b"hello")
    message = listener.get_message(timeout=5)
    assert (message["type"], message["pattern"], message["channel"], message["data"]) == (
        "pmessage", b"sp*", b"sports", b"goal")
    assert client.pubsub_numsub("news") == [(b"news", 1)]
    listener.close()
    deadline = time.monotonic() + 5  # the server notices the closed connection on its loop
    while client.pubsub_numsub("news") != [(b"news", 0)]:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    client.close()


def test_redis_py_resp3_pubsub(kedis_server):
    client = redis.Redis(port=kedis_server.port, protocol=3)
    listener = client.pubsub()
    listener.subscribe("chat")
    assert listener.get_message(timeout=5)["type"] == "subscribe"
    assert client.publish("chat", "hi") == 1
    message = listener.get_message(timeout=5)
    assert (message["type"], message["data"]) == ("message", b"hi")
    listener.close()
    client.close()


def test_the_embedded_engine_shows_each_confirmation_as_redis_cli_does():
    db = kedis.Kedis()
    assert db.run("SUBSCRIBE a b").cli() == (
        '1) "subscribe"\n2) "a"\n3) (integer) 1\n1) "subscribe"\n2) "b"\n3) (integer) 2')
    assert db.run("GET k").cli().startswith("(error) ERR Can't execute 'get'")
    assert db.run("UNSUBSCRIBE").value == [[b"unsubscribe", b"a", 1], [b"unsubscribe", b"b", 0]]
    assert db.run("GET k").cli() == "(nil)"
