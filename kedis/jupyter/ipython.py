"""The IPython extension: Kedis cells inside any Python notebook.

    %load_ext kedis

    %%kedis
    SET greeting "hello world"
    GET greeting

A ``%%kedis`` cell behaves as a cell of the Kedis kernel (cells.py does the work for both): the
same replies, magics and errors. The engine is bound to ``db`` in the notebook's namespace, so
Python cells and Kedis cells share one store; ``%kedis GET greeting`` runs a single line.
"""

from __future__ import annotations

from typing import Any

from .cells import CellRunner

__all__ = ["load_ipython_extension", "runner_for"]

_RUNNERS: dict[int, CellRunner] = {}


def runner_for(shell: Any) -> CellRunner:
    """The CellRunner of an IPython shell, created (with its active expiry) on first use."""
    runner = _RUNNERS.get(id(shell))
    if runner is None:
        kernel = getattr(shell, "kernel", None)
        # Widgets only where a front end can draw them: a Jupyter kernel, not a terminal IPython.
        runner = _RUNNERS[id(shell)] = CellRunner(namespace=shell.user_ns,
                                                  widgets=kernel is not None)
        runner.start_active_expiry(getattr(kernel, "io_loop", None))
    return runner


def load_ipython_extension(shell: Any) -> None:
    runner = runner_for(shell)

    def kedis(line: str, cell: str | None = None) -> None:
        """Run Kedis commands: ``%kedis COMMAND`` or a ``%%kedis`` cell (see kedis.jupyter.cells)."""
        runner.run(line if cell is None else cell)

    shell.register_magic_function(kedis, magic_kind="line_cell", magic_name="kedis")
