"""In the browser: Kedis notebooks run in JupyterLab (and Notebook 7), as a user sees them.

A real ``jupyter lab`` (no token, a temporary folder, a loopback port) and Debian's Chromium, driven
by Playwright (see browser.py). Each test writes a notebook on the Kedis kernel, opens it, runs all
its cells and reads the page: the text of the outputs, their colours, and what must *not* happen
(a JavaScript dialog, an <img> made from a key's name). Screenshots of what was checked go to
tests/output/screenshots/.
"""

from __future__ import annotations

import re

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

XSS_KEY = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def server() -> JupyterServer:
    require_chromium()
    with jupyter_server() as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(server: JupyterServer):
    with chromium() as browser:
        yield browser


def rgb(css_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_colour)[:3])
    return red, green, blue


# --- plain Kedis cells ---------------------------------------------------------------------

@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_replies_show_as_redis_cli_prints_them(server, browser, app):
    name = write_notebook(server.root, f"replies-{app}.ipynb", [
        'SET greeting "hello world"\nGET greeting',
        "INCR visits\nINCR visits\nGET nothing",
    ])
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        notebook.run_all()
        expect(notebook.outputs(0)).to_have_text(["OK", '"hello world"'])
        expect(notebook.outputs(1)).to_have_text(["(integer) 1", "(integer) 2", "(nil)"])
        notebook.screenshot(f"replies-{app}.png")
        assert notebook.dialogs == [] and notebook.unexpected_page_errors == [], notebook.diagnostics()


def test_an_error_reply_is_shown_in_red_and_the_cell_goes_on(server, browser):
    name = write_notebook(server.root, "error.ipynb", ["GET\nSET after error\nGET after"])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        expect(notebook.outputs(0)).to_have_text([
            "(error) ERR wrong number of arguments for 'get' command", "OK", '"error"'])
        error = notebook.outputs(0).nth(0).get_by_text("(error) ERR wrong number")
        red, green, blue = rgb(error.evaluate("node => getComputedStyle(node).color"))
        assert red >= 150 and green <= 100 and blue <= 100, (red, green, blue)
        ok = notebook.outputs(0).nth(1).get_by_text("OK")
        assert max(rgb(ok.evaluate("node => getComputedStyle(node).color"))) < 100  # dark text
        notebook.screenshot("error-reply.png", notebook.cell(0))


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_a_key_made_of_html_is_shown_as_text_and_runs_nothing(server, browser, app):
    name = write_notebook(server.root, f"xss-{app}.ipynb", [
        f'SET "{XSS_KEY}" 1\nSET plain 2\nKEYS *\nGET "{XSS_KEY}"',
    ])
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        notebook.run_all()
        outputs = notebook.outputs(0)
        # KEYS answers an array, which the kernel sends as HTML too (a numbered list): the
        # key's name goes through the HTML renderer, not just the plain-text one.
        expect(outputs).to_have_count(4)
        keys = outputs.nth(2).locator("ol li")
        expect(keys).to_have_count(2)
        assert sorted(keys.all_inner_texts()) == sorted([f'"{XSS_KEY}"', '"plain"'])
        expect(outputs.nth(3)).to_have_text('"1"')
        assert notebook.page.locator(".jp-OutputArea img").count() == 0
        notebook.page.wait_for_timeout(500)  # time for an onerror that would fire
        notebook.screenshot(f"xss-keys-{app}.png", notebook.cell(0))
        assert notebook.dialogs == [], notebook.dialogs
        assert notebook.unexpected_page_errors == [], notebook.unexpected_page_errors
