"""How the views turn keys, values, states and steps into text for the browser.

Everything a view sends to the browser is *text made here*, in Python: the browser only places it
with ``textContent``, so a key named ``<img src=x onerror=alert(1)>`` is shown as those characters
and never read as HTML. Binary data is shown as redis-cli shows it (``repr_bytes`` in reply.py),
so a learner sees in a view exactly what ``redis-cli`` would print for the same key.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..engine.keyspace import type_name
from ..engine.parser import repr_bytes
from ..engine.reply import Reply
from ..engine.trace import KeyState, Step, preview
from ..util.plural import plural

__all__ = ["key_text", "value_text", "value_size", "when_text", "command_text", "state_dict",
           "change_text", "describe", "step_dict", "VALUE_WIDTH"]

#: About how many characters of a value a row shows (a preview, not the value).
VALUE_WIDTH = 60

# How redis-cli writes each byte, read once from repr_bytes itself (one source of truth): cutting
# a long value byte by byte never splits an escape like \x0a in the middle.
_PIECES = [repr_bytes(bytes([b]))[1:-1] for b in range(256)]


def key_text(key: bytes) -> str:
    """A key exactly as redis-cli prints it: ``"user:1"``, ``"caf\\xc3\\xa9"``."""
    return repr_bytes(key)


def value_text(value: Any, width: int = VALUE_WIDTH) -> str:
    """A value as redis-cli quotes it, cut to about ``width`` characters (``..."`` marks a cut)."""
    if type(value) is bytes or type(value) is bytearray:  # (a bytearray: a bitmap, keyspace.py)
        if len(value) <= width:
            text = repr_bytes(bytes(value))
            if len(text) <= width + 2:  # + the two quotes
                return text
        pieces, used = [], 0
        for byte in value:
            piece = _PIECES[byte]
            if used + len(piece) > width:
                break
            pieces.append(piece)
            used += len(piece)
        return '"' + "".join(pieces) + '..."'
    return preview(value, width)  # a set: {"a", "b", ...}, each member quoted the same way


def value_size(value: Any) -> int:
    """The bytes a value holds: a string's length, a set's members' lengths added up."""
    if type(value) is bytes or type(value) is bytearray:
        return len(value)
    if isinstance(value, dict):
        return sum(len(k) + len(v) for k, v in value.items())
    try:
        return sum(len(item) for item in value)
    except TypeError:
        return 0


def when_text(ms: int | None) -> str:
    """An instant in ms since the epoch as a readable UTC time ("" for none)."""
    if ms is None:
        return ""
    moment = datetime.fromtimestamp(ms // 1000, timezone.utc)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{ms % 1000:03d} UTC"


def _word(arg: bytes) -> str:
    # An argument is written as typed when redis-cli would read it back the same; otherwise quoted.
    if arg and arg.isascii():
        text = arg.decode("ascii")
        if text.isprintable() and not any(c in text for c in ' "\'\\'):
            return text
    return repr_bytes(arg)


def command_text(argv: Any, width: int = 120) -> str:
    """A command as one could type it again: ``SET greeting "hello world"``."""
    text = " ".join(_word(arg) for arg in argv)
    return text if len(text) <= width else text[: width - 1] + "…"


def state_dict(state: KeyState | None) -> dict | None:
    """One keyspace entry (a trace's KeyState) as plain data for the browser; None: no key."""
    if state is None:
        return None
    return {"type": state.type, "value": value_text(state.value),
            "size": value_size(state.value), "expires_at": state.expires_at,
            "expires_text": when_text(state.expires_at)}


def _ttl_text(expires_at: int | None) -> str:
    return "no TTL" if expires_at is None else f"expires {when_text(expires_at)}"


def change_text(before: KeyState | None, after: KeyState | None, expired: str | None = None) -> str:
    """What one command did to one key, short: ``"1" → "2"``, ``(no key) → string "v"``.

    Only what differs is named: a value that changed, a TTL that was set or removed. ``expired``
    ("lazy" or "active") says that the key vanished because its deadline had passed.
    """
    if before == after:
        return "unchanged"
    if before is None:
        ttl = "" if after.expires_at is None else f", {_ttl_text(after.expires_at)}"
        return f"(no key) → {after.type} {value_text(after.value)}{ttl}"
    if after is None:
        gone = f"(expired, {expired})" if expired else "(no key)"
        return f"{before.type} {value_text(before.value)} → {gone}"
    parts = []
    if before.type != after.type or before.value != after.value:
        old = value_text(before.value)
        new = value_text(after.value)
        if before.type != after.type:
            old, new = f"{before.type} {old}", f"{after.type} {new}"
        parts.append(f"{old} → {new}")
    if before.expires_at != after.expires_at:
        parts.append(f"{_ttl_text(before.expires_at)} → {_ttl_text(after.expires_at)}")
    return "; ".join(parts)


def describe(thing: Any, width: int = 120) -> str:
    """Whatever a layer received or handed on, as text (the trace records the objects)."""
    if thing is None:
        return ""
    if type(thing) is bytes:
        return value_text(thing, width)
    if isinstance(thing, str):  # a line as typed
        return thing if len(thing) <= width else thing[: width - 1] + "…"
    if isinstance(thing, (list, tuple)) and all(type(arg) is bytes for arg in thing):
        count = len(thing)
        return f"{plural(count, 'argument')}: " + command_text(thing, width)
    if isinstance(thing, Reply):
        text = thing.cli()
        first = text.split("\n", 1)[0]
        return first + (" …" if "\n" in text else "")
    if type(thing).__name__ == "Command":  # the command table's entry
        return f"the entry of '{thing.name}' in the command table"
    if isinstance(thing, int):
        return str(thing)
    return preview(thing, width)


def _differing(before: dict | None, after: dict | None) -> list[str]:
    # Which fields of an entry a step changed, so that the browser can mark them.
    if before is None or after is None:
        return [] if before is after else ["key"]
    return [name for name in ("type", "value", "expires_at") if before[name] != after[name]]


def step_dict(step: Step, number: int) -> dict:
    """One trace step as plain data: everything the FlowView draws for it, from it alone."""
    before, after = state_dict(step.before), state_dict(step.after)
    touches = step.layer in ("keyspace", "expiry")
    return {
        "number": number,
        "layer": step.layer,
        "action": step.action,
        "did": step.did,
        "received": describe(step.received),
        "handed_on": describe(step.handed_on),
        "db": step.db,
        "key": key_text(step.key) if step.key is not None else None,
        "touches_keyspace": touches,
        "before": before,
        "after": after,
        "changed": touches and step.changed,
        "diff": _differing(before, after) if touches else [],
    }


def type_of(value: Any) -> str:
    """The name TYPE answers for a stored value."""
    return type_name(value)


def clock_text(ms: int | None, clock: Any) -> str:
    """An instant as ``when_text`` writes it, labelled with the engine clock it was read on
    ("..., fake clock"): a view that outlives a ``%clock fake`` holds times of both clocks, a
    real 2026 beside a fake 2023, and each must say which it is."""
    from ..util.clock import FakeClock  # (only the label needs it)

    if ms is None:
        return ""
    return f"{when_text(ms)}, {'fake' if isinstance(clock, FakeClock) else 'real'} clock"
