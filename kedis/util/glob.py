"""Glob patterns, as Redis reads them wherever it takes one (``stringmatchlen`` in util.c).

KEYS, SCAN and SSCAN's MATCH, PSUBSCRIBE, PUBSUB CHANNELS, CONFIG GET and COMMAND LIST FILTERBY
PATTERN all match names against the same little language:

    *       any run of bytes, including none
    ?       exactly one byte
    [abc]   one byte from the set; [a-z] a range (reversed ranges work: [z-a]); [^abc] negates
    \\x      the byte x itself (so \\* is a star)

**How it is matched, and why it can never freeze the server.** A pattern without stars is a
sequence of *one-byte tests* (a literal, ``?``, a set): it fits a key of exactly that length, test
by test. Stars cut a pattern into such fixed-length segments: ``user:*:name*`` is ``user:``, then
``:name``, then the end. The key must start with the first segment and end with the last; each
segment in between is looked for from where the previous one ended, and the *leftmost* place it
fits is always the right one to take (a star can absorb whatever comes before it, so fitting a
segment later can only leave less room for the rest). That is one pass over the key per segment:
at worst (key length x pattern length) steps, for any pattern.

Redis's own loop tries every length for each star recursively. That would be exponential (KEYS
``a*a*a*a*a*b`` on a long key of ``a``\\ s), and Redis 7.0.9 stopped it (CVE-2022-36021): once the
rest of a pattern fails to match anywhere after a star, it stops trying longer matches for the
stars before. The answers are the same as the greedy walk's above, which the tests check against
redis-server. A backtracking regular expression (``re.fullmatch(".*a.*a.*b")``) would have the
same exponential hunger, which is why each segment here is matched alone, and has no quantifier.

**Why a huge pattern costs little: it is read only as far as the names reach.** A pattern is an
argument like any other, and may be megabytes long (``KEYS`` with ``a?`` repeated five million
times). Redis walks the pattern and the name together, so it stops reading the pattern when the
name runs out. Kedis reads the pattern token by token (one regular expression finds each token,
in C), and counts its one-byte tests as it goes: a pattern with more tests than a name has bytes
cannot match it, stars or no stars, so there is no need to read further. ``compile_glob`` reads
the first thousand tests or so at once (every everyday pattern is whole by then); the rest is read
only when a name long enough to need it comes. What must be scanned to find a token's end (a run
of stars, the body of a set, which may never close: ``[[[[...``) is scanned by C code too, never
by a Python loop per byte. A set is read whole, as Redis reads it whole for each byte it compares:
ten megabytes of ``[`` take a few hundredths of a second, and ten megabytes of escapes and ranges
(``[\\a\\a...``, ``[a-ba-b...``), each an item to look at, about a second.

**Redis's corner cases, kept:**

- an unclosed ``[abc`` is a set that runs to the end of the pattern; ``[]`` matches nothing,
  ``[^]`` any byte, and a ``[`` that ends the pattern matches nothing; only ``^`` negates a set
  (``[!a]`` is the set of ``!`` and ``a``);
- ``[a-]`` is a *range* from ``a`` to ``]`` (Redis reads ``x-y`` whenever three bytes remain);
- range ends are compared as signed C chars: bytes 0x80..0xff come *before* 0x00 (see ``_ranges``);
- a backslash that ends the pattern (or a set) is a literal backslash;
- a pattern with more than 1000 stars before its last token matches nothing (see ``_DEEPEST``):
  ``*a`` a thousand times matches ``aaaa...``, ``*a`` 1001 times matches no name at all;
- the empty name matches only the empty pattern: Redis's loop never starts on an empty string, so
  ``*`` does not match it. KEYS and SCAN treat the pattern ``*`` as "every key" before matching
  (so the empty key is listed); PUBSUB CHANNELS and PSUBSCRIBE do not.
- case-insensitive matching (``nocase``: CONFIG GET, COMMAND LIST) lowers both sides as C's
  ``tolower`` does (ASCII letters only), except an escaped byte inside a set, which Redis
  compares as it is; and a range's ends are lowered after a reversed range is put in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import groupby

__all__ = ["compile_glob", "glob_match"]

_ANY = frozenset(range(256))
_ALL_BYTES = bytes(range(256))

#: How many stars (runs of stars) Redis follows, one inside the other, before a pattern's last
#: token: it tries the rest of the pattern after a star with a recursive call, and since the fix
#: of CVE-2024-31228 (a deep enough pattern overflowed the C stack) a call nested deeper than
#: this fails at once. So a pattern with a 1001st star that is not its end matches nothing.
_DEEPEST = 1000

#: How many one-byte tests ``compile_glob`` reads at once; a pattern with more is read further
#: only when a name as long comes (a name of 40 bytes never makes it read past the 41st test).
_READ_AT_ONCE = 1024

#: The next token of a pattern, at a given position: the alternatives are tried in this order, as
#: stringmatchlen's ``switch`` tells them apart. Each is one step of C code whatever its length.
_TOKEN = re.compile(rb"""
      (?P<stars> \*+ )                  # a run of stars is one star
    | (?P<plain> [^*?\[\\]{1,4096} )   # bytes that stand for themselves (a long run in
                                        # pieces: reading its start never scans all of it)
    | \\ (?P<escaped> [\s\S] )          # \x: x itself
    | (?P<any> \? )
    | (?P<set> \[ (?P<negate> \^? ) )   # a set's opening; _read_set reads the rest
    | (?P<backslash> \\ )               # a backslash that ends the pattern is itself
""", re.VERBOSE)

#: What a set is made of, seen by a split: its items longer than a byte (an escape, or a range
#: such as "a-z", "a-]" or "--x"), and the "]" that closes it. What is left between them is single
#: bytes. The alternatives are in the order stringmatchlen tries them, and a split resumes after
#: each match as Redis's loop resumes after each item, so it cuts a set into the items Redis sees.
_SET_PART = re.compile(rb"(\\[\s\S]|[^\]]-[\s\S]|\])")


def _signed(b: int) -> int:
    return b - 256 if b >= 0x80 else b


def _lower(c: int) -> int:
    """C's tolower() in the "C" locale, on a (possibly negative) char value."""
    return c + 32 if 0x41 <= c <= 0x5A else c


def _distinct(data: bytes) -> set[int]:
    """The byte values found in ``data``, however long, in one pass of C code.

    ``translate``'s second argument is a list of bytes to delete: deleting every byte of ``data``
    from the 256 possible ones leaves the bytes that do not occur, and ``data`` is read once, in C.
    """
    if len(data) < 256:
        return set(data)
    return set(_ALL_BYTES) - set(_ALL_BYTES.translate(None, data))


def _ranges(ends: set[tuple[int, int]], nocase: bool) -> set[int]:
    """The bytes of the set ranges ``start-end`` (each a pair of bytes).

    Redis compares the bytes of a range as C ``char``s, which are *signed* on x86-64 and most
    other platforms: 0x80..0xff count as -128..-1, below every ASCII byte. So ``[\xff-a]`` is the
    range -1..97, which holds 0xff and 0x00..0x61, and not 0x62..0xfe. With ``nocase`` the ends,
    once in order, are lowered, and so is the byte compared with them.
    """
    intervals = []
    for start, end in ends:
        low, high = sorted((_signed(start), _signed(end)))
        if nocase:
            low, high = _lower(low), _lower(high)
        intervals.append((low, high))
    # A body may hold thousands of ranges: merged first, they cover each value once.
    merged: list[list[int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        elif low <= high:
            merged.append([low, high])
    accepted = set()
    for low, high in merged:
        for value in range(low, high + 1):
            if nocase and 0x41 <= value <= 0x5A:
                continue  # no byte lowers to a capital letter
            accepted.add(value & 0xFF)  # the signed value back to a byte
            if nocase and 0x61 <= value <= 0x7A:
                accepted.add(value - 32)  # the capital lowers to it too
    return accepted


def _read_set(pattern: bytes, start: int) -> tuple[bytes, set[bytes], int]:
    """The set whose items start at ``start``: its single bytes, its longer items (escapes and
    ranges), and where the pattern goes on after it.

    The set ends at the first "]" that is not inside an item, or with the pattern (a set that is
    never closed: ``[[[[...``). It is split in chunks that each end just after a "]" (an item can
    end with a "]", as ``\\]`` or ``a-]`` do, but never reaches past one, so a chunk never cuts an
    item), each chunk twice as long as the one before: a set of a few bytes is one short chunk,
    and a set of megabytes takes a few dozen chunks, all taken apart by C code.
    """
    close = pattern.find(b"]", start)
    if close >= 0:
        body = pattern[start:close]
        if b"\\" not in body and b"-" not in body:  # the usual set, [abc]: single bytes only
            return body, set(), close + 1
    singles: list[bytes] = []
    items: set[bytes] = set()
    size = 0  # the first chunk ends at the first "]"
    while True:
        stop = pattern.find(b"]", start + size) + 1 or len(pattern)  # (find answers -1: none)
        chunk = pattern[start:stop]
        if b"\\" in chunk or b"-" in chunk:
            parts = _SET_PART.split(chunk)  # single bytes, a match, single bytes, a match, ...
        else:  # single bytes only: the first "]" closes the set (found quicker with find)
            close = chunk.find(b"]")
            parts = [chunk] if close < 0 else [chunk[:close], b"]", chunk[close + 1:]]
        matches = parts[1::2]
        closed = b"]" in matches
        if closed:  # the set is what comes before its "]"
            parts = parts[:2 * matches.index(b"]") + 1]
        singles.append(b"".join(filter(None, parts[0::2])))
        items.update(parts[1::2])
        if closed:
            return b"".join(singles), items, start + len(b"".join(parts)) + 1
        if stop == len(pattern):
            return b"".join(singles), items, stop
        start, size = stop, max(64, 2 * size)


def _set_tests(negate: bool, singles: bytes, items: set[bytes], nocase: bool) -> frozenset[int]:
    """The bytes a set accepts (or, ``negate``: does not accept), from its items read as Redis
    reads them (the ``case '['`` of stringmatchlen): a single byte is itself, ``\\x`` is x, and
    ``x-y`` a range. Only the distinct items are looked at one by one, in Python."""
    accepted = _distinct(singles)
    if nocase:  # a letter accepts both cases (swapcase, like tolower, knows only ASCII letters)
        accepted |= set(bytes(accepted).swapcase())
    if items:
        accepted.update(item[1] for item in items if len(item) == 2)  # \x: x exactly, even nocase
        accepted |= _ranges({(item[0], item[2]) for item in items if len(item) == 3}, nocase)
    return _ANY - accepted if negate else frozenset(accepted)


def _either_case(run: bytes) -> list[bytes | frozenset[int]]:
    """The pieces that match ``run`` without case: each letter a test of its two cases."""
    return [frozenset((c, c ^ 0x20)) if bytes([c]).isalpha() else bytes([c]) for c in run]


class _Reader:
    """Reads a pattern into its segments (the pieces between stars), token by token, and only as
    far as it is asked to: ``read(budget)`` stops once the pattern is known to need more than
    ``budget`` bytes of name.

    A segment is a list of pieces: ``bytes`` that must be there as they are, and one-byte tests
    (the frozenset of bytes a ``?`` or a set accepts, or a letter in either case with ``nocase``).
    """

    __slots__ = ("pattern", "nocase", "position", "segments", "tests", "hopeless")

    def __init__(self, pattern: bytes, nocase: bool) -> None:
        self.pattern = pattern
        self.nocase = nocase
        self.position = 0
        self.segments: list[list[bytes | frozenset[int]]] = [[]]
        self.tests = 0  # the one-byte tests read so far: the shortest name they can match
        self.hopeless = False  # True once the pattern is known to match nothing (_DEEPEST)

    def read(self, budget: int) -> bool:
        """Reads on until the whole pattern is read (True), or until it holds more than
        ``budget`` one-byte tests (False: no name of ``budget`` bytes can match it)."""
        pattern, nocase, end = self.pattern, self.nocase, len(self.pattern)
        while self.position < end and self.tests <= budget:
            token = _TOKEN.match(pattern, self.position)  # (every byte starts some token)
            self.position = token.end()
            kind = token.lastgroup
            if kind == "stars":
                self.segments.append([])
                continue
            if len(self.segments) > _DEEPEST + 1:  # a token after too many stars: no need to
                self.hopeless = True               # read any further
                self.position = end
                break
            if kind == "any":
                piece: bytes | frozenset[int] = _ANY
            elif kind == "set":
                singles, items, self.position = _read_set(pattern, self.position)
                tests = _set_tests(token["negate"] == b"^", singles, items, nocase)
                piece = bytes(tests) if len(tests) == 1 else tests  # [a] is just a
            else:
                piece = token[kind] if kind != "backslash" else b"\\"
                room = budget - self.tests + 1  # one byte more than a name of budget bytes has
                if len(piece) > room:  # the rest of a long run is read, as a run, another time
                    piece = piece[:room]
                    self.position = token.start() + room
                if nocase and piece.lower() != piece.upper():  # letters: either case
                    self.segments[-1].extend(_either_case(piece))
                    self.tests += len(piece)
                    continue
            self.segments[-1].append(piece)
            self.tests += len(piece) if isinstance(piece, bytes) else 1
        return self.position >= end


class _Segment:
    """A run of one-byte tests between two stars: finds where it fits in a name.

    A segment of plain bytes is looked for with bytes' own methods (startswith, find); any other
    with a regular expression of plain bytes and character classes, one per byte, which cannot
    backtrack: it fits or not at each position, in as many steps as the segment is long.
    """

    __slots__ = ("length", "literal", "regex")

    def __init__(self, pieces: list[bytes | frozenset[int]]) -> None:
        self.length = sum(len(piece) if isinstance(piece, bytes) else 1 for piece in pieces)
        if all(isinstance(piece, bytes) for piece in pieces):
            self.literal: bytes | None = b"".join(pieces)  # type: ignore[arg-type]
            self.regex = None
        else:
            self.literal = None
            # A run of the same test is written once with its count ("[ab]{40}"), and plain
            # bytes as themselves: Python's re takes its time over each class (see _class).
            parts = []
            for piece, run in groupby(pieces):
                count = len(list(run))
                if isinstance(piece, bytes):
                    parts.append(re.escape(piece) * count)
                else:
                    parts.append(_class(piece) + (b"{%d}" % count if count > 1 else b""))
            self.regex = re.compile(b"".join(parts), re.DOTALL)

    def fits_at(self, name: bytes, at: int) -> bool:
        if self.literal is not None:
            return name.startswith(self.literal, at)
        return self.regex.match(name, at) is not None  # type: ignore[union-attr]

    def find(self, name: bytes, start: int, end: int) -> int:
        """Where the segment first fits within name[start:end], or -1."""
        if self.literal is not None:
            return name.find(self.literal, start, end)
        found = self.regex.search(name, start, end)  # type: ignore[union-attr]
        return -1 if found is None else found.start()


@lru_cache(maxsize=1024)
def _class(test: frozenset[int]) -> bytes:
    """The regular expression of a one-byte test, its bytes written as runs (``[\\x00-\\x60]``):
    Python's re reads a class slowly, byte by byte, so ``[^a]`` spelled out byte by byte, many
    times in a long pattern, would take seconds to compile."""
    if len(test) == 256:
        return b"."
    if not test:
        return b"(?!)"  # matches nothing
    runs: list[list[int]] = []
    for b in sorted(test):
        if runs and runs[-1][1] == b - 1:
            runs[-1][1] = b
        else:
            runs.append([b, b])
    return b"[" + b"".join(b"\\x%02x-\\x%02x" % (low, high) for low, high in runs) + b"]"


def _matcher(reader: _Reader) -> Callable[[bytes], bool]:
    """The predicate for a pattern read whole into its segments."""
    segments = reader.segments
    if reader.hopeless:
        return lambda name: False
    if len(segments) == 1:  # no star: the name is as long as the pattern's tests, and fits
        whole = _Segment(segments[0])  # (the empty pattern: the empty name only)
        return lambda name: len(name) == whole.length and whole.fits_at(name, 0)
    first, *middle, last = [_Segment(pieces) for pieces in segments]

    def matches(name: bytes) -> bool:
        if name == b"":
            return False  # the empty name matches only the empty pattern
        start, end = first.length, len(name) - last.length
        if start > end or not first.fits_at(name, 0) or not last.fits_at(name, end):
            return False
        for segment in middle:
            at = segment.find(name, start, end)
            if at < 0:
                return False
            start = at + segment.length
        return True

    return matches


@lru_cache(maxsize=256)
def compile_glob(pattern: bytes, nocase: bool = False) -> Callable[[bytes], bool]:
    """A predicate that tells whether a name matches ``pattern``, with Redis's rules
    (``nocase``: ASCII letters match in either case, as CONFIG GET and COMMAND LIST match)."""
    reader = _Reader(pattern, nocase)
    if reader.read(_READ_AT_ONCE):
        return _matcher(reader)
    # A huge pattern: each name makes the reader go as far as that name's length needs.
    whole: Callable[[bytes], bool] | None = None

    def matches(name: bytes) -> bool:
        nonlocal whole
        if whole is None:
            if not reader.read(len(name)):
                return False  # the pattern needs more bytes than the name has
            whole = _matcher(reader)
        return whole(name)

    return matches


def glob_match(pattern: bytes, name: bytes, nocase: bool = False) -> bool:
    """``glob_match(b"user:*", b"user:42")`` is True."""
    return compile_glob(pattern, nocase)(name)
