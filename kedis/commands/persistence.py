"""Persistence commands: putting the store on disk (Redis keeps them in rdb.c).

SAVE writes the snapshot while every other command waits; BGSAVE writes it in the background
while commands go on; LASTSAVE says when the last one succeeded. Teaches: the trade-off between
blocking and copying (persistence.py explains how BGSAVE sees the store at one instant), and
that a snapshot is only as fresh as its last save: INFO persistence counts the changes since.
"""

from __future__ import annotations

from ..command_table import command
from ..errors import SYNTAX, CommandError
from ..reply import OK, Integer, Reply, Status

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
    if persistence.bgsave_in_progress:
        raise CommandError(BGSAVE_IN_PROGRESS)
    try:
        persistence.save()
    except OSError as error:
        persistence.note(f"Failed opening the temp RDB file for saving: {error}")
        raise CommandError("ERR") from None  # Redis answers a bare ERR (details in its log)
    return OK


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


