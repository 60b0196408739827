"""The parser: redis-cli's quoting rules (sdssplitargs in sds.c), rule by rule, then against redis-cli.

The unit tests spell out each rule. The differential test builds random lines from an alphabet
made of the characters that matter (quotes, backslashes, x and hex digits, whitespace of every kind,
NUL, non-ASCII) and runs each as ``COMMAND GETKEYS DEL <line>``: Redis answers with every argument
it received, so the output shows exactly how the line was split. One redis-cli process runs a whole
batch of lines; the Kedis REPL runs the same lines; the outputs must be equal, line for line.
"""

from __future__ import annotations

import io
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis_oracle import require_redis_binaries

from kedis import Kedis, ParseError, split_args
from kedis.engine.parser import is_command_line, is_complete
from kedis.repl import Session


# --- plain words --------------------------------------------------------------------------------
def test_words_are_separated_by_spaces_and_tabs():
    assert split_args("SET  key\tvalue") == [b"SET", b"key", b"value"]


def test_leading_and_trailing_whitespace_is_ignored():
    assert split_args(" \t\r GET k \t\r\n") == [b"GET", b"k"]


def test_a_blank_line_has_no_arguments():
    assert split_args("") == []
    assert split_args(" \t \x0b\x0c ") == []


def test_vertical_tab_and_form_feed_separate_only_before_an_argument():
    # sdssplitargs skips any isspace() before an argument, but ends a bare word only at
    # space, tab, CR, LF or NUL.
    assert split_args("\x0bGET\x0ck") == [b"GET\x0ck"]


def test_a_backslash_outside_quotes_is_an_ordinary_character():
    assert split_args(r"a\nb c\d \x41") == [b"a\\nb", b"c\\d", b"\\x41"]


def test_non_ascii_text_becomes_utf8_bytes():
    assert split_args("ECHO café") == [b"ECHO", "café".encode()]


def test_bytes_pass_through_unchanged():
    assert split_args(b"ECHO \xff\xfe") == [b"ECHO", b"\xff\xfe"]


def test_str_and_bytes_lines_split_alike():
    line = 'SET "k\\x00" \'v w\' plain'
    assert split_args(line) == split_args(line.encode()) == [b"SET", b"k\x00", b"v w", b"plain"]


def test_a_nul_byte_ends_the_line():
    # redis-cli reads a C string: nothing after the NUL exists, not even a closing quote.
    assert split_args(b"ECHO a\x00 b") == [b"ECHO", b"a"]
    with pytest.raises(ParseError):
        split_args(b'ECHO "a\x00"')


# --- double quotes ------------------------------------------------------------------------------
def test_double_quotes_keep_spaces():
    assert split_args('SET k "hello world"') == [b"SET", b"k", b"hello world"]


@pytest.mark.parametrize(("escape", "byte"), [
    ("n", b"\n"), ("r", b"\r"), ("t", b"\t"), ("b", b"\b"), ("a", b"\a"), ("\\", b"\\"),
    ('"', b'"'),
])
def test_double_quotes_know_seven_named_escapes(escape, byte):
    assert split_args(f'"<\\{escape}>"') == [b"<" + byte + b">"]


def test_any_other_escaped_character_stands_for_itself():
    assert split_args(r'"\q\z\0\'\ "') == [b"qz0' "]


def test_hex_escapes_take_exactly_two_hex_digits_in_either_case():
    assert split_args(r'"\x41\x4a\x4B\x00\xff"') == [b"AJK\x00\xff"]
    assert split_args(r'"\x4g"') == [b"x4g"]  # not two hex digits: \x is just x
    assert split_args(r'"\x4"') == [b"x4"]
    assert split_args(r'"\x414"') == [b"A4"]


def test_an_empty_pair_of_double_quotes_is_an_empty_argument():
    assert split_args('SET k ""') == [b"SET", b"k", b""]


def test_a_backslash_before_the_closing_quote_escapes_it():
    with pytest.raises(ParseError):
        split_args('ECHO "trailing\\"')
    assert split_args('ECHO "trailing\\\\"') == [b"ECHO", b"trailing\\"]


# --- single quotes ------------------------------------------------------------------------------
def test_single_quotes_are_literal():
    assert split_args(r"'a\nb \x41 \\ \"'") == [b'a\\nb \\x41 \\\\ \\"']


def test_the_only_escape_in_single_quotes_is_the_single_quote():
    assert split_args(r"'it\'s'") == [b"it's"]


def test_an_empty_pair_of_single_quotes_is_an_empty_argument():
    assert split_args("''") == [b""]


def test_each_quote_is_literal_inside_the_other():
    assert split_args("\"it's\" 'say \"hi\"'") == [b"it's", b'say "hi"']


# --- where quotes may open and close ------------------------------------------------------------
def test_a_quote_may_open_in_the_middle_of_a_word():
    assert split_args('SET a"b c"') == [b"SET", b"ab c"]
    assert split_args("SET a'b c'") == [b"SET", b"ab c"]


@pytest.mark.parametrize("after", [" ", "\t", "\r", "\n", "\x0b", "\x0c"])
def test_a_closing_quote_may_be_followed_by_any_whitespace(after):
    assert split_args(f'"a"{after}b') == [b"a", b"b"]
    assert split_args(f"'a'{after}b") == [b"a", b"b"]


@pytest.mark.parametrize("line", ['"a"b', "'a'b", '"a""b"', "'a''b'", "\"a\"'b'", 'x"a"y'])
def test_a_closing_quote_followed_by_anything_else_is_invalid(line):
    with pytest.raises(ParseError, match=r"^Invalid argument\(s\)$"):
        split_args(line)


@pytest.mark.parametrize("line", ['SET k "open', "SET k 'open", 'SET k "a\\"', "'a\\'", '"', "'"])
def test_an_unbalanced_quote_is_invalid(line):
    with pytest.raises(ParseError, match=r"^Invalid argument\(s\)$"):
        split_args(line)


def test_an_unbalanced_quote_says_where_the_line_ended():
    with pytest.raises(ParseError) as error:
        split_args('SET k "open')
    assert error.value.position == len('SET k "open')


# --- the helpers for consoles -------------------------------------------------------------------
def test_a_line_with_an_open_quote_is_not_complete_yet():
    assert not is_complete('SET k "still typing')
    assert is_complete('SET k "done"')
    assert is_complete('SET k "a"b')  # invalid for good: more typing cannot fix it


def test_comments_and_blank_lines_hold_no_command():
    assert not is_command_line("   ")
    assert not is_command_line("  # a comment with 'quotes")
    assert is_command_line("GET k")


# --- against redis-cli --------------------------------------------------------------------------
# Weighted towards what the rules are about: every entry is equally likely, and a few are the
# beginnings of escapes, which single characters would rarely line up.
ALPHABET = [
    b'"', b'"', b'"', b"'", b"'", b"'", b"\\", b"\\", b"\\", b"x", b"x",
    b"\\x", b"\\x", b"\\x4", b'\\"', b"\\'", b'"\\x',
    b"0", b"4", b"9", b"a", b"A", b"f", b"F", b"g", b"n", b"t", b"r", b"b", b"q",
    b" ", b" ", b" ", b"\t", b"\r", b"\x0b", b"\x0c", b"\x00", b"\x01", b"#",
    b"\xc3\xa9", b"\xe2\x98\x83", b"\xff",
]
LINES = st.lists(st.sampled_from(ALPHABET), max_size=14).map(b"".join)
PREFIX = b"COMMAND GETKEYS DEL "  # Redis answers with every argument after DEL, one per line
MARK = b"ECHO ---8<---"           # a line between lines, to cut the output into one part each
MARK_OUTPUT = b'"---8<---"\n'


def outputs_per_line(output: bytes, count: int) -> list[bytes]:
    parts = output.split(MARK_OUTPUT)
    assert parts[-1] == b"" and len(parts) == count + 1, output
    return parts[:-1]


def kedis_outputs(lines: list[bytes]) -> list[bytes]:
    out = io.BytesIO()
    session = Session(Kedis(), out, raw=False, trace=False)
    for line in lines:
        session.handle(PREFIX + line)
        session.handle(MARK)
    return outputs_per_line(out.getvalue(), len(lines))


def redis_cli_outputs(port: int, lines: list[bytes]) -> list[bytes]:
    script = b"".join(PREFIX + line + b"\n" + MARK + b"\n" for line in lines)
    done = subprocess.run(["redis-cli", "-p", str(port), "--no-raw"], input=script,
                          capture_output=True, timeout=30, check=True)
    return outputs_per_line(done.stdout, len(lines))


@pytest.mark.redis
def test_the_differential_harness_sees_each_argument(redis_server):
    require_redis_binaries("redis-cli")
    lines = [b'a "b c"', b'"open']
    expected = [b'1) "a"\n2) "b c"\n', b"Invalid argument(s)\n"]
    assert redis_cli_outputs(redis_server.port, lines) == expected
    assert kedis_outputs(lines) == expected


@pytest.mark.redis
@settings(max_examples=150, deadline=None)
@given(lines=st.lists(LINES, min_size=1, max_size=40))
def test_lines_split_as_redis_cli_splits_them(redis_server, lines):
    require_redis_binaries("redis-cli")
    expected = redis_cli_outputs(redis_server.port, lines)
    actual = kedis_outputs(lines)
    for line, kedis_output, redis_output in zip(lines, actual, expected, strict=True):
        assert kedis_output == redis_output, f"line {line!r}"
        try:
            split_args(PREFIX + line)
        except ParseError:
            assert redis_output == b"Invalid argument(s)\n", f"line {line!r}"
