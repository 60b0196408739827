"""Each view's picture: its last state as text and static HTML, for where the live view cannot be
drawn (a saved notebook reopened without its kernel, nbconvert, a code host's preview, a console).
"""

from __future__ import annotations

import html
import re

import pytest
from kernel_client import kernel_session

from kedis.widgets import Dashboard, ExpiryView, FlowView, StoreView, _live, close_views

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HOSTILE = b"<img src=x onerror=alert(1)>"


@pytest.fixture
def views(db):
    yield db
    close_views(db)


def cells(picture_html: str) -> list[list[str]]:
    """The text of each row of the picture's first table, as a reader sees it."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", picture_html, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell))
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)] for row in rows]


# --- StoreView -----------------------------------------------------------------------------
def test_the_store_picture_shows_each_key_its_type_value_and_ttl(views):
    views.execute("SET", "greeting", "hello")
    views.execute("SET", "session", "x", "EX", "10")
    view = StoreView(views)
    text = view.picture_text()
    assert text.splitlines()[0] == "StoreView of db 0: 2 keys"
    assert re.search(r'"greeting"\s+string\s+"hello"\s+no TTL\s+5', text)
    assert re.search(r'"session"\s+string\s+"x"\s+10\.0 s\s+1', text)
    assert cells(view.picture_html()) == [
        ["key", "type", "value", "TTL", "size"],
        ['"greeting"', "string", '"hello"', "no TTL", "5"],
        ['"session"', "string", '"x"', "10.0 s", "1"]]


def test_the_store_picture_follows_the_commands_and_the_clock(views, clock):
    view = StoreView(views)
    assert "(no keys)" in view.picture_text()
    views.execute("SET", "k", "1", "EX", "100")
    views.execute("INCR", "k")
    clock.advance(40)
    views.execute("SET", "other", "v")
    text = view.picture_text()
    assert re.search(r'"k"\s+string\s+"2"\s+1 m 00 s', text)  # 60 s left of the 100
    assert "last command: SET other v" in text and '"other": (no key) → string "v"' in text
    # The row the last command changed is marked in the HTML picture too.
    assert re.search(r'<tr style="background-color: #fff3c4"><td[^>]*>&quot;other&quot;',
                     view.picture_html())


def test_the_store_picture_shows_the_filter_and_the_page(views):
    for n in range(5):
        views.execute("SET", f"user:{n}", "v")
    views.execute("SET", "other", "v")
    view = StoreView(views, pattern="user:*", page_size=2)
    view.next_page()
    assert view.picture_text().splitlines()[0] == (
        "StoreView of db 0: 6 keys, 5 matching user:* (page 2 of 3)")
    assert [row[0] for row in cells(view.picture_html())[1:]] == ['"user:2"', '"user:3"']


def test_a_key_made_of_html_is_escaped_in_every_picture(views):
    views.execute("SET", HOSTILE, b"<script>alert(2)</script>", "EX", "10")
    board = Dashboard(views)
    views.run('GET "<img src=x onerror=alert(1)>"')
    for view in (board.store, board.expiry, board.flow, board):
        picture = view.picture_html()
        assert "<img" not in picture and "<script" not in picture
        assert "&lt;img src=x onerror=alert(1)&gt;" in picture
        assert "<img src=x onerror=alert(1)>" in view.picture_text()


def test_no_picture_has_a_script_a_stylesheet_or_an_event_handler(views):
    views.execute("SET", "k", "v", "EX", "5")
    views.run("GET k")
    board = Dashboard(views)
    picture = board.picture_html()
    assert not re.search(r"<(script|style|link|iframe)\b|\son\w+=", picture, re.I)
    # Every style is inline, on the element it styles.
    assert all(tag in ("div", "table", "thead", "tbody", "tr", "th", "td", "span", "b", "ol", "li", "pre")
               for tag in re.findall(r"<(\w+)", picture))


# --- ExpiryView ----------------------------------------------------------------------------
def test_the_expiry_picture_lists_the_deadlines_in_order_and_the_expirations(views, clock):
    views.execute("SET", "late", "v", "EX", "100")
    views.execute("SET", "soon", "v", "EX", "5")
    views.execute("SET", "forever", "v")
    view = ExpiryView(views)
    rows = cells(view.picture_html())
    assert rows[0] == ["key", "expires in", "deadline"]
    assert [row[:2] for row in rows[1:]] == [['"soon"', "5.0 s"], ['"late"', "1 m 40 s"]]
    clock.advance(6)
    view.flush()  # (as the end of a cell does: the browser then has the clock's new time)
    assert "due, still stored" in view.picture_text()  # nothing has removed it yet
    views.execute("GET", "soon")  # lazily expired
    text = view.picture_text()
    assert text.splitlines()[0] == ("ExpiryView of db 0: 1 key with a TTL; expired so far: "
                                    "1 lazily, 0 actively")
    assert '"soon" expired lazily (db 0, 2023-11-14 22:13:26.000 UTC, fake clock)' in text


# --- FlowView ------------------------------------------------------------------------------
def test_the_flow_picture_draws_the_path_and_marks_the_current_step(views):
    view = FlowView(views)
    assert view.picture_text() == repr(view)  # no command yet
    views.run("SET k v")
    text = view.picture_text().splitlines()
    assert text[0] == "FlowView: step 1 of 6"
    assert text[1] == "  [input] → parser → command table → handler → keyspace → reply"
    assert text[2].startswith(">  1 input")
    view.forward()
    view.forward()
    text = view.picture_text().splitlines()
    assert text[0] == "FlowView: step 3 of 6"
    assert text[1] == "  input → parser → [command table] → handler → keyspace → reply"
    assert [line[:9] for line in text if line.startswith(">")] == [">  3 comm"]
    picture = view.picture_html()
    assert re.search(r"<b style=\"[^\"]*background-color: #1565c0[^\"]*\">command table</b>",
                     picture)  # the current box, lit (and bold where styles are dropped)
    assert picture.count("<li") == 6


def test_the_flow_picture_reads_only_layers_steps_and_step():
    class Traits:  # what the FlowView's picture may rely on (the view is being redesigned)
        layers = ["input", "handler", "reply"]
        steps = [{"layer": "input", "did": "read it", "received": "PING", "handed_on": "[PING]"},
                 {"layer": "handler", "did": "ran ping", "received": "", "handed_on": "PONG"},
                 {"layer": "reply", "did": "answered", "received": "PONG", "handed_on": ""}]
        step = 1

    from kedis.widgets import picture

    text = picture.flow_text(Traits())
    assert "  input → [handler] → reply" in text and "handed on: PONG" in text
    assert "ran ping" in picture.flow_html(Traits())


# --- Dashboard -----------------------------------------------------------------------------
def test_the_dashboard_picture_holds_its_three_views(views):
    board = Dashboard(views)
    views.execute("SET", "k", "v", "EX", "10")
    text = board.picture_text()
    assert [line for line in text.splitlines() if line.endswith(("keys", "key"))
            or "View" in line][:3] == [
        "StoreView of db 0: 1 key",
        "ExpiryView of db 0: 1 key with a TTL; expired so far: 0 lazily, 0 actively",
        "FlowView: step 1 of 7"]
    picture = board.picture_html()
    for kind in ("dashboard", "store", "expiry", "flow"):
        assert f"kedis-picture-{kind}" in picture


# --- the bundle and its outputs ------------------------------------------------------------
@pytest.mark.parametrize("make", [StoreView, ExpiryView, FlowView, Dashboard])
def test_the_bundle_holds_the_widget_view_and_both_pictures(views, make):
    views.execute("SET", "k", "v")
    view = make(views)
    data, _ = view._repr_mimebundle_()
    assert set(data) == {WIDGET_VIEW, "text/plain", "text/html"}
    assert data[WIDGET_VIEW]["model_id"] == view.model_id
    assert data["text/plain"] == view.picture_text() and data["text/html"] == view.picture_html()


def test_the_bundle_is_of_the_state_after_the_last_commands(views):
    view = StoreView(views)
    views.execute("SET", "a", "1")
    views.execute("SET", "b", "2")
    data, _ = view._repr_mimebundle_()
    assert '"b"' in data["text/plain"] and "&quot;b&quot;" in data["text/html"]


def test_a_kernel_publishes_the_live_view_then_its_picture_with_a_display_id(views, shell):
    data, metadata = StoreView(views)._repr_mimebundle_()
    (live, _, live_transient), (still, _, transient) = _live.outputs_of(data, metadata)
    assert live == {WIDGET_VIEW: data[WIDGET_VIEW], "text/plain": _live.LIVE_TEXT}
    assert live_transient == {}
    assert still == {"text/plain": data["text/plain"], "text/html": data["text/html"]}
    assert transient == {"display_id": "kedis-picture-" + data[WIDGET_VIEW]["model_id"]}
    # Anything else is published as it is: a reply, a FlowView of one given trace (it never
    # changes: one output, its picture beside the widget view).
    assert _live.outputs_of({"text/plain": "OK"}, {}) == [({"text/plain": "OK"}, {}, {})]
    views.execute("SET", "k", "v")
    fixed = FlowView().show(views.run("GET k", trace=True))._repr_mimebundle_()
    assert _live.outputs_of(*fixed) == [(*fixed, {})]


class FakeShell:
    """What the views ask of IPython's shell in a kernel: post_execute, and a display publisher
    (which records what it is given)."""

    def __init__(self) -> None:
        self.kernel = object()
        self.events = self
        self.display_pub = self
        self.after_cell: list = []
        self.updates: list[dict] = []

    def register(self, name, callback) -> None:
        if name == "post_execute":
            self.after_cell.append(callback)

    def publish(self, data, metadata=None, transient=None, update=False) -> None:
        self.updates.append({"data": data, "transient": transient, "update": update})

    def cell_ends(self) -> None:
        for callback in self.after_cell:
            callback()


@pytest.fixture
def shell(monkeypatch):
    shell = FakeShell()
    monkeypatch.setattr(_live, "_kernel_shell", lambda: shell)
    monkeypatch.setattr(_live, "_IDLE_SHELLS", set())
    yield shell
    _live._SHOWN.clear()
    _live._FOLLOWING.clear()


def test_the_end_of_a_cell_redraws_the_picture_of_a_view_that_changed_only(views, shell):
    store, flow = StoreView(views), FlowView(views)
    store._repr_mimebundle_()
    flow._repr_mimebundle_()
    shell.cell_ends()
    assert shell.updates == []  # nothing changed since they were shown
    views.execute("SET", "k", "new")
    shell.cell_ends()
    ids = [update["transient"]["display_id"] for update in shell.updates]
    assert sorted(ids) == sorted(f"kedis-picture-{view.model_id}" for view in (store, flow))
    assert all(update["update"] for update in shell.updates)
    picture = next(update["data"] for update in shell.updates
                   if update["transient"]["display_id"].endswith(store.model_id))
    assert set(picture) == {"text/plain", "text/html"}  # the live output is left alone
    assert '"k"' in picture["text/plain"] and "&quot;k&quot;" in picture["text/html"]
    shell.updates.clear()
    shell.cell_ends()
    assert shell.updates == []
    flow.back()  # a change the browser makes (a step) is redrawn too
    flow.forward()
    shell.cell_ends()
    assert [update["transient"]["display_id"] for update in shell.updates] == [
        f"kedis-picture-{flow.model_id}"]


class FakeLoop:
    """The kernel's event loop, for redraw_soon: what it was asked to run later."""

    def __init__(self) -> None:
        self.later: list = []

    def call_later(self, delay, callback) -> None:
        self.later.append((delay, callback))


def test_cells_in_quick_succession_redraw_once_a_second_and_the_last_one_still(views, shell,
                                                                             monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(_live.time, "monotonic", lambda: now[0])
    monkeypatch.setitem(_live._redraws, "last", 0.0)
    shell.kernel = type("Kernel", (), {"io_loop": FakeLoop()})()
    loop = shell.kernel.io_loop
    view = StoreView(views)
    view._repr_mimebundle_()
    views.execute("SET", "a", "1")
    shell.cell_ends()  # the first: at once
    assert len(shell.updates) == 1 and loop.later == []
    now[0] += 0.2
    views.execute("SET", "b", "2")
    shell.cell_ends()
    now[0] += 0.2
    views.execute("SET", "c", "3")
    shell.cell_ends()  # within the second: later, once
    assert len(shell.updates) == 1
    assert [delay for delay, _ in loop.later] == [pytest.approx(0.8)]
    now[0] += 0.8
    loop.later.pop()[1]()  # the event loop runs it, between cells
    assert len(shell.updates) == 2 and '"c"' in shell.updates[-1]["data"]["text/plain"]


def test_a_page_or_filter_asked_for_redraws_the_picture_without_waiting_for_a_cell(views,
                                                                                   shell):
    for n in range(5):
        views.execute("SET", f"user:{n}", "v")
    view = StoreView(views, page_size=2)
    view._repr_mimebundle_()
    view.next_page()  # as the browser's button does: no cell runs, the picture follows
    assert len(shell.updates) == 1 and "(page 2 of 3)" in shell.updates[-1]["data"]["text/plain"]
    view.pattern = "user:[34]"
    assert "2 matching user:[34]" in shell.updates[-1]["data"]["text/plain"]


def test_a_closed_view_keeps_its_last_picture(views, shell):
    view = StoreView(views)
    view._repr_mimebundle_()
    view.close()
    views.execute("SET", "k", "v")
    shell.cell_ends()
    assert shell.updates == [] and view not in _live._SHOWN


def test_a_dashboard_redraws_when_one_of_its_views_changed(views, shell):
    board = Dashboard(views)
    board._repr_mimebundle_()
    shell.cell_ends()
    assert shell.updates == []
    views.execute("SET", "k", "v", "EX", "10")
    shell.cell_ends()
    assert [update["transient"]["display_id"] for update in shell.updates] == [
        f"kedis-picture-{board.model_id}"]
    assert "StoreView of db 0: 1 key" in shell.updates[0]["data"]["text/plain"]


# --- in a real kernel ------------------------------------------------------------------------
def test_in_the_kernel_a_view_cell_has_the_live_view_then_a_picture_that_follows_the_cells():
    with kernel_session() as kernel:
        # (no time between two redraws: each cell's update comes before the cell's idle)
        kernel.run("%python import kedis.widgets._live; kedis.widgets._live.REDRAW_INTERVAL = 0")
        shown = kernel.run("SET a 1\n%store")
        live, still = shown.displays[1:]
        assert WIDGET_VIEW in live["data"] and live["transient"] == {}
        display_id = still["transient"]["display_id"]
        assert display_id == "kedis-picture-" + live["data"][WIDGET_VIEW]["model_id"]
        assert '"a"' in still["data"]["text/plain"]
        later = kernel.run("SET b 2")
        updates = [out for out in later.outputs if out["msg_type"] == "update_display_data"]
        assert [update["transient"]["display_id"] for update in updates] == [display_id]
        assert re.search(r'"b"\s+string\s+"2"', updates[0]["data"]["text/plain"])
        assert "&quot;b&quot;" in updates[0]["data"]["text/html"]
        quiet = kernel.run("%lsmagic")  # no command: nothing the view shows has changed
        assert not [out for out in quiet.outputs if out["msg_type"] == "update_display_data"]
