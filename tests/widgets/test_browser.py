"""In the browser: Kedis notebooks run in JupyterLab (and Notebook 7), as a user sees them.

A real ``jupyter lab`` (no token, a temporary folder, a loopback port) and Debian's Chromium, driven
by Playwright (see browser.py). Each test writes a notebook on the Kedis kernel, opens it, runs all
its cells and reads the page: the text of the outputs, their colours, and what must *not* happen
(a JavaScript dialog, an <img> made from a key's name). Screenshots of what was checked go to
tests/output/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from browser import (
    NotebookPage,
    expect,
    write_notebook,
)

import kedis
from kedis.widgets.flow import path

XSS_KEY = "<img src=x onerror=alert(1)>"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

pytestmark = pytest.mark.timeout(180)


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
        assert notebook.problems == []


#: The left edge and the font of the first text in each output of a cell.
FIRST_TEXT = """outputs => outputs.map(output => {
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT,
        {acceptNode: node => node.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
    const text = walker.nextNode(), range = document.createRange();
    range.selectNodeContents(text);
    const style = getComputedStyle(text.parentElement);
    return [range.getClientRects()[0].left, style.fontFamily, style.fontSize];
})"""


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_html_replies_line_up_with_plain_ones_and_number_as_redis_cli(server, browser, app):
    name = write_notebook(server.root, f"align-{app}.ipynb", [
        "MSET a 1 b 2\nGET a\nSCAN 0\nGET nope\nMGET a b a b a b a b a b a b"])
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        notebook.run_all()
        outputs = notebook.outputs(0)
        expect(outputs).to_have_count(5)
        # OK and "1" are plain text, the others HTML: all start at the same x, in the same font.
        firsts = outputs.evaluate_all(FIRST_TEXT)
        assert len({round(left, 1) for left, _, _ in firsts}) == 1, firsts
        assert len({(family, size) for _, family, size in firsts}) == 1, firsts
        # A nested array is numbered inside its number, as redis-cli indents it; twelve items
        # are numbered two wide.
        scan = outputs.nth(2)
        assert scan.locator(".kedis-index").all_text_contents() == ["1) ", "2) ", "1) ", "2) "]
        assert outputs.nth(4).locator(".kedis-index").all_text_contents()[8:10] == [" 9) ", "10) "]
        inner = scan.locator(".kedis-array .kedis-array .kedis-index").first.bounding_box()
        value = scan.locator(".kedis-array .kedis-value").first.bounding_box()
        assert abs(inner["x"] - value["x"]) < 0.5  # the inner "1)" under the outer "1)"'s value
        notebook.screenshot(f"arrays-{app}.png", notebook.cell(0))
        assert notebook.problems == []


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
        assert notebook.problems == []


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_a_key_made_of_html_is_shown_as_text_and_runs_nothing(server, browser, app):
    name = write_notebook(server.root, f"xss-{app}.ipynb", [
        f'SET "{XSS_KEY}" 1\nSET plain 2\nKEYS *\nGET "{XSS_KEY}"',
    ])
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        notebook.run_all()
        outputs = notebook.outputs(0)
        # KEYS answers an array, which the kernel sends as HTML too (numbered as redis-cli
        # numbers it): the key's name goes through the HTML renderer, not just the plain one.
        expect(outputs).to_have_count(4)
        keys = outputs.nth(2).locator(".kedis-array .kedis-value")
        expect(keys).to_have_count(2)
        assert sorted(keys.all_inner_texts()) == sorted([f'"{XSS_KEY}"', '"plain"'])
        assert outputs.nth(2).locator(".kedis-index").all_text_contents() == ["1) ", "2) "]
        expect(outputs.nth(3)).to_have_text('"1"')
        assert notebook.page.locator(".jp-OutputArea img").count() == 0
        notebook.page.wait_for_timeout(500)  # time for an onerror that would fire
        notebook.screenshot(f"xss-keys-{app}.png", notebook.cell(0))
        assert notebook.dialogs == []
        assert notebook.problems == []


# --- the live views (kedis.widgets) ----------------------------------------------------------

def test_the_store_view_lists_every_key_with_its_type_value_and_ttl(server, browser):
    name = write_notebook(server.root, "store.ipynb", [
        "SET user:1 alice\nSET user:2 bob EX 100\nINCR visits",
        "%store",
        "SET user:1 alicia",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        store = notebook.cell(1).locator(".kedis-store")
        rows = store.locator(".kedis-store-row")
        # Live: the view drawn by the second cell shows what the third cell did.
        expect(rows.locator(".kedis-key")).to_have_text(['"user:1"', '"user:2"', '"visits"'])
        expect(rows.locator(".kedis-type")).to_have_text(["string", "string", "string"])
        expect(rows.locator(".kedis-value")).to_have_text(['"alicia"', '"bob"', '"1"'])
        expect(rows.locator(".kedis-ttl")).to_have_text(
            ["no TTL", re.compile(r"^1 m \d\d s$|^\d+\.\d s$"), "no TTL"])
        expect(rows.locator(".kedis-size")).to_have_text([re.compile(r"^\d+$")] * 3)
        expect(store.locator(".kedis-store-total")).to_have_text("3 keys")
        changed = store.locator(".kedis-store-row.kedis-changed")
        expect(changed).to_have_count(1)
        expect(changed.locator(".kedis-key")).to_have_text('"user:1"')
        expect(changed.locator(".kedis-change")).not_to_have_text("")
        notebook.screenshot("store.png", store)
        assert notebook.problems == []


def test_the_store_view_turns_pages_and_filters_keys_when_asked(server, browser):
    name = write_notebook(server.root, "store-pages.ipynb", [
        "SET user:1 alice\nSET user:2 bob\nSET visits 10",
        "%store",
        "%%python\nfor i in range(120):\n    db.run(f'SET item:{i:03} {i}')",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        store = notebook.cell(1).locator(".kedis-store")
        keys = store.locator(".kedis-store-row .kedis-key")
        page = store.locator(".kedis-store-page")
        expect(store.locator(".kedis-store-total")).to_have_text("123 keys")
        expect(page).to_have_text("page 1 of 3")
        expect(keys).to_have_count(50)
        expect(keys.first).to_have_text('"item:000"')
        expect(store.locator(".kedis-store-prev")).to_be_disabled()

        store.locator(".kedis-store-next").click()
        expect(page).to_have_text("page 2 of 3")
        expect(keys.first).to_have_text('"item:050"')
        store.locator(".kedis-store-next").click()
        expect(page).to_have_text("page 3 of 3")
        expect(keys).to_have_count(23)
        expect(keys.last).to_have_text('"visits"')
        expect(store.locator(".kedis-store-next")).to_be_disabled()
        store.locator(".kedis-store-prev").click()
        expect(page).to_have_text("page 2 of 3")

        store.locator(".kedis-store-filter").fill("user:*")
        expect(keys).to_have_text(['"user:1"', '"user:2"'])
        expect(store.locator(".kedis-store-total")).to_have_text("2 of 123 keys match")
        expect(page).to_have_text("page 1 of 1")
        notebook.screenshot("store-filtered.png", store)
        assert notebook.problems == []


def test_the_flow_view_steps_forward_and_back_through_the_layers(server, browser):
    engine = kedis.Kedis()
    engine.run("SET k old")
    steps = engine.run("SET k v", trace=True).trace          # what the view must show, in order
    last = len(steps)
    name = write_notebook(server.root, "flow.ipynb", ["SET k old", "%flow SET k v", "GET k"])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        expect(notebook.outputs(1).last).to_have_text("OK")   # the reply, under the view
        flow = notebook.cell(1).locator(".kedis-flow")
        counter = flow.locator(".kedis-flow-step")
        current = flow.locator(".kedis-layer.kedis-current")
        forward, back = flow.locator(".kedis-flow-forward"), flow.locator(".kedis-flow-back")

        def shows(index: int) -> None:
            expect(counter).to_have_text(f"{index + 1} / {last}")
            expect(current).to_have_attribute("data-layer", steps[index].layer)
            expect(flow.locator(".kedis-flow-detail")).to_contain_text(steps[index].did)

        # The boxes are the layers this SET went through, in its order (no expiry box: it set
        # no deadline); the view stays on it, though the next cell ran GET k.
        expect(flow.locator(".kedis-layer")).to_have_text(path(steps))
        expect(flow.locator(".kedis-flow-history option")).to_have_text(["SET k v"])
        expect(flow.locator(".kedis-flow-mode")).to_have_text("stays on this command")
        shows(0)
        expect(back).to_be_disabled()
        # Forward, one click a step, to the step that writes the key.
        write = next(i for i, step in enumerate(steps)
                     if step.layer == "keyspace" and step.before != step.after)
        for index in range(1, write + 1):
            forward.click()
            shows(index)
        expect(flow.locator(".kedis-flow-picture .kedis-before")).to_contain_text('"old"')
        expect(flow.locator(".kedis-flow-picture .kedis-after")).to_contain_text('"v"')
        notebook.screenshot("flow.png", flow)
        back.click()
        shows(write - 1)
        back.click()
        shows(write - 2)
        flow.locator(".kedis-flow-play").click()            # plays to the last step, and stops
        shows(last - 1)
        expect(forward).to_be_disabled()
        assert notebook.problems == []


def test_a_lone_keys_expiry_bar_shrinks_as_its_time_runs_out(server, browser):
    name = write_notebook(server.root, "expiry-bar.ipynb", [
        "%clock fake\nSET session abc EX 100", "%expiry", "%clock advance 50s",
        "%clock advance 25s"])
    with NotebookPage.open(browser, server, name) as notebook:
        for index in (0, 1):
            notebook.run_cell(index)
        expiry = notebook.cell(1).locator(".kedis-expiry")
        countdown = expiry.locator(".kedis-expiry-row .kedis-countdown")
        expect(countdown).to_have_text("in 1 m 40 s")

        def filled() -> float:  # the bar's width, as a share of its track
            return expiry.locator(".kedis-expiry-bar").evaluate(
                "bar => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width")

        assert filled() == pytest.approx(1, abs=0.02)
        for index, left, share in ((2, "in 50.0 s", 0.5), (3, "in 25.0 s", 0.25)):
            notebook.run_cell(index)
            expect(countdown).to_have_text(left)
            assert filled() == pytest.approx(share, abs=0.02)  # scaled to its own 100 s TTL
        notebook.screenshot("expiry-bar.png", notebook.cell(1))
        assert notebook.problems == []


def test_the_expiry_view_shows_keys_expiring_lazily_and_actively_on_the_fake_clock(server, browser):
    name = write_notebook(server.root, "expiry.ipynb", [
        "%clock fake\nSET session abc EX 5\nSET keep 1 EX 100",
        "%expiry",
        "%clock advance 6s",
        "GET session",
        "%clock advance 100s\n%tick",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        for index in (0, 1):
            notebook.run_cell(index)
        expiry = notebook.cell(1).locator(".kedis-expiry")
        rows = expiry.locator(".kedis-expiry-row")
        events = expiry.locator(".kedis-expired-event")
        counters = expiry.locator(".kedis-expiry-counters")
        expect(rows.locator(".kedis-key")).to_have_text(['"session"', '"keep"'])  # soonest first
        expect(rows.locator(".kedis-countdown")).to_have_text(["in 5.0 s", "in 1 m 40 s"])
        expect(events).to_have_count(0)

        notebook.run_cell(2)       # its deadline has passed, but nothing has deleted it yet
        expect(rows.first.locator(".kedis-countdown")).to_contain_text("due")
        expect(events).to_have_count(0)
        # The expires table: two slots, "session" due, the cursor on the first slot.
        slots = expiry.locator(".kedis-slots .kedis-slot")
        expect(slots).to_have_count(2)
        expect(expiry.locator(".kedis-slots .kedis-slot-due")).to_have_text(['"session"'])
        expect(expiry.locator(".kedis-slots .kedis-slot-cursor")).to_have_count(1)
        notebook.screenshot("expiry-due.png", expiry)

        notebook.run_cell(3)       # GET finds it expired: lazy expiry deletes it
        expect(notebook.outputs(3)).to_have_text(["(nil)"])
        expect(events).to_have_count(1)
        expect(events.first).to_contain_text('"session"')
        expect(events.first).to_contain_text("lazy")
        expect(rows.locator(".kedis-key")).to_have_text(['"keep"'])
        expect(counters).to_contain_text("1 lazy")

        notebook.run_cell(4)       # an active cycle samples "keep", expired too, and deletes it
        expect(events).to_have_count(2)
        expect(events.first).to_contain_text('"keep"')            # newest first
        expect(events.first).to_contain_text("active")
        expect(counters).to_contain_text("1 active")
        expect(rows).to_have_count(0)
        expect(expiry.locator(".kedis-expiry-sample")).to_contain_text('"keep"')
        # The cycle drawn (the newest block: the kernel's real clock may have ticked before the
        # clock turned fake), the table emptied, "keep" among what the walk removed.
        newest = expiry.locator(".kedis-cycle.kedis-cycle-newest")
        expect(newest).to_have_class(re.compile("kedis-cycle-slow"))
        expect(newest.locator(".kedis-cycle-count")).to_have_text("−1")
        expect(expiry.locator(".kedis-removed")).to_contain_text('"keep"')
        expect(expiry.locator(".kedis-table-caption")).to_have_text("(empty: no key has a TTL)")
        notebook.screenshot("expiry.png", expiry)
        assert notebook.problems == []


def test_the_expiry_view_draws_a_slow_cycle_out_of_time_and_the_fast_cycle_after_it(server,
                                                                                   browser):
    name = write_notebook(server.root, "expiry-cycles.ipynb", [
        "%clock fake\nCONFIG SET hz 500",
        "%%python\nfor i in range(700):\n    db.run(f'SET burst:{i} v PX 500')\n"
        "for i in range(60):\n    db.run(f'SET stays:{i} v EX 100')",
        "%expiry",
        "%clock advance 1s\n%tick",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        expiry = notebook.cell(2).locator(".kedis-expiry")
        cycles = expiry.locator(".kedis-cycle")
        # %tick's slow cycle ran out of time (640 keys of its 500 us on the fake clock); the
        # kernel ran a fast cycle when the cell ended, as a server between rounds of commands.
        # (Before them, the kernel's real clock may have ticked before the clock turned fake.)
        expect(cycles.last).to_have_class(re.compile(r"kedis-cycle-fast"))
        expect(cycles.nth(-2)).to_have_class(re.compile(r"kedis-cycle-slow.*kedis-cycle-capped"))
        expect(expiry.locator(".kedis-expiry-sample")).to_contain_text("fast cycle (beforeSleep)")
        expect(expiry.locator(".kedis-slots .kedis-slot-cursor")).to_have_count(1)
        expect(expiry.locator(".kedis-slots .kedis-slot-walked").first).to_be_visible()
        notebook.screenshot("expiry-cycles.png", expiry)
        assert notebook.problems == []


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_the_views_show_a_key_made_of_html_as_text_and_run_nothing(server, browser, app):
    name = write_notebook(server.root, f"xss-views-{app}.ipynb", [
        f'SET "{XSS_KEY}" 1 EX 100\nSET plain 2',
        "%store",
        "%expiry",
        f'%flow GET "{XSS_KEY}"',
    ])
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        notebook.run_all()
        store = notebook.cell(1).locator(".kedis-store")
        expect(store.locator(".kedis-store-row .kedis-key")).to_have_text([f'"{XSS_KEY}"', '"plain"'])
        expiry = notebook.cell(2).locator(".kedis-expiry")
        expect(expiry.locator(".kedis-expiry-row .kedis-key")).to_have_text([f'"{XSS_KEY}"'])
        flow = notebook.cell(3).locator(".kedis-flow")
        expect(flow.locator(".kedis-flow-detail")).to_contain_text(XSS_KEY)
        expect(notebook.outputs(3).last).to_have_text('"1"')
        notebook.page.wait_for_timeout(500)  # time for an onerror that would fire
        assert notebook.page.locator(".jp-OutputArea img").count() == 0
        notebook.screenshot(f"xss-views-{app}.png", notebook.panel)
        assert notebook.dialogs == []
        assert notebook.problems == []


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_the_dashboard_shows_the_three_views_following_the_engine(server, browser, app):
    name = write_notebook(server.root, f"dashboard-{app}.ipynb", [
        "%clock fake\nSET user:1 alice\nSET session:7 token EX 30\nSET otp 4921 EX 5\nINCR visits",
        "%dashboard",
        "%clock advance 10s\nGET otp\n%tick\nSET user:2 bob",
    ])
    with NotebookPage.open(browser, server, name, app=app) as notebook:
        notebook.run_all()
        dashboard = notebook.cell(1).locator(".kedis-dashboard")
        store = dashboard.locator(".kedis-store")
        expect(store.locator(".kedis-store-row .kedis-key")).to_have_text(
            ['"session:7"', '"user:1"', '"user:2"', '"visits"'])
        expect(store.locator(".kedis-store-row.kedis-changed .kedis-key")).to_have_text('"user:2"')
        expiry = dashboard.locator(".kedis-expiry")
        expect(expiry.locator(".kedis-expiry-row .kedis-key")).to_have_text(['"session:7"'])
        expect(expiry.locator(".kedis-countdown")).to_have_text(["in 20.0 s"])
        expect(expiry.locator(".kedis-expired-event")).to_have_text(
            [re.compile(r'^"otp" expired .*lazy')])
        expect(expiry.locator(".kedis-expiry-sample")).to_contain_text('"session:7"')
        flow = dashboard.locator(".kedis-flow")
        expect(flow.locator(".kedis-flow-history")).to_contain_text("SET user:2 bob")
        expect(flow.locator(".kedis-flow-step")).to_have_text(re.compile(r"^1 / \d+$"))
        flow.locator(".kedis-flow-forward").click()
        expect(flow.locator(".kedis-flow-step")).to_have_text(re.compile(r"^2 / \d+$"))
        expect(flow.locator(".kedis-current")).to_have_attribute("data-layer", "parser")
        notebook.screenshot(f"dashboard-{app}.png", dashboard)
        assert notebook.problems == []


def test_the_dump_view_reads_left_to_right(server, browser):
    name = write_notebook(server.root, "dump.ipynb", [
        "SET greeting hello",
        "%%python\nfrom kedis.persistence.dumpview import DumpView\n"
        "DumpView(db.run('DUMP greeting').value)"])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        table = notebook.cell(1).locator("table.kedis-dump")
        expect(table).to_be_visible()
        row = table.locator("tbody tr").first
        aligned = row.locator("td").evaluate_all(
            "cells => cells.map(cell => getComputedStyle(cell).textAlign)")
        assert aligned == ["right", "left", "left"]  # JupyterLab's tables align right
        notebook.screenshot("dump-view.png", notebook.cell(1))
        assert notebook.problems == []


# --- the tutorials, as a reader runs them ----------------------------------------------------------
TUTORIAL_VIEWS = {  # a tutorial that runs in the browser, and the views it must draw
    "00-welcome": [".kedis-store"],
    "02-time-and-expiry": [".kedis-expiry"],
    "03-inside-a-command": [".kedis-flow"],
    "04-kedis-in-python": [".kedis-store", ".kedis-dashboard"],
}


@pytest.mark.parametrize("tutorial", sorted(TUTORIAL_VIEWS))
def test_a_tutorial_runs_to_its_end_in_jupyterlab_and_draws_its_views(server, browser, tutorial):
    # As a reader meets it: Run All from the top, through the cells that are meant to fail (a
    # lesson about an error: tagged raises-exception, so the run goes on), to the last cell.
    notebook = nbformat.read(NOTEBOOKS / f"{tutorial}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, server.root / f"{tutorial}.ipynb")
    with NotebookPage.open(browser, server, f"{tutorial}.ipynb") as page:
        page.run_all(timeout=90)
        for selector in TUTORIAL_VIEWS[tutorial]:
            expect(page.panel.locator(selector).first).to_be_visible()
        checks = [i for i, cell in enumerate(c for c in notebook.cells if c.cell_type == "code")
                  if "check(" in cell.source]
        for index in checks:  # the exercises are not done: each check says so
            expect(page.outputs(index).last).to_contain_text("Not yet")
        page.screenshot(f"tutorial-{tutorial}.png")
        assert page.problems == []
