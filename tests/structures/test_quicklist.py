"""A quicklist (kedis/structures/quicklist.py): nodes filled, split, merged and compressed at the
moments quicklist.c does it. The proof is redis-server's own lists: the same operations run on
both, and after each one DUMP's nodes (each node's listpack bytes, plain or packed, compressed or
not) are compared with Kedis's, byte for byte."""

from __future__ import annotations

import random

import pytest

from kedis.structures import quicklist
from kedis.structures.quicklist import Quicklist
from kedis.util.lzf import decompress


@pytest.fixture
def threshold():
    """Lets a test lower the plain-node threshold (one for the process, as Redis's), and puts
    it back."""
    yield quicklist.set_packed_threshold
    quicklist.set_packed_threshold(1 << 30)


def shape(ql: Quicklist) -> list[int]:
    return [node.count for node in ql.nodes]


def test_a_node_takes_entries_until_its_listpack_would_pass_8_kb():
    ql = Quicklist()  # fill -2: 8 KB a node
    for _ in range(200):
        ql.push_tail(b"x" * 100)  # 102 bytes an entry
    # 7 bytes of header and end, 102 an entry: an entry more would pass 8192 with the estimate
    # (node bytes + the value's 100 + 8), so a node holds 79.
    assert shape(ql) == [79, 79, 42]
    assert all(node.sz <= 8192 for node in ql.nodes)


def test_a_positive_fill_counts_entries_and_still_caps_bytes_at_8_kb():
    ql = Quicklist(fill=3, values=[b"a"] * 7)
    assert shape(ql) == [3, 3, 1]
    big = Quicklist(fill=100, values=[b"y" * 3000] * 4)
    assert shape(big) == [2, 2]


def test_pushing_at_the_head_fills_the_head_node():
    ql = Quicklist(fill=2)
    for value in (b"1", b"2", b"3"):
        ql.push_head(value)
    assert list(ql) == [b"3", b"2", b"1"] and shape(ql) == [1, 2]


def test_an_insert_into_a_full_node_splits_it_at_the_entry():
    ql = Quicklist(fill=4, values=[b"a", b"b", b"c", b"d"])
    ql.insert(1, b"new", after=True)
    assert list(ql) == [b"a", b"b", b"new", b"c", b"d"]
    assert shape(ql) == [2, 3]  # a b | new c d


def test_interior_nodes_are_compressed_beyond_the_depth_and_read_back_the_same():
    values = [b"entry number %d of a list that compresses well" % i for i in range(2000)]
    ql = Quicklist(compress=1, values=values)
    compressed = [node.lzf is not None for node in ql.nodes]
    assert compressed[0] is False and compressed[-1] is False and all(compressed[1:-1])
    node = ql.nodes[1]
    assert decompress(node.lzf, node.sz) == node.to_bytes()
    assert list(ql) == values and ql.range(100, 1500) == values[100:1501]


def test_a_value_past_the_packed_threshold_gets_a_plain_node(threshold):
    threshold(10)
    ql = Quicklist(values=[b"a", b"b"])
    ql.push_tail(b"0123456789abc")
    assert [node.plain for node in ql.nodes] == [False, True]
    assert ql.nodes[1].to_bytes() == b"0123456789abc"


# --- compared with redis-server ------------------------------------------------------------------
def bulk(reply: bytes) -> bytes | None:
    if reply.startswith(b"$-1"):
        return None
    header, _, rest = reply.partition(b"\r\n")
    return rest[:int(header[1:])]


def dump_nodes(payload: bytes) -> list[tuple[int, bool, bytes]]:
    """The nodes of a DUMP of a list (RDB type 18, quicklist 2): container (1 plain, 2 packed),
    whether compressed, and the node's uncompressed bytes."""
    assert payload[0] == 18
    at = 1

    def length() -> int:
        nonlocal at
        first = payload[at]
        if first >> 6 == 0:
            at += 1
            return first & 63
        if first >> 6 == 1:
            at += 2
            return (first & 63) << 8 | payload[at - 1]
        assert first == 0x80
        at += 5
        return int.from_bytes(payload[at - 4:at], "big")

    nodes = []
    for _ in range(length()):
        container = length()
        if payload[at] == 0xC3:  # an LZF string: with rdbcompression off, only a compressed node
            at += 1
            size, full = length(), length()
            nodes.append((container, True, decompress(payload[at:at + size], full)))
            at += size
        else:
            size = length()
            nodes.append((container, False, payload[at:at + size]))
            at += size
    return nodes


def kedis_nodes(ql: Quicklist) -> list[tuple[int, bool, bytes]]:
    return [(1 if node.plain else 2, node.lzf is not None, node.to_bytes()) for node in ql.nodes]


def random_value(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < .3:
        return b"%d" % rng.randint(-100000, 100000)
    if roll < .5:
        return b"v" * rng.randint(0, 70)
    if roll < .7:
        return rng.randbytes(rng.randint(0, 300))
    if roll < .75:
        return b"w" * rng.randint(500, 5000)
    return b"item:%d:" % rng.randint(0, 99) * rng.randint(1, 10)


def ltrim(ql: Quicklist, start: int, stop: int) -> None:
    # LTRIM as t_list.c turns it into two ranges to delete.
    n = len(ql)
    start = max(start + n if start < 0 else start, 0)
    stop = stop + n if stop < 0 else stop
    if start > stop or start >= n:
        left, right = n, 0
    else:
        left, right = start, n - min(stop, n - 1) - 1
    ql.delete_range(0, left)
    ql.delete_range(-right, right)


@pytest.mark.redis
@pytest.mark.parametrize("seed", range(40))
def test_the_nodes_are_redis_s_after_every_operation(redis, threshold, seed):
    rng = random.Random(seed)
    fill = rng.choice([-1, -2, -3, -5, 1, 2, 3, 5, 10, 100])
    depth = rng.choice([0, 0, 1, 2, 3])
    packed_threshold = rng.choice([30, 100, 1000]) if rng.random() < .25 else 1 << 30
    for command in (("CONFIG", "SET", "rdbcompression", "no"),
                    ("CONFIG", "SET", "list-max-listpack-size", fill),
                    ("CONFIG", "SET", "list-compress-depth", depth),
                    ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", packed_threshold)):
        assert redis.call(*command) == b"+OK\r\n"
    threshold(packed_threshold)
    ql = Quicklist(fill, depth)
    try:
        for _ in range(rng.randint(1, 100)):
            roll = rng.random()
            if roll < .25 or not len(ql):
                values = [random_value(rng) for _ in range(rng.randint(1, 6))]
                head = rng.random() < .5
                redis.call("LPUSH" if head else "RPUSH", "l", *values)
                for value in values:
                    (ql.push_head if head else ql.push_tail)(value)
            elif roll < .35:
                head = rng.random() < .5
                assert bulk(redis.call("LPOP" if head else "RPOP", "l")) == (
                    ql.pop_head() if head else ql.pop_tail())
            elif roll < .55:
                pivot = list(ql)[rng.randrange(len(ql))]
                value, after = random_value(rng), rng.random() < .5
                redis.call("LINSERT", "l", "AFTER" if after else "BEFORE", pivot, value)
                ql.insert(ql.find(pivot), value, after)
            elif roll < .7:
                index, value = rng.randrange(-len(ql), len(ql)), random_value(rng)
                redis.call("LSET", "l", index, value)
                assert ql.replace(index, value)
            elif roll < .8:
                start, stop = rng.randint(-len(ql) - 2, len(ql) + 2), rng.randint(-len(ql) - 2, len(ql) + 2)
                redis.call("LTRIM", "l", start, stop)
                ltrim(ql, start, stop)
            else:
                target, count = list(ql)[rng.randrange(len(ql))], rng.randint(-2, 2)
                assert redis.call("LREM", "l", count, target) == b":%d\r\n" % ql.remove(target, count)
            if len(ql) and rng.random() < .3:
                index = rng.randrange(-len(ql), len(ql))
                assert bulk(redis.call("LINDEX", "l", index)) == ql.index(index)
            payload = bulk(redis.call("DUMP", "l"))
            if payload is None:
                assert len(ql) == 0
                continue
            assert dump_nodes(payload) == kedis_nodes(ql)
            assert redis.call("LLEN", "l") == b":%d\r\n" % len(ql)
    finally:
        redis.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", 1 << 30)
        redis.call("CONFIG", "SET", "list-max-listpack-size", -2)
        redis.call("CONFIG", "SET", "list-compress-depth", 0)
        redis.call("CONFIG", "SET", "rdbcompression", "yes")


def test_the_picture_draws_each_node_s_listpack_bytes_and_its_links():
    ql = Quicklist(fill=3, compress=1, values=[b"a", b"b", b"42"] + [
        b"entry number %d of a list that compresses well" % i for i in range(6)] + [b"z"])
    picture = ql.layout()
    robj, header, *nodes = picture["blocks"]
    assert robj["fields"][0]["hex"] == ["91"]  # OBJ_LIST (1), OBJ_ENCODING_QUICKLIST (9)
    assert len(nodes) == len(ql.nodes) == 4
    first = {f["name"]: f for f in nodes[0]["fields"]}
    # The entries' cells are the listpack's own bytes, header to end byte.
    drawn = [byte for f in nodes[0]["fields"][2:] for byte in f["hex"]]
    assert bytes.fromhex("".join(drawn)) == ql.nodes[0].to_bytes()
    assert first["[2]"]["hex"] == ["2a", "01"] and first["next"]["points_to"] == "node1"
    assert first["prev"]["value"] == "NULL"
    assert "LZF-compressed" in nodes[1]["title"] and "head" in nodes[0]["title"]
    assert picture["summary"] == "quicklist: 10 entries in 4 listpack nodes, 2 compressed"


def test_a_long_list_is_drawn_in_part():
    ql = Quicklist(fill=2, values=[b"%d" % i for i in range(1000)])
    picture = ql.layout(cap=5)
    assert len(picture["blocks"]) == 2 + quicklist.NODES_SHOWN
    members = [f for block in picture["blocks"][2:] for f in block["fields"] if f["kind"] == "member"]
    assert len(members) == 5
    assert any("only the first" in note for note in picture["notes"])
