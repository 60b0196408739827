"""The trace (kedis/engine/trace.py): what each layer did for one command, recorded as Steps.

``run(line, trace=True)`` and ``execute(*argv, trace=True)`` answer the same reply as untraced,
carrying ``.trace``: input -> parser -> command table -> handler -> keyspace/expiry -> reply.
"""

from __future__ import annotations

import pytest
from compare import info_fields

import kedis
from kedis import KeyState, Step, format_trace

NOW_MS = 1_700_000_000_000


def layers_and_actions(reply: kedis.Reply) -> list[tuple[str, str]]:
    return [(step.layer, step.action) for step in reply.trace]


def step(reply: kedis.Reply, layer: str, action: str) -> Step:
    (found,) = [s for s in reply.trace if (s.layer, s.action) == (layer, action)]
    return found


# --- which steps, in which order --------------------------------------------------------------
def test_set_goes_through_every_layer_in_order(db):
    reply = db.run("SET k v", trace=True)
    assert layers_and_actions(reply) == [
        ("input", "line"), ("parser", "split"), ("command table", "lookup"),
        ("handler", "call"), ("keyspace", "write"), ("reply", "encode")]


def test_set_with_ex_also_looks_the_key_up_and_sets_a_deadline(db):
    reply = db.run("SET k v EX 100", trace=True)
    assert layers_and_actions(reply)[3:] == [
        ("handler", "call"), ("keyspace", "read"), ("keyspace", "write"), ("expiry", "set"),
        ("reply", "encode")]


def test_get_of_an_expired_key_shows_lazy_expiry_before_the_lookup(db, clock):
    db.run("SET k v EX 10")
    clock.advance(11)
    reply = db.run("GET k", trace=True)
    assert layers_and_actions(reply) == [
        ("input", "line"), ("parser", "split"), ("command table", "lookup"),
        ("handler", "call"), ("expiry", "lazy"), ("keyspace", "read"), ("reply", "encode")]


@pytest.mark.parametrize("line", ["GET", "NOSUCH a", "CONFIG NOSUCH"])
def test_a_rejected_command_never_reaches_a_handler(db, line):
    reply = db.run(line, trace=True)
    assert layers_and_actions(reply) == [
        ("input", "line"), ("parser", "split"), ("command table", "reject"), ("reply", "encode")]


def test_an_unbalanced_quote_raises_a_parse_error_that_carries_the_trace(db):
    with pytest.raises(kedis.ParseError) as raised:
        db.run('SET k "unfinished', trace=True)
    assert [(s.layer, s.action) for s in raised.value.trace] == [
        ("input", "line"), ("parser", "reject")]
    assert raised.value.trace[1].did == (
        "found an unbalanced quote: Invalid argument(s), nothing runs")


def test_an_unbalanced_quote_runs_nothing(db):
    with pytest.raises(kedis.ParseError):
        db.run('SET k "unfinished', trace=True)
    assert db.run("EXISTS k").value == 0


def test_execute_starts_at_the_arguments_without_a_parser_step(db):
    reply = db.execute("SET", "k", "v", trace=True)
    assert layers_and_actions(reply)[:2] == [("input", "argv"), ("command table", "lookup")]
    assert reply.trace[0].received == reply.trace[0].handed_on == (b"SET", b"k", b"v")


def test_a_command_touching_several_keys_has_a_step_for_each(db):
    db.run("MSET a 1 b 2")
    reply = db.run("MGET a b missing", trace=True)
    reads = [s for s in reply.trace if s.layer == "keyspace"]
    assert [(s.action, s.key) for s in reads] == [("read", b"a"), ("read", b"b"),
                                                  ("read", b"missing")]


def test_a_command_error_from_the_handler_still_shows_its_lookup(db):
    db.run("SET n abc")
    reply = db.run("INCR n", trace=True)
    assert layers_and_actions(reply)[3:] == [
        ("handler", "call"), ("keyspace", "read"), ("reply", "encode")]
    assert reply.trace[3].handed_on == kedis.Error("ERR value is not an integer or out of range")


# --- what each step received and handed on ----------------------------------------------------
def test_input_step_receives_the_line_and_hands_on_its_bytes(db):
    first = db.run("SET k ü", trace=True).trace[0]
    assert (first.received, first.handed_on) == ("SET k ü", "SET k ü".encode())


def test_parser_step_hands_on_the_arguments(db):
    parser = db.run('SET k "hello world"', trace=True).trace[1]
    assert parser.received == b'SET k "hello world"'
    assert parser.handed_on == [b"SET", b"k", b"hello world"]


def test_command_table_step_hands_on_the_command_it_found(db):
    lookup = db.run("get k", trace=True).trace[2]
    assert lookup.received == b"get"
    assert lookup.handed_on.name == "get"
    assert lookup.detail == 2  # the number of arguments it checked


def test_command_table_reject_hands_on_the_error_reply(db):
    reject = db.run("GET", trace=True).trace[2]
    assert reject.handed_on == kedis.Error("ERR wrong number of arguments for 'get' command")


def test_handler_step_receives_the_arguments_and_hands_on_the_reply(db):
    reply = db.run("ECHO hi", trace=True)
    handler = reply.trace[3]
    assert handler.received == (b"ECHO", b"hi")
    assert handler.handed_on == kedis.Bulk(b"hi") == reply


def test_keyspace_write_step_shows_the_entry_before_and_after(db):
    db.run("SET k old")
    write = step(db.run("SET k new", trace=True), "keyspace", "write")
    assert (write.db, write.key, write.received, write.handed_on) == (0, b"k", b"k", b"new")
    assert write.before == KeyState("string", b"old", None)
    assert write.after == KeyState("string", b"new", None)
    assert write.changed


def test_keyspace_write_step_of_a_new_key_has_no_before(db):
    write = step(db.run("SET k v", trace=True), "keyspace", "write")
    assert (write.before, write.after) == (None, KeyState("string", b"v", None))


def test_keyspace_read_step_does_not_change_the_entry(db):
    db.run("SET k v")
    read = step(db.run("GET k", trace=True), "keyspace", "read")
    assert read.before == read.after == KeyState("string", b"v", None)
    assert read.handed_on == b"v"
    assert not read.changed


def test_keyspace_delete_step_shows_the_entry_it_removed(db):
    db.run("SET k v EX 100")
    delete = step(db.run("DEL k", trace=True), "keyspace", "delete")
    assert (delete.before, delete.after) == (KeyState("string", b"v", NOW_MS + 100_000), None)


def test_expiry_set_step_shows_the_deadline_it_gave(db):
    expiry = step(db.run("SET k v EX 100", trace=True), "expiry", "set")
    assert expiry.handed_on == NOW_MS + 100_000
    assert expiry.before == KeyState("string", b"v", None)
    assert expiry.after == KeyState("string", b"v", NOW_MS + 100_000)
    assert expiry.detail == (NOW_MS + 100_000, NOW_MS)  # the deadline and the time it was set


def test_expiry_remove_step_shows_the_deadline_dropped(db):
    db.run("SET k v EX 100")
    removed = step(db.run("PERSIST k", trace=True), "expiry", "remove")
    assert removed.before.expires_at == NOW_MS + 100_000
    assert removed.after == KeyState("string", b"v", None)


def test_lazy_expiry_step_shows_the_key_removed_and_why(db, clock):
    db.run("SET k v EX 10")
    clock.advance(11)
    lazy = step(db.run("GET k", trace=True), "expiry", "lazy")
    assert (lazy.db, lazy.key, lazy.after) == (0, b"k", None)
    assert lazy.before == KeyState("string", b"v", NOW_MS + 10_000)
    assert lazy.detail == (NOW_MS + 10_000, NOW_MS + 11_000)


def test_steps_in_another_database_name_that_database(db):
    db.run("SET k v")
    reply = db.run("COPY k k DB 1", trace=True)
    assert [(s.action, s.db) for s in reply.trace if s.layer == "keyspace"] == [
        ("read", 0), ("read", 1), ("write", 1)]


def test_flush_step_counts_the_keys_removed(db):
    db.run("MSET a 1 b 2")
    flush = step(db.run("FLUSHDB", trace=True), "keyspace", "flush")
    assert (flush.db, flush.detail) == (0, 2)


def test_flush_step_counts_as_a_change(db):
    db.run("MSET a 1 b 2")
    assert step(db.run("FLUSHDB", trace=True), "keyspace", "flush").changed


def test_reply_step_hands_on_the_resp_bytes(db):
    reply = db.run("PING", trace=True)
    last = reply.trace[-1]
    assert (last.received, last.handed_on) == (kedis.Status("PONG"), b"+PONG\r\n")


# --- the sentences ----------------------------------------------------------------------------
def test_every_step_says_what_it_did(db, clock):
    db.run("SET old v EX 1")
    clock.advance(2)
    steps = []
    for line in ("SET k v EX 100", "GET k", "GET old", "PERSIST k", "DEL k", "MSET a 1",
                 "FLUSHDB", "GET", "NOSUCH", "CONFIG NOSUCH"):
        steps += db.run(line, trace=True).trace
    assert all(isinstance(s.did, str) and s.did for s in steps)


@pytest.mark.parametrize("line, position, sentence", [
    ("SET k v", 0, "received one line of text (7 bytes)"),
    ("SET k v", 1, "split it into 3 arguments at the spaces"),
    ('SET k "a b"', 1, "split it into 3 arguments with redis-cli's quoting rules"),
    ("SET k v", 2, "found 'set': at least 3 arguments (got 3), flags write denyoom, "
                   "keys at argv[1]"),
    ("SET k v", 3, "ran set_() in kedis/commands/strings.py"),
    ("SET k v", 4, 'created "k" = "v"'),
    ("SET k v", 5, "answered OK: 5 bytes of RESP2"),
    ("GET k", 4, 'looked up "k": no such key (a keyspace miss)'),
    ("GET", 2, "found 'get', which takes exactly 2 arguments, but got 1: answer with an error; "
               "the handler never runs"),
    ("NOSUCH", 2, 'found no command named "NOSUCH": answer with an error'),
    ("CONFIG NOSUCH", 2, "found 'config', but not that subcommand: answer with an error"),
    ("MGET a b", 6, "answered an array of 2 elements: 14 bytes of RESP2"),
])
def test_step_sentences(db, line, position, sentence):
    assert db.run(line, trace=True).trace[position].did == sentence


def test_sentences_of_a_hit_an_overwrite_and_a_deadline(db):
    db.run("SET k v")
    assert step(db.run("GET k", trace=True), "keyspace", "read").did == (
        'looked up "k": found a string (a keyspace hit)')
    assert step(db.run("SET k w EX 100", trace=True), "keyspace", "write").did == (
        'overwrote "k" = "w"')
    assert step(db.run("SET k w EX 100", trace=True), "expiry", "set").did == (
        'set "k" to expire at 1700000100000 ms (in 100000 ms)')


def test_sentence_of_lazy_expiry(db, clock):
    db.run("SET k v EX 10")
    clock.advance(11)
    assert step(db.run("GET k", trace=True), "expiry", "lazy").did == (
        '"k" had expired (deadline 1700000010000 ms, now 1700000011000 ms): '
        "deleted on access (lazy expiry)")


def test_a_step_as_a_dict_includes_its_sentence(db):
    data = db.run("SET k v", trace=True).trace[0].as_dict()
    assert data == {"layer": "input", "action": "line", "received": "SET k v",
                    "handed_on": b"SET k v", "db": None, "key": None, "before": None,
                    "after": None, "detail": None, "did": "received one line of text (7 bytes)"}


# --- format_trace -----------------------------------------------------------------------------
def test_format_trace_numbers_the_steps_and_shows_what_changed(db):
    assert format_trace(db.run("SET k v", trace=True).trace) == "\n".join([
        "  1 input          received one line of text (7 bytes)",
        "  2 parser         split it into 3 arguments at the spaces",
        "  3 command table  found 'set': at least 3 arguments (got 3), flags write denyoom, "
        "keys at argv[1]",
        "  4 handler        ran set_() in kedis/commands/strings.py",
        '  5 keyspace       created "k" = "v"',
        "                     before: (no key)",
        '                     after:  string "v"',
        "  6 reply          answered OK: 5 bytes of RESP2",
    ])


def test_format_trace_shows_the_deadline_in_an_entry(db):
    text = format_trace(db.run("SET k v EX 100", trace=True).trace)
    assert '                     after:  string "v" (expires at 1700000100000 ms)' in text


def test_format_trace_shows_no_before_and_after_for_a_read(db):
    db.run("SET k v")
    assert "before:" not in format_trace(db.run("GET k", trace=True).trace)


def test_format_trace_of_a_parse_error(db):
    with pytest.raises(kedis.ParseError) as raised:
        db.run("GET 'k", trace=True)
    assert format_trace(raised.value.trace) == "\n".join([
        "  1 input   received one line of text (6 bytes)",
        "  2 parser  found an unbalanced quote: Invalid argument(s), nothing runs",
    ])


def test_format_trace_quotes_binary_keys_as_redis_cli_does(db):
    text = format_trace(db.execute("SET", b"k\x00\xff", "v\n", trace=True).trace)
    assert 'created "k\\x00\\xff" = "v\\n"' in text


# --- tracing changes nothing ------------------------------------------------------------------
SCRIPT = ["SET a 1 EX 10", "INCR a", "GET a", "GET missing", "MSET b 2 c 3", "APPEND b x",
          "EXPIRE c 5", "RENAME b d", "COPY d e DB 2", "KEYS *", "SCAN 0", "RANDOMKEY",
          "NOSUCH", "GET", "SET a x GET", "TTL a", "DEL c", "DBSIZE"]


def test_tracing_changes_neither_the_replies_nor_the_store(clock):
    plain = kedis.Kedis(clock=clock, seed=7)
    traced = kedis.Kedis(clock=clock, seed=7)
    for line in SCRIPT:
        assert traced.run(line, trace=True) == plain.run(line)
    clock.advance(6)  # "c" expires on both
    for line in ("GET c", "GET a", "KEYS *"):
        assert traced.run(line, trace=True) == plain.run(line)
    for number in range(3):
        assert traced.databases[number].data == plain.databases[number].data
        assert dict(traced.databases[number].expires) == dict(plain.databases[number].expires)


def test_tracing_changes_no_counter(clock):
    plain = kedis.Kedis(clock=clock, seed=7)
    traced = kedis.Kedis(clock=clock, seed=7)
    for line in SCRIPT:
        traced.run(line, trace=True)
        plain.run(line)
    counters = ("total_commands_processed", "keyspace_hits", "keyspace_misses", "expired_keys",
                "total_error_replies")
    traced_stats = info_fields(traced.run("INFO stats").value)
    plain_stats = info_fields(plain.run("INFO stats").value)
    assert [traced_stats[c] for c in counters] == [plain_stats[c] for c in counters]


def test_a_traced_reply_has_the_same_bytes(db):
    db.run("SET k v")
    assert db.run("GET k", trace=True).resp() == db.run("GET k").resp() == b"$1\r\nv\r\n"


def test_an_untraced_reply_has_no_trace(db):
    assert db.run("SET k v").trace is None
    assert db.execute("GET", "k").trace is None


def test_a_traced_command_leaves_the_next_untraced_reply_without_trace(db):
    # SET answers a shared OK reply: tracing must give the traced call a copy, not mark OK.
    assert db.run("SET a 1", trace=True).trace is not None
    assert db.run("SET b 2").trace is None


def test_a_blank_or_comment_line_answers_nothing_even_traced(db):
    assert db.run("   ", trace=True) is None
    assert db.run("# a comment", trace=True) is None


def test_a_list_changed_in_place_shows_its_elements_before_and_after(db):
    db.execute("RPUSH", "l", "a", "b")
    steps = db.execute("LPUSH", "l", "x", trace=True).trace
    change = steps[-2]
    assert (change.layer, change.action) == ("keyspace", "modify")
    assert change.before.describe() == 'list ["a", "b"]'
    assert change.after.describe() == 'list ["x", "a", "b"]'
    assert change.did == 'changed the list "l" in place: 2 elements before, 3 after'
    long = db.execute("RPUSH", "long", *[b"%d" % i for i in range(100)], trace=True).trace
    assert long[-2].after.describe().endswith(', ...]')  # a long list is cut, not shown whole
