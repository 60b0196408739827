"""The commands that describe the commands: COMMAND and HELP (Redis's server.c, redis-cli's help).

Everything here is read from the command table (command_table.py): the table is data, and these
commands are views of it. Clients use COMMAND to learn a server's commands and where their keys
are; people use HELP. Teaches: a command is arity, flags and key positions before it is code.
"""

from __future__ import annotations

from ..engine.command_table import TABLE, Command, command_keys, lookup
from ..engine.command_table import command as register
from ..engine.errors import INVALID_COMMAND, INVALID_KEYS, SYNTAX, CommandError, user_text
from ..engine.reply import (
    EMPTY_SET,
    NULL,
    Array,
    Bulk,
    Integer,
    Map,
    Reply,
    Set,
    Status,
    Verbatim,
    help_reply,
)
from ..util.glob import compile_glob


def _all_commands() -> list[Command]:
    return list(TABLE.values())


# In RESP3, Redis 7 answers these as maps (field, value...) and sets (flags, categories, tips);
# in RESP2 both are flat arrays, so a Map or a Set here changes nothing for a RESP2 client.
def _map(flat: list[Reply]) -> Map:
    return Map(zip(flat[::2], flat[1::2], strict=True))


def _keyspec_reply(spec) -> Reply:
    fields: list[Reply] = []
    if spec.notes:
        fields += [Bulk(b"notes"), Bulk(spec.notes.encode())]
    if spec.keynum is not None:  # the call says how many keys: SINTERCARD numkeys key ...
        find_keys = _map([Bulk(b"type"), Bulk(b"keynum"), Bulk(b"spec"),
                          _map([Bulk(b"keynumidx"), Integer(spec.keynum),
                                Bulk(b"firstkey"), Integer(spec.first_key),
                                Bulk(b"keystep"), Integer(spec.key_step)])])
    else:
        find_keys = _map([Bulk(b"type"), Bulk(b"range"), Bulk(b"spec"),
                          _map([Bulk(b"lastkey"), Integer(spec.last_key),
                                Bulk(b"keystep"), Integer(spec.key_step),
                                Bulk(b"limit"), Integer(spec.limit)])])
    fields += [
        Bulk(b"flags"), Set([Status(flag) for flag in spec.flags]),
        Bulk(b"begin_search"), _map([Bulk(b"type"), Bulk(b"index"), Bulk(b"spec"),
                                     _map([Bulk(b"index"), Integer(spec.index)])]),
        Bulk(b"find_keys"), find_keys,
    ]
    return _map(fields)


def info_reply(cmd: Command) -> Reply:
    """One command as COMMAND INFO describes it: the ten fields of Redis 7. Of the flags, Redis
    keeps ``may_replicate`` to itself (PUBLISH has it: CLIENT PAUSE WRITE holds it)."""
    return Array([
        Bulk(cmd.name.encode()),
        Integer(cmd.arity),
        Set([Status(flag) for flag in cmd.flags if flag != "may_replicate"]),
        Integer(cmd.first_key), Integer(cmd.last_key), Integer(cmd.key_step),
        Set([Status("@" + category) for category in cmd.acl_categories]),
        Set([Bulk(tip.encode()) for tip in cmd.tips]),
        Set([_keyspec_reply(spec) for spec in cmd.key_specs]),
        # (Redis answers an array of subcommands, but an empty set when there are none)
        Array([info_reply(sub) for sub in cmd.subcommands.values()]) if cmd.subcommands
        else EMPTY_SET,
    ])


def docs_reply(cmd: Command) -> Reply:
    """One command as COMMAND DOCS describes it (a map, flattened into pairs in RESP2)."""
    fields: list[Reply] = [
        Bulk(b"summary"), Bulk(cmd.summary.encode()),
        Bulk(b"since"), Bulk(cmd.since.encode()),
        Bulk(b"group"), Bulk(cmd.group.encode()),
        Bulk(b"complexity"), Bulk(cmd.complexity.encode()),
    ]
    if cmd.doc_flags:
        fields += [Bulk(b"doc_flags"), Set([Status(flag) for flag in cmd.doc_flags])]
    if cmd.subcommands:
        pairs: list[Reply] = []
        for sub in cmd.subcommands.values():
            pairs += [Bulk(sub.name.encode()), docs_reply(sub)]
        fields += [Bulk(b"subcommands"), _map(pairs)]
    return _map(fields)


@register("command", arity=-1, flags="loading stale", acl="connection",
          tips="nondeterministic_output_order", group="server", since="2.8.13",
          complexity="O(N) where N is the number of commands",
          summary="Answers the details of every command (the same as COMMAND INFO).")
def command_(client, argv: list[bytes]) -> Reply:
    """COMMAND [subcommand [argument ...]]"""
    return Array([info_reply(cmd) for cmd in _all_commands()])


_SUB = dict(flags="loading stale", acl="connection", group="server")


@register("command|count", arity=2, since="2.8.13", complexity="O(1)",
          summary="Answers how many commands there are.", **_SUB)
def command_count(client, argv: list[bytes]) -> Reply:
    """COMMAND COUNT"""
    return Integer(len(TABLE))


@register("command|info", arity=-2, tips="nondeterministic_output_order", since="2.8.13",
          complexity="O(N) where N is the number of commands asked for",
          summary="Answers the details of the named commands (nil for an unknown name), or of "
                  "all of them.", **_SUB)
def command_info(client, argv: list[bytes]) -> Reply:
    """COMMAND INFO [command-name [command-name ...]]

    For each command: name, arity, flags, first key, last key, key step, ACL categories, tips,
    key specifications, subcommands.
    """
    if len(argv) == 2:
        return Array([info_reply(cmd) for cmd in _all_commands()])
    return Array([info_reply(cmd) if cmd else NULL for cmd in map(_find, argv[2:])])


@register("command|docs", arity=-2, tips="nondeterministic_output_order", since="7.0.0",
          complexity="O(N) where N is the number of commands asked for",
          summary="Answers the documentation of the named commands, or of all of them.", **_SUB)
def command_docs(client, argv: list[bytes]) -> Reply:
    """COMMAND DOCS [command-name [command-name ...]]

    Unknown names are left out. Kedis answers summary, since, group, complexity and doc_flags;
    the argument trees of Redis's own docs are not included.
    """
    wanted = _all_commands() if len(argv) == 2 else [c for c in map(_find, argv[2:]) if c]
    pairs: list[Reply] = []
    for cmd in wanted:
        pairs += [Bulk(cmd.name.encode()), docs_reply(cmd)]
    return _map(pairs)


@register("command|list", arity=-2, tips="nondeterministic_output_order", since="7.0.0",
          complexity="O(N) where N is the number of commands",
          summary="Answers the names of all commands (subcommands included), optionally "
                  "filtered.", **_SUB)
def command_list(client, argv: list[bytes]) -> Reply:
    """COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]"""
    everything: list[Command] = []
    for cmd in _all_commands():
        everything.append(cmd)
        everything.extend(cmd.subcommands.values())
    if len(argv) == 2:
        chosen = everything
    elif len(argv) == 5 and argv[2].split(b"\x00", 1)[0].lower() == b"filterby":
        # (the option words as C's strcasecmp reads them: up to a NUL byte)
        kind, value = argv[3].split(b"\x00", 1)[0].lower(), argv[4]
        if kind == b"module":
            chosen = []  # Kedis has no modules
        elif kind == b"aclcat":  # a category's name, as C reads it: up to a NUL byte
            category = value.split(b"\x00", 1)[0].lower().decode("utf-8", "replace")
            chosen = [c for c in everything if category in c.acl_categories]
        elif kind == b"pattern":
            matches = compile_glob(value, nocase=True)
            chosen = [c for c in everything if matches(c.name.encode())]
        else:
            raise CommandError(SYNTAX)
    else:
        raise CommandError(SYNTAX)
    return Array([Bulk(cmd.name.encode()) for cmd in chosen])


def _keys_of(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """The keys of the full command in ``argv[2:]``, as (position, flags) pairs (Redis's
    getKeysSubcommandImpl).

    Redis checks in this order: is it a command (its name and, for a container, its subcommand
    name, as separate arguments: ``config|get`` is no name here), does it have keys at all, does
    the call have a valid number of arguments. Then the key specs, or the command's getkeys
    function, find the keys (command_table.command_keys); finding none is an error, unless the
    command may have none (``no_mandatory_keys``).
    """
    target = argv[2:]
    cmd = lookup(target[0])
    if cmd is not None and cmd.subcommands and len(target) > 1:
        cmd = cmd.subcommands.get(target[1].lower().decode("utf-8", "replace"))
    if cmd is None:
        raise CommandError(INVALID_COMMAND)
    if not cmd.key_specs and cmd.getkeys is None:
        raise CommandError("ERR The command has no key arguments")
    if (cmd.arity > 0 and len(target) != cmd.arity) or len(target) < -cmd.arity:
        raise CommandError("ERR Invalid number of arguments specified for command")
    found = command_keys(cmd, target)
    if not found and "no_mandatory_keys" not in cmd.flags:
        raise CommandError(INVALID_KEYS)
    return found


@register("command|getkeys", arity=-4, since="2.8.13",
          complexity="O(N) where N is the number of arguments",
          summary="Answers which arguments of a full command are keys.", **_SUB)
def command_getkeys(client, argv: list[bytes]) -> Reply:
    """COMMAND GETKEYS command [argument ...]

    Teaches: the key specifications at work: ``COMMAND GETKEYS MSET a 1 b 2`` answers a and b.
    """
    return Array([Bulk(argv[2 + position]) for position, _ in _keys_of(argv)])


@register("command|getkeysandflags", arity=-4, since="7.0.0",
          complexity="O(N) where N is the number of arguments",
          summary="Answers which arguments of a full command are keys, with their access flags.",
          **_SUB)
def command_getkeysandflags(client, argv: list[bytes]) -> Reply:
    """COMMAND GETKEYSANDFLAGS command [argument ...]"""
    return Array([Array([Bulk(argv[2 + position]), Set([Status(f) for f in flags])])
                  for position, flags in _keys_of(argv)])


@register("command|help", arity=2, since="5.0.0", complexity="O(1)",
          summary="Answers a short description of the COMMAND subcommands.", **_SUB)
def command_help(client, argv: list[bytes]) -> Reply:
    """COMMAND HELP"""
    return help_reply("COMMAND", (
        "(no subcommand)",
        "    Answer the details of every command.",
        "COUNT",
        "    Answer how many commands there are.",
        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
        "    Answer the names of the commands, optionally filtered.",
        "INFO [<command-name> ...]",
        "    Answer the details of the named commands, or of all of them.",
        "DOCS [<command-name> ...]",
        "    Answer the documentation of the named commands, or of all of them.",
        "GETKEYS <full-command>",
        "    Answer the keys of a full command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Answer the keys of a full command, with their access flags.",
    ))


def _find(name: bytes) -> Command | None:
    """A command by name, or a subcommand written ``config|get`` (lookupCommandBySds).

    One level of subcommands only: ``config|get|x`` is no command, nor is ``get|x`` (GET has
    no subcommands) or ``config|`` (an empty subcommand name)."""
    parts = name.split(b"|")
    if len(parts) > 2:
        return None
    cmd = lookup(parts[0])
    if cmd is None or len(parts) == 1:
        return cmd
    return cmd.subcommands.get(parts[1].lower().decode("utf-8", "replace"))


# --- HELP (a Kedis command: redis-cli answers it on the client side) ----------------------------
def help_text(cmd: Command) -> str:
    """One command's help, laid out as redis-cli's ``help <command>`` prints it."""
    return (f"  {cmd.syntax}\n"
            f"  summary: {cmd.summary}\n"
            f"  since: {cmd.since}\n"
            f"  group: {cmd.group}\n"
            f"  complexity: {cmd.complexity}\n")


def _groups() -> dict[str, list[Command]]:
    groups: dict[str, list[Command]] = {}
    for cmd in sorted(_all_commands(), key=lambda c: c.name):
        groups.setdefault(cmd.group, []).append(cmd)
    return groups


@register("help", arity=-1, flags="loading stale fast", acl="connection", group="connection",
          since="kedis", complexity="O(N) where N is the number of commands shown",
          summary="Shows a command's syntax and summary, a group's commands, or the list of "
                  "commands.")
def help_(client, argv: list[bytes]) -> Reply:
    """HELP [command | @group]

    Kedis's own command (redis-cli answers ``help`` without asking the server): ``HELP SET``
    shows SET's syntax, summary, complexity and group; ``HELP @string`` every string command;
    ``HELP`` alone lists all the commands by group.
    """
    groups = _groups()
    if len(argv) == 1:
        lines = ["Kedis commands, by group. HELP <command> shows one; HELP @<group> a group.", ""]
        for group, members in groups.items():
            lines.append(f"@{group}: " + " ".join(c.name.upper() for c in members))
        return Verbatim("\n".join(lines) + "\n")
    topic = b" ".join(argv[1:])
    if topic.startswith(b"@"):
        members = groups.get(topic[1:].lower().decode("utf-8", "replace"))
        if not members:
            raise CommandError(f"ERR no such group '{user_text(topic)}': try one of "
                               + ", ".join("@" + g for g in groups))
        return Verbatim("\n".join(help_text(c) for c in members))
    cmd = _find(argv[1])
    if cmd is not None and cmd.subcommands and len(argv) > 2:
        cmd = cmd.subcommands.get(argv[2].lower().decode("utf-8", "replace"))
    if cmd is None:
        raise CommandError(f"ERR no help for '{user_text(topic)}': not a Kedis command")
    if cmd.subcommands and len(argv) == 2:
        return Verbatim("\n".join(help_text(c) for c in [cmd, *cmd.subcommands.values()]))
    return Verbatim(help_text(cmd))
