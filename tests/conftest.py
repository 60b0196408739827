"""Shared fixtures: engines with a fake clock, and a real redis-server to compare with; and the
tutorials' settings as tests (nbval), kept here so that notebooks/ holds only what a reader opens.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from kedis_server import KedisServerThread
from redis_oracle import RawClient, RedisServer

import kedis
from kedis.network.server import ServerConfig

START = 1_700_000_000.0  # the fake clock's start: 2023-11-14 22:13:20 UTC

#: The tutorials (notebooks/) are tests too: nbval runs each and compares every output with the
#: stored one, after this file blanks the little that varies (a port, Redis's version...).
SANITIZE = Path(__file__).with_name("nbval-sanitize.cfg")
#: Notebook 5 starts a redis-server and compares Kedis with it, and its stored outputs are those
#: of that run. Without redis-server it still runs for a reader (it says how to install one and
#: goes on with Kedis alone), but its outputs are then not the stored ones: its cells are skipped,
#: as the tests that compare with Redis are (redis_oracle.py); under ``make test``, which
#: installs redis-server and sets KEDIS_REQUIRE_REDIS, they run, and fail if it is missing.
NEEDS_REDIS = {"05-kedis-and-real-redis.ipynb"}


def pytest_configure(config: pytest.Config) -> None:
    # nbval opens its sanitize file relative to the working directory (pyproject's addopts name
    # it from the top of the repository): name it by its full path, for a run from anywhere.
    if hasattr(config.option, "nbval_sanitize_with"):
        config.option.nbval_sanitize_with = str(SANITIZE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("redis-server") is not None or os.environ.get("KEDIS_REQUIRE_REDIS"):
        return
    skip = pytest.mark.skip(reason="redis-server not installed (make test installs it with "
                                   "apt-get)")
    for item in items:
        if item.path.name in NEEDS_REDIS:
            item.add_marker(skip)


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
