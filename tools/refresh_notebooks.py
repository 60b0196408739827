"""Run the tutorials and store their outputs in them: what nbval then compares on every test run.

    .venv/bin/python tools/refresh_notebooks.py                         # every notebook
    .venv/bin/python tools/refresh_notebooks.py notebooks/02-*.ipynb    # some

Run it after changing a notebook or the output of something a notebook shows, then read the
diff: every output that changed is a change a reader will see. Each notebook runs from the top
on the kernel its metadata names, in ``notebooks/`` (as ``make lab`` opens it), and stops at the
first cell that fails, unless the cell is tagged ``raises-exception`` (a lesson about an error).
Nothing that varies is stored: no timings, no widget state (the views are drawn live), and
``%clock fake`` makes every time shown the same at every run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=notebook.metadata["kernelspec"]["name"],
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        timeout=120,
        record_timing=False,
        store_widget_state=False,
    )
    client.execute()
    nbformat.write(notebook, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="the notebooks to run (default: every one in notebooks/)")
    args = parser.parse_args(argv)
    for path in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        print(f"running {path.name}", flush=True)
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
