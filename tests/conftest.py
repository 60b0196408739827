"""Shared fixtures: engines with a fake clock, and a real redis-server to compare with."""

from __future__ import annotations

import pytest
from kedis_server import KedisServerThread
from redis_oracle import RawClient, RedisServer

import kedis
from kedis.network.server import ServerConfig

START = 1_700_000_000.0  # the fake clock's start: 2023-11-14 22:13:20 UTC


@pytest.fixture
def clock() -> kedis.FakeClock:
    return kedis.FakeClock(START)


@pytest.fixture
def db(clock: kedis.FakeClock) -> kedis.Kedis:
    """An engine on a fake clock, seeded so that random choices repeat."""
    return kedis.Kedis(clock=clock, seed=0)


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server: RedisServer) -> RawClient:
    """A raw connection to the oracle, with every database empty and active expiry off."""
    client = redis_server.client()
    client.call("FLUSHALL")
    client.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    client.call("CONFIG", "RESETSTAT")
    yield client
    client.close()


@pytest.fixture(scope="module")
def kedis_server():
    """A kedis-server (on a fake clock) shared by a module's tests, for scenarios compared with
    the redis-server of ``redis_server``."""
    instance = KedisServerThread(ServerConfig())
    yield instance
    instance.stop()
