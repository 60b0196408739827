"""Persistence: when the store goes to disk, and how it comes back (Redis's rdb.c, server.c).

The formats are elsewhere (rdb.py for the snapshot, aof.py for the append-only file); this module
is the server's side of them, what Redis keeps in ``struct redisServer``:

- **changes since the last save** (``dirty``, counted by each command as Redis counts it): INFO's
  rdb_changes_since_last_save, and what the save rules look at;
- **SAVE** writes the dump now, while every command waits; **BGSAVE** writes it in the
  background while commands go on; both to ``dir``/``dbfilename``, crash-safely (rdb.write_file);
- **the save rules** (``save "3600 1 300 100"``: after 3600 s if at least 1 key changed, after
  300 s if 100 did): checked at every ``tick()``, the engine's serverCron, they start a BGSAVE;
- **start-up** (``load``): the AOF when ``appendonly`` is on, else the dump, as loadDataFromDisk;
- **BGREWRITEAOF** and ``appendonly`` turned on or off (the AOF itself is in aof.py);
- **shutdown**: the last AOF bytes to disk, and a SAVE when there are save rules;
- **writes refused when the disk fails** (``write_error``): after a failed BGSAVE (with save
  rules, and ``stop-writes-on-bgsave-error yes``) or a failed AOF write, Redis refuses the
  commands that would change the data (and PING), so that nobody goes on writing, unaware, to a
  store that no longer reaches the disk. Reads go on. It ends when a save, or a retry of the
  AOF write, succeeds, or when the configuration no longer asks for it.

As in Redis, one background job runs at a time: a BGSAVE asked for during an AOF rewrite is
refused (or, with SCHEDULE, started when the rewrite ends), and a rewrite asked for during a
BGSAVE is scheduled.

How BGSAVE keeps its promise, "the file is the store at one instant, and commands do not wait":
Redis forks. The child process gets a copy of the parent's memory that the kernel makes lazily,
page by page, only when the parent writes to a page (copy-on-write): the child sees the store
frozen at the fork while the parent goes on serving. Kedis runs inside other programs (a Jupyter
kernel, whose threads and ZeroMQ sockets do not survive a fork well; a test runner), so it does
what fork does by hand, in a thread: at the BGSAVE command it copies each database's two dicts,
and the thread writes the copies. The copies share the values: strings are immutable ``bytes``,
so sharing them is safe, which is copy-on-write for free; a value that commands change in place
(a set) is copied at that instant too (keyspace.duplicate). Later commands change the live dicts,
never the copies. The copy is the part of BGSAVE that commands wait for: about 50 ms for a
million keys (a dict copy, and a pass over the values to find the sets), where writing them
takes half a second. Redis's fork also stops the server for a moment, to copy the page tables.
The thread competes for the GIL with commands, so they run slower during a BGSAVE, but they run.

The time of saves and of the rules is the engine's clock, so a fake clock drives them in tests.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from ..engine.evict import lfu_initial
from . import rdb
from .snapshot import live, rdb_aux, snapshot

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis

__all__ = ["Persistence"]

log = logging.getLogger("kedis.persistence")

BGSAVE_RETRY_DELAY = 5  # seconds before the rules may try again after a failed BGSAVE
#: What a write command is answered after a failed BGSAVE (Redis's shared.bgsaveerr, word for
#: word: clients and their users look for it).
BGSAVE_ERROR = (
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.")


class Persistence:
    """The persistence state of one engine (the rdb_* and aof_* fields of redisServer)."""

    def __init__(self, server: Kedis) -> None:
        self.server = server
        self.lastsave = int(server.clock.time())  # LASTSAVE: the last successful save
        self.last_bgsave_ok = True
        self.last_bgsave_try = 0
        self.last_bgsave_seconds = -1
        self.saves = 0
        self.loaded_keys = 0
        self.loaded_expired = 0
        self.messages: list[str] = []  # what start-up had to say (a truncated AOF...), for hosts
        self._bgsave: threading.Thread | None = None
        self._bgsave_started = 0.0
        self._bgsave_dirty = 0
        self._bgsave_result: tuple[bool, str] | None = None
        self.bgsave_scheduled = False
        self.rewrite: Any = None  # an aof.Rewrite while BGREWRITEAOF runs
        self.rewrite_scheduled = False
        self.rewrites = 0
        self.last_rewrite_seconds = -1
        self.last_rewrite_ok = True

    # --- where ----------------------------------------------------------------------------------
    @property
    def dir(self) -> str:
        return self.server.config["dir"] or os.getcwd()

    @property
    def rdb_path(self) -> str:
        return os.path.join(self.dir, self.server.config["dbfilename"])

    def note(self, message: str, warning: bool = True) -> None:
        """Keep a message for the host to show (the REPL prints them at start), and log it:
        Redis writes these to its log file."""
        self.messages.append(message)
        log.log(logging.WARNING if warning else logging.INFO, message)

    # --- SAVE and BGSAVE ------------------------------------------------------------------------
    def save(self, counted: bool = True) -> None:
        """Write the dump now (SAVE, rdbSave). Raises OSError when it cannot be written."""
        server = self.server
        rdb.write_file(self.rdb_path, rdb.encode(live(server), rdb_aux(server),
                                                key_delay=server.config["rdb-key-save-delay"]))
        server.stats.dirty = 0
        self.lastsave = int(server.clock.time())
        self.last_bgsave_ok = True
        self.saves += counted
        self.check_disk(retry=False)  # a SAVE that succeeds ends a failed BGSAVE's refusal

    @property
    def bgsave_in_progress(self) -> bool:
        self.check_done()
        return self._bgsave is not None

    def bgsave(self) -> None:
        """Start writing the dump in a thread, from a copy of the store taken now (BGSAVE)."""
        server = self.server
        shots = snapshot(server)
        aux = rdb_aux(server)
        delay = server.config["rdb-key-save-delay"]
        path = self.rdb_path
        self._bgsave_dirty = server.stats.dirty
        self._bgsave_started = time.monotonic()
        self.last_bgsave_try = int(server.clock.time())
        self._bgsave_result = None

        def write() -> None:
            try:
                rdb.write_file(path, rdb.encode(shots, aux, key_delay=delay))
                self._bgsave_result = (True, "")
            except Exception as error:  # reported by check_done, on the commands' thread
                self._bgsave_result = (False, str(error))

        self._bgsave = threading.Thread(target=write, name="kedis-bgsave", daemon=True)
        self._bgsave.start()

    @property
    def rewrite_in_progress(self) -> bool:
        self.check_done()
        return self.rewrite is not None

    def bgrewriteaof(self) -> None:
        """Start an AOF rewrite (aof.Rewrite)."""
        from .aof import Rewrite

        self.rewrite_scheduled = False
        try:
            self.rewrite = Rewrite(self.server)
        except OSError:
            self.last_rewrite_ok = False  # one that cannot even start failed (Redis says so)
            raise

    def check_done(self) -> None:
        """Take note of a finished BGSAVE or AOF rewrite (Redis's checkChildrenDone, in
        serverCron), and start what was scheduled behind it.

        Done here, on the thread that runs commands, not in the saving thread: the changes made
        while the snapshot was written are still unsaved, so ``dirty`` goes down by the changes
        the snapshot holds, and only commands may touch it.
        """
        rewrite = self.rewrite
        if rewrite is not None and not rewrite.running:
            self.rewrite = None
            self.last_rewrite_ok = rewrite.finish()
        thread = self._bgsave
        if thread is not None and not thread.is_alive():
            self._bgsave = None
            self._bgsave_done()
        if self._bgsave is None and self.rewrite is None:
            if self.rewrite_scheduled:
                try:
                    self.bgrewriteaof()
                except OSError as error:  # (no command to answer: the log says it)
                    self.note(f"Can't rewrite append only file in background: {error}")
            elif self.bgsave_scheduled:
                self.bgsave_scheduled = False
                self.bgsave()

    def _bgsave_done(self) -> None:
        ok, reason = self._bgsave_result or (False, "the saving thread died")
        self.last_bgsave_ok = ok
        self.last_bgsave_seconds = round(time.monotonic() - self._bgsave_started)
        if ok:
            self.server.stats.dirty -= self._bgsave_dirty
            self.lastsave = int(self.server.clock.time())
            self.saves += 1
        else:
            self.note(f"Background saving error: {reason}")
        self.check_disk(retry=False)

    def wait(self) -> None:
        """Wait for a BGSAVE or an AOF rewrite in progress to finish (tests, shutdown)."""
        while self._bgsave is not None or self.rewrite is not None:
            if self._bgsave is not None:
                self._bgsave.join()
            if self.rewrite is not None:
                self.rewrite.thread.join()
            self.check_done()

    # --- writes refused while the disk fails ----------------------------------------------------
    def write_error(self) -> str | None:
        """Why write commands are refused now, or None (Redis's writeCommandsDeniedByDiskError):
        the last BGSAVE failed while there are save rules (and stop-writes-on-bgsave-error, yes
        by default, asks for it), or the AOF is on and its last write or fsync failed."""
        server = self.server
        if (not self.last_bgsave_ok and server.config["save"]
                and server.config.get("stop-writes-on-bgsave-error", True)):
            return BGSAVE_ERROR
        aof = server.aof
        if aof is not None and not aof.write_ok:
            return f"MISCONF Errors writing to the AOF file: {aof.error or aof.fsync_error}"
        return None

    def check_disk(self, retry: bool = True) -> str | None:
        """Try a failed AOF write again (``retry``), then make the dispatcher refuse writes, or
        accept them again, as ``write_error`` says now; answers it.

        The dispatcher looks at nothing of this on its hot path: ``server.disk_error`` is the
        reason or None, and while it is set, every client is ``gated`` (engine/dispatcher.py), so that its
        gate sees the refusal, and asks here again before refusing (the retry may succeed).
        Called by that gate, at every tick, and wherever one of write_error's inputs changes (a
        save ends, an AOF write fails or succeeds, CONFIG SET save, appendonly...).
        """
        server = self.server
        if retry and server.aof is not None:
            server.aof.retry()
        error = self.write_error()
        was = server.disk_error
        server.disk_error = error
        if (error is None) != (was is None):
            for client in (server.client, *server.clients.values()):
                client.update_gate()
        return error

    # --- serverCron's part ----------------------------------------------------------------------
    def cron(self) -> None:
        """Called at every tick: finish what finished, try again a failed AOF write (and take
        note of the fsync thread's failures), then start a BGSAVE if a rule says so."""
        self.check_done()
        self.check_disk()
        server = self.server
        rules = server.config["save"]
        if not rules or self._bgsave is not None or self.rewrite is not None:
            return
        now = int(server.clock.time())
        dirty = server.stats.dirty
        for seconds, changes in rules:
            # A failed BGSAVE is retried after BGSAVE_RETRY_DELAY seconds, not at every tick.
            if (dirty >= changes and now - self.lastsave > seconds
                    and (self.last_bgsave_ok or now - self.last_bgsave_try > BGSAVE_RETRY_DELAY)):
                log.info("%d changes in %d seconds. Saving...", changes, seconds)
                self.bgsave()
                return

    # --- start and end --------------------------------------------------------------------------
    def load(self) -> None:
        """Load the store at start-up (loadDataFromDisk): the AOF if appendonly is on (the dump
        is then ignored, as in Redis), else the dump if there is one. Raises rdb.RDBError or
        aof.AOFError for a damaged file: a server does not start on half its data."""
        server = self.server
        if server.config["appendonly"]:
            from . import aof

            aof.load(server)
            return
        path = self.rdb_path
        if not os.path.exists(path):
            return
        started = time.perf_counter()
        access: dict[int, dict[bytes, tuple[int, int]]] = {}
        databases, _, expired = rdb.read_file(path, server.clock.ms(), len(server.databases),
                                              server.config, access,
                                              server.config["key-load-delay"])
        self.install(databases, access)
        self.loaded_expired = expired
        self.note(f"DB loaded from disk: {time.perf_counter() - started:.3f} seconds "
                  f"({self.loaded_keys} keys)", warning=False)

    def install(self, databases: dict[int, tuple[dict, dict]],
                access: dict[int, dict[bytes, tuple[int, int]]] | None = None) -> None:
        """Put what a file held into the databases, replacing everything (all or nothing: the
        file was read whole before this is called); ``access``, what it said of the keys' use."""
        server = self.server
        loaded = 0
        for db in server.databases:
            data, expires = databases.get(db.id, ({}, {}))  # values as the store keeps them
            db.flush()
            db.data = data
            db.expires.replace(expires)
            # Each value loaded is a new object, "just used" (evict.py).
            db.lru = dict.fromkeys(data, lfu_initial(server.clock.ms()) if db.lfu
                                   else db.lru_clock)
            for key, (idle, freq) in (access or {}).get(db.id, {}).items():
                db.restore_access(key, idle, freq)  # as RESTORE IDLETIME / FREQ would
            loaded += len(data)
        server.stats.dirty = 0
        self.loaded_keys = loaded

    def merge(self, databases: dict[int, tuple[dict, dict]], replace: bool) -> bool:
        """Add what a file held to the databases, keeping what they hold (DEBUG RELOAD NOFLUSH).
        A key on both sides becomes the file's, deadline included, when ``replace`` (MERGE);
        without it nothing is added, and the answer is False. As a load, it is no change to
        save and tells no one: no WATCH, no keyspace event (Redis's dbAddRDBLoad)."""
        server = self.server
        if not replace and any(key in server.databases[index].data
                               for index, (data, _) in databases.items() for key in data):
            return False
        now = server.clock.ms()
        for index, (data, expires) in databases.items():
            db = server.databases[index]
            if data:
                db.scan_order = None
            for key, value in data.items():
                db.data[key] = value
                db.encodings.pop(key, None)
                db.lru[key] = lfu_initial(now) if db.lfu else db.lru_clock  # a new object
                deadline = expires.get(key)
                if deadline is None:
                    db.expires.discard(key)
                else:
                    db.expires.set(key, deadline)
        return True

    def start(self) -> None:
        """What a server does when it starts with this configuration: load, then open the AOF."""
        self.load()
        if self.server.config["appendonly"]:
            from . import aof

            aof.start(self.server)

    def set_appendonly(self, on: bool) -> None:
        """CONFIG SET appendonly yes|no (startAppendOnly / stopAppendOnly)."""
        from . import aof

        server = self.server
        if on and server.aof is None:
            self.wait()  # one background job at a time
            aof.start(server, at_startup=False)  # a rewrite in the background
        elif not on and server.aof is not None:
            aof.stop(server)

    def set_appendfsync(self, policy: str) -> None:
        if self.server.aof is not None:
            self.server.aof.always = policy == "always"

    def close(self) -> None:
        """Let go of the files without saving (an engine replaced by %reset): the background
        jobs end, and the AOF is closed with its last bytes on disk."""
        self.wait()
        if self.server.aof is not None:
            from . import aof

            aof.stop(self.server)

    def shutdown(self, save: bool | None = None, force: bool = False) -> bool:
        """What Redis does on SHUTDOWN (finishShutdown): what runs in the background finishes,
        the AOF's last bytes go to the disk, and a SAVE is made when there are save rules
        (``save`` None), or always (True: SHUTDOWN SAVE), or never (False: NOSAVE). A save that
        fails stops the shutdown, unless ``force``: answers False, and nothing was stopped."""
        server = self.server
        self.wait()
        if server.aof is not None:
            self.note("Calling fsync() on the AOF file.", warning=False)
            server.aof.flush()  # (even if the save below fails: the AOF then goes on)
        if save or (save is None and server.config["save"]):
            self.note("Saving the final RDB snapshot before exiting.", warning=False)
            try:
                self.save()
            except OSError as error:
                if not force:
                    self.note(f"Error trying to save the DB, can't exit. ({error})")
                    self.note("Errors trying to shut down the server. Check the logs for more "
                              "information.")
                    return False
                self.note(f"Error trying to save the DB. Exit anyway. ({error})")
        if server.aof is not None:
            from . import aof

            aof.stop(server)
        return True

    # --- INFO -----------------------------------------------------------------------------------
    def info(self) -> list[tuple[str, Any]]:
        """INFO's persistence section (the fields Kedis has, in Redis's order)."""
        self.check_done()
        server = self.server
        return [
            ("loading", 0),
            ("rdb_changes_since_last_save", server.stats.dirty),
            ("rdb_bgsave_in_progress", int(self._bgsave is not None)),
            ("rdb_last_save_time", self.lastsave),
            ("rdb_last_bgsave_status", "ok" if self.last_bgsave_ok else "err"),
            ("rdb_last_bgsave_time_sec", self.last_bgsave_seconds),
            ("rdb_current_bgsave_time_sec", round(time.monotonic() - self._bgsave_started)
             if self._bgsave is not None else -1),
            ("rdb_saves", self.saves),
            ("rdb_last_load_keys_expired", self.loaded_expired),
            ("rdb_last_load_keys_loaded", self.loaded_keys),
            ("aof_enabled", int(server.aof is not None)),
            ("aof_rewrite_in_progress", int(self.rewrite is not None)),
            ("aof_rewrite_scheduled", int(self.rewrite_scheduled)),
            ("aof_last_rewrite_time_sec", self.last_rewrite_seconds),
            ("aof_current_rewrite_time_sec", round(time.monotonic() - self.rewrite.started)
             if self.rewrite is not None else -1),
            ("aof_last_bgrewrite_status", "ok" if self.last_rewrite_ok else "err"),
            ("aof_rewrites", self.rewrites),
            ("aof_last_write_status", "ok" if server.aof is None or server.aof.write_ok
             else "err"),
        ]

