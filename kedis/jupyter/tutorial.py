"""Checking cells for the tutorials (``notebooks/``): did the reader's commands do what was asked?

Each exercise in a tutorial is an empty cell for the reader's commands, followed by a checking
cell like this one (in the Kedis kernel, ``%%python`` makes a cell Python; ``db`` is the engine
the cells use):

    %%python
    from kedis.jupyter.tutorial import check
    check(db, {"GET visits": '"3"', "TTL visits": "(integer) -1"},
          hint="INCR adds one to the number a key holds; a missing key counts as 0.")

``check`` asks the store each question and compares the answer with the expected one, both
written as redis-cli writes them (the text the reader sees under a cell). It prints one line per
question, right or not with what was expected, then the hint when something is not right yet.
A checking cell never fails: an exercise not done yet is not an error, and the notebook goes on.

The questions go to the engine's plain dispatcher (``Kedis.execute``), past the live views: the
FlowView and the StoreView keep showing the reader's own last command, not the checker's. They are
still real commands, so a key whose TTL has passed expires as the question reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..engine.dispatcher import Kedis
from ..engine.parser import split_args
from ..util.plural import plural

__all__ = ["check", "answer"]


def answer(engine: Kedis, line: str) -> str:
    """The text redis-cli would show for ``line`` run on ``engine``, unseen by live views."""
    # Kedis.execute, not engine.execute: while views watch, the engine's own attribute is the
    # watching wrapper (watch.py), which would report the question as the reader's command.
    return Kedis.execute(engine, *split_args(line)).cli()


def check(engine: Kedis, expected: Mapping[str, str] | Iterable[tuple[str, str]],
          hint: str = "") -> None:
    """Print, for each ``command -> expected reply``, whether the store answers it that way."""
    pairs = expected.items() if isinstance(expected, Mapping) else expected
    wrong = 0
    for line, want in pairs:
        got = answer(engine, line)
        if got == want:
            print(f"✔ {line}  ->  {_one_line(got)}")
        else:
            wrong += 1
            print(f"✘ {line}  ->  {_one_line(got)}, expected {_one_line(want)}")
    if wrong == 0:
        print("All right: well done!")
    else:
        print(f"Not yet: {plural(wrong, 'answer')} to change."
              + (f"\nHint: {hint}" if hint else ""))


def _one_line(text: str) -> str:
    """A reply of several lines (an array) on one line, so that the two can be compared."""
    return " | ".join(text.splitlines()) if "\n" in text else text
