"""Replies (kedis/engine/reply.py): the RESP2 bytes and the text redis-cli shows, for every type.

The expected texts are redis-cli 7.0's own output. The tests marked ``redis`` check that again:
they make redis-server answer the same structure (with a Lua script) and run the real redis-cli
on it, in its formatted (``--no-raw``) and raw (``--raw``) modes.
"""

from __future__ import annotations

import subprocess

import pytest
from compare import same
from redis_oracle import require_redis_binaries

import kedis
from kedis import Array, Bulk, Error, Integer, Null, NullArray, Status, Verbatim

# --- one reply of each type -------------------------------------------------------------------
# (reply, RESP2 bytes, redis-cli text, redis-cli --raw text)
EACH_TYPE = [
    (Status("OK"), b"+OK\r\n", "OK", "OK"),
    (Error("ERR boom"), b"-ERR boom\r\n", "(error) ERR boom", "ERR boom"),
    (Integer(42), b":42\r\n", "(integer) 42", "42"),
    (Integer(-7), b":-7\r\n", "(integer) -7", "-7"),
    (Bulk(b"hello"), b"$5\r\nhello\r\n", '"hello"', "hello"),
    (Bulk(b""), b"$0\r\n\r\n", '""', ""),
    (Null(), b"$-1\r\n", "(nil)", ""),
    (NullArray(), b"*-1\r\n", "(nil)", ""),
    (Array([]), b"*0\r\n", "(empty array)", ""),
    (Array([Bulk(b"a"), Integer(1)]), b"*2\r\n$1\r\na\r\n:1\r\n", '1) "a"\n2) (integer) 1',
     "a\n1"),
    (Verbatim("# Keyspace\r\ndb0:keys=1\r\n"), b"$24\r\n# Keyspace\r\ndb0:keys=1\r\n\r\n",
     "# Keyspace\r\ndb0:keys=1\r\n", "# Keyspace\r\ndb0:keys=1\r\n"),
]
IDS = [type(reply).__name__ + ":" + repr(resp) for reply, resp, _, _ in EACH_TYPE]


@pytest.mark.parametrize("reply, resp, text, raw", EACH_TYPE, ids=IDS)
def test_resp_is_the_wire_format(reply, resp, text, raw):
    assert reply.resp() == resp


@pytest.mark.parametrize("reply, resp, text, raw", EACH_TYPE, ids=IDS)
def test_cli_is_the_text_redis_cli_shows(reply, resp, text, raw):
    assert reply.cli() == text


@pytest.mark.parametrize("reply, resp, text, raw", EACH_TYPE, ids=IDS)
def test_cli_raw_is_the_text_redis_cli_raw_shows(reply, resp, text, raw):
    assert reply.cli(raw=True) == raw


@pytest.mark.parametrize("reply", [
    Status("OK"), Bulk(b"hello world"), Integer(12), Null(), Error("ERR syntax error"),
    Array([Bulk(b"a"), Null()]),
])
def test_ipython_shows_a_reply_as_redis_cli_does(reply):
    from IPython.lib.pretty import pretty

    assert pretty(reply) == reply.cli()


def test_str_of_a_reply_is_its_cli_text():
    assert str(Integer(3)) == "(integer) 3"


# --- terminal(): the bytes redis-cli writes, newline included ---------------------------------
@pytest.mark.parametrize("reply, expected", [
    (Status("OK"), b"OK\n"),
    (Bulk(b"v"), b'"v"\n'),
    (Null(), b"(nil)\n"),
    (Error("ERR boom"), b"(error) ERR boom\n"),
], ids=repr)
def test_terminal_ends_with_a_newline(reply, expected):
    assert reply.terminal() == expected


def test_terminal_raw_of_an_error_ends_with_an_empty_line():
    assert Error("ERR boom").terminal(raw=True) == b"ERR boom\n\n"


def test_terminal_of_verbatim_text_adds_no_newline():
    text = "# Keyspace\r\n"
    assert Verbatim(text).terminal() == Verbatim(text).terminal(raw=True) == text.encode()


# --- arrays: numbering and indentation --------------------------------------------------------
NESTED = Array([Integer(1), Bulk(b"two"),
                Array([Bulk(b"a"), Array([]), Null(), Status("PONG")]), Null()])


def test_nested_array_is_indented_under_its_number():
    assert NESTED.cli() == "\n".join([
        '1) (integer) 1',
        '2) "two"',
        '3) 1) "a"',
        '   2) (empty array)',
        '   3) (nil)',
        '   4) PONG',
        '4) (nil)',
    ])


def twelve_with_a_nested_tenth() -> Array:
    items = [Integer(i) for i in range(1, 13)]
    items[9] = Array([Bulk(b"x"), Array([Bulk(b"y"), Bulk(b"z")])])
    return Array(items)


def test_array_numbers_are_right_aligned_to_the_widest():
    lines = twelve_with_a_nested_tenth().cli().split("\n")
    assert lines[:2] == [" 1) (integer) 1", " 2) (integer) 2"]
    assert lines[-2:] == ["11) (integer) 11", "12) (integer) 12"]


def test_nested_arrays_line_up_under_a_wide_number():
    lines = twelve_with_a_nested_tenth().cli().split("\n")
    assert lines[9:12] == ['10) 1) "x"', '    2) 1) "y"', '       2) "z"']


def test_a_hundred_and_one_elements_are_numbered_three_wide():
    items = [Bulk(b"v")] * 101
    items[99] = Array([Bulk(b"a"), Bulk(b"b")])
    lines = Array(items).cli().split("\n")
    assert lines[0] == '  1) "v"'
    assert lines[98:] == [' 99) "v"', '100) 1) "a"', '     2) "b"', '101) "v"']


def test_an_error_inside_an_array_is_shown_as_an_error():
    assert Array([Error("ERR boom"), Bulk(b"x")]).cli() == '1) (error) ERR boom\n2) "x"'


def test_empty_arrays_inside_arrays():
    assert Array([Array([]), Array([Array([])])]).cli() == (
        "1) (empty array)\n2) 1) (empty array)")


def test_raw_mode_prints_one_element_per_line_flattening_nested_arrays():
    assert NESTED.terminal(raw=True) == b"1\ntwo\na\n\n\nPONG\n\n"


def test_raw_mode_prints_an_empty_line_for_an_empty_array():
    assert Array([Bulk(b"a"), Array([]), Bulk(b"b")]).terminal(raw=True) == b"a\n\nb\n"


def test_raw_mode_ends_an_error_inside_an_array_with_an_empty_line():
    assert Array([Error("ERR boom"), Bulk(b"x")]).terminal(raw=True) == b"ERR boom\n\nx\n"


# --- how redis-cli quotes bytes ---------------------------------------------------------------
@pytest.mark.parametrize("data, shown", [
    (b"plain text", '"plain text"'),
    (b'say "hi"', r'"say \"hi\""'),
    (b"back\\slash", r'"back\\slash"'),
    (b"\n\r\t\x07\x08", r'"\n\r\t\a\b"'),
    (b"\x00\x1b\x7f", r'"\x00\x1b\x7f"'),
    ("é✓".encode(), r'"\xc3\xa9\xe2\x9c\x93"'),   # redis-cli escapes UTF-8 too
], ids=repr)
def test_bulk_strings_are_quoted_and_escaped(data, shown):
    assert Bulk(data).cli() == shown


def test_every_byte_is_quoted_as_redis_cli_quotes_it():
    # redis-cli 7.0.15's output for GET of bytes(range(256)).
    expected = (
        r'"\x00\x01\x02\x03\x04\x05\x06\a\b\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16'
        r'\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\"#$%&' + "'" + r'()*+,-./0123456789:;<=>?@'
        r'ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f'
        + "".join(f"\\x{b:02x}" for b in range(0x80, 0x100)) + '"')
    assert Bulk(bytes(range(256))).cli() == expected


def test_raw_mode_prints_the_bytes_as_they_are():
    assert Bulk(b"a\x00b\n").terminal(raw=True) == b"a\x00b\n\n"


# --- equality and values ----------------------------------------------------------------------
def test_replies_are_equal_when_type_and_content_are():
    assert Array([Bulk(b"a"), Integer(1)]) == Array([Bulk(b"a"), Integer(1)])
    assert Status("OK") == Status("OK")


@pytest.mark.parametrize("left, right", [
    (Status("OK"), Bulk(b"OK")),
    (Status("ERR x"), Error("ERR x")),
    (Null(), NullArray()),
    (Null(), Array([])),
    (Bulk(b""), Null()),
    (Integer(1), Bulk(b"1")),
    (Verbatim("x"), Bulk(b"x")),
    (Array([Integer(1)]), Array([Integer(2)])),
], ids=repr)
def test_replies_of_different_types_or_contents_differ(left, right):
    assert left != right


def test_equal_replies_hash_alike():
    assert {Bulk(b"a"), Bulk(b"a"), Integer(1)} == {Bulk(b"a"), Integer(1)}


def test_a_reply_is_not_equal_to_its_plain_value():
    assert Integer(1) != 1


@pytest.mark.parametrize("reply, value", [
    (Status("OK"), "OK"),
    (Error("ERR boom"), "ERR boom"),
    (Integer(5), 5),
    (Bulk(b"\x00v"), b"\x00v"),
    (Null(), None),
    (NullArray(), None),
    (Array([Bulk(b"a"), Array([Integer(1), Null()])]), [b"a", [1, None]]),
    (Verbatim("text"), "text"),
], ids=repr)
def test_value_is_the_plain_python_value(reply, value):
    assert reply.value == value


def test_an_error_knows_its_code():
    assert Error("WRONGTYPE Operation against a key").code == "WRONGTYPE"
    assert Error("ERR syntax error").is_error
    assert not Status("OK").is_error


def test_a_command_answers_replies_equal_to_hand_built_ones(db):
    db.run("MSET a 1 b 2")
    assert db.run("MGET a missing b") == Array([Bulk(b"1"), Null(), Bulk(b"2")])


# --- checked against redis-server and redis-cli -----------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["SET", "k", "v"], ["GET", "k"], ["GET", "missing"], ["INCR", "n"], ["STRLEN", "k"],
    ["MGET", "k", "missing"], ["KEYS", "none*"], ["GET"], ["INCR", "k"],
], ids=" ".join)
def test_each_reply_type_has_the_bytes_redis_sends(db, redis, command):
    same(db, redis, "SET", "k", "v")
    same(db, redis, *command)


@pytest.fixture
def redis_cli(redis_server):
    """Run the real redis-cli on the oracle: ``redis_cli(raw, *args)`` answers its stdout."""
    require_redis_binaries("redis-cli")

    def run(raw: bool, *args: str) -> bytes:
        mode = "--raw" if raw else "--no-raw"
        return subprocess.run(["redis-cli", "-p", str(redis_server.port), mode, *args],
                              capture_output=True, check=True, timeout=10).stdout
    return run


# Lua tables come back as arrays, false as nil, {ok=...} as a status, {err=...} as an error.
SCRIPTED = [
    ("return {1,'two',{'a',{},false,{ok='PONG'}},false}", NESTED),
    ("local t={} for i=1,12 do t[i]=i end t[10]={'x',{'y','z'}} return t",
     twelve_with_a_nested_tenth()),
    ("local t={} for i=1,101 do t[i]='v' end t[100]={'a','b'} return t",
     Array([Bulk(b"v")] * 99 + [Array([Bulk(b"a"), Bulk(b"b")]), Bulk(b"v")])),
    ("return {{},{{}}}", Array([Array([]), Array([Array([])])])),
    ("return {}", Array([])),
    ("return {ok='OK'}", Status("OK")),
    ("return {err='ERR boom'}", Error("ERR boom")),
    ("return false", Null()),
    ("return 'a\\0\\255\"\\\\'", Bulk(b'a\x00\xff"\\')),
]


@pytest.mark.redis
@pytest.mark.parametrize("script, reply", SCRIPTED, ids=[s for s, _ in SCRIPTED])
@pytest.mark.parametrize("raw", [False, True], ids=["formatted", "raw"])
def test_terminal_output_is_what_redis_cli_prints(redis, redis_cli, script, reply, raw):
    assert redis.call("EVAL", script, "0") == reply.resp()
    assert reply.terminal(raw) == redis_cli(raw, "EVAL", script, "0")


@pytest.mark.parametrize("command", ["CONFIG GET hz", "HELLO 2", "SMEMBERS s", "GET s", "SET k v",
                                     "INFO keyspace", "SPOP s 1"])
def test_a_traced_reply_is_the_same_reply(command):
    # A traced reply is a copy carrying the trace: Map and Set keep their items, which Array
    # declares (the kernel traces every command, and HELLO or CONFIG GET used to fail there).
    untraced, traced = kedis.Kedis(seed=0), kedis.Kedis(seed=0)
    for db in (untraced, traced):
        db.run("SADD s a")
    expected = untraced.run(command)
    reply = traced.run(command, trace=True)
    assert reply.trace
    assert (type(reply), reply.cli(), reply.resp(), reply.resp3()) == (
        type(expected), expected.cli(), expected.resp(), expected.resp3())


def test_bulks_is_an_array_of_bulk_strings_in_every_form():
    from kedis.engine.reply import Array, Bulk, Bulks
    data = [b"a", b"", b"x" * 40, b"\r\n\x00"]
    fast, plain = Bulks(data), Array([Bulk(d) for d in data])
    assert fast.resp() == plain.resp() and fast.resp3() == plain.resp3()
    assert fast.cli() == plain.cli() and fast.value == plain.value and fast == plain
    assert Bulks([]).resp() == b"*0\r\n" and Bulks([]).cli() == "(empty array)"
