"""The views hear a command by noting what it did, and catch up when they push (_live.py). In a
kernel, pushes are throttled, so many commands pass between two of them: whatever they were, a
push must show exactly what a view built afresh shows."""

from __future__ import annotations

import random

import pytest

from kedis.widgets import ExpiryView, StoreView, _live

SHOWN = {StoreView: ("rows", "total", "db_size", "page_count", "db"),
         ExpiryView: ("rows", "ttl_count", "db")}


class CellShell:
    """IPython's shell in a kernel, as the views see it: the end of a cell pushes them."""

    def __init__(self) -> None:
        self.kernel = object()
        self.events = self
        self.after_cell: list = []

    def register(self, name: str, callback) -> None:
        self.after_cell.append(callback)

    def cell_ends(self) -> None:
        for callback in self.after_cell:
            callback()


def random_command(rng: random.Random) -> str:
    key, other = f"k{rng.randrange(40)}", f"k{rng.randrange(40)}"
    return rng.choice([
        f"SET {key} v{rng.randrange(9)}",
        f"SET {key} v PX {rng.randrange(1, 80)}",
        f"EXPIRE {key} {rng.randrange(1, 9)}",
        f"PERSIST {key}",
        f"DEL {key} {other}",
        f"RENAME {key} {other}",
        f"COPY {key} {other} REPLACE",
        f"COPY {key} {other} DB 1",
        f"MSET {key} a {other} b",
        f"INCR {key}",
        f"GET {key}",
        f"SELECT {rng.choice([0, 0, 0, 1])}",
        "FLUSHDB" if rng.random() < 0.05 else "PING",
    ])


KINDS = [(StoreView, {"page_size": 10}), (ExpiryView, {"limit": 10}), (StoreView, {"db": 1}),
         (StoreView, {"pattern": "k1*"}), (ExpiryView, {"db": 1})]


def counting_unasked_rebuilds(view, unasked: list) -> None:
    """Count the view's sorts that no command asked for: the safety net of a push that finds
    its count of keys wrong (a change no event announced) must never be needed here."""
    plain = view._rebuild

    def rebuild() -> None:
        if not view._resort:
            unasked.append(view)
        plain()

    view._rebuild = rebuild


@pytest.mark.parametrize("in_kernel", [True, False], ids=["kernel", "script"])
@pytest.mark.parametrize("seed", range(4))
def test_after_any_cell_a_push_shows_what_a_fresh_view_shows(db, monkeypatch, seed, in_kernel):
    # In a kernel, pushes wait for the end of the cell; in a script, every event pushes, even
    # one in the middle of a command (a key it named expired lazily).
    shell = CellShell()
    monkeypatch.setattr(_live, "_kernel_shell", lambda: shell if in_kernel else None)
    monkeypatch.setattr(_live, "_IDLE_SHELLS", set())
    views = [(kind(db, **options), kind, options) for kind, options in KINDS]
    unasked: list = []
    for view, _, _ in views:
        counting_unasked_rebuilds(view, unasked)
    rng = random.Random(seed)
    try:
        for _ in range(60):  # cells
            for _ in range(rng.randrange(1, 30)):
                step = rng.random()
                if step < 0.1:
                    db.clock.advance(0.02)
                elif step < 0.15:
                    db.tick()  # active expiry
                else:
                    db.run(random_command(rng))
            shell.cell_ends()
            for view, kind, options in views:
                fresh = kind(db, **options)
                try:
                    for name in SHOWN[kind]:
                        assert getattr(view, name) == getattr(fresh, name), name
                finally:
                    fresh.close()
        assert unasked == []
    finally:
        for view, _, _ in views:
            view.close()
