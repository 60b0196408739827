"""The append-only file: every change, as the command that made it (Redis's aof.c, Redis 7.0's layout).

A snapshot (rdb.py) loses what changed since it was taken. The AOF loses (almost) nothing: each
write command that changed something is appended to a file, in RESP, the protocol clients speak,
right after it ran and before its reply is handed back. At start, the server replays the file
and is where it was. Redis 7.0 splits it into parts, in a folder (``appenddirname``)::

    appendonlydir/
        appendonly.aof.1.base.rdb     the store at one instant (an RDB file: the "preamble")
        appendonly.aof.1.incr.aof     every write since, as commands
        appendonly.aof.manifest       which files, in which order: "file ... seq 1 type b"

so that **BGREWRITEAOF** can compact it without stopping the writes: it opens a new incr file
(writes go there from then on), writes a new base from a copy of the store taken at that instant
(as BGSAVE does, disk.py), and when the base is complete, swaps the manifest (written to a
temporary file and renamed: atomic) to the new base and the new incr file, and deletes the old
files. A crash at any moment leaves a manifest that names complete files. With
``aof-use-rdb-preamble no`` the base is commands too: the fewest that rebuild each key (SET,
SADD, then PEXPIREAT for a TTL).

What is written is not always the command as typed, because replaying it later must give the
same store: a relative TTL (``SET k v EX 10``, ``EXPIRE k 10``) becomes an absolute deadline
(``SET k v PXAT <ms>``, ``PEXPIREAT k <ms>``), INCRBYFLOAT its result (``SET k <value> KEEPTTL``),
SPOP the members it drew (``SREM``), RESTORE's relative TTL its deadline (with ``ABSTTL``), and a
key that expires becomes ``DEL``. See PROPAGATE. When one command writes more than one (a key
expired as the command read it: ``DEL``, then the command), they go between ``MULTI`` and
``EXEC``, as Redis 7.0 writes them, so that a replay applies both or neither.

**appendfsync** says when the bytes reach the disk. Each command's bytes are handed to the kernel
(``write``) before the command returns, whatever the policy, so a process that is killed loses
nothing it acknowledged; what the policy decides is what a *machine* crash (power cut, kernel
panic) may lose, since the kernel keeps written bytes in memory for a while:

- ``always``: fsync after every command: nothing lost, and each write waits for the disk;
- ``everysec`` (the default): a background thread fsyncs once a second: about a second lost;
- ``no``: the kernel writes when it likes (Linux: within about 30 seconds).

At start, a last command cut short (the process died in the middle of a write) is dropped with
a warning and the file is cut there, as with Redis's ``aof-load-truncated yes``; anything else
that is not RESP stops the start with the file and byte where it went wrong.

**When the disk says no** (full, or failing), the command has already changed the store: a
store in memory cannot take a change back. What happens next is what the policy promised:

- ``everysec`` and ``no`` promised "about a second", so the command is answered as usual and its
  bytes wait in ``buffer`` (Redis's aof_buf), tried again at every tick (Redis: beforeSleep and
  serverCron) and before a write is refused. Meanwhile every write command, and PING (a
  monitoring PING must notice), is refused with ``-MISCONF Errors writing to the AOF file: ...``
  (disk.py's ``write_error``, the dispatcher's gate in engine/dispatcher.py); reads go on. When a
  retry succeeds: "AOF write error looks solved", and writes are accepted again. A write the
  disk took only part of is cut off the file (ftruncate), so that the file never ends inside a
  command it will get again whole.
- ``always`` promised that an acknowledged write is on disk, and this one is not. kedis-server
  does what Redis does: it logs "Can't recover from AOF write error when the AOF fsync policy is
  'always'. Exiting..." and exits with status 1 before the reply is sent (network/server.py's
  ``fatal``): the client sees its connection close, never an OK. An engine embedded in a Jupyter
  kernel or the REPL must not take its host down with it (that would lose the whole store, the
  opposite of what ``always`` is for), so it keeps the promise another way: the command's reply
  becomes that MISCONF error, which says that the write is in memory only, and the engine goes on
  as under ``everysec``: the bytes are tried again, writes are refused until they are written.
  What was acknowledged is on disk; what was refused may not be, exactly as with Redis.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine.errors import CommandError
from ..engine.keyspace import TYPE_NAMES
from ..network.resp import encode_command
from ..util.clock import FakeClock
from . import rdb
from .snapshot import rdb_aux, snapshot

if TYPE_CHECKING:
    from ..engine.client import Client
    from ..engine.dispatcher import Kedis

__all__ = ["AOFError", "AppendOnlyFile", "Rewrite", "AOFPart", "read_manifest",
           "parse_commands", "load", "start", "stop", "PROPAGATE"]

BASE, HISTORY, INCR = "b", "h", "i"  # the types of a manifest's files

#: What kedis-server logs before it exits (Redis's words); see "When the disk says no" above.
CANNOT_RECOVER = ("Can't recover from AOF write error when the AOF fsync policy is 'always'. "
                  "Exiting...")
ERROR_LOG_INTERVAL = 30  # seconds between two logs of the same trouble (a retry every tick)


class AOFError(ValueError):
    """An AOF that cannot be loaded: which file, and where in it."""


# --- RESP -------------------------------------------------------------------------------------
class Truncated(Exception):
    """The data ends inside a command that started at ``offset``."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def parse_commands(data: bytes, name: str) -> Iterator[tuple[list[bytes], int]]:
    """Each command of an AOF, with the offset just after it. Raises Truncated when the data ends
    inside a command, AOFError for anything that is not RESP. Lines starting with ``#`` are
    annotations (Redis's aof-timestamp-enabled) and are skipped."""
    pos = 0
    size = len(data)
    find = data.find
    while pos < size:
        start = pos
        if data[pos] == 0x23:  # "#": an annotation line
            end = find(b"\r\n", pos)
            if end < 0:
                raise Truncated(start)
            pos = end + 2
            continue
        count, pos = _header(data, pos, b"*", name, start)
        argv = []
        for _ in range(count):
            length, pos = _header(data, pos, b"$", name, start)
            if pos + length + 2 > size:
                raise Truncated(start)
            if data[pos + length:pos + length + 2] != b"\r\n":
                raise AOFError(f"Bad file format reading the append only file {name}: no CRLF "
                               f"after the argument at byte {pos}")
            argv.append(data[pos:pos + length])
            pos += length + 2
        yield argv, pos


def _header(data: bytes, pos: int, marker: bytes, name: str, start: int) -> tuple[int, int]:
    """Read ``*<count>\\r\\n`` or ``$<length>\\r\\n`` at ``pos``: the number, and where the next
    part starts. ``start`` is where the command started (where a truncation cuts)."""
    if pos >= len(data):
        raise Truncated(start)
    if data[pos:pos + 1] != marker:
        raise AOFError(f"Bad file format reading the append only file {name}: expected "
                       f"{marker.decode()!r} at byte {pos}, found {data[pos:pos + 1]!r}")
    end = data.find(b"\r\n", pos)
    if end < 0:
        raise Truncated(start)
    text = data[pos + 1:end]
    if not text.isdigit():
        raise AOFError(f"Bad file format reading the append only file {name}: not a number at "
                       f"byte {pos}: {text[:20]!r}")
    return int(text), end + 2


# --- what is written for each command -----------------------------------------------------------
def _deadline_or_delete(db: Any, key: bytes, command: list[bytes]) -> list[bytes]:
    if key not in db.data:
        return [b"DEL", key]
    deadline = db.expires.get(key)
    return command if deadline is None else [b"PEXPIREAT", key, b"%d" % deadline]


def _set(db: Any, argv: tuple, reply: Any) -> list[bytes]:
    key = argv[1]
    if len(argv) == 3 or key not in db.data:
        return list(argv) if key in db.data else [b"DEL", key]
    deadline = db.expires.get(key)
    if deadline is None:
        return list(argv)  # NX, XX, GET, KEEPTTL: the same when replayed
    return [b"SET", key, db.data[key], b"PXAT", b"%d" % deadline]


def _setex(db: Any, argv: tuple, reply: Any) -> list[bytes]:  # SETEX/PSETEX key ttl value
    key = argv[1]
    deadline = db.expires.get(key)
    if key not in db.data or deadline is None:
        return list(argv)
    return [b"SET", key, db.data[key], b"PXAT", b"%d" % deadline]


def _getex(db: Any, argv: tuple, reply: Any) -> list[bytes]:
    key = argv[1]
    if key not in db.data:
        return [b"DEL", key]
    if any(arg.upper() == b"PERSIST" for arg in argv[2:]):
        return [b"PERSIST", key]
    return _deadline_or_delete(db, key, [b"PERSIST", key])


def _expire(db: Any, argv: tuple, reply: Any) -> list[bytes]:
    return _deadline_or_delete(db, argv[1], [b"PERSIST", argv[1]])


def _spop(db: Any, argv: tuple, reply: Any) -> list[bytes]:
    value = reply.value
    members = value if isinstance(value, list) else [value]
    return [b"SREM", argv[1], *members]


def _restore(db: Any, argv: tuple, reply: Any) -> list[bytes]:
    # A relative TTL becomes the deadline it gave, with ABSTTL (restoreCommand rewrites argv so);
    # a RESTORE that only deleted (REPLACE, and a TTL already past) is a DEL.
    key = argv[1]
    if key not in db.data:
        return [b"DEL", key]
    deadline = db.expires.get(key)
    if deadline is None or any(arg.split(b"\x00", 1)[0].lower() == b"absttl" for arg in argv[4:]):
        return list(argv)
    return [argv[0], key, b"%d" % deadline, *argv[3:], b"ABSTTL"]


#: Command name -> how to write it so that a replay gives the same store (Redis rewrites the
#: command vector the same way before propagating it). Commands not listed are written as typed.
PROPAGATE: dict[str, Callable[[Any, tuple, Any], list[bytes]]] = {
    "set": _set,
    "setex": _setex,
    "psetex": _setex,
    "getex": _getex,
    "getdel": lambda db, argv, reply: [b"DEL", argv[1]],
    "getset": lambda db, argv, reply: [b"SET", argv[1], argv[2]],
    "incrbyfloat": lambda db, argv, reply: [b"SET", argv[1], db.data[argv[1]], b"KEEPTTL"],
    "expire": _expire,
    "pexpire": _expire,
    "expireat": _expire,
    "pexpireat": _expire,
    "spop": _spop,
    "restore": _restore,
}


#: Written even when they changed nothing (Redis's forceCommandPropagation): FLUSHALL on an empty
#: store still says "empty from here on", and with save rules it saves, which cleans the counter.
ALWAYS_WRITTEN = frozenset({"flushall", "flushdb"})


# --- the manifest -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AOFPart:
    """One line of the manifest: ``file appendonly.aof.1.incr.aof seq 1 type i``."""

    name: str
    seq: int
    type: str

    def line(self) -> str:
        return f"file {self.name} seq {self.seq} type {self.type}\n"


def read_manifest(path: str) -> list[AOFPart]:
    parts = []
    with open(path, "rb") as file:
        for number, raw in enumerate(file, 1):
            line = raw.decode("utf-8", "replace").strip()
            if not line or line.startswith("#"):
                continue
            words = line.split()
            fields = dict(zip(words[::2], words[1::2], strict=False))
            try:
                part = AOFPart(fields["file"], int(fields["seq"]), fields["type"])
            except (KeyError, ValueError):
                raise AOFError(f"Invalid AOF manifest file format: line {number} of "
                               f"{os.path.basename(path)}: {line!r}") from None
            if part.type not in (BASE, HISTORY, INCR):
                raise AOFError(f"Unknown AOF file type {part.type!r} on line {number} of "
                               f"{os.path.basename(path)}")
            parts.append(part)
    return parts


class Folder:
    """The AOF's folder and names, from the configuration (dir, appenddirname, appendfilename)."""

    def __init__(self, server: Kedis) -> None:
        config = server.config
        self.path = os.path.join(server.persistence.dir, config["appenddirname"])
        self.prefix = config["appendfilename"]
        self.manifest = os.path.join(self.path, self.prefix + ".manifest")

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def parts(self) -> list[AOFPart]:
        return read_manifest(self.manifest) if os.path.exists(self.manifest) else []

    def write_manifest(self, parts: list[AOFPart]) -> None:
        """Replace the manifest atomically: a temporary file, fsynced, renamed over it."""
        os.makedirs(self.path, exist_ok=True)
        data = "".join(part.line() for part in parts if part.type != HISTORY).encode()
        rdb.write_file(self.manifest, [data])

    def base_name(self, seq: int, preamble: bool) -> str:
        return f"{self.prefix}.{seq}.base.{'rdb' if preamble else 'aof'}"

    def incr_name(self, seq: int) -> str:
        return f"{self.prefix}.{seq}.incr.aof"


# --- the open file ------------------------------------------------------------------------------
class AppendOnlyFile:
    """The incr file that write commands go to while ``appendonly`` is yes (``server.aof``)."""

    def __init__(self, server: Kedis, path: str) -> None:
        self.server = server
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.selected_db = -1  # the database of the last SELECT written (aof_selected_db)
        # After a failed write (see "When the disk says no"): the bytes still to write, the
        # database selected where they start, and why the write failed (strerror); the fsync
        # thread's last failure apart, as Redis keeps aof_bio_fsync_status.
        self.buffer = b""
        self.buffer_db = -1
        self.error: str | None = None
        self.fsync_error: str | None = None
        self._logged_at = -float("inf")  # the last time a write error was logged
        self.lock = threading.Lock()   # the fsync thread and a switch of file take turns
        self.unsynced = False          # bytes written since the last fsync
        self.last_fsync = time.monotonic()
        self.always = server.config["appendfsync"] == "always"
        self._expired: list | None = None  # while a command runs: the DELs of keys it expired
        self._transaction: list | None = None  # while EXEC runs: what its commands wrote
        self._stop = threading.Event()
        self._syncer = threading.Thread(target=self._fsync_every_second, name="kedis-aof-fsync",
                                        daemon=True)
        self._syncer.start()

    def call(self, cmd: Any, client: Client, argv: tuple[bytes, ...]) -> Any:
        """Run a command's handler and append it if it changed the store (call() in server.c:
        a command is propagated when it made the server dirtier; SAVE, which cleans it, is not),
        after the DELs of the keys it found expired."""
        if cmd.name == "exec":
            return self._call_exec(cmd, client, argv)
        stats = self.server.stats
        dirty = stats.dirty
        expired = self._expired = []
        try:
            reply = cmd.handler(client, argv)
        except BaseException:
            self._expired = None
            if expired:  # an error reply, but the expired keys are gone all the same
                self.feed(expired)
            raise
        self._expired = None
        if stats.dirty > dirty or cmd.name in ALWAYS_WRITTEN:
            rewrite = PROPAGATE.get(cmd.name)
            db = client.db
            expired.append((db.id, rewrite(db, argv, reply) if rewrite is not None else argv))
        if expired and not self.feed(expired) and self.always:
            raise CommandError(self.not_on_disk())  # (embedded: kedis-server has exited)
        return reply

    def _call_exec(self, cmd: Any, client: Client, argv: tuple[bytes, ...]) -> Any:
        # EXEC is not appended itself: what its commands wrote is, all together, between MULTI
        # and EXEC, so that a replay runs the transaction whole or (cut short) not at all.
        self._transaction = []
        logged = True
        try:
            reply = cmd.handler(client, argv)
        finally:
            written, self._transaction = self._transaction, None
            if written:
                logged = self.feed(written)
        if not logged and self.always:
            raise CommandError(self.not_on_disk())
        return reply

    def not_on_disk(self) -> str:
        """The reply that replaces an embedded engine's under appendfsync always, when its write
        could not be logged: the error later writes get, and what it means for this one."""
        return (f"MISCONF Errors writing to the AOF file: {self.error} (appendfsync is always: "
                "this write is done in memory only, and writes are refused until the AOF can be "
                "written)")

    def feed(self, commands: list[tuple[int, Any]]) -> bool:
        """Append what one command wrote: ``[(database, argv), ...]``, each after a SELECT when
        its database is not the last one's, and several of them between MULTI and EXEC.
        False when the disk refused the bytes (they wait in ``buffer``)."""
        if self._transaction is not None:  # inside EXEC: written when the transaction ends
            self._transaction.extend(commands)
            return True
        start_db = self.buffer_db if self.buffer else self.selected_db
        parts = [self.buffer] if self.buffer else []  # what an earlier failed write left first
        if len(commands) > 1:
            commands = [(commands[0][0], (b"MULTI",)), *commands, (commands[0][0], (b"EXEC",))]
        for db_index, argv in commands:
            if db_index != self.selected_db:
                parts.append(encode_command((b"SELECT", b"%d" % db_index)))
                self.selected_db = db_index
            parts.append(encode_command(argv))
        self.buffer = b""
        return self._write(b"".join(parts), start_db)

    def _write(self, data: bytes, start_db: int) -> bool:
        """Write ``data`` whole (the kernel may take only part of it, on a nearly full disk: the
        rest is written in a loop until it is all in or the disk refuses), then, under
        ``always``, fdatasync it. ``start_db``: the database selected where ``data`` starts."""
        written = 0
        try:
            written = os.write(self.fd, data)
            while written < len(data):
                written += os.write(self.fd, memoryview(data)[written:])
        except OSError as error:
            return self._write_failed(data, written, error.errno or errno.EIO, start_db)
        if self.always:
            try:
                os.fdatasync(self.fd)
            except OSError as error:
                self.error = os.strerror(error.errno or errno.EIO)
                return self._cannot_go_on(
                    "Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                    f"{self.error}. Exiting...")
        else:
            self.unsynced = True
        if self.error is not None:  # the first write that succeeds after a failed one
            self.error = None
            self.server.persistence.note("AOF write error looks solved, Kedis can write again.")
            self.server.persistence.check_disk(retry=False)
        return True

    def _write_failed(self, data: bytes, written: int, code: int, start_db: int) -> bool:
        """The disk refused (part of) ``data``. A part written is cut off again, so that the
        file ends after the last whole command; all of ``data`` then waits in ``buffer``."""
        now = time.monotonic()
        log = now - self._logged_at > ERROR_LOG_INTERVAL  # (a retry every tick: log now and then)
        if log:
            self._logged_at = now
        note = self.server.persistence.note
        if written == 0:
            if log:
                note(f"Error writing to the AOF file: {os.strerror(code)}")
        else:
            if log:
                note(f"Short write while writing to the AOF file: (nwritten={written}, "
                     f"expected={len(data)})")
            try:
                os.ftruncate(self.fd, os.fstat(self.fd).st_size - written)
                written = 0
            except OSError as error:  # the part stays in the file: only the rest is kept
                if log:
                    note("Could not remove short write from the append-only file.  Kedis may "
                         "refuse to load the AOF the next time it starts.  ftruncate: "
                         f"{os.strerror(error.errno or errno.EIO)}")
            code = errno.ENOSPC  # a short write is a full disk (as Redis reports it)
        self.buffer = data[written:]
        self.buffer_db = start_db
        self.error = os.strerror(code)
        return self._cannot_go_on(CANNOT_RECOVER)

    def _cannot_go_on(self, message: str) -> bool:
        """After a failed write: under ``always``, kedis-server exits (``message`` is what it
        logs); otherwise, or embedded, write commands are refused from now on. Answers False."""
        if self.always and self.server.network is not None:
            self.server.network.fatal(message)  # does not return
        self.server.persistence.check_disk(retry=False)
        return False

    def retry(self) -> None:
        """Try again what a failed write left (Redis: at each beforeSleep, and once a second in
        serverCron): at every tick, and before a write is refused (persistence.check_disk)."""
        if self.buffer or self.error is not None:
            data, self.buffer = self.buffer, b""
            self._write(data, self.buffer_db)

    @property
    def write_ok(self) -> bool:
        """INFO's aof_last_write_status: the last write, and the last fsync, succeeded."""
        return self.error is None and self.fsync_error is None

    def on_expire(self, db: Any, key: bytes, how: str) -> None:
        """A key that expired (lazily or actively) is written as a DEL, as Redis propagates it:
        with the command that found it expired, or alone (the active cycle)."""
        if self._expired is not None:
            self._expired.append((db.id, (b"DEL", key)))
        else:
            self.feed([(db.id, (b"DEL", key))])

    def _fsync_every_second(self) -> None:
        while not self._stop.wait(1.0):
            if self.unsynced and not self.always and \
                    self.server.config["appendfsync"] == "everysec":
                self.fsync()

    def fsync(self) -> None:
        """Ask the disk for what was written (the fsync thread, a switch of file, close). A
        failure is noted in ``fsync_error`` only: this may be the fsync thread, and what
        refuses writes is switched on the commands' thread, at the next tick (check_disk)."""
        with self.lock:
            if self.fd < 0:
                return
            self.unsynced = False
            try:
                os.fdatasync(self.fd)
                self.last_fsync = time.monotonic()
                self.fsync_error = None
            except OSError as error:
                if self.fsync_error is None:
                    self.server.persistence.note(f"Fail to fsync the AOF file: {error.strerror}")
                self.fsync_error = os.strerror(error.errno or errno.EIO)

    def flush(self) -> None:
        """Everything on the disk: a last try for what a failed write left, then an fsync
        (Redis's flushAppendOnlyFile(1) and fsync: at a switch of file, at shutdown, at close)."""
        self.retry()
        self.fsync()

    def switch(self, path: str) -> None:
        """Go on in another file (a rewrite's new incr file): fsync and close this one first.
        Bytes a failed write left go to the new file, after the SELECT they need there."""
        self.flush()
        with self.lock:
            os.close(self.fd)
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self.path = path
            self.selected_db = -1  # a new file starts with a SELECT
            if self.buffer and self.buffer_db >= 0:
                self.buffer = encode_command((b"SELECT", b"%d" % self.buffer_db)) + self.buffer
                self.buffer_db = -1

    def close(self) -> None:
        self._stop.set()
        self.flush()
        with self.lock:
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1


# --- BGREWRITEAOF -------------------------------------------------------------------------------
def _base_as_commands(shots: list[rdb.Snapshot]) -> Iterator[bytes]:
    """The store as the fewest commands that rebuild it (rewriteAppendOnlyFileRio)."""
    for index, data, expires in shots:
        yield encode_command((b"SELECT", b"%d" % index))
        parts = []
        for key, value in data.items():
            if type(value) is bytes or type(value) is bytearray:  # (a bitmap: keyspace.py)
                parts.append(encode_command((b"SET", key, bytes(value))))
            elif TYPE_NAMES.get(type(value)) == "set":
                members = list(value)
                for i in range(0, len(members), 64):  # AOF_REWRITE_ITEMS_PER_CMD
                    parts.append(encode_command((b"SADD", key, *members[i:i + 64])))
            elif TYPE_NAMES.get(type(value)) == "list":
                elements = list(value)
                for i in range(0, len(elements), 64):  # (rewriteListObject: RPUSH, 64 a time)
                    parts.append(encode_command((b"RPUSH", key, *elements[i:i + 64])))
            deadline = expires.get(key)
            if deadline is not None:
                parts.append(encode_command((b"PEXPIREAT", key, b"%d" % deadline)))
            if len(parts) >= 4096:
                yield b"".join(parts)
                parts.clear()
        yield b"".join(parts)


class Rewrite:
    """One BGREWRITEAOF: a new base from a copy of the store, written by a thread.

    ``enabling``: the rewrite that CONFIG SET appendonly yes starts. The AOF on disk (if any) is
    from an earlier time and must not be replayed with the new writes, so these go to a
    temporary incr file that no manifest names, renamed when the new base is complete (Redis's
    AOF_WAIT_REWRITE state).
    """

    def __init__(self, server: Kedis, enabling: bool = False) -> None:

        self.server = server
        self.folder = Folder(server)
        os.makedirs(self.folder.path, exist_ok=True)
        self.started = time.monotonic()
        parts = self.folder.parts()
        self.old_parts = parts
        base_seq = max((p.seq for p in parts if p.type in (BASE, HISTORY)), default=0) + 1
        incr_seq = max((p.seq for p in parts if p.type == INCR), default=0) + 1
        self.preamble = server.config["aof-use-rdb-preamble"]
        self.base = AOFPart(self.folder.base_name(base_seq, self.preamble), base_seq, BASE)
        self.incr: AOFPart | None = None
        self.enabling = enabling
        aof = server.aof
        if enabling:
            self.incr = AOFPart(self.folder.incr_name(incr_seq), incr_seq, INCR)
            _open(server, self.folder.file(f"temp-{self.folder.prefix}.incr"))
        elif aof is not None:
            # From now on, writes go to a new incr file. The manifest names it at once, after
            # the old files: a crash before the new base is done replays old base + all incrs.
            # The file exists before the manifest names it, and writes go to it only once the
            # manifest does: a manifest that cannot be written (a full disk) changes nothing.
            self.incr = AOFPart(self.folder.incr_name(incr_seq), incr_seq, INCR)
            path = self.folder.file(self.incr.name)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
            try:
                self.folder.write_manifest(parts + [self.incr])
            except OSError:
                os.unlink(path)
                raise
            aof.switch(path)
        shots = snapshot(server)
        aux = rdb_aux(server, aof_base=True)
        delay = server.config["rdb-key-save-delay"]
        self.temp = self.folder.file(f"temp-rewriteaof-bg-{os.getpid()}.aof")
        self.result: tuple[bool, str] | None = None

        def write() -> None:
            try:
                chunks = (rdb.encode(shots, aux, key_delay=delay) if self.preamble
                          else _base_as_commands(shots))
                rdb.write_file(self.temp, chunks)
                self.result = (True, "")
            except Exception as error:
                self.result = (False, str(error))

        self.thread = threading.Thread(target=write, name="kedis-aof-rewrite", daemon=True)
        self.thread.start()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def finish(self) -> bool:
        """Install the new base (backgroundRewriteDoneHandler); False if the rewrite failed."""
        ok, reason = self.result or (False, "the rewriting thread died")
        persistence = self.server.persistence
        persistence.last_rewrite_seconds = round(time.monotonic() - self.started)
        if not ok:
            persistence.note(f"Background AOF rewrite failed: {reason}")
            if self.enabling:
                stop(self.server)  # appendonly stays off, and the old AOF untouched
            return False
        folder = self.folder
        aof = self.server.aof
        if self.enabling and aof is None:  # appendonly was turned off again meanwhile
            os.unlink(self.temp)
            return True
        os.replace(self.temp, folder.file(self.base.name))
        if self.enabling and aof is not None and self.incr is not None:
            incr_path = folder.file(self.incr.name)
            os.replace(aof.path, incr_path)  # the open file keeps its descriptor
            aof.path = incr_path
        incrs = [self.incr] if self.incr is not None else []
        folder.write_manifest([self.base, *incrs])
        for part in self.old_parts:  # now history: no manifest names them any more
            try:
                os.unlink(folder.file(part.name))
            except OSError:
                pass
        persistence.rewrites += 1
        return True


# --- start, stop, load --------------------------------------------------------------------------
def _open(server: Kedis, path: str) -> AppendOnlyFile:
    aof = AppendOnlyFile(server, path)
    server.aof = aof
    server.hooks.on_expire.append(aof.on_expire)
    return aof


def start(server: Kedis, at_startup: bool = True) -> None:
    """Open the AOF for writing (appendonly yes).

    At start-up, the last incr file the manifest names; when there is no AOF yet, a base of the
    store as it is (small or empty at start-up: written at once, as Redis 7.0 does) and a first
    incr file. Later (CONFIG SET appendonly yes), a rewrite in the background (see Rewrite).
    """
    if not at_startup:
        server.persistence.rewrite = Rewrite(server, enabling=True)
        return
    folder = Folder(server)
    parts = folder.parts()
    incrs = [part for part in parts if part.type == INCR]
    if parts and incrs:
        _open(server, folder.file(incrs[-1].name))
    else:
        os.makedirs(folder.path, exist_ok=True)

        preamble = server.config["aof-use-rdb-preamble"]
        base_seq = max((p.seq for p in parts if p.type in (BASE, HISTORY)), default=0) + 1
        incr_seq = max((p.seq for p in parts if p.type == INCR), default=0) + 1
        base = AOFPart(folder.base_name(base_seq, preamble), base_seq, BASE)
        incr = AOFPart(folder.incr_name(incr_seq), incr_seq, INCR)
        shots = snapshot(server)
        chunks = rdb.encode(shots, rdb_aux(server, aof_base=True),
                            key_delay=server.config["rdb-key-save-delay"]) if preamble else \
            _base_as_commands(shots)
        rdb.write_file(folder.file(base.name), chunks)
        _open(server, folder.file(incr.name))
        folder.write_manifest([base, incr])
        for part in parts:
            try:
                os.unlink(folder.file(part.name))
            except OSError:
                pass


def stop(server: Kedis) -> None:
    """Close the AOF (appendonly no, or shutdown): its last bytes go to the disk first."""
    aof = server.aof
    if aof is None:
        return
    server.aof = None
    if aof.on_expire in server.hooks.on_expire:
        server.hooks.on_expire.remove(aof.on_expire)
    aof.close()
    server.persistence.check_disk(retry=False)  # no AOF: its failed writes refuse nothing now


def load(server: Kedis) -> int:
    """Replay the AOF into the engine (loadAppendOnlyFiles); returns how many commands ran.

    Commands run with the clock stopped at the epoch, as Redis expires nothing while it loads:
    the file says when each key was deleted (DEL), and keys whose deadline passed while the
    server was down expire after the load, lazily or actively, as usual.
    """
    folder = Folder(server)
    parts = [part for part in folder.parts() if part.type != HISTORY]
    if not parts:
        return 0
    persistence = server.persistence
    clock = server.clock
    server.clock = FakeClock(0)
    client = server.new_client()
    count = 0
    started = time.perf_counter()
    try:
        for position, part in enumerate(parts):
            path = folder.file(part.name)
            if not os.path.exists(path):
                raise AOFError(f"The AOF file {part.name} named by the manifest doesn't exist")
            with open(path, "rb") as file:
                data = file.read()
            if data[:5] == b"REDIS":  # an RDB preamble (a base written as RDB)
                access: dict[int, dict[bytes, tuple[int, int]]] = {}
                databases, _, _ = rdb.decode(data, None, len(server.databases), part.name,
                                             server.config, access,
                                             server.config["key-load-delay"])
                persistence.install(databases, access)
                continue
            last = position == len(parts) - 1
            count += _replay(server, client, data, part.name, path, last)
    finally:
        server.clock = clock
        server.free_client(client)  # (the replay's own: no connection, no CLIENT LIST line)
    server.stats.dirty = 0
    persistence.loaded_keys = sum(len(db.data) for db in server.databases)
    persistence.note(f"DB loaded from append only file: {time.perf_counter() - started:.3f} "
                     f"seconds ({count} commands)", warning=False)
    return count


def _replay(server: Kedis, client: Client, data: bytes, name: str, path: str, last: bool) -> int:
    """Run the commands of one file. Those between MULTI and EXEC run at the EXEC, all of them;
    a file that ends before the EXEC is cut before the MULTI (loadSingleAppendOnlyFile)."""
    count = 0
    valid_up_to = 0
    transaction: list[tuple[list[bytes], int]] | None = None  # inside MULTI: waiting for EXEC
    try:
        for argv, end in parse_commands(data, name):
            word = argv[0].upper() if argv else b""
            if word == b"MULTI":
                transaction = []
                multi_at = valid_up_to
            elif word == b"EXEC" and transaction is not None:
                for queued, at in transaction:
                    _run_loaded(server, client, queued, name, at)
                count += len(transaction)
                transaction = None
            elif transaction is not None:
                transaction.append((argv, valid_up_to))
            else:
                _run_loaded(server, client, argv, name, valid_up_to)
                count += 1
            valid_up_to = end
        if transaction is not None:
            raise Truncated(multi_at)
    except Truncated as cut:
        if not last or not server.config["aof-load-truncated"]:
            raise AOFError(f"Unexpected end of file reading the append only file {name}: the "
                           f"command at byte {cut.offset} is cut short (redis-check-aof --fix "
                           "repairs it; or set aof-load-truncated yes)") from None
        persistence = server.persistence
        persistence.note(f"!!! Warning: short read while loading the AOF file {name}!!!")
        persistence.note(f"!!! Truncating the AOF {name} at offset {cut.offset} !!!")
        with open(path, "r+b") as file:
            file.truncate(cut.offset)
            file.flush()
            os.fsync(file.fileno())
        persistence.note("AOF loaded anyway because aof-load-truncated is enabled")
    return count


def _run_loaded(server: Kedis, client: Client, argv: list[bytes], name: str, at: int) -> None:
    # As Redis loads a file: the command's own function, not the dispatcher (call), so what
    # is loaded is not counted in INFO commandstats, errorstats or total_commands_processed.
    from ..engine.command_table import command_of

    cmd = command_of(argv)
    if cmd is None or cmd.handler is None:
        raise AOFError(f"Unknown command '{argv[0].decode('utf-8', 'replace')}' reading the "
                       f"append only file {name} at byte {at}")
    if len(argv) != cmd.arity and (cmd.arity > 0 or len(argv) < -cmd.arity):
        # Redis trusts its file (it would run the function with too few arguments): Kedis
        # refuses to load it instead.
        raise AOFError(f"Bad file format reading the append only file {name}: wrong number "
                       f"of arguments for '{cmd.name}' at byte {at}")
    try:
        cmd.handler(client, argv)
    except CommandError:
        pass  # the error the command answered when it ran: Redis ignores it too
