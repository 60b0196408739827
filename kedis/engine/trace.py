"""The trace: a command's flow through the layers, recorded as data.

Run a command with ``trace=True`` and its reply carries ``.trace``, a list of ``Step`` objects, one
for each thing a layer did:

    input -> parser -> command table -> handler -> keyspace / expiry (as many as it touched) -> reply

Each step is self-contained, like a frame of Python Tutor: the layer, what it received, what it
handed on, and for keyspace and expiry steps the entry it touched *before* and *after* (a
``KeyState``: type, value, deadline). ``step.did`` says in one sentence what the layer did. A viewer
can draw any step from that step alone, so stepping back and forth needs no re-computation.
Everything visual in Kedis is drawn from this data.

A keyspace step that names a key also records the database around it at that moment (its
``detail`` is a ``Surroundings``: how many keys and deadlines the database held, the keys
themselves while there are few, the key's encoding mark), the facts a picture of the hash table
needs that the entry alone cannot give (kedis/widgets/_layers.py draws them).

Tracing is opt-in and the untraced path pays almost nothing for it: the keyspace only checks
whether a tracer is attached (see keyspace.py). Recording stays cheap too: the tracer stores plain
tuples of facts, named as Steps only when the trace is read, and a step's sentence is written only
when someone reads ``did``. Whatever can be worked out later (a bucket number, a command's key
positions, an argument's span in the line) is worked out by whoever draws the step, not here.
``format_trace`` renders a trace as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..util.plural import plural
from .keyspace import TYPE_NAMES, duplicate, type_name
from .parser import repr_bytes

if TYPE_CHECKING:
    from .keyspace import Database

__all__ = ["LAYERS", "KeyState", "Step", "Surroundings", "Tracer", "as_steps", "format_trace",
           "preview", "FEW_KEYS"]

#: The layers in the order a command meets them.
LAYERS = ("input", "parser", "command table", "handler", "keyspace", "expiry", "reply")

#: Up to this many keys, a keyspace step records the database's keys too (a picture can then
#: place every key in its bucket); beyond, only their number: copying a big keyspace for every
#: step would cost what the command costs many times over.
FEW_KEYS = 16


class KeyState(NamedTuple):
    """One keyspace entry at one moment."""

    type: str                 # "string", "set"
    value: Any                # a copy of the value (bytes for strings, a SetValue for sets)
    expires_at: int | None    # deadline in ms since the epoch, or None for no TTL

    def describe(self, width: int = 40) -> str:
        ttl = "" if self.expires_at is None else f" (expires at {self.expires_at} ms)"
        return f"{self.type} {preview(self.value, width)}{ttl}"


def preview(value: Any, width: int = 40) -> str:
    """A value shown as redis-cli quotes it, cut to about ``width`` bytes.

    A set is shown as its members in braces, each quoted: ``{"a", "b"}``, in the order SMEMBERS
    gives them; a list as its elements in brackets, head first: ``["a", "b"]``; a long one
    stops at about ``width`` characters with ``...}`` (or ``...]``).
    """
    if isinstance(value, (bytes, bytearray)):
        text = repr_bytes(bytes(value[:width]))
        return text[:-1] + '..."' if len(value) > width else text
    kind = TYPE_NAMES.get(type(value))
    if kind == "set":
        return _members_preview(value, width, "{}")
    if kind == "list":
        return _members_preview(value, width, "[]")
    return repr(value)


def _members_preview(members: Any, width: int, brackets: str) -> str:
    # Only the members that fit are quoted: a set of a million members costs a few of them.
    opening, closing = brackets
    pieces: list[str] = []
    used = 0
    for member in members:
        piece = preview(member, width)
        if pieces and used + len(piece) + 2 > width:
            return opening + ", ".join(pieces) + ", ..." + closing
        pieces.append(piece)
        used += len(piece) + 2
    return opening + ", ".join(pieces) + closing


class Surroundings(NamedTuple):
    """The database around the key a keyspace step touched, just after the step."""

    counted: bool | None        # a read: whether it counted as a keyspace hit or miss
    keys: int                   # how many keys the database held
    deadlines: int              # how many of them had a deadline (the expires dict's size)
    names: tuple | None         # the keys, in the order the database holds them, if few
    encoding: str | None        # the key's encoding mark (keyspace.py ``encodings``), if any,
    encoding_before: str | None  # and the one it had before the step


class Step(NamedTuple):
    """One thing one layer did for one command (a tuple: cheap to record, immutable once made)."""

    layer: str                      # one of LAYERS
    action: str                     # a short verb: "split", "lookup", "read", "write", "lazy"...
    received: Any                   # what this layer got
    handed_on: Any = None           # what it passed on to the next layer
    db: int | None = None           # keyspace and expiry steps: the database number,
    key: bytes | None = None        # the key touched,
    before: KeyState | None = None  # and the entry before and after (None: no such key)
    after: KeyState | None = None
    detail: Any = None              # facts the sentence needs (a deadline, the time, a count...)

    @property
    def did(self) -> str:
        """What this layer did, as one sentence."""
        return _SENTENCES[self.layer, self.action](self)

    @property
    def changed(self) -> bool:
        """Whether this step changed the keyspace."""
        if self.action == "flush":
            return bool(self.detail)  # a flush touches every key at once: it changed them if any
        if self.action == "swap":
            return any(self.detail[1:])  # two databases exchanged their keys, if they had any
        return self.before != self.after

    def as_dict(self) -> dict:
        """The step as plain data, with its sentence, for widgets and tests."""
        data = self._asdict()
        data["did"] = self.did
        return data

    def __repr__(self) -> str:
        return f"<Step {self.layer}: {self.did}>"


def as_steps(raw: list) -> list[Step]:
    """Name the recorded tuples: the tracer records plain tuples (cheap), readers get Steps.

    Two facts are filled in here rather than while the command runs: what the handler handed on
    (its step is recorded before it runs) is the reply the last step received, and the reply
    step hands on that reply's RESP bytes (a reply never changes, so they are the same later).
    """
    reply = raw[-1][2] if raw and raw[-1][0] == "reply" else None
    steps = []
    marks: dict[bytes, str | None] = {}  # each key's encoding mark after its latest step
    for layer, action, received, handed_on, db, key, before, after, detail in raw:
        if layer == "handler":
            handed_on = reply
        elif layer == "reply":
            handed_on = received.resp()
        elif layer == "keyspace" and key is not None:
            detail = _surroundings(detail, key, after, marks)
        steps.append(Step(layer, action, received, handed_on, db, key,
                          None if before is None else KeyState(*before),
                          None if after is None else KeyState(*after), detail))
    return steps


def _surroundings(raw: tuple, key: bytes, after: tuple | None,
                  marks: dict[bytes, str | None]) -> Surroundings:
    # The encoding mark a command sets right after it stored the value (APPEND: "raw") came too
    # late for the step: it is read now, if the key still holds that very value. The mark
    # before the step is the one the key's previous step of this command left.
    counted, keys, deadlines, names, recorded, db = raw
    mark = recorded
    if after is not None and type(after[1]) is bytes and db.data.get(key) is after[1]:
        mark = db.encodings.get(key) if db.encodings else None
    before = marks.get(key, recorded)
    marks[key] = mark
    return Surroundings(counted, keys, deadlines, names, mark, before)


# --- the sentences, one per (layer, action) ---------------------------------------------------
def _lookup_sentence(step: Step) -> str:
    cmd = step.handed_on
    argc = step.detail
    keys = ", ".join(f"argv[{i}]" for i in cmd.key_positions(argc)) or "none"
    flags = " ".join(cmd.flags) or "(none)"
    return (f"found '{cmd.name}': {cmd.describe_arity()} (got {argc}), flags {flags}, "
            f"keys at {keys}")


def _reject_sentence(step: Step) -> str:
    cmd, argc = step.detail
    if cmd is None:
        return f"found no command named {preview(step.received)}: answer with an error"
    if step.handed_on.text.startswith("ERR unknown subcommand"):
        return f"found '{cmd.name}', but not that subcommand: answer with an error"
    return (f"found '{cmd.name}', which takes {cmd.describe_arity()}, but got {argc}: "
            "answer with an error; the handler never runs")


def _read_sentence(step: Step) -> str:
    counted = step.detail.counted
    key = preview(step.key)
    if step.after is None:
        return f"looked up {key}: no such key" + (" (a keyspace miss)" if counted else "")
    return f"looked up {key}: found a {step.after.type}" + (" (a keyspace hit)" if counted else "")


def _write_sentence(step: Step) -> str:
    verb = "created" if step.before is None else "overwrote"
    value = step.after.value if step.after else None
    return f"{verb} {preview(step.key)} = {preview(value)}"


def _modify_sentence(step: Step) -> str:
    # A change in place says what it changed: for a set, the members that came and went.
    before, after = step.before, step.after
    key = preview(step.key)
    if before is not None and after is not None and before.type == after.type == "list":
        return (f"changed the list {key} in place: {plural(len(before.value), 'element')} "
                f"before, {len(after.value)} after")
    if before is None or after is None or before.type != "set" or after.type != "set":
        return f"changed {key} in place"
    parts = []
    added = [m for m in after.value if m not in before.value]
    removed = [m for m in before.value if m not in after.value]
    for verb, members in (("added", added), ("removed", removed)):
        if members:
            shown = ", ".join(preview(m) for m in members[:3])
            more = f" and {len(members) - 3} more" if len(members) > 3 else ""
            parts.append(f"{verb} {shown}{more}")
    return f"changed the set {key} in place: " + ("; ".join(parts) or "no member changed")


def _delete_sentence(step: Step) -> str:
    before = step.before
    if before is not None and before.type != "string" and not before.value:
        # Redis never keeps an empty container: SREM of the last member deletes the key.
        return f"deleted {preview(step.key)}: an empty {before.type} is no value, so no key"
    return f"deleted {preview(step.key)}"


def _expired_sentence(step: Step) -> str:
    deadline, now = step.detail
    how = "by the active expiry cycle" if step.action == "active" else "on access (lazy expiry)"
    return (f"{preview(step.key)} had expired (deadline {deadline} ms, now {now} ms): "
            f"deleted {how}")


def _reply_summary(reply: Any) -> str:
    text = reply.cli()
    if "\n" not in text:
        return text
    count = len(getattr(reply, "items", ()))
    return f"an array of {count} elements" if count else "a text of several lines"


_SENTENCES = {
    ("input", "line"): lambda s: f"received one line of text ({len(s.handed_on)} bytes)",
    ("input", "argv"): lambda s: f"received {plural(len(s.handed_on), 'argument')} from the caller",
    ("parser", "split"): lambda s: f"split it into {plural(len(s.handed_on), 'argument')}"
    + (" with redis-cli's quoting rules" if s.detail else " at the spaces"),
    ("parser", "reject"): lambda s: "found an unbalanced quote: Invalid argument(s), nothing runs",
    ("command table", "lookup"): _lookup_sentence,
    ("command table", "reject"): _reject_sentence,
    ("handler", "call"): lambda s: f"ran {s.detail.handler.__name__}() in {s.detail.module}",
    ("keyspace", "read"): _read_sentence,
    ("keyspace", "write"): _write_sentence,
    ("keyspace", "modify"): _modify_sentence,
    ("keyspace", "delete"): _delete_sentence,
    ("keyspace", "flush"): lambda s: f"removed {plural(s.detail, 'key')}: all of database {s.db}",
    ("keyspace", "swap"): lambda s: f"exchanged the keys of databases {s.db} and {s.detail[0]} "
                                    f"(now {plural(s.detail[1], 'key')} and "
                                    f"{plural(s.detail[2], 'key')})",
    ("expiry", "set"): lambda s: f"set {preview(s.key)} to expire at {s.detail[0]} ms "
                                 f"(in {s.detail[0] - s.detail[1]} ms)",
    ("expiry", "remove"): lambda s: f"removed the deadline of {preview(s.key)}: "
                                    "it no longer expires",
    ("expiry", "lazy"): _expired_sentence,
    ("expiry", "active"): _expired_sentence,
    ("reply", "encode"): lambda s: f"answered {_reply_summary(s.received)}: "
                                   f"{len(s.handed_on)} bytes of RESP2",
}


class Tracer:
    """Collects the steps of one command. The keyspace calls the methods below while it works.

    It records plain tuples in ``Step``'s field order (and ``KeyState``'s, for entries): building
    named tuples costs several times more, so they are made only when someone reads the trace
    (``as_steps``). Recording a command's steps then costs a few times the command itself.
    """

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: list[tuple] = []

    def add(self, layer: str, action: str, received: Any, handed_on: Any = None,
            db: int | None = None, key: bytes | None = None, before: tuple | None = None,
            after: tuple | None = None, detail: Any = None) -> None:
        self.steps.append((layer, action, received, handed_on, db, key, before, after, detail))

    @staticmethod
    def state(db: Database, key: bytes) -> tuple | None:
        """The entry at ``key`` now, as (type, value, deadline), or None."""
        value = db.data.get(key)
        if value is None:
            return None
        if type(value) is bytes:  # the common case, spelled out: strings are immutable, no copy
            return ("string", value, db.expires.get(key))
        return (type_name(value), duplicate(value), db.expires.get(key))

    @staticmethod
    def around(db: Database, key: bytes, counted: bool | None = None) -> tuple:
        """The database around ``key`` now, as a Surroundings' fields: two sizes, the keys if
        few (a tuple of at most FEW_KEYS references), the key's encoding mark (a string in its
        bitmap form is raw); and the database, to read a mark set later (``as_steps``)."""
        data = db.data
        mark = db.encodings.get(key) if db.encodings else None
        if type(data.get(key)) is bytearray:
            mark = "raw"
        return (counted, len(data), len(db.expires),
                tuple(data) if len(data) <= FEW_KEYS else None, mark, db)

    def read(self, db: Database, key: bytes, value: Any, counted: bool = True) -> None:
        state = self.state(db, key)
        self.steps.append(("keyspace", "read", key, value, db.id, key, state, state,
                           self.around(db, key, counted)))

    def write(self, db: Database, key: bytes, before: tuple | None) -> None:
        after = self.state(db, key)
        self.steps.append(("keyspace", "write", key, after[1] if after else None, db.id, key,
                           before, after, self.around(db, key)))

    def modified(self, db: Database, key: bytes, before: tuple | None) -> None:
        after = self.state(db, key)
        self.steps.append(("keyspace", "modify", key, after[1] if after else None, db.id, key,
                           before, after, self.around(db, key)))

    def delete(self, db: Database, key: bytes, before: tuple | None) -> None:
        self.steps.append(("keyspace", "delete", key, None, db.id, key, before, None,
                           self.around(db, key)))

    def expiry(self, db: Database, key: bytes, op: str, before: tuple | None,
               deadline: int | None) -> None:
        self.steps.append(("expiry", op, key, deadline, db.id, key, before, self.state(db, key),
                           (deadline, db.clock.ms())))

    def expired(self, db: Database, key: bytes, before: tuple | None, deadline: int | None,
                active: bool) -> None:
        self.steps.append(("expiry", "active" if active else "lazy", key, None, db.id, key,
                           before, None, (deadline, db.clock.ms())))

    def flush(self, db: Database, count: int) -> None:
        self.steps.append(("keyspace", "flush", db.id, count, db.id, None, None, None, count))

    def swap(self, db: Database, other: Database) -> None:
        self.steps.append(("keyspace", "swap", (db.id, other.id), None, db.id, None, None, None,
                           (other.id, len(db.data), len(other.data))))


def format_trace(steps: list[Step]) -> str:
    """A trace as numbered lines of text: ``  3 command table  found 'set': ...``."""
    width = max((len(step.layer) for step in steps), default=0)
    lines = []
    for number, step in enumerate(steps, 1):
        lines.append(f"{number:>3} {step.layer:<{width}}  {step.did}")
        # (A flush or a swap names no key: its sentence says it all.)
        if step.layer in ("keyspace", "expiry") and step.changed and step.key is not None:
            before = step.before.describe() if step.before else "(no key)"
            after = step.after.describe() if step.after else "(no key)"
            lines.append(f"{'':>3} {'':<{width}}    before: {before}")
            lines.append(f"{'':>3} {'':<{width}}    after:  {after}")
    return "\n".join(lines)
