"""An RDB file or a DUMP payload, byte by byte: each field's bytes beside what they mean (for the
persistence tutorial).

    from kedis.persistence.dumpview import DumpView
    DumpView.of_file("dump.rdb")         # a table in a notebook, text elsewhere
    DumpView(db.run("DUMP k").value)     # one value, as DUMP serializes it

rdb.py reads a file for speed; this module reads it again for people. It walks the same records
(with rdb.py's reader and checks, so that both agree on every byte) and notes, for each field,
where it starts, its bytes and what they say: the header, each AUX field, SELECTDB and RESIZEDB,
each key's deadline, type, name and value (with the way each string was encoded: a length and the
bytes, an integer in 1, 2 or 4 bytes, or LZF), EOF and the checksum, which it checks.

A DUMP payload is one value as the file writes it after a key's name (its type, then its
encoding), then the RDB version (2 bytes) and a CRC-64: the view shows the same value fields, and
checks the version (can this Kedis read it?) and the checksum, as RESTORE does. It tells the two
apart by the file's magic: a payload starts with a type byte, never with "REDIS".
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from ..engine.parser import repr_bytes
from ..util.plural import plural
from . import rdb
from .crc64 import crc64

__all__ = ["Field", "annotate", "annotate_payload", "DumpView"]

#: How many bytes of a field a row shows; the rest is counted, not shown.
SHOWN_BYTES = 32
#: How many of an intset's integers its row lists.
SHOWN_MEMBERS = 20
BYTES_PER_LINE = 16


@dataclass(frozen=True)
class Field:
    """One field of the file: where it starts, its bytes, the record it belongs to, what it says."""

    offset: int
    data: bytes
    record: str    # header, aux, selectdb, resizedb, expire, key, eof, checksum; in a payload:
    #                type, key (the value's fields), extra, version, checksum
    meaning: str


def _quoted(value: bytes, limit: int = 40) -> str:
    shown = repr_bytes(value[:limit])
    return shown + (f" ... ({len(value)} bytes)" if len(value) > limit else "")


def _string_field(reader: rdb._Reader, what: str) -> tuple[bytes, str]:
    """Read one string; say how it was encoded (rdbGenericLoadStringObject's four ways)."""
    first = reader.data[reader.pos] if reader.pos < len(reader.data) else None
    value = reader.string(what)
    if first is None or first >> 6 != 3:
        return value, f"{what}: {_quoted(value)} (its length, {len(value)}, then its bytes)"
    encoding = first & 0x3F
    if encoding == rdb.ENC_LZF:
        return value, (f"{what}: {_quoted(value)} (LZF-compressed: 0x{first:02x}, the compressed "
                       f"and the plain lengths, then the compressed bytes)")
    width = {rdb.ENC_INT8: 1, rdb.ENC_INT16: 2, rdb.ENC_INT32: 4}[encoding]
    return value, (f"{what}: {value.decode()} (an integer in {plural(width, 'byte')}"
                   f", little-endian, after 0x{first:02x})")


def _value_fields(reader: rdb._Reader, kind: int, note) -> None:
    """Note the fields of one value of RDB type ``kind`` (its type byte has been read)."""
    start = reader.pos
    if kind == rdb.TYPE_STRING:
        _, meaning = _string_field(reader, "its value")
    elif kind == rdb.TYPE_SET:
        count = reader.length("a member count")
        note(start, "key", f"{plural(count, 'member')} follow")
        for _ in range(count):
            start = reader.pos
            _, meaning = _string_field(reader, "a member")
            note(start, "key", meaning)
        return
    else:
        compressed = reader.data[reader.pos] == 0xC0 | rdb.ENC_LZF
        blob = reader.string("the intset")
        try:
            width, numbers = rdb.parse_intset(blob)
        except ValueError as error:
            raise reader.fail(f"a damaged intset: {error}", start) from None
        meaning = (f"its members as an intset: one string{' (LZF-compressed)' if compressed else ''}"
                   f" holding the width of each integer ({plural(width, 'byte')}), their count"
                   f" ({len(numbers)}), then the sorted integers: "
                   + ", ".join(map(str, numbers[:SHOWN_MEMBERS]))
                   + (", ..." if len(numbers) > SHOWN_MEMBERS else ""))
    note(start, "key", meaning)


def annotate(data: bytes) -> list[Field]:
    """The fields of an RDB file (or of a DUMP payload: annotate_payload), in order. Raises
    rdb.RDBError where the data is not valid."""
    if data[:5] != b"REDIS" and data[:1] and data[0] < 0x20:
        return annotate_payload(data)
    if len(data) < 9 or data[:5] != b"REDIS":
        raise rdb.RDBError("not an RDB file (it does not start with REDIS)", 0)
    fields = [Field(0, data[:9], "header",
                    f"the magic \"REDIS\" and the format version {data[5:9].decode('ascii')}")]
    reader = rdb._Reader(data, 9, "RDB")

    def note(start: int, record: str, meaning: str) -> None:
        fields.append(Field(start, data[start:reader.pos], record, meaning))

    while True:
        start = reader.pos
        kind = reader.byte("a record type")
        if kind == rdb.OP_EOF:
            note(start, "eof", "EOF (0xff): the end of the data")
            break
        if kind == rdb.OP_AUX:
            note(start, "aux", "AUX (0xfa): a field about the file, a name and a value")
            start = reader.pos
            _, meaning = _string_field(reader, "name")
            note(start, "aux", meaning)
            start = reader.pos
            _, meaning = _string_field(reader, "value")
            note(start, "aux", meaning)
        elif kind == rdb.OP_SELECTDB:
            number = reader.length("a database number")
            note(start, "selectdb", f"SELECTDB (0xfe): the keys that follow are in database "
                                    f"{number}")
        elif kind == rdb.OP_RESIZEDB:
            keys = reader.length("a key count")
            expiring = reader.length("an expires count")
            note(start, "resizedb", f"RESIZEDB (0xfb): {plural(keys, 'key')}, "
                                    f"{expiring} with a TTL (to size the hash tables at once)")
        elif kind == rdb.OP_EXPIRETIME_MS:
            deadline = int.from_bytes(reader.take(8, "an expire time"), "little", signed=True)
            note(start, "expire", f"EXPIRETIME_MS (0xfc): the next key expires at {deadline} "
                                  "(Unix ms, 8 bytes little-endian)")
        elif kind in _VALUE_TYPES:
            note(start, "key", f"a key of type {kind} ({rdb.RDB_TYPE_NAMES[kind]})")
            start = reader.pos
            key, meaning = _string_field(reader, "its name")
            note(start, "key", meaning)
            _value_fields(reader, kind, note)
        else:
            raise reader.fail(f"a record of type {kind}, which this view does not show", start)
    start = reader.pos
    stored = int.from_bytes(reader.take(8, "the checksum"), "little")
    if stored == 0:
        verdict = "0: written without a checksum (rdbchecksum no)"
    elif stored == crc64(data[:start]):
        verdict = f"{stored:016x}, which matches the bytes before it"
    else:
        verdict = f"{stored:016x}, which does NOT match the bytes before it: the file is damaged"
    note(start, "checksum", f"the CRC-64 of every byte before it (8 bytes): {verdict}")
    return fields


_VALUE_TYPES = (rdb.TYPE_STRING, rdb.TYPE_SET, rdb.TYPE_SET_INTSET)


def annotate_payload(data: bytes) -> list[Field]:
    """The fields of a DUMP payload, in order: the value's type and encoding, any bytes the value
    leaves before the footer, the RDB version and the checksum, both checked as RESTORE checks
    them. Raises rdb.RDBError where the value cannot be read (RESTORE: "Bad data format")."""
    if len(data) < 10:
        raise rdb.RDBError(f"a DUMP payload ends with 10 bytes of footer; this one has "
                           f"{len(data)} bytes in all", 0, "DUMP payload")
    fields: list[Field] = []
    footer = len(data) - 10
    # The value is read from a reader that ends where the footer starts, so that a value that
    # claims to go on is shown as cut short (RESTORE would read on into the footer).
    reader = rdb._Reader(data[:footer], 0, "DUMP payload", "value")

    def note(start: int, record: str, meaning: str) -> None:
        fields.append(Field(start, data[start:reader.pos], record, meaning))

    kind = reader.byte("the value's type")
    if kind not in _VALUE_TYPES:
        name = rdb.RDB_TYPE_NAMES.get(kind)
        raise reader.fail(f"a value of type {kind}{f' ({name})' if name else ''}, which this "
                          "view does not show", 0)
    note(0, "type", f"the value's type: {kind} ({rdb.RDB_TYPE_NAMES[kind]}); no key name, no TTL "
                    "(RESTORE is given both)")
    _value_fields(reader, kind, note)
    if reader.pos < footer:
        start, reader.pos = reader.pos, footer
        note(start, "extra", "bytes after the value, before the footer (RESTORE ignores them)")
    reader = rdb._Reader(data, footer, "DUMP payload", "payload")
    version = int.from_bytes(reader.take(2, "the version"), "little")
    verdict = (f"this Kedis reads up to {rdb.RDB_VERSION}: RESTORE accepts it"
               if version <= rdb.RDB_VERSION else
               f"newer than this Kedis reads ({rdb.RDB_VERSION}): RESTORE refuses it")
    note(footer, "version", f"the RDB version that wrote it: {version} (2 bytes, little-endian); "
                            + verdict)
    stored = int.from_bytes(reader.take(8, "the checksum"), "little")
    if stored == crc64(data[:footer + 2]):
        verdict = f"{stored:016x}, which matches the bytes before it"
    else:
        verdict = (f"{stored:016x}, which does NOT match the bytes before it: RESTORE refuses "
                   "the payload")
    note(footer + 2, "checksum", f"the CRC-64 of every byte before it (8 bytes): {verdict}")
    return fields


def _hex_lines(data: bytes) -> list[str]:
    shown = data[:SHOWN_BYTES]
    lines = [" ".join(f"{byte:02x}" for byte in shown[i:i + BYTES_PER_LINE])
             for i in range(0, len(shown), BYTES_PER_LINE)] or [""]
    if len(data) > SHOWN_BYTES:
        lines.append(f"... {len(data) - SHOWN_BYTES} more bytes")
    return lines


_NUMBER = "text-align: right; vertical-align: top"
_TEXT = "text-align: left; vertical-align: top"


class DumpView:
    """An annotated hex view of an RDB file or a DUMP payload: text (``str()``), or an HTML table
    in a notebook."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.fields = annotate(data)

    @classmethod
    def of_file(cls, path: str | Path) -> DumpView:
        return cls(Path(path).read_bytes())

    def __str__(self) -> str:
        width = BYTES_PER_LINE * 3 - 1
        rows = [f"{'offset':>6}  {'bytes':<{width}}  meaning"]
        for field in self.fields:
            for i, hex_line in enumerate(_hex_lines(field.data)):
                start = f"{field.offset:>6}" if i == 0 else " " * 6
                rows.append(f"{start}  {hex_line:<{width}}  {field.meaning if i == 0 else ''}"
                            .rstrip())
        rows.append(f"{len(self.data):>6}  (the end: {len(self.data)} bytes)")
        return "\n".join(rows)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython's plain text
        printer.text(str(self))

    def _repr_html_(self) -> str:
        # Inline styles, the only ones front ends keep: JupyterLab right-aligns table cells,
        # and a hex dump reads left to right, the offsets right-aligned as numbers are.
        rows = []
        for field in self.fields:
            hex_html = "<br>".join(html.escape(line) for line in _hex_lines(field.data))
            rows.append(f'<tr class="kedis-rdb-{field.record}">'
                        f'<td style="{_NUMBER}">{field.offset}</td>'
                        f'<td style="{_TEXT}"><code>{hex_html}</code></td>'
                        f'<td style="{_TEXT}">{html.escape(field.meaning)}</td></tr>')
        return (f'<table class="kedis-dump" style="margin-left: 0"><thead><tr>'
                f'<th style="{_NUMBER}">offset</th><th style="{_TEXT}">bytes</th>'
                f'<th style="{_TEXT}">meaning</th></tr></thead><tbody>' + "".join(rows)
                + "</tbody></table>")
