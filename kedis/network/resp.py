"""RESP, the Redis protocol, without any I/O: bytes in, commands out; replies in, bytes out.

A client sends each command in one of two forms, and the first byte tells which (Redis's
``processInputBuffer`` in networking.c):

- **multibulk**, what every client library sends: an array of bulk strings,
  ``*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$1\\r\\nv\\r\\n``. Binary safe: each argument says its
  length first, so it may hold any byte, newlines included (``processMultibulkBuffer``);
- **inline**, what a person types in telnet: one line of text split as redis-cli splits it,
  ``SET k "hello world"\\r\\n`` (``processInlineBuffer``, which uses sds.c's ``sdssplitargs``,
  Kedis's ``parser.split_args``).

``RequestParser`` holds no socket: the server feeds it whatever bytes arrived, as they arrived
(half a command, or fifty), and asks for the complete commands. Its state never depends on how the
bytes were cut, which the tests check by feeding every input one byte at a time, with one
exception that Redis has too: a line longer than 64 KB (``QueryBuffer``). The same object
would serve a blocking server, a thread per client or a test (h11 does the same for HTTP).

    parser = RequestParser()
    parser.feed(b"*1\\r\\n$4\\r\\nPI")
    parser.next_command()      # None: not complete yet
    parser.feed(b"NG\\r\\n")
    parser.next_command()      # [b'PING']

Input that breaks the protocol raises ``ProtocolError`` with Redis's text ("Protocol error:
invalid bulk length"); the server answers it as an error and closes that connection only, as Redis
does. Commands before the bad bytes are returned first, and run.

Replies go the other way: ``encode(reply, protocol)`` is the reply's RESP2 bytes (``reply.resp()``),
or its RESP3 bytes (``reply.resp3()``) for a client that said ``HELLO 3``. RESP3 adds types that
RESP2 spells as arrays and bulks: null (``_``), map (``%``), verbatim text (``=``)...

``HiredisRequestParser`` is the same parser with the C reader of the ``hiredis`` package doing the
common case (whole multibulk commands) several times faster; see its docstring. It passes the same
tests; the server uses it when hiredis is installed.
"""

from __future__ import annotations

import re
from collections import deque

from ..engine.errors import one_line
from ..engine.parser import ParseError, split_args
from ..engine.reply import Reply

__all__ = ["RequestParser", "HiredisRequestParser", "ProtocolError", "encode", "encode_command",
           "make_parser", "HAVE_HIREDIS", "INLINE_MAX_SIZE"]

#: The longest header line or inline command Redis reads before giving up (PROTO_INLINE_MAX_SIZE).
INLINE_MAX_SIZE = 64 * 1024
#: Before AUTH, Redis refuses big requests outright: an unauthenticated client cannot make the
#: server buffer much (a fix for CVE-2021-32675).
UNAUTHENTICATED_MAX_ARGS = 10
UNAUTHENTICATED_MAX_BULK = 16384
_INT_MAX = 2 ** 31 - 1


class ProtocolError(Exception):
    """Bytes that are not a command. The message is the error reply's text, after ``ERR ``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def reply_text(self) -> str:
        return f"ERR Protocol error: {self.message}"

    @property
    def reply_bytes(self) -> bytes:
        """The error reply's bytes: a user's byte in the message goes out as it came."""
        return b"-" + self.reply_text.encode("utf-8", "surrogateescape") + b"\r\n"


def _length(line: bytes) -> int | None:
    """A header's number, read as Redis's string2ll does: digits, an optional ``-``, no leading
    zero, no ``+``, no spaces. Python's ``int()`` would take ``" +007"``; Redis would not."""
    if line.isdigit():  # the usual case, fast
        if line[0] == 0x30 and len(line) > 1:  # "03"
            return None
        return int(line) if len(line) < 20 else _string2ll(line)
    return _string2ll(line)


def _string2ll(line: bytes) -> int | None:
    digits = line[1:] if line[:1] == b"-" else line
    if not digits.isdigit() or len(line) > 20 or (digits[0] == 0x30 and line != b"0"):
        return None
    value = int(line)
    return value if -(2 ** 63) <= value < 2 ** 63 else None


#: Redis reads a client's socket 16 KB at a time at first (PROTO_IOBUF_LEN), and an argument
#: of 32 KB or more exactly to its end (PROTO_MBULK_BIG_ARG), to take the buffer as the value.
IOBUF_LEN = 16 * 1024
BIG_ARG = 32 * 1024
_MAX_PREALLOC = 1024 * 1024  # sds.c's SDS_MAX_PREALLOC


def _malloc_size(size: int) -> int:
    """The block jemalloc hands out for ``size`` bytes: its size classes are four per doubling
    (..., 16 KB, 20 KB, 24 KB, 28 KB, 32 KB, 40 KB...), and malloc_usable_size tells Redis so."""
    if size <= 8:
        return 8
    if size <= 128:
        return -(-size // 16) * 16
    spacing = 1 << ((size - 1).bit_length() - 3)
    return -(-size // spacing) * spacing


def _sds_capacity(wanted: int) -> int:
    """The capacity of an sds string made for ``wanted`` bytes (sdsMakeRoomFor, sdsnewlen): its
    header grows with the length it can hold (3, 5, 9 or 17 bytes), and it uses all the block."""
    for header, limit in ((3, 1 << 8), (5, 1 << 16), (9, 1 << 32), (17, 1 << 64)):
        if wanted < limit:
            return min(_malloc_size(header + wanted + 1) - header - 1, limit - 1)
    raise ValueError(wanted)


class QueryBuffer:
    """How much of what a client sent Redis has *read* each time it looks (readQueryFromClient
    in networking.c, the growth of an sds string in sds.c, jemalloc's size classes).

    Redis reads what a client sent in steps, and parses after each read: its first read takes
    16 KB; from then on it grows the buffer greedily (to twice what it must hold) and reads as
    much as the block jemalloc gave it can take. This is visible in one place only: a line it
    must find the end of (an inline command, a ``*``/``$`` header) is refused once more than
    64 KB of it are read without its newline. So a lone inline command sent at once is run up
    to 81,910 bytes (16,384 read, then a buffer of 81,910) and refused from 81,911; after a
    first command, the second read is smaller and the third takes it to 163,830.

    Kedis's parser sees whatever the socket gave it (uvloop reads 256 KB at a time), and replays
    these reads over it, so that it refuses what Redis refuses. Kedis simplifies: the buffer is
    never shrunk (Redis's clientsCron shrinks an idle client's), and the hiredis fast path,
    which takes only whole commands, does not replay its chunks.
    """

    __slots__ = ("capacity",)

    def __init__(self) -> None:
        self.capacity = _sds_capacity(0)  # sdsempty()

    def read(self, held: int) -> int:
        """The size of Redis's next read, while its buffer holds ``held`` unparsed bytes."""
        if self.capacity < IOBUF_LEN:  # the first read: exactly 16 KB, the buffer made to fit
            self._make_room(held, IOBUF_LEN, greedy=False)
            return IOBUF_LEN
        self._make_room(held, IOBUF_LEN, greedy=True)
        return self.capacity - held  # "read as much as possible", to save read(2) calls

    def big_argument(self, held: int, length: int) -> int:
        """An argument of ``length`` bytes (at least BIG_ARG), of which ``held`` are read: Redis
        makes room for exactly it (and its CRLF) and reads no further. Answers the read's size."""
        self._make_room(held, length + 2 - held, greedy=False)
        return length + 2 - held

    def argument_taken(self, length: int) -> None:
        """A big argument read exactly: its buffer became the value, and Redis starts a new
        one the same size (processMultibulkBuffer)."""
        self.capacity = _sds_capacity(length + 2)

    def _make_room(self, held: int, more: int, greedy: bool) -> None:
        if self.capacity - held >= more:
            return
        wanted = held + more
        if greedy:
            wanted = wanted * 2 if wanted < _MAX_PREALLOC else wanted + _MAX_PREALLOC
        self.capacity = _sds_capacity(wanted)


class RequestParser:
    """Commands out of a stream of bytes from one client (Redis's query buffer and its parsers).

    ``feed(data)`` adds bytes; ``next_command()`` answers the next complete command as a list of
    bytes, or None when more bytes are needed; it raises ProtocolError on bytes that break the
    protocol (the connection is then useless: its next bytes cannot be trusted to start a command).
    Empty commands (a blank inline line, ``*0``) are skipped, as Redis skips them.

    ``max_bulk_len`` is ``proto-max-bulk-len``; set ``auth_required`` while the client has not
    authenticated, for Redis's small limits on unauthenticated requests.
    """

    def __init__(self, max_bulk_len: int = 512 * 1024 * 1024) -> None:
        self.buffer = bytearray()
        self.pos = 0                 # where the unread bytes start
        # How far Redis would have read by now (QueryBuffer): the parser looks no further. A
        # read that the bytes that arrived cut short goes on with the next ones, up to its end.
        self.seen = 0
        self._read_end = 0
        self._reads = QueryBuffer()
        self.max_bulk_len = max_bulk_len
        self.auth_required = False
        # A multibulk command read in part: its arguments so far, how many are still to come,
        # and the length of the next one once its header is read (-1: not read yet).
        self._argv: list[bytes] | None = None
        self._missing = 0
        self._bulk_len = -1
        # Commands parsed but not taken yet (hiredis's, or handed back by ``unread``), and a
        # protocol error found after some commands, raised once they have been taken.
        self._ready: deque[list[bytes]] = deque()
        self._error: ProtocolError | None = None

    def feed(self, data: bytes) -> None:
        self.buffer += data

    @property
    def pending(self) -> int:
        """How many bytes are buffered but not yet part of a returned command."""
        return len(self.buffer) - self.pos

    def idle(self) -> bool:
        """True when no command is half read: the next byte will start a new one."""
        return not self._ready and self._argv is None and self.pos == len(self.buffer)

    def commands(self) -> list[list[bytes]]:
        """Every complete command, in a list (a server's loop takes them all at once). A protocol
        error after some commands is raised by the next call, once they have run."""
        commands = list(self._ready)
        self._ready.clear()
        if self._error is not None:
            if not commands:
                raise self._error
            return commands
        try:
            while (argv := self.next_command()) is not None:
                commands.append(argv)
        except ProtocolError as error:
            if not commands:
                raise
            self._error = error
        return commands

    def unread(self, commands: list[list[bytes]]) -> None:
        """Hand back commands taken but not run (the server paused): they come out first."""
        self._ready.extendleft(reversed(commands))

    def next_command(self) -> list[bytes] | None:
        if self._ready:
            return self._ready.popleft()
        if self._error is not None:
            raise self._error
        while True:
            buffer = self.buffer
            pos = self.pos
            if pos == self.seen:
                if pos == len(buffer):
                    if pos:  # everything is read: free the buffer instead of keeping it around
                        del buffer[:]
                        self.pos = self.seen = self._read_end = 0
                    return None
                self._read()
            if self._argv is None and buffer[pos] != 0x2A:  # not "*": an inline command
                argv = self._inline()
            else:
                argv = self._multibulk()
            if argv is None:
                if self.seen < len(self.buffer):  # Redis would read again, and look again
                    self._read()
                    continue
                if self.pos > 65536:  # drop what was read, so the buffer does not grow forever
                    del self.buffer[:self.pos]
                    self.seen -= self.pos
                    self._read_end -= self.pos
                    self.pos = 0
                return None
            if argv:
                return argv

    def _read(self) -> None:
        # One of Redis's reads (QueryBuffer) over the bytes that have arrived: an argument of
        # 32 KB or more is read to its end and no further, anything else as the buffer allows.
        # Redis reads sooner than Kedis, so a read the bytes cut short is taken to have waited
        # for the rest (it is checked where it was cut all the same, as Redis checks a short read).
        if self._read_end <= self.seen:
            held = self.seen - self.pos
            if self._argv is not None and self._bulk_len >= BIG_ARG:
                size = self._reads.big_argument(held, self._bulk_len)
            else:
                size = self._reads.read(held)
            self._read_end = self.seen + size
        self.seen = min(self._read_end, len(self.buffer))

    def _multibulk(self) -> list[bytes] | None:
        """``*<count>\\r\\n`` then ``count`` times ``$<length>\\r\\n<bytes>\\r\\n``."""
        buffer = self.buffer
        pos = self.pos
        end = self.seen
        if self._argv is None:
            newline = buffer.find(b"\r", pos, end)
            if newline < 0 or newline > end - 2:  # the header, with its \n, is not all here
                if newline < 0 and end - pos > INLINE_MAX_SIZE:
                    raise ProtocolError("too big mbulk count string")
                return None
            count = _length(bytes(buffer[pos + 1:newline]))
            if count is None or count > _INT_MAX:
                if self._nul_before(pos, newline):
                    return None
                raise ProtocolError("invalid multibulk length")
            if count > UNAUTHENTICATED_MAX_ARGS and self.auth_required:
                raise ProtocolError("unauthenticated multibulk length")
            pos = self.pos = newline + 2
            if count <= 0:
                return []  # "*0" and "*-1" are empty commands: nothing to run
            self._argv = []
            self._missing = count
        argv = self._argv
        bulk_len = self._bulk_len
        while self._missing:
            if bulk_len < 0:
                newline = buffer.find(b"\r", pos, end)
                if newline < 0 or newline > end - 2:
                    if newline < 0 and end - pos > INLINE_MAX_SIZE:
                        raise ProtocolError("too big bulk count string")
                    break
                if buffer[pos] != 0x24:  # "$"
                    # The byte as it is (a byte >= 0x80 too), a CR or LF made a space.
                    got = bytes(buffer[pos:pos + 1]).decode("utf-8", "surrogateescape")
                    raise ProtocolError(f"expected '$', got '{one_line(got)}'")
                bulk_len = _length(bytes(buffer[pos + 1:newline]))
                if bulk_len is None or bulk_len < 0 or bulk_len > self.max_bulk_len:
                    if self._nul_before(pos, newline):
                        bulk_len = -1
                        break
                    raise ProtocolError("invalid bulk length")
                if bulk_len > UNAUTHENTICATED_MAX_BULK and self.auth_required:
                    raise ProtocolError("unauthenticated bulk length")
                pos = newline + 2
            if end - pos < bulk_len + 2:
                break
            # Like Redis, the two bytes after the argument are skipped, not checked for "\r\n".
            argv.append(bytes(buffer[pos:pos + bulk_len]))
            pos += bulk_len + 2
            if bulk_len >= BIG_ARG and pos == end:
                self._reads.argument_taken(bulk_len)
            bulk_len = -1
            self._missing -= 1
        self.pos = pos
        self._bulk_len = bulk_len
        if self._missing:
            return None
        self._argv = None
        return argv

    def _nul_before(self, start: int, newline: int) -> bool:
        # Redis finds a header's end with C's strchr, which stops at a NUL byte: a header with a
        # NUL in it is, for Redis, a header whose end has not arrived. It waits for more bytes.
        return self.buffer.find(b"\0", start, newline) >= 0

    def _inline(self) -> list[bytes] | None:
        """One line of text, ending in ``\\n`` or ``\\r\\n``, split as redis-cli splits it."""
        buffer = self.buffer
        pos = self.pos
        newline = buffer.find(b"\n", pos, self.seen)
        if newline >= 0 and buffer.find(b"\0", pos, newline) >= 0:
            newline = -1  # strchr stops at the NUL, as above
        if newline < 0:
            if self.seen - pos > INLINE_MAX_SIZE:
                raise ProtocolError("too big inline request")
            return None
        end = newline - 1 if newline > pos and buffer[newline - 1] == 0x0D else newline
        try:
            argv = split_args(bytes(buffer[pos:end]))
        except ParseError:
            raise ProtocolError("unbalanced quotes in request") from None
        self.pos = newline + 1
        return argv


class HiredisRequestParser(RequestParser):
    """The RequestParser, with hiredis's C reader parsing whole multibulk commands.

    hiredis reads RESP *replies*, which include arrays of bulk strings, so it can read requests
    too, and it reads numbers as strictly as Redis (its string2ll is Redis's) and skips the two
    bytes after an argument as Redis does. But it also reads what no request is (RESP3's sets,
    maps, pushes, a status or a number inside an array), knows no inline commands, has its own
    error texts, and may hold half a command where we cannot see it. So it gets only the chunks
    where it provably reads as Redis does, and its commands are kept only when the chunk turns
    out to be exactly whole commands:

    - the chunk starts with ``*`` and has no ``\r\n`` followed by ``+ = ~ > |`` (the types
      hiredis would turn into bytes or lists; an argument starting with one of them is only sent
      to the slower path): every other type comes back as something other than bytes, and is
      caught below;
    - the chunk has no ``*`` followed by seven digits: hiredis makes the list an array header
      announces before its elements come (13 bytes, ``*2147483647\r\n``, would hold the server
      for seconds while it allocates 16 GB). The Python parser allocates for what arrives, as
      Redis does (at most 1,024 slots before the arguments come);
    - every command is a list of bytes;
    - after the chunk, an empty command ``*0\r\n`` is fed as a sentinel: hiredis gives it back as
      ``[]`` only if the chunk ended between two commands. Otherwise the sentinel fell into a
      half-read command, and the reader is thrown away.

    Anything else (a chunk that ends in the middle of a command, inline text, a protocol error, a
    client that has not authenticated yet) goes to the plain Python parser, from the chunk's
    first byte, which goes on until it is idle again. A client that pipelines whole commands
    (redis-benchmark, redis-py's pipelines) stays on the fast path.
    """

    def __init__(self, max_bulk_len: int = 512 * 1024 * 1024) -> None:
        super().__init__(max_bulk_len)
        self._reader = _hiredis.Reader()
        self._python = False  # the Python parser has bytes to finish
        self._batch: list[list[bytes]] = []  # commands hiredis read, not taken yet

    def feed(self, data: bytes) -> None:
        if (self._python or self.auth_required or data[:1] != b"*" or len(data) > 1 << 20
                or (_has_marker(data) and _ODD_TYPES.search(data) is not None)
                or _BIG_ARRAY.search(data) is not None):
            self._python = True
            self.buffer += data
            return
        reader = self._reader
        reader.feed(data)
        reader.feed(_SENTINEL)
        try:
            # Every reply hiredis can read from the chunk, in C: gets() answers False when it
            # needs more bytes, which ends iter().
            commands = list(iter(reader.gets, False))
            for argv in commands:
                # join refuses anything but a list of bytes: a nested array, a number, a
                # null... raises TypeError, in C, faster than a Python look at each argument.
                b"".join(argv)
        except (TypeError, _hiredis.ProtocolError):
            commands = None
        if not commands or commands.pop() != []:
            self._reader = _hiredis.Reader()  # it may hold half a command: start afresh
            self._python = True
            self.buffer += data
            return
        if [] in commands:
            commands = [argv for argv in commands if argv]  # "*0" is no command
        self._batch += commands

    def commands(self) -> list[list[bytes]]:
        if self._python or self._ready:
            return super().commands()
        commands = self._batch  # the fast path: hiredis's commands, all at once
        self._batch = []
        return commands

    def next_command(self) -> list[bytes] | None:
        if self._batch:  # commands hiredis read, in order, before those taken back (unread)
            self._ready.extend(self._batch)
            self._batch = []
        if self._ready or not self._python:
            return self._ready.popleft() if self._ready else None
        argv = super().next_command()
        if argv is None and self._argv is None and self.pos == len(self.buffer):
            self._python = False  # caught up: hiredis may take the next chunk
        return argv

    def idle(self) -> bool:
        return not self._batch and super().idle()


_SENTINEL = b"*0\r\n"
_ODD_TYPES = re.compile(rb"\r\n[+=~>|]")
_BIG_ARRAY = re.compile(rb"\*[0-9]{7}")  # (no nesting, no backtracking: one pass in C)
_MARKERS = b"+=~>|"


def _has_marker(data: bytes) -> bool:
    # Most chunks hold none of these bytes at all, which one pass in C proves (deleting them
    # changes nothing) twice as fast as the regular expression looks for them after a \r\n.
    return len(data.translate(None, _MARKERS)) != len(data)


try:
    import hiredis as _hiredis

    HAVE_HIREDIS = True
except ImportError:  # the optional speed-up is not installed: the Python parser does it all
    _hiredis = None
    HAVE_HIREDIS = False


def make_parser(max_bulk_len: int = 512 * 1024 * 1024, *, use_hiredis: bool | None = None
                ) -> RequestParser:
    """The fastest parser available (hiredis's when installed), or the one asked for."""
    if use_hiredis is None:
        use_hiredis = HAVE_HIREDIS
    if use_hiredis:
        if not HAVE_HIREDIS:
            raise RuntimeError("the hiredis package is not installed")
        return HiredisRequestParser(max_bulk_len)
    return RequestParser(max_bulk_len)


# --- the other way: replies to bytes ----------------------------------------------------------------
def encode(reply: Reply, protocol: int = 2) -> bytes:
    """A reply's bytes on the wire for a client speaking RESP2 or RESP3."""
    return reply.resp() if protocol == 2 else reply.resp3()


def encode_command(argv: list[bytes] | tuple[bytes, ...]) -> bytes:
    """A command as clients send it, and as the AOF records it (catAppendOnlyGenericCommand): an
    array of bulk strings, ``*2\r\n$3\r\nGET\r\n$1\r\nk\r\n``."""
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in argv)
