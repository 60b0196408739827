"""COMMAND and its subcommands (kedis/commands/introspection.py, kedis/engine/command_table.py), compared
with redis-server byte for byte: GETKEYS and GETKEYSANDFLAGS for every command of the table, in
every shape of call drawn from the command itself; COMMAND INFO and DOCS of strange names;
COMMAND LIST's filters; COMMAND's errors.

The GETKEYS test reads the command table, so a command added to Kedis is tested without a line
more here: its arity, key specs and syntax give the calls to try.
"""

from __future__ import annotations

import pytest
from compare import SYNTAX_ERROR, parse_resp, same

import kedis
from kedis.engine.command_table import KEDIS_ONLY, KEY_FLAG_ORDER, TABLE, Command, key

pytestmark = pytest.mark.redis


# --- COMMAND GETKEYS and GETKEYSANDFLAGS, for every command -----------------------------------------
def _commands() -> list[Command]:
    return [target for cmd in TABLE.values() for target in (cmd, *cmd.subcommands.values())
            if target.name not in KEDIS_ONLY]


#: Arguments that steer where a command's keys are: counts of keys as strict integers, as C's
#: atoi() reads them (" 02", "2abc"), negative, empty, and beyond 32 bits (Redis casts a count
#: to a C int: 4294967297 is 1 to it).
NUMBERS = [b"0", b"1", b"2", b"3", b"-1", b"02", b"2abc", b" 2", b"x", b"", b"2147483647",
           b"4294967297", b"9223372036854775807"]


def call_shapes(cmd: Command) -> list[list[bytes]]:
    """Calls of ``cmd`` to ask GETKEYS about: each number of arguments from one too few to a few
    more than the arity asks, first with plain names, then with one argument at a time replaced
    by an option word of the command's syntax (as written, in lower case, and followed by a NUL
    byte, which C does not see past), or, for a command whose call counts its keys, a number."""
    words = [word.encode() for word in cmd.name.split("|")]
    if cmd.arity > 0:
        counts = [cmd.arity - 1, cmd.arity, cmd.arity + 1]
    else:
        counts = list(range(-cmd.arity - 1, -cmd.arity + 5))
    specials = []
    for token in cmd.tokens():
        specials += [token.encode(), token.lower().encode(), token.lower().encode() + b"\x00x"]
    if cmd.getkeys is not None or any(spec.keynum is not None for spec in cmd.key_specs):
        specials += NUMBERS
    shapes = [[words[0].upper(), *words[1:], b"k"]]
    for count in counts:
        if count < len(words):
            continue
        base = words + [b"k%d" % i for i in range(len(words), count)]
        shapes.append(base)
        for position in range(len(words), count):
            shapes += [base[:position] + [special] + base[position + 1:] for special in specials]
    unique = {tuple(shape): None for shape in shapes}
    return [list(shape) for shape in unique]


@pytest.mark.parametrize("cmd", _commands(), ids=lambda cmd: cmd.name)
def test_getkeys_of_every_call_shape_is_redis_s(redis, cmd):
    db = kedis.Kedis()
    differences = []
    for shape in call_shapes(cmd):
        for sub in (b"GETKEYS", b"GETKEYSANDFLAGS"):
            argv = [b"COMMAND", sub, *shape]
            mine, theirs = db.execute(*argv).resp(), redis.call(*argv)
            if mine != theirs:
                differences.append((argv, mine, theirs))
    assert not differences, "\n".join(f"{argv!r}\n  kedis {mine!r}\n  redis {theirs!r}"
                                      for argv, mine, theirs in differences[:10])


def test_the_shapes_reach_every_kind_of_answer(redis):
    """The shapes are worth something only if they make Redis answer keys, no keys, and each
    of GETKEYS's errors; over the whole table, they do."""
    answers = set()
    for cmd in _commands():
        for shape in call_shapes(cmd):
            reply = redis.call(b"COMMAND", b"GETKEYS", *shape)
            answers.add(reply[:1] if reply[:1] == b"*" else reply)
    assert {b"*", b"-ERR Invalid arguments specified for command\r\n",
            b"-ERR Invalid number of arguments specified for command\r\n",
            b"-ERR The command has no key arguments\r\n"} <= answers


@pytest.mark.parametrize("argv", [
    ["nosuch", "a"], ["config|get", "hz"], ["config", "nosuch", "x"], ["Object", "Encoding", "k"],
    ["OBJECT", "help"], ["object", "encoding"], ["CONFIG"], ["config", "get", "a", "b"],
    ["client", "list"], ["command", "getkeys", "get", "k"], ["sintercard", "3", "a", "b"],
    ["sintercard", "4294967297", "a"], ["sintercard", "2147483647", "a", "b"],
    ["sintercard", "-4294967295", "a"],
], ids=" ".join)
def test_getkeys_of_containers_and_counted_keys(db, redis, argv):
    for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
        same(db, redis, "COMMAND", sub, *argv)


def test_getkeys_wants_a_whole_command(db, redis):
    assert same(db, redis, "COMMAND", "GETKEYS") == (
        b"-ERR wrong number of arguments for 'command|getkeys' command\r\n")
    assert same(db, redis, "COMMAND", "GETKEYSANDFLAGS", "get") == (
        b"-ERR wrong number of arguments for 'command|getkeysandflags' command\r\n")


def test_key_spec_flags_are_kept_in_redis_order():
    # Declared in any order, a spec's flags come out as Redis lists them (GETKEYSANDFLAGS).
    assert key("update OW").flags == ("OW", "update")
    assert key("variable_flags access RW").flags == ("RW", "access", "variable_flags")
    assert KEY_FLAG_ORDER[:4] == ("RO", "RW", "OW", "RM")
    with pytest.raises(AssertionError):
        key("RO acces")


def test_a_command_with_no_mandatory_keys_answers_an_empty_list(db, monkeypatch):
    # Redis's EVAL may name no keys; Kedis has no such command yet, so one is made up.
    sintercard = TABLE[b"sintercard"]
    monkeypatch.setattr(sintercard, "flags", (*sintercard.flags, "no_mandatory_keys"))
    assert db.run("COMMAND GETKEYS sintercard 0 a").resp() == b"*0\r\n"
    monkeypatch.undo()
    assert db.run("COMMAND GETKEYS sintercard 0 a").value == (
        "ERR Invalid arguments specified for command")


# --- COMMAND INFO and COMMAND DOCS of any name ------------------------------------------------------
STRANGE_NAMES = [b"", b"|", b"||", b"get|", b"|get", b"get|x", b"get||", b"config|", b"config||get",
                 b"config|get|x", b"CONFIG|GET", b"Config|Get", b"client|list", b"client|nosuch",
                 b"nosuch|get", b"x" * 1000, b"foo\x00", b"\x00get", b"get\r\n", b"client|",
                 b"COMMAND|GETKEYS", b"object|encoding|"]


@pytest.mark.parametrize("name", STRANGE_NAMES, ids=repr)
def test_command_info_of_a_strange_name_is_redis_s(db, redis, name):
    same(db, redis, "COMMAND", "INFO", name)


@pytest.mark.parametrize("name", [name for name in STRANGE_NAMES
                                  if parse_resp(kedis.Kedis().execute(
                                      "COMMAND", "INFO", name).resp()) == [None]], ids=repr)
def test_command_docs_leaves_a_strange_name_out(db, redis, name):
    # (The docs of a real command are Kedis's own words: only what is left out is compared.)
    assert same(db, redis, "COMMAND", "DOCS", name) == b"*0\r\n"


def test_command_docs_answers_the_commands_it_knows_in_the_order_asked(db):
    names = db.run("COMMAND DOCS nosuch client|list GET get|x config|get").value[0::2]
    assert names == [b"client|list", b"get", b"config|get"]


def test_command_info_answers_one_entry_per_name(db, redis):
    reply = same(db, redis, "COMMAND", "INFO", "nosuch", "get|x", "")
    assert reply == b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"


def test_may_replicate_is_a_flag_of_publish_that_command_info_hides(db):
    assert "may_replicate" in TABLE[b"publish"].flags
    assert "may_replicate" not in db.run("COMMAND INFO publish").value[0][2]


# --- COMMAND LIST ----------------------------------------------------------------------------------
def _names(reply: bytes) -> list[bytes] | str:
    value = parse_resp(reply)
    return sorted(value) if isinstance(value, list) else value


@pytest.mark.parametrize("arguments", [
    ["FILTERBY", "PATTERN", "client|*"], ["FILTERBY", "PATTERN", "CLIENT|*"],
    ["FILTERBY", "PATTERN", "*|*"], ["FILTERBY", "PATTERN", "cl*help"],
    ["FILTERBY", "PATTERN", "config|*re*"], ["filterby", "pattern", "GET"],
    ["FILTERBY", "PATTERN", "[a-c]???"], ["FILTERBY", "PATTERN", "*e[^x]?"],
    ["FILTERBY", "PATTERN", b"get\x00"], ["FILTERBY", "PATTERN", ""],
    ["FILTERBY", "PATTERN", "non_exists*"],
    ["FILTERBY", "ACLCAT", "keyspace"], ["FILTERBY", "ACLCAT", "Connection"],
    ["FILTERBY", "ACLCAT", "@connection"], ["FILTERBY", "ACLCAT", b"connection\x00xyz"],
    ["FILTERBY", "ACLCAT", "nosuch"], ["FILTERBY", "ACLCAT", ""],
    ["FILTERBY", "MODULE", "nosuch"], ["FILTERBY", "MODULE", ""],
    ["FILTERBY", "MODULE", "redis"], [b"FILTERBY\x00", b"PATTERN\x00x", "get*"],
], ids=repr)
def test_command_list_filters_name_the_same_commands(db, redis, arguments):
    """The commands Kedis has that Redis names too, and no other (Redis's answer is filtered to
    Kedis's commands: Redis has more; Kedis's own, HELP and MONITOR.TRACE, are left out)."""
    ours = set(db.run("COMMAND LIST").value)
    mine = _names(db.execute("COMMAND", "LIST", *arguments).resp())
    theirs = _names(redis.call("COMMAND", "LIST", *arguments))
    assert [name for name in mine if name.decode() not in KEDIS_ONLY] == [
        name for name in theirs if name in ours]


@pytest.mark.parametrize("arguments", [
    ["FILTERBY"], ["FILTERBY", "PATTERN"], ["FILTERBY", "FOO", "bar"], ["FOO"],
    ["FILTERBY", "PATTERN", "a", "b"], ["FILTERBY", "PATTERN", "a", "FILTERBY", "ACLCAT", "read"],
    ["PATTERN", "a"],
], ids=repr)
def test_command_list_refuses_other_arguments(db, redis, arguments):
    assert same(db, redis, "COMMAND", "LIST", *arguments) == SYNTAX_ERROR


def test_command_list_names_subcommands_by_their_full_name(db):
    names = db.run("COMMAND LIST FILTERBY PATTERN client*").value
    assert b"client" in names and b"client|pause" in names and b"client|reply" in names


# --- COMMAND, COMMAND COUNT and the errors -------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["COMMAND", "COUNT", "x"], ["COMMAND", "FOO"], ["COMMAND", "foo", "bar"],
    ["COMMAND", "HELP", "x"], ["command", "GETKEYS"],
], ids=repr)
def test_command_errors_are_redis_s(db, redis, argv):
    same(db, redis, *argv)


def test_command_count_counts_the_top_level_commands(db):
    assert db.run("COMMAND COUNT").value == len(TABLE) == len(db.run("COMMAND").value)
