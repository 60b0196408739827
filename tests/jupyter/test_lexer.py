"""The Pygments lexer: what each part of a Kedis cell is coloured as, and Pygments' contract.

The first tests name, line by line, the token each kind of word gets (command, key, option,
number, string, comment, magic). Then the contract every Pygments lexer keeps: it never raises,
and the tokens put back together are the input, checked with hypothesis on random text. The lexer
reads lines as the parser does, which a differential test against ``split_args`` checks. Last,
Pygments finds the lexer through its entry point, and HTML exports carry the expected CSS classes.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, get_lexer_for_mimetype
from pygments.lexers.python import PythonLexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    String,
    Text,
    Whitespace,
)

from kedis import ParseError, split_args
from kedis.jupyter.lexer import KedisLexer, _read_arguments


def words(code: str) -> list[tuple[str, object]]:
    """The tokens of ``code`` as (text, token type), whitespace left out."""
    return [(value, token) for _, token, value in KedisLexer().get_tokens_unprocessed(code)
            if token is not Whitespace]


def token_of(code: str, text: str) -> object:
    """The token type of the one token whose text is ``text``."""
    found = [token for value, token in words(code) if value == text]
    assert len(found) == 1, (text, words(code))
    return found[0]


# --- commands -----------------------------------------------------------------------------------
def test_the_example_line_gets_one_token_per_role():
    assert words('SET greeting "hello world" EX 100') == [
        ("SET", Keyword),
        ("greeting", Name.Variable),
        ('"hello world"', String.Double),
        ("EX", Name.Attribute),
        ("100", Number.Integer),
    ]


def test_a_command_name_is_a_keyword_in_any_case():
    assert token_of("get greeting", "get") is Keyword
    assert token_of("GeT greeting", "GeT") is Keyword


def test_an_unknown_command_is_a_weaker_keyword():
    assert token_of("FROBNICATE x", "FROBNICATE") is Keyword.Pseudo
    assert Keyword.Pseudo in Keyword


def test_a_known_subcommand_is_a_keyword_too():
    assert words("CONFIG GET maxmemory") == [
        ("CONFIG", Keyword), ("GET", Keyword), ("maxmemory", String)]


def test_the_key_is_where_the_key_specs_say():
    assert token_of("GET greeting", "greeting") is Name.Variable
    assert token_of("INCRBY counter -5", "counter") is Name.Variable
    assert token_of("RENAME old new", "new") is Name.Variable  # a second key spec


def test_mset_has_a_key_every_other_argument():
    assert words("MSET a 1 b two") == [
        ("MSET", Keyword), ("a", Name.Variable), ("1", Number.Integer),
        ("b", Name.Variable), ("two", String)]


def test_commands_without_keys_have_none():
    assert token_of("ECHO greeting", "greeting") is String
    assert token_of("KEYS user:*", "user:*") is String


def test_options_are_the_command_tokens_in_any_case():
    tokens = dict(words("SET k v nx Px 100 GET"))
    assert tokens["nx"] is tokens["Px"] is tokens["GET"] is Name.Attribute


def test_an_option_word_in_a_mandatory_position_is_a_value():
    # SET key value [NX | XX] ...: argv[2] is the value, even when it is spelled NX.
    assert token_of("SET k NX", "NX") is String


def test_a_key_named_like_an_option_is_a_key():
    assert token_of("SET EX v", "EX") is Name.Variable


def test_a_word_is_an_option_only_for_its_own_command():
    assert token_of("ECHO NX", "NX") is String
    assert token_of("SCAN 0 MATCH user:* COUNT 10", "MATCH") is Name.Attribute


def test_the_role_comes_from_what_the_server_receives_not_from_the_quotes():
    assert words("\"SET\" 'k' v") == [("\"SET\"", Keyword), ("'k'", Name.Variable), ("v", String)]


def test_a_repeat_count_is_a_number_before_the_command():
    assert words("3 INCR n") == [("3", Number.Integer), ("INCR", Keyword), ("n", Name.Variable)]


# --- values -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("number", "token"), [
    ("100", Number.Integer), ("-5", Number.Integer), ("1.5", Number.Float),
    ("1.5e3", Number.Float), ("-.5", Number.Float), ("3E-2", Number.Float)])
def test_bare_numbers_are_numbers(number, token):
    assert token_of(f"ECHO {number}", number) is token


def test_a_quoted_number_is_a_string():
    assert token_of('ECHO "100"', '"100"') is String.Double


def test_other_bare_values_are_strings():
    assert token_of("SET k hello", "hello") is String
    assert token_of("SET k 10s", "10s") is String


def test_escapes_inside_double_quotes():
    assert words(r'ECHO "a\n\x41b"') == [
        ("ECHO", Keyword), ('"a', String.Double), (r"\n\x41", String.Escape), ('b"', String.Double)]


def test_single_quotes_have_one_escape():
    assert words(r"ECHO 'it\'s \n'") == [
        ("ECHO", Keyword), ("'it", String.Single), (r"\'", String.Escape),
        (r"s \n'", String.Single)]


def test_a_quote_in_the_middle_of_a_word_is_one_argument_in_two_spellings():
    assert words('SET a"b c" v') == [
        ("SET", Keyword), ("a", Name.Variable), ('"b c"', Name.Variable), ("v", String)]


# --- lines that are not commands ----------------------------------------------------------------
def test_a_comment_line_is_a_comment_whatever_it_holds():
    assert words("# don't split me") == [("# don't split me", Comment.Single)]
    assert words("   # indented") == [("# indented", Comment.Single)]


def test_a_hash_after_a_command_is_an_argument():
    assert token_of("ECHO #no", "#no") is String


def test_a_line_magic_and_its_arguments():
    assert words("%clock advance 10s") == [
        ("%clock", Name.Decorator), ("advance", Text), ("10s", Number)]
    assert words('%connect "localhost" 6379') == [
        ("%connect", Name.Decorator), ('"localhost"', String.Double), ("6379", Number.Integer)]


def test_python_after_a_cell_magic_is_lexed_by_the_python_lexer():
    body = "import os\nprint(os.sep)\n"
    tokens = list(KedisLexer().get_tokens_unprocessed("%%python\n" + body))
    assert tokens[:2] == [(0, Name.Decorator, "%%python"), (8, Whitespace, "\n")]
    python = [(index + 9, token, value)
              for index, token, value in PythonLexer().get_tokens_unprocessed(body)]
    assert tokens[2:] == python
    assert (9, Keyword.Namespace, "import") in tokens


def test_python_is_python_only_after_a_cell_magic_on_the_first_line():
    assert token_of("GET k\n%%python\nimport os", "%%python") is Error
    assert token_of("GET k\n%%python\nimport os", "import") is Keyword.Pseudo
    assert token_of("\n  \n%%python\nimport os", "import") is Keyword.Namespace  # blank lines


def test_another_cell_magic_keeps_kedis_lines():
    assert words("%%trace\nGET k") == [
        ("%%trace", Name.Decorator), ("GET", Keyword), ("k", Name.Variable)]


# --- lines the parser rejects -------------------------------------------------------------------
def test_an_unbalanced_quote_is_an_error_to_the_end_of_its_line_only():
    assert words('SET k "hello world\nGET k') == [
        ("SET", Keyword), ("k", Name.Variable), ('"hello world', Error),
        ("GET", Keyword), ("k", Name.Variable)]


def test_a_closing_quote_glued_to_a_word_is_an_error():
    assert words('ECHO "a"b c') == [("ECHO", Keyword), ('"a"b c', Error)]


def test_what_follows_a_nul_byte_is_an_error():
    # The parser drops it (a C string ends at NUL): the server never sees it.
    assert words("ECHO a\x00 b") == [("ECHO", Keyword), ("a", String), ("\x00 b", Error)]


# --- Pygments' contract -------------------------------------------------------------------------
# The characters that matter to the reader: quotes, backslashes, \x and hex digits, whitespace of
# every kind, NUL, magics and comments, non-ASCII text and lone surrogates (which UTF-8 refuses).
TRICKY = st.sampled_from(list(" \t\r\n\x0b\x0c\x00\"'\\xAf09#%-.eE") + [
    "SET", "MSET", "CONFIG", "GET", "EX", "nx", "%%python", "%clock", "ü", "\u2028", "\ud800",
    "\udcff", "def", "(", ")"])
TEXT = st.one_of(st.text(), st.lists(TRICKY, max_size=30).map("".join))


@given(TEXT)
def test_the_tokens_put_back_together_are_the_input(text):
    tokens = list(KedisLexer().get_tokens_unprocessed(text))
    assert "".join(value for _, _, value in tokens) == text
    position = 0
    for index, _, value in tokens:  # each token's offset is where its text starts
        assert index == position and value
        position += len(value)


@given(TEXT.map(lambda text: text.replace("\r", "")))
def test_get_tokens_keeps_the_text_when_told_not_to_touch_newlines(text):
    lexer = KedisLexer(stripnl=False, ensurenl=False)
    assert "".join(value for _, value in lexer.get_tokens(text)) == text


@given(st.lists(TRICKY, max_size=30).map("".join).filter(lambda t: "\ud800" not in t))
def test_the_lexer_reads_a_line_as_the_parser_does(line):
    arguments, bad = _read_arguments(line)
    try:
        expected = split_args(line)
    except ParseError:
        assert bad is not None and "\x00" not in line[bad:bad + 1]
        return
    assert [bytes(argument.value) for argument in arguments] == expected
    assert bad is None or line[bad] == "\x00"


# --- Pygments finds it --------------------------------------------------------------------------
def test_pygments_finds_the_lexer_through_its_entry_point():
    assert isinstance(get_lexer_by_name("kedis"), KedisLexer)
    assert isinstance(get_lexer_for_filename("x.kedis"), KedisLexer)
    assert isinstance(get_lexer_for_mimetype("text/x-kedis"), KedisLexer)


def test_html_export_carries_the_css_classes_of_each_role():
    code = '# set one\nSET greeting "hello\\n" EX 100\nFOO bar\n%clock advance 10s\n'
    html = highlight(code, KedisLexer(), HtmlFormatter())
    spans = set(re.findall(r'<span class="([^"]+)">([^<]*)</span>', html))
    assert {("c1", "# set one"), ("k", "SET"), ("nv", "greeting"), ("s2", "\"hello"),
            ("se", "\\n"), ("na", "EX"), ("mi", "100"), ("kp", "FOO"), ("s", "bar"),
            ("nd", "%clock"), ("m", "10s")} <= spans
