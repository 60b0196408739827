"""What each layer of a traced command draws in the FlowView: its picture, as plain data.

A step of a trace (engine/trace.py) records facts; the FlowView draws them as structure, one
visual language for every layer, so that a learner sees what the layer did before reading a word:

- **input**: the line as it came (with its byte count), or the argv cells a client sent;
- **parser**: the typed line with each argument's span marked over the characters it came from,
  and under each span the bytes it became, quotes and escapes resolved (``"a b"`` is the three
  bytes ``a b``). The spans come from the parser itself (``split_spans``, the same function that
  splits), worked out here, when the step is drawn, from the line the step received;
- **command table**: the command's entry as a card read from the table: name, arity and the
  argument count checked against it, flags, which arguments are keys, group and version; for a
  command the table refuses, the card shows which check failed;
- **handler**: the function that ran, its file, and the arguments it was given;
- **keyspace**: the database as a hash table (below), the key's bucket lit, its entry with the
  value's type and encoding, and its deadline in the expires dict, before and after the step;
- **expiry**: the key's deadline on a line against the clock at that moment;
- **reply**: the RESP bytes as they go on the wire, each group on its own (``\\r\\n`` drawn as
  marked glyphs), beside what redis-cli prints.

Everything here runs when a step is shown, never while the command runs: tracing stays cheap.

**The hash table, and what it models.** Kedis keeps a database's keys in a Python dict. Redis
keeps them in its own dict (dict.c): an array of buckets whose size is a power of two, each key in
bucket ``hash(key) & (size - 1)``, keys that share a bucket chained in a linked list. The picture
draws the table Redis would have for the same number of keys:

- the size grows as dict.c grows it: no table until the first key, then 4 buckets, doubled to the
  next power of two when a key is added to a table as full as it has buckets (``table_size``);
  removing keys never shrinks it in the step (Redis shrinks a table under 10% full in its cron,
  later), so a DEL leaves the size as it was; a later command's step draws the size for the keys
  there are then (which history left a bigger table is not recorded);
- the hash is SipHash-1-2, the function Redis 7.0 uses, but Redis seeds it with 16 random bytes at
  each start, so its bucket numbers differ from one run to the next; Kedis uses a fixed seed of
  16 zero bytes, so the same key is always drawn in the same bucket. The bucket numbers are
  illustrative: what a Redis with that seed would use;
- the order inside a chain is the database's order (Redis puts each new key at the head of its
  chain, and a rehash reverses them); the two tables of an incremental rehash are not drawn (a
  table is shown as it is once the rehash is over); the expires dict (keys with a deadline) is a
  second table, sized by how many keys have one, drawn the same way.

A database of more than ``trace.FEW_KEYS`` keys records only its size (copying its keys for each
step would cost more than the command), so only the key's own bucket is drawn then, amid the
others' numbers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..commands.object import string_encoding
from ..engine.parser import ParseError, repr_bytes, split_spans
from ..engine.reply import Reply
from ..engine.trace import KeyState, Step
from ..util.plural import plural
from ._format import describe, key_text, value_text, when_text

__all__ = ["layer_picture", "picture_lines", "first_argv", "siphash", "table_size", "bucket_of", "resp_groups", "HASH_SEED"]

#: The hash's seed: Redis draws 16 random bytes at start (dictSetHashFunctionSeed); Kedis, zeros.
HASH_SEED = bytes(16)
#: dict.c's DICT_HT_INITIAL_SIZE: the first table of a dict has 4 buckets.
INITIAL_SIZE = 4
#: How many argument cells, RESP groups and reply lines a picture shows at most.
MAX_CELLS = 24
MAX_GROUPS = 48
MAX_LINE = 240      # characters of a typed line
CELL_WIDTH = 32     # characters of one value in a cell
MAX_CLI_LINES = 8
#: Buckets drawn on each side of the key's own, in a table too big to draw whole.
WINDOW = 3
MAX_DRAWN_TABLE = 16

_MASK = (1 << 64) - 1


# --- the hash table as dict.c lays it out -----------------------------------------------------
def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK


def siphash(data: bytes, seed: bytes = HASH_SEED, c_rounds: int = 1, d_rounds: int = 2) -> int:
    """SipHash-c-d of ``data`` with a 16-byte ``seed``, as a 64-bit number (Redis: c=1, d=2).

    Written from the algorithm's paper (Aumasson and Bernstein, 2012); the tests check it
    against the paper's own SipHash-2-4 example.
    """
    k0 = int.from_bytes(seed[:8], "little")
    k1 = int.from_bytes(seed[8:16], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(count: int) -> None:
        for _ in range(count):
            v[0] = (v[0] + v[1]) & _MASK
            v[1] = _rotl(v[1], 13) ^ v[0]
            v[0] = _rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & _MASK
            v[3] = _rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & _MASK
            v[3] = _rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & _MASK
            v[1] = _rotl(v[1], 17) ^ v[2]
            v[2] = _rotl(v[2], 32)

    # The message in 8-byte little-endian words, the last one padded with its length's low byte.
    tail = len(data) % 8
    whole = len(data) - tail
    for at in range(0, whole, 8):
        word = int.from_bytes(data[at:at + 8], "little")
        v[3] ^= word
        rounds(c_rounds)
        v[0] ^= word
    last = int.from_bytes(data[whole:], "little") | ((len(data) & 0xFF) << 56)
    v[3] ^= last
    rounds(c_rounds)
    v[0] ^= last
    v[2] ^= 0xFF
    rounds(d_rounds)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def table_size(keys: int) -> int:
    """How many buckets dict.c's table has once ``keys`` keys were added one by one: none for
    no key, then 4, then the next power of two each time a key arrives at a full table."""
    if keys <= 0:
        return 0
    return max(INITIAL_SIZE, 1 << (keys - 1).bit_length())


@lru_cache(maxsize=4096)
def _hash(key: bytes) -> int:
    # A key's hash never changes, and the same few keys are drawn again and again (every step
    # of a small database places all of its keys): each is hashed once.
    return siphash(key)


def bucket_of(key: bytes, size: int) -> int:
    """The bucket of ``key`` in a table of ``size`` buckets: its hash's low bits."""
    return _hash(key) & (size - 1) if size else 0


# --- small pieces shared by the pictures ------------------------------------------------------
def _visible(text: str) -> str:
    # Control characters drawn as their Unicode pictures (a newline typed inside quotes as ␊),
    # so that every byte of a line takes a place the eye can see.
    return "".join(chr(0x2400 + ord(ch)) if ord(ch) < 0x20 else "␡" if ch == "\x7f" else ch
                   for ch in text)


def _cells(argv: Any, keys: list[int] | tuple = ()) -> dict:
    """Arguments as cells: index, the bytes as redis-cli quotes them, their length, key or not."""
    cells = [{"index": i, "value": value_text(bytes(arg), CELL_WIDTH), "bytes": len(arg),
              "key": i in keys}
             for i, arg in enumerate(argv[:MAX_CELLS])]
    return {"cells": cells, "more": max(len(argv) - MAX_CELLS, 0)}


def first_argv(steps: list[Step]) -> Any:
    """The arguments a traced command ran with: what the parser handed on, or the client sent."""
    for step in steps:
        if step.layer == "parser" and step.action == "split":
            return step.handed_on
        if step.layer == "input" and step.action == "argv":
            return step.handed_on
    return None


# --- one picture per layer --------------------------------------------------------------------
def _input_picture(step: Step) -> dict:
    if step.action == "argv":
        return {"kind": "argv", **_cells(step.handed_on)}
    data = step.handed_on
    text = data.decode("utf-8", "replace")
    return {"kind": "line", "text": _visible(text[:MAX_LINE]), "cut": len(text) > MAX_LINE,
            "bytes": len(data)}


def _parser_picture(step: Step) -> dict:
    """The line in pieces: each argument's span (its index) and the gaps between them; and for
    each argument what was typed and what it became."""
    data: bytes = step.received
    spans: list[tuple[int, int]] = []
    error_at = None
    try:
        argv = split_spans(data, spans)
    except ParseError as error:
        argv, error_at = None, error.position
    pieces: list[dict] = []
    args: list[dict] = []
    at = 0
    shown = spans[:MAX_CELLS]
    for index, (start, end) in enumerate(shown):
        if start > at:
            pieces.append({"text": _visible(data[at:start].decode("utf-8", "replace")),
                           "arg": None})
        typed = data[start:end]
        pieces.append({"text": _visible(typed.decode("utf-8", "replace")), "arg": index})
        if argv is not None:
            value = argv[index]
        else:  # a refused line: each argument read before the error is its own span's split
            value = split_spans(typed)[0]
        args.append({"index": index, "typed": _visible(typed.decode("utf-8", "replace")),
                     "value": value_text(value, CELL_WIDTH) if value is not None else None,
                     "bytes": len(value) if value is not None else None,
                     "resolved": value is not None and value != typed})
        at = end
    rest = data[at:]
    if error_at is not None and at <= error_at <= len(data):
        # The rest of the line up to where the parser gave up, and the place it gave up.
        before, bad = data[at:error_at], data[error_at:error_at + 1]
        if before:
            pieces.append({"text": _visible(before.decode("utf-8", "replace")), "arg": None})
        pieces.append({"text": _visible(bad.decode("utf-8", "replace")) or "⏎", "arg": None,
                       "error": True})
        rest = data[error_at + 1:]
    if rest and len(spans) <= MAX_CELLS:
        pieces.append({"text": _visible(rest.decode("utf-8", "replace")), "arg": None})
    return {"kind": "parser", "pieces": pieces, "args": args,
            "count": len(argv) if argv is not None else None,
            "more": max(len(spans) - MAX_CELLS, 0), "error_at": error_at,
            "quoting": bool(step.detail)}


def _arity_text(arity: int) -> str:
    return f"= {arity}" if arity >= 0 else f"≥ {-arity}"


def _card_picture(step: Step, argv: Any) -> dict:
    if step.action == "lookup":
        cmd, argc, failed, error = step.handed_on, step.detail, None, None
    else:
        cmd, argc = step.detail
        error = step.handed_on.text if isinstance(step.handed_on, Reply) else describe(step.handed_on)
        if cmd is None:
            failed = "unknown"
        elif error.startswith("ERR unknown subcommand"):
            failed = "subcommand"
        elif argc != cmd.arity and (cmd.arity > 0 or argc < -cmd.arity):
            failed = "arity"
        else:
            failed = "refused"
    card: dict = {"kind": "card", "looked_up": value_text(bytes(step.received), CELL_WIDTH),
                  "found": cmd is not None, "failed": failed, "error": error, "argc": argc}
    if cmd is None:
        card.update(argv=_cells(argv or [step.received]))
        return card
    keys = cmd.key_positions(argc, list(argv)) if argv is not None and failed is None else []
    card.update(
        name=cmd.display_name, arity=cmd.arity, arity_text=_arity_text(cmd.arity),
        arity_ok=failed != "arity", flags=list(cmd.flags), keys=keys,
        group=cmd.group, since=cmd.since, syntax=cmd.syntax, summary=cmd.summary,
        subcommands=len(cmd.subcommands),
        argv=_cells(argv if argv is not None else [step.received], keys))
    return card


def _handler_picture(step: Step) -> dict:
    cmd = step.detail
    name = cmd.handler.__name__ if cmd.handler is not None else cmd.name
    argv = list(step.received)
    return {"kind": "handler", "function": f"{name}(client, argv)", "module": cmd.module,
            "syntax": cmd.syntax, "argv": _cells(argv, cmd.key_positions(len(argv), argv)),
            "returns": describe(step.handed_on, 60)}


def _entry(state: KeyState | None, mark: str | None) -> dict | None:
    # The value object a bucket's entry points to: what TYPE and OBJECT ENCODING would answer.
    if state is None:
        return None
    value = state.value
    if state.type == "string":
        encoding = string_encoding(bytes(value), mark)
    else:
        encoding = getattr(value, "encoding", state.type)
    size = len(value) if state.type == "string" else sum(len(m) for m in value)
    return {"type": state.type, "encoding": encoding, "value": value_text(value, CELL_WIDTH),
            "bytes": size, "count": None if state.type == "string" else len(value)}


def _table(key: bytes, size: int, used: int, names: list[bytes] | None,
           present: bool) -> dict:
    """One dict as the picture draws it: its size, the key's bucket, and the buckets around it
    (all of them, with their keys, when the database's keys are known and the table is small)."""
    if size == 0:
        return {"size": 0, "used": used, "bucket": None, "buckets": [], "whole": True}
    bucket = bucket_of(key, size)
    whole = names is not None and size <= MAX_DRAWN_TABLE
    if whole:
        indexes = list(range(size))
        by_bucket: dict[int, list[str]] = {i: [] for i in indexes}
        for name in names:
            by_bucket[bucket_of(name, size)].append(key_text(name))
    else:
        # The buckets around the key's, whose keys are not known: only their range goes to the
        # browser (``window``), which draws them as unknown cells (table_buckets spells them
        # out). A step's picture is sent at every push of a following view: this halves it.
        low, high = max(bucket - WINDOW, 0), min(bucket + WINDOW, size - 1)
        return {"size": size, "used": used, "bucket": bucket, "whole": False,
                "window": [low, high], "own": [key_text(key)] if present else [],
                "gap_before": low > 0, "gap_after": high < size - 1}
    buckets = [{"index": i, "keys": by_bucket[i], "this": i == bucket, "known": True}
               for i in indexes]
    return {"size": size, "used": used, "bucket": bucket, "buckets": buckets, "whole": whole,
            "gap_before": indexes[0] > 0, "gap_after": indexes[-1] < size - 1}


def table_buckets(table: dict) -> list[dict]:
    """A table's buckets, each as {index, keys, this, known}, whether it was sent whole or as a
    window around the key's bucket (flow.js spells a window out the same way)."""
    if "window" not in table:
        return table["buckets"]
    low, high = table["window"]
    return [{"index": i, "keys": table["own"] if i == table["bucket"] else [],
             "this": i == table["bucket"], "known": i == table["bucket"]}
            for i in range(low, high + 1)]


def _keyspace_side(step: Step, state: KeyState | None, keys: int, deadlines: int,
                   names: list[bytes] | None, size: int, expires_size: int, mark: str | None
                   ) -> dict:
    key = step.key
    present = state is not None
    if names is not None:
        names = [name for name in names if name != key] + ([key] if present else [])
    deadline = state.expires_at if state is not None else None
    # Which other keys have a deadline is not recorded (only how many): the expires dict is drawn
    # around this key's bucket alone.
    expires = _table(key, expires_size, deadlines, None, deadline is not None)
    expires["deadline"] = deadline
    expires["deadline_text"] = when_text(deadline)
    return {"table": _table(key, size, keys, names, present), "entry": _entry(state, mark),
            "expires": expires}


def _keyspace_picture(step: Step) -> dict:
    around = step.detail
    before, after = step.before, step.after
    # The step recorded the database just after it; the moment before differs by this key only.
    keys_after, deadlines_after = around.keys, around.deadlines
    keys_before = keys_after - (after is not None) + (before is not None)
    has = lambda state: state is not None and state.expires_at is not None  # noqa: E731
    deadlines_before = deadlines_after - has(after) + has(before)
    names_after = list(around.names) if around.names is not None else None
    names_before = None
    if names_after is not None:
        names_before = [name for name in names_after if name != step.key]
        if before is not None:
            names_before.append(step.key)
    # A table grows as keys arrive and does not shrink as they go (until Redis's cron does it).
    size_before = table_size(keys_before)
    size_after = max(table_size(keys_after), size_before)
    expires_before = table_size(deadlines_before)
    expires_after = max(table_size(deadlines_after), expires_before)
    mark = around.encoding
    sides = {
        "before": _keyspace_side(step, before, keys_before, deadlines_before, names_before,
                                 size_before, expires_before, around.encoding_before),
        "after": _keyspace_side(step, after, keys_after, deadlines_after, names_after,
                                size_after, expires_after, mark),
    }
    b, a = sides["before"], sides["after"]
    diff = []
    if (b["entry"] is None) != (a["entry"] is None):
        diff.append("entry")
    elif b["entry"] is not None:
        diff += [name for name in ("type", "encoding", "value", "bytes")
                 if b["entry"][name] != a["entry"][name]]
    if b["expires"]["deadline"] != a["expires"]["deadline"]:
        diff.append("deadline")
    if b["table"]["size"] != a["table"]["size"]:
        diff.append("size")
    if b["expires"]["size"] != a["expires"]["size"]:
        diff.append("expires size")
    return {"kind": "keyspace", "action": step.action, "db": step.db, "key": key_text(step.key),
            "hash": f"{_hash(step.key):016x}", "before": b, "after": a, "diff": diff,
            "counted": around.counted, "few": around.names is not None}


def _expiry_picture(step: Step) -> dict:
    deadline, now = step.detail
    if deadline is None and step.before is not None:
        old = step.before.expires_at  # PERSIST, SET over a key with a TTL: the deadline goes
    else:
        old = None
    shown = deadline if deadline is not None else old
    span = abs(shown - now) if shown is not None else 0
    # The line runs a little past both marks, so that neither sits on an end.
    pad = max(span // 4, 1)
    low = min(now, shown if shown is not None else now) - pad
    high = max(now, shown if shown is not None else now) + pad

    def place(ms: int | None) -> float | None:
        return None if ms is None else round((ms - low) * 100 / (high - low), 2)

    found = {"lazy": "access", "active": "active cycle"}.get(step.action)
    return {"kind": "expiry", "action": step.action, "now": now, "now_text": when_text(now),
            "deadline": shown, "deadline_text": when_text(shown), "removed": deadline is None,
            "left_ms": None if shown is None else shown - now,
            "now_at": place(now), "deadline_at": place(shown), "found": found,
            "key": key_text(step.key),
            "before": _entry(step.before, None), "after": _entry(step.after, None)}


def resp_groups(data: bytes, limit: int = MAX_GROUPS) -> tuple[list[dict], int]:
    """RESP bytes in the groups a reader of the protocol sees: a type byte, its header (a length,
    a status, a number), each ``\\r\\n``, a bulk string's payload. Returns the first ``limit``
    groups and how many bytes were left out."""
    groups: list[dict] = []
    at, n = 0, len(data)

    def add(kind: str, chunk: bytes) -> None:
        text = "\\r\\n" if kind == "crlf" else repr_bytes(chunk)[1:-1]
        groups.append({"kind": kind, "text": text, "bytes": len(chunk)})

    while at < n and len(groups) < limit:
        kind_byte = data[at:at + 1]
        add("type", kind_byte)
        end = data.find(b"\r\n", at + 1)
        if end < 0:
            add("data", data[at + 1:])
            at = n
            break
        header = data[at + 1:end]
        if header:
            add("length" if kind_byte in b"$*%~>=!" else "data", header)
        add("crlf", b"\r\n")
        at = end + 2
        if kind_byte in (b"$", b"=", b"!") and header.lstrip(b"-").isdigit() and int(header) >= 0:
            length = int(header)
            add("payload", data[at:at + length])
            at += length
            if data[at:at + 2] == b"\r\n":
                add("crlf", b"\r\n")
                at += 2
    return groups[:limit], n - at if at < n else 0


def _reply_picture(step: Step) -> dict:
    data: bytes = step.handed_on
    groups, left = resp_groups(data)
    cli = step.received.cli().split("\n")
    return {"kind": "reply", "groups": groups, "bytes": len(data), "left": left,
            "cli": cli[:MAX_CLI_LINES], "cli_more": max(len(cli) - MAX_CLI_LINES, 0),
            "error": step.received.is_error}


def layer_picture(step: Step, argv: Any = None) -> dict | None:
    """What the FlowView draws for ``step``; ``argv``: the command's arguments, which the
    command table's card marks (its own step holds only the name). None: a step with no
    picture of its own (a flush, a swap: the caption says it)."""
    layer = step.layer
    if layer == "input":
        return _input_picture(step)
    if layer == "parser":
        return _parser_picture(step)
    if layer == "command table":
        return _card_picture(step, argv)
    if layer == "handler":
        return _handler_picture(step)
    if layer == "keyspace" and step.key is not None:
        return _keyspace_picture(step)
    if layer == "expiry":
        return _expiry_picture(step)
    if layer == "reply":
        return _reply_picture(step)
    return None



# --- the same pictures as text, for front ends that cannot draw the view ----------------------
def _bracket(width: int, index: int) -> str:
    # A bracket under a span of ``width`` characters, its argument's number in the middle.
    if width <= 1:
        return "↑"
    if width == 2:
        return "└┘"
    return "└" + str(index).center(width - 2, "─") + "┘"


def _buckets_text(table: dict) -> str:
    if not table["size"]:
        return "empty (no keys)"
    cells = []
    for bucket in table_buckets(table):
        names = " ".join(bucket["keys"]) if bucket["known"] else "?"
        cells.append(f"[{bucket['index']}{'*' if bucket['this'] else ''}] {names or '·'}")
    gaps = ("… " if table.get("gap_before") else "", " …" if table.get("gap_after") else "")
    return (f"{table['size']} buckets, {plural(table['used'], 'key')}: " + gaps[0]
            + "  ".join(cells)
            + gaps[1])


def _entry_text(entry: dict | None) -> str:
    if entry is None:
        return "(no key)"
    noun = "elements" if entry["type"] == "list" else "members"
    size = f"{entry['bytes']} B" if entry["count"] is None else f"{entry['count']} {noun}"
    return f"{entry['type']} {entry['encoding']} {entry['value']} ({size})"


def picture_lines(picture: dict | None) -> list[str]:
    """A step's picture (``layer_picture``) drawn with characters: the argument brackets under
    the typed line, the card, the buckets, the deadline against now, the RESP groups."""
    if picture is None:
        return []
    kind = picture["kind"]
    if kind == "line":
        return [f"{picture['text']}   ({picture['bytes']} bytes)"]
    if kind in ("argv", "handler"):
        cells = picture["argv"] if kind == "handler" else picture
        row = "  ".join(f"argv[{c['index']}]{'(key)' if c['key'] else ''} = {c['value']}"
                        for c in cells["cells"])
        if kind == "argv":
            return [row]
        return [f"{picture['function']} in {picture['module']} → {picture['returns']}", row]
    if kind == "parser":
        typed = "".join(piece["text"] for piece in picture["pieces"])
        under = "".join(_bracket(len(piece["text"]), piece["arg"]) if piece["arg"] is not None
                        else ("^" if piece.get("error") else " " * len(piece["text"]))
                        for piece in picture["pieces"])
        lines = [typed, under.rstrip()]
        lines += [f"argv[{arg['index']}] = {arg['value']} ({arg['bytes']} B)"
                  for arg in picture["args"]]
        if picture["error_at"] is not None:
            lines.append(f"refused at byte {picture['error_at']}: a quote never closes")
        return lines
    if kind == "card":
        if not picture["found"]:
            return [f"┌ {picture['looked_up']}: not in the command table ✗",
                    f"└ {picture['error']}"]
        arity = picture["arity"]
        relation = ("=" if picture["arity_ok"] else "≠") if arity >= 0 else \
            ("≥" if picture["arity_ok"] else "<")
        keys = ", ".join(f"argv[{i}]" for i in picture["keys"]) or "none"
        lines = [f"┌ {picture['name']}  ({picture['group']}, since {picture['since']})",
                 f"│ arity {arity} ({picture['arity_text']}): argc {picture['argc']} {relation} "
                 f"{abs(arity)} {'✓' if picture['arity_ok'] else '✗'}",
                 f"│ flags {' '.join(picture['flags']) or '(none)'} · keys {keys}",
                 f"└ {picture['syntax']}"]
        if picture["failed"]:
            lines.append(f"  ✗ {picture['error']}")
        return lines
    if kind == "keyspace":
        after = picture["after"]["table"]
        where = (f" & {after['size'] - 1} → bucket {after['bucket']}" if after["size"] else "")
        lines = [f"siphash({picture['key']}) = 0x{picture['hash']}{where}"]
        for name in ("before", "after"):
            side = picture[name]
            deadline = side["expires"]["deadline"]
            lines += [f"{name + ':':<8}dict {_buckets_text(side['table'])}",
                      f"{'':<8}{picture['key']} ⇒ {_entry_text(side['entry'])}; deadline "
                      f"{'none' if deadline is None else f'{deadline} ms'}"]
        if picture["diff"]:
            lines.append(f"changed: {', '.join(picture['diff'])}")
        return lines
    if kind == "expiry":
        width = 40
        track = ["─"] * (width + 1)
        if picture["deadline_at"] is not None:
            track[round(picture["deadline_at"] * width / 100)] = "✗" if picture["removed"] else "|"
        track[round(picture["now_at"] * width / 100)] = "▲"
        left = picture["left_ms"]
        if picture["found"]:
            verdict = f"found at {picture['found']}: the deadline passed {-left} ms ago → deleted"
        elif picture["removed"]:
            verdict = "the deadline is removed: the key no longer expires"
        else:
            verdict = f"expires in {left} ms"
        return ["".join(track) + "   (| deadline, ▲ now)",
                f"now {picture['now']} ms, deadline {picture['deadline']} ms: {verdict}"]
    if kind == "reply":
        wire = "".join(f"[{group['text']}]" for group in picture["groups"])
        more = f" … {picture['left']} more bytes" if picture["left"] else ""
        return [f"wire ({picture['bytes']} bytes): {wire}{more}",
                "redis-cli: " + "\n           ".join(picture["cli"])]
    return []
