"""Long double arithmetic, as INCRBYFLOAT does it.

Redis computes INCRBYFLOAT in C's ``long double``, not in ``double``. That is why, in Redis,

    SET n 10.5
    INCRBYFLOAT n 0.1     ->  "10.6"

where Python's floats give 10.600000000000001. On x86-64 a long double is the x87 extended format:
a 64-bit significand (11 more bits than a double) and a 15-bit exponent. Redis then prints the sum
with ``printf("%.17Lf")`` and strips the trailing zeros, and the extra bits make that print what a
person expects for most short decimals.

Python has no long double, so this module emulates one exactly with ``fractions.Fraction``: numbers
are read exactly, every arithmetic result is rounded to the nearest value with ``PRECISION`` bits
(ties to even, as the FPU does), and printing rounds the exact value to 17 decimals. On machines whose
long double is IEEE quad precision (aarch64 Linux) the precision is 113 bits, as Redis's would be.

The functions mirror Redis's util.c: ``parse`` is ``string2ld`` (strtold plus Redis's checks) and
``format_human`` is ``ld2string(..., LD_STR_HUMAN)``.
"""

from __future__ import annotations

import platform
import re
from fractions import Fraction

__all__ = ["parse", "add", "format_human", "INF", "NEG_INF", "PRECISION"]

#: Bits in the significand: 64 for x87 extended (x86-64), 113 for IEEE quad (aarch64 Linux).
PRECISION = 113 if platform.machine().lower() in ("aarch64", "arm64") else 64
_MIN_EXP = -16382            # the smallest normal exponent; below it numbers are subnormal
_MAX = (2 - Fraction(1, 2 ** (PRECISION - 1))) * 2 ** 16383  # the largest finite value

# Infinities are kept as two sentinels: Fraction cannot hold them.
INF = "inf"
NEG_INF = "-inf"

_MAX_CHARS = 5 * 1024  # MAX_LONG_DOUBLE_CHARS: longer strings are never numbers to Redis

_DECIMAL = re.compile(r"([+-]?)(?=\.?\d)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\Z", re.ASCII)
_HEX = re.compile(r"([+-]?)0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?"
                  r"(?:[pP]([+-]?\d+))?\Z", re.ASCII)
_INFINITY = re.compile(r"([+-]?)(inf|infinity)\Z", re.IGNORECASE)

# Every finite long double lies between 10**-4966 (the smallest IEEE-quad subnormal; x87 stops at
# 10**-4951) and 10**4933. A number written far outside that range is not computed exactly: its
# exponent alone says it overflows or underflows, and ``1e-99999999999`` must not make Python
# build a hundred-billion-digit integer to find that out. The margins leave every borderline case
# to the exact computation.
_DECIMAL_RANGE = (-5100, 5000)     # floor(log10(|x|)) outside this: certainly out of range
_BINARY_RANGE = (-16700, 16500)    # floor(log2(|x|)) outside this: certainly out of range
_HUGE_EXPONENT = 10 ** 9           # stands for any exponent written with more than 9 digits

# Python refuses to convert between int and decimal text past 4300 digits (a guard against slow,
# quadratic conversions; it can be set as low as 640). A long double has up to 4950 digits, so
# long ones are converted in chunks that stay below any such limit.
_CHUNK = 512
_CHUNK_BASE = 10 ** _CHUNK


def _int_from_digits(digits: str) -> int:
    """``int(digits)`` for a decimal string of any length."""
    if len(digits) <= _CHUNK:
        return int(digits)
    value = 0
    for i in range(0, len(digits), _CHUNK):
        chunk = digits[i:i + _CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _digits_of(n: int) -> str:
    """``str(n)`` for a non-negative integer of any size."""
    if n < _CHUNK_BASE:
        return str(n)
    high, low = divmod(n, _CHUNK_BASE)
    return _digits_of(high) + str(low).rjust(_CHUNK, "0")


def _exponent(text: str | None) -> int:
    """A written exponent (``"-0005"``), huge ones capped: only their sign matters then."""
    if not text:
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("+-").lstrip("0")
    return sign * (_HUGE_EXPONENT if len(digits) > 9 else int(digits or "0"))


def _exact(text: str) -> Fraction | None:
    """The exact value a decimal or hex float spells, or None when Redis refuses it anyway.

    strtold reads the number as if with infinite precision, then rounds once; Fractions do the
    same. None means: not a number, or a magnitude certainly out of range (strtold would say
    ERANGE, with an infinite or a zero result), found from the exponent without the work.
    """
    decimal = _DECIMAL.match(text)
    if decimal:
        sign, whole, frac, exp = decimal.groups()
        frac = frac or ""
        base, units_per_digit, valid = 10, 1, _DECIMAL_RANGE
    else:
        hexed = _HEX.match(text)
        if not hexed:
            return None
        sign, whole, frac, exp = hexed.groups()
        frac = frac or ""
        base, units_per_digit, valid = 2, 4, _BINARY_RANGE
    significant = (whole + frac).lstrip("0")
    if not significant:
        return Fraction(0)  # zero, however large its written exponent
    # value = mantissa * base ** scale, with floor(log_base(value)) near `magnitude`
    scale = _exponent(exp) - units_per_digit * len(frac)
    magnitude = units_per_digit * len(significant) + scale
    if not valid[0] <= magnitude <= valid[1]:
        return None
    mantissa = _int_from_digits(significant) if base == 10 else int(significant, 16)
    exact = (Fraction(mantissa * base ** scale) if scale >= 0
             else Fraction(mantissa, base ** -scale))
    return -exact if sign == "-" else exact


def _round(value: Fraction) -> Fraction | str:
    """Round an exact number to the nearest long double (ties to even); overflow gives infinity."""
    if value == 0:
        return Fraction(0)
    sign = -1 if value < 0 else 1
    a = abs(value)
    # exponent = floor(log2(a)), found from the bit lengths and corrected by one comparison
    exponent = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** exponent > a:
        exponent -= 1
    exponent = max(exponent, _MIN_EXP)  # subnormals share the smallest exponent's spacing
    quantum = Fraction(2) ** (exponent - (PRECISION - 1))
    steps = a / quantum
    whole = steps.numerator // steps.denominator
    rest = steps - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    rounded = whole * quantum
    if rounded > _MAX:
        return INF if sign > 0 else NEG_INF
    return sign * rounded


def parse(text: bytes) -> Fraction | str | None:
    """Read a number the way Redis's string2ld does, or return None if Redis would refuse it.

    Accepted: decimal (``1.5``, ``-.5e3``), C hex floats (``0x1p4``) and ``inf``/``infinity``.
    Refused: empty strings, leading whitespace, trailing garbage, NaN, and values whose magnitude
    overflows to infinity or underflows to zero.
    """
    if not text or len(text) >= _MAX_CHARS:
        return None
    try:
        s = text.decode("ascii")
    except UnicodeDecodeError:
        return None
    infinite = _INFINITY.match(s)
    if infinite:
        return NEG_INF if infinite.group(1) == "-" else INF
    exact = _exact(s)
    if exact is None:
        return None
    value = _round(exact)
    if isinstance(value, str) or (value == 0 and exact != 0):
        return None  # strtold reported ERANGE with an infinite or zero result
    return value


def add(a: Fraction | str, b: Fraction | str) -> Fraction | str | None:
    """``a + b`` in long double: the rounded sum, an infinity, or None for NaN (inf + -inf)."""
    if isinstance(a, str) or isinstance(b, str):
        infinities = {x for x in (a, b) if isinstance(x, str)}
        return None if len(infinities) == 2 else infinities.pop()
    return _round(a + b)


def format_human(value: Fraction) -> bytes:
    """Print like ``%.17Lf`` and strip trailing zeros, as Redis stores INCRBYFLOAT's result."""
    scaled = abs(value) * 10 ** 17
    whole = scaled.numerator // scaled.denominator
    rest = scaled - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    digits = _digits_of(whole).rjust(18, "0")
    text = (digits[:-17] + "." + digits[-17:]).rstrip("0").rstrip(".")
    if value < 0 and text != "0":
        text = "-" + text
    return text.encode("ascii")
