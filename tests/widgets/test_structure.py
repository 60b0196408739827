"""The StructureView and the layouts it draws: strings as int, embstr, raw (sds.c, object.c), sets
as intset bytes or a hash table (intset.c, dict.c), the states it steps through, the caps that
keep a million members cheap, and the escaping of what the store holds."""

from __future__ import annotations

import time

import pytest

import kedis
from kedis.jupyter.cells import CellRunner
from kedis.jupyter.completion import complete
from kedis.jupyter.errors import MagicError
from kedis.structures import sds
from kedis.structures import set as set_structure
from kedis.structures.robj import malloc_size
from kedis.structures.set import SetValue
from kedis.util.clock import FakeClock
from kedis.widgets import Dashboard, StructureView


@pytest.fixture
def db() -> kedis.Kedis:
    return kedis.Kedis(clock=FakeClock())


def fields(block: dict) -> dict[str, dict]:
    return {field["id"]: field for field in block["fields"]}


def blocks(layout: dict) -> dict[str, dict]:
    return {block["id"]: block for block in layout["blocks"]}


# --- strings: sds.py --------------------------------------------------------------------------
def test_a_small_integer_is_a_shared_int_with_the_number_in_the_pointer():
    layout = sds.layout(b"42")
    robj = blocks(layout)["robj"]
    assert layout["encoding"] == "int" and list(blocks(layout)) == ["robj"]  # no bytes kept
    assert fields(robj)["robj.ptr"]["hex"] == ["2a", "00", "00", "00", "00", "00", "00", "00"]
    assert fields(robj)["robj.refcount"]["hex"] == ["ff", "ff", "ff", "7f"]  # INT_MAX: shared
    assert fields(robj)["robj.type"]["hex"] == ["10"]  # OBJ_STRING 0, OBJ_ENCODING_INT 1 << 4
    assert layout["facts"]["shared"] and layout["facts"]["total"] == 0


def test_an_integer_from_10000_or_negative_has_an_object_of_its_own():
    for value in (b"10000", b"-5"):
        layout = sds.layout(value)
        assert layout["encoding"] == "int" and not layout["facts"]["shared"]
        assert fields(blocks(layout)["robj"])["robj.refcount"]["hex"] == ["01", "00", "00", "00"]
    assert fields(blocks(sds.layout(b"-5"))["robj"])["robj.ptr"]["hex"] == ["fb"] + ["ff"] * 7


def test_an_embstr_is_one_allocation_of_robj_sdshdr8_bytes_and_nul():
    layout = sds.layout(b"hello")
    (one,) = layout["blocks"]
    assert layout["encoding"] == "embstr" and one["bytes"] == 16 + 3 + 5 + 1
    assert one["alloc"] == 32  # jemalloc's class for 25 bytes
    parts = fields(one)
    assert parts["sds.len"]["hex"] == ["05"] and parts["sds.alloc"]["hex"] == ["05"]
    assert parts["sds.flags"]["hex"] == ["01"]  # SDS_TYPE_8
    assert parts["sds.buf"]["hex"] == ["68", "65", "6c", "6c", "6f"]
    assert parts["sds.buf"]["chars"] == list("hello") and parts["sds.nul"]["hex"] == ["00"]


def test_44_bytes_fill_a_64_byte_embstr_and_45_are_raw():
    assert sds.layout(b"x" * 44)["blocks"][0]["bytes"] == 64
    layout = sds.layout(b"x" * 45)
    assert layout["encoding"] == "raw" and list(blocks(layout)) == ["robj", "sds"]
    assert fields(blocks(layout)["robj"])["robj.ptr"]["points_to"] == "sds"


@pytest.mark.parametrize("length, kind, header", [
    (45, 8, 3), (255, 8, 3), (256, 16, 5), (65535, 16, 5), (65536, 32, 9)])
def test_a_raw_strings_header_type_is_chosen_by_its_length_as_sdsReqType_does(length, kind,
                                                                             header):
    layout = sds.layout(b"y" * length)
    sds_block = blocks(layout)["sds"]
    assert sds_block["title"] == f"sds, sdshdr{kind}" and layout["facts"]["header"] == header
    assert fields(sds_block)["sds.len"]["hex"] == \
        list(f"{byte:02x}" for byte in length.to_bytes(kind // 8, "little"))
    assert fields(sds_block)["sds.flags"]["hex"] == [f"{ {8: 1, 16: 2, 32: 3}[kind]:02x}"]


def test_sdsReqType_and_the_header_sizes():
    assert [sds.sds_type(n) for n in (1, 31, 32, 255, 256, 65535, 65536, 1 << 32)] == \
        [5, 5, 8, 8, 16, 16, 32, 64]
    assert sds.sds_type(0) == 8  # an empty SDS is made to grow: never type 5 (sdsnewlen)
    assert sds.sds_type(10, grown=True) == 8  # nor one that grew (sdsMakeRoomFor)
    assert sds.HEADER_SIZES == {5: 1, 8: 3, 16: 5, 32: 9, 64: 17}


def test_a_short_string_changed_in_place_is_raw_with_an_sdshdr8_never_5(db):
    db.run("SET k hello")
    db.run("APPEND k !")
    layout = StructureView(db, "k").shown["layout"]
    assert layout["encoding"] == "raw" and layout["facts"]["sds_type"] == 8


def test_a_raw_string_keeps_jemallocs_room_unless_more_than_a_tenth_is_spare():
    # 100 bytes: 3 + 100 + 1 = 104, in a 112-byte block: 108 of room, 8 spare (not > 10): kept.
    assert sds.raw_alloc(100, 8) == 108
    layout = sds.layout(b"z" * 100)
    assert fields(blocks(layout)["sds"])["sds.spare"]["width"] == 8
    # 45 bytes: 49 in a 64-byte block, 15 spare (> 4): trimmed to the length.
    assert sds.raw_alloc(45, 8) == 45
    assert [malloc_size(n) for n in (1, 9, 20, 64, 65, 129, 257, 1000)] == \
        [8, 16, 32, 64, 80, 160, 320, 1024]


def test_a_long_string_draws_its_first_cells_and_counts_the_rest():
    layout = sds.layout(b"a" * 1_000_000)
    parts = fields(blocks(layout)["sds"])
    assert len(parts["sds.buf"]["hex"]) == sds.CELLS_SHOWN
    assert parts["sds.more"]["name"] == "… and 999,936 more bytes"
    assert blocks(layout)["sds"]["title"] == "sds, sdshdr32"


def test_object_encoding_reads_the_rule_the_view_draws(db):
    for value, encoding in ((b"12", "int"), (b"hello", "embstr"), (b"x" * 50, "raw")):
        db.execute(b"SET", b"k", value)
        assert db.execute(b"OBJECT", b"ENCODING", b"k").value == encoding.encode()
        assert StructureView(db, "k").shown["layout"]["encoding"] == encoding


# --- sets: set.py ------------------------------------------------------------------------------
def intset_bytes(layout: dict) -> list[str]:
    return [hex for field in blocks(layout)["intset"]["fields"] for hex in field["hex"]]


def test_an_intset_is_its_real_bytes_little_endian_at_width_2():
    layout = set_structure.layout(SetValue([b"3", b"-1", b"258"]))
    assert layout["encoding"] == "intset"
    assert intset_bytes(layout) == ["02", "00", "00", "00",  # encoding: 2 bytes a member
                                    "03", "00", "00", "00",  # length: 3
                                    "ff", "ff", "03", "00", "02", "01"]  # -1, 3, 258 sorted
    assert blocks(layout)["intset"]["bytes"] == 8 + 2 * 3


@pytest.mark.parametrize("big, width", [(b"70000", 4), (b"5000000000", 8)])
def test_a_larger_number_upgrades_every_cell_to_4_or_8_bytes(big, width):
    layout = set_structure.layout(SetValue([b"1", big]))
    assert intset_bytes(layout)[:4] == [f"{width:02x}", "00", "00", "00"]
    cells = fields(blocks(layout)["intset"])
    assert cells["m:1"]["hex"] == ["01"] + ["00"] * (width - 1)  # (ids: the members' text)
    assert cells[f"m:{big.decode()}"]["hex"] == \
        [f"{b:02x}" for b in int(big).to_bytes(width, "little")]


def test_the_view_steps_through_an_upgrade_and_marks_every_cell_it_widened(db):
    view = StructureView(db, "s")
    db.run("SADD s 1 2")
    db.run("SADD s 70000")
    assert [state["transition"] for state in view.history] == \
        ["", "created: intset, 2 bytes a member", "upgrade: 2 → 4 bytes a member"]
    changed = set(view.shown["changed"])
    assert {"intset.encoding", "intset.length", 'm:"1"', 'm:"2"', 'm:"70000"'} <= changed
    view.back()
    assert view.step == 1 and view.shown["layout"]["facts"]["width"] == 2
    assert fields(blocks(view.shown["layout"])["intset"])['m:"2"']["hex"] == ["02", "00"]


def test_a_non_integer_member_converts_the_intset_to_a_hashtable(db):
    view = StructureView(db, "s")
    db.run("SADD s 1 2 3")
    db.run("SADD s hello")
    assert view.history[-1]["transition"] == "converted: intset → hashtable"
    layout = view.shown["layout"]
    table = blocks(layout)["table"]
    assert layout["encoding"] == "hashtable" and table["size"] == 4
    members = [entry["text"] for bucket in table["buckets"] for entry in bucket["chain"]]
    assert sorted(members) == ['"1"', '"2"', '"3"', '"hello"']
    for bucket in table["buckets"]:  # the illustrative hash, Python's: bucket = hash & mask
        for entry in bucket["chain"]:
            assert hash(entry["text"].strip('"').encode()) & 3 == bucket["index"]
    view.go(-2)
    assert view.shown["layout"]["encoding"] == "intset"  # the state before, kept


def test_the_513th_integer_converts_with_a_table_sized_for_it(db):
    view = StructureView(db, "s")
    db.execute(b"SADD", b"s", *[b"%d" % n for n in range(512)])
    assert view.shown["layout"]["encoding"] == "intset"
    db.execute(b"SADD", b"s", b"512")
    assert view.history[-1]["transition"] == "converted: intset → hashtable"
    table = blocks(view.shown["layout"])["table"]
    assert table["size"] == 1024 and table["used"] == 513  # dictExpand(513): the next power
    assert len(table["buckets"]) == set_structure.BUCKETS_SHOWN
    assert table["more_buckets"] == 1024 - set_structure.BUCKETS_SHOWN


def test_the_table_grows_to_the_next_power_of_two_when_the_members_reach_its_size():
    assert [set_structure.table_size(n) for n in (0, 1, 4, 5, 8, 9, 513)] == \
        [4, 4, 4, 8, 8, 16, 1024]


def test_a_chain_holds_the_newest_member_first():
    value = SetValue([b"a"])
    members = [b"m%d" % n for n in range(40)]
    for member in members:
        value.add(member)
    table = blocks(set_structure.layout(value))["table"]
    order = {member: n for n, member in enumerate([b"a", *members])}
    for bucket in table["buckets"]:
        came = [order[entry["text"].encode()] for entry in bucket["chain"]]
        assert came == sorted(came, reverse=True)


def test_a_set_of_a_million_members_is_capped_and_drawn_in_under_a_fifth_of_a_second(db):
    value = SetValue(b"member:%d" % n for n in range(1_000_000))
    db.keyspace.data[b"big"] = value
    began = time.perf_counter()
    view = StructureView(db, "big")
    elapsed = time.perf_counter() - began
    table = blocks(view.shown["layout"])["table"]
    drawn = sum(len(bucket["chain"]) for bucket in table["buckets"])
    assert drawn <= set_structure.CELLS_SHOWN and table["sampled"]
    assert table["size"] == 1 << 20 and "first 64 members" in " ".join(
        view.shown["layout"]["notes"])
    assert elapsed < 0.2, elapsed


def test_a_large_intset_draws_its_first_cells_and_counts_the_rest():
    value = SetValue((b"%d" % n for n in range(5000)), limit=10_000)
    layout = set_structure.layout(value)
    cells = fields(blocks(layout)["intset"])
    assert len([f for f in cells.values() if f["kind"] == "member"]) == set_structure.CELLS_SHOWN
    assert cells["intset.more"]["name"] == "… and 4,936 more members"


# --- the view -----------------------------------------------------------------------------------
def test_member_bytes_are_quoted_as_redis_cli_writes_them_and_html_is_escaped(db):
    db.execute(b"SADD", b"x", b"<img src=x onerror=alert(1)>", b"caf\xc3\xa9\n")
    view = StructureView(db, "x")
    texts = [entry["text"] for bucket in blocks(view.shown["layout"])["table"]["buckets"]
             for entry in bucket["chain"]]
    assert sorted(texts) == ['"<img src=x onerror=alert(1)>"', '"caf\\xc3\\xa9\\n"']
    html = view.picture_html()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_view_follows_the_last_key_a_command_touched_when_given_none(db):
    view = StructureView(db)
    assert view.shown == {} and "no key yet" in view.picture_text()
    db.run("SET a 1")
    db.run("GET a")  # touched, unchanged: no new state
    assert view.key == '"a"' and len(view.history) == 1 and view.following
    db.run("SADD b 1")
    assert view.key == '"b"' and view.shown["layout"]["encoding"] == "intset"


def test_a_key_clicked_in_the_store_is_shown_and_the_structure_tab_comes_to_the_front(db):
    board = Dashboard(db)
    db.run("SET user:1 alice")
    db.run("SET n 7")
    board.structure.picked = '"user:1"'  # what the browser sends: the key as the store shows it
    assert board.structure.key == '"user:1"' and not board.structure.following
    assert board.tabs.selected_index == 1
    db.run("SET n 8")  # another key: the pinned view stays
    assert board.structure.key == '"user:1"'
    board.close()


def test_stepping_back_stays_while_new_states_come_and_end_goes_to_the_newest(db):
    view = StructureView(db, "s")
    for n in range(4):
        db.run(f"SADD s {n}")
    view.go(1)
    db.run("SADD s 9")
    assert view.step == 1 and len(view.history) == 6
    view.go(-1)
    assert view.step == 5
    db.run("SADD s 10")
    assert view.step == 6  # at the newest: it moves on with the new states


def test_the_history_keeps_the_last_states_only(db):
    view = StructureView(db, "c", history=5)
    for _ in range(20):
        db.run("INCR c")
    assert [state["command"] for state in view.history] == ["INCR c"] * 5
    assert view.shown["layout"]["facts"]["number"] == 20


def test_a_deleted_key_is_a_state_and_its_picture_says_so(db):
    db.run("SET k v")
    view = StructureView(db, "k")
    db.run("DEL k")
    assert view.history[-1]["transition"] == "deleted"
    assert view.shown["layout"]["summary"] == "no such key"
    db.run("FLUSHALL")  # nothing more to say about a key already gone
    assert len(view.history) == 2


def test_flushdb_is_a_state_of_a_key_it_removed(db):
    db.run("SET k v")
    view = StructureView(db, "k")
    db.run("FLUSHDB")
    assert view.history[-1]["transition"] == "deleted"


def test_the_text_picture_shows_the_bytes(db):
    db.run("SADD s 1 2")
    text = StructureView(db, "s").picture_text()
    assert text.splitlines()[0].startswith('"s": intset: 2 integers')
    assert "02 00 00 00 = 2 bytes per member (16-bit)" in text and '01 00 = "1"' in text


# --- the magic ---------------------------------------------------------------------------------
def runner_of(db: kedis.Kedis) -> tuple[CellRunner, list[dict]]:
    shown: list[dict] = []
    return CellRunner(db, display=lambda data, metadata: shown.append(data)), shown


def test_the_structure_magic_shows_a_view_with_its_text_picture(db):
    runner, shown = runner_of(db)
    runner.run("SET greeting hello\n%structure greeting")
    widget = shown[-1]
    assert "application/vnd.jupyter.widget-view+json" in widget
    assert widget["text/plain"].startswith('"greeting": embstr: 5 bytes')


def test_the_structure_magic_refuses_a_missing_key_and_two_keys(db):
    runner, _ = runner_of(db)
    with pytest.raises(MagicError, match='no such key: "nope"'):
        runner.run("%structure nope")
    with pytest.raises(MagicError, match=r"usage: %structure \[KEY\]"):
        runner.run("%structure a b")


def test_the_structure_magic_completes_keys():
    reply = complete("%structure us", 13, lambda: [b"user:1", b"x"], ["%structure"])
    assert reply["matches"] == ["user:1"] and reply["cursor_start"] == 11


# --- the Dashboard's clock --------------------------------------------------------------------
def test_a_time_written_out_says_which_engine_clock_it_was_read_on():
    # A cycle that ran on the real clock, then %clock fake: its real 2026 stays beside the fake
    # 2023, each labelled (it showed as a bare date, and read as the fake clock's).
    engine = kedis.Kedis()
    board = Dashboard(engine)
    engine.execute(b"SET", b"k", b"v", b"EX", b"100")
    engine.tick()
    engine.clock = FakeClock()
    engine.tick()
    board.expiry.flush()
    first, second = (cycle["at_text"] for cycle in board.expiry.cycles[-2:])
    assert first.endswith(" UTC, real clock") and second == "2023-11-14 22:13:20.000 UTC, fake clock"
    assert board.expiry.sample["started_text"] == second
    board.close()


def test_the_dashboards_hidden_structure_tab_pushes_nothing_but_its_picture_is_current(db):
    board = Dashboard(db)
    db.run("SET k hello")
    assert board.structure.key == ""  # nothing sent while its tab is not in front
    assert board.structure.picture_text().startswith('"k": embstr')
    assert board.structure.key == ""  # drawing the picture sent nothing either
    board.tabs.selected_index = 1
    assert board.structure.key == '"k"'
    board.close()


def test_a_key_removed_by_the_active_cycle_is_a_state_of_its_own(db):
    db.run("SET k v EX 5")
    view = StructureView(db, "k")
    db.clock.advance(6)
    db.tick()
    assert view.history[-1]["command"] == "expired (active expiry cycle)"
    assert view.history[-1]["transition"] == "deleted"


def test_a_key_moved_in_from_another_database_is_a_state(db):
    view = StructureView(db, "k")  # db 0
    db.run("SELECT 1")
    db.run("SET k 123456")
    db.run("MOVE k 0")
    assert view.history[-1]["command"] == "MOVE k 0"
    assert view.shown["layout"]["encoding"] == "int"
    db.run("SET other 1")  # another key of db 1: nothing here
    assert len(view.history) == 2


def test_a_dashboard_of_another_database_picks_its_keys_there(db):
    db.run("SELECT 3")
    db.run("SET k 1")
    db.run("SELECT 0")
    db.run("SET k hello")
    board = Dashboard(db, db=3)
    board.structure.picked = '"k"'
    assert board.structure.db == 3 and board.structure.shown["layout"]["encoding"] == "int"
    board.close()
