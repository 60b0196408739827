"""The Kedis lexer: how JupyterLab, nbconvert and Sphinx colour a Kedis cell.

Why a lexer? Front ends that turn a notebook into HTML, LaTeX or a PDF colour code with Pygments.
They ask the kernel for its language ("kedis", in ``language_info``), then ask Pygments for a lexer
of that name, and Pygments finds this class through the ``pygments.lexers`` entry point declared
in pyproject.toml. Without it, every exported Kedis cell would be grey text.

A cell holds one command a line, plus two kinds of lines that are not commands:

    # a comment                          Comment
    %clock advance 10s                   a line magic for the kernel: Name.Decorator, then arguments
    %%python                             (a cell's first line only) the rest of the cell is Python
    SET greeting "hello world" EX 100    a command

A command line is read exactly as ``kedis/engine/parser.py`` reads it (redis-cli's quoting rules), and the
lexer also notes where each part of an argument sits in the line. Then every argument gets its
*role* from the command table, the same data that COMMAND INFO, HELP and the trace read:

    SET       greeting        "hello world"    EX               100
    command   key             value            option           value
    Keyword   Name.Variable   String.Double    Name.Attribute   Number.Integer

- The command is argv[0]: a Keyword if the table knows it, the weaker Keyword.Pseudo if not
  (Redis would answer "ERR unknown command", but the line is still meant as a command). A known
  subcommand (the GET of ``CONFIG GET``) is a Keyword too.
- The keys are the positions that ``Command.key_positions(argc)`` computes from the key specs:
  SET's key is argv[1], MSET's keys are argv[1], argv[3], ... These positions depend on how many
  arguments the line has, which is why this is not a ``RegexLexer``: a regular expression cannot
  count arguments, nor look anything up in a table.
- The options are the words of ``Command.tokens()`` (EX, PX, NX... for SET), in any case, once the
  command's mandatory arguments are past: in ``SET k NX``, NX is the value, not an option.
- Everything else is a value: a bare number is a Number; a quoted string is a String, with its
  escapes as String.Escape; any other word is a String too, since Redis keeps every value as a
  string of bytes.

A role comes from what the server will receive, not from the spelling: ``"SET" k v`` runs SET,
so its quoted first word is a Keyword all the same.

Pygments asks two things of a lexer: it never raises, and the tokens put back together are the
text it was given. A line the parser rejects (an open quote, a closing quote glued to the next
word) is coloured up to the argument that breaks it; from there to the end of the line it is an
Error token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pygments.lexer import Lexer
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
    _TokenType,
)

from .. import commands  # noqa: F401  (importing the handlers fills the command table)
from ..engine.command_table import Command, lookup

__all__ = ["KedisLexer"]

# The parser's character classes, as text (it works on bytes; the lexer must keep offsets in the
# text it is given). Any isspace() character is skipped before an argument and may follow a closing
# quote, but only these four end a bare word. tests/jupyter/test_lexer.py checks both read lines
# alike.
_BETWEEN = " \t\n\r\x0b\x0c"
_INSIDE = " \t\n\r"
_HEX = "0123456789abcdefABCDEF"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}

# Numbers as a reader sees them: INCRBY's -5, INCRBYFLOAT's 1.5e3. ASCII digits only ([0-9], not
# \d), since Redis reads no other digits.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?")
# A magic's argument may be a duration with its unit: %clock advance 10s, 250ms, 2h.
_DURATION = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(ms|s|m|h|d)")
# "3 INCR n" runs INCR three times: redis-cli reads a leading whole number (as C's strtol() does)
# as a repeat count, and the Kedis REPL does the same.
_REPEAT = re.compile(rb"[ \t\n\r\x0b\x0c]*[+-]?[0-9]+")
_WORD = re.compile(r"[^ \t\n\r\x0b\x0c]*")  # a run of characters up to the next _BETWEEN one
# A lower-case word of a command's syntax is an argument to fill in: key, value, <subcommand>.
_PLACEHOLDER = re.compile(r"<?[a-z][a-z0-9_-]*>?")

# The token of each role. The pieces of a value keep the token of their spelling (see _value_token).
_ROLE_TOKENS: dict[str, _TokenType] = {
    "count": Number.Integer,
    "command": Keyword,
    "unknown command": Keyword.Pseudo,
    "key": Name.Variable,
    "option": Name.Attribute,
}


@dataclass
class _Argument:
    """One argument of a line, and the parts it was typed in: ``a"b c"`` is the bare part ``a``
    and the double-quoted part ``"b c"``, and the server receives ``ab c``."""

    start: int
    end: int = 0
    value: bytearray = field(default_factory=bytearray)  # what the parser makes of it
    #: (start, end, kind), kind being "bare", "double" (a "..." part), "single" or "escape".
    parts: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, start: int, end: int, kind: str) -> None:
        # Neighbouring characters of the same kind make one part, hence one token.
        if self.parts and self.parts[-1][2] == kind and self.parts[-1][1] == start:
            self.parts[-1] = (self.parts[-1][0], end, kind)
        else:
            self.parts.append((start, end, kind))

    @property
    def quoted(self) -> bool:
        return any(kind != "bare" for _, _, kind in self.parts)


def _utf8(text: str) -> bytes:
    # The parser encodes a line as UTF-8 (surrogateescape) before splitting it. A lone surrogate
    # has no such encoding: the parser would raise, the lexer must not, so it passes it through.
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _read_arguments(line: str, start: int = 0) -> tuple[list[_Argument], int | None]:
    """Split ``line`` (from ``start``) as ``parser.split_args`` does, keeping where every part is.

    Returns the arguments read and, when the parser would not accept the whole line, the offset
    from which the rest of the line is unreadable (None when all of it reads). The loop follows
    ``parser._split_quoted`` case by case, so that the two can be compared.
    """
    arguments: list[_Argument] = []
    nul = line.find("\x00", start)
    n = nul if nul >= 0 else len(line)  # a NUL byte ends a C string, so it ends the line
    i = start
    while True:
        while i < n and line[i] in _BETWEEN:
            i += 1
        if i >= n:
            # The parser drops whatever follows a NUL byte: it never reaches the server.
            return arguments, (nul if nul >= 0 else None)
        argument = _Argument(start=i)
        quote = ""  # the quote we are inside of, if any
        while True:
            c = line[i] if i < n else ""
            if quote == '"':
                if not c:
                    return arguments, argument.start  # the line ended inside "..."
                if c == "\\" and i + 3 < n and line[i + 1] == "x" \
                        and line[i + 2] in _HEX and line[i + 3] in _HEX:
                    argument.value.append(int(line[i + 2:i + 4], 16))  # \xHH: any byte
                    argument.add(i, i + 4, "escape")
                    i += 4
                    continue
                if c == "\\" and i + 1 < n:
                    argument.value += _utf8(_ESCAPES.get(line[i + 1], line[i + 1]))
                    argument.add(i, i + 2, "escape")
                    i += 2
                    continue
                argument.add(i, i + 1, "double")
                if c == '"':  # the closing quote must end the argument
                    if i + 1 < n and line[i + 1] not in _BETWEEN:
                        return arguments, argument.start
                    i += 1
                    break
                argument.value += _utf8(c)
            elif quote == "'":
                if not c:
                    return arguments, argument.start  # the line ended inside '...'
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    argument.value += b"'"  # \' is the only escape inside single quotes
                    argument.add(i, i + 2, "escape")
                    i += 2
                    continue
                argument.add(i, i + 1, "single")
                if c == "'":
                    if i + 1 < n and line[i + 1] not in _BETWEEN:
                        return arguments, argument.start
                    i += 1
                    break
                argument.value += _utf8(c)
            else:
                if not c or c in _INSIDE:
                    break
                if c in "\"'":
                    quote = c  # a quote may open in the middle of a word: a"b c" is one argument
                    argument.add(i, i + 1, "double" if c == '"' else "single")
                else:
                    argument.value += _utf8(c)
                    argument.add(i, i + 1, "bare")
            i += 1
        argument.end = i
        arguments.append(argument)


def _first_option_index(command: Command) -> int:
    """The first argv index where an option may stand: after the name and the mandatory arguments
    that the syntax lists before its first ``[``. ``SET key value [NX | XX] ...`` gives 3."""
    words = command.syntax.split()
    index = len(command.display_name.split())
    for word in words[index:]:
        if not _PLACEHOLDER.fullmatch(word):
            break
        index += 1
    return index


def _command_roles(values: list[bytes]) -> list[str]:
    """The role of each argument of a command line, found in the command table."""
    roles = ["value"] * len(values)
    first = 0
    if len(values) > 1 and _REPEAT.fullmatch(values[0]):
        roles[0] = "count"
        first = 1
    argv = values[first:]
    command = lookup(argv[0])
    if command is None:
        roles[first] = "unknown command"
        return roles
    roles[first] = "command"
    if command.subcommands and len(argv) > 1:
        sub = command.subcommands.get(argv[1].decode("latin-1").lower())
        if sub is not None:
            roles[first + 1] = "command"
            command = sub
    # tokens() lists the subcommand's own name too (CONFIG GET's "GET"): it is not an option.
    options = {word.encode() for word in command.tokens()} - set(command.display_name.encode().split())
    for index in range(_first_option_index(command), len(argv)):
        if argv[index].upper() in options:
            roles[first + index] = "option"
    # Keys come last, so that they win: in SET EX v, the key is named EX.
    for index in command.key_positions(len(argv)):
        roles[first + index] = "key"
    return roles


def _first_word(line: str) -> str:
    """The line's first word, as far as the first space: ``%clock`` in ``%clock advance 10s``."""
    return _WORD.match(line.lstrip(_BETWEEN)).group()


def _value_token(kind: str, text: str, argument: _Argument, magic: bool) -> _TokenType:
    """The token of one part of a value: it shows how the value was typed."""
    if kind == "double":
        return String.Double
    if kind == "single":
        return String.Single
    if not argument.quoted:
        if _INTEGER.fullmatch(text):
            return Number.Integer
        if _FLOAT.fullmatch(text):
            return Number.Float
        if magic and _DURATION.fullmatch(text):
            return Number
    # A magic's words are read by the kernel, not stored by Redis: plain text, not strings.
    return Text if magic else String


class KedisLexer(Lexer):
    """Colours Kedis cells: comments, magics, and commands read through the command table."""

    name = "Kedis"
    aliases = ["kedis"]
    filenames = ["*.kedis"]
    mimetypes = ["text/x-kedis"]

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        first_line = True  # a cell magic is allowed on the cell's first non-blank line only
        start = 0
        while start < len(text):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end + 1
            line = text[start:end]
            body = line[:-1] if line.endswith("\n") else line
            yield from self._line(body, start, first_line)
            if line.endswith("\n"):
                yield start + len(body), Whitespace, "\n"
            if first_line and _first_word(body) == "%%python":
                # The kernel runs the rest of this cell as Python: let Pygments' Python lexer
                # colour it, and shift its offsets to where that text starts in the cell.
                python = PythonLexer(**self.options)
                for index, token, value in python.get_tokens_unprocessed(text[end:]):
                    yield end + index, token, value
                return
            if body.strip(_BETWEEN):
                first_line = False
            start = end

    def _line(self, line: str, offset: int, first_line: bool) -> Iterator[tuple[int, _TokenType, str]]:
        """The tokens of one line (without its newline); ``offset`` is where it starts in the cell."""
        stripped = line.lstrip(_BETWEEN)
        indent = len(line) - len(stripped)
        if indent:
            yield offset, Whitespace, line[:indent]
        if not stripped:
            return
        if stripped.startswith("#"):
            # Checked before the line is split, as the REPL does: a comment may hold any quote.
            yield offset + indent, Comment.Single, stripped
            return
        if stripped.startswith("%"):
            # A magic's name runs to the first space; the kernel reads the rest as its arguments.
            name = _first_word(line)
            position = indent + len(name)
            misplaced = name.startswith("%%") and not first_line  # IPython's rule for cell magics
            yield offset + indent, Error if misplaced else Name.Decorator, name
            arguments, bad = _read_arguments(line, position)
            roles = ["magic argument"] * len(arguments)
        else:
            position = indent
            arguments, bad = _read_arguments(line)
            roles = _command_roles([bytes(a.value) for a in arguments]) if arguments else []
        for argument, role in zip(arguments, roles, strict=True):
            if argument.start > position:
                yield offset + position, Whitespace, line[position:argument.start]
            for part_start, part_end, kind in argument.parts:
                text = line[part_start:part_end]
                if kind == "escape":
                    token = String.Escape
                elif role in _ROLE_TOKENS:
                    token = _ROLE_TOKENS[role]
                else:
                    token = _value_token(kind, text, argument, magic=role == "magic argument")
                yield offset + part_start, token, text
            position = argument.end
        if bad is not None:
            if bad > position:
                yield offset + position, Whitespace, line[position:bad]
            yield offset + bad, Error, line[bad:]
        elif position < len(line):
            yield offset + position, Whitespace, line[position:]
