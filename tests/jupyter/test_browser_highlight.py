"""In the browser: a Kedis cell is coloured while it is typed, as its export is coloured.

The cell editor is CodeMirror, which the Kedis labextension teaches the Kedis language
(labextension/src/mode.js, installed by ``python -m kedis.kernel install``; see
kedis/kernel/labextension.py). Two kinds of test:

- In JupyterLab and Notebook 7, a notebook on the Kedis kernel: lines typed into a cell, never
  run, get the colours of their roles (command, string, number, magic...), read from the page as
  the browser computed them and compared with the theme's colour for each role.
- The mode against the Pygments lexer (kedis/jupyter/lexer.py), which colours exports: the same
  cells, hand-picked and random, given to both, must get the same role on every character.
  The mode runs in Chromium as the module it is (it imports nothing), with the command table
  the installer writes.
"""

from __future__ import annotations

import random
from pathlib import Path

import nbformat
import pytest
from browser import (
    JupyterServer,
    NotebookPage,
    chromium,
    expect,
    jupyter_server,
    require_chromium,
    write_notebook,
)
from pygments.token import Comment, Error, Keyword, Name, Number, String

from kedis.jupyter.lexer import KedisLexer
from kedis.kernel.labextension import editor_table

MODE = Path(__file__).resolve().parents[2] / "labextension" / "src" / "mode.js"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def server() -> JupyterServer:
    require_chromium()
    with jupyter_server() as lab:
        yield lab


# --- typed in JupyterLab and Notebook 7 ------------------------------------------------------

# Each span of the cell's lines: its text, classes and the style the browser computed.
_SPANS = """(cell) => [...cell.querySelectorAll('.cm-line')].map(line =>
    [...line.querySelectorAll('span')].map(span => {
        const style = getComputedStyle(span);
        return {text: span.textContent, classes: span.className, color: style.color,
                weight: style.fontWeight, line: style.textDecorationLine};
    }))"""

# The colour the theme gives a CSS variable, computed the way the browser computes a span's.
_THEME_COLOUR = """(variable) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${variable})`;
    document.body.appendChild(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
}"""

ROLE_COLOURS = {
    "command": "--jp-mirror-editor-keyword-color",
    "string": "--jp-mirror-editor-string-color",
    "number": "--jp-mirror-editor-number-color",
    "magic": "--jp-mirror-editor-meta-color",
    "key": "--jp-mirror-editor-variable-2-color",
    "option": "--jp-mirror-editor-attribute-color",
    "escape": "--jp-mirror-editor-string-2-color",
    "error": "--jp-mirror-editor-error-color",
    "comment": "--jp-mirror-editor-comment-color",
}


def type_into_first_cell(notebook: NotebookPage, lines: list[str]) -> None:
    """Click into the first cell's editor and type ``lines``, as a user does (no run)."""
    editor = notebook.cell(0).locator(".cm-content")
    editor.click()
    for number, line in enumerate(lines):
        if number:
            notebook.page.keyboard.press("Enter")
        notebook.page.keyboard.type(line)
    # What the editor holds is what was typed (no bracket or quote closed for us).
    expect(editor).to_have_text("".join(lines))


def spans_of(notebook: NotebookPage) -> dict[str, dict]:
    """The spans of the first cell, by their text (each text asked about appears once)."""
    lines = notebook.cell(0).locator(".jp-InputArea-editor").evaluate(_SPANS)
    return {span["text"]: span for line in lines for span in line}


def notebook_saved_before(server: JupyterServer, name: str) -> str:
    """A notebook with one empty cell, whose metadata says what a kernel of the days before the
    Kedis mode said (the tutorials were saved so): the kernel's answer must win over it."""
    write_notebook(server.root, name, [""])
    notebook = nbformat.read(server.root / name, as_version=4)
    notebook.metadata["language_info"] = {"name": "kedis", "codemirror_mode": "text/plain",
                                          "mimetype": "text/x-kedis", "file_extension": ".kedis"}
    nbformat.write(notebook, server.root / name)
    return name


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_a_typed_cell_is_coloured_by_role_before_it_runs(server, browser, app):
    name = notebook_saved_before(server, f"highlight-{app}.ipynb")
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        type_into_first_cell(notebook, ['SET "a b" 42', "%flow GET k",
                                        r'SET k "x\ny" PX 100', "# a comment", "NOSUCH x",
                                        'ECHO "open'])
        cell = notebook.cell(0).locator(".jp-InputArea-editor")
        # The language is Kedis from the moment the kernel said so: wait for its first colour.
        expect(cell.locator("span", has_text="SET").first).to_have_css("font-weight", "700")
        spans = spans_of(notebook)
        theme = {role: notebook.page.evaluate(_THEME_COLOUR, variable)
                 for role, variable in ROLE_COLOURS.items()}
        # SET's key is "a b", quotes and all: a role comes from the command, not the spelling.
        expected = {"SET": "command", '"a b"': "key", "42": "number", "%flow": "magic",
                    "k": "key", '"x': "string", "\\n": "escape", "PX": "option",
                    "100": "number", "# a comment": "comment", '"open': "error"}
        got = {text: spans.get(text, {}).get("color") for text in expected}
        assert got == {text: theme[role] for text, role in expected.items()}, spans
        # Four roles, four looks: not one class, nor one colour, for two of them.
        looks = [spans[text] for text in ("SET", '"x', "42", "%flow")]
        assert len({span["classes"] for span in looks}) == 4
        assert len({span["color"] for span in looks}) == 4
        assert spans["SET"]["weight"] == "700"  # a command is bold, as in the export
        # A magic's arguments are the kernel's words, not a command: not coloured as one.
        assert "GET" not in spans
        # A command Kedis does not know keeps the command's colour, without the weight.
        assert spans["NOSUCH"]["color"] == theme["command"]
        assert spans["NOSUCH"]["weight"] == "400"
        # An unclosed quote is underlined too: its red is close to a string's.
        assert spans['"open']["line"] == "underline" and spans['"x']["line"] == "none"
        notebook.screenshot(f"highlight-{app}.png", notebook.cell(0))
        assert notebook.problems == []


def test_python_after_a_cell_magic_is_coloured_as_python(server, browser):
    name = write_notebook(server.root, "highlight-python.ipynb", [""])
    with NotebookPage.open(browser, server, name) as notebook:
        type_into_first_cell(notebook, ["%%python", "def f(): return 42"])
        cell = notebook.cell(0).locator(".jp-InputArea-editor")
        expect(cell.locator("span", has_text="%%python")).to_have_count(1)
        spans = spans_of(notebook)
        keyword = notebook.page.evaluate(_THEME_COLOUR, ROLE_COLOURS["command"])
        # Python's def is a keyword; in a Kedis line it would be an unknown command.
        assert spans["def"]["color"] == keyword and spans["def"]["weight"] == "700"
        assert "42" in spans
        assert notebook.problems == []


# --- the mode against the lexer --------------------------------------------------------------

# The mode's module, loaded as it is, and a driver that feeds it a cell line by line as
# CodeMirror's StreamLanguage does: token() is called until the line is consumed, and each
# character gets the token name of its span. Python after %%python is a stub's one token.
_RUN_MODE = """([cells, table]) => {
    const python = {startState: () => ({}), token: stream => { stream.skipToEnd(); return 'python'; }};
    const parser = window.kedisMode.kedisParser(table, python);
    return cells.map(cell => {
        const state = parser.startState(4);
        const kinds = [];
        for (const line of cell.split('\\n')) {
            const stream = {string: line, pos: 0, start: 0, indentUnit: 4,
                            sol() { return this.pos === 0; },
                            skipToEnd() { this.pos = this.string.length; }};
            while (stream.pos < line.length) {
                stream.start = stream.pos;
                const token = parser.token(stream, state);
                if (stream.pos <= stream.start) throw new Error('no progress in ' + line);
                for (let i = stream.start; i < stream.pos; i++) kinds.push(token);
            }
            kinds.push(null);  // the newline
        }
        kinds.pop();
        return kinds;
    });
}"""

# The Pygments token of each role, and the mode's name for it (index.js gives each its colour).
_LEXER_KINDS = [(String.Escape, "escape"), (Keyword.Pseudo, "unknownCommand"),
                (Keyword, "command"), (Name.Variable, "key"), (Name.Attribute, "option"),
                (Name.Decorator, "magic"), (String, "string"), (Number, "number"),
                (Comment, "comment"), (Error, "error")]


def lexer_kinds(cell: str) -> list[str | None]:
    """The role of each character of ``cell`` as the lexer colours it (None: plain)."""
    kinds: list[str | None] = [None] * len(cell)
    python_from = len(cell)
    for index, token, value in KedisLexer().get_tokens_unprocessed(cell):
        if token in Name.Decorator and value == "%%python":
            python_from = cell.index("\n", index) + 1 if "\n" in cell[index:] else len(cell)
        kind = next((kind for parent, kind in _LEXER_KINDS if token in parent), None)
        kinds[index:index + len(value)] = [kind] * len(value)
    # The Python part: the stub's token on each character but the newlines.
    kinds[python_from:] = [None if c == "\n" else "python" for c in cell[python_from:]]
    return kinds


CELLS = [
    'SET greeting "hello world" EX 100', "set K v nx Px 100 GET", "CONFIG GET maxmemory",
    "config set maxmemory 10mb", "MSET a 1 b two c 3.5", "MGET a b c", "SET EX v",
    "SET k NX", "\"SET\" 'k' v", "3 INCR n", "-2 GET k", "INCRBYFLOAT f 1.5e3", "INCRBY n -5",
    r'ECHO "a\n\x41b"', r"ECHO 'it\'s \n'", 'SET a"b c" v', "# don't split me",
    "   # indented", "GET k # not a comment", "%clock advance 10s", '%connect "localhost" 6379',
    "%%trace\nGET k", "GET k\n%%trace", "%%python\nx = 1\n\nGET k", " \n%%python\ndef f(): pass",
    "GET k\n%%python", 'SET k "hello world\nGET k', 'ECHO "a"b c', "ECHO a\x00 b", "NOSUCH a b",
    "", "   ", "\n\n", "DEL a b c", "EXPIRE k 10 NX", "ZADD z NX 1 a 2 b", "LPUSH l a b",
    "HSET h f v", "OBJECT ENCODING k", "SINTERCARD 2 a b LIMIT 1", "ECHO \"\\x4\"",
    "ECHO \"\\\"", "SET ü ö", "GET\tk\x0bv", "ECHO '\\x41'", "%python print(1)",
    "CLIENT SETNAME x", "SCAN 0 MATCH a* COUNT 10 TYPE string",
]

# Random cells of the characters and words that matter (as the lexer's own random tests).
_PIECES = list(" \t\r\x0b\x0c\x00\"'\\xAf09#%-.eE\n") + [
    "SET", "MSET", "CONFIG", "GET", "EX", "nx", "%%python", "%clock", "ü", "\u2028", "def",
    "ZADD", "KEEPTTL", "DEL", "3", "10s", "EXPIRE", "OBJECT", "ms"]


def random_cells(count: int, seed: int = 15) -> list[str]:
    """Cells of random characters, and cells of random words: commands (any case), their
    options, numbers, quoted strings with escapes, magics, each line of a few."""
    pick = random.Random(seed)
    table = editor_table()
    commands = sorted(table)
    options = sorted({word for entry in table.values() for word in entry["options"]})
    words = [lambda: pick.choice(commands), lambda: pick.choice(commands).upper(),
             lambda: pick.choice(options), lambda: pick.choice(options).lower(),
             lambda: str(pick.randint(-20, 2000)), lambda: pick.choice(["1.5", "-.5e3", "10s"]),
             lambda: '"' + pick.choice(["a b", r"x\ny", r"\x41", r"\"q", ""]) + '"',
             lambda: "'" + pick.choice(["a b", r"it\'s", r"\n"]) + "'",
             lambda: pick.choice(["k", "key:1", "user:*", "#", "%x", "%%python", '"open'])]
    cells = []
    for number in range(count):
        if number % 2:
            cells.append("".join(pick.choice(_PIECES) for _ in range(pick.randint(1, 30))))
            continue
        lines = []
        for _ in range(pick.randint(1, 4)):
            line = [pick.choice(words)() for _ in range(pick.randint(1, 7))]
            if pick.random() < 0.5:  # a known command, with its own option words among its values
                name = pick.choice(commands)
                entry = table[name]
                sub = pick.choice([*entry.get("subcommands", {}), ""])
                mine = entry.get("subcommands", {}).get(sub, entry)["options"] or ["x"]
                line = [name, sub, *(pick.choice([*mine, *line]) for _ in range(len(line)))]
            lines.append(" ".join(line))
        if pick.random() < 0.1:
            lines[0] = pick.choice(["%%python", "%%trace", "%clock advance 5s", "# note"])
        cells.append("\n".join(lines))
    return cells


def test_the_mode_colours_every_character_as_the_lexer_does(browser):
    page = browser.new_page()
    try:
        page.add_script_tag(content=MODE.read_text()
                            + "\nwindow.kedisMode = { kedisParser, lineTokens };", type="module")
        page.wait_for_function("() => !!window.kedisMode")
        cells = CELLS + random_cells(1500)
        modes = page.evaluate(_RUN_MODE, [cells, editor_table()])
    finally:
        page.close()
    differences = [(cell, list(zip(cell, lexer_kinds(cell), mode, strict=True)))
                   for cell, mode in zip(cells, modes, strict=True)
                   if lexer_kinds(cell) != mode]
    assert differences == []
