"""Commands on keys of any type (kedis/commands/keys.py), one behaviour per test.

``SET k v PXAT 1`` makes a key whose deadline has already passed but that nobody has touched yet,
on Redis (its active expiry is off in the ``redis`` fixture) as on Kedis: the way to test how
each command treats an expired key without waiting.
"""

from __future__ import annotations

import pytest
from compare import NIL, OK, SYNTAX_ERROR, bulk, integer, parse_resp, same

import kedis


def scan_all(db: kedis.Kedis, *options: str, between=None) -> tuple[list[bytes], int]:
    """Walk SCAN from cursor 0 to the end; answers the keys seen and the number of calls.

    ``between(call_number)`` runs between two calls, to change the keyspace during the walk.
    """
    seen: list[bytes] = []
    cursor = b"0"
    calls = 0
    while True:
        cursor, keys = db.execute("SCAN", cursor, *options).value
        seen += keys
        calls += 1
        if cursor == b"0":
            return seen, calls
        if between is not None:
            between(calls)


# --- DEL, UNLINK, EXISTS, TOUCH, TYPE ---------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command", ["DEL", "UNLINK"])
def test_del_answers_how_many_keys_it_removed_counting_a_repeated_key_once(db, redis, command):
    same(db, redis, "MSET", "a", "1", "b", "2")
    assert same(db, redis, command, "a", "a", "b", "missing") == integer(2)
    assert same(db, redis, "EXISTS", "a", "b") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("command", ["DEL", "UNLINK"])
def test_del_does_not_count_an_expired_key(db, redis, command):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, command, "k") == integer(0)


@pytest.mark.redis
def test_exists_counts_a_repeated_key_each_time(db, redis):
    same(db, redis, "SET", "a", "1")
    assert same(db, redis, "EXISTS", "a", "a", "a", "missing") == integer(3)


@pytest.mark.redis
def test_exists_does_not_count_an_expired_key(db, redis):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, "EXISTS", "k", "k") == integer(0)


@pytest.mark.redis
def test_touch_answers_how_many_keys_exist_counting_repeats(db, redis):
    same(db, redis, "SET", "a", "1")
    assert same(db, redis, "TOUCH", "a", "a", "missing") == integer(2)


@pytest.mark.redis
def test_touch_does_not_count_an_expired_key(db, redis):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, "TOUCH", "k") == integer(0)


@pytest.mark.redis
def test_type_of_a_string_is_string(db, redis):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "TYPE", "k") == b"+string\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("setup", [[], ["SET", "missing", "v", "PXAT", "1"]],
                         ids=["missing", "expired"])
def test_type_of_a_missing_or_expired_key_is_none(db, redis, setup):
    if setup:
        same(db, redis, *setup)
    assert same(db, redis, "TYPE", "missing") == b"+none\r\n"


# --- KEYS -------------------------------------------------------------------------------------
GLOB_KEYS = [b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"h*llo", b"h?llo", b"[x",
             b"x]", b"a", b"a-b", b"", b"\\", b"]", b"-"]


@pytest.mark.redis
@pytest.mark.parametrize("pattern, expected", [
    (b"h?llo", {b"hello", b"hallo", b"hxllo", b"h*llo", b"h?llo"}),
    (b"h*llo", {b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"h*llo", b"h?llo"}),
    (b"h[ae]llo", {b"hello", b"hallo"}),
    (b"h[^e]llo", {b"hallo", b"hxllo", b"h*llo", b"h?llo"}),
    (b"h[a-b]llo", {b"hallo"}),
    (b"h[b-a]llo", {b"hallo"}),                     # a reversed range works
    (b"h\\*llo", {b"h*llo"}),                       # \* is a star
    (b"h\\?llo", {b"h?llo"}),
    (b"*", set(GLOB_KEYS)),                         # every key, the empty one too
    (b"**", set(GLOB_KEYS) - {b""}),                # any other pattern skips the empty key
    (b"", {b""}),                                   # the empty pattern matches the empty key
    (b"?", {b"a", b"\\", b"]", b"-"}),
    (b"[", set()),                                  # a [ that ends the pattern matches nothing
    (b"[x", set()),                                 # an unclosed set runs to the end...
    (b"h[a-e", set()),
    (b"[[]x", {b"[x"}),
    (b"[]", set()),                                 # an empty set matches nothing
    (b"[^]", {b"a", b"\\", b"]", b"-"}),            # its negation matches any one byte
    (b"[a-]", {b"a", b"]"}),                        # a range from "a" down to "]"
    (b"[-a]", {b"a", b"-"}),
    (b"[\\]]", {b"]"}),                             # \] inside a set is a ]
    (b"[]]", set()),                                # ...but a bare ] closes it
    (b"x\\]", {b"x]"}),
    (b"*\\", {b"\\"}),                              # a final backslash is itself
    (b"\\", {b"\\"}),
    (b"[^a-z]", {b"\\", b"]", b"-"}),
])
def test_keys_glob_rules(db, redis, pattern, expected):
    argv = ["MSET"]
    for name in GLOB_KEYS:
        argv += [name, "v"]
    same(db, redis, *argv)
    found = db.execute("KEYS", pattern).value
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert set(parse_resp(redis.call("KEYS", pattern))) == expected


@pytest.mark.redis
def test_keys_hides_an_expired_key_without_deleting_it(db, redis):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, "KEYS", "*") == b"*0\r\n"
    assert same(db, redis, "DBSIZE") == integer(1)


@pytest.mark.redis
def test_keys_on_an_empty_database_is_an_empty_array(db, redis):
    assert same(db, redis, "KEYS", "*") == b"*0\r\n"


# --- SCAN -------------------------------------------------------------------------------------
def test_scan_walks_every_key_once_and_ends_with_cursor_0(db):
    names = [b"key:%d" % i for i in range(100)]
    for name in names:
        db.execute("SET", name, "v")
    seen, calls = scan_all(db, "COUNT", "7")
    assert sorted(seen) == sorted(names)
    assert calls > 1


def test_scan_count_is_how_many_keys_one_call_looks_at(db):
    for i in range(100):
        db.execute("SET", f"key:{i}", "v")
    cursor, keys = db.run("SCAN 0 COUNT 7").value
    assert cursor != b"0"
    assert len(keys) == 7


def test_scan_returns_every_key_that_exists_throughout_a_changing_walk(db):
    for i in range(200):
        db.execute("SET", f"stays:{i}", "v")
        db.execute("SET", f"goes:{i}", "v")
    added = []

    def change(call: int) -> None:
        for j in range(3):
            db.execute("DEL", f"goes:{call * 3 + j}")
            name = f"new:{call}:{j}".encode()
            db.execute("SET", name, "v")
            added.append(name)

    seen, _ = scan_all(db, "COUNT", "5", between=change)
    assert {b"stays:%d" % i for i in range(200)} <= set(seen)
    assert set(seen) <= ({b"stays:%d" % i for i in range(200)}
                         | {b"goes:%d" % i for i in range(200)} | set(added))


def test_scan_match_filters_the_keys_it_answers(db):
    for i in range(50):
        db.execute("SET", f"user:{i}", "v")
        db.execute("SET", f"item:{i}", "v")
    seen, _ = scan_all(db, "MATCH", "user:*", "COUNT", "10")
    assert sorted(seen) == sorted(b"user:%d" % i for i in range(50))


def test_scan_match_may_answer_no_keys_and_a_cursor_to_go_on(db):
    for i in range(100):
        db.execute("SET", f"key:{i}", "v")
    cursor, keys = db.run("SCAN 0 MATCH nothing* COUNT 10").value
    assert keys == []
    assert cursor != b"0"


@pytest.mark.redis
def test_scan_of_fewer_keys_than_count_answers_every_key_at_once(db, redis):
    same(db, redis, "MSET", "a", "1", "b", "2", "c", "3")
    for cursor, keys in (db.run("SCAN 0").value, parse_resp(redis.call("SCAN", "0"))):
        assert (cursor, sorted(keys)) == (b"0", [b"a", b"b", b"c"])


@pytest.mark.redis
def test_scan_of_an_empty_database(db, redis):
    assert same(db, redis, "SCAN", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("options, expected", [
    (["MATCH", "a*"], [b"a1", b"a2"]),
    (["TYPE", "string"], [b"a1", b"a2", b"b1"]),
    (["TYPE", "STRING"], [b"a1", b"a2", b"b1"]),
    (["TYPE", "list"], []),
    (["TYPE", "nosuchtype"], []),
    (["match", "b*", "type", "string", "count", "1000"], [b"b1"]),
    (["TYPE", "string", "MATCH", "z*"], []),
], ids=lambda v: " ".join(v) if isinstance(v, list) and v and isinstance(v[0], str) else "")
def test_scan_match_and_type_filter_like_redis(db, redis, options, expected):
    same(db, redis, "MSET", "a1", "1", "a2", "2", "b1", "3")
    cursor, keys = db.execute("SCAN", "0", "COUNT", "100", *options).value
    redis_cursor, redis_keys = parse_resp(redis.call("SCAN", "0", "COUNT", "100", *options))
    assert (cursor, sorted(keys)) == (redis_cursor, sorted(redis_keys)) == (b"0", expected)


@pytest.mark.redis
def test_scan_skips_and_deletes_an_expired_key(db, redis):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, "SCAN", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    assert same(db, redis, "DBSIZE") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("cursor", ["abc", " 1", "1 ", "1.5", "0x10", "18446744073709551616",
                                    "-", "+"])
def test_scan_refuses_an_invalid_cursor(db, redis, cursor):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "SCAN", cursor) == b"-ERR invalid cursor\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("cursor", ["", "+0"])
def test_scan_reads_an_empty_or_signed_cursor_as_strtoul_does(db, redis, cursor):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "SCAN", cursor) == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("cursor", ["18446744073709551615", "-1"])
def test_scan_accepts_the_largest_64_bit_cursor_and_ends_there(db, redis, cursor):
    # Which keys Redis finds from there depends on its hash seed: only the cursor is compared.
    same(db, redis, "SET", "k", "v")
    for next_cursor, keys in (db.execute("SCAN", cursor).value,
                              parse_resp(redis.call("SCAN", cursor))):
        assert next_cursor == b"0" and set(keys) <= {b"k"}


@pytest.mark.redis
def test_scan_refuses_a_cursor_with_thousands_of_digits(db, redis):
    assert same(db, redis, "SCAN", "1" + "0" * 4400) == b"-ERR invalid cursor\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("options, error", [
    (["COUNT", "0"], SYNTAX_ERROR),
    (["COUNT", "-1"], SYNTAX_ERROR),
    (["COUNT"], SYNTAX_ERROR),
    (["MATCH"], SYNTAX_ERROR),
    (["TYPE"], SYNTAX_ERROR),
    (["FOO", "bar"], SYNTAX_ERROR),
    (["COUNT", "abc"], b"-ERR value is not an integer or out of range\r\n"),
    (["COUNT", "9223372036854775808"], b"-ERR value is not an integer or out of range\r\n"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_scan_option_errors(db, redis, options, error):
    assert same(db, redis, "SCAN", "0", *options) == error


# --- RENAME and RENAMENX ----------------------------------------------------------------------
@pytest.mark.redis
def test_rename_moves_the_value_to_the_new_name(db, redis):
    same(db, redis, "SET", "old", "v")
    assert same(db, redis, "RENAME", "old", "new") == OK
    assert same(db, redis, "MGET", "old", "new") == b"*2\r\n$-1\r\n$1\r\nv\r\n"


def test_rename_carries_the_ttl(db, clock):
    db.run("SET old v EX 100")
    clock.advance(10)
    db.run("RENAME old new")
    assert db.run("TTL new").value == 90


@pytest.mark.redis
def test_rename_replaces_the_destination_and_its_ttl(db, redis):
    same(db, redis, "SET", "src", "v")
    same(db, redis, "SET", "dst", "old", "EX", "50")
    assert same(db, redis, "RENAME", "src", "dst") == OK
    assert same(db, redis, "GET", "dst") == bulk(b"v")
    assert same(db, redis, "TTL", "dst") == integer(-1)


@pytest.mark.redis
@pytest.mark.parametrize("command", ["RENAME", "RENAMENX"])
@pytest.mark.parametrize("setup", [[], ["SET", "src", "v", "PXAT", "1"]],
                         ids=["missing", "expired"])
def test_rename_of_a_missing_or_expired_key_is_an_error(db, redis, command, setup):
    if setup:
        same(db, redis, *setup)
    assert same(db, redis, command, "src", "dst") == b"-ERR no such key\r\n"


@pytest.mark.redis
def test_rename_to_the_same_name_is_ok(db, redis):
    same(db, redis, "SET", "k", "v", "EX", "100")
    assert same(db, redis, "RENAME", "k", "k") == OK
    assert same(db, redis, "TTL", "k") == integer(100)


@pytest.mark.redis
def test_renamenx_renames_when_the_new_name_is_free(db, redis):
    same(db, redis, "SET", "old", "v")
    assert same(db, redis, "RENAMENX", "old", "new") == integer(1)
    assert same(db, redis, "MGET", "old", "new") == b"*2\r\n$-1\r\n$1\r\nv\r\n"


@pytest.mark.redis
def test_renamenx_does_nothing_when_the_new_name_exists(db, redis):
    same(db, redis, "MSET", "old", "1", "new", "2")
    assert same(db, redis, "RENAMENX", "old", "new") == integer(0)
    assert same(db, redis, "MGET", "old", "new") == b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"


@pytest.mark.redis
def test_renamenx_onto_an_expired_key_renames(db, redis):
    same(db, redis, "SET", "new", "stale", "PXAT", "1")
    same(db, redis, "SET", "old", "v")
    assert same(db, redis, "RENAMENX", "old", "new") == integer(1)
    assert same(db, redis, "GET", "new") == bulk(b"v")


@pytest.mark.redis
def test_renamenx_to_the_same_name_answers_0(db, redis):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "RENAMENX", "k", "k") == integer(0)


def test_renamenx_carries_the_ttl(db):
    db.run("SET old v EX 100")
    db.run("RENAMENX old new")
    assert db.run("TTL new").value == 100


# --- COPY -------------------------------------------------------------------------------------
@pytest.mark.redis
def test_copy_copies_the_value(db, redis):
    same(db, redis, "SET", "src", "v")
    assert same(db, redis, "COPY", "src", "dst") == integer(1)
    assert same(db, redis, "MGET", "src", "dst") == b"*2\r\n$1\r\nv\r\n$1\r\nv\r\n"


def test_copy_copies_the_ttl(db, clock):
    db.run("SET src v EX 100")
    clock.advance(20)
    db.run("COPY src dst")
    assert db.run("TTL dst").value == 80


@pytest.mark.redis
def test_copy_makes_an_independent_value(db, redis):
    same(db, redis, "SET", "src", "v")
    same(db, redis, "COPY", "src", "dst")
    same(db, redis, "APPEND", "dst", "w")
    assert same(db, redis, "MGET", "src", "dst") == b"*2\r\n$1\r\nv\r\n$2\r\nvw\r\n"


@pytest.mark.redis
def test_copy_onto_an_existing_key_answers_0_and_changes_nothing(db, redis):
    same(db, redis, "MSET", "src", "1", "dst", "2")
    assert same(db, redis, "COPY", "src", "dst") == integer(0)
    assert same(db, redis, "GET", "dst") == bulk(b"2")


@pytest.mark.redis
def test_copy_replace_overwrites_an_existing_key(db, redis):
    same(db, redis, "MSET", "src", "1", "dst", "2")
    assert same(db, redis, "COPY", "src", "dst", "replace") == integer(1)
    assert same(db, redis, "GET", "dst") == bulk(b"1")


@pytest.mark.redis
@pytest.mark.parametrize("setup", [[], ["SET", "src", "v", "PXAT", "1"]],
                         ids=["missing", "expired"])
def test_copy_of_a_missing_or_expired_key_answers_0(db, redis, setup):
    if setup:
        same(db, redis, *setup)
    assert same(db, redis, "COPY", "src", "dst") == integer(0)
    assert same(db, redis, "EXISTS", "dst") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("command", [["COPY", "k", "k"], ["COPY", "k", "k", "DB", "0"],
                                     ["COPY", "missing", "missing"]], ids=" ".join)
def test_copy_onto_itself_is_an_error(db, redis, command):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, *command) == b"-ERR source and destination objects are the same\r\n"


@pytest.mark.redis
def test_copy_db_copies_into_another_database(db, redis):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "COPY", "k", "k", "db", "1") == integer(1)
    same(db, redis, "SELECT", "1")
    assert same(db, redis, "GET", "k") == bulk(b"v")


def test_copy_db_carries_the_ttl_into_the_other_database(db):
    db.run("SET k v EX 100")
    db.run("COPY k k DB 3")
    db.run("SELECT 3")
    assert db.run("TTL k").value == 100


@pytest.mark.redis
def test_copy_db_with_replace_overwrites_in_the_other_database(db, redis):
    same(db, redis, "SET", "k", "new")
    same(db, redis, "SELECT", "1")
    same(db, redis, "SET", "k", "old")
    same(db, redis, "SELECT", "0")
    assert same(db, redis, "COPY", "k", "k", "DB", "1") == integer(0)
    assert same(db, redis, "COPY", "k", "k", "REPLACE", "DB", "1") == integer(1)
    same(db, redis, "SELECT", "1")
    assert same(db, redis, "GET", "k") == bulk(b"new")


@pytest.mark.redis
@pytest.mark.parametrize("options, error", [
    (["DB", "16"], b"-ERR DB index is out of range\r\n"),
    (["DB", "-1"], b"-ERR DB index is out of range\r\n"),
    (["DB", "abc"], b"-ERR value is not an integer or out of range\r\n"),
    (["DB", "2147483648"],
     b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"),
    (["DB"], SYNTAX_ERROR),
    (["FOO"], SYNTAX_ERROR),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_copy_option_errors(db, redis, options, error):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "COPY", "k", "dst", *options) == error


# --- RANDOMKEY --------------------------------------------------------------------------------
@pytest.mark.redis
def test_randomkey_of_an_empty_database_is_nil(db, redis):
    assert same(db, redis, "RANDOMKEY") == NIL


@pytest.mark.redis
def test_randomkey_of_a_single_key_is_that_key(db, redis):
    same(db, redis, "SET", "only", "v")
    assert same(db, redis, "RANDOMKEY") == bulk(b"only")


def test_randomkey_answers_keys_of_the_database(db):
    names = {b"k%d" % i for i in range(20)}
    for name in names:
        db.execute("SET", name, "v")
    picks = [db.run("RANDOMKEY").value for _ in range(50)]
    assert set(picks) <= names
    assert len(set(picks)) > 1


def test_randomkey_repeats_its_choices_with_the_same_seed(clock):
    def picks(seed: int) -> list[bytes]:
        engine = kedis.Kedis(clock=clock, seed=seed)
        for i in range(20):
            engine.execute("SET", f"k{i}", "v")
        return [engine.run("RANDOMKEY").value for _ in range(10)]

    assert picks(0) == picks(0)
    assert picks(0) != picks(1)


def test_randomkey_never_answers_an_expired_key_and_deletes_those_it_meets(db, clock):
    for i in range(10):
        db.execute("SET", f"old{i}", "v", "EX", "10")
    db.run("SET fresh v")
    clock.advance(11)
    assert [db.run("RANDOMKEY").value for _ in range(5)] == [b"fresh"] * 5
    assert db.run("DBSIZE").value < 11


@pytest.mark.redis
def test_randomkey_when_every_key_has_expired_is_nil(db, redis):
    same(db, redis, "SET", "k", "v", "PXAT", "1")
    assert same(db, redis, "RANDOMKEY") == NIL
    assert same(db, redis, "DBSIZE") == integer(0)


# --- arity ------------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["DEL"], ["UNLINK"], ["EXISTS"], ["TOUCH"], ["TYPE"], ["TYPE", "a", "b"], ["KEYS"],
    ["KEYS", "a", "b"], ["SCAN"], ["RANDOMKEY", "x"], ["RENAME", "a"], ["RENAMENX", "a"],
    ["COPY", "a"],
], ids=" ".join)
def test_key_commands_check_their_number_of_arguments(db, redis, command):
    assert same(db, redis, *command) == (
        b"-ERR wrong number of arguments for '%s' command\r\n" % command[0].lower().encode())


# --- MOVE -----------------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("commands", [
    [["SET", "k", "v", "EX", "100"], ["MOVE", "k", "1"], ["EXISTS", "k"], ["SELECT", "1"],
     ["GET", "k"], ["TTL", "k"]],
    [["SET", "k", "v"], ["SELECT", "1"], ["SET", "k", "other"], ["SELECT", "0"],
     ["MOVE", "k", "1"], ["GET", "k"], ["SELECT", "1"], ["GET", "k"]],
    [["MOVE", "missing", "1"]], [["SET", "k", "v"], ["MOVE", "k", "0"]],
    [["SET", "k", "v"], ["MOVE", "k", "16"]], [["SET", "k", "v"], ["MOVE", "k", "-1"]],
    [["SET", "k", "v"], ["MOVE", "k", "x"]], [["SET", "k", "v"], ["MOVE", "k", "3000000000"]],
    [["SET", "gone", "v", "PXAT", "1"], ["MOVE", "gone", "1"], ["DBSIZE"]],
    [["SADD", "s", "a"], ["APPEND", "r", "ab"], ["APPEND", "r", "c"], ["MOVE", "s", "2"],
     ["MOVE", "r", "2"], ["SELECT", "2"], ["SMEMBERS", "s"], ["OBJECT", "ENCODING", "r"]],
], ids=lambda commands: " | ".join(" ".join(c) for c in commands))
def test_move_answers_as_redis(db, redis, commands):
    for command in commands:
        same(db, redis, *command)
