"""In the browser: the StructureView as a user sees it, in JupyterLab (see browser.py).

``%structure`` on a set while SADD widens its intset and turns it into a hash table, stepped
through with the keyboard; a string's three encodings; the Dashboard's structure tab, picked by a
click in the store; and the Dashboard at 1400 x 900, where no control bar may wrap to a second
line and every time written out names its clock. Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    NotebookPage,
    expect,
    write_notebook,
)

pytestmark = pytest.mark.timeout(240)


def field_hex(view, name: str) -> list[str]:
    """The hex cells of the field whose name is ``name`` (the first such field)."""
    field = view.locator(".kedis-sv-field").filter(
        has=view.page.locator(".kedis-sv-name", has_text=re.compile(f"^{re.escape(name)}$")))
    return field.first.locator(".kedis-sv-hex").all_text_contents()


def test_structure_draws_a_list_as_its_quicklist_and_a_push_that_splits_a_node(server, browser):
    name = write_notebook(server.root, "structure-list.ipynb", [
        "CONFIG SET list-max-listpack-size 3\nRPUSH l a b 42",
        "%structure l",
        "RPUSH l c",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        view = notebook.cell(1).locator(".kedis-structure")
        expect(view.locator(".kedis-sv-step")).to_have_text("state 2 / 2")
        expect(view.locator(".kedis-sv-transition")).to_have_text("nodes: 1 → 2")
        # Each node a listpack: its header, each entry's bytes (42 as one byte, 0x2a, and its
        # backlen), its end byte.
        assert field_hex(view, "[2]") == ["2a", "01"]
        assert field_hex(view, "end") == ["ff"]
        notebook.screenshot("structure-list.png", view)
        view.focus()
        view.press("ArrowLeft")
        expect(view.locator(".kedis-sv-step")).to_have_text("state 1 / 2")


def test_structure_follows_a_set_from_intset_to_hashtable_and_steps_with_the_keyboard(server,
                                                                                        browser):
    name = write_notebook(server.root, "structure-set.ipynb", [
        "SADD s 1 2 3",
        "%structure s",
        "SADD s 70000\nSADD s hello",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        view = notebook.cell(1).locator(".kedis-structure")
        # The newest state: the hash table, its members in the buckets' chains.
        expect(view.locator(".kedis-sv-step")).to_have_text("state 3 / 3")
        expect(view.locator(".kedis-sv-transition")).to_have_text("converted: intset → hashtable")
        expect(view.locator(".kedis-sv-table .kedis-sv-bucket")).to_have_count(8)
        members = view.locator(".kedis-sv-entry .kedis-sv-member").all_text_contents()
        assert sorted(members) == ['"1"', '"2"', '"3"', '"70000"', '"hello"']
        notebook.screenshot("structure-hashtable.png", view)
        # Back with the left arrow: the intset widened to 4 bytes, every cell marked.
        view.focus()
        view.press("ArrowLeft")
        expect(view.locator(".kedis-sv-step")).to_have_text("state 2 / 3")
        expect(view.locator(".kedis-sv-transition")).to_have_text("upgrade: 2 → 4 bytes a member")
        assert field_hex(view, "encoding") == ["04", "00", "00", "00"]
        assert field_hex(view, "[3]") == ["70", "11", "01", "00"]  # 70000, little-endian
        expect(view.locator(".kedis-sv-member.kedis-sv-changed")).to_have_count(4)
        notebook.screenshot("structure-intset.png", view)
        # Home: the set as the view found it, 2 bytes a member; End: the newest again.
        view.press("Home")
        expect(view.locator(".kedis-sv-step")).to_have_text("state 1 / 3")
        assert field_hex(view, "[0]") == ["01", "00"]
        view.press("End")
        expect(view.locator(".kedis-sv-step")).to_have_text("state 3 / 3")
        view.locator(".kedis-sv-back").click()
        expect(view.locator(".kedis-sv-step")).to_have_text("state 2 / 3")
        assert notebook.problems == []


def test_structure_draws_a_strings_int_embstr_and_raw_with_their_sizes(server, browser):
    name = write_notebook(server.root, "structure-string.ipynb", [
        "SET n 42\nSET greeting hello\nSET long " + "x" * 50,
        "%structure n", "%structure greeting", "%structure long",
        "APPEND greeting <b>!</b>",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        number, short, long = (notebook.cell(i).locator(".kedis-structure") for i in (1, 2, 3))
        expect(number.locator(".kedis-sv-block-name")).to_have_text(["robj, shared (made at start)"])
        assert field_hex(number, "ptr") == ["2a"] + ["00"] * 7
        expect(long.locator(".kedis-sv-block-name")).to_have_text(["robj", "sds, sdshdr8"])
        assert field_hex(long, "len") == ["32"]
        # The embstr, then APPEND: raw, with an SDS of its own; the bytes shown as text, not HTML.
        expect(short.locator(".kedis-sv-transition")).to_have_text("converted: embstr → raw")
        expect(short.locator(".kedis-sv-summary")).to_contain_text("raw (changed in place)")
        assert "".join(short.locator(".kedis-sv-char").all_text_contents()) == "hello<b>!</b>"
        assert short.locator("b").count() == 0
        notebook.screenshot("structure-raw.png", notebook.cell(2))
        short.locator(".kedis-sv-back").click()
        expect(short.locator(".kedis-sv-block-name")).to_have_text(
            ["robj + sdshdr8 + bytes + NUL: one allocation"])
        expect(short.locator(".kedis-sv-size")).to_have_text(
            ["25 bytes, in a 32-byte allocation"])
        notebook.screenshot("structure-string.png", notebook.cell(2))
        assert notebook.problems == []


def test_the_dashboard_fits_1400_px_and_shows_a_clicked_keys_structure(server, browser):
    name = write_notebook(server.root, "dashboard-1400.ipynb", [
        "SET user:1 alice\nSET session:7 token EX 30\nSADD s 1 2 3",
        "%dashboard",
        "%tick\n%clock fake\nSET otp 4921 EX 5\n%clock advance 10s\nGET otp\n%tick\nSADD s 9",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.page.set_viewport_size({"width": 1400, "height": 900})
        notebook.run_all()
        board = notebook.cell(1).locator(".kedis-dashboard")
        expect(board.locator(".kedis-store-row .kedis-key")).to_have_count(3)
        notebook.page.wait_for_timeout(500)
        bars = board.evaluate("""(board) => [...board.querySelectorAll('.kedis-bar')]
            .filter((bar) => bar.offsetParent !== null)
            .map((bar) => {
                // One line: the bar no taller than its tallest control.
                const tallest = Math.max(...[...bar.children].filter((c) => c.offsetParent !== null)
                    .map((c) => c.getBoundingClientRect().height));
                return {view: bar.closest('.kedis-view').className,
                        one_line: bar.getBoundingClientRect().height <= tallest + 2,
                        overflow: bar.scrollWidth > bar.clientWidth + 1};
            })""")
        assert len(bars) == 3 and all(bar["one_line"] and not bar["overflow"] for bar in bars), \
            bars
        # Every time written out says which clock: the cycle run on the real clock before
        # %clock fake (2026) and the fake one's (2023) side by side, each labelled.
        # (The store and the expiry queue; the FlowView's "ran at" titles are its own module's.)
        text = "\n".join(board.evaluate("""(board) =>
            [...board.querySelectorAll('.kedis-store, .kedis-expiry')].flatMap((view) =>
                [view.innerText, ...[...view.querySelectorAll('[title]')].map((e) => e.title)])"""))
        timed = [line for line in text.splitlines() if re.search(r"\d{4}-\d\d-\d\d ", line)]
        unlabelled = [line for line in timed if not re.search(r"(fake|real) clock", line)]
        assert timed and unlabelled == []
        assert any("2023-" in line for line in timed) and any("real clock" in line for line in timed)
        notebook.screenshot("dashboard-1400.png", board)
        # A click on a key of the store: the structure tab comes to the front, on that key.
        board.locator(".kedis-store-row .kedis-key", has_text='"s"').click()
        structure = board.locator(".kedis-structure")
        expect(structure).to_be_visible()
        expect(structure.locator(".kedis-title")).to_have_text('"s"')
        expect(structure.locator(".kedis-sv-summary")).to_contain_text("intset: 4 integers")
        expect(structure.locator(".kedis-sv-follow")).to_be_visible()
        notebook.screenshot("dashboard-1400-structure.png", board)
        assert notebook.problems == []
