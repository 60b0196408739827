"""Pub/Sub: messages from publishers to whoever listens at that moment (Redis's pubsub.c).

    SUBSCRIBE news          # this connection now receives what is published to "news"
    PUBLISH news hello      # (from another connection) answers how many received it

What these commands teach:

- a message is not stored: PUBLISH hands it to the clients subscribed *now*, and a client that
  subscribes later never sees it (a list or a stream keeps messages; a channel does not);
- the server pushes bytes nobody asked for: each message arrives as ``message``, channel,
  payload. In RESP2 a subscribed connection can then only (un)subscribe, PING, QUIT and RESET,
  because a reply could not be told apart from a message; RESP3 marks messages with its push
  type (``>``), so a RESP3 client may go on with any command;
- PSUBSCRIBE listens to every channel whose name matches a glob pattern (``news.*``), and each
  such message says which pattern matched (``pmessage``).

Each (un)subscription is confirmed by a message of its own, with the number of channels and
patterns the client now listens to; SUBSCRIBE with three channels answers three messages.
Channels live in the server, not in a database: SELECT changes nothing for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.command_table import command
from ..engine.errors import CommandError, subcommand_syntax
from ..engine.reply import NULL, Array, Bulk, Frames, Integer, Push, Reply, help_reply
from ..util.glob import compile_glob

if TYPE_CHECKING:
    from ..engine.client import Client


def _count(client: Client) -> Integer:
    return Integer(len(client.channels) + len(client.patterns))


def _confirm(kind: bytes, name: bytes | None, client: Client) -> Push:
    return Push([Bulk(kind), NULL if name is None else Bulk(name), _count(client)])


def _registries(client: Client, patterns: bool) -> tuple[dict, dict]:
    """The client's own channels (or patterns), and the server's: each name -> its listeners."""
    if patterns:
        return client.patterns, client.server.pubsub_patterns
    return client.channels, client.server.pubsub_channels


def _stop(client: Client, name: bytes, patterns: bool) -> None:
    mine, servers = _registries(client, patterns)
    if name in mine:
        del mine[name]
        listeners = servers[name]
        listeners.remove(client)
        if not listeners:  # a channel nobody listens to is forgotten (PUBSUB CHANNELS)
            del servers[name]


def _subscribe(client: Client, names: list[bytes], patterns: bool) -> Reply:
    mine, servers = _registries(client, patterns)
    kind = b"psubscribe" if patterns else b"subscribe"
    frames = []
    for name in names:
        if name not in mine:
            mine[name] = None
            servers.setdefault(name, []).append(client)
        frames.append(_confirm(kind, name, client))
    client.update_gate()
    return Frames(frames)


def _unsubscribe(client: Client, names: list[bytes], patterns: bool) -> Reply:
    mine, _ = _registries(client, patterns)
    kind = b"punsubscribe" if patterns else b"unsubscribe"
    frames = []
    for name in names or list(mine):  # none named: all of them
        _stop(client, name, patterns)
        frames.append(_confirm(kind, name, client))
    if not frames:  # nothing to leave: one confirmation all the same, with a nil name
        frames.append(_confirm(kind, None, client))
    client.update_gate()
    return Frames(frames)


def unsubscribe_all(client: Client) -> None:
    """Leave every channel and pattern, without a word (RESET, or the connection closed)."""
    for patterns in (False, True):
        for name in list(_registries(client, patterns)[0]):
            _stop(client, name, patterns)
    client.update_gate()


@command("subscribe", arity=-2, flags="pubsub noscript loading stale", acl="pubsub",
         group="pubsub", since="2.0.0",
         complexity="O(N) where N is the number of channels to subscribe to.",
         summary="Listens for the messages published to the given channels.")
def subscribe(client, argv: list[bytes]) -> Reply:
    """SUBSCRIBE channel [channel ...]

    Answers one ``subscribe`` message per channel, with the number of subscriptions so far.
    Teaches: from now on this connection receives every message published to these channels,
    as long as it stays subscribed; nothing published before reaches it.
    """
    return _subscribe(client, argv[1:], patterns=False)


@command("unsubscribe", arity=-1, flags="pubsub noscript loading stale", acl="pubsub",
         group="pubsub", since="2.0.0",
         complexity="O(N) where N is the number of clients already subscribed to a channel.",
         summary="Stops listening to the given channels, or to all of them.")
def unsubscribe(client, argv: list[bytes]) -> Reply:
    """UNSUBSCRIBE [channel [channel ...]]"""
    return _unsubscribe(client, argv[1:], patterns=False)


@command("psubscribe", arity=-2, flags="pubsub noscript loading stale", acl="pubsub",
         group="pubsub", since="2.0.0",
         complexity="O(N) where N is the number of patterns the client is already subscribed to.",
         summary="Listens for the messages published to channels matching the given patterns.")
def psubscribe(client, argv: list[bytes]) -> Reply:
    """PSUBSCRIBE pattern [pattern ...]

    Patterns are globs, as KEYS's: ``news.*``, ``user:?``, ``h[ae]llo``. A message to a channel
    that matches arrives as ``pmessage``, pattern, channel, payload.
    """
    return _subscribe(client, argv[1:], patterns=True)


@command("punsubscribe", arity=-1, flags="pubsub noscript loading stale", acl="pubsub",
         group="pubsub", since="2.0.0",
         complexity="O(N+M) where N is the number of patterns the client is already subscribed "
                    "and M is the number of total patterns subscribed in the system (by any "
                    "client).",
         summary="Stops listening to the given patterns, or to all of them.")
def punsubscribe(client, argv: list[bytes]) -> Reply:
    """PUNSUBSCRIBE [pattern [pattern ...]]"""
    return _unsubscribe(client, argv[1:], patterns=True)


def _deliver(listener: Client, message: Push) -> None:
    # A message to the client whose command is running (it publishes to itself, or its own
    # command made a keyspace event it listens to) goes before that command's reply, as in Redis,
    # where the message is in its output buffer first.
    connection = listener.connection
    if connection is not None:
        data = message.resp() if listener.resp == 2 else message.resp3()
        connection.push(data, before_reply=True)


def publish_message(server, channel: bytes, payload: bytes) -> int:
    """Hand a message to the channel's subscribers, then to those of each pattern that matches
    it (pubsubPublishMessage); answers how many received it. PUBLISH and the keyspace
    notifications (notify.py) both publish through here."""
    receivers = 0
    listeners = server.pubsub_channels.get(channel)
    if listeners:
        message = Push([Bulk(b"message"), Bulk(channel), Bulk(payload)])
        for listener in list(listeners):
            _deliver(listener, message)
        receivers += len(listeners)
    for pattern, listeners in list(server.pubsub_patterns.items()):
        if compile_glob(pattern)(channel):
            message = Push([Bulk(b"pmessage"), Bulk(pattern), Bulk(channel), Bulk(payload)])
            for listener in list(listeners):
                _deliver(listener, message)
            receivers += len(listeners)
    return receivers


@command("publish", arity=3, flags="pubsub loading stale fast may_replicate", acl="pubsub",
         group="pubsub", since="2.0.0",
         complexity="O(N+M) where N is the number of clients subscribed to the receiving channel "
                    "and M is the total number of subscribed patterns (by any client).",
         summary="Sends a message to a channel's subscribers; answers how many received it.")
def publish(client, argv: list[bytes]) -> Reply:
    """PUBLISH channel message

    Teaches: fire and forget. The message goes to the channel's subscribers, then to the
    subscribers of every pattern that matches the channel, and is gone; the answer says how many
    received it, 0 if nobody listened.
    """
    return Integer(publish_message(client.server, argv[1], argv[2]))


@command("pubsub", arity=-2, group="pubsub", since="2.8.0", complexity="Depends on subcommand.",
         summary="A container for the commands that look at channels and patterns.")
def pubsub(client, argv: list[bytes]) -> Reply:
    """PUBSUB <subcommand> [argument ...]"""
    raise AssertionError("the dispatcher routes PUBSUB to its subcommands")


_SUB = dict(flags="pubsub loading stale", acl="pubsub", group="pubsub", since="2.8.0")


@command("pubsub|channels", arity=-2,
         complexity="O(N) where N is the number of active channels, and assuming constant time "
                    "pattern matching (relatively short channels and patterns)",
         summary="Answers the channels that have subscribers, or those matching a pattern.",
         **_SUB)
def pubsub_channels(client, argv: list[bytes]) -> Reply:
    """PUBSUB CHANNELS [pattern]"""
    if len(argv) > 3:
        raise CommandError(subcommand_syntax(argv))
    matches = compile_glob(argv[2]) if len(argv) == 3 else None
    return Array([Bulk(channel) for channel in client.server.pubsub_channels
                  if matches is None or matches(channel)])


@command("pubsub|numsub", arity=-2,
         complexity="O(N) for the NUMSUB subcommand, where N is the number of requested channels",
         summary="Answers the number of subscribers of each given channel.", **_SUB)
def pubsub_numsub(client, argv: list[bytes]) -> Reply:
    """PUBSUB NUMSUB [channel [channel ...]]"""
    channels = client.server.pubsub_channels
    return Array([reply for channel in argv[2:]  # (an array in RESP3 too, in Redis 7.0)
                  for reply in (Bulk(channel), Integer(len(channels.get(channel, ()))))])


@command("pubsub|numpat", arity=2, complexity="O(1)",
         summary="Answers the number of patterns that clients listen to.", **_SUB)
def pubsub_numpat(client, argv: list[bytes]) -> Reply:
    """PUBSUB NUMPAT"""
    return Integer(len(client.server.pubsub_patterns))


@command("pubsub|help", arity=2, flags="loading stale", group="pubsub", since="6.2.0",
         complexity="O(1)", summary="Answers a short description of the PUBSUB subcommands.")
def pubsub_help(client, argv: list[bytes]) -> Reply:
    """PUBSUB HELP"""
    return help_reply("PUBSUB", (
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
    ))
