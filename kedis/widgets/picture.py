"""A view's picture: what it showed last, as plain text and as static HTML, for when it cannot live.

A live view is a widget: the browser draws it with its JavaScript, from the state the kernel
sends. A notebook saved with a view in it keeps only a reference to that widget (its model id),
and once the kernel is gone nothing can draw it again. So each output of a view also carries
its *picture* (``_live.py`` puts it in the output and keeps it up to date): the same state,
drawn once, as ``text/plain`` and ``text/html``. Who shows what, as read from their code
(JupyterLab 4.6, Notebook 7.6, the widget manager of jupyterlab_widgets 3.0, nbconvert 7.17):

- JupyterLab and Notebook 7 (one renderer registry for both) pick a single MIME type per output.
  In a *trusted* notebook the widget view ranks first, so a live kernel draws the live view; a
  saved notebook reopened that way shows "Loading widget..." until a kernel is there, then "Error
  displaying widget: model not found" (the widget renderer never falls back to another type).
  In a notebook *not trusted* (one you did not run yourself, a tutorial fresh from the
  repository) the widget view is never chosen (it is not "safe"): the first safe type is, which
  is ``text/html``, sanitized (inline styles pass; scripts, classes' CSS and links to stylesheets
  do not). Without HTML it was ``text/plain``: the ``<StoreView of db 0: 3 keys>`` of issue 15.
- nbconvert ``--to html`` draws a widget view only if the notebook stored the widgets' state
  (nothing Kedis stores): otherwise it takes the next type, ``text/html``. ``--to markdown``
  takes ``text/html`` as it is; ``--to script``/``--to asciidoc`` and ``jupyter console`` take
  ``text/plain``.
- Code hosts render a notebook's HTML outputs sanitized, most without any style attribute: a
  picture must read with no style at all (a table is a table, the current step is bold).

So a picture is plain HTML with inline styles only, everything from a key or a value escaped
(``html.escape``), no script, no class that needs a stylesheet (the classes are only names, for
tests). Each function below draws one view from its synced traits, the state the browser got at
the last push, so that the picture is the view as it was last seen; the text says the same in
lines a terminal can show.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..util.plural import plural
from ._layers import picture_lines

__all__ = ["store_text", "store_html", "expiry_text", "expiry_html", "flow_text", "flow_html",
           "dashboard_text", "dashboard_html", "duration_text", "ttl_text", "CAPTION"]

#: What every HTML picture says under it: it is not the live view.
CAPTION = "a picture of the view's last state; run the cell again for the live view"

# The styles, inline (previews drop stylesheets). Colours as in kedis.css: blue marks the
# current thing, amber what the last command changed, red what is due.
_FRAME = ("font-family: SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace; "
          "font-size: 12px; line-height: 1.4; border: 1px solid #d0d7de; border-radius: 4px; "
          "padding: 6px 8px; margin: 2px 0; display: inline-block; max-width: 100%; "
          "box-sizing: border-box; text-align: left; vertical-align: top")
_TITLE = "font-weight: bold; margin-bottom: 4px"
_TABLE = "border-collapse: collapse; margin: 2px 0; font-size: 12px"
_CELL = "text-align:left;padding:0 8px 0 0"
_HEAD = _CELL + ";border-bottom:1px solid #d0d7de"
_CHANGED = "background-color: #fff3c4"
_DUE = "color: #c62828"
_QUIET = "color: #6e7781"
_BOX = "display: inline-block; border: 1px solid #8c959f; border-radius: 3px; padding: 1px 6px"
_BOX_ON = _BOX + "; background-color: #1565c0; color: #ffffff; border-color: #1565c0"


# --- times ------------------------------------------------------------------------------------
def duration_text(ms: float) -> str:
    """A length of time as the views' countdowns write it (common.js's formatDuration)."""
    if ms < 1000:
        return f"{max(0, int(ms))} ms"
    s = ms / 1000
    if s < 60:
        return f"{s:.1f} s"
    if s < 3600:
        return f"{int(s // 60)} m {int(s % 60):02d} s"
    if s < 86400:
        return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} m"
    return f"{int(s // 86400)} d {int(s % 86400 // 3600):02d} h"


def ttl_text(deadline: int | None, now_ms: int) -> str:
    """A TTL cell as the views write it at the clock's ``now_ms`` (common.js's ttlText)."""
    if deadline is None:
        return "no TTL"
    left = deadline - now_ms
    return duration_text(left) if left >= 0 else "expired, still stored"


# --- small pieces of HTML -------------------------------------------------------------------
def _table(head: list[str], rows: list[tuple[list[str], str]]) -> str:
    """A table of text cells (escaped here); each row with its own style ("" for none)."""
    cells = "".join(f'<th style="{_HEAD}">{escape(name)}</th>' for name in head)
    body = "".join(
        (f'<tr style="{style}">' if style else "<tr>")
        + "".join(f'<td style="{_CELL}">{escape(text)}</td>' for text in texts) + "</tr>"
        for texts, style in rows)
    return (f'<table style="{_TABLE}"><thead><tr>{cells}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _frame(kind: str, title: str, body: str, caption: bool = True) -> str:
    under = f'<div style="{_QUIET}; font-size: 11px">{escape(CAPTION)}</div>' if caption else ""
    return (f'<div class="kedis-picture kedis-picture-{kind}" style="{_FRAME}">'
            f'<div style="{_TITLE}">{escape(title)}</div>{body}{under}</div>')


def _line(text: str, style: str = "") -> str:
    return f'<div style="{style}">{escape(text)}</div>' if style else f"<div>{escape(text)}</div>"


def _columns(head: list[str], rows: list[list[str]]) -> list[str]:
    """Text rows lined up in columns, as redis-cli's tables are not but a reader's eye wants."""
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [head, *rows]]


# --- StoreView --------------------------------------------------------------------------------
def _store_title(view: Any) -> str:
    title = f"StoreView of db {view.db}: {plural(view.db_size, 'key')}"
    if view.pattern != "*":
        title += f", {view.total} matching {view.pattern}"
    if view.page_count > 1:
        title += f" (page {view.page + 1} of {view.page_count})"
    return title


def _store_rows(view: Any) -> list[list[str]]:
    return [[row["key"], row["type"], row["value"], ttl_text(row["expires_at"], view.now_ms),
             str(row["size"])] for row in view.rows]


_STORE_HEAD = ["key", "type", "value", "TTL", "size"]


def _changed_keys(view: Any) -> set[str]:
    return {change["key"] for change in view.changes if change.get("changed")}


def store_text(view: Any) -> str:
    """The StoreView's page of keys as text: a title, a table, the last command's changes."""
    lines = [_store_title(view)]
    rows = _store_rows(view)
    if rows:
        lines += ["  " + line for line in _columns(_STORE_HEAD, rows)]
    else:
        lines.append("  (no keys)")
    if view.last_command:
        lines.append(f"last command: {view.last_command}")
        lines += [f"  {change['key']}: {change['change']}" for change in view.changes]
    return "\n".join(lines)


def store_html(view: Any, caption: bool = True) -> str:
    changed = _changed_keys(view)
    rows = [(texts, _CHANGED if texts[0] in changed else
             _DUE if row["expires_at"] is not None and row["expires_at"] < view.now_ms else "")
            for texts, row in zip(_store_rows(view), view.rows, strict=True)]
    body = _table(_STORE_HEAD, rows) if rows else _line("(no keys)", _QUIET)
    if view.last_command:
        body += _line(f"last command: {view.last_command}")
        body += "".join(_line(f"  {change['key']}: {change['change']}",
                              _CHANGED if change.get("changed") else _QUIET)
                        for change in view.changes)
    return _frame("store", _store_title(view), body, caption)


# --- ExpiryView -------------------------------------------------------------------------------
#: Expirations a picture lists, newest first.
EVENTS_SHOWN = 5

_EXPIRY_HEAD = ["key", "expires in", "deadline"]


def _expiry_title(view: Any) -> str:
    return (f"ExpiryView of db {view.db}: {plural(view.ttl_count, 'key')} with a TTL; "
            f"expired so far: {view.lazy_count} lazily, {view.active_count} actively")


def _expiry_rows(view: Any) -> list[list[str]]:
    return [[row["key"], ttl_text(row["expires_at"], view.now_ms).replace(
        "expired, still stored", "due, still stored"), row["expires_text"]] for row in view.rows]


def _events(view: Any) -> list[str]:
    how = {"lazy": "lazily", "active": "actively"}
    return [f"{event['key']} expired {how.get(event['how'], event['how'])} "
            f"(db {event['db']}, {event['at_text']})"
            for event in view.events[:EVENTS_SHOWN]]


def _cycle_text(view: Any) -> str | None:
    sample = view.sample
    if not sample:
        return None
    capped = ", ran out of time" if sample.get("time_cap_reached") else ""
    return (f"last active cycle: {sample['kind']}, looked at {sample['sampled_count']}, "
            f"expired {sample['expired']}{capped}")


def expiry_text(view: Any) -> str:
    """The ExpiryView as text: the soonest deadlines, the last expirations, the last cycle."""
    lines = [_expiry_title(view)]
    rows = _expiry_rows(view)
    if rows:
        lines += ["  " + line for line in _columns(_EXPIRY_HEAD, rows)]
    else:
        lines.append("  (no key with a TTL)")
    events = _events(view)
    if events:
        lines.append("last expirations:")
        lines += [f"  {event}" for event in events]
    cycle = _cycle_text(view)
    if cycle:
        lines.append(cycle)
    return "\n".join(lines)


def expiry_html(view: Any, caption: bool = True) -> str:
    rows = [(texts, _DUE if row["expires_at"] < view.now_ms else "")
            for texts, row in zip(_expiry_rows(view), view.rows, strict=True)]
    body = (_table(_EXPIRY_HEAD, rows) if rows else _line("(no key with a TTL)", _QUIET))
    events = _events(view)
    if events:
        body += _line("last expirations:") + "".join(_line(f"  {event}", _QUIET)
                                                      for event in events)
    cycle = _cycle_text(view)
    if cycle:
        body += _line(cycle)
    return _frame("expiry", _expiry_title(view), body, caption)


# --- FlowView ---------------------------------------------------------------------------------
# Drawn from three traits only: ``layers`` (the path), ``steps`` and ``step`` (the current one).
def _current(view: Any) -> dict | None:
    steps = view.steps
    return steps[min(max(view.step, 0), len(steps) - 1)] if steps else None


def _flow_title(view: Any) -> str:
    if not view.steps:
        return "FlowView: no command yet"
    return f"FlowView: step {min(view.step, len(view.steps) - 1) + 1} of {len(view.steps)}"


def _step_words(step: dict) -> str:
    return f"{step['layer']}: {step['did']}"


def _passed(step: dict) -> list[str]:
    """What the current step's layer received and handed on (the live view's two boxes)."""
    return [f"{name}: {step[field]}" for name, field in
            (("received", "received"), ("handed on", "handed_on")) if step.get(field)]


def flow_text(view: Any) -> str:
    """The FlowView as text: its path with the current layer in brackets, then every step, each
    with its layer's picture drawn in characters under it (_layers.py: the argument brackets,
    the card, the buckets, the deadline, the RESP bytes), the current one marked with ``>``."""
    current = _current(view)
    if current is None:
        return repr(view)  # (what it says: no command yet)
    lines = [_flow_title(view)]
    lines.append("  " + " → ".join(f"[{layer}]" if layer == current["layer"] else layer
                                   for layer in view.layers))
    shown = min(max(view.step, 0), len(view.steps) - 1)
    width = max(len(step["layer"]) for step in view.steps)
    for n, step in enumerate(view.steps):
        mark = ">" if n == shown else " "  # the current step, as a debugger marks its line
        lines.append(f"{mark}{n + 1:>3} {step['layer']:<{width}}  {step['did']}")
        if n == shown:
            lines += [f"{'':>4} {'':<{width}}    {text}" for text in _passed(step)]
        lines += [f"{'':>4} {'':<{width}}    {line}" for text in picture_lines(step.get("picture"))
                  for line in text.split("\n")]
    return "\n".join(lines)


def flow_html(view: Any, caption: bool = True) -> str:
    current = _current(view)
    if current is None:
        return _frame("flow", _flow_title(view), "", caption)
    arrow = f'<span style="{_QUIET}"> → </span>'
    # The current box is in <b> as well: a preview without styles still shows which it is.
    boxes = arrow.join(
        f'<b style="{_BOX_ON}">{escape(layer)}</b>' if layer == current["layer"]
        else f'<span style="{_BOX}">{escape(layer)}</span>' for layer in view.layers)
    shown = min(max(view.step, 0), len(view.steps) - 1)
    items = "".join(
        f'<li style="{_CHANGED}"><b>{escape(_step_words(step))}</b>'
        + "".join(_line(text, _QUIET) for text in _passed(step)) + "</li>" if n == shown
        else f"<li>{escape(_step_words(step))}</li>"
        for n, step in enumerate(view.steps))
    body = (f'<div style="margin: 2px 0 4px 0">{boxes}</div>'
            f'<ol style="margin: 0; padding-left: 2.5em">{items}</ol>')
    return _frame("flow", _flow_title(view), body, caption)


# --- Dashboard --------------------------------------------------------------------------------
def dashboard_text(board: Any) -> str:
    """The views' texts, one under the other (a structure view's, if the board has one)."""
    texts = [store_text(board.store), expiry_text(board.expiry), flow_text(board.flow)]
    structure = getattr(board, "structure", None)
    if structure is not None:
        texts.append(structure.picture_text())  # (it draws its own picture)
    return "\n\n".join(texts)


def dashboard_html(board: Any) -> str:
    """The store on top, the expiry queue and the flow side by side below, as the live board
    (then the structure of a key, which the live board shows in a tab of its own)."""
    below = (f'<div style="display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start">'
             f"{expiry_html(board.expiry, caption=False)}{flow_html(board.flow, caption=False)}"
             "</div>")
    structure = getattr(board, "structure", None)
    if structure is not None:
        below += f"<div>{structure.picture_html()}</div>"
    return (f'<div class="kedis-picture kedis-picture-dashboard" style="text-align: left">'
            f"{store_html(board.store, caption=False)}{below}"
            f'<div style="{_QUIET}; font-size: 11px">{escape(CAPTION)}</div></div>')
