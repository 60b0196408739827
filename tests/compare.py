"""Helpers for the example tests that also ask the real redis-server (the ``redis`` fixture).

``same(db, redis, *command)`` runs one command on both, asserts that Kedis sends the very bytes
Redis sent, and returns them, so a test reads as a list of commands and their expected replies:

    assert same(db, redis, "SET", "k", "v", "NX") == b"+OK\\r\\n"

Replies whose order is not defined (KEYS, SCAN, CONFIG GET with several names) are compared as
values with ``parse_resp``; INFO's text is read with ``info_fields``.
"""

from __future__ import annotations

from typing import Any

import kedis

# Replies as Redis sends them, to write expected bytes briefly.
OK = b"+OK\r\n"
NIL = b"$-1\r\n"
SYNTAX_ERROR = b"-ERR syntax error\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"


def integer(number: int) -> bytes:
    return b":%d\r\n" % number


def bulk(data: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*items: bytes) -> bytes:
    return b"*%d\r\n" % len(items) + b"".join(items)


def same(db: kedis.Kedis, redis: Any, *command: bytes | str | int) -> bytes:
    """Run ``command`` on Kedis and on Redis; assert the same RESP bytes; return them."""
    expected = redis.call(*command)
    assert db.execute(*command).resp() == expected, f"{command!r}: Kedis differs from Redis"
    return expected


class RespError(str):
    """An error reply, as ``parse_resp`` returns it (a str, so it compares with its text)."""


def parse_resp(data: bytes) -> Any:
    """RESP2 bytes as Python values: str (status), RespError, int, bytes, None, list."""
    value, end = _parse(data, 0)
    assert end == len(data), "trailing bytes after the reply"
    return value


def _parse(data: bytes, start: int) -> tuple[Any, int]:
    line_end = data.index(b"\r\n", start)
    kind, body = data[start:start + 1], data[start + 1:line_end]
    position = line_end + 2
    if kind == b"+":
        return body.decode(), position
    if kind == b"-":
        return RespError(body.decode()), position
    if kind == b":":
        return int(body), position
    count = int(body)
    if kind == b"$":
        if count < 0:
            return None, position
        return data[position:position + count], position + count + 2
    if kind == b"*":
        if count < 0:
            return None, position
        items = []
        for _ in range(count):
            item, position = _parse(data, position)
            items.append(item)
        return items, position
    raise ValueError(f"not RESP2: {data[start:start + 20]!r}")


def changes_since_save(reply: bytes) -> int:
    """INFO persistence's rdb_changes_since_last_save (Redis's server.dirty), from its reply's
    RESP bytes."""
    return int(info_fields(parse_resp(reply))["rdb_changes_since_last_save"])


def info_fields(text: str | bytes) -> dict[str, str]:
    """INFO's ``field:value`` lines as a dict (section headers and blank lines skipped)."""
    if isinstance(text, bytes):
        text = text.decode()
    fields = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            name, _, value = line.partition(":")
            fields[name] = value
    return fields
