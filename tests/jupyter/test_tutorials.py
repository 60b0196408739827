"""The tutorials (notebooks/), beyond what nbval checks.

nbval (``pytest --nbval``, on every test run) runs each notebook as stored, with its exercises not
done, and compares every output. Here: each notebook has the parts a tutorial promises; each
exercise can be solved (its published solution, put in the exercise cell, makes its checking cell
say so, in the real kernel); a check refuses an answer that breaks the exercise's own rule ("with
INCR alone", "one command"), says it cannot check when what the exercise stands on is gone (the
AOF off, the redis-server stopped) instead of giving a false verdict, and never shows the answer;
and the clean-up cells come last and can run twice.

Most of these run a notebook's cells in this process, with a CellRunner (the kernel's cell
machinery, without the kernel): each cell as the kernel runs it, a hundred times faster than a
kernel per case. The tests of the published solutions use the real kernel (nbclient).
"""

from __future__ import annotations

import io
import os
import re
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kedis.jupyter import tutorial
from kedis.jupyter.cells import CellRunner
from kedis.jupyter.tutorial import CANNOT_CHECK, EXERCISES, NOT_YET, RIGHT

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
SOLUTION = re.compile(r"<summary>A solution</summary>\s*```[a-z]*\n(.*?)\n```", re.S)
HAS_REDIS = shutil.which("redis-server") is not None or bool(os.environ.get("KEDIS_REQUIRE_REDIS"))
needs_redis = pytest.mark.skipif(not HAS_REDIS, reason="redis-server not installed (make test "
                                                       "installs it with apt-get)")


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
    # In the real kernel, as a reader's Run All runs it (with the clean-up cells last).
    if "redis_url" in notebook.cells[2].source and not HAS_REDIS:
        pytest.skip("redis-server not installed (make test installs it with apt-get)")
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


# --- the checks, cell by cell, in this process ---------------------------------------------------
def read(stem: str):
    return nbformat.read(next(path for path in NOTEBOOKS if path.stem.startswith(stem)),
                         as_version=4)


class Reader:
    """A reader in front of a Kedis notebook: runs its cells (any, in any order) as the kernel
    would, with a CellRunner, and keeps what each printed. The checks find this runner as they
    find the kernel's (tutorial._runner_of)."""

    def __init__(self, notebook, monkeypatch) -> None:
        self.notebook = notebook
        self.runner = CellRunner(display=lambda data, metadata: None)
        monkeypatch.setattr(tutorial, "_runner_of", lambda engine: self.runner)
        found = exercises(notebook)
        self.exercise_cells = [exercise for exercise, _, _ in found]
        self.solutions = {exercise: solution for exercise, _, solution in found}

    def run(self, index: int, source: str | None = None) -> str:
        cell = self.notebook.cells[index]
        printed = io.StringIO()
        try:
            with redirect_stdout(printed):
                self.runner.run(cell.source if source is None else source)
        except Exception:
            if "raises-exception" not in cell.metadata.get("tags", []):
                raise
        return printed.getvalue()

    def run_all(self, upto: int | None = None, answers: dict | None = None) -> dict[int, str]:
        """Run > Run All (or Run All Above Selected Cell, with ``upto``): what each cell printed."""
        answers = answers or {}
        return {i: self.run(i, answers.get(i)) for i, cell in
                enumerate(self.notebook.cells[:upto]) if cell.cell_type == "code"}

    def clean_up(self) -> int:
        return next(i for i, cell in enumerate(self.notebook.cells)
                    if cell.cell_type == "code" and cell.id.endswith("clean-up"))

    def close(self) -> None:
        """What the notebook made (a redis-server, a folder) goes: its clean-up cell, once more
        (it may run twice), if the cells it cleans up after ran."""
        names = self.runner.namespace
        if names.get("server") is not None or "folder" in names and "restarted" in names:
            self.run(self.clean_up())


@pytest.fixture
def reader(monkeypatch):
    readers = []

    def open_notebook(stem: str) -> Reader:
        if stem.startswith("05") and not HAS_REDIS:
            pytest.skip("redis-server not installed (make test installs it with apt-get)")
        readers.append(Reader(read(stem), monkeypatch))
        return readers[-1]

    yield open_notebook
    for opened in readers:
        opened.close()


#: For each exercise of a Kedis notebook (by notebook and its place among the notebook's
#: exercises): answers that leave the store as asked, or nearly, but break the exercise's own
#: rule, and the point the check must mark wrong.
RULE_BREAKERS = [
    ("00", 0, "SET name Ada\nSET likes 2", "✘ likes made with INCR alone"),
    ("00", 0, "SET name Ada\nINCRBY likes 2", "✘ likes made with INCR alone"),
    ("01", 0, "SETBIT active:03-03 7 1\nSETBIT active:03-03 12 1\n"
              "BITOP OR tmp active:03-01 active:03-02\nBITOP OR active:any tmp active:03-03",
     "✘ one BITOP made active:any"),
    ("01", 0, "SETBIT active:03-03 7 1\nSETBIT active:03-03 12 1\nSETBIT active:03-03 12 1\n"
              "BITOP OR active:any active:03-01 active:03-02 active:03-03",
     "✘ two SETBITs for March 3rd"),
    ("01", 1, "SET stock:apples 12\nSET stock:pears 7\nDECRBY stock:apples 3",
     "✘ both stocks set with one command"),
    ("01", 1, "MSET stock:apples 12 stock:pears 7\n3 DECR stock:apples",
     "✘ three apples sold with one atomic command"),
    ("01", 1, "MSET stock:apples 12 stock:pears 7\nGET stock:apples\nSET stock:apples 9",
     "✘ three apples sold with one atomic command"),
    ("02", 0, "SET otp 493817 EX 10\nEXPIRE hits 40", "✘ otp expires in 30 seconds"),
    ("02", 0, "SET otp 493817 EX 30\nSET hits 2 EX 60\n%clock advance 20s",
     "✘ hits gets a TTL alone"),
    ("03", 0, 'SET quote "She said \\"hi\\""\nAPPEND quote "\\nand left."', "✘ one command"),
    ("05", 0, "%compare off\nEXPIRE session 30\n%connect $redis_url\nEXPIRE session 30\n"
              "%connect embedded", "✘ one command sent to both"),
    ("05", 0, "EXPIRE session 30", "✘ the comparison ended"),
    ("06", 0, "SET mode durable\nCONFIG SET appendfsync always", "✘ then mode stored"),
]


@pytest.mark.parametrize("stem, which, answer, refused", RULE_BREAKERS)
def test_an_answer_that_breaks_the_exercise_s_rule_is_refused(reader, stem, which, answer,
                                                               refused):
    opened = reader(stem)
    exercise = opened.exercise_cells[which]
    printed = opened.run_all(upto=exercise + 2, answers={exercise: answer})[exercise + 1]
    assert refused in printed, printed
    assert RIGHT not in printed and f"{NOT_YET}: " in printed and "Hint: " in printed


@pytest.mark.parametrize("stem, which", [("00", 0), ("01", 0), ("01", 1), ("02", 0), ("03", 0),
                                         ("05", 0), ("06", 0)])
def test_the_published_answer_passes_each_point_of_its_check(reader, stem, which):
    opened = reader(stem)
    exercise = opened.exercise_cells[which]
    printed = opened.run_all(upto=exercise + 2,
                             answers={exercise: opened.solutions[exercise]})[exercise + 1]
    assert printed.rstrip().endswith(RIGHT), printed
    assert "✘" not in printed and "✔" in printed


def test_a_check_reads_the_commands_the_answer_cell_ran_not_its_text(reader):
    # A repeat count is two INCRs, which the engine ran: "with INCR alone" holds.
    opened = reader("00")
    exercise = opened.exercise_cells[0]
    printed = opened.run_all(upto=exercise + 2, answers={
        exercise: "# SET likes 2 (a comment runs nothing)\nSET name 'Ada L'\n2 INCR likes"})
    assert printed[exercise + 1].rstrip().endswith(RIGHT), printed[exercise + 1]
    assert "ran 3 commands: SET, INCR, INCR" in printed[exercise + 1]


def test_notebook_6_after_run_all_reports_the_published_answer_right(reader):
    opened = reader("06")
    exercise = opened.exercise_cells[0]
    printed = opened.run_all(answers={exercise: opened.solutions[exercise]})
    assert printed[exercise + 1].rstrip().endswith(RIGHT), printed[exercise + 1]
    # ...and its clean-up, the notebook's last code cell, ran after the check: the AOF is off.
    assert opened.clean_up() > exercise + 1
    assert opened.runner.engine.run("CONFIG GET appendonly").value == [b"appendonly", b"no"]


def test_notebook_6_answered_after_the_clean_up_says_it_cannot_check_and_how_to_recover(reader):
    opened = reader("06")
    exercise = opened.exercise_cells[0]
    opened.run_all()  # Run All: the clean-up has turned the AOF off
    opened.run(exercise, opened.solutions[exercise])
    printed = opened.run(exercise + 1)
    assert printed.startswith(f"{CANNOT_CHECK}: the AOF is off"), printed
    assert RIGHT not in printed and "The AOF is on" not in printed  # no false verdict, no false hint
    assert "Run All Above Selected Cell" in printed
    # The recovery it gives works.
    opened.run_all(upto=exercise)
    opened.run(exercise, opened.solutions[exercise])
    assert opened.run(exercise + 1).rstrip().endswith(RIGHT)


def test_notebook_5_with_its_redis_server_stopped_says_it_cannot_check_and_how_to_recover(reader):
    opened = reader("05")
    exercise = opened.exercise_cells[0]
    opened.run_all()  # Run All: the clean-up has stopped the redis-server
    # Compare mode meets the stopped server and fails; on Kedis alone the TTL is right, which is
    # not the exercise: the check must not say it is.
    opened.run(exercise, "%connect embedded\nEXPIRE session 30")
    printed = opened.run(exercise + 1)
    assert printed.startswith(f"{CANNOT_CHECK}: the redis-server at redis://127.0.0.1:"), printed
    assert "does not answer" in printed and RIGHT not in printed
    assert "Run All Above Selected Cell" in printed
    opened.run_all(upto=exercise)  # the recovery: a new redis-server, both stores filled again
    opened.run(exercise, opened.solutions[exercise])
    assert opened.run(exercise + 1).rstrip().endswith(RIGHT)


def test_notebook_5_without_redis_server_checks_nothing_it_cannot_reach(monkeypatch, capsys):
    # A reader without redis-server: redis_url is "embedded", and the check says what it lacks.
    runner = CellRunner(display=lambda data, metadata: None)
    monkeypatch.setattr(tutorial, "_runner_of", lambda engine: runner)
    tutorial.check(runner.engine, "05 session", redis_url="embedded")
    printed = capsys.readouterr().out
    assert printed.startswith(f"{CANNOT_CHECK}: there is no redis-server") and RIGHT not in printed


@pytest.mark.parametrize("stem", ["05", "06"])
def test_the_clean_up_comes_last_under_its_heading_and_runs_twice(reader, stem):
    opened = reader(stem)
    cells = opened.notebook.cells
    clean_up = opened.clean_up()
    assert cells[clean_up - 1].source.startswith("## Clean up")
    assert all(cell.cell_type == "markdown" for cell in cells[clean_up + 1:])
    assert "check(" not in "".join(cell.source for cell in cells[clean_up:])
    opened.run_all()
    again = opened.run(clean_up)  # raises if it cannot run twice
    assert again.strip()


def test_no_checking_cell_holds_its_expected_answer_nor_does_its_hint(notebook):
    for _, checking, solution in exercises(notebook):
        source = notebook.cells[checking].source
        name = re.search(r'check\(\w+, "([^"]+)"', source).group(1)
        expected = EXERCISES[name]
        wants = [ask.want for ask in expected.asks]
        lines = [line.strip() for line in solution.splitlines()
                 if line.strip() and not line.startswith("%compare")]
        for text in wants + lines:
            assert text not in source, (name, text)
            assert text not in expected.hint, (name, text)
        # The stored output (the exercise not done) shows what the store holds, not what it
        # should: no expected value appears where the store does not hold it.
        printed = "".join(out.get("text", "") for out in notebook.cells[checking].outputs)
        assert "expected" not in printed
        for ask in expected.asks:
            for line in printed.splitlines():
                if line.startswith("✘") and f"{ask.line}  ->" in line:
                    assert not line.endswith(ask.want.splitlines()[-1]), line


@pytest.mark.parametrize("answer, refused", [
    ("mine.run('SET quote \"she said \\\\\"hi\\\\\"\"')\nfor _ in range(3):\n"
     "    mine.execute(\"INCR\", \"laps\")", "✘ quote set with execute"),
    ("mine.execute(\"SET\", \"quote\", 'she said \"hi\"')\nmine.execute(\"SET\", \"laps\", 3)",
     "✘ laps counted by a for loop of INCR"),
])
def test_notebook_4_refuses_an_answer_not_made_as_it_says(answer, refused):
    # Notebook 4 is Python: its check reads the answer cell's source, in the real kernel.
    notebook = read("04")
    [(exercise, checking, _)] = exercises(notebook)
    notebook.cells[exercise].source = answer
    notebook.cells = notebook.cells[:checking + 1]
    NotebookClient(notebook, kernel_name=notebook.metadata.kernelspec.name, timeout=60,
                   resources={"metadata": {"path": str(NOTEBOOKS[0].parent)}},
                   store_widget_state=False).execute()
    printed = "".join(out.get("text", "") for out in notebook.cells[checking].outputs)
    assert refused in printed and RIGHT not in printed, printed
    assert "✔ quote holds" in printed  # the store is right; the way it was made is not


def test_the_cell_runner_records_what_its_last_cell_ran():
    runner = CellRunner(display=lambda data, metadata: None)
    runner.run("# a comment\n%clock fake\n2 INCR likes\nGET likes")
    assert [(r.where, r.argv) for r in runner.last_cell] == [
        ("magic", ["clock", "fake"]), ("kedis", [b"INCR", b"likes"]),
        ("kedis", [b"INCR", b"likes"]), ("kedis", [b"GET", b"likes"])]
    assert [r.reply.cli() for r in runner.last_cell[1:]] == ["(integer) 1", "(integer) 2", '"2"']
    runner.run('%%python\ndb.run("SET other 1")')  # a Python cell: not a Kedis cell's record
    assert len(runner.last_cell) == 4
    runner.run("# nothing")
    assert runner.last_cell == []
