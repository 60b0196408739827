"""``plural(3, "key")`` is "3 keys", ``plural(1, "key")`` is "1 key": counts in the words Kedis
writes for people (the trace, the views, the magics), said right for one and for many."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``many`` is the plural when adding an s is wrong: ``plural(2, "entry", "entries")``."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many if many is not None else noun + 's'}"
