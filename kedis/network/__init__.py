"""The network: RESP on a socket, so that real Redis clients and tools use Kedis, and Kedis uses
a real Redis.

    resp.py       RESP without I/O: request bytes in, commands out, with Redis's limits and
                  protocol errors (networking.c's processMultibulkBuffer, processInlineBuffer)
    server.py     kedis-server: the asyncio event loop, a Client per connection, the cron and
                  beforeSleep, pauses, output limits (ae.c, networking.c, server.c)
    remote.py     the other way: a client of a real server (redis-py), for ``%connect``,
                  ``%compare`` and ``kedis -h/-p``

How it talks to the rest: server.py runs each command it reads through the engine
(``Kedis.call``, ../engine/dispatcher.py); the engine never imports this package. remote.py is
used by the front ends (../jupyter, ../repl.py).
"""
