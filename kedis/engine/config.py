"""Configuration parameters: the ones Kedis really has, read and set by CONFIG GET / CONFIG SET.

Redis has about 200 parameters (config.c). Kedis declares only those that change what it does:

- ``databases``: how many logical databases (fixed when the engine starts, as in Redis);
- ``hz``: how many times a second hosts run the active expiry cycle (``Kedis.tick``), 1..500;
- ``active-expire-effort``: how hard both active expiry cycles work (expiry.py), 1..10;
- ``proto-max-bulk-len``: the longest string a command may build (APPEND, SETRANGE), 512mb;
- persistence (../persistence): ``save`` (the snapshot rules, "3600 1 300 100"),
  ``dir`` and ``dbfilename`` (where the dump goes), ``rdbcompression``, ``rdbchecksum``,
  ``appendonly``, ``appendfsync``, ``appendfilename``, ``appenddirname``,
  ``aof-use-rdb-preamble``, ``aof-load-truncated`` and ``stop-writes-on-bgsave-error`` (refuse
  writes while the last BGSAVE failed);
- the network (kedis-server, network/server.py): ``port`` and ``bind`` (fixed once it listens),
  ``maxclients``, ``protected-mode``, ``requirepass`` (the password AUTH wants; "" for none),
  ``client-query-buffer-limit`` and ``timeout`` (seconds a client may stay idle; 0: forever);
  ``daemonize`` and ``replicaof`` (alias ``slaveof``) are read only: kedis-server stays in the
  foreground and Kedis has no replication.

Values are parsed and checked the way Redis checks them, with the same error texts. Numbers are
stored as ints, yes/no as bools, ``save`` as a tuple of (seconds, changes) rules, the rest as str.
``dir`` and ``dbfilename`` are *protected*, as in Redis: CONFIG SET changes them only when the
engine was started with ``enable-protected-configs yes`` (or ``local``, for a client on loopback
or in the engine's own process), since a client that may choose where files go may overwrite
any file the server can write. Give them when the engine starts instead:
``Kedis(config={"dir": ...})``, ``kedis-server --dir``. Redis changes its process's working
directory for ``dir``, Kedis keeps the absolute path instead.
``enable-debug-command`` (no, yes, local; fixed at start, "no" by default as in Redis) says
who may run DEBUG (commands/debug.py): nobody, everybody, or the clients on loopback and those in
the engine's own process (the Jupyter kernel's, ``Kedis.execute``'s): those count as local.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..util.numbers import string_to_int
from .notify import classes_text, parse_classes

__all__ = ["Parameter", "ConfigError", "PARAMETERS", "NAMES", "parse_memory", "parse_save_rules",
           "DEFAULT_SAVE_RULES"]


class ConfigError(ValueError):
    """A value a parameter refuses; the message is Redis's reason ("argument must be ...")."""


_MEMORY = re.compile(rb"(\d*)(k|kb|m|mb|g|gb|b)?\Z", re.IGNORECASE)
_UNITS = {None: 1, b"b": 1, b"k": 1000, b"kb": 1024, b"m": 1000 ** 2, b"mb": 1024 ** 2,
          b"g": 1000 ** 3, b"gb": 1024 ** 3}
_ULLONG = 2 ** 64


def parse_memory(value: bytes) -> int:
    """``512mb`` -> 536870912, as Redis's memtoull reads it (k=1000, kb=1024, m, mb, g, gb).

    Redis's quirks are kept: no digits at all means 0 (``kb`` is 0 bytes), more than 127 digits is
    not a memory value, and a number too big for 64 bits wraps around as C's unsigned arithmetic
    does, so that the range check that follows refuses it.
    """
    match = _MEMORY.match(value)
    if not match or len(match.group(1)) >= 128:
        raise ConfigError("argument must be a memory value")
    number = min(int(match.group(1) or b"0"), _ULLONG - 1)  # strtoull saturates at ULLONG_MAX
    unit = match.group(2).lower() if match.group(2) else None
    wrapped = number * _UNITS[unit] % _ULLONG
    return wrapped - _ULLONG if wrapped >= _ULLONG // 2 else wrapped  # stored in a long long


def _parse_integer(value: bytes) -> int:
    number = string_to_int(value)  # Redis's string2ll: 64 bits, no "+", no leading zeros
    if number is None:
        raise ConfigError("argument couldn't be parsed into an integer")
    return number


def _parse_yes_no(value: bytes) -> bool:
    word = value.lower()
    if word not in (b"yes", b"no"):
        raise ConfigError("argument must be 'yes' or 'no'")
    return word == b"yes"


def _show_yes_no(value: bool) -> bytes:
    return b"yes" if value else b"no"


def _one_of(*choices: str) -> Callable[[bytes], str]:
    def parse(value: bytes) -> str:
        word = value.lower().decode("utf-8", "replace")
        if word not in choices:
            raise ConfigError(f"argument(s) must be one of the following: {', '.join(choices)}")
        return word
    return parse


#: Redis's default snapshot rules: after an hour if one key changed, 5 minutes if 100 did, a
#: minute if 10,000 did. A plain Kedis() has none (it never writes a file unless asked); the REPL
#: and the kernel use these when given a --dir.
DEFAULT_SAVE_RULES = ((3600, 1), (300, 100), (60, 10000))


_STRTOLL = re.compile(rb"[ \t\n\v\f\r]*[+-]?\d+\Z")


def _strtoll(word: bytes) -> int | None:
    """C's strtoll() as Redis checks it: all of ``word`` must be read ("" reads as 0)."""
    if word == b"":
        return 0
    if not _STRTOLL.match(word):
        return None
    return max(min(int(word), _LONG_MAX), -_LONG_MAX - 1)


def parse_save_rules(value: bytes) -> tuple[tuple[int, int], ...]:
    """``b"900 1 300 10"`` -> ((900, 1), (300, 10)): pairs of seconds (at least 1) and changes
    (at least 0), as Redis's ``save`` reads them (split at each single space, each word read by
    strtoll); ``b""`` means no rules."""
    if value == b"":
        return ()
    numbers = [_strtoll(word) for word in value.split(b" ")]
    if len(numbers) % 2 or any(n is None for n in numbers):
        raise ConfigError("Invalid save parameters")
    rules = tuple(zip(numbers[::2], numbers[1::2], strict=True))
    if any(seconds < 1 or changes < 0 for seconds, changes in rules):  # type: ignore[operator]
        raise ConfigError("Invalid save parameters")
    return rules  # type: ignore[return-value]


def _show_save_rules(rules: tuple[tuple[int, int], ...]) -> bytes:
    return " ".join(f"{seconds} {changes}" for seconds, changes in rules).encode()


def _parse_dir(value: bytes) -> str:
    path = os.fsdecode(value)
    if not os.path.exists(path):
        raise ConfigError("No such file or directory")
    if not os.path.isdir(path):
        raise ConfigError("Not a directory")
    return os.path.abspath(path)


def _parse_file_name(value: bytes) -> str:
    if b"/" in value:
        raise ConfigError("dbfilename can't be a path, just a filename")
    return os.fsdecode(value)


def _show_int(value: int) -> bytes:
    return b"%d" % value


def _show_text(value: str) -> bytes:
    return os.fsencode(value)


def _parse_maxmemory(value: bytes) -> int:
    limit = parse_memory(value)
    if limit != 0:
        raise ConfigError("Kedis does not evict keys (it does not count memory as Redis does "
                          "yet), so maxmemory can only be 0: no limit")
    return limit


def _parse_maxmemory_clients(value: bytes) -> int:
    try:  # bytes, or a percentage of maxmemory
        limit = parse_memory(value[:-1] if value.endswith(b"%") else value)
    except ConfigError:
        raise ConfigError("argument must be a memory or percent value") from None
    if limit != 0:
        raise ConfigError("Kedis does not count its clients' memory, so it cannot evict them: "
                          "maxmemory-clients can only be 0 (no limit)")
    return limit


def _parse_daemonize(value: bytes) -> bool:
    if _parse_yes_no(value):
        raise ConfigError("kedis-server does not detach from its terminal: daemonize is no")
    return False


#: The most addresses ``bind`` may name (Redis's CONFIG_BINDADDR_MAX): each is a socket to open.
BIND_MAX = 16


def _parse_bind(value: bytes) -> str:
    # Redis splits the value at each space (sdssplitlen), and refuses more than 16 before it
    # tries any: a long list would have the server open sockets for as long as it is.
    if value.count(b" ") >= BIND_MAX:
        raise ConfigError("Too many bind addresses specified.")
    return os.fsdecode(value)


def _parse_replicaof(value: bytes) -> str:
    if value:
        raise ConfigError("Kedis has no replication: replicaof can only be empty")
    return ""


def _parse_notify_classes(value: bytes) -> int:
    flags = parse_classes(value)
    if flags is None:
        raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return flags


def _show_notify_classes(flags: int) -> bytes:
    return classes_text(flags).encode()


@dataclass
class Parameter:
    name: str
    default: Any
    minimum: int | None
    maximum: int | None
    parse: Callable[[bytes], Any]
    mutable: bool = True
    #: Where files go (dir, dbfilename): CONFIG SET may change it only as enable-protected-configs
    #: allows, for a client that could otherwise make the server write a file anywhere.
    protected: bool = False
    clamp: tuple[int, int] | None = None  # accepted, then held within this range (hz)
    show: Callable[[Any], bytes] = _show_int  # the value as CONFIG GET answers it
    #: Another name of the same parameter (Redis's ``alias``: slaveof for replicaof). CONFIG
    #: GET matches both names, as two entries; CONFIG SET takes either.
    alias: str = ""
    #: Redis's HIDDEN_CONFIG, a parameter for tests: CONFIG GET answers it only when asked by
    #: its exact name, never for a pattern (``CONFIG GET *`` does not show it).
    hidden: bool = False

    def convert(self, raw: bytes) -> Any:
        value = self.parse(raw)
        if self.minimum is not None and not self.minimum <= value <= self.maximum:
            raise ConfigError(f"argument must be between {self.minimum} and {self.maximum} inclusive")
        if self.clamp:
            value = min(max(value, self.clamp[0]), self.clamp[1])
        return value


_LONG_MAX = 2 ** 63 - 1
_LLONG_MAX = _LONG_MAX
_INT_MAX = 2 ** 31 - 1

PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("databases", 16, 1, _INT_MAX, _parse_integer, mutable=False),
    Parameter("hz", 10, 0, _INT_MAX, _parse_integer, clamp=(1, 500)),
    Parameter("active-expire-effort", 1, 1, 10, _parse_integer),
    Parameter("proto-max-bulk-len", 512 * 1024 * 1024, 1024 * 1024, _LONG_MAX, parse_memory),
    Parameter("save", (), None, None, parse_save_rules, show=_show_save_rules),
    Parameter("dir", "", None, None, _parse_dir, protected=True,  # "": the cwd, at start
              show=_show_text),
    Parameter("dbfilename", "dump.rdb", None, None, _parse_file_name, protected=True,
              show=_show_text),
    Parameter("enable-protected-configs", "no", None, None, _one_of("no", "yes", "local"),
              mutable=False, show=_show_text),
    # Whether DEBUG may run (commands/debug.py): no, yes, or local (a client on loopback, or in
    # the engine's own process). Fixed at start, as in Redis: a client must not be able to
    # allow itself a command made to stop, crash or rewrite the server.
    Parameter("enable-debug-command", "no", None, None, _one_of("no", "yes", "local"),
              mutable=False, show=_show_text),
    Parameter("stop-writes-on-bgsave-error", True, None, None, _parse_yes_no, show=_show_yes_no),
    Parameter("rdbcompression", True, None, None, _parse_yes_no, show=_show_yes_no),
    Parameter("rdbchecksum", True, None, None, _parse_yes_no, mutable=False, show=_show_yes_no),
    Parameter("appendonly", False, None, None, _parse_yes_no, show=_show_yes_no),
    Parameter("appendfsync", "everysec", None, None, _one_of("everysec", "always", "no"),
              show=_show_text),
    Parameter("appendfilename", "appendonly.aof", None, None, _parse_file_name, mutable=False,
              show=_show_text),
    Parameter("appenddirname", "appendonlydir", None, None, _parse_file_name, mutable=False,
              show=_show_text),
    Parameter("aof-use-rdb-preamble", True, None, None, _parse_yes_no, show=_show_yes_no),
    Parameter("aof-load-truncated", True, None, None, _parse_yes_no, show=_show_yes_no),
    # kedis-server's (network/server.py): an engine that serves no network shows port 0, as a Redis
    # started with "port 0" listens on no TCP port. The server reads the others at each new
    # connection or each read, so CONFIG SET acts at once; a new port or bind opens new
    # listening sockets (commands/server.py's _apply), which an embedded engine cannot.
    Parameter("port", 0, 0, 65535, _parse_integer),
    Parameter("bind", "", None, None, _parse_bind, show=_show_text),
    # Read only, as in Redis (fixed at start): kedis-server never detaches from its terminal,
    # and Kedis has no replication, so this server is never a replica ("" says so).
    Parameter("daemonize", False, None, None, _parse_daemonize, mutable=False, show=_show_yes_no),
    Parameter("replicaof", "", None, None, _parse_replicaof, mutable=False, show=_show_text,
              alias="slaveof"),
    Parameter("maxclients", 10000, 1, 2 ** 32 - 1, _parse_integer),
    Parameter("protected-mode", True, None, None, _parse_yes_no, show=_show_yes_no),
    Parameter("requirepass", b"", None, None, bytes, show=bytes),
    Parameter("client-query-buffer-limit", 1024 ** 3, 1024 ** 2, _LONG_MAX, parse_memory),
    Parameter("timeout", 0, 0, _INT_MAX, _parse_integer),  # close clients idle this long (0: never)
    # Keyspace notifications (notify.py): which classes of events are published.
    Parameter("notify-keyspace-events", 0, None, None, _parse_notify_classes,
              show=_show_notify_classes),
    # SLOWLOG (commands/slowlog.py): commands slower than this many microseconds are logged
    # (-1: none, 0: all), the newest slowlog-max-len of them kept.
    Parameter("slowlog-log-slower-than", 10000, -1, _LLONG_MAX, _parse_integer),
    Parameter("slowlog-max-len", 128, 0, _LONG_MAX, _parse_integer),
    # Memory and eviction (evict.py). Kedis does not count memory as Redis does yet, so it
    # cannot evict: maxmemory can only be 0 (no limit), as it is by default in Redis. The
    # policy still decides what each key's 24-bit access field counts (LRU time or LFU
    # frequency: OBJECT IDLETIME, OBJECT FREQ), as in Redis whatever maxmemory is.
    Parameter("maxmemory", 0, None, None, _parse_maxmemory),
    Parameter("maxmemory-policy", "noeviction", None, None,
              _one_of("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                      "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
              show=_show_text),
    # Client eviction (Redis 7): the memory all clients together may use, 0 for no limit.
    Parameter("maxmemory-clients", 0, None, None, _parse_maxmemory_clients),
    Parameter("maxmemory-samples", 5, 1, _INT_MAX, _parse_integer),
    Parameter("maxmemory-eviction-tenacity", 10, 0, 100, _parse_integer),
    Parameter("lfu-log-factor", 10, 0, _INT_MAX, _parse_integer),
    Parameter("lfu-decay-time", 1, 0, _INT_MAX, _parse_integer),
    # The most members a set of integers keeps as an intset (commands/sets.py).
    Parameter("set-max-intset-entries", 512, 0, _LONG_MAX, _parse_integer),
    # A list's quicklist (structures/quicklist.py): each node's cap (negative: 4 KB to 64 KB;
    # positive: entries, and 8 KB), and how many nodes at each end stay uncompressed (0: none
    # compressed). A list keeps the values it was created with.
    Parameter("list-max-listpack-size", -2, -_INT_MAX - 1, _INT_MAX, _parse_integer,
              alias="list-max-ziplist-size"),
    Parameter("list-compress-depth", 0, 0, _INT_MAX, _parse_integer),
    # Hidden, for tests (Redis's own use them to watch a slow BGSAVE or load): each key saved
    # (SAVE, BGSAVE, an AOF rewrite's RDB part) or loaded waits this many microseconds; a
    # negative -N waits 1 us for one key in N (debug.c's debugDelay).
    Parameter("rdb-key-save-delay", 0, -_INT_MAX - 1, _INT_MAX, _parse_integer, hidden=True),
    Parameter("key-load-delay", 0, -_INT_MAX - 1, _INT_MAX, _parse_integer, hidden=True),
)}

#: Every name CONFIG reads, aliases included -> its parameter.
NAMES: dict[str, Parameter] = {**PARAMETERS,
                               **{p.alias: p for p in PARAMETERS.values() if p.alias}}
