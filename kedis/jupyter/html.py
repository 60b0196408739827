"""Replies as HTML, for Jupyter front ends: arrays numbered as redis-cli numbers them, errors in red,
nil visible.

The kernel sends every reply as ``text/plain`` (exactly what redis-cli prints, so a notebook reads
like a redis-cli session) and, where it helps, as ``text/html`` too. Everything that comes from the
store or from the user is escaped: a key named ``<img src=x onerror=alert(1)>`` is shown as text
and runs nothing. Values appear as redis-cli quotes them (``"caf\\xc3\\xa9"``), so binary values are
visible byte by byte.

Styles are inline, and limited to colours, fonts and margins, because front ends strip
stylesheets from untrusted notebooks but keep simple inline styles.
"""

from __future__ import annotations

from html import escape

from ..engine.parser import repr_bytes
from ..engine.reply import (
    Array,
    Bulk,
    Error,
    Frames,
    Integer,
    Null,
    Reply,
    Status,
    Verbatim,
)

__all__ = ["reply_html", "replies_html", "needs_html", "ERROR_STYLE"]

ERROR_STYLE = "color: #c62828"
_MUTED = "color: #757575"
#: The plain-text reply's font and place (JupyterLab's and Notebook 7's .jp-RenderedText: the code
#: font, a left padding of one character, no margin below), so that an HTML reply lines up with
#: a plain one, and the replies of a cell follow each other as in redis-cli.
_REPLY = ("font-family: var(--jp-code-font-family, monospace); "
          "font-size: var(--jp-code-font-size, 13px); "
          "line-height: var(--jp-code-line-height, 1.3077); padding-left: 1ch; margin: 0")


def needs_html(reply: Reply) -> bool:
    """Whether HTML adds something to the plain text: arrays, errors and nil."""
    return isinstance(reply, (Array, Error, Null))


def reply_html(reply: Reply) -> str:
    """One reply as an HTML fragment (always escaped)."""
    return f'<div class="kedis-reply" style="{_REPLY}">{_item(reply)}</div>'


def replies_html(replies: list[Reply]) -> str:
    """Replies one under the other in one fragment (a batch of a long cell): the plain replies'
    font and place set once, each reply on lines of its own."""
    lines = "".join(f'<div class="kedis-line">{_item(reply)}</div>' for reply in replies)
    return f'<div class="kedis-reply kedis-batch" style="{_REPLY}">{lines}</div>'


def _item(reply: Reply) -> str:
    if isinstance(reply, Error):
        return f'<span class="kedis-error" style="{ERROR_STYLE}">(error) {escape(reply.text)}</span>'
    if isinstance(reply, Null):  # the null bulk string and the null array
        return f'<span class="kedis-nil" style="{_MUTED}">(nil)</span>'
    if isinstance(reply, Frames):  # several messages (SUBSCRIBE a b): one after the other
        return "".join(_item(item) for item in reply.items)
    if isinstance(reply, Array):
        if not reply.items:
            return f'<span class="kedis-empty" style="{_MUTED}">(empty array)</span>'
        # redis-cli's numbering, not the front end's list style (which letters a nested list):
        # "1)" right-aligned to the widest number, a nested array beside its number, so that
        # the text reads exactly as redis-cli's (cliFormatReplyTTY) in a monospace font.
        width = len(str(len(reply.items)))
        rows = "".join(
            f'<div class="kedis-row" style="display: flex">'
            f'<span class="kedis-index" style="white-space: pre">{i:>{width}}) </span>'
            f'<div class="kedis-value">{_item(item)}</div></div>'
            for i, item in enumerate(reply.items, 1))
        return f'<div class="kedis-array">{rows}</div>'
    if isinstance(reply, Bulk):
        return f'<span class="kedis-bulk">{escape(repr_bytes(reply.data))}</span>'
    if isinstance(reply, Integer):
        return f'<span class="kedis-integer">(integer) {reply.number}</span>'
    if isinstance(reply, Status):
        return f'<span class="kedis-status">{escape(reply.text)}</span>'
    if isinstance(reply, Verbatim):
        return f'<pre class="kedis-text" style="margin: 0; font: inherit">{escape(reply.text)}</pre>'
    return f"<pre>{escape(reply.cli())}</pre>"
