"""In the browser: the FlowView draws what each layer did (issue 15, "Pictures, not sentences").

A notebook runs ``SET "a b" 'x\\n' PX 100`` and, once the fake clock has passed its deadline, a
``GET "a b"``, each in a FlowView made for it (``%flow COMMAND``). The test steps through them
with the keyboard, as a learner would (the view focused: → ←, Home, End), and reads each
layer's picture: the parser's spans over the typed line and the bytes under them, the command
table's card with its arity check, the key's bucket in the keyspace's table, the deadline against
the clock, the RESP bytes on the wire. Screenshots of each picture go to
tests/output/screenshots/flow-*.png.
"""

from __future__ import annotations

import pytest
from browser import (
    NotebookPage,
    expect,
    write_notebook,
)

import kedis
from kedis.widgets._layers import bucket_of
from kedis.widgets.flow import path

pytestmark = pytest.mark.timeout(240)

FILL = "MSET a 1 b 2 c 3 d 4"     # four keys: a full table of four buckets
SET = """SET "a b" 'x\\n' PX 100"""
GET = 'GET "a b"'


def traced() -> tuple[list, list]:
    """The two commands' steps, as the notebook's engine records them."""
    engine = kedis.Kedis(kedis.FakeClock())
    engine.run(FILL)
    first = engine.run(SET, trace=True).trace
    engine.clock.advance(1)
    second = engine.run(GET, trace=True).trace
    return first, second


def test_each_layer_draws_what_it_did_and_the_keys_step_through_them(server, browser):
    set_steps, get_steps = traced()
    name = write_notebook(server.root, "flow-pictures.ipynb", [
        f"%clock fake\n{FILL}", f"%flow {SET}", "%clock advance 1s", f"%flow {GET}", "%flow GET"])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        first = notebook.cell(1).locator(".kedis-flow")
        second = notebook.cell(3).locator(".kedis-flow")
        for flow, steps in ((first, set_steps), (second, get_steps)):
            expect(flow.locator(".kedis-layer")).to_have_text(path(steps))
        expect(first).to_have_attribute("tabindex", "0")
        expect(first.locator(".kedis-flow-forward")).to_have_attribute("aria-label", "step forward")
        expect(first.locator(".kedis-flow-back")).to_have_attribute("aria-label", "step back")

        def at(flow, steps, index: int) -> None:
            expect(flow.locator(".kedis-flow-step")).to_have_text(f"{index + 1} / {len(steps)}")
            expect(flow.locator(".kedis-layer.kedis-current")).to_have_attribute(
                "data-layer", steps[index].layer)
            expect(flow.locator(".kedis-flow-caption")).to_have_text(steps[index].did)

        picture = first.locator(".kedis-flow-picture")
        keys = notebook.page.keyboard
        first.focus()
        at(first, set_steps, 0)
        expect(picture.locator(".kedis-flow-typed")).to_have_text(SET)
        stage = first.locator(".kedis-flow-detail").bounding_box()

        # The parser: five spans over the typed line, quotes resolved under them ('x\n' stays
        # three bytes: single quotes take the backslash as it is).
        keys.press("ArrowRight")
        at(first, set_steps, 1)
        spans = picture.locator(".kedis-parse-arg")
        expect(spans).to_have_count(5)
        expect(spans.locator(".kedis-parse-text")).to_have_text(
            ["SET", '"a b"', "'x\\n'", "PX", "100"])
        expect(spans.locator(".kedis-parse-bytes")).to_have_text(
            ['"SET"', '"a b"', '"x\\\\n"', '"PX"', '"100"'])
        expect(spans.locator(".kedis-parse-count")).to_have_text(["3 B", "3 B", "3 B", "2 B", "3 B"])
        expect(picture.locator(".kedis-parse-resolved")).to_have_count(2)  # the quoted two
        notebook.screenshot("flow-parser.png", first)

        # The command table: SET's card, its arity passed, its key marked.
        keys.press("ArrowRight")
        at(first, set_steps, 2)
        card = picture.locator(".kedis-card")
        expect(card.locator(".kedis-card-name")).to_have_text("SET")
        expect(card.locator(".kedis-card-arity")).to_contain_text("-3")
        expect(card.locator(".kedis-check.kedis-pass")).to_have_text("argc 5 ≥ 3 ✓")
        expect(card.locator(".kedis-argv-key .kedis-argv-value")).to_have_text(['"a b"'])
        expect(card.locator(".kedis-card-keys")).to_have_text("argv[1]")
        notebook.screenshot("flow-table.png", first)

        # The keyspace: the write of a fifth key into a table of four buckets, which doubles it;
        # the new key in its bucket of eight, with the keys that share it.
        write = next(i for i, step in enumerate(set_steps)
                     if step.layer == "keyspace" and step.action == "write")
        for index in range(3, write + 1):
            keys.press("ArrowRight")
            at(first, set_steps, index)
            if set_steps[index].layer == "handler":  # the function, its file, its arguments
                expect(picture.locator(".kedis-handler-function")).to_have_text(
                    "set_(client, argv)")
                notebook.screenshot("flow-handler.png", first)
        bucket = bucket_of(b"a b", 8)
        sharing = [f'"{name}"' for name in "abcd" if bucket_of(name.encode(), 8) == bucket]
        before, after = picture.locator(".kedis-before"), picture.locator(".kedis-after")
        expect(before.locator(".kedis-ks-dict")).to_have_text("db 0 dict: 4 buckets, 4 keys")
        expect(after.locator(".kedis-ks-dict")).to_have_text("db 0 dict: 8 buckets, 5 keys")
        expect(after.locator(".kedis-ks-dict.kedis-diff")).to_have_count(1)  # it grew
        expect(before.locator(".kedis-bucket")).to_have_count(4)
        expect(after.locator(".kedis-bucket")).to_have_count(8)
        expect(after.locator(".kedis-bucket-this")).to_have_attribute("data-bucket", str(bucket))
        expect(after.locator(".kedis-chain-key")).to_have_text([*sharing, '"a b"'])
        expect(after.locator(".kedis-chain-this")).to_have_text('"a b"')
        expect(after.locator(".kedis-ks-type")).to_have_text("string")
        expect(after.locator(".kedis-ks-encoding")).to_have_text("embstr")
        expect(after.locator(".kedis-ks-value")).to_have_text('"x\\\\n"')
        expect(before.locator(".kedis-entry-none")).to_have_text('"a b": (no key)')
        notebook.screenshot("flow-keyspace.png", first)
        # The stage kept its place and its size while the pictures changed.
        assert first.locator(".kedis-flow-detail").bounding_box() == stage

        # End: the reply, its RESP bytes in groups, CR LF drawn, beside redis-cli's text.
        keys.press("End")
        at(first, set_steps, len(set_steps) - 1)
        groups = picture.locator(".kedis-resp-group")
        expect(groups).to_have_text(["+", "OK", "\\r\\n"])
        expect(picture.locator(".kedis-resp-crlf .kedis-glyph")).to_have_text(["\\r", "\\n"])
        expect(picture.locator(".kedis-cli-text")).to_have_text("OK")
        expect(first.locator(".kedis-flow-forward")).to_be_disabled()
        notebook.screenshot("flow-reply.png", first)
        keys.press("ArrowLeft")  # the step before the reply: SET's deadline, ahead of now
        at(first, set_steps, len(set_steps) - 2)
        expect(picture.locator(".kedis-expiry-verdict")).to_have_text("expires in 100 ms")
        keys.press("Home")
        at(first, set_steps, 0)
        expect(first.locator(".kedis-flow-back")).to_be_disabled()
        expect(first.locator(".kedis-layer.kedis-visited")).to_have_count(0)

        # The GET, a second later: expiry before the keyspace; the deadline is behind now.
        picture = second.locator(".kedis-flow-picture")
        second.focus()
        lazy = next(i for i, step in enumerate(get_steps) if step.action == "lazy")
        for _ in range(lazy):
            keys.press("ArrowRight")
        at(second, get_steps, lazy)
        expect(second.locator(".kedis-layer.kedis-visited")).to_have_count(
            len(path(get_steps[:lazy + 1])) - 1)
        expect(picture.locator(".kedis-expiry-verdict")).to_have_text(
            "found at access (lazy expiry): the deadline passed 900 ms ago → deleted")
        now = picture.locator(".kedis-timeline-now").bounding_box()
        deadline = picture.locator(".kedis-timeline-deadline").bounding_box()
        assert deadline["x"] < now["x"]  # drawn where it is: in the past
        expect(picture.locator(".kedis-before .kedis-ks-value")).to_have_text('"a b" = "x\\\\n"')
        expect(picture.locator(".kedis-after .kedis-entry-none")).to_have_text('"a b" (no key)')
        notebook.screenshot("flow-expiry.png", second)
        keys.press("ArrowRight")  # the keyspace then finds no key: the table has none either
        expect(picture.locator(".kedis-after .kedis-entry-none")).to_have_text('"a b": (no key)')
        keys.press("End")
        expect(picture.locator(".kedis-resp-group")).to_have_text(["$", "-1", "\\r\\n"])
        expect(picture.locator(".kedis-cli-text")).to_have_text("(nil)")

        # A GET without its key: the card shows the arity check that failed, and nothing runs.
        refused = notebook.cell(4).locator(".kedis-flow")
        expect(refused.locator(".kedis-layer")).to_have_text(
            ["input", "parser", "command table", "reply"])
        refused.focus()
        keys.press("End")
        keys.press("ArrowLeft")
        card = refused.locator(".kedis-card.kedis-card-failed")
        expect(card.locator(".kedis-card-name")).to_have_text("GET")
        expect(card.locator(".kedis-check.kedis-fail")).to_have_text("argc 1 ≠ 2 ✗")
        expect(card.locator(".kedis-card-error")).to_contain_text(
            "ERR wrong number of arguments for 'get' command")
        notebook.screenshot("flow-table-refused.png", refused)
        assert notebook.problems == []


def test_a_big_database_is_drawn_as_the_window_around_the_key_s_bucket(server, browser):
    name = write_notebook(server.root, "flow-big.ipynb", [
        "%%python\ndb.execute('MSET', *[part for i in range(100) for part in (f'key:{i}', 'v')])",
        "%flow GET key:7",
    ])
    with NotebookPage.open(browser, server, name) as notebook:
        notebook.run_all()
        view = notebook.cell(1).locator(".kedis-flow")
        view.focus()
        view.press("End")
        while "keyspace" not in view.locator(".kedis-flow-layer-name").inner_text():
            view.press("ArrowLeft")
        after = view.locator(".kedis-flow-picture .kedis-after")
        expect(after.locator(".kedis-ks-dict")).to_have_text("db 0 dict: 128 buckets, 100 keys")
        # Seven cells: the key's bucket, its chain known; the others around it unknown.
        expect(after.locator(".kedis-bucket")).to_have_count(7)
        expect(after.locator(".kedis-bucket-this")).to_have_attribute(
            "data-bucket", str(bucket_of(b"key:7", 128)))
        expect(after.locator(".kedis-bucket-unknown")).to_have_count(6)
        expect(after.locator(".kedis-chain-this")).to_have_text('"key:7"')
