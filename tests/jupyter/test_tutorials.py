"""The tutorials (notebooks/), beyond what nbval checks.

nbval (``pytest --nbval``, on every test run) runs each notebook as stored, with its exercises not
done, and compares every output. Here: each notebook has the parts a tutorial promises, and each
exercise can be solved: its published solution, put in the exercise cell, makes its checking cell
say so.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
SOLUTION = re.compile(r"<summary>A solution</summary>\s*```[a-z]*\n(.*?)\n```", re.S)
RIGHT = "All right: well done!"


def exercises(notebook) -> list[tuple[int, int, str]]:
    """(exercise cell, checking cell, solution) for each exercise: an ``exercise``-tagged cell,
    the checking cell after it, and the solution in the markdown after that."""
    cells = notebook.cells
    found = []
    for i, cell in enumerate(cells):
        if "exercise" in cell.metadata.get("tags", []):
            checking, answer = cells[i + 1], cells[i + 2]
            assert "check(" in checking.source, f"cell {i + 1} should check exercise {i}"
            solution = SOLUTION.search(answer.source)
            assert solution, f"cell {i + 2} should hold the solution of exercise {i}"
            found.append((i, i + 1, solution.group(1)))
    return found


@pytest.fixture(params=NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_the_tutorials_are_all_there():
    assert [path.stem[:2] for path in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06"]


def test_each_tutorial_has_a_goal_predictions_exercises_and_a_summary(notebook):
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "**Goal:**" in notebook.cells[0].source
    assert text.count("**Predict") >= 2
    assert exercises(notebook)
    summary = text[text.rindex("## Summary"):]
    assert re.search(r"`src/[a-z_\-]+\.(c|h|def)`", summary), "name the Redis source file"


def test_the_stored_outputs_are_those_of_an_exercise_not_yet_done(notebook):
    for _, checking, _ in exercises(notebook):
        printed = "".join(out.get("text", "") for out in notebook.cells[checking].outputs)
        assert "Not yet" in printed and RIGHT not in printed


def test_each_published_solution_passes_its_check(notebook):
    found = exercises(notebook)
    for exercise, _, solution in found:
        notebook.cells[exercise].source = solution
    NotebookClient(notebook, kernel_name=notebook.metadata.kernelspec.name, timeout=60,
                   resources={"metadata": {"path": str(NOTEBOOKS[0].parent)}},
                   store_widget_state=False).execute()
    for _, checking, _ in found:
        printed = "".join(out.get("text", "") for out in notebook.cells[checking].outputs)
        assert printed.rstrip().endswith(RIGHT), printed


LINK = re.compile(r"\[([^\]]+)\]\(([^)]+\.ipynb)\)")


def test_the_welcome_page_lists_every_tutorial_with_a_link_to_it():
    welcome = nbformat.read(NOTEBOOKS[0], as_version=4).cells[0].source
    linked = [target for _, target in LINK.findall(welcome)]
    assert linked == [path.name for path in NOTEBOOKS[1:]]


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)))
def test_each_tutorial_ends_with_a_link_to_the_next(index):
    last = [cell for cell in nbformat.read(NOTEBOOKS[index], as_version=4).cells
            if cell.cell_type == "markdown"][-1].source
    targets = [target for _, target in LINK.findall(last)]
    if index + 1 < len(NOTEBOOKS):
        assert "Next: [**" in last and targets[-1] == NOTEBOOKS[index + 1].name
    else:  # the last one leads back to the map
        assert targets[-1] == NOTEBOOKS[0].name


def test_the_tutorials_folder_holds_only_what_a_reader_opens():
    # The test machinery (nbval's sanitizer, the conftest) lives in tests/, out of the file
    # browser a learner starts from.
    folder = NOTEBOOKS[0].parent
    shown = {path.name for path in folder.iterdir() if not path.name.startswith(".")}
    assert shown == {path.name for path in NOTEBOOKS} | {"README.md"}


def test_the_lab_of_make_lab_asks_no_news_question_over_the_first_tutorial():
    # JupyterLab reads overrides.json from its application folder (in .venv, which make setup
    # fills): the "official Jupyter news?" toast no longer covers the corner on first open.
    import json
    import sys

    overrides = Path(sys.prefix, "share", "jupyter", "lab", "settings", "overrides.json")
    settings = json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]
    assert settings == {"fetchNews": "false", "checkForUpdates": False}
