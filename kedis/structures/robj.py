"""The object every Redis value starts with: ``robj``, 16 bytes (server.h, object.c).

Whatever its type, a value in Redis's keyspace is a pointer to a ``redisObject``:

    byte 0        type (4 bits, low) and encoding (4 bits, high): OBJ_STRING 0, OBJ_SET 2;
                  OBJ_ENCODING_RAW 0, INT 1, HT 2, INTSET 6, EMBSTR 8
    bytes 1-3     lru: 24 bits, the LRU clock of the last access, or an LFU counter (evict.py)
    bytes 4-7     refcount: how many references hold it (shared objects: 2147483647)
    bytes 8-15    ptr: the address of the data (an SDS, an intset, a dict), or for an ``int``
                  string the number itself, stored in the pointer's 8 bytes

This module draws that header as byte cells for the views (kedis.widgets.structure): ``block()``
returns plain data, the same shapes the structure modules use (sds.py, set.py). The lru field
is drawn without its bits: it changes at every read, which changes nothing a learner looks at
here. Addresses are not Kedis's to know, so a pointer is drawn as an arrow, not as bytes.
"""

from __future__ import annotations

__all__ = ["ROBJ_SIZE", "TYPES", "ENCODINGS", "SHARED_REFCOUNT", "block", "field", "cells",
           "malloc_size", "little_endian"]

#: sizeof(robj) on a 64-bit machine: 4 bits + 4 bits + 24 bits, an int, a pointer.
ROBJ_SIZE = 16
#: OBJ_STRING, OBJ_SET... (server.h): the low 4 bits of the first byte.
TYPES = {"string": 0, "list": 1, "set": 2, "zset": 3, "hash": 4}
#: OBJ_ENCODING_* (server.h): the high 4 bits of the first byte.
ENCODINGS = {"raw": 0, "int": 1, "hashtable": 2, "intset": 6, "embstr": 8, "quicklist": 9}
#: The reference count Redis pins its shared objects at (OBJ_SHARED_REFCOUNT, INT_MAX).
SHARED_REFCOUNT = 2 ** 31 - 1


def malloc_size(size: int) -> int:
    """The bytes jemalloc (Redis's allocator) really gives for a request of ``size``: its size
    class. 8, 16, then steps of 16 up to 128, then four classes per doubling (160, 192, 224,
    256, 320, ...): so a 20-byte embstr takes 32 bytes, and a 64-byte one exactly 64."""
    if size <= 8:
        return 8
    if size <= 128:
        return -(-size // 16) * 16
    step = 1 << ((size - 1).bit_length() - 3)  # a quarter of the power of two below
    return -(-size // step) * step


def little_endian(number: int, width: int) -> list[str]:
    """``number`` as ``width`` bytes, least significant first (two's complement), in hex."""
    return [f"{byte:02x}" for byte in number.to_bytes(width, "little", signed=number < 0)]


def cells(data: bytes) -> list[list[str]]:
    """Byte cells: each byte's hex and the character it is (``·`` for an unprintable one)."""
    return [[f"{byte:02x}", chr(byte) if 0x20 <= byte < 0x7f else "·"] for byte in data]


def field(id: str, name: str, hex: list[str] | None = None, value: str = "", kind: str = "header",
          chars: list[str] | None = None, width: int | None = None) -> dict:
    """One field of a block: its name, its bytes (hex), what they mean (``value``) and its kind
    ("header", "data", "member", "pointer", "nul", "spare", "more"). ``width``: its size in bytes
    when its cells are not drawn (a pointer, the lru bits)."""
    shown = hex or []
    return {"id": id, "name": name, "hex": shown, "chars": chars or [], "value": value,
            "kind": kind, "width": len(shown) if width is None else width}


def block(type_name: str, encoding: str, refcount: int = 1, ptr: dict | None = None,
          title: str = "robj") -> dict:
    """The robj header as a block of cells. ``ptr`` is its last field: an arrow (the default),
    or the number an ``int`` string keeps in it."""
    first = TYPES[type_name] | ENCODINGS[encoding] << 4
    fields = [
        field("robj.type", "type:4 encoding:4", [f"{first:02x}"],
              f"{type_name} ({TYPES[type_name]}), {encoding} ({ENCODINGS[encoding]})"),
        field("robj.lru", "lru:24", value="LRU clock or LFU count", width=3),
        field("robj.refcount", "refcount", little_endian(refcount, 4),
              "shared" if refcount == SHARED_REFCOUNT else str(refcount)),
        ptr if ptr is not None else field("robj.ptr", "ptr", value="→", kind="pointer", width=8),
    ]
    return {"id": "robj", "shape": "cells", "title": title, "bytes": ROBJ_SIZE,
            "alloc": malloc_size(ROBJ_SIZE), "fields": fields}
