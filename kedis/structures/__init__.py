"""The data structures Redis stores values in, a module each, named after Redis's own file.

    set.py        a set: an intset while small and all integers, else a hash table (t_set.c)

Coming with the types that need them: listpack.py (listpack.c), quicklist.py (quicklist.c),
skiplist.py (the zsl* functions of t_zset.c), intset.py (intset.c) and dict.py (dict.c, the
hash table with incremental rehashing). A string needs no module: it is Python bytes (Redis's
sds), or a bytearray while SETBIT, SETRANGE or BITFIELD change it in place (keyspace.py).

How it talks to the rest: the keyspace (../engine/keyspace.py) holds these values, the handlers
(../commands) change them, persistence (../persistence/rdb.py) writes and reads them, the views
(../widgets) draw them. A structure imports nothing of Kedis but the helpers (../util): it knows
nothing of commands, clients or the engine.
"""
