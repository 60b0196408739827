"""FUNCTION: the libraries of server-side functions (Redis's functions.c), which Kedis has none of.

Redis 7 stores Lua libraries in the server (FUNCTION LOAD) and runs them with FCALL. Kedis runs no
Lua, so it never holds a library: FUNCTION LIST answers an empty list, and FUNCTION FLUSH, which
deletes every library, has nothing to delete and answers OK, as Redis does on a server without
libraries. The subcommands that would need a library (LOAD, DELETE, DUMP, RESTORE, STATS, KILL)
are not in the command table, so they answer Redis's "unknown subcommand" error.

These two exist because tools call them on any server: Redis's own test suite starts every test
file with ``FUNCTION FLUSH``, and a client's "reset the server" helper often does the same.
"""

from __future__ import annotations

from ..engine.command_table import command
from ..engine.errors import CommandError, user_text
from ..engine.reply import EMPTY_ARRAY, OK, Reply, help_reply


@command("function", arity=-2, group="scripting", since="7.0.0",
         complexity="Depends on subcommand.",
         summary="A container for the commands about server-side function libraries.")
def function(client, argv: list[bytes]) -> Reply:
    """FUNCTION <subcommand> [argument ...]"""
    raise AssertionError("the dispatcher routes FUNCTION to its subcommands")


@command("function|flush", arity=-2, flags="noscript write", acl="scripting",
         tips="request_policy:all_shards response_policy:all_succeeded", group="scripting",
         since="7.0.0", complexity="O(N) where N is the number of functions deleted",
         summary="Deletes every function library (Kedis never holds any).")
def function_flush(client, argv: list[bytes]) -> Reply:
    """FUNCTION FLUSH [ASYNC | SYNC]

    Counts as a change (Redis's server.dirty++), so the AOF records it, as Redis's does.
    """
    if len(argv) > 3:
        raise CommandError(f"ERR unknown subcommand or wrong number of arguments for "
                           f"'{user_text(argv[1], 128)}'. Try FUNCTION HELP.")
    if len(argv) == 3 and argv[2].lower() not in (b"sync", b"async"):
        raise CommandError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    client.server.stats.dirty += 1
    return OK


@command("function|list", arity=-2, flags="noscript", acl="scripting",
         tips="nondeterministic_output_order", group="scripting", since="7.0.0",
         complexity="O(N) where N is the number of functions",
         summary="Answers the function libraries (none in Kedis) and their functions.")
def function_list(client, argv: list[bytes]) -> Reply:
    """FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]

    The options are read as Redis reads them (each at most once; LIBRARYNAME needs its
    pattern), and the answer is the empty list: Kedis has no libraries.
    """
    with_code = named = False
    position = 2
    while position < len(argv):
        word = argv[position].lower()
        if not with_code and word == b"withcode":
            with_code = True
        elif not named and word == b"libraryname":
            if position >= len(argv) - 1:
                raise CommandError("ERR library name argument was not given")
            named = True
            position += 1
        else:
            raise CommandError(f"ERR Unknown argument {user_text(argv[position])}")
        position += 1
    return EMPTY_ARRAY


@command("function|help", arity=2, flags="loading stale", acl="scripting", group="scripting",
         since="7.0.0", complexity="O(1)",
         summary="Answers a short description of the FUNCTION subcommands.")
def function_help(client, argv: list[bytes]) -> Reply:
    """FUNCTION HELP"""
    return help_reply("FUNCTION", (
        "LIST [LIBRARYNAME <pattern>] [WITHCODE]",
        "    Answer the libraries and their functions (Kedis runs no Lua: none).",
        "FLUSH [ASYNC|SYNC]",
        "    Delete every library.",
    ))
