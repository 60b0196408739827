"""Watching the engine (watch.py): an event after every command, for the live views."""

import pytest

import kedis
from kedis.engine.trace import KeyState


@pytest.fixture
def events(db):
    seen = []
    db.watch(seen.append)
    yield seen
    db.unwatch(seen.append)


def test_an_event_says_which_keys_changed_and_how(db, events):
    db.run("SET a 1 EX 10")
    db.run("INCR a")
    first, second = events
    assert first.argv == (b"SET", b"a", b"1", b"EX", b"10")
    assert [(c.key, c.before, c.after) for c in first.changed] == [
        (b"a", None, KeyState("string", b"1", 1_700_000_010_000))]
    assert second.changed[0].before.value == b"1" and second.changed[0].after.value == b"2"
    assert second.reply == kedis.Integer(2)


def test_a_read_changes_nothing(db, events):
    db.run("SET a 1")
    db.execute("GET", "a")
    assert events[1].keys[0].changed is False and events[1].changed == ()


def test_a_command_that_names_no_key_may_change_them_all(db, events):
    db.run("FLUSHDB")
    db.run("PING")
    assert [event.whole_keyspace for event in events] == [True, False]


def test_each_command_is_reported_once_whichever_way_it_runs(db, events):
    db.run("SET a 1")
    db.execute(b"GET", b"a")
    db.run("GET a", trace=True)
    db.execute("GET", "a", trace=True)
    assert len(events) == 4


def test_a_watcher_can_ask_for_each_commands_trace(db):
    seen = []
    db.watch(seen.append, trace=True)
    reply = db.run("SET a 1")
    assert reply.trace is None  # the caller did not ask for it
    assert [step.layer for step in seen[0].trace][:2] == ["input", "parser"]
    db.unwatch(seen.append, trace=True)


def test_lines_that_cannot_run_are_not_reported(db, events):
    with pytest.raises(kedis.ParseError):
        db.run('GET "x')
    assert db.run("# a comment") is None
    assert events == []


def test_nobody_watching_leaves_the_plain_dispatcher(db):
    seen = []
    db.watch(seen.append)
    db.unwatch(seen.append)
    assert "execute" not in vars(db) and "call" not in vars(db) and "run" not in vars(db)
    db.run("PING")
    assert seen == []


def test_an_event_per_command_of_a_client(db, events):
    client = db.new_client()
    db.execute("SELECT", "2", client=client)
    db.execute("SET", "k", "v", client=client)
    assert events[-1].db == 2


def test_a_servers_commands_are_reported_once_each(db, events):
    # kedis-server calls the dispatcher directly (call, with bytes already): watched all the same.
    client = db.new_client()
    assert db.call(client, [b"SET", b"k", b"v"]) == kedis.Status("OK")
    db.call(client, [b"MULTI"])
    db.call(client, [b"INCR", b"n"])
    db.call(client, [b"EXEC"])
    assert [event.argv for event in events] == [
        (b"SET", b"k", b"v"), (b"MULTI",), (b"INCR", b"n"), (b"EXEC",)]
    assert events[-1].reply == kedis.Array([kedis.Integer(1)])


def test_a_servers_commands_carry_the_trace_a_watcher_asks_for(db):
    seen = []
    db.watch(seen.append, trace=True)
    reply = db.call(db.new_client(), [b"SET", b"k", b"v"])
    assert reply.trace is None and [step.layer for step in seen[0].trace][0] == "input"
    db.unwatch(seen.append, trace=True)


def test_the_class_dispatcher_goes_past_the_watchers(db, events):
    # tutorial.py's checks ask their questions this way, unseen by the views.
    kedis.Kedis.execute(db, b"SET", b"k", b"v")
    assert events == []
