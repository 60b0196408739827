"""``plural(3, "key")`` is "3 keys", ``plural(1, "key")`` is "1 key": counts in the words Kedis
writes for people (the trace, the views, the magics), said right for one and for many."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
