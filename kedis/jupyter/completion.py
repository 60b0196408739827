"""Tab completion and Shift-Tab help for Kedis cells, read from the command table.

The Jupyter kernel asks two questions about a cell while it is being typed: "what could go at the
cursor?" (Tab: ``complete``) and "what is the thing at the cursor?" (Shift-Tab: ``inspect``).
Both answers come from the command table (command_table.py), the same data that COMMAND and HELP
read, so a command added to the table completes without a line written here. This module does
no I/O and knows no kernel: it takes the cell's text and the cursor, and answers plain data.

How a cursor becomes an answer:

1. **The line.** Only the cursor's line is read. A line whose double or single quote is still open
   continues on the next one, as the cell runner reads it, so the "line" is a logical line.
   A cell whose first line is ``%%python`` is Python, and so is the text after ``%python``:
   there ``complete`` answers None, meaning "not Kedis: ask IPython" (``python_at`` says which
   text to ask about).
2. **The word.** The line is split into words with the parser's quoting rules (parser.py), but
   leniently: a quote still open at the cursor is a word being typed (``GET "my k``), not an
   error. The word under the cursor is replaced whole, even when the cursor is in its middle;
   the part before the cursor is what it must start with.
3. **The slot.** The words before the cursor say what goes at its position (its *slot*):

   - argument 0: a command name (``TABLE``), or a magic when the word starts with ``%``;
   - argument 1 of a container (``CONFIG``, ``COMMAND``): a subcommand name (``.subcommands``);
   - a position that ``Command.key_positions(argc)`` lists: an existing key (``GET _``,
     ``MSET a 1 _``, but not ``SET k _``, where the value goes);
   - after the required arguments (``-arity`` of a variable-arity command: SET's arity -3 means
     ``SET key value`` and then options): the option words of the syntax (``Command.tokens()``),
     minus those already typed; after an option that takes a value (``EX seconds``: in the
     syntax, a capital word followed by a lower-case one) nothing, since a number goes there;
   - the arguments that name commands (``HELP _``, ``COMMAND INFO _``, and ``COMMAND GETKEYS``,
     whose arguments are a whole command line): command names again.

   Options are offered even when they exclude one another (``XX`` after ``NX``): the syntax
   strings do not say precisely enough which groups exclude which, and the server's error
   message teaches the rule better than a silently missing choice would.

Matches follow the case of what was typed: the first letter decides (``se`` gives ``set``, ``SE``
and ``Se`` give ``SET``), and a word with no letter yet gives upper case, the way the docs write
commands. Keys are case-sensitive and offered as stored, quoted so that the parser reads them back
(``quote_key``), the first ``MAX_KEY_MATCHES`` in byte order. Names are never quoted, so a word
that starts with a quote completes keys only. Magic names and their fixed arguments are matched
and offered as written.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..commands.introspection import help_text
from ..engine.command_table import TABLE, Command, lookup
from ..engine.parser import logical_lines, split_args

__all__ = ["complete", "inspect", "help_request", "python_at", "quote_key",
           "MAX_KEY_MATCHES", "MAGIC_CHOICES", "CELL_MAGICS"]

#: At most this many keys are offered: past a few hundred, a list of choices stops helping, and
#: the front end would spend longer drawing it than the user reading it.
MAX_KEY_MATCHES = 200

#: The fixed words a magic's first argument takes, when the kernel does not pass its own.
MAGIC_CHOICES: dict[str, tuple[str, ...]] = {
    "trace": ("on", "off"),
    "clock": ("real", "fake", "advance"),
    "connect": ("embedded",),
    "compare": ("on", "off"),
}

#: The magics whose argument is a key (``%structure user:1``): completed as a command's key is.
KEY_MAGICS = ("structure",)

#: Magics that only mean something on a cell's first line.
CELL_MAGICS = ("%%python",)

# Arguments that name other commands. The syntax calls them ``command`` or ``command-name`` but
# cannot say how they go on, so this small table does:
#   "name":  one command name, then its subcommand name (HELP CONFIG GET);
#   "names": any number of command names (COMMAND INFO GET SET);
#   "line":  a whole command line, completed as if typed alone (COMMAND GETKEYS MSET a 1 b 2).
_NAMES_COMMANDS = {"help": "name", "command|info": "names", "command|docs": "names",
                   "command|getkeys": "line", "command|getkeysandflags": "line"}

# The parser's whitespace (parser.py): any of these is skipped before a word, but only the first
# four end a bare word; a closing quote must be followed by one of them or by the end.
_BETWEEN = " \t\n\r\x0b\x0c"
_INSIDE = " \t\n\r"


# --- 1. the line ----------------------------------------------------------------------------------
def _python_cell(code: str) -> int | None:
    """Where the Python starts, for a cell whose first line is ``%%python``; else None."""
    first, newline, _ = code.partition("\n")
    return len(first) + len(newline) if newline and first.strip() == "%%python" else None


def _line_at(code: str, cursor: int) -> tuple[int, str]:
    for start, _, text in logical_lines(code):
        if start <= cursor <= start + len(text):
            return start, text
    return cursor, ""  # not reached: every position belongs to a line


# --- 2. the words -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Word:
    start: int       # code point offsets in the line, the quotes included
    end: int
    open_quote: str  # '"' or "'" when the line ends inside this word's quotes, else ""


def _scan(line: str) -> tuple[list[_Word], int | None]:
    """The words of a line, found with the parser's rules, and where a misplaced quote makes the
    rest unreadable (the start of the word that holds it), or None.

    Unlike ``split_args`` this never fails on a quote left open: while typing, ``GET "my k`` is
    the normal state of a line, so the last word is simply marked as open.
    """
    words: list[_Word] = []
    n = len(line)
    i = 0
    while True:
        while i < n and line[i] in _BETWEEN:
            i += 1
        if i >= n:
            return words, None
        start, quote = i, ""
        while i < n:
            c = line[i]
            if quote:
                if c == "\\" and i + 1 < n and (quote == '"' or line[i + 1] == "'"):
                    i += 2  # an escape: the next character cannot close the quote
                    continue
                if c == quote:
                    if i + 1 < n and line[i + 1] not in _BETWEEN:
                        return words, start  # "a"b: the parser rejects the whole line
                    i += 1
                    quote = ""
                    break
            elif c in _INSIDE:
                break
            elif c in "\"'":
                quote = c  # a quote may open in the middle of a word: a"b c" is one word
            i += 1
        words.append(_Word(start, i, quote))


def _value(text: str) -> bytes | None:
    """The bytes a word (or the typed start of one) stands for, its open quote closed; None when
    it cannot be read (a dangling backslash, a misplaced quote)."""
    words, bad = _scan(text)
    if bad is not None or len(words) > 1:
        return None
    if not words:
        return b""
    try:
        args = split_args(text + words[0].open_quote)
    except ValueError:  # ParseError, or a lone surrogate that has no bytes
        return None
    return args[0] if len(args) == 1 else None


# --- 3. the slot ----------------------------------------------------------------------------------
@dataclass
class _Slot:
    """What goes at one argument position of a command line."""

    kind: str                          # "command", "topic", "subcommand", "key", "option", "none"
    command: Command | None = None     # the command the position belongs to (for inspect)
    choices: list[str] = field(default_factory=list)  # subcommand or option names


def _text(arg: bytes) -> str:
    return arg.decode("utf-8", "replace")


def _options_taking_a_value(cmd: Command) -> set[str]:
    # In the syntax, an option followed by a lower-case placeholder takes a value: "EX seconds".
    return set(re.findall(r"\b([A-Z][A-Z_-]+) (?=[a-z])", cmd.syntax))


def _slot(argv: list[bytes], index: int, argc: int, name_only: bool = False) -> _Slot:
    """What goes at ``argv[index]``, given the words before it; ``argc`` counts the whole line.

    ``name_only`` is set when the words are HELP's argument (``HELP CONFIG GET``): then only the
    command's name and subcommand are wanted, not its arguments.
    """
    if index == 0:
        return _Slot("command")
    cmd = lookup(argv[0])
    if cmd is None:
        return _Slot("none")
    if cmd.subcommands:
        if index == 1:
            return _Slot("subcommand", cmd, list(cmd.subcommands))
        sub = cmd.subcommands.get(_text(argv[1]).lower())
        if sub is None:
            return _Slot("none", cmd)
        cmd = sub
    if name_only:
        return _Slot("none", cmd)
    words = len(cmd.name.split("|"))  # how many words name the command: CONFIG GET is two
    kind = _NAMES_COMMANDS.get(cmd.name)
    if kind == "line":
        inner = _slot(argv[words:], index - words, argc - words)
        if inner.command is None:
            inner.command = cmd  # before the inner command is known, the position is GETKEYS's
        return inner
    if kind == "name" and index == words:
        return _Slot("topic", cmd)  # HELP's argument: a command, or a @group
    if kind == "name" and index == words + 1 and lookup(argv[words]) is not None:
        return _slot(argv[words:], index - words, argc - words, name_only=True)
    if kind == "names":
        return _Slot("command", cmd)
    if cmd.arity > 0 and index >= cmd.arity:
        return _Slot("none", cmd)  # past the last argument of a fixed-arity command
    if index in cmd.key_positions(max(argc, index + 1)):
        return _Slot("key", cmd)
    if cmd.arity < 0 and index >= -cmd.arity:
        return _option_slot(cmd, argv[-cmd.arity:index])
    return _Slot("none", cmd)


def _option_slot(cmd: Command, typed: list[bytes]) -> _Slot:
    """The options still open after the option words ``typed`` (with their values)."""
    tokens = cmd.tokens()
    if "|" in cmd.name:  # a subcommand's syntax starts with its own name: not an option
        tokens = [t for t in tokens if t != cmd.name.split("|")[1].upper()]
    takes_value = _options_taking_a_value(cmd)
    used: set[str] = set()
    value_next = False
    for arg in typed:
        if value_next:
            value_next = False
            continue
        word = _text(arg).upper()
        if word in tokens:
            used.add(word)
            value_next = word in takes_value
    if value_next:
        return _Slot("none", cmd)  # the value of the option just typed goes here
    return _Slot("option", cmd, [t for t in tokens if t not in used])


# --- keys -----------------------------------------------------------------------------------------
_ESCAPED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\a": "\\a"}


def quote_key(key: bytes, quote: str = "") -> str:
    """A key written so that the parser reads it back as the same bytes.

    A key of printable UTF-8 without spaces or quotes stays bare (``user:1``). Any other key is
    written in double quotes, with the parser's escapes and ``\\xHH`` for the bytes that are not
    printable text (``"my key"``, ``"\\xff\\x00"``). ``quote`` is the quote the user opened the
    word with: ``'`` keeps single quotes when the key can be written in them, ``"`` keeps double
    quotes even for a bare key, so that the match still begins the way the word does.
    """
    try:
        text = key.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    printable = text is not None and text.isprintable()
    if printable and text and quote == "" and not any(c in text for c in " \"'"):
        return text
    if printable and quote == "'" and not text.endswith("\\"):
        # Inside single quotes only \' is an escape, so a final backslash would eat the quote.
        return "'" + text.replace("'", "\\'") + "'"
    out = []
    for char in key.decode("utf-8", "surrogateescape"):
        if char in _ESCAPED:
            out.append(_ESCAPED[char])
        elif "\udc80" <= char <= "\udcff":
            out.append(f"\\x{ord(char) - 0xDC00:02x}")  # a byte that is not UTF-8
        elif not char.isprintable():
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _matching_keys(keys: Callable[[], Iterable[bytes]], prefix: bytes) -> list[bytes]:
    """The first MAX_KEY_MATCHES keys, in byte order, that start with ``prefix``.

    ``heapq.nsmallest`` keeps only the best few while it walks the keyspace once, so 100,000 keys
    are never copied or sorted whole.
    """
    try:
        return heapq.nsmallest(MAX_KEY_MATCHES,
                               (k for k in keys() if isinstance(k, bytes) and k.startswith(prefix)))
    except Exception:
        # The keyspace changed while we walked it (RuntimeError: active expiry ran in another
        # thread), or the kernel's callable failed: completion is a hint, so no keys this time
        # is better than an error in the front end.
        return []


# --- case ----------------------------------------------------------------------------------------
def _in_case_of(typed: str, name: str) -> str:
    """``name`` in the case of the first letter typed; upper case when no letter was typed."""
    for char in typed:
        if char.islower():
            return name.lower()
        if char.isupper():
            return name.upper()
    return name.upper()


def _names_matching(typed: str, names: Iterable[str]) -> list[str]:
    start = typed.lower()
    return [_in_case_of(typed, name) for name in names if name.lower().startswith(start)]


# --- complete ------------------------------------------------------------------------------------
def _reply(matches: list[str], start: int, end: int) -> dict:
    return {"matches": matches, "cursor_start": start, "cursor_end": end, "metadata": {},
            "status": "ok"}


def _magic_names(magics: Sequence[str]) -> list[str]:
    # The kernel may list them as "trace" or "%trace"; both mean the line magic %trace.
    return ["%" + name.lstrip("%") for name in magics if not name.startswith("%%")]


def complete(code: str, cursor_pos: int, keys: Callable[[], Iterable[bytes]],
             magics: Sequence[str],
             choices: Mapping[str, Sequence[str]] | None = None) -> dict | None:
    """The content of a Jupyter ``complete_reply`` for the cursor at ``cursor_pos`` in ``code``.

    ``cursor_pos`` counts code points (Jupyter's protocol 5.2 and later). ``keys`` is called only
    when a key goes at the cursor, and may return a lazy view (``db.data.keys()``). ``magics`` are
    the line magics' names (with or without ``%``); ``choices`` maps a magic's name (without ``%``)
    to the fixed words its first argument takes, ``MAGIC_CHOICES`` by default.

    Returns None when the cursor is in Python (a ``%%python`` cell, or after ``%python`` on its
    line): the kernel asks IPython instead. Never raises: a line that cannot be read gets no
    matches.
    """
    cursor = max(0, min(cursor_pos, len(code)))
    if python_at(code, cursor) is not None:
        return None
    offset, line = _line_at(code, cursor)
    at = cursor - offset
    nul = line.find("\x00")
    if nul >= 0:  # the parser stops at NUL, as C strings do
        if at > nul:
            return _reply([], cursor, cursor)
        line = line[:nul]
    stripped = line.lstrip()
    if stripped.startswith("#"):
        return _reply([], cursor, cursor)
    if stripped.startswith("%"):
        return _complete_magic(line, at, offset, magics, choices, first_line=offset == 0,
                               keys=keys)

    words, bad = _scan(line)
    if bad is not None and at >= bad:
        return _reply([], cursor, cursor)
    index = sum(1 for w in words if w.end < at)
    word = words[index] if index < len(words) and words[index].start <= at else None
    start, end = (word.start, word.end) if word else (at, at)
    typed = line[start:at]  # the replacement covers the whole word, the match uses what is typed
    before = [_value(line[w.start:w.end]) for w in words[:index]]
    if any(arg is None for arg in before):
        return _reply([], cursor, cursor)
    argc = len(words) + (word is None)  # the line's length in arguments, the new one counted
    slot = _slot(before, index, argc)  # type: ignore[arg-type]
    if slot.kind == "key":
        prefix = _value(typed)
        quote = typed[:1] if typed[:1] in "\"'" else ""
        matches = [] if prefix is None else \
            [quote_key(k, quote) for k in _matching_keys(keys, prefix)]
    elif any(c in typed for c in "\"'"):
        matches = []  # names are never quoted: a quote here starts a value, not a name
    elif slot.kind == "topic" and typed.startswith("@"):
        matches = _names_matching(typed, sorted({"@" + c.group for c in TABLE.values()}))
    elif slot.kind in ("command", "topic"):
        matches = _names_matching(typed, sorted(_text(name) for name in TABLE))
    elif slot.kind in ("subcommand", "option"):
        matches = _names_matching(typed, slot.choices)
    else:
        matches = []
    return _reply(matches, offset + start, offset + end)


def _complete_magic(line: str, at: int, offset: int, magics: Sequence[str],
                    choices: Mapping[str, Sequence[str]] | None, first_line: bool,
                    keys: Callable[[], Iterable[bytes]]) -> dict:
    # Magics read their arguments as plain text, not with the parser: words are runs of non-space.
    spans = [m.span() for m in re.finditer(r"\S+", line)]
    index = sum(1 for _, end in spans if end < at)
    start, end = spans[index] if index < len(spans) and spans[index][0] <= at else (at, at)
    typed = line[start:at]
    names = _magic_names(magics)
    if index == 0:
        offered = names + [m for m in CELL_MAGICS if first_line and m not in names]
        matches = [name for name in offered if name.startswith(typed)]
    elif index == 1 and line[spans[0][0]:spans[0][1]].lstrip("%") in KEY_MAGICS \
            and line[spans[0][0]:spans[0][1]] in names:
        prefix = _value(typed)
        quote = typed[:1] if typed[:1] in "\"'" else ""
        matches = [] if prefix is None else \
            [quote_key(k, quote) for k in _matching_keys(keys, prefix)]
    elif index == 1:
        name = line[spans[0][0]:spans[0][1]].lstrip("%")
        fixed = (MAGIC_CHOICES if choices is None else choices).get(name, ())
        matches = [word for word in fixed if word.startswith(typed)] if "%" + name in names else []
    else:
        matches = []
    return _reply(matches, offset + start, offset + end)


def python_at(code: str, cursor_pos: int) -> tuple[str, int] | None:
    """When the cursor is in Python, that Python and where it starts in ``code``; else None.

    Python is the body of a cell whose first line is ``%%python``, and the text after ``%python``
    on a line of a Kedis cell. A kernel asks IPython about ``(text, cursor_pos - start)`` and
    adds ``start`` to the positions it answers.
    """
    cursor = max(0, min(cursor_pos, len(code)))
    body = _python_cell(code)
    if body is not None:
        return (code[body:], body) if cursor >= body else None
    offset, line = _line_at(code, cursor)
    # The cursor must be past the space after the name: on the name, the magic itself completes.
    match = re.match(r"\s*%python[ \t]+", line)
    if match is None or cursor - offset < match.end():
        return None
    return line[match.end():], offset + match.end()


# --- inspect ------------------------------------------------------------------------------------
def _help(cmd: Command) -> str:
    # As HELP does: a container's help shows its subcommands too, since they are what it does.
    return "\n".join(help_text(c) for c in [cmd, *cmd.subcommands.values()])


def _named(argv: list[bytes]) -> Command | None:
    """The command (or subcommand) that ``argv`` starts with, if any."""
    cmd = lookup(argv[0]) if argv else None
    if cmd is not None and cmd.subcommands and len(argv) > 1:
        return cmd.subcommands.get(_text(argv[1]).lower(), cmd)
    return cmd


def inspect(code: str, cursor_pos: int) -> str | None:
    """The help of the command at the cursor, as HELP shows it, or None when there is none.

    The command is the one whose name or argument the cursor is on (or just after): in
    ``CONFIG GET maxmemory`` that is CONFIG GET, in ``HELP SET`` on SET it is SET, in
    ``COMMAND GETKEYS MSET a 1`` on ``a`` it is MSET. ``SET?`` and ``?SET`` lines are read too.
    """
    cursor = max(0, min(cursor_pos, len(code)))
    if python_at(code, cursor) is not None:
        return None
    offset, line = _line_at(code, cursor)
    asked = help_request(line)
    if asked is not None:
        return asked
    if line.lstrip().startswith(("#", "%")):
        return None
    at = cursor - offset
    words, _ = _scan(line)  # a misplaced quote later on leaves the words before it readable
    argv = []
    for w in words:
        value = _value(line[w.start:w.end] + w.open_quote)
        if value is None:
            break
        argv.append(value)
    index = sum(1 for w in words[:len(argv)] if w.end < at)
    on_word = index < len(argv) and words[index].start <= at
    slot = _slot(argv[:index], index, max(len(argv), index + 1))
    if slot.kind in ("command", "topic") and on_word:
        cmd = _named(argv[index:])  # the word names a command: its help, not its caller's
        if cmd is not None:
            return _help(cmd)
    if slot.kind == "subcommand" and on_word:
        sub = slot.command.subcommands.get(_text(argv[index]).lower())  # type: ignore[union-attr]
        if sub is not None:
            return _help(sub)
    return _help(slot.command) if slot.command is not None else None


def help_request(line: str) -> str | None:
    """The help asked for by a line like ``?SET``, ``? SET``, ``SET?`` or ``CONFIG GET?`` (a
    second ``?`` is allowed, as in IPython), or None when the line asks for no known command.

    ``SET ?`` is no request (``ECHO ?`` is a command), nor is ``GET key?``, which reads the key
    ``key?``: after a name, ``?`` must touch the name, and the name must be a known command.
    """
    stripped = line.strip()
    if stripped.startswith("?"):
        topic = stripped.strip("?").strip()
    elif stripped.endswith("?") and not stripped.rstrip("?")[-1:].isspace():
        topic = stripped.rstrip("?")
    else:
        return None
    names = topic.split()
    if not 1 <= len(names) <= 2 or any(c in topic for c in "\"'?"):
        return None
    argv = [name.encode("utf-8", "replace") for name in names]
    cmd = _named(argv)
    if cmd is None or (len(argv) == 2 and "|" not in cmd.name):
        return None  # "GET key": a command and an argument, not a command's name
    return _help(cmd)
