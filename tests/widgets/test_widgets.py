"""The live views (kedis.widgets) without a browser: what each view syncs after commands.

A widget's synced traits are exactly what the browser receives, so these tests read them: the
rows of a StoreView, the queue and expirations of an ExpiryView, the steps of a FlowView. Outside
a Jupyter kernel every event is pushed at once, so the traits are current after each command; the
kernel's throttling is tested with a stand-in for IPython's shell. The browser side (the DOM) is
tested by tests/widgets/test_browser.py; here, only that the JavaScript never writes HTML from data.
"""

from __future__ import annotations

import random
import re
from importlib.resources import files

import ipywidgets
import pytest

import kedis
from kedis.engine.parser import repr_bytes
from kedis.engine.trace import LAYERS
from kedis.jupyter.cells import CellRunner
from kedis.jupyter.errors import MagicError
from kedis.widgets import Dashboard, ExpiryView, FlowView, StoreView, _live, close_views, views_of

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
XSS_KEY = "<img src=x onerror=alert(1)>"
START_MS = 1_700_000_000_000


@pytest.fixture
def views():
    """Close every view a test opens, so that none outlives it."""
    opened = []
    yield opened.append
    for view in opened:
        view.close()


@pytest.fixture
def store(db, views) -> StoreView:
    view = StoreView(db)
    views(view)
    return view


@pytest.fixture
def expiry(db, views) -> ExpiryView:
    view = ExpiryView(db)
    views(view)
    return view


@pytest.fixture
def flow(db, views) -> FlowView:
    view = FlowView(db)
    views(view)
    return view


def keys_of(view) -> list[str]:
    return [row["key"] for row in view.rows]


def fill(db: kedis.Kedis, count: int, prefix: bytes = b"key:") -> None:
    """``count`` keys ``key:000000``..., set with MSET a thousand at a time."""
    for start in range(0, count, 1000):
        pairs = []
        for i in range(start, min(start + 1000, count)):
            pairs += [b"%s%06d" % (prefix, i), b"v%d" % i]
        db.execute(b"MSET", *pairs)


# --- StoreView: the rows ---------------------------------------------------------------------
def test_the_store_shows_each_key_with_its_type_value_ttl_and_size(db, store):
    db.run('SET greeting "hello world" EX 100')
    db.run("SET counter 41")
    assert store.rows == [
        {"key": '"counter"', "type": "string", "value": '"41"', "size": 2, "expires_at": None,
         "expires_text": ""},
        {"key": '"greeting"', "type": "string", "value": '"hello world"', "size": 11,
         "expires_at": START_MS + 100_000, "expires_text": "2023-11-14 22:15:00.000 UTC"},
    ]
    assert (store.total, store.db_size, store.page_count, store.db) == (2, 2, 1, 0)


def test_the_store_sends_the_engine_clock_and_whether_it_is_fake(db, store, views):
    db.run("SET k v EX 10")
    assert store.fake_clock is True and store.now_ms == START_MS
    real = kedis.Kedis()
    view = StoreView(real)
    views(view)
    real.run("SET k v EX 10")
    assert view.fake_clock is False
    assert abs(view.now_ms - real.clock.ms()) < 5_000
    assert view.rows[0]["expires_at"] - view.now_ms == pytest.approx(10_000, abs=1_000)


def test_the_keys_the_last_command_named_are_marked_with_what_changed(db, store):
    db.run("SET a 1")
    db.run("SET b 2 EX 50")
    db.run("INCR a")
    assert store.last_command == "INCR a"
    assert store.changes == [{"key": '"a"', "changed": True, "change": '"1" → "2"'}]
    db.run("DEL a b nothing")
    assert store.last_command == "DEL a b nothing"
    assert [change["change"] for change in store.changes] == [
        'string "2" → (no key)', 'string "2" → (no key)', "no such key"]
    db.run("SET c 3")
    db.run("EXPIRE c 10")
    assert store.changes[0]["change"] == "no TTL → expires 2023-11-14 22:13:30.000 UTC"
    db.run("GET c")
    assert store.changes == [{"key": '"c"', "changed": False, "change": "unchanged"}]


def test_keys_and_values_are_shown_as_redis_cli_escapes_them(db, store):
    db.execute("SET", XSS_KEY, b"\x00\xff\"quoted\"\n")
    db.execute("SET", "caf\u00e9", "v")
    rows = {row["key"]: row for row in store.rows}
    assert f'"{XSS_KEY}"' in rows  # text, exactly as redis-cli prints it
    assert rows[f'"{XSS_KEY}"']["value"] == '"\\x00\\xff\\"quoted\\"\\n"'
    assert '"caf\\xc3\\xa9"' in rows
    assert store.changes[0]["key"] == '"caf\\xc3\\xa9"'


def test_a_long_value_is_cut_near_sixty_characters_never_inside_an_escape(db, store):
    db.execute("SET", "text", "x" * 500)
    db.execute("SET", "binary", bytes(range(256)))
    rows = {row["key"]: row["value"] for row in store.rows}
    assert rows['"text"'] == '"' + "x" * 60 + '..."'
    binary = rows['"binary"']
    assert binary.endswith('..."') and len(binary) <= 66
    assert repr_bytes(bytes(range(256))).startswith(binary[:-4])  # a prefix of whole escapes


def test_the_store_shows_a_set_with_its_members_escaped_and_their_total_size(db, store):
    db.execute("SADD", "tags", "b", "a", b"\x00\"q")
    db.execute("SADD", "ids", "30", "4")
    rows = {row["key"]: row for row in store.rows}
    assert rows['"tags"']["type"] == "set"
    assert rows['"tags"']["value"] == '{"b", "a", "\\x00\\"q"}'
    assert rows['"tags"']["size"] == 5  # the members' bytes, added up
    assert rows['"ids"']["value"] == '{"4", "30"}'  # a small set of integers: sorted
    db.execute("SADD", "tags", "c")
    assert store.changes == [{"key": '"tags"', "changed": True,
                              "change": '{"b", "a", "\\x00\\"q"} → {"b", "a", "\\x00\\"q", "c"}'}]
    assert {row["key"]: row for row in store.rows}['"tags"']["size"] == 6


def test_a_big_set_is_cut_near_sixty_characters(db, store):
    db.execute("SADD", "big", *[b"member:%05d" % i for i in range(10_000)])
    value = store.rows[0]["value"]
    assert value.startswith('{"member:00000", ') and value.endswith(", ...}")
    assert len(value) <= 70


def test_the_javascript_never_writes_html_from_data():
    static = files("kedis.widgets").joinpath("static")
    sources = {path.name: path.read_text() for path in static.iterdir() if path.name.endswith(".js")}
    assert set(sources) >= {"common.js", "store.js", "expiry.js", "flow.js"}
    for name, source in sources.items():
        for forbidden in (r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML",
                          r"document\.write", r"\beval\(", r"new Function\("):
            assert not re.search(forbidden, source), (name, forbidden)
        assert "textContent" in source or name != "common.js"


# --- StoreView: paging, filtering, following --------------------------------------------------
def test_a_store_of_100000_keys_is_paged_and_only_one_page_is_sent(db, views):
    fill(db, 100_000)
    view = StoreView(db, page_size=50)
    views(view)
    assert (view.total, view.page_count, len(view.rows)) == (100_000, 2000, 50)
    assert keys_of(view)[:2] == ['"key:000000"', '"key:000001"']
    view.next_page()
    assert view.page == 1 and keys_of(view)[0] == '"key:000050"'
    view.page = 1999
    assert keys_of(view)[-1] == '"key:099999"' and len(view.rows) == 50
    view.next_page()
    assert view.page == 1999  # no page past the last
    view.page = 10_000         # the browser asks too far: the last page it gets
    assert view.page == 1999
    view.prev_page()
    assert view.page == 1998 and keys_of(view)[0] == '"key:099900"'
    db.run("SET key:099920x new")  # a key lands on this page: the page shows it in its place
    assert keys_of(view)[20:23] == ['"key:099920"', '"key:099920x"', '"key:099921"']
    assert view.total == 100_001 and view.page_count == 2001


def test_the_filter_is_a_redis_glob_and_new_keys_join_it_when_they_match(db, store):
    db.execute("MSET", "user:1", "a", "user:2", "b", "hello", "c", "hallo", "d", "session", "e")
    store.pattern = "user:*"
    assert keys_of(store) == ['"user:1"', '"user:2"'] and store.total == 2 and store.db_size == 5
    db.run("SET user:3 c")
    db.run("SET other x")
    assert keys_of(store) == ['"user:1"', '"user:2"', '"user:3"'] and store.db_size == 7
    store.pattern = "h[ae]llo"
    assert keys_of(store) == ['"hallo"', '"hello"']
    store.pattern = "*"
    assert store.total == 7


def test_changing_the_filter_goes_back_to_the_first_page(db, views):
    fill(db, 500)
    view = StoreView(db, page_size=10)
    views(view)
    view.page = 7
    view.pattern = "key:00010*"
    assert view.page == 0 and view.total == 10


def test_the_sorted_keys_follow_any_mix_of_commands_without_a_rebuild(db, store):
    rng = random.Random(7)
    rebuilds = []
    original = store._rebuild
    store._rebuild = lambda: (rebuilds.append(1), original())
    for _ in range(2000):
        key = f"k{rng.randrange(60)}"
        choice = rng.randrange(6)
        if choice == 0:
            db.run(f"DEL {key} k{rng.randrange(60)}")
        elif choice == 1:
            db.run(f"RENAME {key} k{rng.randrange(60)}")
        elif choice == 2:
            db.run(f"SET {key} v PX {rng.randrange(1, 50)}")
        elif choice == 3:
            db.clock.advance(0.01)
            db.run(f"GET {key}")  # lazy expiry, at times
        elif choice == 4:
            db.tick()  # active expiry
        else:
            db.run(f"COPY {key} k{rng.randrange(60)} REPLACE")
        assert store._keys == sorted(db.keyspace.data)
    assert rebuilds == []


def test_select_moves_a_following_view_and_leaves_a_fixed_one(db, store, views):
    fixed = StoreView(db, db=0)
    views(fixed)
    db.run("SET zero 0")
    db.run("SELECT 1")
    db.run("SET one 1")
    assert store.db == 1 and keys_of(store) == ['"one"']
    assert fixed.db == 0 and keys_of(fixed) == ['"zero"']


def test_flushdb_and_flushall_empty_the_view(db, store, views):
    other = StoreView(db, db=3)
    views(other)
    db.execute("MSET", "a", "1", "b", "2")
    db.run("FLUSHDB")
    assert store.rows == [] and store.total == 0
    db.run("SELECT 3")
    db.run("SET c 3")
    db.run("SELECT 0")
    assert keys_of(other) == ['"c"']
    db.run("FLUSHALL")
    assert other.rows == [] and other.db_size == 0


def test_a_copy_into_another_database_reaches_that_databases_view(db, views):
    target = StoreView(db, db=5)
    views(target)
    db.run("SET src v")
    db.run("COPY src dst DB 5")
    assert keys_of(target) == ['"dst"']


def test_a_change_behind_the_engines_back_is_caught_by_refresh(db, store):
    db.keyspace.data[b"sneaky"] = b"v"  # no command, no event
    store.refresh()
    assert keys_of(store) == ['"sneaky"']


# --- expiry, lazy and active -------------------------------------------------------------------
def test_a_key_past_its_deadline_stays_until_touched_then_expires_lazily(db, store, expiry):
    db.run("SET session abc EX 10")
    db.clock.advance(11)
    db.run("PING")  # any command: the view syncs the clock, the key is still stored
    assert keys_of(store) == ['"session"']
    assert store.rows[0]["expires_at"] < store.now_ms  # the browser marks it stale
    assert keys_of(expiry) == ['"session"']  # ... and due on the timeline
    db.run("GET session")
    assert store.rows == []
    assert store.changes == [{"key": '"session"', "changed": True,
                              "change": 'string "abc" → (expired, lazy)'}]
    assert expiry.rows == [] and expiry.lazy_count == 1 and expiry.active_count == 0
    assert expiry.events == [{"key": '"session"', "how": "lazy", "db": 0,
                              "at_ms": START_MS + 11_000,
                              "at_text": "2023-11-14 22:13:31.000 UTC, fake clock"}]


def test_the_active_cycle_expires_keys_and_its_sample_is_shown(db, store, expiry):
    db.execute("MSET", "keep", "1", "a", "2", "b", "3")
    db.run("EXPIRE a 1")
    db.run("EXPIRE b 1")
    db.run("EXPIRE keep 100")
    db.clock.advance(2)
    db.tick()
    assert keys_of(store) == ['"keep"']
    assert expiry.active_count == 2 and expiry.lazy_count == 0
    assert sorted(event["key"] for event in expiry.events) == ['"a"', '"b"']
    assert {event["how"] for event in expiry.events} == {"active"}
    sample = expiry.sample
    # Two of the three keys a round looked at had expired: more than a tenth, so another round.
    assert sample["kind"] == "slow" and sample["expired"] == 2 and sample["rounds"] == 2
    assert sample["sampled_count"] == len(sample["keys"]) == 4
    assert sorted(set((item["key"], item["expired"]) for item in sample["keys"])) == [
        ('"a"', True), ('"b"', True), ('"keep"', False)]
    assert [(c["kind"], c["sampled"], c["expired"], c["capped"]) for c in expiry.cycles] == [
        ("slow", 4, 2, False)]
    table = expiry.table
    # The cursor went past the last slot: the next cycle starts again at slot 0.
    assert (table["size"], table["cursor"], table["shown"]) == (1, 0, [['"keep"',
                                                                        START_MS + 100_000]])
    assert sorted(table["removed"]) == ['"a"', '"b"']
    assert (table["walk"]["from"], table["walk"]["sampled"], table["walk"]["expired"]) == (0, 4, 2)


def test_each_tick_refreshes_the_sample_even_when_nothing_expires(db, expiry):
    db.run("SET k v EX 100")
    assert expiry.sample == {}
    db.tick()
    assert expiry.sample["sampled_count"] == 1 and expiry.sample["expired"] == 0


def test_the_expiry_queue_is_in_deadline_order_and_limited(db, views):
    view = ExpiryView(db, limit=3)
    views(view)
    for name, seconds in [("late", 500), ("soon", 5), ("middle", 50), ("later", 900), ("x", 70)]:
        db.run(f"SET {name} v EX {seconds}")
    db.run("SET forever v")
    assert keys_of(view) == ['"soon"', '"middle"', '"x"'] and view.ttl_count == 5
    assert [row["expires_at"] for row in view.rows] == [START_MS + 5_000, START_MS + 50_000,
                                                        START_MS + 70_000]
    db.run("PERSIST soon")
    db.run("EXPIRE later 1")
    assert keys_of(view) == ['"later"', '"middle"', '"x"'] and view.ttl_count == 4
    view.limit = 10
    assert len(view.rows) == 4


def test_expirations_of_other_databases_are_listed_with_their_database(db, expiry):
    db.run("SELECT 2")
    db.run("SET far v PX 1")
    db.run("SELECT 0")
    db.clock.advance(1)
    db.tick()
    assert expiry.events[0]["db"] == 2 and expiry.db == 0


# --- FlowView ------------------------------------------------------------------------------------
def test_the_flow_shows_the_last_command_step_by_step(db, flow):
    db.run("SET greeting hello EX 100")
    assert [item["label"] for item in flow.recent] == ["SET greeting hello EX 100"]
    assert flow.selected == 0 and flow.step == 0
    assert [step["layer"] for step in flow.steps] == [
        "input", "parser", "command table", "handler", "keyspace", "keyspace", "expiry", "reply"]
    assert flow.layers == list(LAYERS)
    first = flow.current
    assert first["received"] == "SET greeting hello EX 100"
    assert first["did"] == "received one line of text (25 bytes)"
    write = flow.steps[5]
    assert write["did"] == 'created "greeting" = "hello"'
    assert write["before"] is None and write["after"]["value"] == '"hello"'
    assert write["changed"] is True and write["diff"] == ["key"]
    ttl = flow.steps[6]
    assert ttl["before"]["expires_at"] is None and ttl["after"]["expires_at"] == START_MS + 100_000
    assert ttl["diff"] == ["expires_at"]
    assert flow.steps[-1]["handed_on"] == '"+OK\\r\\n"'


def test_the_flow_of_sadd_shows_the_set_before_and_after_its_change_in_place(db, flow):
    db.run("SADD s a")
    db.run("SADD s b")
    change = next(step for step in flow.steps if step["action"] == "modify")
    assert change["did"] == 'changed the set "s" in place: added "b"'
    assert change["before"]["value"] == '{"a"}' and change["after"]["value"] == '{"a", "b"}'
    assert change["changed"] is True and change["diff"] == ["value"]


def test_forward_back_and_play_move_through_the_steps(db, flow):
    db.run("GET nothing")
    count = len(flow.steps)
    flow.back()
    assert flow.step == 0  # nothing before the first
    for expected in range(1, count):
        flow.forward()
        assert flow.step == expected and flow.current["number"] == expected + 1
    flow.forward()
    assert flow.step == count - 1  # nothing past the last
    flow.play()
    assert flow.playing and flow.step == 0  # from the start again
    flow.step = count - 1  # as the browser plays to the end
    assert flow.playing is False


def test_the_history_keeps_recent_commands_to_pick_from(db, views):
    view = FlowView(db, history=3)
    views(view)
    for n in range(4):
        db.run(f"SET k{n} v")
    assert [item["label"] for item in view.recent] == ["SET k1 v", "SET k2 v", "SET k3 v"]
    assert view.selected == 2
    view.select(0)
    assert view.selected == 0 and view.steps[0]["received"] == "SET k1 v"
    view.forward()
    db.run("SET k4 v")  # an older command is shown: it stays shown, though it moved down
    assert view.selected == 0 and view.steps[0]["received"] == "SET k2 v"
    assert view.step == 0
    view.select(1)
    view.forward()
    db.run("GET k4")
    assert view.selected == 0 and view.step == 1  # the same command, the same step
    view.select(-1)  # the latest: follow new commands again
    db.run("PING")
    assert view.recent[-1]["label"] == "PING" and view.selected == 2


def test_the_browser_picking_a_command_selects_it(db, flow):
    db.run("SET a 1")
    db.run("SET b 2")
    flow.selected = 0  # what the <select> sends
    assert flow.steps[0]["received"] == "SET a 1"


def test_show_takes_a_given_trace_or_says_why_not(db):
    view = FlowView()  # no engine: it shows what it is given
    reply = db.run("SET k v", trace=True)
    view.show(reply)
    assert view.recent[0]["label"] == "SET k v" and view.live is False
    view.show(db.execute("GET", "k", trace=True).trace)
    assert view.recent[1]["label"] == "GET k" and view.selected == 1
    with pytest.raises(ValueError, match="trace=True"):
        view.show(db.run("GET k"))
    view.close()


def test_a_lazy_expiry_is_a_step_of_its_own(db, flow):
    db.run("SET k v PX 10")
    db.clock.advance(1)
    db.run("GET k")
    lazy = [step for step in flow.steps if step["action"] == "lazy"]
    assert len(lazy) == 1 and lazy[0]["layer"] == "expiry"
    assert lazy[0]["before"]["value"] == '"v"' and lazy[0]["after"] is None


# --- live: many views, closing, throttling --------------------------------------------------------
def test_many_views_of_one_engine_agree(db, views):
    first, second = StoreView(db), StoreView(db)
    views(first)
    views(second)
    db.execute("MSET", "a", "1", "b", "2")
    db.run("DEL a")
    assert first.rows == second.rows and keys_of(first) == ['"b"']
    first.close()
    db.run("SET c 3")
    assert keys_of(second) == ['"b"', '"c"'] and keys_of(first) == ['"b"']


def test_closing_a_view_unsubscribes_it_from_its_engine(db):
    view = StoreView(db)
    expiry = ExpiryView(db)
    assert views_of(db) == [view, expiry] and len(db.expiry.listeners) == 1
    view.close()
    expiry.close()
    db.run("SET k v")
    assert view.rows == [] and view.live is False
    assert db.hooks.on_command == [] and db.hooks.on_expire == []
    assert db.expiry.listeners == [] and "execute" not in vars(db)  # the plain engine again
    assert views_of(db) == []


def test_the_browser_closing_the_widget_unsubscribes_it(db):
    view = FlowView(db)
    assert db.hooks.trace_watchers == 1
    view.comm.handle_close({"content": {"data": {}}})  # the comm_close a front end sends
    assert db.hooks.on_command == [] and db.hooks.trace_watchers == 0


def test_the_dashboard_holds_the_views_and_closes_them(db):
    board = Dashboard(db)
    assert "kedis-dashboard" in board._dom_classes
    store, expiry, flow, structure = board.views
    tabs = board.children[1]
    assert board.children[0] is store and tabs.children[0].children == (expiry, flow)
    assert tabs.children[1] is structure and tabs.titles == ("expiry and flow", "structure")
    db.run("SET k v EX 5")
    assert keys_of(store) == ['"k"'] and keys_of(expiry) == ['"k"']
    assert flow.recent[0]["label"] == "SET k v EX 5"
    assert structure.key == ""  # its tab is not in front: it pushes nothing
    board.tabs.selected_index = 1
    assert structure.key == '"k"'  # the last key a command touched
    board.close()
    assert db.hooks.on_command == [] and views_of(db) == []


def test_close_views_closes_every_view_of_an_engine(db):
    views = [StoreView(db), Dashboard(db)]
    close_views(db)
    assert views_of(db) == [] and db.hooks.on_command == []
    assert all(view.comm is None for view in views)


def test_a_failing_view_never_fails_the_command(db, store):
    def broken(event):
        raise RuntimeError("a bug in a view")

    store._command = broken
    assert db.run("SET k v").cli() == "OK"
    assert db.run("GET k").value == b"v"


class FakeShell:
    """What the views need of IPython's shell in a kernel: a kernel, and its events."""

    def __init__(self) -> None:
        self.kernel = object()
        self.callbacks: dict[str, list] = {}
        self.events = self

    def register(self, name: str, callback) -> None:
        self.callbacks.setdefault(name, []).append(callback)

    def cell_ends(self) -> None:
        for callback in self.callbacks.get("post_execute", []):
            callback()


def test_in_a_kernel_pushes_are_throttled_and_the_end_of_a_cell_pushes_the_rest(db, views,
                                                                               monkeypatch):
    shell = FakeShell()
    monkeypatch.setattr(_live, "_kernel_shell", lambda: shell)
    monkeypatch.setattr(_live, "_IDLE_SHELLS", set())
    view = StoreView(db)
    views(view)
    assert "post_execute" in shell.callbacks
    for n in range(100):  # a cell of commands, faster than ten pushes a second
        db.run(f"SET k{n} v")
    assert len(view.rows) < 100  # not every command was pushed...
    shell.cell_ends()
    assert view.total == 100 and view.last_command == "SET k99 v"  # ...but the last state was


def test_an_idle_view_sends_nothing_and_a_moved_fake_clock_is_sent(db, store):
    db.run("SET k v EX 100")
    now = store.now_ms
    store.flush()
    assert store.now_ms == now
    db.clock.advance(30)  # no command: the kernel pushes at the end of the cell
    store.flush()
    assert store.now_ms == now + 30_000


# --- in the kernel's cells: the magics -----------------------------------------------------------
class Outputs(list):
    def __call__(self, data: dict, metadata: dict) -> None:
        self.append(data)

    @property
    def widgets(self) -> list[str]:
        return [data[WIDGET_MIME]["model_id"] for data in self if WIDGET_MIME in data]


@pytest.fixture
def outputs() -> Outputs:
    return Outputs()


@pytest.fixture
def runner(db, outputs):
    runner = CellRunner(db, display=outputs, widgets=True)
    yield runner
    close_views(runner.engine)


def shown(runner, kind=(StoreView, ExpiryView, FlowView, Dashboard)) -> list:
    """The views the magics opened (a dashboard's own views are part of it)."""
    inside = {id(view) for board in views_of(runner.engine) if isinstance(board, Dashboard)
              for view in board.views}
    return [view for view in views_of(runner.engine)
            if isinstance(view, kind) and id(view) not in inside]


def test_store_expiry_and_dashboard_magics_show_live_views(runner, outputs):
    runner.run("SET user:1 a\nSET other b\n%store user:*\n%expiry\n%dashboard")
    assert len(outputs.widgets) == 3
    store, expiry, board = shown(runner)
    assert isinstance(store, StoreView) and store.pattern == "user:*"
    assert isinstance(expiry, ExpiryView) and isinstance(board, Dashboard)
    runner.run("SET user:2 c EX 10")
    assert keys_of(store) == ['"user:1"', '"user:2"'] and keys_of(expiry) == ['"user:2"']


def test_dashboard_magic_starts_at_the_last_commands_flow(runner):
    runner.run("SET k v\n%dashboard")
    board = shown(runner)[0]
    assert [entry["label"] for entry in board.flow.recent] == ["SET k v"]
    assert board.flow.steps[0]["layer"] == "input"


def test_store_magic_takes_one_pattern_at_most(runner):
    with pytest.raises(MagicError, match="usage: %store"):
        runner.run("%store a b")
    runner.run('%store "a b*"')
    assert shown(runner)[0].pattern == "a b*"


def test_flow_magic_shows_the_last_commands_trace_and_follows_the_next(runner, outputs):
    runner.run("SET k v\n%flow")
    view = shown(runner)[0]
    assert view.recent[0]["label"] == "SET k v" and view.steps[0]["layer"] == "input"
    assert view.following is True
    runner.run("GET k")
    assert view.recent[-1]["label"] == "GET k" and view.selected == 1
    view.select(0)  # an older command picked: the view stays on it
    assert view.following is False
    runner.run("DEL k")
    assert view.selected == 0 and view.recent[0]["label"] == "SET k v"
    view.select(-1)  # the latest again: it follows again
    assert view.following is True


def test_flow_magic_with_a_command_runs_it_and_stays_on_its_flow(runner, outputs):
    runner.run("%flow SET k v EX 10")
    view = ipywidgets.widgets.widget._instances[outputs.widgets[-1]]
    assert outputs[-1]["text/plain"] == "OK"
    assert view.recent[0]["label"] == "SET k v EX 10"
    assert [step["layer"] for step in view.steps][-2:] == ["expiry", "reply"]
    assert runner.engine.run("TTL k").value == 10
    runner.run("GET k\nSET other 1")  # the next cells do not move it
    assert view.following is False and len(view.recent) == 1
    assert view.steps[0]["received"].startswith("SET k v EX 10")
    assert view not in shown(runner)  # and it costs the engine nothing


def test_the_flow_draws_the_layers_each_command_went_through_in_order(db, clock):
    view = FlowView(db)
    db.run("SET k v PX 10")
    view.flush()
    assert view.layers == ["input", "parser", "command table", "handler", "keyspace", "expiry",
                           "reply"]
    clock.advance(1)
    db.run("GET k")  # its deadline passed: expiry first, then the (now missing) key
    view.flush()
    assert view.layers == ["input", "parser", "command table", "handler", "expiry", "keyspace",
                           "reply"]
    db.run("PING")  # neither keyspace nor expiry
    view.flush()
    assert view.layers == ["input", "parser", "command table", "handler", "reply"]
    view.close()


def test_flow_magic_writes_the_flow_as_text_for_front_ends_without_widgets(runner, outputs):
    runner.run("%flow")  # nothing run yet
    assert outputs[-1]["text/plain"] == "<FlowView: 0 commands, no command yet>"
    runner.run("%flow GET nope")
    lines = outputs[-2]["text/plain"].splitlines()
    assert WIDGET_MIME in outputs[-2] and lines[0].split()[:2] == ["1", "input"]
    assert "no such key" in outputs[-2]["text/plain"] and outputs[-1]["text/plain"] == "(nil)"
    runner.run("%flow")
    assert outputs[-1]["text/plain"].splitlines() == lines


def test_trace_on_shows_a_flow_view_with_the_text_for_plain_front_ends(runner, outputs):
    runner.run("%trace on\nSET k v")
    trace_output = outputs[1]
    assert WIDGET_MIME in trace_output
    assert trace_output["text/plain"].splitlines()[0].startswith("  1 input")
    assert outputs[2]["text/plain"] == "OK"


def test_without_widgets_trace_on_stays_text(db, outputs):
    runner = CellRunner(db, display=outputs)
    runner.run("%trace on\nSET k v")
    assert WIDGET_MIME not in outputs[1] and "1 input" in outputs[1]["text/plain"]
    assert views_of(db) == []


def test_reset_closes_the_views_of_the_replaced_engine(runner):
    runner.run("%store\n%flow")
    old = runner.engine
    runner.run("%reset")
    assert views_of(old) == [] and old.hooks.on_command == []
