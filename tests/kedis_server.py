"""A kedis-server for the tests, in a thread of the test process, on a free loopback port.

In process, so that a test can reach the engine behind the sockets: drive its fake clock (expiry
without sleeping), look at its clients. ``KedisServerThread`` runs its own event loop; every
client the tests use talks to it over real TCP.
"""

from __future__ import annotations

import asyncio
import threading

import kedis
from kedis.network.server import KedisServer, ServerConfig

START = 1_700_000_000.0


class KedisServerThread:
    def __init__(self, config: ServerConfig | None = None, *, fake_clock: bool = True,
                 engine: kedis.Kedis | None = None, cron: bool = True) -> None:
        self.clock = kedis.FakeClock(START) if fake_clock and engine is None else None
        self.engine = engine if engine is not None else kedis.Kedis(clock=self.clock, seed=0)
        config = config or ServerConfig()
        config.port = 0
        # cron=False: the server's cron never runs by itself; a test runs it with
        # ``call(server.cron)``, at the moments it chooses (with a fake clock: deterministic).
        self.server = KedisServer(self.engine, config, run_cron=cron)
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def run() -> None:
            await self.server.start()
            started.set()
            await self.server._stopped.wait()

        self.thread = threading.Thread(target=lambda: self.loop.run_until_complete(run()),
                                       daemon=True)
        self.thread.start()
        if not started.wait(10):
            raise RuntimeError("kedis-server did not start")
        self.port = self.server.port

    @classmethod
    def around(cls, engine: kedis.Kedis, config: ServerConfig) -> KedisServerThread:
        """A server around a given engine (one with persistence, say), on the real clock."""
        return cls(config, engine=engine)

    def call(self, function, *args):
        """Run ``function(*args)`` in the server's loop (its thread) and return its result, for
        looking at the engine while no command runs."""
        async def run():
            return function(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.stop)
        self.thread.join(10)
        self.loop.close()
