"""A quicklist: Redis 7.0's list, a doubly linked list of listpack nodes (quicklist.c).

A linked list of single values costs two pointers a value and a cache miss a step; one big
listpack (listpack.py) costs a copy of everything on each insert. The quicklist is between the
two: a chain of nodes, each a small listpack, so a push touches one small block and a walk reads
packed bytes. Two parameters shape it:

- ``list-max-listpack-size`` (``fill``): a negative value caps each node's bytes, -1 to -5 for
  4, 8, 16, 32 or 64 KB (-2, 8 KB, by default); a positive one caps its entries, and then its
  bytes at 8 KB too (SIZE_SAFETY_LIMIT). A node takes one more entry while its bytes, the new
  value's length and 8 more (an overestimate of the entry's header) stay under the cap
  (_quicklistNodeAllowInsert); else a new node begins.
- ``list-compress-depth`` (``compress``): 0 (the default) compresses nothing; ``d`` keeps the
  ``d`` nodes at each end as they are (pushes and pops work there) and compresses every node
  between them with LZF, when that saves at least 8 bytes of a node of 48 or more.

Inserting in the middle of a full node splits it in two at that entry (_quicklistSplitNode),
then tries to merge the neighbours that became small enough (_quicklistMergeNodes); popping
never merges. A value of a gigabyte or more gets a node of its own, a *plain* node holding the
bytes without a listpack around them (``packed_threshold``; DEBUG QUICKLIST-PACKED-THRESHOLD
lowers it, as Redis's tests do).

What Kedis models: every decision above, step by step as quicklist.c takes it, the compression
included (each interior node's LZF form is computed, and kept, as Redis keeps it), so the nodes,
their entries, their byte sizes and which are compressed are Redis's; RDB files and DUMP carry
them. What it simplifies, and why: the chain is a Python list of nodes (a node's ``prev`` and
``next`` are its neighbours in it): finding a node by index walks it as Redis walks its pointers,
and a list of nodes is far cheaper in Python than objects pointing at each other. A compressed
node also keeps its entries readable (Redis would decompress it to read them): only its bytes
and its state are those of a compressed node. Iterators, bookmarks and the ``recompress`` dance
of a node decompressed "for use" are kept only where they change the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..util.lzf import compress as lzf_compress
from ..util.plural import plural
from .listpack import HEADER_SIZE, Listpack, encode_entry
from .robj import block, cells, field, little_endian, malloc_size

__all__ = ["Quicklist", "Node", "DEFAULT_FILL", "DEFAULT_COMPRESS", "OPTIMIZATION_LEVEL",
           "set_packed_threshold", "packed_threshold"]

#: list-max-listpack-size's default: nodes of at most 8 KB.
DEFAULT_FILL = -2
#: list-compress-depth's default: no node compressed.
DEFAULT_COMPRESS = 0
#: The byte caps of fill -1 .. -5.
OPTIMIZATION_LEVEL = (4096, 8192, 16384, 32768, 65536)
#: A positive fill caps a node's entries, and its bytes at this too.
SIZE_SAFETY_LIMIT = 8192
#: What an insert adds to a node's size in the estimate, beyond the value's length.
SIZE_ESTIMATE_OVERHEAD = 8
#: Nodes smaller than this are not worth compressing; nor is a saving under MIN_COMPRESS_IMPROVE.
MIN_COMPRESS_BYTES = 48
MIN_COMPRESS_IMPROVE = 8
FILL_MAX = (1 << 15) - 1
COMPRESS_MAX = (1 << 16) - 1

_packed_threshold = 1 << 30  # a value this long or longer gets a plain node


def packed_threshold() -> int:
    """The length from which a value gets a plain node of its own (1 GB unless lowered)."""
    return _packed_threshold


def set_packed_threshold(size: int) -> bool:
    """Lower or raise it (DEBUG QUICKLIST-PACKED-THRESHOLD); 0 puts back the 1 GB. False, as
    quicklistisSetPackedThreshold answers, past 4 GB less a megabyte. Redis's threshold is one
    for the whole server process; Kedis's is one for the Python process."""
    global _packed_threshold
    if size > (1 << 32) - (1 << 20):
        return False
    _packed_threshold = size or 1 << 30
    return True


class Node:
    """One node: a listpack of entries, or a *plain* node holding one large value.

    ``lzf`` is the node's compressed form while it is compressed (else None); ``recompress``
    marks a compressed node opened for a change, to be compressed again after it."""

    __slots__ = ("pack", "plain", "lzf", "recompress", "dont_compress")

    def __init__(self, pack: Listpack | None = None, plain: bool = False) -> None:
        self.pack = pack if pack is not None else Listpack()
        self.plain = plain
        self.lzf: bytes | None = None
        self.recompress = False
        self.dont_compress = False

    @property
    def count(self) -> int:
        return len(self.pack.entries)

    @property
    def sz(self) -> int:
        """The node's bytes: its listpack's, or a plain node's value's (node->sz)."""
        return len(self.pack.entries[0]) if self.plain else self.pack.nbytes

    def to_bytes(self) -> bytes:
        """The node's payload uncompressed: its listpack, or a plain node's value."""
        return self.pack.entries[0] if self.plain else self.pack.to_bytes()

    def __repr__(self) -> str:
        kind = "plain" if self.plain else "listpack"
        state = f", compressed to {len(self.lzf)}" if self.lzf is not None else ""
        return f"<Node {kind}: {self.count} entries, {self.sz} bytes{state}>"


def _is_large(size: int) -> bool:
    return size >= _packed_threshold


def _meets_optimization(size: int, fill: int) -> bool:
    # A negative fill is a byte cap from OPTIMIZATION_LEVEL; a positive one never says yes here.
    return fill < 0 and -fill - 1 < len(OPTIMIZATION_LEVEL) and size <= OPTIMIZATION_LEVEL[-fill - 1]


def _allow_insert(node: Node | None, fill: int, size: int) -> bool:
    """Whether ``node`` takes one more value of ``size`` bytes (_quicklistNodeAllowInsert)."""
    if node is None or node.plain or _is_large(size):
        return False
    new_size = node.pack.nbytes + size + SIZE_ESTIMATE_OVERHEAD
    if _meets_optimization(new_size, fill):
        return True
    if new_size > SIZE_SAFETY_LIMIT:
        return False
    return node.count < fill


def _allow_merge(a: Node | None, b: Node | None, fill: int) -> bool:
    """Whether two neighbours fit in one node (_quicklistNodeAllowMerge)."""
    if a is None or b is None or a.plain or b.plain:
        return False
    merged = a.pack.nbytes + b.pack.nbytes - 11  # one listpack's header and end go (roughly)
    if _meets_optimization(merged, fill):
        return True
    if merged > SIZE_SAFETY_LIMIT:
        return False
    return a.count + b.count <= fill


class Quicklist:
    """One list: its nodes, head first, and its options (``fill``, ``compress``)."""

    __slots__ = ("nodes", "count", "fill", "compress")

    def __init__(self, fill: int = DEFAULT_FILL, compress: int = DEFAULT_COMPRESS,
                 values: Iterable[bytes] = ()) -> None:
        self.nodes: list[Node] = []
        self.count = 0
        self.fill = min(max(fill, -5), FILL_MAX)               # quicklistSetFill
        self.compress = min(max(compress, 0), COMPRESS_MAX)    # quicklistSetCompressDepth
        for value in values:
            self.push_tail(value)

    # --- reading ----------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        """What Redis 7.0's OBJECT ENCODING answers for every list (7.2 keeps small ones as
        one listpack)."""
        return "quicklist"

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[bytes]:
        for node in self.nodes:
            yield from node.pack.entries

    def __reversed__(self) -> Iterator[bytes]:
        for node in reversed(self.nodes):
            yield from reversed(node.pack.entries)

    def _locate(self, index: int) -> tuple[int, int] | None:
        """The node holding entry ``index`` (negative: from the tail) and the entry's offset in
        it, negative when counted from the tail, as quicklistGetIteratorAtIdx gives them; None
        when out of range. The walk starts from whichever end is nearer."""
        forward = index >= 0
        position = index if forward else -index - 1
        if position >= self.count:
            return None
        seek_forward, seek = forward, position
        if position > (self.count - 1) // 2:
            seek_forward, seek = not forward, self.count - 1 - position
        nodes = self.nodes
        order = range(len(nodes)) if seek_forward else range(len(nodes) - 1, -1, -1)
        accum = 0
        for at in order:
            count = len(nodes[at].pack.entries)
            if accum + count > seek:
                break
            accum += count
        if seek_forward != forward:
            accum = self.count - count - accum
        return (at, position - accum) if forward else (at, -position - 1 + accum)

    def index(self, index: int) -> bytes | None:
        """The entry at ``index`` (LINDEX), or None."""
        found = self._locate(index)
        if found is None:
            return None
        at, offset = found
        node = self.nodes[at]
        if self.compress:
            self._read([node])
        return node.pack.entries[offset]

    def range(self, start: int, stop: int) -> list[bytes]:
        """Entries ``start`` to ``stop`` inclusive, both within the list (LRANGE's slice)."""
        out: list[bytes] = []
        skip, want = start, stop - start + 1
        read = []
        for node in self.nodes:
            entries = node.pack.entries
            if skip >= len(entries):
                skip -= len(entries)
                continue
            piece = entries[skip:skip + want]
            out += piece
            read.append(node)
            want -= len(piece)
            skip = 0
            if not want:
                break
        if self.compress:
            self._read(read)
        return out

    def walk(self, forward: bool = True) -> Iterator[bytes]:
        """Every entry from the head (or the tail), for a command that stops when it likes
        (LPOS); close the walk when done (a ``for`` loop's generator is closed when dropped)."""
        nodes = self.nodes
        order = nodes if forward else nodes[::-1]
        current = None
        try:
            for node in order:
                if current is not None and self.compress:
                    self._read([current])
                current = node
                yield from (node.pack.entries if forward else reversed(node.pack.entries))
            current = None  # (ran off the end: the iterator holds no node)
        finally:
            if current is not None and self.compress:
                self._read([current])

    def find(self, value: bytes) -> int | None:
        """The index of the first entry equal to ``value`` (LINSERT's pivot), or None."""
        passed = []
        index = 0
        for node in self.nodes:
            entries = node.pack.entries
            if value in entries:
                if self.compress:
                    self._read(passed)
                return index + entries.index(value)
            passed.append(node)
            index += len(entries)
        if self.compress:
            self._read(passed)
        return None

    def _read(self, nodes: list[Node]) -> None:
        # An iterator opens each node it reads and settles it when it moves on or is released
        # (quicklistNext, quicklistReleaseIterator): a compressed node comes out as it was, but
        # an uncompressed one beyond the ends gets compressed then, as in Redis.
        for node in nodes:
            if node.lzf is None:
                self._touch(node)

    # --- compression (__quicklistCompress and its macros) ------------------------------------
    def _compress_node(self, node: Node) -> None:
        # __quicklistCompressNode, on a node that is not compressed: keep its LZF form only
        # when the node is big enough and the form saves enough.
        if node.lzf is not None or node.dont_compress:
            return
        node.recompress = False
        size = node.sz
        if size < MIN_COMPRESS_BYTES:
            return
        packed = lzf_compress(node.to_bytes(), size)
        if packed is None or len(packed) + MIN_COMPRESS_IMPROVE >= size:
            return
        node.lzf = packed

    @staticmethod
    def _decompress(node: Node) -> None:
        # quicklistDecompressNode: only a compressed node changes (and forgets "recompress").
        if node.lzf is not None:
            node.lzf = None
            node.recompress = False

    @staticmethod
    def _open(node: Node) -> None:
        # quicklistDecompressNodeForUse: open a compressed node for a change, to close it after.
        if node.lzf is not None:
            node.lzf = None
            node.recompress = True

    def _reclose(self, node: Node) -> None:
        # quicklistRecompressOnly
        if node.recompress:
            self._compress_node(node)

    def _settle(self, node: Node | None) -> None:
        """Keep the ``compress`` nodes at each end uncompressed and compress the next one in
        from each end and ``node``, if it is beyond them (__quicklistCompress)."""
        nodes = self.nodes
        if not self.compress or len(nodes) < self.compress * 2:
            return
        forward, reverse = 0, len(nodes) - 1
        in_depth = False
        for _ in range(self.compress):
            self._decompress(nodes[forward])
            self._decompress(nodes[reverse])
            if node is nodes[forward] or node is nodes[reverse]:
                in_depth = True
            if forward >= reverse - 1:  # the ends met: everything is within depth
                return
            forward += 1
            reverse -= 1
        if not in_depth and node is not None:
            self._compress_node(node)
        self._compress_node(nodes[forward])
        self._compress_node(nodes[reverse])

    def _touch(self, node: Node) -> None:
        # quicklistCompress: a node opened for use closes again; any other settles the ends.
        if node.recompress:
            self._compress_node(node)
        else:
            self._settle(node)

    # --- nodes in and out ----------------------------------------------------------------------
    def _insert_node(self, at: int, new: Node, old: Node | None) -> None:
        # __quicklistInsertNode: ``new`` goes to position ``at``; both it and ``old`` settle.
        self.nodes.insert(at, new)
        if old is not None:
            self._touch(old)
        self._touch(new)

    def _delete_node(self, node: Node) -> None:
        # __quicklistDelNode
        self.nodes.remove(node)
        self.count -= node.count
        self._settle(None)

    def _position(self, node: Node) -> int:
        for at, candidate in enumerate(self.nodes):
            if candidate is node:
                return at
        raise ValueError("node not in this quicklist")

    # --- pushing and popping at the ends -----------------------------------------------------
    def _fits(self, node: Node, size: int) -> bool:
        # _allow_insert's answer for the usual fill, a byte cap (negative), in one comparison;
        # any other case goes the long way.
        fill = self.fill
        if fill < 0 and not node.plain and size < _packed_threshold:
            return node.pack.nbytes + size + SIZE_ESTIMATE_OVERHEAD <= OPTIMIZATION_LEVEL[-fill - 1]
        return _allow_insert(node, fill, size)

    def push_head(self, value: bytes) -> None:
        """LPUSH one value (quicklistPushHead)."""
        head = self.nodes[0] if self.nodes else None
        if head is not None and self._fits(head, len(value)):  # the usual case, first
            head.pack.insert(0, value)
            self.count += 1
            return
        if _is_large(len(value)):
            self._insert_node(0, Node(Listpack([value]), plain=True), head)
        elif _allow_insert(head, self.fill, len(value)):
            head.pack.insert(0, value)
        else:
            self._insert_node(0, Node(Listpack([value])), head)
        self.count += 1

    def push_tail(self, value: bytes) -> None:
        """RPUSH one value (quicklistPushTail)."""
        tail = self.nodes[-1] if self.nodes else None
        if tail is not None and self._fits(tail, len(value)):  # the usual case, first
            tail.pack.append(value)
            self.count += 1
            return
        if _is_large(len(value)):
            self._insert_node(len(self.nodes), Node(Listpack([value]), plain=True), tail)
        elif _allow_insert(tail, self.fill, len(value)):
            tail.pack.append(value)
        else:
            self._insert_node(len(self.nodes), Node(Listpack([value])), tail)
        self.count += 1

    def pop_head(self) -> bytes | None:
        """LPOP one value (quicklistPopCustom): the head node loses its first entry, and goes
        when it is empty. A pop never merges nodes."""
        if not self.count:
            return None
        return self._delete_entry(self.nodes[0], 0)

    def pop_tail(self) -> bytes | None:
        """RPOP one value."""
        if not self.count:
            return None
        node = self.nodes[-1]
        return self._delete_entry(node, node.count - 1)

    def _delete_entry(self, node: Node, offset: int) -> bytes:
        # quicklistDelIndex: an entry goes; so does its node, once empty (or a plain node).
        if node.plain or node.count == 1:
            value = node.pack.entries[0]
            self._delete_node(node)
            return value
        value = node.pack.pop(offset)
        self.count -= 1
        return value

    # --- in the middle ---------------------------------------------------------------------------
    def insert(self, index: int, value: bytes, after: bool) -> None:
        """Put ``value`` before or after the entry at ``index`` (LINSERT; _quicklistInsert)."""
        found = self._locate(index)
        if found is None:
            raise IndexError(index)
        at, offset = found
        self._open(self.nodes[at])  # (the iterator that found the pivot opened its node)
        self._insert_at(at, offset if offset >= 0 else offset + self.nodes[at].count,
                        offset, value, after)

    def _insert_at(self, at: int, offset: int, signed: int, value: bytes, after: bool) -> None:
        # ``offset`` counts from the node's head; ``signed`` is the offset as the iterator that
        # found the entry holds it (negative from the tail), which decides "at the node's end".
        nodes, fill, size = self.nodes, self.fill, len(value)
        node = nodes[at]
        count = node.count
        full = not _allow_insert(node, fill, size)
        at_tail = after and (signed == count - 1 or signed == -1)
        at_head = not after and (signed == 0 or signed == -count)
        avail_next = at_tail and _allow_insert(nodes[at + 1] if at + 1 < len(nodes) else None,
                                               fill, size)
        avail_prev = at_head and _allow_insert(nodes[at - 1] if at > 0 else None, fill, size)
        where = at + 1 if after else at

        if _is_large(size):
            plain = Node(Listpack([value]), plain=True)
            if node.plain or at_tail or at_head:
                self._insert_node(where, plain, node)
            else:
                self._open(node)
                rest = self._split(node, offset, after)
                self._insert_node(where, plain, node)
                self._insert_node(where + 1 if after else where, rest, plain)
            self.count += 1
            return

        if not full:
            self._open(node)
            node.pack.insert(offset + 1 if after else offset, value)
            self._reclose(node)
        elif at_tail and avail_next:
            neighbour = nodes[at + 1]
            self._open(neighbour)
            neighbour.pack.insert(0, value)
            self._reclose(neighbour)
            self._reclose(node)
        elif at_head and avail_prev:
            neighbour = nodes[at - 1]
            self._open(neighbour)
            neighbour.pack.append(value)
            self._reclose(neighbour)
            self._reclose(node)
        elif at_tail or at_head:
            self._insert_node(where, Node(Listpack([value])), node)
        else:
            # A full node, in its middle: split it there, put the value at the cut, and merge
            # whatever neighbours became small enough.
            self._open(node)
            rest = self._split(node, offset, after)
            if after:
                rest.pack.insert(0, value)
            else:
                rest.pack.append(value)
            self._insert_node(where, rest, node)
            self._merge_around(node)
        self.count += 1

    @staticmethod
    def _split(node: Node, offset: int, after: bool) -> Node:
        """Cut ``node`` at ``offset`` (_quicklistSplitNode): after, it keeps entries up to the
        offset and the new node takes the rest; before, the new node takes the entries up to the
        offset (not included) and the node keeps the rest."""
        if after:
            return Node(node.pack.split(offset + 1))
        head = Node(node.pack)
        node.pack = head.pack.split(offset)
        return head

    def _merge(self, a: Node, b: Node) -> Node:
        # _quicklistListpackMerge: the larger listpack takes the other's entries; the other goes.
        self._decompress(a)
        self._decompress(b)
        if a.pack.nbytes >= b.pack.nbytes:
            keep, gone = a, b
            keep.pack.extend(gone.pack)
        else:
            keep, gone = b, a
            gone.pack.extend(keep.pack)
            keep.pack = gone.pack
        self.nodes.remove(gone)
        self._settle(None)
        self._touch(keep)
        return keep

    def _merge_around(self, center: Node) -> None:
        # _quicklistMergeNodes: the two nodes before the center, the two after it, then the
        # center with each neighbour, each pair merged if it fits in one node.
        def near(node: Node, step: int) -> Node | None:
            at = self._position(node) + step
            return self.nodes[at] if 0 <= at < len(self.nodes) else None

        fill = self.fill
        prev = near(center, -1)
        prev_prev = near(prev, -1) if prev is not None else None
        following = near(center, 1)
        next_next = near(following, 1) if following is not None else None
        if _allow_merge(prev, prev_prev, fill):
            self._merge(prev_prev, prev)
        if _allow_merge(following, next_next, fill):
            self._merge(following, next_next)
        before = near(center, -1)
        target = self._merge(before, center) if _allow_merge(center, before, fill) else center
        after = near(target, 1)
        if _allow_merge(target, after, fill):
            self._merge(target, after)

    def replace(self, index: int, value: bytes) -> bool:
        """Set the entry at ``index`` to ``value`` (LSET; quicklistReplaceEntry)."""
        found = self._locate(index)
        if found is None:
            return False
        at, signed = found
        node = self.nodes[at]
        offset = signed if signed >= 0 else signed + node.count
        large = _is_large(len(value))
        self._open(node)  # (the iterator that found the entry opened its node)
        if not node.plain and not large:
            node.pack.replace(offset, value)
            self._touch(node)
        elif node.plain and large:
            node.pack.entries[0] = value
            self._touch(node)
        elif node.plain:
            self._insert_at(at, offset, signed, value, after=True)
            self._delete_node(node)
        else:
            # A large value into a listpack node: insert it after, then take the old one out.
            node.dont_compress = True
            self._insert_at(at, offset, signed, value, after=True)
            if node.count == 1:
                self._delete_node(node)
            else:
                # The insert split the node after the old value: it is now the node's last.
                node.pack.pop(-1)
                self.count -= 1
                node.dont_compress = False
                self._touch(node)
                at = self._position(node)
                if at + 1 < len(self.nodes):
                    self._touch(self.nodes[at + 1])
        return True

    def delete_range(self, start: int, count: int) -> None:
        """Remove ``count`` entries from ``start`` (negative: from the tail) on, as far as the
        list goes (LTRIM; quicklistDelRange)."""
        if count <= 0:
            return
        extent = count
        if start >= 0 and extent > self.count - start:
            extent = self.count - start
        elif start < 0 and extent > -start:
            extent = -start
        found = self._locate(start)
        if found is None:
            return
        at, offset = found
        node: Node | None = self.nodes[at]
        while extent and node is not None:
            at = self._position(node)
            following = self.nodes[at + 1] if at + 1 < len(self.nodes) else None
            entire = False
            if offset == 0 and extent >= node.count:
                entire, gone = True, node.count
            elif offset >= 0 and extent + offset >= node.count:
                gone = node.count - offset
            elif offset < 0:
                gone = min(-offset, extent)
            else:
                gone = extent
            if entire or node.plain:
                self._delete_node(node)
            else:
                self._open(node)
                first = offset if offset >= 0 else node.count + offset
                node.pack.delete(first, gone)
                self.count -= gone
                if not node.count:
                    self._delete_node(node)
                else:
                    self._reclose(node)
            extent -= gone
            node, offset = following, 0

    def remove(self, value: bytes, count: int = 0) -> int:
        """LREM: remove the entries equal to ``value``, the first ``count`` from the head (from
        the tail if negative; all if 0); how many went. Nodes never merge here."""
        forward, limit, removed = count >= 0, abs(count), 0
        nodes = self.nodes
        at = 0 if forward else len(nodes) - 1
        while 0 <= at < len(nodes):
            node = nodes[at]
            self._open(node)
            entries = node.pack.entries
            i = 0 if forward else len(entries) - 1
            while 0 <= i < len(entries):
                if entries[i] != value:
                    i += 1 if forward else -1
                    continue
                survives = not node.plain and len(entries) > 1
                self._delete_entry(node, i)
                removed += 1
                if not survives:
                    break
                if not forward:
                    i -= 1
                if removed == limit:
                    self._touch(node)
                    return removed
            else:
                self._touch(node)  # read to its end: the iterator moves on
                at += 1 if forward else -1
                continue
            # The node went with its last entry: the iterator stands on its neighbour.
            at = at if forward else at - 1
            if removed == limit:
                if 0 <= at < len(nodes):
                    self._touch(nodes[at])
                return removed
        return removed

    def delete_at(self, index: int) -> None:
        """Remove the entry at ``index`` (LREM's quicklistDelEntry): no merge."""
        found = self._locate(index)
        if found is None:
            raise IndexError(index)
        at, offset = found
        node = self.nodes[at]
        self._open(node)  # (the iterator opened it; moving on closes it again)
        survives = not node.plain and node.count > 1
        self._delete_entry(node, offset if offset >= 0 else offset + node.count)
        if survives:
            self._touch(node)

    # --- whole lists --------------------------------------------------------------------------
    def append_node(self, node: Node) -> None:
        """Add a node read from a file (quicklistAppendListpack / AppendPlainNode)."""
        self._insert_node(len(self.nodes), node, self.nodes[-1] if self.nodes else None)
        self.count += node.count

    def copy(self) -> Quicklist:
        twin = Quicklist(self.fill, self.compress)
        for node in self.nodes:
            copied = Node(Listpack(), node.plain)
            copied.pack.entries = list(node.pack.entries)
            copied.pack.nbytes = node.pack.nbytes
            copied.lzf = node.lzf
            twin.nodes.append(copied)
        twin.count = self.count
        return twin

    def __eq__(self, other: object) -> bool:
        # Two lists are equal when they hold the same entries in the same order.
        return type(other) is Quicklist and other.count == self.count and list(other) == list(self)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"<Quicklist: {self.count} entries in {len(self.nodes)} nodes>"

    # --- the picture (the StructureView) --------------------------------------------------------
    def layout(self, cap: int = 64, text: Callable[[bytes], str] = repr) -> dict:
        """How Redis holds this list, as the views draw it (robj.py's shapes): the robj, the
        quicklist header, then each node (up to NODES_SHOWN of them, the rest counted) with its
        listpack's bytes: the header, each entry's cells (at most ``cap`` entries in all), the
        end byte; a compressed node as its LZF size."""
        robj = block("list", "quicklist")
        robj["fields"][-1]["points_to"] = "quicklist"
        nodes = self.nodes
        header = {"id": "quicklist", "shape": "cells", "title": "quicklist",
                  "bytes": QUICKLIST_SIZE, "alloc": malloc_size(QUICKLIST_SIZE), "fields": [
                      {**field("ql.head", "head", value="→ node 0", kind="pointer", width=8),
                       "points_to": "node0"},
                      field("ql.tail", "tail", value=f"→ node {len(nodes) - 1}", kind="pointer",
                            width=8),
                      field("ql.count", "count", little_endian(self.count, 8),
                            f"{self.count} entries"),
                      field("ql.len", "len", little_endian(len(nodes), 8), f"{len(nodes)} nodes"),
                      field("ql.fill", "fill", value=str(self.fill), width=2),
                      field("ql.compress", "compress", value=str(self.compress), width=2)]}
        blocks = [robj, header]
        budget = cap
        for at, node in enumerate(nodes[:NODES_SHOWN]):
            blocks.append(_node_block(at, node, len(nodes), budget, text))
            budget = max(budget - node.count, 0)
        total = robj["alloc"] + header["alloc"] + sum(
            malloc_size(NODE_SIZE) + malloc_size(len(node.lzf) if node.lzf is not None else node.sz)
            for node in nodes)
        compressed = sum(node.lzf is not None for node in nodes)
        notes = ["a node takes entries while its listpack stays within "
                 + (f"{OPTIMIZATION_LEVEL[-self.fill - 1]:,} bytes (list-max-listpack-size "
                    f"{self.fill})" if self.fill < 0 else
                    f"{self.fill} entries and {SIZE_SAFETY_LIMIT:,} bytes "
                    f"(list-max-listpack-size {self.fill})")
                 + "; then a push starts a new node, and an insert in the middle splits one",
                 "each entry: its encoding byte(s) and data, then its length again (backlen), "
                 "so the list can be walked from either end"]
        if self.compress:
            notes.append(f"the {self.compress} node(s) at each end stay as they are; the ones "
                         f"between are LZF-compressed ({compressed} now)")
        if len(nodes) > NODES_SHOWN:
            notes.append(f"only the first {NODES_SHOWN} nodes are drawn (of {len(nodes):,})")
        return {"type": "list", "encoding": "quicklist",
                "summary": (f"quicklist: {self.count:,} entries in {len(nodes):,} listpack "
                            f"node{'s' if len(nodes) != 1 else ''}"
                            + (f", {compressed} compressed" if compressed else "")),
                "blocks": blocks, "notes": notes,
                "facts": {"length": self.count, "nodes": len(nodes), "total": total}}


#: sizeof(quicklist) and sizeof(quicklistNode) on a 64-bit machine: the header holds head and
#: tail pointers, count, len and the option bits; a node its prev, next and entry pointers, its
#: size, and its count and flags in 32 bits.
QUICKLIST_SIZE = 40
NODE_SIZE = 32
#: The nodes a picture draws at most.
NODES_SHOWN = 6


def _node_block(at: int, node: Node, nodes: int, budget: int,
                text: Callable[[bytes], str]) -> dict:
    where = "head" if at == 0 else "tail" if at == nodes - 1 else "interior"
    base = {"id": f"node{at}", "shape": "cells", "bytes": node.sz, "alloc": malloc_size(node.sz)}
    # The node's links: prev and next (NULL at the ends), the next one drawn as an arrow.
    links = [field(f"n{at}.prev", "prev", little_endian(0, 8) if at == 0 else None,
                   "NULL" if at == 0 else f"→ node {at - 1}",
                   kind="header" if at == 0 else "pointer", width=8),
             field(f"n{at}.next", "next", little_endian(0, 8) if at == nodes - 1 else None,
                   "NULL" if at == nodes - 1 else f"→ node {at + 1}",
                   kind="header" if at == nodes - 1 else "pointer", width=8)]
    if at < min(nodes, NODES_SHOWN) - 1:
        links[1]["points_to"] = f"node{at + 1}"
    if node.plain:
        value = node.pack.entries[0]
        return {**base, "title": f"node {at} ({where}): plain, one value of {len(value):,} bytes",
                "fields": links + [field(f"n{at}.plain", "value", kind="data",
                                         value=text(value[:32]) + ("…" if len(value) > 32 else ""),
                                         width=len(value))]}
    if node.lzf is not None:
        return {**base, "title": (f"node {at} ({where}): {plural(node.count, 'entry', 'entries')}, LZF-compressed "
                                  f"{node.sz:,} → {len(node.lzf):,} bytes"),
                "alloc": malloc_size(len(node.lzf)),
                "fields": links + [field(f"n{at}.lzf", "compressed listpack", kind="data",
                                         value=f"{node.count} entries: read it and it is "
                                               "decompressed", width=len(node.lzf))]}
    entries = node.pack.entries
    fields = links + [
        field(f"n{at}.bytes", "total bytes", little_endian(node.sz, 4), f"{node.sz}"),
        field(f"n{at}.count", "entries", little_endian(min(node.count, 0xFFFF), 2),
              str(node.count))]
    for index, value in enumerate(entries[:budget]):
        encoded = encode_entry(value)
        drawn = encoded if len(encoded) <= 12 else encoded[:10]
        fields.append({**field(f"n{at}.e{index}", f"[{index}]", [c[0] for c in cells(drawn)],
                               text(value), kind="member", chars=[c[1] for c in cells(drawn)]),
                       "width": len(encoded)})
    if len(entries) > budget:
        rest = sum(len(encode_entry(value)) for value in entries[budget:budget + 1000])
        fields.append(field(f"n{at}.more", f"… and {len(entries) - budget:,} more entries",
                            kind="more", width=rest))
    fields.append(field(f"n{at}.end", "end", ["ff"], "LP_EOF", kind="nul"))
    return {**base, "title": f"node {at} ({where}): listpack, {plural(node.count, 'entry', 'entries')}, "
                             f"{node.sz:,} bytes", "fields": fields}


# The header and end byte every listpack node spends (HEADER_SIZE + 1 = 7 bytes).
EMPTY_LISTPACK_BYTES = HEADER_SIZE + 1
