"""A listpack (kedis/structures/listpack.py): each entry encoded as listpack.c encodes it, sizes
kept as entries come and go, and Redis's own bytes read back. The quicklist that holds listpacks
as its nodes is tests/structures/test_quicklist.py, which compares whole lists with redis-server."""

from __future__ import annotations

import pytest

from kedis.structures.listpack import Listpack, ListpackError, encode_entry, entry_size


@pytest.mark.parametrize("value, encoded", [
    (b"0", b"\x00\x01"),                       # 7-bit integer: the byte is the number
    (b"127", b"\x7f\x01"),
    (b"128", b"\xc0\x80\x02"),                 # 13-bit integer
    (b"-1", b"\xdf\xff\x02"),                  # ... two's complement in 13 bits
    (b"-4096", b"\xd0\x00\x02"),
    (b"4096", b"\xf1\x00\x10\x03"),            # 16-bit
    (b"-32768", b"\xf1\x00\x80\x03"),
    (b"32768", b"\xf2\x00\x80\x00\x04"),       # 24-bit
    (b"8388608", b"\xf3\x00\x00\x80\x00\x05"),  # 32-bit
    (b"2147483648", b"\xf4\x00\x00\x00\x80\x00\x00\x00\x00\x09"),  # 64-bit
    (b"", b"\x80\x01"),                        # a string: its length in the first byte
    (b"abc", b"\x83abc\x04"),
    (b"007", b"\x83007\x04"),                  # not Redis's form of a number: a string
    (b"-0", b"\x82-0\x03"),
    (b"9223372036854775808", b"\x939223372036854775808\x14"),  # past 64 bits: a string
])
def test_each_entry_is_encoded_in_the_smallest_form_that_holds_it(value, encoded):
    assert encode_entry(value) == encoded
    assert entry_size(value) == len(encoded)


@pytest.mark.parametrize("length, header, backlen", [
    (63, b"\xbf", b"\x40"),                     # 6-bit length
    (64, b"\xe0\x40", b"\x42"),                 # 12-bit length
    (125, b"\xe0\x7d", b"\x7f"),                # entry of 127 bytes: backlen still one byte
    (126, b"\xe0\x7e", b"\x01\x80"),            # 128 bytes: backlen in two, high bits first
    (4095, b"\xef\xff", b"\x20\x81"),
    (4096, b"\xf0\x00\x10\x00\x00", b"\x20\x85"),  # 32-bit length
])
def test_long_strings_take_wider_length_headers_and_backlens(length, header, backlen):
    value = b"x" * length
    assert encode_entry(value) == header + value + backlen


def test_the_size_is_kept_as_entries_come_and_go_and_matches_the_bytes():
    packed = Listpack([b"a", b"12", b"x" * 70])
    steps = [lambda: packed.insert(0, b"-5000"), lambda: packed.append(b"y" * 5000),
             lambda: packed.pop(1), lambda: packed.replace(0, b"zz"),
             lambda: packed.delete(1, 2)]
    for step in steps:
        step()
        assert packed.nbytes == len(packed.to_bytes())
    rest = packed.split(1)
    assert packed.nbytes == len(packed.to_bytes()) and rest.nbytes == len(rest.to_bytes())
    packed.extend(rest)
    assert packed.nbytes == len(packed.to_bytes())


def test_an_empty_listpack_is_its_header_and_end_byte():
    assert Listpack().to_bytes() == b"\x07\x00\x00\x00\x00\x00\xff"


def test_the_entry_count_saturates_at_65535():
    packed = Listpack([b"1"] * 70000)
    data = packed.to_bytes()
    assert data[4:6] == b"\xff\xff"
    assert Listpack.from_bytes(data).entries == packed.entries


def test_bytes_read_back_give_the_same_entries():
    values = [b"0", b"-1", b"4096", b"2147483648", b"-9223372036854775808", b"", b"abc",
              b"x" * 64, b"y" * 4096, bytes(range(256))]
    packed = Listpack(values)
    again = Listpack.from_bytes(packed.to_bytes())
    assert again.entries == values and again.nbytes == packed.nbytes


@pytest.mark.parametrize("damage", [
    lambda data: data[:-1],                                   # the end byte gone
    lambda data: data[:-1] + b"\x00",                          # a wrong end byte
    lambda data: data[:4] + b"\x09\x00" + data[6:],            # a wrong count
    lambda data: data[:6] + b"\xf5" + data[7:],                # an encoding that does not exist
    lambda data: data[:6] + b"\xbf" + data[7:],                # a string longer than its bytes
    lambda data: data[:12] + bytes([data[12] ^ 1]) + data[13:],  # a backlen that lies
])
def test_damaged_bytes_are_refused_not_misread(damage):
    data = Listpack([b"hello", b"42", b"world"]).to_bytes()
    broken = damage(data)
    broken = len(broken).to_bytes(4, "little") + broken[4:] if len(broken) >= 4 else broken
    with pytest.raises(ListpackError):
        Listpack.from_bytes(broken)
