"""The annotated hex view of an RDB file (kedis/persistence/dumpview.py): every byte accounted for, each
field explained, on Kedis's files and on a real redis-server's."""

from __future__ import annotations

import os

import pytest
from compare import parse_resp

from kedis.persistence import rdb, snapshot
from kedis.persistence.dumpview import DumpView, annotate


def dump_of(db) -> bytes:
    return b"".join(rdb.encode(snapshot.snapshot(db), snapshot.rdb_aux(db)))


def test_every_byte_belongs_to_one_field_in_order(db):
    db.run("MSET greeting hello n 12345")
    db.run("SET session abc EX 100")
    db.run("SADD tags a b")
    db.run("SADD numbers 3 1 2")
    data = dump_of(db)
    fields = annotate(data)
    assert b"".join(field.data for field in fields) == data
    assert [field.offset for field in fields] == sorted(field.offset for field in fields)
    records = [field.record for field in fields]
    assert records[0] == "header" and records[-2:] == ["eof", "checksum"]
    assert "matches the bytes before it" in fields[-1].meaning


def test_the_fields_say_how_each_string_and_value_is_written(db):
    db.run("SET n 12345")
    db.run("SET session abc EX 100")
    db.run("SADD numbers 3 1 2")
    meanings = [field.meaning for field in annotate(dump_of(db))]
    assert 'its value: 12345 (an integer in 2 bytes, little-endian, after 0xc1)' in meanings
    assert 'its value: "abc" (its length, 3, then its bytes)' in meanings
    assert any("expires at 1700000100000" in meaning for meaning in meanings)
    assert any(meaning.endswith("sorted integers: 1, 2, 3") for meaning in meanings)
    assert "RESIZEDB (0xfb): 3 keys, 1 with a TTL (to size the hash tables at once)" in meanings


def test_a_damaged_byte_is_shown_by_the_checksum(db):
    db.run("SET greeting hello")
    data = bytearray(dump_of(db))
    data[data.index(b"hello")] = ord("j")
    assert "does NOT match" in annotate(bytes(data))[-1].meaning


def test_a_truncated_file_is_refused_with_where(db):
    db.run("SET greeting hello")
    with pytest.raises(rdb.RDBError, match="at byte"):
        annotate(dump_of(db)[:-12])


@pytest.mark.redis
def test_a_file_written_by_redis_server_with_lzf_is_explained(redis, redis_server):
    redis.call("FLUSHALL")
    redis.call("SET", "long", "abc" * 40)  # compressible: Redis writes it with LZF
    redis.call("SET", "big", "70000")
    assert redis.call("SAVE") == b"+OK\r\n"
    view = DumpView.of_file(os.path.join(redis_server.dir, "dump.rdb"))
    meanings = [field.meaning for field in view.fields]
    assert any(m.startswith('its value: "abcabc') and "LZF-compressed" in m for m in meanings)
    assert 'its value: 70000 (an integer in 4 bytes, little-endian, after 0xc2)' in meanings
    assert "matches the bytes before it" in meanings[-1]


def test_the_html_table_escapes_what_the_file_holds(db):
    db.run('SET "<img src=x onerror=alert(1)>" "<b>bold</b>"')
    page = DumpView(dump_of(db))._repr_html_()
    assert "<img" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    text = str(DumpView(dump_of(db)))
    assert text.splitlines()[0].split() == ["offset", "bytes", "meaning"]
    assert '"<img src=x onerror=alert(1)>"' in text


# --- DUMP payloads ----------------------------------------------------------------------------------
def test_a_payload_is_shown_field_by_field_and_its_footer_checked(db):
    db.run("SET greeting hello")
    db.run("SET n 12345")
    db.run("SADD numbers 3 1 2")
    db.run("SADD tags a " + "x" * 40)
    for key in ("greeting", "n", "numbers", "tags"):
        payload = db.execute("DUMP", key).value
        fields = annotate(payload)
        assert b"".join(field.data for field in fields) == payload
        assert [field.record for field in fields][0] == "type"
        assert [field.record for field in fields][-2:] == ["version", "checksum"]
        assert "RESTORE accepts it" in fields[-2].meaning
        assert "which matches the bytes before it" in fields[-1].meaning
    meanings = [f.meaning for f in annotate(db.execute("DUMP", "numbers").value)]
    assert meanings[0].startswith("the value's type: 11 (set (intset))")
    assert meanings[1].endswith("their count (3), then the sorted integers: 1, 2, 3")
    meanings = [f.meaning for f in annotate(db.execute("DUMP", "tags").value)]
    assert "2 members follow" in meanings
    assert any("LZF-compressed" in meaning for meaning in meanings)


def test_a_damaged_or_newer_payload_is_shown_as_restore_would_refuse_it(db):
    db.run("SET greeting hello")
    payload = bytearray(db.execute("DUMP", "greeting").value)
    payload[3] ^= 1
    assert "does NOT match" in annotate(bytes(payload))[-1].meaning
    newer = payload[:-10] + b"\x0b\x00" + payload[-8:]
    assert "RESTORE refuses it" in annotate(bytes(newer))[-2].meaning
    with pytest.raises(rdb.RDBError, match="the value ends in the middle"):
        annotate(b"\x00\x09hello" + payload[-10:])
    extra = annotate(b"\x00\x02hiXYZ" + payload[-10:])
    assert extra[2].record == "extra" and extra[2].data == b"XYZ"


@pytest.mark.redis
def test_redis_server_s_payloads_are_explained(redis):
    redis.call("SET", "long", "abc" * 40)
    redis.call("SADD", "ints", *range(50), 2 ** 63 - 1)  # 8 bytes each: zeros to compress
    for key, expected in (("long", 'its value: "abcabc'), ("ints", "one string (LZF-compressed)")):
        payload = parse_resp(redis.call("DUMP", key))
        view = DumpView(payload)
        assert any(expected in field.meaning for field in view.fields)
        assert "matches the bytes before it" in view.fields[-1].meaning
        assert str(view).splitlines()[-1].strip() == f"{len(payload)}  (the end: {len(payload)} bytes)"
