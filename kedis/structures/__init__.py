"""The data structures Redis stores values in, a module each, named after Redis's own file.

    set.py        a set: an intset while small and all integers, else a hash table (t_set.c)
    sds.py        a string as Redis lays it out: int, embstr or raw over an SDS (sds.c, object.c)
    robj.py       the 16-byte object header every value starts with (server.h's redisObject)
    listpack.py   entries packed in one block of bytes, each in its smallest encoding (listpack.c)
    quicklist.py  a list: a chain of listpack nodes, split, merged and compressed (quicklist.c)

Coming with the types that need them (the list commands come next, on quicklist.py):
skiplist.py (the zsl* functions of t_zset.c), intset.py (intset.c) and dict.py (dict.c, the
hash table with incremental rehashing). A string's value is Python bytes, or a bytearray while
SETBIT, SETRANGE or BITFIELD change it in place (keyspace.py); sds.py says how Redis would hold it.

Each module can also draw its structure: ``layout()`` returns plain data (blocks of byte cells,
pointers between blocks, tables of buckets: robj.py's shapes), which the StructureView
(../widgets/structure.py) shows. A new type brings its own ``layout()``; the view draws the
same few shapes.

How it talks to the rest: the keyspace (../engine/keyspace.py) holds these values, the handlers
(../commands) change them, persistence (../persistence/rdb.py) writes and reads them, the views
(../widgets) draw them. A structure imports nothing of Kedis but the helpers (../util): it knows
nothing of commands, clients or the engine.
"""
