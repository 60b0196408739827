"""The handlers, one module per command family, named like Redis's own source files.

    strings.py       t_string.c    SET, GET, INCR, APPEND, GETRANGE...
    keys.py          db.c          DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY...
    expire.py        expire.c      EXPIRE, TTL, PERSIST... (the active cycle is in kedis/expiry.py)
    connection.py    networking.c  PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET, CLIENT
    server.py        server.c      DBSIZE, FLUSHDB, FLUSHALL, TIME, INFO, CONFIG
    introspection.py server.c      COMMAND, and Kedis's HELP
    multi.py         multi.c       MULTI, EXEC, DISCARD, WATCH, UNWATCH
    monitor.py       replication.c MONITOR, and the feed of commands to monitors

Importing this package registers every handler in the command table (command_table.py).
"""

from . import connection, expire, introspection, keys, monitor, multi, server, strings  # noqa: F401
