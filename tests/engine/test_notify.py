"""Keyspace notifications (kedis/engine/notify.py): the same events as Redis, in the same order.

A subscriber PSUBSCRIBEs to every keyspace and keyevent channel; another client runs a script of
commands; the messages the subscriber got are compared with what redis-server's subscriber got,
byte for byte. Expiry is made deterministic without sleeping: ``SET k v PXAT 1`` gives a key a
deadline in the past, and the next command that touches it expires it.
"""

from __future__ import annotations

import pytest
from kedis_server import KedisServerThread
from redis_oracle import RawClient

import kedis
from kedis.engine.notify import ALL, KEY_MISS, KEYEVENT, KEYSPACE, NEW, classes_text, parse_classes
from kedis.network.server import ServerConfig

pytestmark = pytest.mark.redis

SCRIPTS = {
    "strings": [
        "SET a 1", "SET a 2 EX 100", "SETNX b x", "SETNX b y", "SETEX c 100 v", "PSETEX d 100 v",
        "MSET e 1 f 2", "MSETNX g 1 h 2", "APPEND a 3", "APPEND new x", "INCR n", "DECR n",
        "INCRBY n 5", "DECRBY n 2", "INCRBYFLOAT fl 1.5", "SETRANGE s 3 abc", "SETRANGE s 0 ''",
        "GETSET a 9", "GETDEL a", "GETDEL nosuch", "GETEX b EX 100", "GETEX b PERSIST",
        "GETEX b PERSIST", "GETEX b PXAT 1", "SET x v GET", "SET x v NX", "SET x w XX KEEPTTL",
        "INCR s",
    ],
    "keys": [
        "SET a 1", "SET b 2", "DEL a b c", "SET a 1", "UNLINK a", "SET a 1", "EXPIRE a 100",
        "PEXPIRE a 100000", "EXPIREAT a 99999999999", "PEXPIREAT a 99999999999000",
        "EXPIRE a 100 NX", "PERSIST a", "PERSIST a", "RENAME a b", "SET c 3", "RENAMENX b c",
        "RENAMENX b d", "COPY d e", "COPY d e REPLACE", "COPY d f DB 1", "MOVE d 2", "MOVE e 2",
        "SET g 1", "EXPIRE g -1", "SET h 1", "PEXPIREAT h 1", "TYPE nosuch", "EXISTS nosuch",
        "TTL nosuch", "GET nosuch",
    ],
    "sets": [
        "SADD s a b c", "SADD s a", "SADD s d", "SREM s x", "SREM s a", "SREM s b c d",
        "SADD t 1 2 3", "SMOVE t u 1", "SMOVE t u 2", "SMOVE t u 3", "SMOVE u u 1",
        "SADD p x", "SPOP p", "SADD p 1 2 3 4", "SPOP p 2", "SPOP p 5", "SPOP p 0",
        "SADD a 1 2 3", "SADD b 2 3 4", "SINTERSTORE i a b", "SUNIONSTORE un a b",
        "SDIFFSTORE d a b", "SDIFFSTORE d a a", "SINTERSTORE un nosuch a", "SMEMBERS nosuch",
    ],
    "expiry": [
        "SET a 1 PXAT 1", "GET a", "SET b 1 PXAT 1", "SET b 2", "SADD c x", "PEXPIREAT c 1",
        "SET d 1 PXAT 1", "EXISTS d", "SET e 1 PXAT 1", "APPEND e x",
    ],
}


def _messages(port: int, classes: str, script: list[str]) -> list[bytes]:
    """The raw messages a subscriber to every keyspace channel gets while ``script`` runs."""
    control = RawClient(port)
    control.call("FLUSHALL")
    control.call("CONFIG", "SET", "notify-keyspace-events", classes)
    listener = RawClient(port)
    listener.call("PSUBSCRIBE", "__key*__:*")
    for line in script:
        control.call(*kedis.split_args(line))
    # In subscribed mode PING answers ["pong", ""]: once it arrives, every message sent
    # before it has arrived too.
    listener.sock.sendall(b"*1\r\n$4\r\nPING\r\n")
    messages = []
    while (message := listener._read_reply()) != b"*2\r\n$4\r\npong\r\n$0\r\n\r\n":
        messages.append(message)
    control.call("CONFIG", "SET", "notify-keyspace-events", "")
    listener.close()
    control.close()
    return messages


@pytest.fixture(scope="module")
def servers(redis_server):
    kedis_server = KedisServerThread(ServerConfig())
    yield kedis_server.port, redis_server.port
    kedis_server.stop()


@pytest.mark.parametrize("classes", ["KEA", "KEAnm", "Kg$", "Es", "Kx", "E$lshzxetd"])
@pytest.mark.parametrize("name", SCRIPTS)
def test_each_command_publishes_what_redis_publishes(servers, name, classes):
    mine, theirs = (_messages(port, classes, SCRIPTS[name]) for port in servers)
    assert mine == theirs


def test_without_classes_nothing_is_published(servers):
    assert _messages(servers[0], "", SCRIPTS["strings"]) == []
    assert _messages(servers[0], "A", SCRIPTS["strings"]) == []  # neither K nor E: no channel


def _read_until(sock, end: bytes) -> bytes:
    data = b""
    while not data.endswith(end):
        chunk = sock.recv(1 << 16)
        assert chunk, "the server closed the connection"
        data += chunk
    return data


@pytest.mark.timeout(30)
def test_a_client_hears_its_own_events_before_its_reply_in_resp3(servers):
    """A RESP3 client may subscribe and go on with commands: the event of its own SET comes
    before the SET's +OK, as Redis writes it into the client's buffer first."""
    answers = []
    for port in servers:
        client = RawClient(port)
        client.call("FLUSHALL")
        client.call("CONFIG", "SET", "notify-keyspace-events", "KE$")
        client.sock.sendall(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n")
        _read_until(client.sock, b"modules\r\n*0\r\n")
        client.sock.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$18\r\n__keyevent@0__:set\r\n")
        _read_until(client.sock, b":1\r\n")
        client.sock.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        answers.append(_read_until(client.sock, b"+OK\r\n"))
        client.call("CONFIG", "SET", "notify-keyspace-events", "")
        client.close()
    assert answers[0] == answers[1] == (
        b">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n+OK\r\n")


def test_config_get_writes_the_classes_as_redis_does():
    assert classes_text(parse_classes(b"KEA")) == "AKE"
    assert classes_text(parse_classes(b"KEAnm")) == "AKEm"  # Redis's A forgets n when shown
    assert classes_text(parse_classes(b"gs$E")) == "g$sE"
    assert parse_classes(b"KEQ") is None
    assert parse_classes(b"") == 0
    assert parse_classes(b"A") & (KEY_MISS | NEW) == 0
    assert parse_classes(b"KE") == KEYSPACE | KEYEVENT
    assert parse_classes(b"A") == ALL


def test_the_embedded_engine_changes_nothing_when_nobody_listens():
    db = kedis.Kedis()
    db.run("CONFIG SET notify-keyspace-events KEAnm")
    assert db.run("SET k v").value == "OK"
    assert db.run("GET nosuch").value is None
