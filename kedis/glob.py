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

**Redis's corner cases, kept:**

- an unclosed ``[abc`` is a set that runs to the end of the pattern; ``[]`` matches nothing,
  ``[^]`` any byte, and a ``[`` that ends the pattern matches nothing;
- ``[a-]`` is a *range* from ``a`` to ``]`` (Redis reads ``x-y`` whenever three bytes remain);
- range ends are compared as signed C chars: bytes 0x80..0xff come *before* 0x00 (see ``_range``);
- a backslash that ends the pattern (or a set) is a literal backslash;
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

_STAR = None  # a token that is a star; every other token is the set of bytes it accepts
_ANY = frozenset(range(256))


def _signed(b: int) -> int:
    return b - 256 if b >= 0x80 else b


def _lower(c: int) -> int:
    """C's tolower() in the "C" locale, on a (possibly negative) char value."""
    return c + 32 if 0x41 <= c <= 0x5A else c


def _literal(c: int, nocase: bool) -> frozenset[int]:
    if not nocase:
        return frozenset((c,))
    return frozenset(b for b in range(256) if _lower(b) == _lower(c))


def _range(start: int, end: int, nocase: bool) -> frozenset[int]:
    """The bytes of the set range ``start-end``.

    Redis compares the bytes of a range as C ``char``s, which are *signed* on x86-64 and most
    other platforms: 0x80..0xff count as -128..-1, below every ASCII byte. So ``[\xff-a]`` is the
    range -1..97, which holds 0xff and 0x00..0x61, and not 0x62..0xfe.
    """
    low, high = sorted((_signed(start), _signed(end)))
    if nocase:
        low, high = _lower(low), _lower(high)
    return frozenset(b for b in range(256)
                     if low <= (_lower(_signed(b)) if nocase else _signed(b)) <= high)


def _set(pattern: bytes, i: int, nocase: bool) -> tuple[frozenset[int], int]:
    """The set that starts after the ``[`` at ``i - 1``: the bytes it accepts, and where the
    next token starts. Read as Redis reads it, byte by byte (the ``case '['`` of stringmatchlen)."""
    n = len(pattern)
    negate = i < n and pattern[i] == 0x5E  # '^'
    if negate:
        i += 1
    accepted: set[int] = set()
    while True:
        if i < n and pattern[i] == 0x5C and n - i >= 2:  # \x: x itself, compared exactly
            i += 1
            accepted.add(pattern[i])
        elif i < n and pattern[i] == 0x5D:  # ']' closes the set
            break
        elif i >= n:  # unclosed: the set ends with the pattern
            i -= 1
            break
        elif n - i >= 3 and pattern[i + 1] == 0x2D:  # a-z
            accepted |= _range(pattern[i], pattern[i + 2], nocase)
            i += 2
        else:
            accepted |= _literal(pattern[i], nocase)
        i += 1
    return (_ANY - accepted if negate else frozenset(accepted)), i + 1


def _tokens(pattern: bytes, nocase: bool) -> list[frozenset[int] | None]:
    """The pattern as a list of stars (None, a run of them counted once) and one-byte tests."""
    tokens: list[frozenset[int] | None] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == 0x2A:  # '*'
            if not tokens or tokens[-1] is not _STAR:
                tokens.append(_STAR)
            i += 1
        elif c == 0x3F:  # '?'
            tokens.append(_ANY)
            i += 1
        elif c == 0x5B:  # '['
            accepted, i = _set(pattern, i + 1, nocase)
            tokens.append(accepted)
        else:
            if c == 0x5C and n - i >= 2:  # '\x': x itself (a trailing '\' is itself)
                i += 1
                c = pattern[i]
            tokens.append(_literal(c, nocase))
            i += 1
    return tokens


class _Segment:
    """A run of one-byte tests between two stars: finds where it fits in a name.

    A segment of plain bytes is looked for with bytes' own methods (startswith, find); any other
    with a regular expression made of character classes only, one per byte, which cannot
    backtrack: it fits or not at each position, in as many steps as the segment is long.
    """

    __slots__ = ("length", "literal", "regex")

    def __init__(self, tests: list[frozenset[int]]) -> None:
        self.length = len(tests)
        if all(len(test) == 1 for test in tests):
            self.literal: bytes | None = bytes(next(iter(test)) for test in tests)
            self.regex = None
        else:
            self.literal = None
            # A run of the same test is written once with its count ("[ab]{40}"), and a plain
            # byte as itself: Python's re reads a long class slowly (25 us each, at compile).
            parts = []
            for test, run in groupby(tests):
                count = len(list(run))
                parts.append(_class(test) + (b"{%d}" % count if count > 1 else b""))
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


def _class(test: frozenset[int]) -> bytes:
    if len(test) == 256:
        return b"."
    if len(test) == 1:
        return re.escape(bytes(test))
    if not test:
        return b"(?!)"  # matches nothing
    return b"[" + b"".join(b"\\x%02x" % b for b in sorted(test)) + b"]"


@lru_cache(maxsize=256)
def compile_glob(pattern: bytes, nocase: bool = False) -> Callable[[bytes], bool]:
    """A predicate that tells whether a name matches ``pattern``, with Redis's rules
    (``nocase``: ASCII letters match in either case, as CONFIG GET and COMMAND LIST match)."""
    tokens = _tokens(pattern, nocase)
    segments: list[list[frozenset[int]]] = [[]]
    for token in tokens:
        if token is _STAR:
            segments.append([])
        else:
            segments[-1].append(token)
    if pattern == b"":
        return lambda name: name == b""
    if len(segments) == 1:  # no star: the name is as long as the pattern's tests, and fits
        whole = _Segment(segments[0])
        return lambda name: len(name) == whole.length and whole.fits_at(name, 0)
    first, *middle, last = [_Segment(tests) for tests in segments]

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


def glob_match(pattern: bytes, name: bytes, nocase: bool = False) -> bool:
    """``glob_match(b"user:*", b"user:42")`` is True."""
    return compile_glob(pattern, nocase)(name)
