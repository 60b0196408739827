"""SLOWLOG: the commands that took longest, kept by the server (Redis's slowlog.c).

    CONFIG SET slowlog-log-slower-than 0     # log every command (in microseconds; -1: none)
    SLOWLOG GET 2                            # the newest two entries

Every command is timed by the dispatcher (engine/dispatcher.py's ``call``: the same duration INFO
commandstats adds up). One that took at least ``slowlog-log-slower-than`` microseconds (10 000
by default) is remembered: an id, the time it ran, how long it took, its arguments, and who sent
it. The newest ``slowlog-max-len`` entries (128) are kept, newest first.

What it teaches: the time counted is the command's own, in the server, not the network's: a
client that waits a second for a reply while the slowlog stays empty is waiting on the network
or on other clients. And since one thread runs every command, one slow command (KEYS *, a huge
SUNION) delays every client: the slowlog is where to find it.

As in Redis, an entry keeps at most 32 arguments (the last says how many more there were) of at
most 128 bytes each, passwords are redacted, and EXEC is not logged (its commands are, one by one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.command_table import command
from ..engine.errors import CommandError, user_text
from ..engine.reply import OK, Array, Bulk, Integer, Reply, help_reply
from .args import parse_int
from .monitor import shown_args

if TYPE_CHECKING:
    from ..engine.client import Client
    from ..engine.command_table import Command
    from ..engine.dispatcher import Kedis

_COUNT_RANGE = "ERR count should be greater than or equal to -1"
MAX_ARGS = 32      # SLOWLOG_ENTRY_MAX_ARGC
MAX_STRING = 128   # SLOWLOG_ENTRY_MAX_STRING


def log_slow_command(server: Kedis, client: Client, cmd: Command, argv, duration_ns: int
                     ) -> None:
    """Remember a command that reached the threshold (slowlogPushCurrentCommand), called by the
    dispatcher with how long the command took."""
    if "skip_slowlog" in cmd.flags:
        return
    args = shown_args(cmd, argv)
    if len(args) > MAX_ARGS:
        args = args[:MAX_ARGS - 1] + [b"... (%d more arguments)" % (len(args) - MAX_ARGS + 1)]
    args = [arg if len(arg) <= MAX_STRING
            else arg[:MAX_STRING] + b"... (%d more bytes)" % (len(arg) - MAX_STRING)
            for arg in args]
    entry = (server.slowlog_next_id, int(server.clock.time()), duration_ns // 1000, args,
             client.addr.encode(), client.name)
    server.slowlog_next_id += 1
    server.slowlog.insert(0, entry)
    del server.slowlog[server.config["slowlog-max-len"]:]


@command("slowlog", arity=-2, group="server", since="2.2.12",
         complexity="Depends on subcommand.",
         summary="A container for the commands that read and clear the log of slow commands.")
def slowlog(client, argv: list[bytes]) -> Reply:
    """SLOWLOG <subcommand> [argument ...]"""
    raise AssertionError("the dispatcher routes SLOWLOG to its subcommands")


@command("slowlog|get", arity=-2, flags="admin loading stale",
         tips="request_policy:all_nodes nondeterministic_output", group="server",
         since="2.2.12", complexity="O(N) where N is the number of entries returned",
         summary="Answers the newest entries of the slow log (10, or count; -1: all).")
def slowlog_get(client, argv: list[bytes]) -> Reply:
    """SLOWLOG GET [count]

    Each entry: its id, the Unix time it ran, how many microseconds it took, its arguments, the
    client's address and name.
    """
    if len(argv) > 3:
        raise CommandError(f"ERR unknown subcommand or wrong number of arguments for "
                           f"'{user_text(argv[1], 128)}'. Try SLOWLOG HELP.")
    entries = client.server.slowlog
    count = 10
    if len(argv) == 3:
        # Not a number and too small get the same error (getRangeLongFromObjectOrReply).
        count = parse_int(argv[2], _COUNT_RANGE)
        if count < -1:
            raise CommandError(_COUNT_RANGE)
        if count == -1:
            count = len(entries)
    return Array([Array([Integer(id_), Integer(when), Integer(micros),
                         Array([Bulk(arg) for arg in args]), Bulk(peer), Bulk(name)])
                  for id_, when, micros, args, peer, name in entries[:count]])


@command("slowlog|len", arity=2, flags="admin loading stale",
         tips="request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
         group="server", since="2.2.12", complexity="O(1)",
         summary="Answers how many entries the slow log holds.")
def slowlog_len(client, argv: list[bytes]) -> Reply:
    """SLOWLOG LEN"""
    return Integer(len(client.server.slowlog))


@command("slowlog|reset", arity=2, flags="admin loading stale",
         tips="request_policy:all_nodes response_policy:all_succeeded", group="server",
         since="2.2.12", complexity="O(N) where N is the number of entries in the slowlog",
         summary="Empties the slow log.")
def slowlog_reset(client, argv: list[bytes]) -> Reply:
    """SLOWLOG RESET

    The entries go; the ids go on from where they were.
    """
    client.server.slowlog.clear()
    return OK


@command("slowlog|help", arity=2, flags="loading stale", group="server", since="6.2.0",
         complexity="O(1)", summary="Answers a short description of the SLOWLOG subcommands.")
def slowlog_help(client, argv: list[bytes]) -> Reply:
    """SLOWLOG HELP"""
    return help_reply("SLOWLOG", (
        "GET [<count>]",
        "    Answer the newest <count> entries (10 by default, -1 for all). Each is: its id,",
        "    the Unix time, the microseconds the command took, its arguments, the client's",
        "    address and its name.",
        "LEN",
        "    Answer how many entries there are.",
        "RESET",
        "    Remove every entry.",
    ))
