"""The FlowView's pictures as data (kedis/widgets/_layers.py): what each layer's step draws.

The browser draws these (tests/widgets/test_browser_flow.py); here, the data they are drawn from:
the parser's argument spans over the typed line, the command table's card, the keyspace's hash
table as dict.c sizes it, the deadline against the clock, the reply's RESP bytes in groups.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kedis
from kedis.engine.parser import ParseError, split_args, split_spans
from kedis.engine.trace import FEW_KEYS
from kedis.widgets import FlowView
from kedis.widgets._layers import (
    bucket_of,
    first_argv,
    layer_picture,
    picture_lines,
    resp_groups,
    siphash,
    table_buckets,
    table_size,
)


def pictures(db: kedis.Kedis, line: str) -> list[dict]:
    steps = db.run(line, trace=True).trace
    argv = first_argv(steps)
    return [layer_picture(step, argv) for step in steps]


def picture_of(db: kedis.Kedis, line: str, layer: str, action: str | None = None) -> dict:
    steps = db.run(line, trace=True).trace
    argv = first_argv(steps)
    step = next(s for s in steps if s.layer == layer and (action is None or s.action == action))
    return layer_picture(step, argv)


# --- the parser: spans ------------------------------------------------------------------------
def test_split_spans_marks_each_argument_with_its_quotes():
    spans: list[tuple[int, int]] = []
    line = """SET "a b" 'x\\n'"""
    assert split_spans(line, spans) == [b"SET", b"a b", b"x\\n"]
    assert [line[start:end] for start, end in spans] == ["SET", '"a b"', "'x\\n'"]


def test_split_spans_keeps_the_arguments_read_before_a_refused_quote():
    spans: list[tuple[int, int]] = []
    with pytest.raises(ParseError):
        split_spans("GET k 'open", spans)
    assert spans == [(0, 3), (4, 5)]


@given(st.lists(st.sampled_from(["SET", "k", '"a b"', "'c d'", '"\\x41\\n"', "  ", "\t", "x",
                                 '"q\\"q"', "é", '""']), max_size=8))
def test_split_spans_splits_every_line_as_split_args_does(words):
    line = " ".join(words)
    spans: list[tuple[int, int]] = []
    assert split_spans(line, spans) == split_args(line)
    data = line.encode()
    # Each span, split alone, is its argument: the spans cut the line where the arguments are.
    assert [split_spans(data[start:end]) for start, end in spans] == [[arg] for arg in
                                                                      split_args(line)]


def test_the_parser_draws_each_span_over_the_typed_line_and_the_bytes_under_it(db):
    parser = picture_of(db, 'SET "a b" "x\\n" 10', "parser")
    assert [(piece["text"], piece["arg"]) for piece in parser["pieces"]] == [
        ("SET", 0), (" ", None), ('"a b"', 1), (" ", None), ('"x\\n"', 2), (" ", None), ("10", 3)]
    assert [(arg["value"], arg["bytes"], arg["resolved"]) for arg in parser["args"]] == [
        ('"SET"', 3, False), ('"a b"', 3, True), ('"x\\n"', 2, True), ('"10"', 2, False)]
    assert parser["count"] == 4 and parser["quoting"] is True and parser["error_at"] is None


def test_single_quotes_keep_a_backslash_as_it_is(db):
    parser = picture_of(db, "SET k 'x\\n'", "parser")
    assert parser["args"][2]["value"] == '"x\\\\n"' and parser["args"][2]["bytes"] == 3


def test_a_refused_line_marks_where_the_parser_gave_up(db):
    with pytest.raises(kedis.ParseError) as raised:
        db.run("GET 'k", trace=True)
    parser = layer_picture(raised.value.trace[1])
    assert parser["error_at"] == 6 and parser["count"] is None
    assert parser["args"] == [{"index": 0, "typed": "GET", "value": '"GET"', "bytes": 3,
                               "resolved": False}]
    assert parser["pieces"][-1]["error"] is True


def test_control_characters_typed_in_quotes_are_drawn_visible(db):
    parser = picture_of(db, 'SET k "a\nb"', "parser")
    assert parser["pieces"][-1]["text"] == '"a␊b"'


def test_a_command_sent_as_argv_is_drawn_as_cells_with_no_parser(db):
    steps = db.execute("SET", "k", b"v\x00", trace=True).trace
    assert [step.layer for step in steps][:2] == ["input", "command table"]
    cells = layer_picture(steps[0])
    assert cells["kind"] == "argv"
    assert [(c["value"], c["bytes"]) for c in cells["cells"]] == [
        ('"SET"', 3), ('"k"', 1), ('"v\\x00"', 2)]


# --- the command table: the card --------------------------------------------------------------
def test_the_card_shows_the_arity_checked_and_which_arguments_are_keys(db):
    card = picture_of(db, "MSET a 1 b 2", "command table")
    assert (card["name"], card["arity"], card["arity_text"], card["argc"]) == ("MSET", -3, "≥ 3", 5)
    assert card["arity_ok"] is True and card["failed"] is None
    assert card["keys"] == [1, 3]
    assert [cell["key"] for cell in card["argv"]["cells"]] == [False, True, False, True, False]
    assert card["flags"] == ["write", "denyoom"] and card["group"] == "string"
    assert card["since"] == "1.0.1"


def test_the_card_of_a_wrong_arity_shows_the_check_that_failed(db):
    card = picture_of(db, "GET", "command table")
    assert card["failed"] == "arity" and card["arity_ok"] is False
    assert (card["arity"], card["argc"], card["keys"]) == (2, 1, [])
    assert card["error"] == "ERR wrong number of arguments for 'get' command"


def test_an_unknown_command_has_no_card_but_what_was_looked_up(db):
    card = picture_of(db, "NOSUCH x", "command table")
    assert card["found"] is False and card["failed"] == "unknown"
    assert card["looked_up"] == '"NOSUCH"' and "name" not in card


def test_an_unknown_subcommand_shows_its_containers_card(db):
    card = picture_of(db, "CONFIG NOPE", "command table")
    assert card["failed"] == "subcommand" and card["name"] == "CONFIG"


def test_the_handler_gets_the_arguments_with_its_keys_marked(db):
    handler = picture_of(db, "GET k", "handler")
    assert handler["function"] == "get(client, argv)"
    assert handler["module"] == "kedis/commands/strings.py"
    assert [cell["key"] for cell in handler["argv"]["cells"]] == [False, True]


# --- the keyspace: the hash table -------------------------------------------------------------
def test_siphash_is_the_papers_function():
    # SipHash-2-4 of the bytes 00..0e under the key 00..0f, the example of Aumasson and
    # Bernstein's paper; Redis runs the same code with one and two rounds (SipHash-1-2).
    assert siphash(bytes(range(15)), bytes(range(16)), 2, 4) == 0xA129CA6149BE45E5
    assert siphash(b"k") == siphash(b"k") != siphash(b"j")  # the same on every run


@pytest.mark.parametrize("keys, size", [(0, 0), (1, 4), (4, 4), (5, 8), (8, 8), (9, 16),
                                        (1000, 1024), (1025, 2048)])
def test_the_table_has_as_many_buckets_as_dict_c_grows_it_to(keys, size):
    assert table_size(keys) == size


def test_a_key_is_drawn_in_its_bucket_with_the_keys_that_share_it(db):
    db.run("MSET a 1 b 2 c 3")
    write = picture_of(db, "SET k v", "keyspace", "write")
    after = write["after"]["table"]
    assert after["size"] == 4 and after["used"] == 4 and after["whole"] is True
    assert after["bucket"] == bucket_of(b"k", 4) == siphash(b"k") & 3
    placed = {name: bucket["index"] for bucket in after["buckets"] for name in bucket["keys"]}
    assert placed == {f'"{k}"': bucket_of(k.encode(), 4) for k in "abck"}
    assert write["before"]["entry"] is None
    assert write["after"]["entry"] == {"type": "string", "encoding": "embstr", "value": '"v"',
                                       "bytes": 1, "count": None}
    assert write["diff"] == ["entry"]


def test_the_fifth_key_doubles_the_table_and_a_delete_leaves_it_as_it_was(db):
    db.run("MSET a 1 b 2 c 3 d 4")
    write = picture_of(db, "SET e 5", "keyspace", "write")
    assert (write["before"]["table"]["size"], write["after"]["table"]["size"]) == (4, 8)
    assert "size" in write["diff"] and write["after"]["entry"]["encoding"] == "int"
    delete = picture_of(db, "DEL e", "keyspace", "delete")
    assert (delete["before"]["table"]["size"], delete["after"]["table"]["size"]) == (8, 8)
    assert delete["after"]["table"]["used"] == 4 and delete["after"]["entry"] is None


def test_the_deadline_is_drawn_in_the_expires_dict(db):
    db.run("SET k v")
    expire = picture_of(db, "SET k w PX 5000", "keyspace", "write")
    assert expire["after"]["expires"]["deadline"] is None  # the deadline comes in its own step
    read = picture_of(db, "GET k", "keyspace", "read")
    expires = read["after"]["expires"]
    assert expires["size"] == 4 and expires["used"] == 1
    assert expires["deadline"] == db.clock.ms() + 5000
    assert expires["bucket"] == bucket_of(b"k", 4)


def test_the_encoding_is_what_object_encoding_answers(db):
    db.run("SET s hello")
    append = picture_of(db, "APPEND s !", "keyspace", "write")
    assert db.run("OBJECT ENCODING s").value == b"raw"
    assert (append["before"]["entry"]["encoding"], append["after"]["entry"]["encoding"]) == (
        "embstr", "raw")
    assert append["diff"] == ["encoding", "value", "bytes"]
    members = picture_of(db, "SADD n 1 2", "keyspace", "write")
    assert members["after"]["entry"]["encoding"] == "intset"
    assert members["after"]["entry"]["count"] == 2


def test_a_big_database_records_only_its_size_and_draws_the_keys_bucket_alone(db):
    db.execute("MSET", *[part for i in range(100) for part in (b"key:%d" % i, b"v")])
    steps = db.run("GET key:7", trace=True).trace
    read = next(step for step in steps if step.layer == "keyspace")
    assert read.detail.names is None and read.detail.keys == 100 > FEW_KEYS
    table = layer_picture(read)["after"]["table"]
    assert table["size"] == 128 and table["whole"] is False
    buckets = table_buckets(table)  # (sent as the window around the key's bucket)
    assert len(buckets) <= 7 and "buckets" not in table
    own = [bucket for bucket in buckets if bucket["this"]]
    assert own == [{"index": bucket_of(b"key:7", 128), "keys": ['"key:7"'], "this": True,
                    "known": True}]
    assert all(not bucket["known"] for bucket in buckets if not bucket["this"])


# --- expiry: the deadline against the clock ---------------------------------------------------
def test_a_lazy_expiry_draws_the_deadline_behind_now_found_at_access(db):
    db.run("SET k v PX 100")
    db.clock.advance(1)
    lazy = picture_of(db, "GET k", "expiry", "lazy")
    assert lazy["found"] == "access" and lazy["left_ms"] == -900
    assert lazy["deadline_at"] < lazy["now_at"]
    assert lazy["before"]["value"] == '"v"' and lazy["after"] is None


def test_a_deadline_set_is_drawn_ahead_of_now_and_a_removed_one_crossed_out(db):
    ahead = picture_of(db, "SET k v EX 10", "expiry", "set")
    assert ahead["left_ms"] == 10_000 and ahead["now_at"] < ahead["deadline_at"]
    assert ahead["found"] is None and ahead["removed"] is False
    gone = picture_of(db, "PERSIST k", "expiry", "remove")
    assert gone["removed"] is True and gone["deadline"] == db.clock.ms() + 10_000


# --- the reply: RESP bytes --------------------------------------------------------------------
@pytest.mark.parametrize("data, groups", [
    (b"+OK\r\n", [("type", "+"), ("data", "OK"), ("crlf", "\\r\\n")]),
    (b"$5\r\nhello\r\n", [("type", "$"), ("length", "5"), ("crlf", "\\r\\n"),
                           ("payload", "hello"), ("crlf", "\\r\\n")]),
    (b"$-1\r\n", [("type", "$"), ("length", "-1"), ("crlf", "\\r\\n")]),
    (b"*2\r\n:1\r\n$1\r\n\n\r\n", [("type", "*"), ("length", "2"), ("crlf", "\\r\\n"),
                                   ("type", ":"), ("data", "1"), ("crlf", "\\r\\n"),
                                   ("type", "$"), ("length", "1"), ("crlf", "\\r\\n"),
                                   ("payload", "\\n"), ("crlf", "\\r\\n")]),
])
def test_resp_bytes_are_cut_into_the_groups_a_reader_sees(data, groups):
    found, left = resp_groups(data)
    assert [(group["kind"], group["text"]) for group in found] == groups and left == 0


def test_the_reply_draws_its_bytes_beside_redis_clis_text(db):
    db.run("SADD s a")
    reply = picture_of(db, "SMEMBERS s", "reply")
    assert [group["text"] for group in reply["groups"]] == [
        "*", "1", "\\r\\n", "$", "1", "\\r\\n", "a", "\\r\\n"]
    assert reply["bytes"] == 11 and reply["cli"] == ['1) "a"'] and reply["error"] is False


def test_a_long_reply_draws_its_first_groups_and_counts_the_rest(db):
    db.execute("MSET", *[part for i in range(100) for part in (b"k%02d" % i, b"v")])
    reply = picture_of(db, "KEYS *", "reply")
    assert len(reply["groups"]) == 48 and reply["left"] > 0
    assert reply["bytes"] == len(db.run("KEYS *").resp())
    assert len(reply["cli"]) == 8 and reply["cli_more"] == 92


# --- the view sends the pictures --------------------------------------------------------------
def test_the_flow_view_sends_each_steps_picture_made_when_shown(db):
    view = FlowView(db)
    db.run('SET "a b" v')
    assert [step["picture"]["kind"] for step in view.steps] == [
        "line", "parser", "card", "handler", "keyspace", "reply"]
    assert view.steps[2]["picture"]["keys"] == [1]  # the card knows the arguments
    view.close()


def test_a_flush_has_no_picture_of_its_own_but_its_caption(db):
    db.run("SET k v")
    steps = db.run("FLUSHDB", trace=True).trace
    flush = next(step for step in steps if step.layer == "keyspace")
    assert layer_picture(flush) is None and flush.did == "removed 1 key: all of database 0"


# --- the pictures as text ---------------------------------------------------------------------
def lines_of(db: kedis.Kedis, line: str, layer: str, action: str | None = None) -> list[str]:
    return picture_lines(picture_of(db, line, layer, action))


def test_the_text_picture_brackets_each_argument_under_the_typed_line(db):
    assert lines_of(db, 'SET "a b" xyz', "parser") == [
        'SET "a b" xyz',
        "└0┘ └─1─┘ └2┘",
        'argv[0] = "SET" (3 B)', 'argv[1] = "a b" (3 B)', 'argv[2] = "xyz" (3 B)']


def test_the_text_picture_of_a_card_says_which_check_failed(db):
    assert lines_of(db, "GET", "command table") == [
        "┌ GET  (string, since 1.0.0)",
        "│ arity 2 (= 2): argc 1 ≠ 2 ✗",
        "│ flags readonly fast · keys none",
        "└ GET key",
        "  ✗ ERR wrong number of arguments for 'get' command"]


def test_the_text_picture_of_the_keyspace_places_each_key_in_its_bucket(db):
    db.run("MSET a 1 b 2 c 3 d 4")
    lines = lines_of(db, "SET e 5", "keyspace", "write")
    assert lines[1].startswith("before: dict 4 buckets, 4 keys: ")
    assert lines[3].startswith("after:  dict 8 buckets, 5 keys: ")
    assert f'[{bucket_of(b"e", 8)}*] "e"' in lines[3] and lines[-1] == "changed: entry, size"


def test_the_text_picture_of_an_expiry_puts_the_deadline_behind_now(db):
    db.run("SET k v PX 100")
    db.clock.advance(1)
    track, facts = lines_of(db, "GET k", "expiry", "lazy")
    assert track.index("|") < track.index("▲")
    assert facts.endswith("found at access: the deadline passed 900 ms ago → deleted")


def test_the_text_picture_of_a_reply_shows_its_bytes_in_groups(db):
    assert lines_of(db, "ECHO hi", "reply") == [
        "wire (8 bytes): [$][2][\\r\\n][hi][\\r\\n]", 'redis-cli: "hi"']


def test_the_view_as_text_draws_every_step_and_marks_the_current_one(db):
    view = FlowView(db)
    db.run("GET k")
    view.forward()
    text = view.picture_text().splitlines()
    first = next(i for i, line in enumerate(text) if line.startswith("   1 input"))
    parser = next(i for i, line in enumerate(text) if line.startswith(">  2 parser"))
    assert first < parser and [line[:1] for line in text].count(">") == 1
    assert any("└0┘ ↑" in line for line in text[parser:parser + 6])
    assert text[-2].strip() == "wire (5 bytes): [$][-1][\\r\\n]"
    view.close()
