"""In the browser: a notebook saved with views in it shows their last state once the kernel is gone.

A notebook runs a ``%store`` and a ``%flow`` cell in JupyterLab, then a cell that changes the
store, and is saved; its kernel is shut down. Opened again in a fresh browser (a new kernel, none
of the old widgets' models), in JupyterLab and in Notebook 7, each view's cell shows the picture of
the view's *last* state (the keys the later cell set), not ``<StoreView ...>``; so does the HTML
that nbconvert makes of it. While the views were live, the picture was hidden and the live widget
was never rebuilt (its element stayed the same one across the later cell).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from browser import (
    NotebookPage,
    chromium,
    expect,
    write_notebook,
)

from kedis.widgets._live import LIVE_TEXT

pytestmark = pytest.mark.timeout(240)

BOLD_KEY = "<b>bold</b>"
CELLS = [f'SET greeting hello\nSET "{BOLD_KEY}" v EX 1000\n%store', "%flow",
         "SET counter 41\nINCR counter"]

# The outputs of one cell: for each, its classes, whether it shows, and its text.
OUTPUTS = """([panel, index]) => {
    const cell = document.querySelectorAll(`[id="${panel}"] .jp-CodeCell`)[index];
    return [...cell.querySelectorAll('.jp-OutputArea-child')].map(child => ({
        visible: child.offsetParent !== null,
        picture: !!child.querySelector('.kedis-picture'),
        live: !!child.querySelector('.kedis-view'),
        text: child.innerText}));
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def outputs(notebook: NotebookPage, index: int) -> list[dict]:
    return notebook.page.evaluate(OUTPUTS, [notebook.panel_id, index])


@pytest.fixture(scope="module")
def saved(server, browser) -> dict:
    """Run the notebook in JupyterLab, cell by cell, save it, shut its kernel down; return what
    was seen while the views were live."""
    name = write_notebook(server.root, "saved.ipynb", CELLS)
    seen: dict = {"name": name}
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_cell(0)
        notebook.run_cell(1)
        store = notebook.cell(0).locator(".kedis-store")
        expect(store).to_contain_text('"greeting"')
        # The live view's element, kept: a view rebuilt by a later cell would be another one.
        notebook.page.evaluate("""(panel) => {
            window.kedisLiveStore = document.querySelector(`[id="${panel}"] .kedis-store`);
        }""", notebook.panel_id)
        # A filter typed in the live view: a later cell must leave it (and the view) as it is.
        keys = store.locator(".kedis-store-row .kedis-key")
        store.locator(".kedis-store-filter").fill("*e*")
        expect(keys).to_have_text(['"greeting"'])
        notebook.run_cell(2)
        expect(keys).to_have_text(['"counter"', '"greeting"'])
        seen["filter_kept"] = store.locator(".kedis-store-filter").input_value() == "*e*"
        seen["live_outputs"] = outputs(notebook, 0)
        seen["same_element"] = notebook.page.evaluate(
            "() => window.kedisLiveStore.isConnected && !!window.kedisLiveStore.closest('.jp-Notebook')")
        # The filter taken off in the browser, no cell run: the (hidden) picture follows it.
        store.locator(".kedis-store-filter").fill("*")
        expect(keys).to_have_count(3)
        picture = notebook.cell(0).locator(".kedis-picture-store")
        expect(picture).to_contain_text("StoreView of db 0: 3 keys", use_inner_text=False)
        expect(picture).to_contain_text(f'"{BOLD_KEY}"', use_inner_text=False)
        notebook.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        path = server.root / name
        deadline = time.monotonic() + 15
        while '\\"counter\\"' not in path.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        seen["problems"] = notebook.problems
        # Every session and kernel of the server ended (awaited): the notebook opened next
        # starts a new kernel, with none of the old widgets' models. (JupyterLab would otherwise
        # reconnect to the old kernel, and draw the live views again from it.)
        notebook.page.evaluate("""async () => {
            const services = window.jupyterapp.serviceManager;
            await services.sessions.shutdownAll();
            await services.kernels.shutdownAll();
        }""")
    assert json.load(urllib.request.urlopen(f"{server.url}/api/kernels", timeout=10)) == []
    return seen


def test_while_live_the_picture_hides_and_the_live_view_is_never_rebuilt(saved):
    live, picture = [output for output in saved["live_outputs"] if output["live"] or
                     output["picture"]]
    assert live["live"] and live["visible"]
    assert picture["picture"] and not picture["visible"]  # hidden under the live view
    assert saved["same_element"]  # the later cell redrew the picture, not the widget
    assert saved["filter_kept"]
    assert saved["problems"] == []


def test_the_saved_notebook_holds_the_picture_of_the_last_state(server, saved):
    notebook = nbformat.read(server.root / saved["name"], as_version=4)
    live, picture = [output for output in notebook.cells[0].outputs
                     if "text/html" in output.get("data", {}) or
                     "application/vnd.jupyter.widget-view+json" in output.get("data", {})]
    assert live.data["text/plain"] == LIVE_TEXT
    text = picture.data["text/plain"]
    assert text.startswith("StoreView of db 0: 3 keys")  # counter came after the %store cell
    assert re.search(r'"counter"\s+string\s+"42"', text)


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_reopened_without_its_kernel_each_view_shows_its_last_picture(server, browser, saved,
                                                                       app):
    with NotebookPage.open(browser, server, saved["name"], app=app) as notebook:
        store = notebook.cell(0).locator(".kedis-picture-store")
        expect(store).to_be_visible()
        expect(store).to_contain_text('"counter"')
        expect(store).to_contain_text(f'"{BOLD_KEY}"')  # the key as text, not as markup
        assert notebook.cell(0).locator(".kedis-picture-store b", has_text="bold").count() == 0
        flow = notebook.cell(1).locator(".kedis-picture-flow")
        expect(flow).to_be_visible()
        # %flow follows: its picture is of the last command it saw, INCR counter.
        expect(flow).to_contain_text("INCR counter")
        for index in (0, 1):
            texts = " ".join(output["text"] for output in outputs(notebook, index))
            assert "<StoreView" not in texts and "<FlowView" not in texts
        # The front end's own complaint about the old outputs' widget view, which no kernel has
        # now: expected (it is what the picture below it is for), and nothing else.
        problems = [problem for problem in notebook.problems
                    if not problem.startswith("console Error: widget model not found")]
        assert problems == []
        suffix = "" if app == "lab" else "-notebook7"
        notebook.screenshot(f"saved-store{suffix}.png", notebook.cell(0))
        notebook.screenshot(f"saved-flow{suffix}.png", notebook.cell(1))


def test_a_notebook_not_trusted_shows_the_sanitized_picture(server, browser, saved):
    # Another's notebook (its content is not the one this server signed): the widget view is
    # never drawn there, whatever the kernel; the picture is, through the sanitizer.
    notebook = nbformat.read(server.root / saved["name"], as_version=4)
    notebook.metadata["from"] = "someone else"
    nbformat.write(notebook, server.root / "untrusted.ipynb")
    with NotebookPage.open(browser, server, "untrusted.ipynb") as page:
        store = page.cell(0).locator(".kedis-picture-store")
        expect(store).to_be_visible()
        expect(store).to_contain_text('"counter"')
        expect(page.cell(0)).to_contain_text(LIVE_TEXT)
        page.screenshot("saved-store-untrusted.png", page.cell(0))


def test_nbconvert_draws_the_pictures(server, saved, tmp_path):
    source = server.root / saved["name"]
    for form, suffix in (("html", ".html"), ("markdown", ".md")):
        subprocess.run([sys.executable, "-m", "nbconvert", "--to", form, "--output-dir",
                        str(tmp_path), str(source)], check=True, capture_output=True,
                       timeout=120)
        exported = (tmp_path / source.with_suffix(suffix).name).read_text()
        assert 'class="kedis-picture kedis-picture-store"' in exported
        store = re.search(r'kedis-picture-store".*?</table>', exported, re.S).group()
        assert "<b>bold</b>" not in store and "&lt;b&gt;bold&lt;/b&gt;" in store
        shown = html.unescape(re.sub(r"<[^>]+>", " ", exported))  # what a reader sees
        assert re.search(r'"counter"\s+string\s+"42"', shown)
        assert "<StoreView" not in shown and "<FlowView" not in shown
