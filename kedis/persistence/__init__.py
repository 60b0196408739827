"""Persistence: how the store goes to disk and comes back, and the files' formats.

    disk.py       when: SAVE, BGSAVE, the save rules, start-up, shutdown, writes refused when
                  the disk fails (rdb.c, server.c's serverCron)
    snapshot.py   what: the store at one instant, as SAVE, BGSAVE and an AOF rewrite write it
    rdb.py        the RDB format: a dump file, and a DUMP payload (rdb.c, cluster.c)
    aof.py        the append-only file: each write command as RESP, its rewrite (aof.c)
    crc64.py      RDB's and DUMP's checksum (crc64.c)
    dumpview.py   a dump or a DUMP payload, byte by byte, annotated (tutorial 06)

How it talks to the rest: the engine (../engine/dispatcher.py) owns a ``Persistence`` (disk.py)
and calls it; the persistence commands (../commands/persistence.py, dump.py, debug.py) call it
too; RDB's string compression is ../util/lzf.py. It reads the store through the keyspace and the values of ../structures, and replays an AOF
through the engine it is given, never importing the dispatcher.
"""
