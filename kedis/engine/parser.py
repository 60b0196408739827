"""The parser: one line of text becomes a command's arguments (argv), as redis-cli splits it.

This is the first layer a command passes through. redis-cli (and Kedis) read a line like

    SET greeting "hello world" EX 100

and hand the server a list of byte strings: ``[b"SET", b"greeting", b"hello world", b"EX", b"100"]``.
The server never sees quotes: quoting is a client-side convenience for typing spaces and bytes.

The rules are those of ``sdssplitargs()`` in Redis's sds.c, which redis-cli uses:

- Spaces, tabs, CR and LF separate arguments (leading whitespace of any kind is skipped).
- ``"double quotes"`` allow escapes: ``\\n \\r \\t \\b \\a \\\\ \\"`` and ``\\xHH`` for any byte.
  Any other escaped character stands for itself (``\\q`` is ``q``).
- ``'single quotes'`` take everything literally except ``\\'``, which is a quote.
- A quote may open in the middle of an argument (``a"b c"`` is the one argument ``ab c``), but a
  closing quote must be followed by whitespace or the end of the line.
- An unbalanced quote makes the whole line invalid: redis-cli answers ``Invalid argument(s)``.

Arguments are bytes, so values are binary safe: ``"\\x00\\xff"`` is a two-byte value.
Text is encoded as UTF-8 before splitting, so ``"ü"`` becomes the two bytes ``\\xc3\\xbc``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["ParseError", "split_args", "split_spans", "is_command_line", "is_complete", "logical_lines",
           "split_repeat", "to_bytes", "repr_bytes"]


class ParseError(ValueError):
    """The line cannot be split into arguments (an unbalanced or misplaced quote)."""

    def __init__(self, message: str = "Invalid argument(s)", *, position: int | None = None) -> None:
        super().__init__(message)
        #: Where in the line (a byte offset) the parser gave up, for front ends that point at it.
        self.position = position
        #: Set by ``Kedis.run(..., trace=True)``: the steps recorded before the parser failed.
        self.trace: list | None = None


# The separators inside a line are exactly these (sdssplitargs' switch); between arguments, any
# C isspace() character is skipped, which adds \v and \f. A NUL byte ends a C string, so it ends
# the line. Lines without any of the characters below take the fast path: a plain split.
_NEEDS_FULL_PARSE = re.compile(rb"[\"'\x00\x0b\x0c]").search

_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("a"): 7}
_BETWEEN = b" \t\n\r\x0b\x0c"   # isspace(): skipped before an argument, and required after a quote
_INSIDE = b" \t\n\r"            # the characters that end an unquoted argument
_HEX = b"0123456789abcdefABCDEF"


def split_args(line: str | bytes) -> list[bytes]:
    """Split one line into arguments with redis-cli's quoting rules.

    >>> split_args('SET greeting "hello world"')
    [b'SET', b'greeting', b'hello world']
    >>> split_args("SET k 'it\\\\'s'")
    [b'SET', b'k', b"it's"]

    Raises ``ParseError`` ("Invalid argument(s)") on an unbalanced quote. A blank line gives ``[]``.
    """
    data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
    if _NEEDS_FULL_PARSE(data) is None:
        return data.split()  # the common case: no quotes, no rare whitespace
    return _split_quoted(data)


def split_spans(line: str | bytes, spans: list[tuple[int, int]] | None = None) -> list[bytes]:
    """``split_args``, and where each argument was typed: ``spans`` gets one ``(start, end)``
    pair of byte offsets into the line (as UTF-8) per argument, quotes included.

    >>> spans = []
    >>> split_spans('SET "a b" x', spans), spans
    ([b'SET', b'a b', b'x'], [(0, 3), (4, 9), (10, 11)])

    The same rules as ``split_args``, from the same function (``_split_quoted``, which reads any
    line the plain split reads, the same way); only the pictures ask for spans (the FlowView
    draws each argument over the characters it came from), so ``split_args`` keeps its fast
    path. When the line is refused, ``spans`` holds the arguments read before the error.
    """
    data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
    return _split_quoted(data, [] if spans is None else spans)


def _split_quoted(data: bytes, spans: list[tuple[int, int]] | None = None) -> list[bytes]:
    nul = data.find(b"\x00")
    if nul >= 0:
        data = data[:nul]
    args: list[bytes] = []
    n = len(data)
    i = 0
    while True:
        while i < n and data[i] in _BETWEEN:
            i += 1
        if i >= n:
            return args
        start = i
        current = bytearray()
        in_double = in_single = False
        while True:
            c = data[i] if i < n else None
            if in_double:
                if c is None:
                    raise ParseError(position=i)  # the line ended inside "..."
                if c == 0x5C and i + 3 < n and data[i + 1] == 0x78 \
                        and data[i + 2] in _HEX and data[i + 3] in _HEX:
                    current.append(int(data[i + 2:i + 4], 16))  # \xHH: any byte
                    i += 3
                elif c == 0x5C and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(data[i], data[i]))
                elif c == 0x22:  # the closing "
                    if i + 1 < n and data[i + 1] not in _BETWEEN:
                        raise ParseError(position=i + 1)
                    i += 1
                    break
                else:
                    current.append(c)
            elif in_single:
                if c is None:
                    raise ParseError(position=i)  # the line ended inside '...'
                if c == 0x5C and i + 1 < n and data[i + 1] == 0x27:
                    current.append(0x27)  # \' is the only escape inside single quotes
                    i += 1
                elif c == 0x27:  # the closing '
                    if i + 1 < n and data[i + 1] not in _BETWEEN:
                        raise ParseError(position=i + 1)
                    i += 1
                    break
                else:
                    current.append(c)
            else:
                if c is None or c in _INSIDE:
                    break
                if c == 0x22:
                    in_double = True
                elif c == 0x27:
                    in_single = True
                else:
                    current.append(c)
            i += 1
        args.append(bytes(current))
        if spans is not None:  # (one test per argument: split_args passes none)
            spans.append((start, i))


def is_command_line(line: str | bytes) -> bool:
    """False for the lines that hold no command: blank lines and ``#`` comments."""
    stripped = line.strip()
    if isinstance(stripped, bytes):
        return bool(stripped) and not stripped.startswith(b"#")
    return bool(stripped) and not stripped.startswith("#")


def is_complete(line: str | bytes) -> bool:
    """Whether a line could run as typed: False while a quote is still open (for consoles)."""
    try:
        split_args(line)
    except ParseError as error:
        data = line.encode() if isinstance(line, str) else line
        # A quote that is open at the very end means "keep typing"; any other error is final.
        return error.position is not None and error.position < len(data.split(b"\x00")[0])
    return True


def logical_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """The lines of a block of commands (a notebook cell), as ``(offset, line number, text)``.

    A quoted value may span lines: while a line ends inside quotes, the next line continues it
    (the parser reads the newline as part of the value). Comments and magics (``#``, ``%``) are
    not read by the parser, so a quote in them never joins lines. A quote still open at the end
    is left to the parser to refuse.
    """
    offset = start = first = 0
    pending: str | None = None
    for number, physical in enumerate(text.split("\n"), 1):
        if pending is None:
            start, first, pending = offset, number, physical
        else:
            pending += "\n" + physical
        offset += len(physical) + 1
        if pending.lstrip().startswith(("#", "%")) or _complete_or_unreadable(pending):
            yield start, first, pending
            pending = None
    if pending is not None:
        yield start, first, pending


def _complete_or_unreadable(line: str) -> bool:
    try:
        return is_complete(line)
    except UnicodeEncodeError:
        return True  # text no parser can encode (a lone surrogate) cannot wait for more


# What C's strtol() reads as a whole number: optional whitespace, a sign, digits.
_REPEAT = re.compile(rb"[ \t\n\r\x0b\x0c]*[+-]?\d+")
_LONG_MAX = 2 ** 63 - 1


def split_repeat(argv: list[bytes]) -> tuple[int, list[bytes]]:
    """redis-cli's repeat count: ``3 INCR n`` runs ``INCR n`` three times.

    Returns ``(count, command)``; a line without a count gives ``(1, argv)``. A number alone is a
    command, not a count (``3`` is sent as the command "3"). Raises ValueError with redis-cli's
    message for a count it refuses: zero, negative, or beyond 64 bits.
    """
    if len(argv) < 2 or not (_REPEAT.fullmatch(argv[0]) or argv[0] == b""):
        return 1, argv
    spaces = b" \t\n\r\x0b\x0c"
    digits = argv[0].strip(spaces).lstrip(b"+-").lstrip(b"0")
    if len(digits) > 19:  # past 64 bits: only the size matters (never convert thousands of digits)
        count = _LONG_MAX + 1
    else:
        count = int(argv[0]) if argv[0].strip(spaces) else 0
    if count <= 0 or count > _LONG_MAX:
        raise ValueError("Invalid redis-cli repeat command option value.")
    return count, argv[1:]


def to_bytes(value: Any) -> bytes:
    """An argument given from Python (``db.execute("SET", "n", 42)``) as the bytes a client would
    send: text as UTF-8, numbers as Python writes them (``42``, ``0.5``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, bool):
        raise TypeError("Kedis arguments are str, bytes, int or float, not bool")
    if isinstance(value, (int, float)):
        return repr(value).encode("ascii")
    raise TypeError(f"Kedis arguments are str, bytes, int or float, not {type(value).__name__}")


# --- the other way: how redis-cli quotes a value (sdscatrepr in sds.c) --------------------------------------------
# Printable ASCII stands for itself; backslash and double quote are escaped; five control characters
# have names; every other byte (UTF-8 included: redis-cli runs in the C locale) becomes \xHH.
_REPR = [f"\\x{b:02x}" for b in range(256)]
for _b in range(0x20, 0x7F):
    _REPR[_b] = chr(_b)
for _b, _name in ((0x5C, "\\\\"), (0x22, '\\"'), (0x0A, "\\n"), (0x0D, "\\r"), (0x09, "\\t"),
                  (0x07, "\\a"), (0x08, "\\b")):
    _REPR[_b] = _name


def repr_bytes(value: bytes) -> str:
    """Quote a value the way redis-cli does: ``b'a\\x00"'`` becomes ``"a\\x00\\""``."""
    if value.isascii():
        text = value.decode("ascii")
        if text.isprintable() and "\\" not in text and '"' not in text:
            return f'"{text}"'
    return '"' + "".join([_REPR[b] for b in value]) + '"'
