"""The handlers, one module per command family, named like Redis's own source files.

    strings.py       t_string.c    SET, GET, INCR, APPEND, GETRANGE, LCS...
    bitops.py        bitops.c      SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD: strings as bits
    sets.py          t_set.c       SADD, SREM, SMEMBERS, SINTER, SUNION, SDIFF, SPOP, SSCAN...
    lists.py         t_list.c      LPUSH, RPOP, LRANGE, LINSERT, LREM, LTRIM, LMOVE, LMPOP...
    keys.py          db.c          DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY...
    object.py        object.c      OBJECT ENCODING, REFCOUNT, FREQ: how a value is stored
    dump.py          cluster.c     DUMP, RESTORE: a value serialized as RDB, and back
    expire.py        expire.c      EXPIRE, TTL, PERSIST... (the active cycle: engine/expiry.py)
    connection.py    networking.c  PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET, CLIENT
    server.py        server.c      DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, INFO, CONFIG
    persistence.py   rdb.c, aof.c  SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF (the files: persistence/)
    introspection.py server.c      COMMAND, and Kedis's HELP
    multi.py         multi.c       MULTI, EXEC, DISCARD, WATCH, UNWATCH
    pubsub.py        pubsub.c      SUBSCRIBE, PUBLISH, PSUBSCRIBE, UNSUBSCRIBE, PUBSUB
    monitor.py       replication.c MONITOR, and the feed of commands to monitors
    functions.py     functions.c   FUNCTION FLUSH and LIST (Kedis runs no Lua: no libraries)
    slowlog.py       slowlog.c     SLOWLOG: the commands that took longest
    debug.py         debug.c       DEBUG: the test bench (SET-ACTIVE-EXPIRE, RELOAD, DIGEST, OBJECT...)

Importing this package registers every handler in the command table (engine/command_table.py).
A handler is ``handler(client, argv) -> Reply``: it reaches the store through ``client.db`` and
the server through ``client.server``, and never imports the dispatcher (engine/dispatcher.py),
which imports this package. Shared argument parsing is in args.py.
"""

from . import (  # noqa: F401
    bitops,
    connection,
    debug,
    dump,
    expire,
    functions,
    introspection,
    keys,
    lists,
    monitor,
    multi,
    object,
    persistence,
    pubsub,
    server,
    sets,
    slowlog,
    strings,
)
