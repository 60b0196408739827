"""Persistence commands: putting the store on disk (Redis keeps them in rdb.c and aof.c).

SAVE writes the snapshot while every other command waits; BGSAVE writes it in the background
while commands go on; LASTSAVE says when the last one succeeded. BGREWRITEAOF compacts the
append-only file (aof.py). Teaches: the trade-off between blocking and copying (persistence.py
explains how BGSAVE sees the store at one instant), and that a snapshot is only as fresh as its
last save: INFO persistence counts the changes since.
"""

from __future__ import annotations

from ..engine.command_table import command
from ..engine.errors import SYNTAX, CommandError
from ..engine.reply import OK, Frames, Integer, Reply, Status

BGSAVE_IN_PROGRESS = "ERR Background save already in progress"


@command("save", arity=1, flags="admin noscript no_async_loading no_multi", group="server",
         since="1.0.0", complexity="O(N) where N is the total number of keys in all databases",
         summary="Writes the whole store to the RDB file now; every other command waits.")
def save(client, argv: list[bytes]) -> Reply:
    """SAVE

    Teaches: the file is written to a temporary name, flushed to the disk and renamed over the
    old dump, so a crash mid-save leaves the old dump whole. Look at the bytes: rdb.py.
    """
    persistence = client.server.persistence
    if persistence.bgsave_in_progress or persistence.rewrite_in_progress:
        raise CommandError(BGSAVE_IN_PROGRESS)
    try:
        persistence.save()
    except OSError as error:
        persistence.note(f"Failed opening the temp RDB file for saving: {error}")
        raise CommandError("ERR") from None  # Redis answers a bare ERR (details in its log)
    return OK


@command("shutdown", arity=-1, flags="admin noscript loading stale no_multi allow_busy",
         group="server", since="1.0.0",
         complexity="O(N) when saving, where N is the total number of keys in all databases",
         summary="Saves the store (as the save rules say, or as asked), then stops the server.")
def shutdown(client, argv: list[bytes]) -> Reply:
    """SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]

    Teaches: how a server stops without losing what it acknowledged. The AOF's last bytes go to
    the disk, then a final SAVE (when there are save rules; SAVE forces one, NOSAVE skips it).
    If that save fails the server refuses to stop (FORCE stops anyway): stopping would lose the
    writes since the last snapshot. On success there is no reply: the connection just closes.
    NOW skips waiting for lagging replicas, and ABORT cancels such a wait; Kedis has no replicas,
    so there is never a shutdown in progress to abort. Only kedis-server stops: an engine inside
    the Jupyter kernel or the REPL belongs to its host, which SHUTDOWN does not end.
    """
    flags = set()
    abort = False
    for word in (arg.lower() for arg in argv[1:]):
        if word in (b"nosave", b"save", b"now", b"force"):
            flags.add(word)
        elif word == b"abort":
            abort = True
        else:
            raise CommandError(SYNTAX)
    if (abort and flags) or {b"nosave", b"save"} <= flags:
        raise CommandError(SYNTAX)  # ABORT with any other flag; NOSAVE with SAVE
    if abort:
        raise CommandError("ERR No shutdown in progress.")
    network = client.server.network
    if network is None:
        raise CommandError("ERR SHUTDOWN stops kedis-server only: this engine belongs to the "
                           "program it runs in (the Jupyter kernel, the REPL)")
    save = True if b"save" in flags else False if b"nosave" in flags else None  # None: the rules
    if not client.server.shutdown(save, force=b"force" in flags):
        raise CommandError("ERR Errors trying to SHUTDOWN. Check logs.")
    network.log("Kedis is now ready to exit, bye bye...", "#")
    network.stop(finish=False)
    client.close_after_reply = True  # (what it sent after SHUTDOWN is not run)
    return _NO_REPLY


_NO_REPLY = Frames(())  # (a successful SHUTDOWN answers nothing: the connection closes)


@command("bgsave", arity=-1, flags="admin noscript no_async_loading", group="server",
         since="1.0.0", complexity="O(1)",
         summary="Writes the store to the RDB file in the background, as it is now.")
def bgsave(client, argv: list[bytes]) -> Reply:
    """BGSAVE [SCHEDULE]

    Teaches: "in the background" still means "the store at this instant": Kedis copies the
    databases' dicts (values are shared, strings being immutable) and a thread writes the copy,
    where Redis forks and lets copy-on-write keep the child's view frozen.
    """
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() != b"schedule"):
        raise CommandError(SYNTAX)
    persistence = client.server.persistence
    if persistence.bgsave_in_progress:
        raise CommandError(BGSAVE_IN_PROGRESS)
    if persistence.rewrite_in_progress:
        if len(argv) == 2:
            persistence.bgsave_scheduled = True
            return Status("Background saving scheduled")
        raise CommandError("ERR Another child process is active (AOF?): can't BGSAVE right now. "
                           "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
    persistence.bgsave()
    return Status("Background saving started")


@command("lastsave", arity=1, flags="loading stale fast", acl="admin dangerous",
         tips="nondeterministic_output", group="server", since="1.0.0", complexity="O(1)",
         summary="Answers the Unix time of the last successful save to disk.")
def lastsave(client, argv: list[bytes]) -> Reply:
    """LASTSAVE

    Teaches: a client can tell whether a BGSAVE has finished by watching this change. It starts
    at the time the server started (or loaded its file), and follows the engine's clock.
    """
    persistence = client.server.persistence
    persistence.check_done()
    return Integer(persistence.lastsave)



@command("bgrewriteaof", arity=1, flags="admin noscript no_async_loading", group="server",
         since="1.0.0", complexity="O(1)",
         summary="Compacts the append-only file in the background: a new base of the store as "
                 "it is now, and the writes since.")
def bgrewriteaof(client, argv: list[bytes]) -> Reply:
    """BGREWRITEAOF

    Teaches: an AOF grows with every write, even when the same key is set a million times; the
    rewrite replaces the history by the store it led to. Writes go on during it, into a new
    incr file, and the manifest switches to the new files only once they are complete.
    """
    persistence = client.server.persistence
    if persistence.rewrite_in_progress:
        raise CommandError("ERR Background append only file rewriting already in progress")
    if persistence.bgsave_in_progress:
        persistence.rewrite_scheduled = True
        return Status("Background append only file rewriting scheduled")
    try:
        persistence.bgrewriteaof()
    except OSError as error:
        persistence.note(f"Can't rewrite append only file in background: {error}")
        raise CommandError("ERR Can't execute an AOF background rewriting. Please check the "
                           "server logs for more information.") from None
    return Status("Background append only file rewriting started")
