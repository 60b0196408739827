"""Bitmap commands (kedis/commands/bitops.py), LCS and SUBSTR (strings.py), one behaviour per test.

Tests that take the ``redis`` fixture check each reply, byte for byte, against a real redis-server
(see compare.py); the others look at what Kedis keeps inside (a bitmap's bytearray, the trace,
the files) or at its speed on the largest inputs.
"""

from __future__ import annotations

import time

import pytest
from compare import (
    NIL,
    NOT_INTEGER,
    SYNTAX_ERROR,
    array,
    bulk,
    changes_since_save,
    integer,
    same,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from stores import contents, redis_contents_of

import kedis
from kedis.engine.command_table import TABLE

BIT_OFFSET = b"-ERR bit offset is not an integer or out of range\r\n"
BIT_VALUE = b"-ERR bit is not an integer or out of range\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
BIT_ARGUMENT = b"-ERR The bit argument must be 1 or 0.\r\n"
FIELD_TYPE = (b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
              b"supported but i64 is.\r\n")
MAX_OFFSET = 2 ** 32 - 1  # the last bit of a 512 MB string


def changes(db, redis) -> tuple[int, int]:
    """rdb_changes_since_last_save on both sides."""
    return (changes_since_save(db.execute("INFO", "persistence").resp()),
            changes_since_save(redis.call("INFO", "persistence")))


def counted(db, redis, *command) -> int:
    """Run ``command`` on both (same reply); answer how many changes it counted, the same on both."""
    (mine, theirs) = changes(db, redis)
    same(db, redis, *command)
    (mine_after, theirs_after) = changes(db, redis)
    assert mine_after - mine == theirs_after - theirs, command
    return mine_after - mine


@pytest.fixture
def small_max_bulk_len(db, redis):
    """proto-max-bulk-len at its minimum, 1 MB, on both servers (restored on Redis)."""
    same(db, redis, "CONFIG", "SET", "proto-max-bulk-len", "1mb")
    yield 1024 * 1024
    redis.call("CONFIG", "SET", "proto-max-bulk-len", "512mb")


# --- SETBIT and GETBIT --------------------------------------------------------------------------------
@pytest.mark.redis
def test_setbit_answers_the_bit_that_was_there(db, redis):
    assert same(db, redis, "SETBIT", "k", "3", "1") == integer(0)
    assert same(db, redis, "SETBIT", "k", "3", "1") == integer(1)
    assert same(db, redis, "SETBIT", "k", "3", "0") == integer(1)
    assert same(db, redis, "GETBIT", "k", "3") == integer(0)


@pytest.mark.redis
def test_bit_zero_is_the_most_significant_bit_of_the_first_byte(db, redis):
    same(db, redis, "SETBIT", "k", "0", "1")
    same(db, redis, "SETBIT", "k", "15", "1")
    assert same(db, redis, "GET", "k") == bulk(b"\x80\x01")


@pytest.mark.redis
def test_setbit_past_the_end_grows_the_string_with_zero_bytes(db, redis):
    same(db, redis, "SET", "k", "A")
    same(db, redis, "SETBIT", "k", "31", "1")
    assert same(db, redis, "GET", "k") == bulk(b"A\x00\x00\x01")
    assert same(db, redis, "SETBIT", "new", "100", "0") == integer(0)
    assert same(db, redis, "STRLEN", "new") == integer(13)


@pytest.mark.redis
def test_getbit_past_the_end_or_of_a_missing_key_is_zero(db, redis):
    same(db, redis, "SET", "k", b"\xff")
    assert same(db, redis, "GETBIT", "k", "7") == integer(1)
    assert same(db, redis, "GETBIT", "k", "8") == integer(0)
    assert same(db, redis, "GETBIT", "k", str(MAX_OFFSET)) == integer(0)
    assert same(db, redis, "GETBIT", "missing", "0") == integer(0)


@pytest.mark.redis
def test_getbit_reads_an_integer_as_the_digits_it_is_written_with(db, redis):
    same(db, redis, "SET", "n", "5")  # one byte, "5": 0x35 = 00110101
    assert [same(db, redis, "GETBIT", "n", str(i)) for i in range(8)] == [
        integer(b) for b in (0, 0, 1, 1, 0, 1, 0, 1)]


@pytest.mark.redis
@pytest.mark.parametrize("value", ["2", "-1", "x", "01", "", "1.0", "9223372036854775808"])
def test_a_bit_is_0_or_1(db, redis, value):
    assert same(db, redis, "SETBIT", "k", "0", value) == BIT_VALUE
    assert same(db, redis, "EXISTS", "k") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("offset", ["-1", "abc", "1.5", "", "#1", "4294967296", "01",
                                    "9223372036854775808", "-9223372036854775808"])
def test_a_bit_offset_is_an_integer_inside_the_largest_string(db, redis, offset):
    assert same(db, redis, "SETBIT", "k", offset, "1") == BIT_OFFSET
    assert same(db, redis, "GETBIT", "k", offset) == BIT_OFFSET


@pytest.mark.redis
def test_getbit_reads_its_offset_before_it_looks_at_the_key(db, redis):
    same(db, redis, "SADD", "s", "m")
    assert same(db, redis, "GETBIT", "s", "x") == BIT_OFFSET
    assert same(db, redis, "GETBIT", "s", "0") == WRONGTYPE
    assert same(db, redis, "SETBIT", "s", "0", "2") == BIT_VALUE
    assert same(db, redis, "SETBIT", "s", "0", "1") == WRONGTYPE


@pytest.mark.redis
def test_the_largest_offset_makes_a_512_mb_string(db, redis):
    assert same(db, redis, "SETBIT", "big", str(MAX_OFFSET), "1") == integer(0)
    assert same(db, redis, "STRLEN", "big") == integer(2 ** 29)
    assert same(db, redis, "GETBIT", "big", str(MAX_OFFSET)) == integer(1)
    assert same(db, redis, "BITCOUNT", "big") == integer(1)
    assert same(db, redis, "BITPOS", "big", "1") == integer(MAX_OFFSET)
    same(db, redis, "DEL", "big")


@pytest.mark.redis
def test_the_largest_offset_follows_proto_max_bulk_len(db, redis, small_max_bulk_len):
    last = small_max_bulk_len * 8 - 1
    assert same(db, redis, "SETBIT", "k", str(last + 1), "1") == BIT_OFFSET
    assert same(db, redis, "SETBIT", "k", str(last), "1") == integer(0)
    assert same(db, redis, "STRLEN", "k") == integer(small_max_bulk_len)


@pytest.mark.redis
def test_setbit_keeps_the_ttl(db, redis):
    same(db, redis, "SET", "k", "v", "EX", "1000")
    same(db, redis, "SETBIT", "k", "100", "1")
    assert same(db, redis, "TTL", "k") == integer(1000)


@pytest.mark.redis
def test_setbit_counts_a_change_only_when_the_bit_or_the_length_changes(db, redis):
    assert counted(db, redis, "SETBIT", "k", "0", "0") == 1  # created
    assert counted(db, redis, "SETBIT", "k", "0", "0") == 0
    assert counted(db, redis, "SETBIT", "k", "0", "1") == 1
    assert counted(db, redis, "SETBIT", "k", "20", "0") == 1  # grown
    assert counted(db, redis, "SETBIT", "k", "20", "0") == 0


@pytest.mark.redis
@pytest.mark.parametrize("value", ["5", "hello", "x" * 50])
def test_a_string_setbit_wrote_is_raw_even_if_no_bit_changed(db, redis, value):
    same(db, redis, "SET", "k", value)
    same(db, redis, "SETBIT", "k", "0", "0")
    assert same(db, redis, "OBJECT", "ENCODING", "k") == bulk(b"raw")
    same(db, redis, "SETBIT", "new", "0", "1")
    assert same(db, redis, "OBJECT", "ENCODING", "new") == bulk(b"raw")


@pytest.mark.redis
@pytest.mark.parametrize("command", [["SETBIT", "k", "0", "1"], ["GETBIT", "k", "0"],
                                     ["BITCOUNT", "k"], ["BITPOS", "k", "1"],
                                     ["BITFIELD", "k", "GET", "u8", "0"],
                                     ["BITFIELD", "k", "SET", "u8", "0", "1"],
                                     ["BITFIELD_RO", "k", "GET", "u8", "0"],
                                     ["BITOP", "NOT", "d", "k"], ["BITOP", "AND", "d", "x", "k"]])
def test_a_bitmap_command_on_another_type_is_wrongtype(db, redis, command):
    same(db, redis, "SADD", "k", "member")
    assert same(db, redis, *command) == WRONGTYPE


# --- BITCOUNT -----------------------------------------------------------------------------------------
@pytest.mark.redis
def test_bitcount_counts_the_1_bits_of_the_string(db, redis):
    same(db, redis, "SET", "k", "foobar")
    assert same(db, redis, "BITCOUNT", "k") == integer(26)
    assert same(db, redis, "BITCOUNT", "missing") == integer(0)
    same(db, redis, "SET", "empty", "")
    assert same(db, redis, "BITCOUNT", "empty") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("start, end", [(0, 0), (1, 1), (1, 3), (-2, -1), (-100, 100), (0, -1),
                                        (3, 1), (-1, -2), (5, 5), (6, 10), (-7, 0),
                                        (9223372036854775807, -9223372036854775808)])
@pytest.mark.parametrize("unit", [[], ["BYTE"], ["BIT"], ["bit"]])
def test_bitcount_counts_a_range_of_bytes_or_bits(db, redis, start, end, unit):
    same(db, redis, "SET", "k", "foobar")
    same(db, redis, "BITCOUNT", "k", str(start), str(end), *unit)


@pytest.mark.redis
def test_bitcount_in_bits_cuts_the_edge_bytes(db, redis):
    same(db, redis, "SET", "k", b"\xff\xff\xff")
    assert same(db, redis, "BITCOUNT", "k", "5", "17", "BIT") == integer(13)
    assert same(db, redis, "BITCOUNT", "k", "3", "4", "BIT") == integer(2)
    assert same(db, redis, "BITCOUNT", "k", "-3", "-1", "BIT") == integer(3)


@pytest.mark.redis
@pytest.mark.parametrize("arguments", [["0"], ["0", "1", "BIT", "x"], ["0", "1", "bits"],
                                       ["0", "1", ""], ["x", "1"], ["0", "1.5"],
                                       ["-1", "-5", "nonsense"], ["0", "x", "nonsense"]])
def test_bitcount_refuses_a_half_or_wrong_range_but_not_for_a_missing_key(db, redis, arguments):
    same(db, redis, "SET", "k", "foobar")
    same(db, redis, "BITCOUNT", "k", *arguments)
    assert same(db, redis, "BITCOUNT", "missing", *arguments) == integer(0)


# --- BITPOS -------------------------------------------------------------------------------------------
@pytest.mark.redis
def test_bitpos_finds_the_first_1_and_the_first_0(db, redis):
    same(db, redis, "SET", "k", b"\x00\x0f\xff")
    assert same(db, redis, "BITPOS", "k", "1") == integer(12)
    assert same(db, redis, "BITPOS", "k", "0") == integer(0)


@pytest.mark.redis
def test_bitpos_reads_the_string_as_padded_with_zeros_unless_the_range_ends(db, redis):
    same(db, redis, "SET", "k", b"\xff\xff")
    assert same(db, redis, "BITPOS", "k", "0") == integer(16)
    assert same(db, redis, "BITPOS", "k", "0", "1") == integer(16)
    assert same(db, redis, "BITPOS", "k", "0", "0", "-1") == integer(-1)
    assert same(db, redis, "BITPOS", "k", "1", "2") == integer(-1)


@pytest.mark.redis
def test_bitpos_of_a_missing_key_is_0_for_a_0_and_minus_1_for_a_1(db, redis):
    assert same(db, redis, "BITPOS", "missing", "0") == integer(0)
    assert same(db, redis, "BITPOS", "missing", "1", "x", "y", "z") == integer(-1)
    same(db, redis, "SET", "empty", "")
    assert same(db, redis, "BITPOS", "empty", "0") == integer(-1)


@pytest.mark.redis
@pytest.mark.parametrize("bit", ["2", "-1", "x", "", "01"])
def test_the_bit_bitpos_looks_for_is_0_or_1(db, redis, bit):
    same(db, redis, "BITPOS", "missing", bit)
    same(db, redis, "SADD", "s", "m")
    same(db, redis, "BITPOS", "s", bit)


@pytest.mark.redis
@pytest.mark.parametrize("value", [b"\x00\x00\x00", b"\xff\xff\xff", b"\x00\xff\x00", b"\xf0\x0f\x81",
                                   b"\x01\x80\x7f\xfe"])
@pytest.mark.parametrize("bit", ["0", "1"])
@pytest.mark.parametrize("arguments", [[], ["1"], ["-1"], ["0", "0"], ["1", "-1"], ["2", "1"],
                                       ["0", "-1", "BYTE"], ["3", "20", "BIT"], ["7", "8", "bit"],
                                       ["9", "9", "BIT"], ["-5", "-2", "BIT"], ["0", "23", "BIT"],
                                       ["17", "22", "BIT"], ["100", "200", "BIT"],
                                       ["0", "5", "BIT", "x"], ["0", "5", "foo"],
                                       ["x"], ["0", "x"], ["0", "x", "foo"]])
def test_bitpos_searches_a_range_of_bytes_or_bits(db, redis, value, bit, arguments):
    same(db, redis, "SET", "k", value)
    same(db, redis, "BITPOS", "k", bit, *arguments)


@pytest.mark.redis
def test_bitpos_and_bitcount_go_over_big_strings_block_by_block(db, redis):
    # Long runs of 0x00 and 0xff on either side of a block boundary (bitops.CHUNK is 16 KB).
    value = b"\x00" * 40000 + b"\x10" + b"\xff" * 40000 + b"\xfe" + b"\x00" * 5
    same(db, redis, "SET", "k", value)
    for command in (["BITPOS", "k", "1"], ["BITPOS", "k", "0", "40000"],
                    ["BITPOS", "k", "1", "40001", "-6"], ["BITPOS", "k", "0", "40001", "80000"],
                    ["BITCOUNT", "k"], ["BITCOUNT", "k", "16383", "16385"],
                    ["BITCOUNT", "k", "131075", "500000", "BIT"]):
        same(db, redis, *command)


# --- BITOP --------------------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("operation", ["AND", "OR", "XOR", "and", "Or"])
def test_bitop_combines_strings_of_different_lengths(db, redis, operation):
    same(db, redis, "SET", "a", b"\xf0\x0f\xaa")
    same(db, redis, "SET", "b", b"\xff\x01")
    assert same(db, redis, "BITOP", operation, "d", "a", "b", "missing") == integer(3)
    same(db, redis, "GET", "d")
    assert same(db, redis, "BITOP", operation, "d", "a") == integer(3)
    same(db, redis, "GET", "d")


@pytest.mark.redis
def test_bitop_not_inverts_one_string(db, redis):
    same(db, redis, "SET", "a", b"\x00\xf0")
    assert same(db, redis, "BITOP", "NOT", "d", "a") == integer(2)
    assert same(db, redis, "GET", "d") == bulk(b"\xff\x0f")
    assert same(db, redis, "BITOP", "NOT", "d", "a", "b") == (
        b"-ERR BITOP NOT must be called with a single source key.\r\n")


@pytest.mark.redis
@pytest.mark.parametrize("operation", ["NAND", "", "ANDx", "an"])
def test_bitop_knows_four_operations(db, redis, operation):
    assert same(db, redis, "BITOP", operation, "d", "a") == SYNTAX_ERROR


@pytest.mark.redis
def test_bitop_reads_its_operation_up_to_a_nul_byte(db, redis):
    assert same(db, redis, "BITOP", b"or\x00junk", "d", "missing") == integer(0)


@pytest.mark.redis
def test_an_empty_result_deletes_the_destination(db, redis):
    same(db, redis, "SET", "d", "old")
    same(db, redis, "SET", "empty", "")
    assert counted(db, redis, "BITOP", "OR", "d", "missing", "empty") == 1
    assert same(db, redis, "EXISTS", "d") == integer(0)
    assert counted(db, redis, "BITOP", "OR", "d", "missing") == 0


@pytest.mark.redis
def test_bitop_writes_a_raw_destination_without_its_ttl(db, redis):
    same(db, redis, "SET", "a", "1")
    same(db, redis, "SET", "d", "old", "EX", "100")
    assert counted(db, redis, "BITOP", "AND", "d", "a") == 1
    assert same(db, redis, "OBJECT", "ENCODING", "d") == bulk(b"raw")
    assert same(db, redis, "TTL", "d") == integer(-1)


@pytest.mark.redis
def test_bitop_may_write_over_one_of_its_sources(db, redis):
    same(db, redis, "SETBIT", "a", "0", "1")
    same(db, redis, "SETBIT", "b", "9", "1")
    same(db, redis, "BITOP", "OR", "a", "a", "b")
    assert same(db, redis, "GET", "a") == bulk(b"\x80\x40")


@pytest.mark.redis
def test_bitop_stops_at_the_first_source_of_another_type(db, redis):
    same(db, redis, "SADD", "s", "m")
    same(db, redis, "SET", "d", "kept")
    assert same(db, redis, "BITOP", "AND", "d", "missing", "s") == WRONGTYPE
    assert same(db, redis, "GET", "d") == bulk(b"kept")
    same(db, redis, "INFO", "keyspace")


@pytest.mark.redis
def test_bitop_over_big_strings_is_exact_across_blocks(db, redis):
    a = bytes(range(256)) * 300
    b = b"\x5a" * 50000 + b"\x0f"
    same(db, redis, "SET", "a", a)
    same(db, redis, "SET", "b", b)
    for operation in ("AND", "OR", "XOR"):
        same(db, redis, "BITOP", operation, "d", "a", "b")
        same(db, redis, "GET", "d")
    same(db, redis, "BITOP", "NOT", "d", "b")
    same(db, redis, "GET", "d")


# --- BITFIELD -------------------------------------------------------------------------------------------
@pytest.mark.redis
def test_bitfield_sets_gets_and_adds_integers_of_any_width(db, redis):
    assert same(db, redis, "BITFIELD", "k", "SET", "u8", "0", "255", "GET", "u8", "0",
                "INCRBY", "u5", "100", "1", "GET", "i8", "0") == array(
        integer(0), integer(255), integer(1), integer(-1))
    assert same(db, redis, "GET", "k") == bulk(b"\xff" + b"\x00" * 12 + b"\x80")


@pytest.mark.redis
def test_bitfield_offsets_may_count_integers(db, redis):
    same(db, redis, "BITFIELD", "k", "SET", "u4", "#0", "1", "SET", "u4", "#1", "2",
         "SET", "u4", "#3", "15")
    assert same(db, redis, "GET", "k") == bulk(b"\x12\x0f")
    assert same(db, redis, "BITFIELD", "k", "GET", "u4", "#3", "GET", "u4", "#4") == array(
        integer(15), integer(0))


@pytest.mark.redis
@pytest.mark.parametrize("overflow", ["WRAP", "SAT", "FAIL"])
@pytest.mark.parametrize("kind", ["u8", "i8", "u1", "i1", "u63", "i64", "i63", "u2", "i7"])
@pytest.mark.parametrize("number", ["1", "-1", "100", "-100", "1000", "127", "-128", "256",
                                    "9223372036854775807", "-9223372036854775808",
                                    "4611686018427387904", "-4611686018427387905"])
def test_each_overflow_policy_for_each_width(db, redis, overflow, kind, number):
    same(db, redis, "SET", "k", b"\x7f\xff\xff\xff\xff\xff\xff\xfe\x80")
    same(db, redis, "BITFIELD", "k", "OVERFLOW", overflow, "INCRBY", kind, "3", number,
         "INCRBY", kind, "3", number, "SET", kind, "20", number, "GET", kind, "20")
    same(db, redis, "GET", "k")


@pytest.mark.redis
def test_fail_writes_nothing_and_answers_nil(db, redis):
    same(db, redis, "BITFIELD", "k", "SET", "u2", "0", "3")
    assert same(db, redis, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "1",
                "OVERFLOW", "WRAP", "INCRBY", "u2", "0", "1") == array(NIL, integer(0))


@pytest.mark.redis
def test_saturation_follows_the_arithmetic_of_redis_s_c_code(db, redis):
    # Redis's room-above check wraps around in 64 bits: far below an i63 is taken as above it.
    assert same(db, redis, "BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i63", "0",
                "-9223372036854775808", "GET", "i63", "0") == array(
        integer(0), integer(2 ** 62 - 1))
    # An unsigned SET of a negative number is C's huge uint64: saturated to the top.
    assert same(db, redis, "BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u8", "0", "-5",
                "GET", "u8", "0") == array(integer(127), integer(255))


@pytest.mark.redis
def test_a_count_of_integers_past_64_bits_wraps_around_as_in_c(db, redis):
    # (2^61 + 1) * 8 is 2^64 + 8, which C's 64-bit multiplication makes 8.
    same(db, redis, "SET", "k", b"\x00\x2a")
    assert same(db, redis, "BITFIELD", "k", "GET", "u8", "#2305843009213693953") == array(
        integer(42))
    assert same(db, redis, "BITFIELD", "k", "GET", "u8", "#1152921504606846977") == BIT_OFFSET


@pytest.mark.redis
@pytest.mark.parametrize("kind", ["u64", "i65", "i0", "u0", "u", "", "x8", "I8", "U8", "i08",
                                  "i+8", "i-1", "i 8", "u99999999999999999999"])
def test_bitfield_types_are_i1_to_i64_and_u1_to_u63(db, redis, kind):
    assert same(db, redis, "BITFIELD", "k", "GET", kind, "0") == FIELD_TYPE


@pytest.mark.redis
def test_a_bitfield_width_is_read_up_to_a_nul_byte(db, redis):
    assert same(db, redis, "BITFIELD", "k", "SET", b"u8\x00junk", "0", "7") == array(integer(0))


@pytest.mark.redis
@pytest.mark.parametrize("arguments", [
    ["GET"], ["GET", "u8"], ["SET", "u8", "0"], ["INCRBY", "u8"], ["FOO", "u8", "0"],
    ["OVERFLOW"], ["OVERFLOW", "FOO"], ["OVERFLOW", "sat", "GET", "u8"], ["GET", "u8", "-1"],
    ["GET", "u8", "x"], ["SET", "u8", "0", "x"], ["INCRBY", "i8", "0", "1.5"],
    ["GET", "u8", "0", "GET", "x8", "0"], ["SET", "x8", "x", "x"], ["get\x00x", "u8", "0"],
    ["GET", "u8", "4294967296"], ["GET", "u8", "4294967295"], ["GET", "u8", "#536870912"],
    ["SET", "i64", "4294967295", "-1"], ["GET", "u8", "#"], ["GET", "u8", "# 1"],
])
def test_bitfield_checks_every_operation_before_it_runs_any(db, redis, arguments):
    same(db, redis, "SET", "k", "v")
    same(db, redis, "BITFIELD", "k", "SET", "u8", "0", "1", *arguments)
    same(db, redis, "STRLEN", "k")  # (a GET of 512 MB would take the test client minutes)
    same(db, redis, "GETRANGE", "k", "0", "10")


@pytest.mark.redis
def test_bitfield_of_gets_only_reads_and_creates_nothing(db, redis):
    assert same(db, redis, "BITFIELD", "missing", "GET", "i16", "100", "OVERFLOW", "SAT") == array(
        integer(0))
    assert same(db, redis, "BITFIELD", "missing") == b"*0\r\n"
    assert same(db, redis, "EXISTS", "missing") == integer(0)


@pytest.mark.redis
def test_bitfield_counts_each_write_that_changed_its_integer(db, redis):
    assert counted(db, redis, "BITFIELD", "k", "SET", "u8", "0", "0", "SET", "u8", "8", "0") == 2
    assert counted(db, redis, "BITFIELD", "k", "SET", "u8", "0", "0", "INCRBY", "u8", "8", "0",
                   "SET", "u8", "0", "1") == 1
    assert counted(db, redis, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300",
                   "GET", "u8", "0") == 0
    assert counted(db, redis, "BITFIELD", "k", "GET", "u8", "0") == 0


@pytest.mark.redis
def test_a_bitfield_whose_writes_all_fail_still_creates_the_key(db, redis):
    # Redis makes room before it writes: the key exists, full of zeros, and nothing was counted.
    assert counted(db, redis, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "14",
                   "10") == 0
    assert same(db, redis, "GET", "k") == bulk(b"\x00\x00")


@pytest.mark.redis
def test_bitfield_ro_only_gets(db, redis):
    same(db, redis, "SET", "k", b"\x01\x02")
    assert same(db, redis, "BITFIELD_RO", "k", "GET", "u16", "0", "GET", "i4", "#3") == array(
        integer(258), integer(2))
    assert same(db, redis, "BITFIELD_RO", "k", "OVERFLOW", "SAT", "GET", "u8", "0") == array(
        integer(1))
    assert same(db, redis, "BITFIELD_RO", "k", "SET", "u8", "0", "1") == (
        b"-ERR BITFIELD_RO only supports the GET subcommand\r\n")
    assert same(db, redis, "BITFIELD_RO", "k", "SET", "u8", "0", "x") == NOT_INTEGER
    assert same(db, redis, "BITFIELD_RO", "k", "INCRBY", "u8", "0", "1") == (
        b"-ERR BITFIELD_RO only supports the GET subcommand\r\n")


@pytest.mark.redis
@pytest.mark.parametrize("line", [
    "BITFIELD k", "BITFIELD k GET u8 0", "BITFIELD k GET u8 0 OVERFLOW SAT GET i4 2",
    "BITFIELD k SET u8 0 1", "BITFIELD k GET u8 0 INCRBY u8 0 1", "BITFIELD k GET u8",
    "BITFIELD k FOO", "BITFIELD k OVERFLOW", "BITFIELD k get u8 0 overflow x",
    "BITFIELD_RO k GET u8 0", "BITOP AND d a b c", "BITOP NOT d a", "LCS a b", "LCS a b LEN",
    "SETBIT k 0 1", "GETBIT k 0", "BITCOUNT k 0 1", "BITPOS k 1", "SUBSTR k 0 1",
])
@pytest.mark.parametrize("sub", ["GETKEYS", "GETKEYSANDFLAGS"])
def test_command_getkeys_finds_the_keys_and_their_flags(db, redis, sub, line):
    same(db, redis, "COMMAND", sub, *line.split())


# --- the bitmap form: a bytearray while bitmap commands write it --------------------------------------
def test_setbit_changes_one_bytearray_in_place(db):
    db.run("SETBIT k 0 1")
    bitmap = db.keyspace.data[b"k"]
    assert type(bitmap) is bytearray
    for offset in range(1, 1000):
        db.execute("SETBIT", "k", offset, offset % 2)
    db.execute("BITFIELD", "k", "INCRBY", "u8", "#3", "1")
    db.execute("BITCOUNT", "k")
    db.execute("BITOP", "AND", "other", "k", "k")
    assert db.keyspace.data[b"k"] is bitmap


@pytest.mark.parametrize("command", [["GET", "k"], ["MGET", "k", "k"], ["GETRANGE", "k", "0", "-1"],
                                     ["GETSET", "k", "new"], ["GETDEL", "k"], ["GETEX", "k"],
                                     ["SET", "k", "new", "GET"], ["SUBSTR", "k", "0", "0"]])
def test_the_string_commands_answer_a_bitmap_as_bytes(db, command):
    db.run("SETBIT k 6 1")
    reply = db.execute(*command)
    values = [reply.value] if isinstance(reply, kedis.Bulk) else [item.value for item in reply.items]
    assert all(type(value) is bytes and value == b"\x02" for value in values)


def test_the_string_commands_that_write_a_bitmap_make_it_bytes_again(db):
    db.run("SETBIT k 6 1")
    assert db.run("STRLEN k").value == 1 and db.run("INCRBYFLOAT k 1").cli().startswith("(error)")
    assert db.run("APPEND k x").value == 2
    assert type(db.keyspace.data[b"k"]) is bytes and db.run("GET k").value == b"\x02x"
    db.run("SETBIT n 2 1")  # the byte of "2"
    db.run("SETBIT n 3 1")
    db.run("SETBIT n 6 1")
    assert db.run("INCR n").value == 3 and type(db.keyspace.data[b"n"]) is bytes


def test_setrange_patches_a_string_in_place_too(db):
    db.run("SETRANGE k 5 hello")
    string = db.keyspace.data[b"k"]
    db.run("SETRANGE k 0 Hi")
    db.run("SETBIT k 15 0")  # 'i' (0x69) becomes 'h' (0x68)
    assert db.keyspace.data[b"k"] is string and db.run("GET k").value == b"Hh\x00\x00\x00hello"


def test_a_copy_of_a_bitmap_does_not_follow_it(db):
    db.run("SETBIT k 0 1")
    db.run("COPY k copied")
    db.run("SETBIT k 1 1")
    assert db.run("GET copied").value == b"\x80"
    assert db.run("TYPE k").value == "string"


def test_the_trace_shows_a_bitmap_before_and_after_as_strings(db):
    db.run("SETBIT k 0 1")
    steps = db.run("SETBIT k 1 1", trace=True).trace
    modified = [step for step in steps if step.action == "modify"]
    assert [(step.before.value, step.after.value) for step in modified] == [(b"\x80", b"\xc0")]
    assert [step.after.type for step in modified] == ["string"]


def test_a_watched_bitmap_is_touched_only_when_a_bit_changes(db):
    watcher = db.new_client()
    db.execute("SETBIT", "k", "3", "1")
    for change, aborted in ((["SETBIT", "k", "3", "1"], False), (["SETBIT", "k", "3", "0"], True),
                            (["BITFIELD", "k", "SET", "u4", "0", "0"], False),
                            (["BITFIELD", "k", "SET", "u4", "0", "1"], True)):
        db.execute("WATCH", "k", client=watcher)
        db.execute("MULTI", client=watcher)
        db.execute("PING", client=watcher)
        db.execute(*change)
        reply = db.execute("EXEC", client=watcher)
        assert (reply.resp() == b"*-1\r\n") == aborted, change


@pytest.mark.redis
def test_watch_sees_bitmap_writes_as_redis_does(db, redis, redis_server):
    other = db.new_client()
    redis_other = redis_server.client()
    steps = [
        ("A", "SETBIT", "k", "3", "1"), ("B", "WATCH", "k", "missing", "d"), ("B", "MULTI"),
        ("B", "GET", "k"),
        ("A", "SETBIT", "k", "3", "1"),  # no change: no touch
        ("A", "BITFIELD", "missing", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"),  # created, untold
        ("A", "BITOP", "AND", "d", "nothing"),  # nothing to delete
        ("B", "EXEC"),
        ("B", "WATCH", "d"), ("B", "MULTI"), ("A", "BITOP", "NOT", "d", "k"), ("B", "EXEC"),
        ("B", "WATCH", "k"), ("B", "MULTI"), ("A", "BITFIELD", "k", "INCRBY", "u2", "0", "1"),
        ("B", "EXEC"),
    ]
    for who, *command in steps:
        client, raw = (db.client, redis) if who == "A" else (other, redis_other)
        assert db.execute(*command, client=client).resp() == raw.call(*command), command
    redis_other.close()


# --- keyspace notifications ------------------------------------------------------------------------------
class _Recorder:
    """A connection for an embedded client: keeps what is pushed to it (Pub/Sub messages)."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def push(self, data: bytes, before_reply: bool = False) -> None:
        self.frames.append(data)


@pytest.fixture
def notifications(db, redis, redis_server):
    """Every keyspace event, on both sides: a function that answers (Kedis's, Redis's) frames
    heard since it was last called."""
    same(db, redis, "CONFIG", "SET", "notify-keyspace-events", "KEA")
    listener = db.new_client()
    listener.connection = _Recorder()
    db.execute("PSUBSCRIBE", "__key*__:*", client=listener)
    redis_listener = redis_server.client()
    redis_listener.call("PSUBSCRIBE", "__key*__:*")
    pong = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"

    def heard() -> tuple[list[bytes], list[bytes]]:
        mine, listener.connection.frames = listener.connection.frames, []
        redis_listener.sock.sendall(b"PING\r\n")
        theirs = []
        while (frame := redis_listener._read_reply()) != pong:
            theirs.append(frame)
        return mine, theirs

    yield heard
    redis_listener.close()
    redis.call("CONFIG", "SET", "notify-keyspace-events", "")


@pytest.mark.redis
@pytest.mark.parametrize("commands", [
    [["SETBIT", "k", "0", "1"], ["SETBIT", "k", "0", "1"], ["SETBIT", "k", "0", "0"]],
    [["BITFIELD", "k", "SET", "u8", "0", "0"], ["BITFIELD", "k", "SET", "u8", "0", "0"],
     ["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "8", "7"],
     ["BITFIELD", "k", "INCRBY", "u2", "8", "1", "INCRBY", "u2", "8", "1"]],
    [["BITOP", "NOT", "d", "a"], ["BITOP", "AND", "d", "a"], ["BITOP", "OR", "d", "missing"],
     ["BITOP", "OR", "d", "missing"]],
    [["LCS", "a", "missing"], ["BITCOUNT", "missing"], ["GETBIT", "missing", "0"],
     ["BITPOS", "a", "1"], ["BITFIELD_RO", "a", "GET", "u8", "0"]],
], ids=["setbit", "bitfield", "bitop", "reads"])
def test_each_write_sends_redis_s_events(db, redis, notifications, commands):
    same(db, redis, "SET", "a", "x")
    notifications()  # (SET's own event is another command's business)
    for command in commands:
        same(db, redis, *command)
        mine, theirs = notifications()
        assert mine == theirs, command


# --- LCS ----------------------------------------------------------------------------------------------
@pytest.mark.redis
def test_lcs_answers_the_longest_common_subsequence(db, redis):
    same(db, redis, "MSET", "a", "ohmytext", "b", "mynewtext")
    assert same(db, redis, "LCS", "a", "b") == bulk(b"mytext")
    assert same(db, redis, "LCS", "a", "b", "LEN") == integer(6)
    assert same(db, redis, "LCS", "a", "missing") == bulk(b"")
    assert same(db, redis, "LCS", "missing", "other", "IDX") == array(
        bulk(b"matches"), b"*0\r\n", bulk(b"len"), integer(0))


@pytest.mark.redis
@pytest.mark.parametrize("options", [["IDX"], ["IDX", "WITHMATCHLEN"], ["idx", "minmatchlen", "4"],
                                     ["IDX", "MINMATCHLEN", "-5", "WITHMATCHLEN"],
                                     ["IDX", "MINMATCHLEN", "100"], ["WITHMATCHLEN"],
                                     ["MINMATCHLEN", "2"], ["LEN", "WITHMATCHLEN"],
                                     ["IDX", "IDX"], ["len", "LEN"]])
def test_lcs_idx_says_where_the_pieces_are(db, redis, options):
    same(db, redis, "MSET", "a", "ohmytext", "b", "mynewtext")
    same(db, redis, "LCS", "a", "b", *options)


@pytest.mark.redis
@pytest.mark.parametrize("options", [["LEN", "IDX"], ["FOO"], ["MINMATCHLEN"], ["MINMATCHLEN", "x"],
                                     ["IDX", "MINMATCHLEN", "1.5"], ["LEN", "x", "IDX"],
                                     ["MINMATCHLEN", "x", "LEN", "IDX"], [b"idx\x00junk"]])
def test_lcs_refuses_wrong_options(db, redis, options):
    same(db, redis, "MSET", "a", "ohmytext", "b", "mynewtext")
    same(db, redis, "LCS", "a", "b", *options)


@pytest.mark.redis
def test_lcs_wants_strings_before_it_reads_its_options(db, redis):
    same(db, redis, "SADD", "s", "m")
    assert same(db, redis, "LCS", "s", "missing", "FOO") == (
        b"-ERR The specified keys must contain string values\r\n")
    assert same(db, redis, "LCS", "missing", "s") == (
        b"-ERR The specified keys must contain string values\r\n")


def test_lcs_idx_is_a_map_in_resp3(db):
    client = db.new_client()
    db.execute("HELLO", "3", client=client)
    db.execute("MSET", "a", "ohmytext", "b", "mynewtext")
    reply = db.execute("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", client=client)
    assert reply.resp3() == (b"%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                             b"$3\r\nlen\r\n:6\r\n")


@pytest.mark.redis
def test_lcs_refuses_a_table_larger_than_proto_max_bulk_len(db, redis, small_max_bulk_len):
    # (n + 1)^2 cells of 4 bytes: 511 x 511 fit in 1 MB, 512 x 512 do not.
    same(db, redis, "SET", "a", "x" * 511)
    assert same(db, redis, "LCS", "a", "a", "LEN") == integer(511)
    same(db, redis, "SET", "b", "x" * 512)
    assert same(db, redis, "LCS", "b", "b", "LEN") == (
        b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n")


texts = st.one_of(st.binary(max_size=30), st.text("ab", max_size=40).map(str.encode),
                  st.text("abc", max_size=25).map(str.encode))


@pytest.mark.redis
def test_lcs_takes_redis_s_very_path_through_the_table(db, redis):
    # Several subsequences are often as long: Redis's walk back picks one, and so must Kedis,
    # whichever of the two strings is the shorter (Kedis then goes by rows or by columns).
    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(a=texts, b=texts, options=st.sampled_from([[], ["LEN"], ["IDX"],
                                                      ["IDX", "WITHMATCHLEN", "MINMATCHLEN", "2"]]))
    def walk(a, b, options):
        for command in (["SET", "a", a], ["SET", "b", b], ["LCS", "a", "b", *options],
                        ["LCS", "b", "a", *options]):
            same(db, redis, *command)

    walk()


@pytest.mark.redis
def test_lcs_of_long_strings_is_redis_s_and_quick(db, redis):
    # The largest table the default limit allows, about 11584 x 11584 (or 1 x 67 million): Redis
    # needs about a second for it; Kedis's rows of bits take a fraction of that.
    import random

    rng = random.Random(7)
    a = bytes(rng.randrange(4) for _ in range(11584))
    b = bytes(rng.randrange(4) for _ in range(11584))
    same(db, redis, "MSET", "a", a, "b", b)
    started = time.perf_counter()
    for options in ([], ["IDX", "MINMATCHLEN", "3"], ["LEN"]):
        same(db, redis, "LCS", "a", "b", *options)
    assert time.perf_counter() - started < 30  # both sides together, on a loaded machine


# --- SUBSTR -------------------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("start, end", [("0", "3"), ("-3", "-1"), ("5", "1"), ("0", "100"),
                                        ("x", "1"), ("-100", "-50")])
def test_substr_is_getrange(db, redis, start, end):
    same(db, redis, "SET", "k", "Hello World")
    assert same(db, redis, "SUBSTR", "k", start, end) == same(db, redis, "GETRANGE", "k", start,
                                                               end)


def test_substr_is_documented_as_deprecated(db):
    assert TABLE[b"substr"].doc_flags == ("deprecated",)


# --- persistence: the AOF and the RDB file -------------------------------------------------------------
START = 1_700_000_000.0


def _engine(tmp_path, clock, **config) -> kedis.Kedis:
    return kedis.Kedis(clock=clock, config={"dir": str(tmp_path), **config})


def test_a_replay_of_the_aof_rebuilds_every_bitmap(tmp_path):
    clock = kedis.FakeClock(START)
    db = _engine(tmp_path, clock, appendonly="yes")
    for line in ["SETBIT a 7 1", "SETBIT a 100 1", "SETBIT a 100 1", "SET b hello EX 100",
                 "SETBIT b 0 1", "BITFIELD c INCRBY i5 3 -7 OVERFLOW SAT INCRBY u3 #4 99",
                 "BITFIELD c OVERFLOW FAIL INCRBY u2 0 9", "BITOP XOR d a b c", "BITOP NOT e d",
                 "BITOP AND e missing", "SETBIT e 3 1", "SET f 5", "BITFIELD f SET u8 0 54"]:
        db.run(line)
    again = _engine(tmp_path, clock, appendonly="yes")
    assert contents(again) == contents(db)
    assert [again.run(f"OBJECT ENCODING {key}").value for key in "abcdef"] == [b"raw"] * 6


@pytest.mark.parametrize("save", ["SAVE", "BGSAVE"])
def test_a_dump_holds_each_bitmap_as_it_was_at_the_save(tmp_path, save):
    clock = kedis.FakeClock(START)
    db = _engine(tmp_path, clock)
    db.run("SETBIT k 0 1")
    db.run("SETBIT k 20 1")
    db.run(save)
    db.run("SETBIT k 1 1")  # after the instant the dump was taken
    db.persistence.wait()
    again = _engine(tmp_path, clock)
    assert again.run("GET k").value == b"\x80\x00\x08"


@pytest.mark.redis
def test_redis_server_loads_the_bitmaps_of_a_kedis_dump(tmp_path):
    db = _engine(tmp_path, kedis.RealClock())
    for line in ["SETBIT a 7 1", "SETBIT a 100 1", "BITFIELD b SET i16 #2 -300", "SET c 123",
                 "SETBIT c 7 0", "SETRANGE d 2 xy", "SETBIT big 200000 1"]:
        db.run(line)
    assert {type(value) for value in db.keyspace.data.values()} == {bytearray}
    db.run("SAVE")
    assert redis_contents_of(tmp_path) == contents(db)


def test_the_views_show_a_bitmap_as_the_string_it_is():
    from kedis.widgets._format import type_of, value_size, value_text

    bitmap = bytearray(b"\x80ab" + b"z" * 100)
    assert (type_of(bitmap), value_size(bitmap)) == ("string", 103)
    assert value_text(bytearray(b"\x80ab")) == '"\\x80ab"'
    assert value_text(bitmap, width=10).startswith('"\\x80abzzz')


# --- speed ---------------------------------------------------------------------------------------------------
def test_setbit_on_a_12_mb_bitmap_costs_no_copy(db):
    # A day's users, 100 million bits: each SETBIT writes one byte, as in Redis.
    db.execute("SETBIT", "day", "99999999", "1")
    started = time.perf_counter()
    for user in range(0, 10_000_000, 1000):
        db.execute("SETBIT", "day", user, "1")
    elapsed = time.perf_counter() - started
    assert db.execute("BITCOUNT", "day").value == 10_001
    assert elapsed < 1.0  # 10,000 SETBITs: copying 12 MB each would take minutes


def test_lcs_refuses_a_table_larger_than_the_machine_s_memory(db, monkeypatch):
    # With proto-max-bulk-len raised, Redis would try to allocate (and fill) the table.
    from kedis.commands import strings

    monkeypatch.setattr(strings, "_memory_size", lambda: 10 ** 6)
    db.run("CONFIG SET proto-max-bulk-len 1000000000000")
    db.execute("MSET", "a", "x" * 1000, "b", "y" * 1000)
    assert db.run("LCS a b LEN").cli() == (
        "(error) ERR Insufficient memory, failed allocating transient memory for LCS")
