"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH, checked against redis-server.

Each scenario is a list of (connection, command) steps over two connections, A and B, played on
kedis-server and on redis-server; every reply must be the same bytes. Expiry, which needs time to
pass, is checked on Kedis's fake clock only, with Redis's documented rule.
"""

from __future__ import annotations

import pytest
from redis_oracle import RawClient

import kedis
from kedis.engine.reply import NULL_ARRAY, Array, Error, Integer, Status

SCENARIOS = {
    "a write by another client aborts EXEC": [
        ("A", "SET k 1"), ("A", "WATCH k"), ("B", "SET k 2"), ("A", "MULTI"), ("A", "INCR k"),
        ("A", "EXEC"), ("A", "GET k")],
    "nothing changed: EXEC runs": [
        ("A", "WATCH k"), ("A", "MULTI"), ("A", "SET k 1"), ("A", "EXEC"), ("A", "GET k")],
    "the same value written again still counts as a change": [
        ("A", "SET k 1"), ("A", "WATCH k"), ("B", "SET k 1"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC")],
    "its own write counts too": [
        ("A", "WATCH k"), ("A", "SET k 1"), ("A", "MULTI"), ("A", "PING"), ("A", "EXEC")],
    "deleting a missing key is no change": [
        ("A", "WATCH k"), ("B", "DEL k"), ("A", "MULTI"), ("A", "PING"), ("A", "EXEC")],
    "a read is no change": [
        ("A", "SET k 1"), ("A", "WATCH k"), ("B", "GET k"), ("B", "EXISTS k"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC")],
    "EXPIRE and PERSIST are changes": [
        ("A", "SET k 1"), ("A", "WATCH k"), ("B", "EXPIRE k 100"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC"), ("A", "WATCH k"), ("B", "PERSIST k"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC"), ("A", "WATCH k"), ("B", "PERSIST k"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC")],
    "FLUSHALL changes a watched key that exists": [
        ("A", "SET k 1"), ("A", "WATCH k"), ("B", "FLUSHALL"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC")],
    "FLUSHDB does not change a watched key that does not exist": [
        ("B", "SET other 1"), ("A", "WATCH k"), ("B", "FLUSHDB"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC")],
    "a key of the same name in another database is another key": [
        ("A", "WATCH k"), ("B", "SELECT 1"), ("B", "SET k 1"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC")],
    "SWAPDB changes a watched key that moves in or out": [
        ("B", "SELECT 1"), ("B", "SET k 1"), ("A", "WATCH k"), ("B", "SWAPDB 0 1"),
        ("A", "MULTI"), ("A", "GET k"), ("A", "EXEC"), ("A", "WATCH k"), ("B", "SWAPDB 0 1"),
        ("A", "MULTI"), ("A", "GET k"), ("A", "EXEC")],
    "SWAPDB leaves a watched key that is in neither database alone": [
        ("B", "SET other 1"), ("A", "WATCH k"), ("B", "SWAPDB 0 1"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC"), ("A", "GET other")],
    "SWAPDB of a database with itself changes nothing watched": [
        ("A", "SET k 1"), ("A", "WATCH k"), ("B", "SWAPDB 0 0"), ("A", "MULTI"), ("A", "GET k"),
        ("A", "EXEC")],
    "SAVE is refused inside a transaction, which then aborts": [
        ("A", "MULTI"), ("A", "SAVE"), ("A", "PING"), ("A", "EXEC"), ("A", "PING")],
    "SHUTDOWN is refused inside a transaction": [
        ("A", "MULTI"), ("A", "SHUTDOWN"), ("A", "SHUTDOWN NOSAVE"), ("A", "EXEC"),
        ("A", "PING")],
    "RENAME changes both keys": [
        ("A", "SET src 1"), ("A", "WATCH dst"), ("B", "RENAME src dst"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC")],
    "UNWATCH forgets": [
        ("A", "WATCH k"), ("A", "UNWATCH"), ("B", "SET k 1"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC")],
    "EXEC forgets the watched keys": [
        ("A", "WATCH k"), ("A", "MULTI"), ("A", "EXEC"), ("B", "SET k 1"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC")],
    "DISCARD forgets them too": [
        ("A", "WATCH k"), ("A", "MULTI"), ("A", "DISCARD"), ("B", "SET k 1"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC")],
    "an unknown command aborts the transaction": [
        ("A", "MULTI"), ("A", "SET k 1"), ("A", "NOPE x"), ("A", "EXEC"), ("A", "GET k"),
        ("A", "EXEC")],
    "a wrong arity aborts it too": [
        ("A", "MULTI"), ("A", "GET"), ("A", "SET k 1"), ("A", "EXEC"), ("A", "EXISTS k")],
    "an error while running does not stop the others (no rollback)": [
        ("A", "MULTI"), ("A", "SET k x"), ("A", "INCR k"), ("A", "SET j 1"), ("A", "EXEC"),
        ("A", "GET j")],
    "MULTI cannot be nested, WATCH is refused inside, neither aborts": [
        ("A", "MULTI"), ("A", "MULTI"), ("A", "WATCH k"), ("A", "SET k 1"), ("A", "EXEC")],
    "EXEC and DISCARD without MULTI": [("A", "EXEC"), ("A", "DISCARD")],
    "an empty transaction": [("A", "MULTI"), ("A", "EXEC")],
    "SELECT inside a transaction stays selected": [
        ("A", "MULTI"), ("A", "SELECT 1"), ("A", "SET k v"), ("A", "EXEC"), ("A", "GET k"),
        ("B", "GET k")],
    "another client's commands do not wait for a transaction to end": [
        ("A", "MULTI"), ("A", "SET k 1"), ("B", "SET k 2"), ("B", "GET k"), ("A", "EXEC"),
        ("B", "GET k")],
    "WATCH after a change already made is fine": [
        ("B", "SET k 1"), ("A", "WATCH k"), ("A", "MULTI"), ("A", "GET k"), ("A", "EXEC")],
    "WATCH of several keys, one changes": [
        ("A", "WATCH a b c"), ("A", "WATCH d"), ("B", "SET c 1"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC")],
    "RESET leaves the transaction": [
        ("A", "WATCH k"), ("A", "MULTI"), ("A", "SET k 1"), ("A", "RESET"), ("A", "EXEC"),
        ("A", "GET k")],
}


def play(port: int, steps: list[tuple[str, str]]) -> list[bytes]:
    clients = {name: RawClient(port) for name in ("A", "B")}
    clients["A"].call("FLUSHALL")
    replies = [clients[who].call(*line.split()) for who, line in steps]
    for client in clients.values():
        client.close()
    return replies


@pytest.mark.redis
@pytest.mark.parametrize("name", SCENARIOS)
def test_transactions_answer_as_redis(kedis_server, redis_server, name):
    steps = SCENARIOS[name]
    assert play(kedis_server.port, steps) == play(redis_server.port, steps)


# --- in the engine alone, on a fake clock ---------------------------------------------------------
@pytest.fixture
def two(db: kedis.Kedis):
    return db.new_client(), db.new_client()


def test_a_watched_key_that_expires_aborts_exec_even_before_anyone_deletes_it(db, clock, two):
    a, _ = two
    db.execute("SET", "k", "1", "PX", "100", client=a)
    db.execute("WATCH", "k", client=a)
    clock.advance(0.2)  # the deadline passes; nothing touches the key
    db.execute("MULTI", client=a)
    db.execute("PING", client=a)
    assert db.execute("EXEC", client=a) == NULL_ARRAY


def test_active_expiry_of_a_watched_key_aborts_exec(db, clock, two):
    a, _ = two
    db.execute("SET", "k", "1", "PX", "100", client=a)
    db.execute("WATCH", "k", client=a)
    clock.advance(0.2)
    db.tick()
    assert db.stats.expired_keys_active == 1
    db.execute("MULTI", client=a)
    assert db.execute("EXEC", client=a) == NULL_ARRAY


def test_a_key_already_expired_when_watched_is_no_change_when_it_is_deleted(db, clock, two):
    a, b = two
    db.execute("SET", "k", "1", "PX", "100", client=a)
    clock.advance(0.2)
    db.execute("WATCH", "k", client=a)  # already expired: WATCH notes it
    assert db.execute("GET", "k", client=b).value is None  # lazy expiry deletes it
    db.execute("MULTI", client=a)
    db.execute("PING", client=a)
    assert db.execute("EXEC", client=a) == Array([Status("PONG")])


def test_swapdb_bringing_an_expired_key_where_there_was_none_is_no_change(db, clock, two):
    # The watched database had no k; the one swapped in holds k, but k's deadline has passed:
    # logically nothing appeared, and EXEC runs (Redis compares the sides before it swaps them).
    a, b = two
    db.execute("DEBUG", "SET-ACTIVE-EXPIRE", "0", client=b)
    db.execute("SET", "k", "foo", "PX", "1", client=b)
    clock.advance(0.01)
    db.execute("SELECT", "1", client=a)
    db.execute("WATCH", "k", client=a)
    db.execute("SWAPDB", "0", "1", client=b)
    db.execute("MULTI", client=a)
    db.execute("PING", client=a)
    assert db.execute("EXEC", client=a) == Array([Status("PONG")])


def test_transactions_work_in_the_embedded_engine_too(db):
    assert db.run("MULTI") == Status("OK")
    assert db.run("INCR n") == Status("QUEUED")
    assert db.run("INCR n") == Status("QUEUED")
    assert db.run("EXEC") == Array([Integer(1), Integer(2)])
    assert db.run("EXEC") == Error("ERR EXEC without MULTI")


def test_a_closed_connection_forgets_its_watches(db, two):
    a, _ = two
    db.execute("WATCH", "k", client=a)
    db.free_client(a)
    assert db.databases[0].watchers == {}
