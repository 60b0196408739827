"""Hypothesis strategies for the differential test: the commands, keys and values it sends.

The differential test (test_differential.py) sends the same random commands to Kedis and to a real
redis-server. This module says *what* it sends. The choices aim at collisions and corner cases:

- few keys, so that commands keep meeting each other's keys (and some odd ones: empty, binary,
  glob characters);
- values that are almost numbers (``"007"``, ``"+5"``, ``" 1"``, ``"-0"``, ``"1e5000"``), the
  64-bit limits, and binary bytes;
- times that give the same answer on both servers although their clocks are read a few
  milliseconds apart (see ``RelativeTime``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

# --- keys and values ---------------------------------------------------------------------------------
KEYS = [b"a", b"b", b"c", b"key:1", b"key:2", b"", b"\x00\xff", b"a\r\nb", b"[a]", b"*", b"\x80"]
keys = st.sampled_from(KEYS)

INTEGER_TEXTS = [
    b"0", b"1", b"-1", b"42", b"9223372036854775807", b"-9223372036854775808",
    b"9223372036854775806", b"-9223372036854775807", b"9223372036854775808",
    b"-9223372036854775809", b"18446744073709551616", b"007", b"+5", b"-0", b" 1", b"1 ", b"1.0",
    b"", b"abc", b"0x10", b"1e3",
]
FLOAT_TEXTS = [
    b"10.5", b"0.1", b"-0.1", b"3.0e3", b"1e300", b"-1e300", b"1e308", b"1.7976931348623157e308",
    b"1e4000", b"1e5000", b"-1e5000", b"1e-300", b"1e-4950", b"1e-5000", b"4.9406564584124654e-324",
    b"inf", b"-inf", b"+inf", b"infinity", b"-Infinity", b"nan", b"-nan", b"0x10", b"0x1p-3",
    b"0x1.8p1", b"0x", b".5", b"5.", b"+.5e+1", b"1e", b"1_000", b"-0", b"-0.0", b" 1", b"1 ",
    b"1.5\x00", b"0.12345678901234567890123456789",
    b"1." + b"1" * 60, b"123456789012345678901234567890", b"0.000000000000000000001",
    b"99999999999999999.5",
    # far out of range, or longer than Python converts to int in one go (4300 digits)
    b"1e-99999999999", b"1e99999999999", b"0x1p-99999999999", b"0e99999999999",
    b"1e" + b"0" * 4400 + b"5", b"1" * 4500, b"0." + b"0" * 4400 + b"1e4400", b"1" * 5119,
    b"-1.18973149535723176502e+4932", b"0x1p16383", b"3.6e-4951", b"1e-4951",
]


def _float_spellings(x: float) -> list[bytes]:
    return [repr(x).encode(), b"%.17g" % x, b"%.25f" % x, b"%e" % x]


integer_texts = st.one_of(
    st.sampled_from(INTEGER_TEXTS),
    st.integers(min_value=-(2 ** 64), max_value=2 ** 64).map(lambda n: b"%d" % n),
)
float_texts = st.one_of(
    st.sampled_from(FLOAT_TEXTS),
    st.floats(allow_nan=False, allow_infinity=False, width=64).flatmap(
        lambda x: st.sampled_from(_float_spellings(x))),
    st.decimals(min_value=-10 ** 6, max_value=10 ** 6, places=6, allow_nan=False,
                allow_infinity=False).map(lambda d: str(d).encode()),
)
values = st.one_of(
    st.sampled_from([b"hello", b"", b"\x00\xff\r\n", b"\r\n", b"x" * 130]),
    integer_texts, float_texts, st.binary(max_size=8),
)
# Offsets for GETRANGE and SETRANGE. SETRANGE builds strings as long as its offset, so the offsets
# that succeed stay small (1 MB at most: the smallest proto-max-bulk-len, which the machine sets
# sometimes); the big ones are there for their errors (past the default 512 MB limit).
offsets = st.one_of(
    st.integers(min_value=-20, max_value=20).map(lambda n: b"%d" % n),
    st.sampled_from([b"1048575", b"1048576", b"536870912", b"9223372036854775807", b"-9223372036854775808",
                     b"9223372036854775808", b"abc", b"", b"1.5", b"01"]),
)

# Bit offsets for SETBIT, GETBIT and BITFIELD: small ones (a bitmap stays a few bytes long), the
# last bit of a 1 MB string (the smallest proto-max-bulk-len) and the first past it, past 512 MB,
# and BITFIELD's #N form (N integers of its width), wrapping around 64 bits for the largest N.
bit_offsets = st.one_of(
    st.integers(min_value=0, max_value=70).map(lambda n: b"%d" % n),
    st.integers(min_value=0, max_value=9).map(lambda n: b"#%d" % n),
    st.sampled_from([b"-1", b"8388607", b"8388608", b"4294967296", b"abc", b"", b"01", b"1.5",
                     b"#", b"#-1", b"#2305843009213693953", b"9223372036854775808"]),
)
bits = st.sampled_from([b"0", b"1", b"2", b"-1", b"x", b"01"])
# BITFIELD's integer types: every width counts, and the errors around them.
bitfield_types = st.one_of(
    st.integers(min_value=1, max_value=64).map(lambda n: b"i%d" % n),
    st.integers(min_value=1, max_value=63).map(lambda n: b"u%d" % n),
    st.sampled_from([b"u64", b"i65", b"i0", b"u", b"x8", b"I8", b"i08", b"u8\x00x"]),
)
# Ranges for BITCOUNT and BITPOS: none, a start, both ends, a unit (or a wrong one).
bit_ranges = st.one_of(
    st.just([]),
    st.lists(st.one_of(st.integers(min_value=-12, max_value=12).map(lambda n: b"%d" % n),
                       st.sampled_from([b"x", b"9223372036854775807", b"-9223372036854775808"])),
             min_size=1, max_size=2),
    st.tuples(st.integers(min_value=-40, max_value=40), st.integers(min_value=-40, max_value=40),
              st.sampled_from([b"BIT", b"byte", b"bit", b"bits", b""])).map(
        lambda t: [b"%d" % t[0], b"%d" % t[1], t[2]]),
)

# Set members: few, so that sets share some; integers (Redis keeps a set of only integers as a
# sorted intset), integers Redis would not write that way ("007", "-0", "+1"), and bytes.
MEMBERS = [b"a", b"b", b"c", b"1", b"2", b"3", b"-5", b"9223372036854775807", b"007", b"-0",
           b"+1", b"", b"\x00\xff", b"x" * 40]
members = st.sampled_from(MEMBERS)
# Counts for SPOP and SRANDMEMBER: small, and the edges of their errors. (A huge negative count
# would make Redis answer that many members, so there is none.)
set_counts = st.one_of(
    st.integers(min_value=-6, max_value=6).map(lambda n: b"%d" % n),
    st.sampled_from([b"100", b"9223372036854775807", b"-9223372036854775808", b"abc", b"",
                     b"1.5", b"01", b"9223372036854775808"]),
)

# List elements: the set members (repeats make LREM, LPOS and LINSERT's pivot interesting), and
# a long one, so that nodes fill up and split. Indexes and counts for the list commands: around
# the ends, and the edges of their errors.
elements = st.one_of(members, st.sampled_from([b"y" * 3000, b"1" * 20, b"-4097"]))
list_indexes = st.one_of(
    st.integers(min_value=-8, max_value=8).map(lambda n: b"%d" % n),
    st.sampled_from([b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
                     b"abc", b"", b"1.5", b"01", b"-0"]),
)
list_counts = st.one_of(
    st.integers(min_value=-3, max_value=6).map(lambda n: b"%d" % n),
    st.sampled_from([b"9223372036854775807", b"-9223372036854775808", b"abc", b"", b"01"]),
)
list_sides = st.sampled_from([b"LEFT", b"right", b"Left", b"up", b""])

# --- command names --------------------------------------------------------------------------------------


def _alternating(name: str) -> str:
    return "".join(c.lower() if i % 2 else c.upper() for i, c in enumerate(name))


def spelled(name: str) -> st.SearchStrategy[bytes]:
    """A command name as clients send it: usually upper or lower case, sometimes mixed."""
    return st.sampled_from([name.upper(), name.lower(), name.title(), _alternating(name),
                            _alternating(name).swapcase()]).map(str.encode)


# --- times -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RelativeTime:
    """A positive relative time (``EX 1000``), made distinct before it is sent.

    Kedis and Redis read their clocks a few milliseconds apart, so ``EXPIRE k 1000`` gives them
    deadlines a few ms apart. That is harmless for TTL (compared with a tolerance) but not for
    ``EXPIRE k 1000 GT`` after another ``EXPIRE k 1000``: whether the second deadline is later
    depends on whether a millisecond has passed, on each server. So the machine adds one second per
    step to every relative time it sends (``seconds + step``): two of them are then always at least
    a second apart, and GT/LT answer the same on both servers. Equal deadlines are still tested,
    with absolute times, which are exact.
    """

    seconds: int
    in_ms: bool

    def text(self, step: int) -> bytes:
        total = self.seconds + step
        return b"%d" % (total * 1000 if self.in_ms else total)


PAST = [1, 1000, 1_600_000_000]                        # up to 2020-09-13: long gone
FUTURE = [4_102_444_800, 32_503_680_000, 32_503_680_001]  # 2100-01-01, 3000-01-01 (and a second)
BAD_TIMES = [b"abc", b"", b"1.5", b"007", b"+5", b" 1", b"-0", b"9223372036854775808"]
OVERFLOW_SECONDS = [b"9223372036854775807", b"9223372036854775", b"9223372036854774",
                    b"-9223372036854775808", b"-9223372036854775", b"-9223372036854776"]
OVERFLOW_MS = [b"9223372036854775807", b"9223372036854775806", b"-9223372036854775808",
               b"9223370000000000000"]
_RELATIVE_BASES = [1000, 5000, 86_400, 1_000_000, 100_000_000]  # seconds; far apart


def relative_times(in_ms: bool) -> st.SearchStrategy:
    """An EX/PX/EXPIRE/PEXPIRE argument: a distinct long TTL, or zero, negative, bad, overflowing."""
    raw = [b"0", b"-1", b"-1000", *BAD_TIMES, *(OVERFLOW_MS if in_ms else OVERFLOW_SECONDS)]
    return st.one_of(st.sampled_from(_RELATIVE_BASES).map(lambda s: RelativeTime(s, in_ms)),
                     st.sampled_from(raw))


def absolute_times(in_ms: bool) -> st.SearchStrategy[bytes]:
    """An EXAT/PXAT/EXPIREAT/PEXPIREAT argument: far past or far future, or bad, or overflowing."""
    if in_ms:
        moments = [b"%d" % (t * 1000 + extra) for t in PAST + FUTURE for extra in (0, 499, 500)]
        extra = [b"0", b"-1", *BAD_TIMES, *OVERFLOW_MS]
    else:
        moments = [b"%d" % t for t in PAST + FUTURE]
        extra = [b"0", b"-1", *BAD_TIMES, *OVERFLOW_SECONDS]
    return st.sampled_from(moments + extra)


_TIME_OPTIONS = {b"EX": (False, False), b"PX": (True, False), b"EXAT": (False, True),
                 b"PXAT": (True, True)}


def time_option(name: bytes) -> st.SearchStrategy[list]:
    """``EX <time>`` and friends; sometimes the time is missing (a syntax error, or not)."""
    in_ms, absolute = _TIME_OPTIONS[name.upper()]
    argument = absolute_times(in_ms) if absolute else relative_times(in_ms)
    return st.one_of(argument.map(lambda t: [name, t]), st.just([name]))


def _option_names(names: list[bytes]) -> st.SearchStrategy[bytes]:
    return st.sampled_from(names).flatmap(
        lambda n: st.sampled_from([n, n.lower(), n.title()]))


def set_options() -> st.SearchStrategy[list]:
    """SET's options in any order and combination, conflicting ones and unknown ones included."""
    token = _option_names([b"NX", b"XX", b"GET", b"KEEPTTL", b"EX", b"PX", b"EXAT", b"PXAT",
                           b"PERSIST", b"FOO"]).flatmap(
        lambda n: time_option(n) if n.upper() in _TIME_OPTIONS else st.just([n]))
    return st.lists(token, max_size=4).map(lambda groups: [t for g in groups for t in g])


def getex_options() -> st.SearchStrategy[list]:
    token = _option_names([b"EX", b"PX", b"EXAT", b"PXAT", b"PERSIST", b"NX", b"KEEPTTL"]).flatmap(
        lambda n: time_option(n) if n.upper() in _TIME_OPTIONS else st.just([n]))
    return st.lists(token, max_size=3).map(lambda groups: [t for g in groups for t in g])


expire_conditions = st.lists(_option_names([b"NX", b"XX", b"GT", b"LT", b"FOO"]), max_size=3)

# --- patterns, databases -------------------------------------------------------------------------------
_GLOB_PIECES = [b"*", b"?", b"[", b"]", b"^", b"-", b"\\", b"a", b"b", b"c", b"k", b"e", b"y",
                b":", b"1", b"2", b"\x00", b"\xff", b"\x80", b"\r"]
_SET_BYTES = [b"a", b"b", b"c", b"z", b"!", b"-", b"^", b"]", b"[", b"\\", b"\x00", b"\x7f",
              b"\x80", b"\xfe", b"\xff"]
# A bracket set built on purpose: ranges (with bytes on both sides of 0x80, where C's signed chars
# matter), escapes, negation, and sometimes no closing bracket.
_bracket_sets = st.tuples(
    st.sampled_from([b"[", b"[^"]),
    st.lists(st.one_of(
        st.sampled_from(_SET_BYTES),
        st.tuples(st.sampled_from(_SET_BYTES), st.sampled_from(_SET_BYTES)).map(
            lambda ends: ends[0] + b"-" + ends[1]),
        st.sampled_from(_SET_BYTES).map(lambda b: b"\\" + b),
    ), max_size=3).map(b"".join),
    st.sampled_from([b"]", b"]", b""]),
).map(b"".join)
patterns = st.one_of(
    st.sampled_from([b"*", b"", b"a", b"*a*", b"key:*", b"k?y:[12]", b"[", b"[]", b"[^]", b"\\",
                     b"[a-]", b"[\\]", b"[z-a]*", b"\\*", b"[^a]*", b"*[", b"[]a]"]),
    st.lists(st.sampled_from(_GLOB_PIECES), max_size=7).map(b"".join),
    st.lists(st.one_of(st.sampled_from(_GLOB_PIECES), _bracket_sets), max_size=4).map(b"".join),
)
DATABASE_INDEXES = [b"0", b"1", b"1", b"0", b"15", b"16", b"-1", b"abc", b"1.0", b"01", b" 1",
                    b"2147483647", b"2147483648", b"-2147483649", b"9223372036854775808", b""]
databases = st.sampled_from(DATABASE_INDEXES)
