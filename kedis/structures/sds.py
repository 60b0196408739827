"""A string as Redis holds it in memory: ``int``, ``embstr`` or ``raw`` (object.c over sds.c).

Kedis keeps a string as Python bytes; Redis keeps it as one of three things, and OBJECT ENCODING
names which:

- ``int``: the bytes spell a 64-bit integer in Redis's strict form (``12``, not ``012``), at
  most 20 bytes of it. No bytes are kept at all: the robj's 8-byte pointer holds the number
  (object.c's tryObjectEncoding). The numbers 0 to 9999 are *shared*: objects made once at start
  (OBJ_SHARED_INTEGERS), to which every key holding that number points.
- ``embstr``: up to 44 bytes (OBJ_ENCODING_EMBSTR_SIZE_LIMIT), the robj and the string in one
  allocation (createEmbeddedStringObject): 16 bytes of robj, an ``sdshdr8`` (len, alloc, flags:
  3 bytes), the bytes, and a NUL. 16 + 3 + 44 + 1 = 64, one of jemalloc's size classes.
- ``raw``: the robj points to a separate SDS, whose header is the smallest of five types that
  can hold its length (sds.c's sdsReqType): ``sdshdr5`` under 32 bytes (one byte: 3 bits of type,
  5 of length, no room to grow), ``sdshdr8`` under 256 (len and alloc a byte each, then flags),
  ``sdshdr16`` under 64 KB (2 + 2 + 1), ``sdshdr32`` under 4 GB (4 + 4 + 1), else ``sdshdr64``
  (8 + 8 + 1). An SDS that has grown (APPEND, SETRANGE, SETBIT) is never type 5: sdsMakeRoomFor
  moves it to type 8, which can remember spare room.

``alloc`` is the room for bytes the allocation has, past the header and before the NUL. A raw
string a client SETs gets jemalloc's size class (sdsnewlen asks for header + bytes + 1 and keeps
what the allocator really gave), and tryObjectEncoding then trims it to the length when more
than a tenth of it is spare (trimStringObjectIfNeeded). What Kedis does not know: the spare
room of a string that grew in place (APPEND doubles it below 1 MB): it keeps the bytes only, so
such a string is drawn with ``alloc`` equal to its length. Values of 32 KB or more, which Redis
takes over from the client's query buffer as they are, are drawn as the smaller ones.

``layout()`` returns that picture as plain data (robj.py's shapes: blocks of fields of byte
cells), for the StructureView (kedis.widgets.structure). OBJECT ENCODING reads
``string_encoding`` from here too (commands/object.py), so the view and the command agree.
"""

from __future__ import annotations

from ..util.numbers import string_to_int
from .robj import SHARED_REFCOUNT, block, cells, field, little_endian, malloc_size

__all__ = ["EMBSTR_SIZE_LIMIT", "SHARED_INTEGERS", "HEADER_SIZES", "string_encoding",
           "sds_type", "raw_alloc", "layout"]

#: Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: the longest string kept in one allocation with its
#: object header (44 bytes: the header and the bytes then fill a 64-byte allocation).
EMBSTR_SIZE_LIMIT = 44
#: Redis's OBJ_SHARED_INTEGERS: 0..9999 are objects made once, at start, and shared.
SHARED_INTEGERS = 10000
#: sizeof(struct sdshdrN) for each SDS type: the bytes before the string.
HEADER_SIZES = {5: 1, 8: 3, 16: 5, 32: 9, 64: 17}
#: SDS_TYPE_5 ... SDS_TYPE_64: the low 3 bits of the flags byte.
_TYPE_CODES = {5: 0, 8: 1, 16: 2, 32: 3, 64: 4}
#: The cells of the string's bytes drawn, at most (the rest is counted).
CELLS_SHOWN = 64


def string_encoding(value: bytes | bytearray, mark: str | None = None) -> str:
    """Redis's encoding for a string value (tryObjectEncoding), or the one its last writer made:
    ``mark`` is "raw" (changed in place), "embstr" (INCRBYFLOAT) or "int" (an int object of
    the key's own, never shared: a COPY's), from the keyspace's ``encodings``."""
    if mark == "raw" or mark == "int":
        return mark
    if mark is None and len(value) <= 20 and string_to_int(bytes(value)) is not None:
        return "int"
    return "embstr" if len(value) <= EMBSTR_SIZE_LIMIT else "raw"


def sds_type(length: int, grown: bool = False) -> int:
    """The SDS header type for ``length`` bytes (sdsReqType): 5, 8, 16, 32 or 64. ``grown``: the
    string was made longer in place, and type 5, which cannot say how much room is spare, is
    skipped (sdsMakeRoomFor). An empty SDS is never type 5 either (sdsnewlen)."""
    if length < 1 << 5:
        return 8 if grown or length == 0 else 5
    if length < 1 << 8:
        return 8
    if length < 1 << 16:
        return 16
    return 32 if length < 1 << 32 else 64


def _type_max(kind: int) -> int:
    return (1 << kind) - 1  # the longest string (and alloc) the header's fields can say


def raw_alloc(length: int, kind: int) -> int:
    """``alloc`` of a raw string a client SETs: what jemalloc gave past the header and the NUL
    (sdsnewlen), trimmed to the length when more than a tenth is spare (tryObjectEncoding)."""
    header = HEADER_SIZES[kind]
    usable = min(malloc_size(header + length + 1) - header - 1, _type_max(kind))
    return length if usable - length > length // 10 else usable


def _sds_fields(data: bytes | bytearray, kind: int, alloc: int, cap: int) -> list[dict]:
    """The header's fields, the bytes (the first ``cap``), the NUL and the spare room."""
    length = len(data)
    if kind == 5:
        flags = length << 3 | _TYPE_CODES[5]
        fields = [field("sds.flags", "flags", [f"{flags:02x}"],
                        f"type 5 (3 bits), len {length} (5 bits)")]
    else:
        size = kind // 8
        fields = [field("sds.len", "len", little_endian(length, size), str(length)),
                  field("sds.alloc", "alloc", little_endian(alloc, size), str(alloc)),
                  field("sds.flags", "flags", [f"{_TYPE_CODES[kind]:02x}"], f"type {kind}")]
    shown = bytes(data[:cap])
    pairs = cells(shown)
    fields.append(field("sds.buf", "buf", [hex for hex, _ in pairs], f"{length} bytes",
                        kind="data", chars=[char for _, char in pairs]))
    if length > cap:
        fields.append(field("sds.more", f"… and {length - cap:,} more bytes", kind="more",
                            width=length - cap))
    fields.append(field("sds.nul", "NUL", ["00"], "\\0", kind="nul"))
    if alloc > length:
        fields.append(field("sds.spare", "spare", value=f"{alloc - length} bytes free",
                            kind="spare", width=alloc - length))
    return fields


def layout(value: bytes | bytearray, mark: str | None = None, cap: int = CELLS_SHOWN) -> dict:
    """How Redis would hold ``value`` in memory, as blocks of fields of byte cells.

    ``mark`` is the encoding its last writer left (the keyspace's ``encodings``: "raw" after
    APPEND, SETRANGE, SETBIT...). At most ``cap`` of its bytes are drawn as cells.
    """
    encoding = string_encoding(value, mark)
    length = len(value)
    if encoding == "int":
        number = int(bytes(value))
        shared = mark is None and 0 <= number < SHARED_INTEGERS
        robj = block("string", "int", SHARED_REFCOUNT if shared else 1,
                     ptr=field("robj.ptr", "ptr", little_endian(number, 8), str(number),
                               kind="data"),
                     title="robj, shared (made at start)" if shared else "robj")
        summary = (f"int: the number {number} in the pointer itself, no bytes kept; "
                   + ("a shared object (0..9999): this key owns no memory for it" if shared
                      else "16 bytes"))
        return {"type": "string", "encoding": "int", "summary": summary, "blocks": [robj],
                "facts": {"length": length, "number": number, "shared": shared,
                          "total": 0 if shared else robj["alloc"]}}
    if encoding == "embstr":
        robj = block("string", "embstr",
                     ptr=field("robj.ptr", "ptr", value="→ buf, 3 bytes on", kind="pointer",
                               width=8))
        size = 16 + HEADER_SIZES[8] + length + 1
        one = {"id": "embstr", "shape": "cells",
               "title": "robj + sdshdr8 + bytes + NUL: one allocation",
               "bytes": size, "alloc": malloc_size(size),
               "fields": robj["fields"] + _sds_fields(value, 8, length, cap)}
        summary = (f"embstr: {length} bytes (at most {EMBSTR_SIZE_LIMIT}) in one allocation "
                   f"with the robj: 16 + 3 + {length} + 1 = {size} bytes, in a "
                   f"{one['alloc']}-byte block")
        return {"type": "string", "encoding": "embstr", "summary": summary, "blocks": [one],
                "facts": {"length": length, "sds_type": 8, "header": 3, "alloc": length,
                          "total": one["alloc"]}}
    grown = mark == "raw"
    kind = sds_type(length, grown)
    alloc = length if grown else raw_alloc(length, kind)
    size = HEADER_SIZES[kind] + alloc + 1
    robj = block("string", "raw")
    robj["fields"][-1]["points_to"] = "sds"
    sds = {"id": "sds", "shape": "cells", "title": f"sds, sdshdr{kind}", "bytes": size,
           "alloc": malloc_size(size), "fields": _sds_fields(value, kind, alloc, cap)}
    why = "changed in place" if grown else f"longer than {EMBSTR_SIZE_LIMIT} bytes"
    summary = (f"raw ({why}): the robj points to an SDS of its own, header sdshdr{kind} "
               f"({HEADER_SIZES[kind]} bytes) + {alloc} bytes of room + NUL")
    notes = ["a string that grows in place gets room to spare (sdsMakeRoomFor doubles it below "
             "1 MB); Kedis keeps only the bytes, so alloc is drawn as the length"] if grown else []
    return {"type": "string", "encoding": "raw", "summary": summary, "blocks": [robj, sds],
            "notes": notes, "facts": {"length": length, "sds_type": kind, "header": HEADER_SIZES[kind],
                      "alloc": alloc, "total": robj["alloc"] + sds["alloc"]}}
