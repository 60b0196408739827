"""CONFIG SET port and bind move the listening sockets, as on redis-server: the same replies, the
same errors and rollback, the connections already open kept. Each test starts a kedis-server and
a redis-server of its own (a moved port would confuse the shared ones)."""

from __future__ import annotations

import socket
import time

import pytest
from kedis_server import KedisServerThread
from redis_oracle import RawClient, RedisServer, free_port

import kedis

pytestmark = pytest.mark.redis


@pytest.fixture
def servers():
    """A fresh kedis-server and redis-server, each with one client connected."""
    kedis_server, redis_server = KedisServerThread(), RedisServer()
    clients = [RawClient(kedis_server.port), RawClient(redis_server.port)]
    yield clients
    for client in clients:
        client.close()
    kedis_server.stop()
    redis_server.stop()


def both(clients, *argv) -> bytes:
    """The reply, the same from the two servers."""
    kedis_reply, redis_reply = (client.call(*argv) for client in clients)
    assert kedis_reply == redis_reply, argv
    return kedis_reply


def reachable(port: int, timeout: float = 5) -> bool:
    """Whether a new connection to ``port`` is answered (kedis-server opens its new sockets in
    its loop: give it a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = RawClient(port)
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
            continue
        answer = client.call("PING")
        client.close()
        return answer == b"+PONG\r\n"


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


def ports(clients) -> list[int]:
    return [int(client.call("CONFIG", "GET", "port").split(b"\r\n")[-2]) for client in clients]


def test_a_new_port_is_listened_on_and_the_old_one_closed(servers):
    old = ports(servers)
    new = [free_port(), free_port()]
    assert [client.call("CONFIG", "SET", "port", port) for client, port in zip(servers, new, strict=True)] \
        == [b"+OK\r\n"] * 2
    assert ports(servers) == new
    assert all(reachable(port) for port in new)
    assert all(refused(port) for port in old)
    assert both(servers, "PING") == b"+PONG\r\n"  # the connection already open stays


def test_a_port_in_use_is_refused_and_everything_set_with_it_rolled_back(servers):
    before = ports(servers)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        reply = both(servers, "CONFIG", "SET", "maxclients", "1234", "port", busy)
    assert reply == (b"-ERR CONFIG SET failed (possibly related to argument 'port') - "
                     b"Unable to listen on this port. Check server logs.\r\n")
    assert both(servers, "CONFIG", "GET", "maxclients") == \
        b"*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n"
    assert ports(servers) == before
    assert all(reachable(port) for port in before)


def test_port_0_listens_nowhere_until_a_port_is_set_again(servers):
    before = ports(servers)
    assert both(servers, "CONFIG", "SET", "port", "0") == b"+OK\r\n"
    assert all(refused(port) for port in before)
    assert both(servers, "PING") == b"+PONG\r\n"
    again = [free_port(), free_port()]
    for client, port in zip(servers, again, strict=True):
        assert client.call("CONFIG", "SET", "port", port) == b"+OK\r\n"
    assert all(reachable(port) for port in again)


def test_bind_moves_to_the_new_addresses(servers):
    before = ports(servers)
    assert both(servers, "CONFIG", "SET", "bind", "127.0.0.1 -::1") == b"+OK\r\n"
    assert both(servers, "CONFIG", "GET", "bind") == \
        b"*2\r\n$4\r\nbind\r\n$14\r\n127.0.0.1 -::1\r\n"
    assert all(reachable(port) for port in before)


def test_an_address_this_machine_does_not_have_is_refused_unless_optional(servers):
    before = ports(servers)
    assert both(servers, "CONFIG", "SET", "bind", "127.0.0.1 192.0.2.1") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'bind') - "
        b"Failed to bind to specified addresses.\r\n")
    assert both(servers, "CONFIG", "GET", "bind") == b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"
    assert all(reachable(port) for port in before)
    assert both(servers, "CONFIG", "SET", "bind", "127.0.0.1 -192.0.2.1") == b"+OK\r\n"
    assert all(reachable(port) for port in before)


def test_more_than_16_bind_addresses_are_refused_before_any_is_tried(servers):
    seventeen = " ".join(["127.0.0.1"] * 17)
    assert both(servers, "CONFIG", "SET", "bind", seventeen) == (
        b"-ERR CONFIG SET failed (possibly related to argument 'bind') - "
        b"Too many bind addresses specified.\r\n")
    started = time.monotonic()
    assert servers[0].call("CONFIG", "SET", "bind", "-192.0.2.1 " * 200_000).startswith(
        b"-ERR CONFIG SET failed (possibly related to argument 'bind') - Too many")
    assert time.monotonic() - started < 1  # no socket tried for any of them
    assert both(servers, "CONFIG", "GET", "bind") == b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"


def test_an_embedded_engine_keeps_its_port_and_says_why():
    db = kedis.Kedis()
    assert db.run("CONFIG SET port 0").cli() == "OK"  # unchanged: nothing to do, as in Redis
    error = db.run("CONFIG SET port 7777 maxclients 5")
    assert error.cli() == ("(error) ERR CONFIG SET failed (possibly related to argument 'port') - "
                           "Unable to listen on this port. Check server logs.")
    assert db.run("CONFIG GET port").cli() == '1) "port"\n2) "0"'
    assert db.run("CONFIG GET maxclients").cli() == '1) "maxclients"\n2) "10000"'
