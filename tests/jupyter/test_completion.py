"""Completion and inspection (completion.py): what Tab offers and what Shift-Tab shows in a cell.

Each test is one rule, with the cell text and the cursor as a user would have them. ``|`` in a
test's name or comment marks the cursor.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kedis
from kedis.commands.introspection import help_text
from kedis.engine.command_table import TABLE
from kedis.jupyter.completion import (
    MAX_KEY_MATCHES,
    complete,
    help_request,
    inspect,
    python_at,
    quote_key,
)

MAGICS = ["%trace", "%clock", "%reset", "%lsmagic", "%help", "%connect", "%compare", "%tick",
          "%python"]
KEYS = [b"user:1", b"user:2", b"User:3", b"my key", b"caf\xc3\xa9", b"\xff\x00"]


def ask(code: str, cursor: int | None = None, keys: Iterable[bytes] = KEYS,
        magics: list[str] = MAGICS, **more) -> dict:
    """Complete with the cursor at ``cursor`` (the end of the cell by default)."""
    reply = complete(code, len(code) if cursor is None else cursor, lambda: iter(keys), magics,
                     **more)
    assert reply is not None
    return reply


def matches(code: str, cursor: int | None = None, **more) -> list[str]:
    return ask(code, cursor, **more)["matches"]


class _Untouchable:
    """A keyspace that fails the test if completion reads it."""

    def __iter__(self):
        raise AssertionError("the keyspace was read where no key goes")


NO_KEYS = _Untouchable()


# --- the reply --------------------------------------------------------------------------------
def test_the_reply_is_a_jupyter_complete_reply():
    assert ask("GE") == {"matches": ["GET", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET"],
                         "cursor_start": 0, "cursor_end": 2, "metadata": {}, "status": "ok"}


def test_an_empty_cell_offers_every_command_in_upper_case():
    assert matches("") == sorted(name.decode().upper() for name in TABLE)


def test_the_word_being_completed_is_delimited_by_cursor_start_and_end():
    reply = ask("SET k v E")
    assert (reply["cursor_start"], reply["cursor_end"]) == (8, 9)


def test_the_cursor_in_the_middle_of_a_word_replaces_the_whole_word():
    reply = ask("EXPI k 10", cursor=2)  # EX|PI: matches start with EX, and replace EXPI
    assert reply["matches"] == ["EXEC", "EXISTS", "EXPIRE", "EXPIREAT", "EXPIRETIME"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 4)


def test_a_cursor_between_words_completes_a_new_word_there():
    reply = ask("GET  ", cursor=4)
    assert (reply["cursor_start"], reply["cursor_end"]) == (4, 4)
    assert "user:1" in reply["matches"]


# --- command names and their case -----------------------------------------------------------------
def test_a_lower_case_start_gives_lower_case_commands():
    assert matches("se") == ["select", "set", "setbit", "setex", "setnx", "setrange"]


def test_an_upper_case_start_gives_upper_case_commands():
    assert matches("SE") == ["SELECT", "SET", "SETBIT", "SETEX", "SETNX", "SETRANGE"]


def test_the_first_letter_typed_decides_the_case():
    assert matches("Se") == ["SELECT", "SET", "SETBIT", "SETEX", "SETNX", "SETRANGE"]
    assert matches("sE") == ["select", "set", "setbit", "setex", "setnx", "setrange"]


def test_options_and_subcommands_follow_the_case_too():
    assert matches("SET k v e") == ["ex", "exat"]
    assert matches("config re") == ["resetstat", "rewrite"]


def test_command_names_are_offered_only_at_the_first_word():
    assert matches("SET k v SE") == []


def test_an_unknown_command_offers_nothing():
    assert matches("FROB a ", keys=NO_KEYS) == []


# --- options ------------------------------------------------------------------------------------
def test_set_offers_its_options_after_key_and_value():
    assert sorted(matches("SET k v ")) == sorted(
        ["EX", "PX", "EXAT", "PXAT", "NX", "XX", "KEEPTTL", "GET"])


def test_expire_offers_its_conditions_after_the_seconds():
    assert matches("EXPIRE k 10 ") == ["NX", "XX", "GT", "LT"]


def test_an_option_already_typed_is_not_offered_again():
    assert "NX" not in matches("SET k v NX ")
    assert "GET" in matches("SET k v NX ")


def test_no_option_is_offered_where_an_options_value_goes():
    assert matches("SET k v EX ") == []
    assert "KEEPTTL" in matches("SET k v EX 10 ")


def test_a_command_with_no_required_argument_offers_its_options_at_once():
    assert matches("FLUSHALL ") == ["ASYNC", "SYNC"]


def test_a_fixed_arity_command_offers_nothing_past_its_last_argument():
    assert matches("GET k ", keys=NO_KEYS) == []


# --- subcommands --------------------------------------------------------------------------------
def test_config_offers_its_subcommands():
    assert matches("CONFIG ") == ["GET", "SET", "RESETSTAT", "REWRITE", "HELP"]


def test_command_offers_its_subcommands():
    assert matches("COMMAND ") == ["COUNT", "INFO", "DOCS", "LIST", "GETKEYS",
                                   "GETKEYSANDFLAGS", "HELP"]


def test_a_subcommand_offers_its_own_options_not_its_name():
    assert matches("COMMAND LIST ") == ["FILTERBY", "MODULE", "ACLCAT", "PATTERN"]


def test_an_unknown_subcommand_offers_nothing():
    assert matches("CONFIG FROB ") == []


# --- keys -----------------------------------------------------------------------------------------
def test_get_offers_the_existing_keys(db: kedis.Kedis):
    db.run("MSET greeting hi count 1")
    reply = complete("GET ", 4, lambda: db.client.db.data.keys(), MAGICS)
    assert reply["matches"] == ["count", "greeting"]


def test_keys_are_matched_case_sensitively():
    assert matches("GET u") == ["user:1", "user:2"]
    assert matches("get U") == ["User:3"]


def test_set_offers_no_keys_at_the_value_position():
    assert matches("SET k ", keys=NO_KEYS) == []


def test_mset_offers_keys_at_its_key_positions_only():
    assert matches("MSET a 1 u") == ["user:1", "user:2"]     # argument 3: a key
    assert matches("MSET a 1 b u", keys=NO_KEYS) == []     # argument 4: a value


def test_copy_offers_keys_at_source_and_destination_then_its_options():
    assert matches("COPY u") == ["user:1", "user:2"]
    assert matches("COPY a u") == ["user:1", "user:2"]
    assert matches("COPY a b ", keys=NO_KEYS) == ["DB", "REPLACE"]


def test_rename_offers_keys_at_both_arguments():
    assert matches("RENAME u") == ["user:1", "user:2"]
    assert matches("RENAME a u") == ["user:1", "user:2"]


def test_del_offers_keys_at_every_argument():
    assert matches("DEL a b c u") == ["user:1", "user:2"]


def test_a_key_with_a_space_is_offered_in_double_quotes():
    assert matches("GET m") == ['"my key"']


def test_a_key_that_is_not_utf8_is_offered_with_hex_escapes():
    assert matches("GET \\xff", keys=[b"\xff\x00"]) == []  # typed bare, \xff is four characters
    assert matches('GET "\\xff', keys=[b"\xff\x00"]) == ['"\\xff\\x00"']


def test_a_key_in_printable_utf8_is_offered_as_it_is():
    assert matches("GET caf") == ["café"]


def test_a_word_opened_with_a_double_quote_completes_keys_inside_the_quote():
    reply = ask('GET "my k')
    assert reply["matches"] == ['"my key"']
    assert (reply["cursor_start"], reply["cursor_end"]) == (4, 9)
    assert matches('GET "us') == ['"user:1"', '"user:2"']  # the quote the user opened is kept


def test_a_word_opened_with_a_single_quote_keeps_single_quotes():
    assert matches("GET 'my") == ["'my key'"]


def test_an_offered_key_reads_back_as_the_key():
    for match, key in zip(matches("EXISTS "), sorted(KEYS), strict=True):
        assert kedis.split_args("EXISTS " + match) == [b"EXISTS", key]


@given(key=st.binary(max_size=12), quote=st.sampled_from(["", '"', "'"]))
def test_quote_key_round_trips_through_the_parser(key: bytes, quote: str):
    assert kedis.split_args(quote_key(key, quote)) == [key]


def test_key_matches_in_a_big_keyspace_are_capped_and_in_byte_order():
    keyspace = {b"user:%06d" % i: b"" for i in range(100_000)}
    found = matches("GET user:0", keys=keyspace.keys())
    assert len(found) == MAX_KEY_MATCHES
    assert found == [f"user:{i:06d}" for i in range(MAX_KEY_MATCHES)]


def test_the_keyspace_is_read_lazily_not_copied():
    def one_pass() -> Iterable[bytes]:
        yield from (b"k%d" % i for i in range(100_000))  # a generator: it cannot be indexed
    assert matches("GET k9999", keys=one_pass()) == ["k9999"] + [f"k9999{i}" for i in range(10)]


def test_a_keyspace_that_changes_during_completion_gives_no_keys():
    keyspace = {b"a": 1, b"b": 2}

    def changing() -> Iterable[bytes]:
        for key in keyspace:
            keyspace[b"new"] = 3  # as active expiry in another thread could do
            yield key
    assert matches("GET ", keys=changing()) == []


# --- commands that name commands ----------------------------------------------------------------
def test_help_offers_command_names():
    assert matches("HELP ge") == ["get", "getbit", "getdel", "getex", "getrange", "getset"]


def test_help_offers_groups_after_an_at_sign():
    assert matches("HELP @s") == ["@scripting", "@server", "@set", "@string"]


def test_help_offers_a_containers_subcommands():
    assert matches("HELP CONFIG RE") == ["RESETSTAT", "REWRITE"]


def test_command_getkeys_completes_the_command_it_holds():
    assert matches("COMMAND GETKEYS MS") == ["MSET", "MSETNX"]
    assert matches("COMMAND GETKEYS MSET a 1 u") == ["user:1", "user:2"]


# --- magics ---------------------------------------------------------------------------------------
def test_magic_names_complete_when_the_word_starts_with_percent():
    assert matches("%t") == ["%trace", "%tick"]


def test_magic_names_may_be_given_without_their_percent():
    assert matches("%t", magics=["trace", "tick"]) == ["%trace", "%tick"]


def test_magics_are_offered_only_at_the_start_of_a_line():
    assert matches("GET %t") == []


def test_trace_offers_on_and_off():
    assert matches("%trace ") == ["on", "off"]


def test_clock_offers_its_modes():
    assert matches("%clock ") == ["real", "fake", "advance"]


def test_connect_offers_embedded():
    assert matches("%connect e") == ["embedded"]


def test_a_magic_without_fixed_arguments_offers_nothing():
    assert matches("%clock advance ") == []
    assert matches("%reset ") == []


def test_a_kernel_can_pass_its_own_magic_choices():
    choices = {"compare": ("off", "redis://127.0.0.1:6379")}
    assert matches("%compare r", choices=choices) == ["redis://127.0.0.1:6379"]


def test_the_python_cell_magic_is_offered_on_the_first_line_only():
    assert matches("%%p") == ["%%python"]
    assert matches("GET k\n%%p") == []


def test_a_python_cell_gets_none_so_that_the_kernel_asks_ipython():
    code = "%%python\nimport o"
    assert complete(code, len(code), lambda: NO_KEYS, MAGICS) is None


def test_the_python_after_percent_python_gets_none():
    code = "GET k\n%python import o"
    assert complete(code, len(code), lambda: NO_KEYS, MAGICS) is None


def test_python_at_says_which_text_to_ask_ipython_about():
    assert python_at("%%python\nx = 1", 13) == ("x = 1", 9)
    assert python_at("GET k\n%python  x.y", 18) == ("x.y", 15)
    assert python_at("%python", 7) is None  # on the magic's name: the magic completes


# --- lines and cells ------------------------------------------------------------------------------
def test_only_the_cursors_line_is_read():
    code = "SET k v\nGE\nDEL a b"
    reply = ask(code, cursor=10)
    assert reply["matches"] == ["GET", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (8, 10)


def test_a_quoted_value_that_spans_lines_belongs_to_one_command():
    assert matches('SET k "two\nlines" E') == ["EX", "EXAT"]


def test_cursor_positions_count_code_points():
    reply = ask("ECHO 😀\nEXISTS café ca")
    assert reply["matches"] == ["café"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (19, 21)


def test_a_comment_line_offers_nothing():
    assert matches("# GET ", keys=NO_KEYS) == []


# --- lines that cannot be read ---------------------------------------------------------------------
def test_an_unbalanced_quote_where_a_name_goes_gives_no_matches():
    assert matches('"SE') == []
    assert matches('CONFIG "G') == []


def test_an_unbalanced_quote_at_a_value_gives_no_matches():
    assert matches('SET k "val', keys=NO_KEYS) == []


def test_a_misplaced_closing_quote_gives_no_matches():
    assert matches('GET "a"b') == []
    assert matches('GET "a"b ') == []


def test_a_dangling_escape_gives_no_matches():
    assert matches('GET "my\\') == []


_CELL = st.text(alphabet=st.sampled_from(list("GETSmkyx \t\n\"'\\%?#@\x00é😀") + ["\ud800"]),
                max_size=30)


@settings(max_examples=300)
@given(code=_CELL, data=st.data())
def test_complete_never_raises_and_its_range_holds_the_cursor(code: str, data):
    cursor = data.draw(st.integers(0, len(code)))
    reply = complete(code, cursor, lambda: iter(KEYS), MAGICS)
    if reply is not None:
        assert reply["cursor_start"] <= cursor <= reply["cursor_end"] <= len(code)
        assert all(isinstance(match, str) for match in reply["matches"])


@settings(max_examples=300)
@given(code=_CELL, data=st.data())
def test_inspect_never_raises(code: str, data):
    result = inspect(code, data.draw(st.integers(0, len(code))))
    assert result is None or result.startswith("  ")


# --- inspect ------------------------------------------------------------------------------------
def help_of(name: bytes) -> str:
    return help_text(TABLE[name])


def test_inspect_shows_the_help_of_the_command_name_at_the_cursor():
    assert inspect("SET k v", 1) == help_of(b"set")


def test_inspect_just_after_a_command_name_shows_its_help():
    assert inspect("get", 3) == help_of(b"get")


def test_inspect_on_an_argument_shows_the_lines_command():
    assert inspect("EXPIRE k 10 NX", 13) == help_of(b"expire")


def test_inspect_shows_a_subcommands_help():
    assert inspect("CONFIG GET maxmemory", 15) == help_text(TABLE[b"config"].subcommands["get"])
    assert inspect("CONFIG GET maxmemory", 2) == help_text(TABLE[b"config"].subcommands["get"])


def test_inspect_on_a_container_shows_its_subcommands_too():
    shown = inspect("CONFIG", 6)
    assert shown is not None
    assert shown.startswith(help_of(b"config"))
    assert "CONFIG RESETSTAT" in shown


def test_inspect_on_a_command_named_by_help_shows_that_command():
    assert inspect("HELP SET", 7) == help_of(b"set")
    assert inspect("HELP SET", 2) == help_of(b"help")


def test_inspect_inside_command_getkeys_shows_the_inner_command():
    assert inspect("COMMAND GETKEYS MSET a 1", 21) == help_of(b"mset")


def test_inspect_reads_only_the_cursors_line():
    assert inspect("SET k v\nTTL k\n", 12) == help_of(b"ttl")
    assert inspect("SET k v\n\nTTL k", 8) is None


def test_inspect_on_an_unknown_command_gives_none():
    assert inspect("FROB a b", 2) is None


def test_inspect_on_an_empty_cell_gives_none():
    assert inspect("", 0) is None


def test_inspect_on_a_magic_or_a_comment_gives_none():
    assert inspect("%trace on", 3) is None
    assert inspect("# SET k v", 3) is None


def test_inspect_in_a_python_cell_gives_none():
    assert inspect("%%python\nprint(1)", 12) is None


def test_inspect_reads_a_help_request_line():
    assert inspect("SET?", 2) == help_of(b"set")


# --- help requests ------------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["?SET", "SET?", "? SET", "  set?  ", "??set", "SET??"])
def test_help_request_recognizes_a_question_mark_before_or_after_a_name(line: str):
    assert help_request(line) == help_of(b"set")


def test_help_request_reads_a_subcommand():
    assert help_request("CONFIG GET?") == help_text(TABLE[b"config"].subcommands["get"])
    assert help_request("? command info") == help_text(TABLE[b"command"].subcommands["info"])


def test_help_request_is_not_a_question_mark_argument():
    assert help_request("ECHO ?") is None     # a command whose argument is "?"
    assert help_request("GET key?") is None   # the key "key?"


def test_help_request_for_an_unknown_name_gives_none():
    assert help_request("?FROB") is None
    assert help_request("?") is None
