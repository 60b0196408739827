"""The command table: every command Kedis knows, described as data.

The second layer. After the parser, the server looks the command's name up in this table, checks
the number of arguments against the command's *arity*, and only then calls its handler. Redis does
the same in ``processCommand`` (server.c) with its own table (generated from src/commands/*.json).

Each entry says:

- ``arity``: how many arguments, counting the name. Positive means exactly that many (GET: 2);
  negative means at least that many (SET: -3, so ``SET key value`` and more).
- ``flags``: ``write`` or ``readonly``, ``fast`` (O(1) or O(log N)), ``denyoom``, ...
- ``key_specs``: where the keys are in the arguments. Clients (and Redis Cluster) use this to route
  a command without knowing it. The legacy ``first_key, last_key, step`` triple derives from them.
- ``acl_categories``: ``@read``, ``@string``, ``@fast``... (some follow from the flags, as in Redis).
- documentation: ``group``, ``since``, ``complexity``, ``summary``, and ``syntax``, which is the
  first line of the handler's docstring, so the grammar is written once, next to the code.

``COMMAND``, ``COMMAND INFO``, ``COMMAND DOCS``, ``HELP``, and later completion and the docs, all
read this table: one source of truth. Handlers enter it with the ``@command`` decorator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ..util.plural import plural

__all__ = ["KeySpec", "key", "Command", "command", "TABLE", "BY_NAME", "lookup", "FLAG_ORDER",
            "ACL_ORDER", "KEY_FLAG_ORDER", "KEDIS_ONLY", "keys_from_specs", "command_keys",
           "engine_commands", "command_of"]

# The order in which Redis lists flags and ACL categories in COMMAND INFO.
FLAG_ORDER = ("write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
              "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
              "may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys",
              "allow_busy")
ACL_ORDER = ("keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
             "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
             "dangerous", "connection", "transaction", "scripting")


@dataclass(frozen=True)
class KeySpec:
    """Where one group of keys sits in argv: starting at ``index``, up to ``last_key`` (0: just one
    key; -1: to the end; n: n more), every ``key_step`` arguments (Redis's "range" find_keys).

    Or, when ``keynum`` is set (Redis's "keynum" find_keys), the call itself says how many keys
    there are: the count is at ``argv[index + keynum]`` and the keys start at
    ``argv[index + first_key]`` (SINTERCARD numkeys key [key ...]). Such positions cannot be
    known from the number of arguments alone, so ``positions`` needs the arguments.
    """

    flags: tuple[str, ...]      # RO/RW/OW/RM, then access/update/insert/delete...
    index: int = 1
    last_key: int = 0
    key_step: int = 1
    limit: int = 0
    notes: str = ""
    keynum: int | None = None   # keynum find_keys: where the count is, from ``index``
    first_key: int = 1          # keynum find_keys: where the keys start, from ``index``

    def positions(self, argc: int, argv: list[bytes] | None = None) -> range:
        if self.keynum is not None:
            return self._counted_positions(argc, argv)
        last = self.index + self.last_key if self.last_key >= 0 else argc + self.last_key
        return range(self.index, min(last, argc - 1) + 1, self.key_step)

    def _counted_positions(self, argc: int, argv: list[bytes] | None) -> range:
        # Redis's getKeysUsingKeySpecs: the count must be a strict integer, and every key it
        # announces must be there; anything else is an invalid spec (no keys from it).
        from ..util.numbers import string_to_int

        at = self.index + self.keynum  # type: ignore[operator]
        count = string_to_int(argv[at]) if argv is not None and at < argc else None
        first = self.index + self.first_key
        if count is None or count < 1 or first + (count - 1) * self.key_step >= argc:
            return range(0)
        return range(first, first + count * self.key_step, self.key_step)


#: The order in which Redis lists a key spec's flags (COMMAND INFO, GETKEYSANDFLAGS).
KEY_FLAG_ORDER = ("RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key",
                  "incomplete", "variable_flags")


def key(flags: str, index: int = 1, last_key: int = 0, key_step: int = 1, notes: str = "",
        keynum: int | None = None, first_key: int = 1, limit: int = 0) -> KeySpec:
    """Shorthand for the decorator: ``key("RO access")`` is one read key at argv[1]."""
    given = set(flags.split())
    unknown = given - set(KEY_FLAG_ORDER)
    assert not unknown, f"unknown key spec flags {unknown}"
    return KeySpec(tuple(f for f in KEY_FLAG_ORDER if f in given), index, last_key, key_step,
                   limit, notes, keynum, first_key)


def _c_int(value: int) -> int:
    # A C ``int``: the low 32 bits, as a cast or an overflowing sum leaves them.
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31


def keys_from_specs(cmd: Command, argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]] | None:
    """The keys of the call ``argv`` as ``cmd``'s key specs find them, each as (position, its
    spec's flags), or None when a spec does not fit the call (Redis's getKeysUsingKeySpecs).

    Each spec begins at its index, then takes a range (``last_key`` from there, or counted from
    the end; ``limit`` takes a share of what is left) or reads how many keys there are
    (``keynum``: a strict integer, which Redis then casts to a C int). A range that runs past
    the arguments, is empty, or a count that is not a number, and the whole answer is invalid:
    Redis then asks the command's getkeys function, if it has one. A spec marked incomplete
    cannot say every key either.
    """
    from ..util.numbers import string_to_int

    argc = len(argv)
    found: list[tuple[int, tuple[str, ...]]] = []
    for spec in cmd.key_specs:
        if "not_key" in spec.flags:
            continue
        first = spec.index
        if spec.keynum is None:
            if spec.last_key >= 0:
                last = first + spec.last_key
            elif not spec.limit:
                last = argc + spec.last_key
            else:
                last = first + int((argc - first) / spec.limit) + spec.last_key
        else:
            at = first + spec.keynum
            count = string_to_int(argv[at]) if spec.keynum < argc and at < argc else None
            if count is None or count < 0:
                return None
            first += spec.first_key
            last = _c_int(first + _c_int(count) - 1)
        if last >= argc or last < first or first >= argc:
            return None
        found += [(position, spec.flags) for position in range(first, last + 1, spec.key_step)]
        if "incomplete" in spec.flags:
            return None
    return found


def command_keys(cmd: Command, argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """The keys of a whole call, as (position, flags) pairs, the way Redis finds them for
    COMMAND GETKEYS (getKeysFromCommandWithSpecs): the key specs when they can tell (and
    none of them says its flags vary with the call), else the command's getkeys function."""
    specs = cmd.key_specs
    if (any("not_key" not in spec.flags for spec in specs)
            and not any("variable_flags" in spec.flags for spec in specs)):
        found = keys_from_specs(cmd, argv)
        if found is not None:
            return found
    return cmd.getkeys(argv) if cmd.getkeys is not None else []


@dataclass(slots=True)
class Command:
    """One entry of the table."""

    name: str                          # lower case; "config|get" for a subcommand
    handler: Callable | None
    arity: int
    flags: tuple[str, ...]
    key_specs: tuple[KeySpec, ...]
    acl_categories: tuple[str, ...]    # with the implicit ones, in Redis's order, without "@"
    tips: tuple[str, ...]
    group: str
    since: str
    complexity: str
    summary: str
    syntax: str
    doc_flags: tuple[str, ...] = ()
    subcommands: dict[str, Command] = field(default_factory=dict)
    module: str = ""                   # the file that holds the handler, for the trace
    #: Redis's ``getkeys_proc``: ``getkeys(argv) -> [(position, flags), ...]`` for a command whose
    #: key specs cannot tell everything. SET's spec says ``variable_flags``: whether its key is
    #: read (RW access) or only overwritten (OW) depends on the GET option, so a function decides.
    getkeys: Callable[[list[bytes]], list[tuple[int, tuple[str, ...]]]] | None = None
    #: Redis's CMD_PROTECTED (never shown by COMMAND INFO): the command may run only as the
    #: parameter named here allows (``enable-debug-command`` for DEBUG: no, yes, or local, for
    #: clients on this machine). The engine keeps such commands apart (dispatcher.py, ``call``).
    protected: str = ""
    # INFO commandstats: what this command did in one engine (each engine has its own copies of
    # the table, ``engine_commands``). Counted by the dispatcher where Redis's call() and
    # rejectCommand() count them: calls that ran, the time they took, calls that answered an
    # error, calls refused before they could run (wrong arity, NOAUTH...).
    calls: int = field(default=0, compare=False, repr=False)
    duration_ns: int = field(default=0, compare=False, repr=False)
    failed_calls: int = field(default=0, compare=False, repr=False)
    rejected_calls: int = field(default=0, compare=False, repr=False)

    # The legacy (first_key, last_key, step) triple of COMMAND INFO describes only the key specs
    # whose places are fixed; a command whose keys the call counts (``movablekeys``) says 0 0 0.
    @property
    def _ranges(self) -> tuple[KeySpec, ...]:
        return tuple(spec for spec in self.key_specs if spec.keynum is None)

    @property
    def first_key(self) -> int:
        ranges = self._ranges
        return ranges[0].index if ranges else 0

    @property
    def last_key(self) -> int:
        ranges = self._ranges
        if not ranges:
            return 0
        last = ranges[-1]
        return last.last_key if last.last_key < 0 else last.index + last.last_key

    @property
    def key_step(self) -> int:
        ranges = self._ranges
        return ranges[0].key_step if ranges else 0

    @property
    def display_name(self) -> str:
        """``CONFIG GET`` for ``config|get``: how HELP and the docs show the name."""
        return self.name.replace("|", " ").upper()

    def key_positions(self, argc: int, argv: list[bytes] | None = None) -> list[int]:
        """The argv indexes that hold keys, for a call with ``argc`` arguments (and, for a
        command whose call counts its keys, the arguments themselves: without them, none)."""
        positions: list[int] = []
        for spec in self.key_specs:
            positions.extend(p for p in spec.positions(argc, argv) if p not in positions)
        return positions

    def tokens(self) -> list[str]:
        """The option words of the syntax (``NX``, ``EX``...), for completion."""
        words = re.findall(r"\b[A-Z][A-Z_-]+\b", self.syntax.split(" ", 1)[1] if " " in self.syntax else "")
        return list(dict.fromkeys(words))

    def describe_arity(self) -> str:
        if self.arity >= 0:
            return f"exactly {plural(self.arity, 'argument')}"
        return f"at least {plural(-self.arity, 'argument')}"


#: Kedis's own commands, which Redis does not have (tests that compare with Redis skip them).
KEDIS_ONLY = frozenset({"help", "monitor.trace"})

#: name (lower-case bytes) -> Command. Filled by the @command decorators of kedis/commands/.
TABLE: dict[bytes, Command] = {}

#: The same entries under their lower- and upper-case names: most commands arrive spelled one way
#: or the other, and an exact dict hit is much cheaper than lower-casing every name first.
BY_NAME: dict[bytes, Command] = {}


def lookup(name: bytes) -> Command | None:
    """Find a command by name, case-insensitively (Redis's lookupCommand)."""
    return BY_NAME.get(name) or TABLE.get(name.lower())


def command_of(argv: Sequence[bytes]) -> Command | None:
    """The command (or subcommand) that ``argv`` calls, as the dispatcher finds it, or None."""
    cmd = lookup(argv[0])
    if cmd is not None and cmd.subcommands and len(argv) > 1:
        return cmd.subcommands.get(argv[1].lower().decode("utf-8", "replace"))
    return cmd


def engine_commands() -> dict[bytes, Command]:
    """A copy of the table for one engine, under the names of ``BY_NAME``: the entries are the
    same but for their counters (INFO commandstats), which each engine keeps for itself."""
    copies: dict[bytes, Command] = {}
    for name, cmd in TABLE.items():
        twin = replace(cmd, subcommands={sub: replace(entry)
                                         for sub, entry in cmd.subcommands.items()})
        copies[name] = copies[name.upper()] = twin
    return copies


def _implicit_acl(flags: tuple[str, ...], explicit: set[str]) -> set[str]:
    # Redis derives some categories from the flags (setImplicitACLCategories in server.c).
    categories = set(explicit)
    if "write" in flags:
        categories.add("write")
    if "readonly" in flags and "scripting" not in categories:
        categories.add("read")
    if "admin" in flags:
        categories |= {"admin", "dangerous"}
    if "pubsub" in flags:
        categories.add("pubsub")
    if "fast" in flags:
        categories.add("fast")
    if "blocking" in flags:
        categories.add("blocking")
    if "fast" not in categories:
        categories.add("slow")
    return categories


def command(name: str, *, arity: int, flags: str = "", keys: tuple | list = (), acl: str = "",
            tips: str = "", group: str, since: str, complexity: str, summary: str,
            doc_flags: str = "", getkeys: Callable | None = None,
            protected: str = "") -> Callable[[Callable], Callable]:
    """Register the decorated function as the handler of ``name`` (``"config|get"`` for a
    subcommand: the container must be registered first).

    The handler is called as ``handler(client, argv)`` with ``argv`` a list of bytes, argv[0] being
    the command name, and returns a Reply. Arity is checked before it is called. ``getkeys`` is
    the command's getkeys_proc (see ``Command.getkeys``), for COMMAND GETKEYS(ANDFLAGS).
    ``protected`` names the parameter that allows the command (see ``Command.protected``).
    """
    def register(handler: Callable) -> Callable:
        doc = (handler.__doc__ or "").strip()
        flag_set = set(flags.split())
        unknown = flag_set - set(FLAG_ORDER)
        assert not unknown, f"{name}: unknown flags {unknown}"
        categories = _implicit_acl(tuple(flag_set), set(acl.split()))
        entry = Command(
            name=name, handler=handler, arity=arity,
            flags=tuple(f for f in FLAG_ORDER if f in flag_set),
            key_specs=tuple(keys),
            acl_categories=tuple(c for c in ACL_ORDER if c in categories),
            tips=tuple(tips.split()), group=group, since=since, complexity=complexity,
            summary=summary, syntax=doc.splitlines()[0] if doc else name.upper(),
            doc_flags=tuple(doc_flags.split()),
            module=handler.__module__.replace(".", "/") + ".py",
            getkeys=getkeys,
            protected=protected,
        )
        parent, _, sub = name.partition("|")
        if sub:
            TABLE[parent.encode()].subcommands[sub] = entry
        else:
            TABLE[name.encode()] = entry
            BY_NAME[name.encode()] = BY_NAME[name.upper().encode()] = entry
        handler.command = entry  # type: ignore[attr-defined]
        return handler
    return register
