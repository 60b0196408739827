"""String commands (kedis/commands/strings.py), one behaviour per test.

Tests that take the ``redis`` fixture also check each reply, byte for byte, against a real
redis-server (see compare.py). Time is the fake clock of the ``db`` fixture: it moves only when
a test calls ``clock.advance``.
"""

from __future__ import annotations

import pytest
from compare import NIL, NOT_INTEGER, OK, SYNTAX_ERROR, bulk, integer, same

LLONG_MAX = 2 ** 63 - 1
LLONG_MIN = -(2 ** 63)

NOT_FLOAT = b"-ERR value is not a valid float\r\n"
OVERFLOW = b"-ERR increment or decrement would overflow\r\n"
TOO_LONG = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"


@pytest.fixture
def small_max_bulk_len(db, redis):
    """proto-max-bulk-len set to its minimum, 1 MB, on both servers (and restored on Redis)."""
    same(db, redis, "CONFIG", "SET", "proto-max-bulk-len", "1mb")
    yield 1024 * 1024
    redis.call("CONFIG", "SET", "proto-max-bulk-len", "512mb")


# --- SET and GET ------------------------------------------------------------------------------
@pytest.mark.redis
def test_get_answers_the_value_set(db, redis):
    assert same(db, redis, "SET", "greeting", "hello world") == OK
    assert same(db, redis, "GET", "greeting") == bulk(b"hello world")


@pytest.mark.redis
def test_get_of_a_missing_key_is_nil(db, redis):
    assert same(db, redis, "GET", "missing") == NIL


@pytest.mark.redis
def test_set_replaces_the_value(db, redis):
    same(db, redis, "SET", "k", "old")
    assert same(db, redis, "SET", "k", "new") == OK
    assert same(db, redis, "GET", "k") == bulk(b"new")


@pytest.mark.redis
def test_set_nx_sets_only_a_missing_key(db, redis):
    assert same(db, redis, "SET", "k", "first", "NX") == OK
    assert same(db, redis, "SET", "k", "second", "NX") == NIL
    assert same(db, redis, "GET", "k") == bulk(b"first")


@pytest.mark.redis
def test_set_xx_sets_only_an_existing_key(db, redis):
    assert same(db, redis, "SET", "k", "v", "XX") == NIL
    assert same(db, redis, "EXISTS", "k") == integer(0)
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "SET", "k", "w", "XX") == OK
    assert same(db, redis, "GET", "k") == bulk(b"w")


@pytest.mark.redis
def test_set_get_answers_the_old_value(db, redis):
    same(db, redis, "SET", "k", "old")
    assert same(db, redis, "SET", "k", "new", "GET") == bulk(b"old")
    assert same(db, redis, "GET", "k") == bulk(b"new")


@pytest.mark.redis
def test_set_get_on_a_missing_key_answers_nil_and_sets_it(db, redis):
    assert same(db, redis, "SET", "k", "new", "GET") == NIL
    assert same(db, redis, "GET", "k") == bulk(b"new")


@pytest.mark.redis
def test_set_nx_get_answers_the_old_value_and_leaves_it(db, redis):
    same(db, redis, "SET", "k", "old")
    assert same(db, redis, "SET", "k", "new", "NX", "GET") == bulk(b"old")
    assert same(db, redis, "GET", "k") == bulk(b"old")


@pytest.mark.redis
def test_set_xx_get_on_a_missing_key_answers_nil_and_does_not_set(db, redis):
    assert same(db, redis, "SET", "k", "v", "XX", "GET") == NIL
    assert same(db, redis, "EXISTS", "k") == integer(0)


@pytest.mark.redis
def test_set_options_are_case_insensitive(db, redis):
    assert same(db, redis, "SET", "k", "v", "nx", "Ex", "100") == OK
    assert same(db, redis, "SET", "k", "w", "get") == bulk(b"v")


@pytest.mark.redis
def test_set_option_repeated_takes_the_last_value(db, redis):
    assert same(db, redis, "SET", "k", "v", "EX", "10", "EX", "20") == OK
    assert same(db, redis, "TTL", "k") == integer(20)


def test_set_ex_gives_a_ttl_in_seconds(db):
    db.run("SET k v EX 100")
    assert db.run("PTTL k").value == 100_000


def test_set_px_gives_a_ttl_in_milliseconds(db):
    db.run("SET k v PX 1500")
    assert db.run("PTTL k").value == 1500


def test_set_exat_gives_an_absolute_deadline_in_seconds(db):
    db.run("SET k v EXAT 1700000100")
    assert db.run("PEXPIRETIME k").value == 1_700_000_100_000


def test_set_pxat_gives_an_absolute_deadline_in_milliseconds(db):
    db.run("SET k v PXAT 1700000000250")
    assert db.run("PEXPIRETIME k").value == 1_700_000_000_250


@pytest.mark.redis
def test_set_exat_in_the_past_is_accepted_and_the_key_is_gone(db, redis):
    assert same(db, redis, "SET", "k", "v", "EXAT", "1") == OK
    assert same(db, redis, "GET", "k") == NIL


def test_set_keepttl_keeps_the_ttl(db, clock):
    db.run("SET k v EX 100")
    clock.advance(40)
    db.run("SET k w KEEPTTL")
    assert db.run("GET k").value == b"w"
    assert db.run("TTL k").value == 60


def test_set_without_keepttl_drops_the_ttl(db):
    db.run("SET k v EX 100")
    db.run("SET k w")
    assert db.run("TTL k").value == -1


@pytest.mark.redis
@pytest.mark.parametrize("options", [
    ["NX", "XX"], ["XX", "NX"], ["EX", "10", "PX", "100"], ["EX", "10", "KEEPTTL"],
    ["KEEPTTL", "EX", "10"], ["PX", "1", "EXAT", "1"], ["EXAT", "1", "PXAT", "1"],
    ["EX"], ["PX"], ["FOO"], ["PERSIST"], ["EX", "10", "NX", "XX", "GET"],
], ids=" ".join)
def test_set_conflicting_or_unknown_options_are_a_syntax_error(db, redis, options):
    assert same(db, redis, "SET", "k", "v", *options) == SYNTAX_ERROR


@pytest.mark.redis
@pytest.mark.parametrize("options", [
    ["EX", "0"], ["EX", "-1"], ["PX", "0"], ["PX", "-5"], ["EXAT", "0"], ["PXAT", "0"],
    ["EX", "9223372036854775"],          # seconds * 1000 overflows 64 bits
    ["PX", "9223372036854775807"],       # now + milliseconds overflows
], ids=" ".join)
def test_set_zero_negative_or_overflowing_times_are_invalid(db, redis, options):
    assert same(db, redis, "SET", "k", "v", *options) == (
        b"-ERR invalid expire time in 'set' command\r\n")


@pytest.mark.redis
def test_set_largest_absolute_deadlines_are_accepted(db, redis):
    assert same(db, redis, "SET", "k", "v", "PXAT", str(LLONG_MAX)) == OK
    assert same(db, redis, "SET", "k", "v", "EXAT", "9223372036854775") == OK


@pytest.mark.redis
def test_set_expiry_that_is_not_a_number_is_not_an_integer(db, redis):
    assert same(db, redis, "SET", "k", "v", "EX", "ten") == NOT_INTEGER


@pytest.mark.redis
def test_set_with_an_invalid_expiry_leaves_the_key_unchanged(db, redis):
    same(db, redis, "SET", "k", "v")
    same(db, redis, "SET", "k", "w", "EX", "0")
    assert same(db, redis, "GET", "k") == bulk(b"v")


@pytest.mark.redis
def test_set_option_is_read_up_to_a_nul_byte_like_a_c_string(db, redis):
    assert same(db, redis, "SET", "k", "v", b"NX\x00junk") == OK
    assert same(db, redis, "SET", "k", "v", b"NX\x00junk") == NIL


# --- SETNX, SETEX, PSETEX ---------------------------------------------------------------------
@pytest.mark.redis
def test_setnx_answers_1_when_it_sets_and_0_when_the_key_exists(db, redis):
    assert same(db, redis, "SETNX", "k", "first") == integer(1)
    assert same(db, redis, "SETNX", "k", "second") == integer(0)
    assert same(db, redis, "GET", "k") == bulk(b"first")


def test_setex_sets_the_value_and_a_ttl_in_seconds(db):
    assert db.run("SETEX k 100 v").value == "OK"
    assert db.run("GET k").value == b"v"
    assert db.run("PTTL k").value == 100_000


def test_psetex_sets_the_value_and_a_ttl_in_milliseconds(db):
    assert db.run("PSETEX k 1500 v").value == "OK"
    assert db.run("PTTL k").value == 1500


@pytest.mark.redis
@pytest.mark.parametrize("command", ["SETEX", "PSETEX"])
@pytest.mark.parametrize("time", ["0", "-1"])
def test_setex_and_psetex_refuse_a_time_that_is_not_positive(db, redis, command, time):
    assert same(db, redis, command, "k", time, "v") == (
        b"-ERR invalid expire time in '%s' command\r\n" % command.lower().encode())


@pytest.mark.redis
def test_setex_time_that_is_not_a_number_is_not_an_integer(db, redis):
    assert same(db, redis, "SETEX", "k", "soon", "v") == NOT_INTEGER


# --- GETDEL, GETEX, GETSET --------------------------------------------------------------------
@pytest.mark.redis
def test_getdel_answers_the_value_and_deletes_the_key(db, redis):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "GETDEL", "k") == bulk(b"v")
    assert same(db, redis, "EXISTS", "k") == integer(0)


@pytest.mark.redis
def test_getdel_of_a_missing_key_is_nil(db, redis):
    assert same(db, redis, "GETDEL", "missing") == NIL


def test_getex_without_options_leaves_the_ttl(db):
    db.run("SET k v EX 100")
    assert db.run("GETEX k").value == b"v"
    assert db.run("PTTL k").value == 100_000


@pytest.mark.parametrize("options, deadline_ms", [
    ("EX 50", 1_700_000_050_000),
    ("PX 1500", 1_700_000_001_500),
    ("EXAT 1700000200", 1_700_000_200_000),
    ("PXAT 1700000000999", 1_700_000_000_999),
])
def test_getex_sets_a_new_deadline(db, options, deadline_ms):
    db.run("SET k v EX 100")
    assert db.run(f"GETEX k {options}").value == b"v"
    assert db.run("PEXPIRETIME k").value == deadline_ms


def test_getex_persist_removes_the_ttl(db):
    db.run("SET k v EX 100")
    assert db.run("GETEX k PERSIST").value == b"v"
    assert db.run("TTL k").value == -1


@pytest.mark.redis
@pytest.mark.parametrize("option", ["EXAT", "PXAT"])
def test_getex_with_an_absolute_time_in_the_past_answers_the_value_and_deletes_the_key(
        db, redis, option):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "GETEX", "k", option, "1") == bulk(b"v")
    assert same(db, redis, "EXISTS", "k") == integer(0)


@pytest.mark.redis
def test_getex_of_a_missing_key_is_nil(db, redis):
    assert same(db, redis, "GETEX", "missing", "EX", "10") == NIL


@pytest.mark.redis
def test_getex_of_a_missing_key_is_nil_even_with_a_bad_number(db, redis):
    # Redis looks the key up before it reads the number.
    assert same(db, redis, "GETEX", "missing", "PX", "abc") == NIL


@pytest.mark.redis
@pytest.mark.parametrize("options", [
    ["KEEPTTL"], ["NX"], ["GET"], ["EX", "10", "PERSIST"], ["PERSIST", "EX", "10"],
    ["EX", "10", "PX", "20"], ["EX"], ["FOO"],
], ids=" ".join)
def test_getex_conflicting_or_unknown_options_are_a_syntax_error(db, redis, options):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "GETEX", "k", *options) == SYNTAX_ERROR


@pytest.mark.redis
@pytest.mark.parametrize("options", [
    ["EX", "0"], ["EX", "-5"], ["PXAT", "-1"], ["PX", str(LLONG_MAX)],
    ["EXAT", str(LLONG_MAX)],
], ids=" ".join)
def test_getex_invalid_times_are_refused(db, redis, options):
    same(db, redis, "SET", "k", "v")
    assert same(db, redis, "GETEX", "k", *options) == (
        b"-ERR invalid expire time in 'getex' command\r\n")


@pytest.mark.redis
def test_getset_answers_the_old_value_and_sets_the_new(db, redis):
    assert same(db, redis, "GETSET", "k", "first") == NIL
    assert same(db, redis, "GETSET", "k", "second") == bulk(b"first")
    assert same(db, redis, "GET", "k") == bulk(b"second")


def test_getset_drops_the_ttl(db):
    db.run("SET k v EX 100")
    db.run("GETSET k w")
    assert db.run("TTL k").value == -1


# --- MGET, MSET, MSETNX -----------------------------------------------------------------------
@pytest.mark.redis
def test_mget_answers_one_element_per_key_with_nil_for_missing_keys(db, redis):
    same(db, redis, "MSET", "a", "1", "b", "2")
    assert same(db, redis, "MGET", "a", "missing", "b", "a") == (
        b"*4\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n$1\r\n1\r\n")


@pytest.mark.redis
def test_mset_sets_every_pair(db, redis):
    assert same(db, redis, "MSET", "a", "1", "b", "2", "c", "3") == OK
    assert same(db, redis, "MGET", "a", "b", "c") == b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"


@pytest.mark.redis
def test_mset_with_a_key_twice_keeps_the_last_value(db, redis):
    same(db, redis, "MSET", "x", "1", "x", "2")
    assert same(db, redis, "GET", "x") == bulk(b"2")


@pytest.mark.redis
@pytest.mark.parametrize("command", ["MSET", "MSETNX"])
def test_mset_without_a_value_for_every_key_is_an_arity_error(db, redis, command):
    assert same(db, redis, command, "a", "1", "b") == (
        b"-ERR wrong number of arguments for '%s' command\r\n" % command.lower().encode())


def test_mset_drops_the_ttl(db):
    db.run("SET k v EX 100")
    db.run("MSET k w")
    assert db.run("TTL k").value == -1


@pytest.mark.redis
def test_msetnx_sets_every_key_when_none_exists(db, redis):
    assert same(db, redis, "MSETNX", "a", "1", "b", "2") == integer(1)
    assert same(db, redis, "MGET", "a", "b") == b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"


@pytest.mark.redis
def test_msetnx_sets_nothing_when_one_key_exists(db, redis):
    same(db, redis, "SET", "b", "old")
    assert same(db, redis, "MSETNX", "a", "1", "b", "2") == integer(0)
    assert same(db, redis, "MGET", "a", "b") == b"*2\r\n$-1\r\n$3\r\nold\r\n"


def test_msetnx_that_fails_keeps_the_existing_ttl(db):
    db.run("SET k v EX 100")
    db.run("MSETNX k w")
    assert db.run("TTL k").value == 100


# --- APPEND and STRLEN ------------------------------------------------------------------------
@pytest.mark.redis
def test_append_creates_the_key_and_answers_the_length(db, redis):
    assert same(db, redis, "APPEND", "k", "hello") == integer(5)
    assert same(db, redis, "APPEND", "k", " world") == integer(11)
    assert same(db, redis, "GET", "k") == bulk(b"hello world")


@pytest.mark.redis
def test_append_of_nothing_answers_the_current_length(db, redis):
    same(db, redis, "SET", "k", "abc")
    assert same(db, redis, "APPEND", "k", "") == integer(3)


def test_append_keeps_the_ttl(db, clock):
    db.run("SET k v EX 100")
    clock.advance(30)
    db.run("APPEND k w")
    assert db.run("TTL k").value == 70


@pytest.mark.redis
def test_strlen_counts_bytes_not_characters(db, redis):
    same(db, redis, "SET", "k", "ü")
    assert same(db, redis, "STRLEN", "k") == integer(2)


@pytest.mark.redis
def test_strlen_of_a_missing_key_is_0(db, redis):
    assert same(db, redis, "STRLEN", "missing") == integer(0)


# --- INCR, DECR, INCRBY, DECRBY ---------------------------------------------------------------
@pytest.mark.redis
def test_incr_of_a_missing_key_starts_from_0(db, redis):
    assert same(db, redis, "INCR", "counter") == integer(1)
    assert same(db, redis, "GET", "counter") == bulk(b"1")


@pytest.mark.redis
def test_incr_family_adds_and_subtracts(db, redis):
    same(db, redis, "SET", "n", "10")
    assert same(db, redis, "INCR", "n") == integer(11)
    assert same(db, redis, "DECR", "n") == integer(10)
    assert same(db, redis, "INCRBY", "n", "5") == integer(15)
    assert same(db, redis, "INCRBY", "n", "-20") == integer(-5)
    assert same(db, redis, "DECRBY", "n", "5") == integer(-10)
    assert same(db, redis, "DECRBY", "n", "-3") == integer(-7)


@pytest.mark.parametrize("command", ["INCR n", "DECR n", "INCRBY n 2", "DECRBY n 2",
                                     "INCRBYFLOAT n 0.5"])
def test_incr_family_keeps_the_ttl(db, clock, command):
    db.run("SET n 5 EX 100")
    clock.advance(10)
    db.run(command)
    assert db.run("TTL n").value == 90


@pytest.mark.redis
def test_incr_past_the_largest_64_bit_integer_is_an_overflow_error(db, redis):
    same(db, redis, "SET", "n", str(LLONG_MAX))
    assert same(db, redis, "INCR", "n") == OVERFLOW
    assert same(db, redis, "GET", "n") == bulk(str(LLONG_MAX).encode())


@pytest.mark.redis
def test_decr_past_the_smallest_64_bit_integer_is_an_overflow_error(db, redis):
    same(db, redis, "SET", "n", str(LLONG_MIN))
    assert same(db, redis, "DECR", "n") == OVERFLOW
    assert same(db, redis, "INCRBY", "n", "-1") == OVERFLOW


@pytest.mark.redis
def test_incrby_may_reach_the_smallest_64_bit_integer(db, redis):
    assert same(db, redis, "INCRBY", "n", str(LLONG_MIN)) == integer(LLONG_MIN)


@pytest.mark.redis
def test_decrby_the_smallest_64_bit_integer_is_refused(db, redis):
    # -LLONG_MIN does not fit in 64 bits, whatever the value is.
    assert same(db, redis, "DECRBY", "n", str(LLONG_MIN)) == (
        b"-ERR decrement would overflow\r\n")


@pytest.mark.redis
def test_decrby_past_the_smallest_64_bit_integer_is_an_overflow_error(db, redis):
    same(db, redis, "SET", "n", "-2")
    assert same(db, redis, "DECRBY", "n", str(LLONG_MAX)) == OVERFLOW


@pytest.mark.redis
@pytest.mark.parametrize("stored", [
    "007", "+5", " 5", "5 ", "5.0", "-0", "", "9223372036854775808", "abc", "1e3",
])
def test_incr_refuses_a_value_that_is_not_written_as_redis_writes_integers(db, redis, stored):
    same(db, redis, "SET", "n", stored)
    assert same(db, redis, "INCR", "n") == NOT_INTEGER


@pytest.mark.redis
@pytest.mark.parametrize("increment", [
    "1.5", "abc", "01", "+1", " 1", "1 ", "", "9223372036854775808", "-9223372036854775809",
])
def test_incrby_refuses_an_increment_that_is_not_a_64_bit_integer(db, redis, increment):
    assert same(db, redis, "INCRBY", "n", increment) == NOT_INTEGER


@pytest.mark.redis
def test_incr_that_fails_leaves_the_value(db, redis):
    same(db, redis, "SET", "n", "abc")
    same(db, redis, "INCR", "n")
    assert same(db, redis, "GET", "n") == bulk(b"abc")


# --- INCRBYFLOAT ------------------------------------------------------------------------------
@pytest.mark.redis
def test_incrbyfloat_adds_in_long_double_so_10_5_plus_0_1_is_10_6(db, redis):
    same(db, redis, "SET", "n", "10.5")
    assert same(db, redis, "INCRBYFLOAT", "n", "0.1") == bulk(b"10.6")
    assert same(db, redis, "GET", "n") == bulk(b"10.6")


@pytest.mark.redis
def test_incrbyfloat_0_1_plus_0_2_is_0_3(db, redis):
    same(db, redis, "SET", "n", "0.1")
    assert same(db, redis, "INCRBYFLOAT", "n", "0.2") == bulk(b"0.3")


@pytest.mark.redis
@pytest.mark.parametrize("stored, increment, result", [
    (None, "3.0", b"3"),                     # a missing key counts as 0; no trailing zeros
    ("3", "1.5", b"4.5"),
    ("4.5", "-4.5", b"0"),
    ("1", "1e3", b"1001"),                   # exponents are accepted
    ("5.0e3", "200", b"5200"),               # ...in the stored value too
    ("1", "0x10", b"17"),                    # and C hex floats
    ("0", "0x1p-3", b"0.125"),
    ("0", ".5", b"0.5"),
    ("0", "5.", b"5"),
    ("0", "+1.5", b"1.5"),
    ("1", "0.0000000000000000001", b"1"),    # 17 decimals at most
    ("0", "0.000000000000000015", b"0.00000000000000002"),
    ("1", "1.23456789012345678901", b"2.23456789012345679"),
    ("-0.0", "-0.0", b"0"),
    ("1.0", "1", b"2"),
], ids=lambda v: repr(v))
def test_incrbyfloat_results(db, redis, stored, increment, result):
    if stored is not None:
        same(db, redis, "SET", "n", stored)
    assert same(db, redis, "INCRBYFLOAT", "n", increment) == bulk(result)


@pytest.mark.redis
def test_incrbyfloat_result_beyond_double_range_is_printed_in_full(db, redis):
    same(db, redis, "SET", "n", "1.7976931348623157e308")
    reply = same(db, redis, "INCRBYFLOAT", "n", "1.7976931348623157e308")
    assert reply.startswith(b"$309\r\n35953862697246313")


@pytest.mark.redis
@pytest.mark.parametrize("increment", ["abc", "nan", "", " 1", "1 ", "1e5000", "1,5"])
def test_incrbyfloat_refuses_an_increment_that_is_not_a_float(db, redis, increment):
    assert same(db, redis, "INCRBYFLOAT", "n", increment) == NOT_FLOAT


@pytest.mark.redis
@pytest.mark.parametrize("stored", ["abc", "  1", "1.5.5"])
def test_incrbyfloat_refuses_a_stored_value_that_is_not_a_float(db, redis, stored):
    same(db, redis, "SET", "n", stored)
    assert same(db, redis, "INCRBYFLOAT", "n", "1") == NOT_FLOAT


@pytest.mark.redis
@pytest.mark.parametrize("stored, increment", [
    (None, "inf"), (None, "-inf"), (None, "infinity"), ("1e4932", "1e4932"),
])
def test_incrbyfloat_that_would_reach_infinity_is_refused(db, redis, stored, increment):
    if stored is not None:
        same(db, redis, "SET", "n", stored)
    assert same(db, redis, "INCRBYFLOAT", "n", increment) == (
        b"-ERR increment would produce NaN or Infinity\r\n")


HUGE = "1" + "0" * 4400  # a number with more digits than Python converts by default (4300)


@pytest.mark.redis
def test_incrbyfloat_prints_a_result_with_thousands_of_digits(db, redis):
    reply = same(db, redis, "INCRBYFLOAT", "n", "1e4932")
    assert reply.startswith(b"$4933\r\n1000000000000000000006018949")


@pytest.mark.redis
def test_incrbyfloat_reads_an_increment_with_thousands_of_digits(db, redis):
    reply = same(db, redis, "INCRBYFLOAT", "n", HUGE)
    assert reply.startswith(b"$4401\r\n10000000000000000000331394841")


# --- GETRANGE and SETRANGE --------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("start, end, expected", [
    (0, 4, b"Hello"),
    (-5, -1, b"World"),
    (0, -1, b"Hello World"),
    (0, 100, b"Hello World"),        # the end is clipped to the string
    (5, 3, b""),                     # start after end
    (-1, -5, b""),
    (-100, 2, b"Hel"),               # a start before the beginning is clipped to 0
    (-100, -50, b"H"),               # ...and so is an end before it
    (0, -100, b"H"),
    (3, -100, b""),
    (100, 200, b""),
    (10, 10, b"d"),
    (11, 11, b""),
    (-1, 0, b""),
    (0, LLONG_MAX, b"Hello World"),
    (LLONG_MIN, -1, b"Hello World"),
])
def test_getrange_clips_its_inclusive_range(db, redis, start, end, expected):
    same(db, redis, "SET", "s", "Hello World")
    assert same(db, redis, "GETRANGE", "s", start, end) == bulk(expected)


@pytest.mark.redis
@pytest.mark.parametrize("start, end", [(0, -1), (0, 0), (-1, -1)])
def test_getrange_of_an_empty_string_is_empty(db, redis, start, end):
    same(db, redis, "SET", "e", "")
    assert same(db, redis, "GETRANGE", "e", start, end) == bulk(b"")


@pytest.mark.redis
def test_getrange_of_a_missing_key_is_the_empty_string(db, redis):
    assert same(db, redis, "GETRANGE", "missing", "0", "-1") == bulk(b"")


@pytest.mark.redis
def test_getrange_offsets_must_be_integers(db, redis):
    same(db, redis, "SET", "s", "abc")
    assert same(db, redis, "GETRANGE", "s", "a", "1") == NOT_INTEGER


@pytest.mark.redis
def test_setrange_overwrites_from_the_offset(db, redis):
    same(db, redis, "SET", "s", "Hello World")
    assert same(db, redis, "SETRANGE", "s", "6", "Redis") == integer(11)
    assert same(db, redis, "GET", "s") == bulk(b"Hello Redis")


@pytest.mark.redis
def test_setrange_past_the_end_pads_with_zero_bytes(db, redis):
    same(db, redis, "SET", "s", "ab")
    assert same(db, redis, "SETRANGE", "s", "5", "X") == integer(6)
    assert same(db, redis, "GET", "s") == bulk(b"ab\x00\x00\x00X")


@pytest.mark.redis
def test_setrange_creates_a_missing_key(db, redis):
    assert same(db, redis, "SETRANGE", "new", "3", "abc") == integer(6)
    assert same(db, redis, "GET", "new") == bulk(b"\x00\x00\x00abc")


@pytest.mark.redis
def test_setrange_of_nothing_does_not_create_the_key(db, redis):
    assert same(db, redis, "SETRANGE", "new", "5", "") == integer(0)
    assert same(db, redis, "EXISTS", "new") == integer(0)


@pytest.mark.redis
def test_setrange_of_nothing_answers_the_current_length(db, redis):
    same(db, redis, "SET", "s", "abc")
    assert same(db, redis, "SETRANGE", "s", "10", "") == integer(3)
    assert same(db, redis, "GET", "s") == bulk(b"abc")


@pytest.mark.redis
def test_setrange_negative_offset_is_out_of_range(db, redis):
    assert same(db, redis, "SETRANGE", "s", "-1", "x") == b"-ERR offset is out of range\r\n"


def test_setrange_keeps_the_ttl(db, clock):
    db.run("SET s abc EX 100")
    clock.advance(1)
    db.run("SETRANGE s 1 X")
    assert db.run("GET s").value == b"aXc"
    assert db.run("TTL s").value == 99


# --- proto-max-bulk-len -----------------------------------------------------------------------
@pytest.mark.redis
def test_setrange_past_the_default_512mb_limit_is_refused(db, redis):
    assert same(db, redis, "SETRANGE", "s", 512 * 1024 * 1024, "x") == TOO_LONG
    assert same(db, redis, "SETRANGE", "s", LLONG_MAX, "x") == TOO_LONG
    assert same(db, redis, "EXISTS", "s") == integer(0)


@pytest.mark.redis
def test_setrange_may_reach_proto_max_bulk_len_exactly(db, redis, small_max_bulk_len):
    assert same(db, redis, "SETRANGE", "s", small_max_bulk_len - 1, "x") == (
        integer(small_max_bulk_len))


@pytest.mark.redis
def test_setrange_one_byte_past_proto_max_bulk_len_is_refused(db, redis, small_max_bulk_len):
    assert same(db, redis, "SETRANGE", "s", small_max_bulk_len, "x") == TOO_LONG


@pytest.mark.redis
def test_setrange_of_nothing_far_away_is_not_refused(db, redis, small_max_bulk_len):
    assert same(db, redis, "SETRANGE", "s", small_max_bulk_len * 2, "") == integer(0)


@pytest.mark.redis
def test_append_past_proto_max_bulk_len_is_refused(db, redis, small_max_bulk_len):
    same(db, redis, "SETRANGE", "s", small_max_bulk_len - 1, "x")
    assert same(db, redis, "APPEND", "s", "y") == TOO_LONG
    assert same(db, redis, "STRLEN", "s") == integer(small_max_bulk_len)


# --- binary safety ----------------------------------------------------------------------------
ALL_BYTES = bytes(range(256))


@pytest.mark.redis
def test_values_are_binary_safe(db, redis):
    same(db, redis, "SET", "k", ALL_BYTES)
    assert same(db, redis, "GET", "k") == bulk(ALL_BYTES)
    assert same(db, redis, "STRLEN", "k") == integer(256)


@pytest.mark.redis
def test_keys_are_binary_safe(db, redis):
    same(db, redis, "SET", b"k\x00\xff", "v")
    assert same(db, redis, "GET", b"k\x00\xff") == bulk(b"v")
    assert same(db, redis, "GET", b"k") == NIL


@pytest.mark.redis
def test_append_and_getrange_work_on_bytes(db, redis):
    same(db, redis, "SET", "k", b"\x00\x01")
    same(db, redis, "APPEND", "k", b"\xfe\xff")
    assert same(db, redis, "GETRANGE", "k", "1", "2") == bulk(b"\x01\xfe")


def test_a_quoted_line_carries_any_byte(db):
    db.run(r'SET k "\x00\xff\n"')
    assert db.run("GET k").value == b"\x00\xff\n"


# --- arity ------------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["GET"], ["GET", "a", "b"], ["SET", "k"], ["SETNX", "k"], ["SETEX", "k", "1"], ["GETDEL"],
    ["GETEX"], ["GETSET", "k"], ["MGET"], ["MSET", "k"], ["APPEND", "k"], ["STRLEN"],
    ["INCR"], ["DECR", "a", "b"], ["INCRBY", "k"], ["DECRBY", "k"], ["INCRBYFLOAT", "k"],
    ["GETRANGE", "k", "0"], ["SETRANGE", "k", "0"],
], ids=" ".join)
def test_string_commands_check_their_number_of_arguments(db, redis, command):
    assert same(db, redis, *command) == (
        b"-ERR wrong number of arguments for '%s' command\r\n" % command[0].lower().encode())
