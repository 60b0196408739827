"""FlowView: one command's journey through the layers, step by step, as Python Tutor shows code.

A traced command (trace.py) is a list of steps, each recorded by the layer that did it:

    input -> parser -> command table -> handler -> keyspace / expiry (as often as it touched
    keys) -> reply

The view draws the path the shown command took as a row of boxes, one per layer it went through,
in the order it went (a GET of a key whose deadline passed goes through expiry, then the
keyspace; a PING never meets either), lights the box of the current step and marks the ones it
has passed. Under the row, the current step is *drawn*, each layer in its own picture
(_layers.py): the parser's argument spans over the typed line, the command table's card, the
keyspace's hash table with the key's bucket lit, the deadline against the clock, the reply's
RESP bytes. The step's sentence (``step.did``) is the caption, and what the layer received and
handed on sit under it. The stage keeps one size whatever it draws, so nothing jumps while
stepping. Back, forward and play move through the steps, and so do the keys while the view has
focus (← →, Home, End). As in Python Tutor, each step is drawn from its own recorded data, so
moving back and forth re-runs nothing: the browser holds the steps of the command it shows and
draws any of them alone. Where no widget can be drawn, ``format_trace`` is the text form.

The view keeps the last ``history`` commands; the picker shows any of them again. It watches its
engine with ``trace=True``, so every command of the engine is traced while it is open (a few
times the cost of the command: that is the price of seeing it), and shows each new command as
it comes, until one picks an older one (picking the latest follows again). ``show()`` takes a
trace from elsewhere: a reply run with ``trace=True``, or a list of steps. A FlowView made
without an engine shows only what it is given, and stays on it (``%flow COMMAND`` and the
kernel's ``%trace on`` draw a command that way). ``following`` says which the view does, and the
view says it too.
"""

from __future__ import annotations

import json
from collections import deque
from typing import TYPE_CHECKING, Any

import traitlets

from ..engine.reply import Reply
from ..engine.trace import LAYERS, Step
from ..util.plural import plural
from ._format import command_text, describe, step_dict, when_text
from ._layers import first_argv, layer_picture
from ._live import LiveView, static_file

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis
    from ..engine.watch import CommandEvent

__all__ = ["FlowView"]


def path(steps: list[Step]) -> list[str]:
    """The layers a command went through, in the order it went: one box for each run of steps of
    the same layer (a GET of an expired key: ..., handler, expiry, keyspace, reply)."""
    layers: list[str] = []
    for step in steps:
        if not layers or layers[-1] != step.layer:
            layers.append(step.layer)
    return layers


def shown_step(step: Step, number: int, argv: Any = None) -> dict:
    """One step as the browser gets it: ``step_dict``'s plain data, and ``picture``, what its
    layer draws (_layers.py), made now, when it is shown, not when the command ran. ``argv``,
    the command's arguments, lets the command table's card mark which of them are keys."""
    data = step_dict(step, number)
    data["picture"] = layer_picture(step, argv)
    return data


def _label(steps: list[Step]) -> str:
    """A trace's command as typed, from its own first step."""
    if not steps:
        return "(empty trace)"
    first = steps[0]
    if first.layer == "input" and first.action == "line":
        line = first.received
        text = line if isinstance(line, str) else line.decode("utf-8", "replace")
        return describe(text.strip(), 120)
    if first.layer == "input":
        return command_text(first.received)
    return first.layer


class Recorded:
    """One command of the view's history. What the browser shows of it (its label as typed, its
    time as text, its steps as Steps) is made on first read, then kept: in a busy cell thousands
    of commands pass through the history between two pushes, and most leave it unseen."""

    __slots__ = ("db", "at_ms", "_argv", "_label", "_event", "_steps", "_at_text")

    def __init__(self, db: int | None, at_ms: int | None, *, event: CommandEvent | None = None,
                 label: str | None = None, steps: list[Step] | None = None) -> None:
        self.db, self.at_ms = db, at_ms
        self._event, self._label, self._steps, self._at_text = event, label, steps, None

    @property
    def label(self) -> str:
        if self._label is None:
            self._label = command_text(self._event.argv)
        return self._label

    @property
    def at_text(self) -> str:
        if self._at_text is None:
            self._at_text = when_text(self.at_ms)
        return self._at_text

    @property
    def steps(self) -> list[Step]:
        if self._steps is None:
            self._steps, self._event = self._event.trace, None  # (the event is not needed now)
        return self._steps


class FlowView(LiveView):
    """The flow of recent commands of an engine, one step at a time."""

    _esm = static_file("common.js") + static_file("flow.js")
    _wants_trace = True

    #: The boxes: the shown command's path (``path``); every layer, in order, before any.
    layers = traitlets.List(list(LAYERS)).tag(sync=True)
    #: Whether the view shows each new command as it comes (False: it stays on the one shown).
    following = traitlets.Bool(True).tag(sync=True)
    recent = traitlets.List()                   # the commands to pick from: index, label, db, at
    recent_json = traitlets.Unicode("[]").tag(sync=True)  # ... as the browser gets them (below)
    selected = traitlets.Int(-1).tag(sync=True)  # which of them is shown (-1: none yet)
    steps = traitlets.List()                    # the shown command's steps, as plain data,
    #: and as the browser gets them: one JSON text. A command's steps and their pictures are
    #: a deep tree of small dicts, which ipywidgets would walk at every push looking for binary
    #: buffers (most of a push's cost); a text it sends as it is.
    steps_json = traitlets.Unicode("[]").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)      # the current step (0-based); the browser sets it
    playing = traitlets.Bool(False).tag(sync=True)  # the browser advances while True
    play_interval_ms = traitlets.Int(800).tag(sync=True)

    def __init__(self, engine: Kedis | None = None, history: int = 20, **kwargs: Any) -> None:
        # The recent commands, oldest first. Their steps stay as the engine recorded them; they
        # become plain data for the browser only when shown (most are never looked at).
        self._history: deque[Recorded] = deque(maxlen=max(history, 1))
        self._follow = True         # show each new command as it comes (until one picks another)
        self._pick: int | None = None   # the command to show at the next push
        self._shown: Recorded | None = None  # the command whose steps the browser has
        super().__init__(engine, **kwargs)
        self.following = engine is not None

    def __repr__(self) -> str:
        showing = f"showing #{self.selected}" if self.selected >= 0 else "no command yet"
        return f"<FlowView: {plural(len(self._history), 'command')}, {showing}>"

    # --- recording --------------------------------------------------------------------------
    def _add(self, recorded: Recorded) -> None:
        full = len(self._history) == self._history.maxlen
        self._history.append(recorded)
        if self._follow:
            self._pick = len(self._history) - 1
        elif full:  # the oldest went: the command shown moved down by one (or went too)
            current = self._pick if self._pick is not None else self.selected
            self._pick = max(current - 1, 0)

    def _command(self, event: CommandEvent) -> None:
        if event.traced:
            self._add(Recorded(event.db, event.at_ms, event=event))

    def show(self, reply_or_steps: Reply | list[Step] | Any, label: str | None = None) -> FlowView:
        """Show a given trace: a reply run with ``trace=True``, or a list of steps."""
        steps = getattr(reply_or_steps, "trace", reply_or_steps)
        if steps is None:
            raise ValueError("this reply carries no trace: run the command with trace=True")
        steps = list(steps)
        with self._lock:
            self._follow = True
            self._add(Recorded(None, None, label=label if label is not None else _label(steps),
                               steps=steps))
            self._follow = self.engine is not None  # (without an engine: nothing else comes)
            self._dirty = True
        self.flush()
        return self

    # --- moving, from Python or from the buttons ------------------------------------------------
    def select(self, index: int) -> None:
        """Show the ``index``-th recent command (0 is the oldest kept; -1 the latest)."""
        with self._lock:
            if not self._history:
                return
            if index < 0:
                index += len(self._history)
            index = min(max(index, 0), len(self._history) - 1)
            self._pick = index
            self._follow = index == len(self._history) - 1  # the latest: follow new ones again
            self._dirty = True
        self.flush()

    def forward(self) -> None:
        """One step on (nothing past the last step)."""
        self.step = self.step + 1

    def back(self) -> None:
        """One step back."""
        self.step = self.step - 1

    def play(self) -> None:
        """Step on by itself in the browser, from the start if the last step is shown."""
        if self.step >= len(self.steps) - 1:
            self.step = 0
        self.playing = len(self.steps) > 1

    def pause(self) -> None:
        self.playing = False

    @property
    def current(self) -> dict | None:
        """The current step, as the browser draws it."""
        return self.steps[self.step] if self.steps else None

    @traitlets.observe("steps")
    def _steps_changed(self, change: dict) -> None:
        self.steps_json = json.dumps(change["new"], ensure_ascii=False, separators=(",", ":"))

    @traitlets.observe("recent")
    def _recent_changed(self, change: dict) -> None:
        self.recent_json = json.dumps(change["new"], ensure_ascii=False, separators=(",", ":"))

    @traitlets.observe("selected")
    def _picked(self, change: dict) -> None:
        if not self._applying:  # the browser's picker
            self.select(change["new"])

    @traitlets.validate("step")
    def _valid_step(self, proposal: dict) -> int:
        return min(max(int(proposal["value"]), 0), max(len(self.steps) - 1, 0))

    @traitlets.observe("step")
    def _stepped(self, change: dict) -> None:
        if self.playing and change["new"] >= len(self.steps) - 1:
            self.playing = False  # played to the end

    # --- what the browser shows -------------------------------------------------------------
    def _state(self) -> dict:
        state: dict = {"recent": [
            {"index": i, "label": kept.label, "db": kept.db, "at_ms": kept.at_ms,
             "at_text": kept.at_text, "steps": len(kept.steps)}
            for i, kept in enumerate(self._history)]}
        state["following"] = self.engine is not None and self._follow
        index, self._pick = (self._pick if self._pick is not None else self.selected), None
        if 0 <= index < len(self._history):
            kept = self._history[index]
            state["selected"] = index  # (it moves down by one when the oldest command goes)
            if kept is not self._shown:
                # Another command: its steps become data once, and it starts at its first step.
                self._shown = kept
                argv = first_argv(kept.steps)
                state.update(steps=[shown_step(step, n, argv)
                                    for n, step in enumerate(kept.steps, 1)],
                             layers=path(kept.steps), step=0, playing=False)
        return state
