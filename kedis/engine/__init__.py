"""The engine: the path one command takes through Kedis, a layer per module, in the order it goes.

    parser.py         a line of text -> arguments (redis-cli's sdssplitargs; sds.c)
    command_table.py  the name -> its entry: arity, flags, key positions (commands.def)
    dispatcher.py     Kedis, the server object: lookup, checks, the handler, errors (server.c)
    ../commands/      the handlers, one module per family (t_string.c, t_set.c, db.c...)
    keyspace.py       the databases: lookups, writes, lazy expiry (db.c)
    expiry.py         the deadlines and the two active expiry cycles (expire.c)
    reply.py          what a command answers: RESP2/RESP3 bytes, redis-cli's text (networking.c)
    trace.py          each layer's record of what it did, the data every view draws

Beside the path: client.py (one connection's state, networking.c's client), config.py (CONFIG's
parameters, config.c), stats.py (INFO's counters), errors.py (Redis's error texts), notify.py
(keyspace notifications, notify.c), evict.py (the LRU clock and LFU counter, evict.c), watch.py
(an event after each command, for the live views) and version.py (version.h).

How it talks to the rest: the front ends (../jupyter, ../kernel, ../widgets, ../repl.py) and the
network (../network) call ``Kedis``; the engine imports none of them. The handlers and the data
structures (../structures) never import dispatcher.py: a handler gets the client that sent the
command, and reaches the store (``client.db``) and the server (``client.server``) through it.
Persistence (../persistence) is the engine's way to disk; the engine starts it and calls it.
This package imports nothing when it is imported: ``from kedis import Kedis`` is the way in.
"""
