"""What a cell can go wrong with, as the notebook shows it: one line, no Python traceback.

The cell runner (cells.py) and the magics (magics.py) raise these; IPython and the kernel show
each as ``Name: message`` (``_render_traceback_``), because the learner's mistake is in the cell,
not in Kedis's code.
"""

from __future__ import annotations

__all__ = ["CellError", "InvalidArguments", "UnknownMagic", "MagicError", "RedisUnavailable",
           "Interrupted"]


class CellError(Exception):
    """The cell cannot run. IPython shows just the message, not a Python traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class InvalidArguments(CellError):
    """A line cannot be split into arguments (an unbalanced quote): redis-cli's Invalid argument(s)."""


class UnknownMagic(CellError):
    """A ``%name`` that Kedis does not have."""


class MagicError(CellError):
    """A magic used the wrong way (``%clock advance soon``)."""


class RedisUnavailable(CellError):
    """The real Redis of ``%connect`` or ``%compare`` cannot be reached any more."""


class Interrupted(KeyboardInterrupt):
    """The stop button stopped the cell between two commands.

    Shown as one line: a Python traceback would point into the runner, and its first frame is
    the call that handed the runner the whole cell (thousands of lines, for a long cell).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"KeyboardInterrupt: {self}"]
