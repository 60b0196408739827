"""Connection commands: the conversation itself (Redis's server.c and networking.c).

PING and ECHO answer without touching any data: they test the path through the layers. SELECT
changes which of the 16 logical databases this connection's later commands use; it is per
connection state, so two clients can work in different databases of the same server.
"""

from __future__ import annotations

from ..command_table import command
from ..errors import DB_INDEX, CommandError, wrong_arity
from ..numbers import parse_int32
from ..reply import OK, PONG, Bulk, Reply


@command("ping", arity=-1, flags="fast", acl="connection",
         tips="request_policy:all_shards response_policy:all_succeeded",
         group="connection", since="1.0.0", complexity="O(1)",
         summary="Answers PONG, or the given message: tests that the server is there.")
def ping(client, argv: list[bytes]) -> Reply:
    """PING [message]"""
    if len(argv) > 2:
        raise CommandError(wrong_arity("ping"))
    return PONG if len(argv) == 1 else Bulk(argv[1])


@command("echo", arity=2, flags="loading stale fast", acl="connection",
         group="connection", since="1.0.0", complexity="O(1)",
         summary="Answers the given string.")
def echo(client, argv: list[bytes]) -> Reply:
    """ECHO message"""
    return Bulk(argv[1])


@command("select", arity=2, flags="loading stale fast", acl="connection",
         group="connection", since="1.0.0", complexity="O(1)",
         summary="Changes the logical database this connection uses (0 to 15 by default).")
def select(client, argv: list[bytes]) -> Reply:
    """SELECT index

    Teaches: one server, several independent keyspaces. Each database has its own keys and its
    own expiry index; FLUSHDB empties one, FLUSHALL all of them.
    """
    index = parse_int32(argv[1])
    if not 0 <= index < len(client.server.databases):
        raise CommandError(DB_INDEX)
    client.select(index)
    return OK
