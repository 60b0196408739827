"""StructureView: how Redis would hold one key's value in memory, drawn, and how it changes.

    StructureView(db, "counter")     # one key, followed as commands change it
    StructureView(db)                # the last key a command touched (the Dashboard's tab)

A string is drawn as Redis keeps it (structures/sds.py): an ``int`` (the number in the robj's
pointer, no bytes; 0..9999 shared), an ``embstr`` (robj, sdshdr8, bytes and NUL in one block)
or a ``raw`` robj pointing to an SDS whose header type its length chose. A set
(structures/set.py) as an ``intset`` (its real bytes: encoding, length, the members
little-endian at their width) or a ``hashtable`` (robj, dict, a table of buckets with chains).
Each box carries its size in bytes, and the allocation jemalloc would give it.

The drawing data is made by the structure modules themselves (each has a ``layout()``: plain
data of a few shapes, blocks of byte cells, pointers between blocks, tables of buckets), and the
browser draws those shapes whatever the type (static/structure.js): a new type brings its own
``layout()`` (or a value with a ``layout`` method), and the view needs nothing new.

**Stepping.** The view keeps the key's recent states, one after each command that changed it
(``history``, the last 50), and the browser steps back and forward through them (buttons, or the
arrow keys, Home and End): an intset widened from 2 to 4 bytes a member, or turned into a
hashtable by its 513th member or its first non-integer, is seen happening, the cells that
changed marked. Hearing a command costs next to nothing: the engine's watch already hands over a
copy of the key's value after the command (watch.py's KeyChange), which the view keeps; the
picture of a state is drawn only when it is shown, once.

**Large values.** A set of a million members is not drawn whole: the first 64 members (or
bytes) are, and the rest is counted ("… and 999,936 more"); a huge hash table's buckets are
those of its first members (set.py says why). Building a picture stays in milliseconds.

Text from the store (keys, members) goes to the browser as redis-cli quotes it and is put in the
page with ``textContent`` only; the text and HTML pictures (``picture_text``, ``picture_html``)
escape it too.
"""

from __future__ import annotations

import json
from collections import deque
from html import escape
from typing import TYPE_CHECKING, Any

import traitlets

from ..engine.keyspace import type_name
from ..engine.parser import ParseError, split_args
from ..structures import sds
from ..structures import set as set_structure
from ..structures.quicklist import Quicklist
from ..structures.set import SetValue
from ..util.plural import plural
from ._format import command_text, key_text
from ._live import LiveView, static_file

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis
    from ..engine.keyspace import Database
    from ..engine.watch import CommandEvent

__all__ = ["StructureView", "layout_of"]

#: States kept, at most (the oldest go first).
HISTORY = 50
#: Members or bytes drawn, at most.
CELLS = 64


def layout_of(value: Any, mark: str | None = None, limit: int = 512,
              cap: int = CELLS) -> dict:
    """The drawing data of a stored value (None: no such key), made by its structure's module."""
    if value is None:
        return {"type": "none", "encoding": "", "summary": "no such key", "blocks": []}
    if type(value) is bytes or type(value) is bytearray:
        return sds.layout(value, mark, cap)
    if type(value) is SetValue:
        return set_structure.layout(value, cap, key_text, limit)
    draw = getattr(value, "layout", None)  # a structure that draws itself (lists, hashes...)
    if callable(draw):
        return draw(cap=cap, text=key_text)
    name = type_name(value)
    return {"type": name, "encoding": "", "summary": f"a {name}: not drawn yet", "blocks": []}


def _facts(value: Any, mark: str | None) -> tuple:
    """What the history's labels say of a state, cheaply (no picture drawn): its encoding and
    the one number that changes with it (a set's width or buckets, a string's header)."""
    if value is None:
        return ("none", None)
    if type(value) is SetValue:
        if value.intset:
            return ("intset", value.width)
        return ("hashtable", set_structure.table_size(len(value)))
    if type(value) is bytes or type(value) is bytearray:
        encoding = sds.string_encoding(value, mark)
        if encoding == "int":
            return ("int", None)
        return (encoding, sds.sds_type(len(value), mark == "raw") if encoding == "raw" else 8)
    if type(value) is Quicklist:
        return ("quicklist", len(value.nodes))
    return (type_name(value), None)


def _describe(facts: tuple) -> str:
    encoding, number = facts
    if encoding == "intset":
        return f"intset, {number} bytes a member"
    if encoding == "hashtable":
        return f"hashtable, {number} buckets"
    if encoding == "raw":
        return f"raw, sdshdr{number}"
    if encoding == "quicklist":
        return f"quicklist, {plural(number, 'node')}"
    return "no such key" if encoding == "none" else encoding


def _transition(before: tuple | None, after: tuple) -> str:
    """What a command did to the structure, in a few words ("" when nothing a box shows)."""
    if before is None:
        return ""
    if before[0] == "none" and after[0] != "none":
        return f"created: {_describe(after)}"
    if after[0] == "none":
        return "deleted" if before[0] != "none" else ""
    if before[0] != after[0]:
        return f"converted: {before[0]} → {after[0]}"
    if before[1] != after[1]:
        if after[0] == "intset":
            return f"upgrade: {before[1]} → {after[1]} bytes a member"
        if after[0] == "hashtable":
            return f"table resized: {before[1]} → {after[1]} buckets"
        if after[0] == "raw":
            return f"header: sdshdr{before[1]} → sdshdr{after[1]}"
        if after[0] == "quicklist":
            return f"nodes: {before[1]} → {after[1]}"
    return ""


class _State:
    """One state of the key: its value after a command (a copy: it must not change with the
    key), its picture drawn on first read."""

    __slots__ = ("n", "argv", "label", "value", "mark", "facts", "_layout")

    def __init__(self, n: int, argv: Any, value: Any, mark: str | None, label: str = "") -> None:
        self.n, self.argv, self.value, self.mark = n, argv, value, mark
        self.label = label
        self.facts = _facts(value, mark)
        self._layout: dict | None = None

    @property
    def command(self) -> str:
        if not self.label:
            self.label = command_text(self.argv) if self.argv else "(when the view opened)"
        return self.label

    def layout(self, limit: int) -> dict:
        if self._layout is None:
            self._layout = layout_of(self.value, self.mark, limit)
            self.value = None if type(self.value) is SetValue else self.value  # drawn: let go
        return self._layout


def _signature(layout: dict) -> dict[str, Any]:
    """What each marked thing of a picture holds: a field's bytes and meaning, a member's
    bucket; the ids are stable between states, so a change is found by comparing."""
    found: dict[str, Any] = {}
    for block in layout.get("blocks", ()):
        found[block["id"]] = True  # a block that was not there before is new
        for field in block.get("fields", ()):
            found[field["id"]] = (tuple(field["hex"]), field["value"])
        for bucket in block.get("buckets", ()):
            for entry in bucket["chain"]:
                found[entry["id"]] = bucket["index"]
    return found


def _changed(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return []
    old = _signature(before)
    return [name for name, held in _signature(after).items() if old.get(name, ...) != held]


class StructureView(LiveView):
    """One key's value as Redis lays it out in memory, with its recent states to step through."""

    _esm = static_file("common.js") + static_file("structure.js")

    key = traitlets.Unicode("").tag(sync=True)        # the key shown, as redis-cli quotes it
    following = traitlets.Bool(False).tag(sync=True)  # it moves to each key a command touches
    db = traitlets.Int(0).tag(sync=True)
    step = traitlets.Int(-1).tag(sync=True)           # the state shown; the browser sets it
    # The states' labels (n, command, encoding, change) and the shown state (its picture, what
    # changed), as one JSON text: one trait to compare and send at a push, no nested structure
    # for ipywidgets to walk (the ``history`` and ``shown`` properties read it back).
    drawing = traitlets.Unicode("{}").tag(sync=True)
    picked = traitlets.Unicode("").tag(sync=True)     # a key clicked in the Dashboard's store

    def __init__(self, engine: Kedis, key: str | bytes | None = None, db: int | None = None,
                 history: int = HISTORY, **kwargs: Any) -> None:
        self._database: Database = engine.keyspace if db is None else engine.databases[db]
        self._db_given = db  # a key picked by name is looked up there (else: the selected one)
        self._key: bytes | None = None
        self._follow = key is None
        self._states: deque[_State] = deque(maxlen=max(history, 2))
        self._seq = 0
        self._latest = True  # the browser shows the newest state (and moves on with new ones)
        self._paused = False  # hidden (a Dashboard's tab not in front): no pushes until shown
        self._drawn: dict = {"history": [], "shown": {}}  # what ``drawing`` says, as data
        self._text: tuple[dict, str] | None = None  # (drawn, its text picture), kept
        super().__init__(engine, **kwargs)
        self.on_msg(self._message)
        if key is not None:
            self._switch(key.encode("utf-8", "surrogateescape") if isinstance(key, str) else key,
                         self._database)
        self.refresh()

    def __repr__(self) -> str:
        what = key_text(self._key) if self._key is not None else "no key yet"
        return f"<StructureView of {what}: {len(self._states)} states>"

    # --- which key ---------------------------------------------------------------------------
    def _switch(self, key: bytes, database: Database, argv: Any = None) -> None:
        """Show ``key`` from now on, its history starting with its state now (or going on, when
        it is the key already shown)."""
        if key == self._key and database is self._database and self._states:
            return
        self._key, self._database = key, database
        self._states.clear()
        self._snapshot(argv)
        self._latest = True

    def show_key(self, key: str | bytes) -> None:
        """Show ``key`` and stay on it: a key of the view's database, if it was given one, else
        of the database the engine's client has selected."""
        with self._lock:
            name = key.encode("utf-8", "surrogateescape") if isinstance(key, str) else key
            self._follow = False
            engine = self.engine
            self._switch(name, engine.keyspace if self._db_given is None
                         else engine.databases[self._db_given])
            self._dirty = True
        self.flush()

    def follow(self) -> None:
        """Move to each key a command touches, from the next command on."""
        with self._lock:
            self._follow = True
            self._dirty = True
        self.flush()

    @traitlets.observe("picked")
    def _picked(self, change: dict) -> None:
        if self._applying or not change["new"]:
            return
        try:  # the key as the store shows it, redis-cli's quoting: read back by the parser
            words = split_args(change["new"])
        except ParseError:
            return
        with self.applying():
            self.picked = ""  # (so that a second click on the same key is heard too)
        if len(words) == 1:
            self.show_key(words[0])

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("follow"):
            self.follow()

    # --- the states --------------------------------------------------------------------------
    def _snapshot(self, argv: Any, value: Any = ..., label: str = "") -> None:
        """A new state: ``value`` a copy of the key's value after ``argv`` (the engine's watch
        made it), or, by default, the value now, drawn at once and not kept (no copy of a
        million members to make)."""
        database, key = self._database, self._key
        live = value is ...
        if live:
            value = database.data.get(key)
        self._seq += 1
        mark = database.encodings.get(key) if database.encodings else None
        state = _State(self._seq, argv, value, mark, label)
        if live and value is not None and type(value) is not bytes:
            state.layout(self._limit())
            state.value = None  # (drawn: the live value must not stay in the history)
        self._states.append(state)

    # --- events: noted, cheaply -------------------------------------------------------------
    def _command(self, event: CommandEvent) -> None:
        if self._follow and event.keys:  # (a FLUSHDB names none: it is checked as below)
            if self._db_given is not None and event.db != self._db_given:
                return  # a view of one database follows the keys of that one
            change = event.keys[-1]
            database = self.engine.databases[event.db]
            if change.key != self._key or database is not self._database:
                self._key, self._database = change.key, database
                self._states.clear()
                self._latest = True
            elif not change.changed:
                return
            self._snapshot(event.argv, None if change.after is None else change.after.value)
            return
        if self._key is None:
            return
        here = event.db == self._database.id
        for change in event.keys:
            if change.key == self._key and here:
                if change.changed:
                    self._snapshot(event.argv,
                                   None if change.after is None else change.after.value)
                return
        if event.whole_keyspace or any(change.key == self._key for change in event.keys):
            # FLUSHDB, FLUSHALL, SWAPDB (no key named), or a command of another database that
            # names this key and may write here (MOVE, COPY ... DB n): compare with the last
            # state.
            value = self._database.data.get(self._key)
            last = self._states[-1] if self._states else None
            if last is not None and (last.facts[0] == "none" if value is None
                                     else value == last.value):
                return  # as it was (a state's set, once drawn, is let go: then it counts)
            self._snapshot(event.argv)

    def _expired(self, db: Database, key: bytes, how: str) -> None:
        # A lazy expiry is the command's own change (its event follows); an active one has no
        # command, so it is a state of its own.
        if how == "active" and key == self._key and db is self._database:
            self._snapshot(None, None, label="expired (active expiry cycle)")

    # --- what the browser shows -------------------------------------------------------------
    def _limit(self) -> int:
        return int(self.engine.config["set-max-intset-entries"])

    def _state(self) -> dict:
        states = list(self._states)
        if not states:
            return self._drawing({"key": "", "following": self._follow,
                                  "db": self._database.id, "step": -1}, [], {})
        step = len(states) - 1 if self._latest else min(max(self.step, 0), len(states) - 1)
        labels = []
        for index, state in enumerate(states):
            before = states[index - 1].facts if index else None
            labels.append({"n": state.n, "command": state.command,
                           "encoding": _describe(state.facts),
                           "transition": _transition(before, state.facts)})
        return self._drawing({"key": key_text(self._key), "following": self._follow,
                              "db": self._database.id, "step": step},
                             labels, self._shown(states, step, labels[step]))

    def _drawing(self, state: dict, history: list, shown: dict) -> dict:
        drawn = {"history": history, "shown": shown}
        state["drawing"] = json.dumps(drawn, ensure_ascii=False, separators=(",", ":"))
        self._drawn = {**drawn, "key": state["key"], "db": state["db"], "step": state["step"]}
        return state

    @property
    def history(self) -> list[dict]:
        """The states kept, as the browser lists them: n, command, encoding, transition."""
        return self._drawn["history"]

    @property
    def shown(self) -> dict:
        """The state shown: its picture (``layout``), the command, the ids it changed."""
        return self._drawn["shown"]

    def _shown(self, states: list[_State], step: int, label: dict) -> dict:
        limit = self._limit()
        layout = states[step].layout(limit)
        before = states[step - 1].layout(limit) if step else None
        return {"n": states[step].n, "command": label["command"],
                "transition": label["transition"], "layout": layout,
                "changed": _changed(before, layout)}

    def flush(self) -> None:
        if not self._paused:
            super().flush()

    def pause(self, paused: bool) -> None:
        """Stop pushing while nobody can see the view (its states are still kept), or go on:
        the Dashboard pauses its structure tab while another tab is in front."""
        self._paused = paused
        if not paused:
            self.flush()

    # --- stepping, from Python or from the browser -------------------------------------------
    @traitlets.observe("step")
    def _stepped(self, change: dict) -> None:
        if self._applying:
            return
        with self._lock:
            self._latest = change["new"] >= len(self._states) - 1
            self._dirty = True
        self.flush()

    def go(self, step: int) -> None:
        """Show the ``step``-th state kept (0 the oldest, -1 the newest)."""
        count = len(self._states)
        if count:
            self.step = min(max(step + count if step < 0 else step, 0), count - 1)

    def back(self) -> None:
        self.go(max(self.step - 1, 0))

    def forward(self) -> None:
        self.go(self.step + 1)

    # --- pictures without a browser ----------------------------------------------------------
    def picture_text(self) -> str:
        """The shown state as text: each block's fields, bytes in hex, a table's chains."""
        with self._lock:
            if not self._paused:
                self.flush()
            elif self._dirty:  # hidden: drawn for the picture, pushed when shown (still dirty)
                self._state()
            drawn = self._drawn
            if self._text is None or self._text[0] is not drawn:
                self._text = (drawn, self._draw_text(drawn))
            return self._text[1]

    def _draw_text(self, drawn: dict) -> str:
        shown = drawn["shown"]
        if not shown:
            return "StructureView: no key yet (run a command that names one)"
        layout = shown["layout"]
        place = f" (db {drawn['db']})" if drawn["db"] else ""
        lines = [f"{drawn['key']}{place}: {layout['summary']}",
                 f"state {drawn['step'] + 1} of {len(drawn['history'])}, after "
                 f"{shown['command']}"
                 + (f": {shown['transition']}" if shown["transition"] else "")]
        for block in layout["blocks"]:
            size = f"{block['bytes']:,} bytes" + (
                f", in a {block['alloc']:,}-byte allocation" if block.get("alloc") else "")
            lines.append(f"{block['title']} ({size})")
            for field in block.get("fields", ()):
                cells = " ".join(field["hex"]) or "·" * 2 * field["width"]
                meaning = f" = {field['value']}" if field["value"] else ""
                lines.append(f"  {field['name']:<18} {cells}{meaning}")
            for bucket in block.get("buckets", ()):
                chain = " → ".join(entry["text"] for entry in bucket["chain"]) or "NULL"
                more = f" → … {bucket['more']} more" if bucket["more"] else ""
                lines.append(f"  [{bucket['index']}] {chain}{more}")
            if block.get("more_buckets"):
                lines.append(f"  … and {block['more_buckets']:,} more buckets")
        lines.extend(f"note: {note}" for note in layout.get("notes", ()))
        return "\n".join(lines)

    def picture_html(self) -> str:
        """The text picture as HTML (every byte of the store escaped)."""
        # (kedis-picture: kedis.css hides it while the live view is drawn above it)
        return ('<pre class="kedis-picture kedis-picture-structure" style="text-align: left">'
                + escape(self.picture_text()) + "</pre>")
