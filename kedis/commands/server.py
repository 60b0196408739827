"""Server commands: the database as a whole (Redis's server.c, db.c and config.c).

DBSIZE, FLUSHDB, FLUSHALL and SWAPDB act on whole databases; TIME reads the server's clock (the fake one,
in tests and tutorials); INFO reports what the server knows about itself; CONFIG reads and changes
its parameters. Teaches: a server is more than its data: counters, clock, configuration.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time

from ..engine.command_table import command
from ..engine.config import NAMES, ConfigError
from ..engine.errors import SYNTAX, CommandError, user_text
from ..engine.reply import OK, Array, Bulk, Integer, Map, Reply, Verbatim, help_reply
from ..engine.stats import rss_bytes
from ..engine.version import KEDIS_VERSION, REDIS_VERSION
from ..util.glob import compile_glob
from .args import parse_int32


@command("dbsize", arity=1, flags="readonly fast", acl="keyspace",
         tips="request_policy:all_shards response_policy:agg_sum",
         group="server", since="1.0.0", complexity="O(1)",
         summary="Answers the number of keys in the selected database.")
def dbsize(client, argv: list[bytes]) -> Reply:
    """DBSIZE

    Teaches: the count includes keys whose deadline has passed but that no one has touched since:
    expired keys take memory until lazy or active expiry removes them.
    """
    return Integer(len(client.db))


def _flush_mode(argv: list[bytes]) -> None:
    # SYNC and ASYNC choose whether Redis frees the memory now or in a background thread.
    if len(argv) == 2 and argv[1].split(b"\x00", 1)[0].lower() in (b"sync", b"async"):
        return
    if len(argv) != 1:
        raise CommandError(SYNTAX)


@command("flushdb", arity=-1, flags="write", acl="keyspace dangerous",
         tips="request_policy:all_shards response_policy:all_succeeded",
         group="server", since="1.0.0", complexity="O(N) where N is the number of keys",
         summary="Removes every key of the selected database.")
def flushdb(client, argv: list[bytes]) -> Reply:
    """FLUSHDB [ASYNC | SYNC]"""
    _flush_mode(argv)
    client.server.stats.dirty += client.db.flush()  # one change per key removed
    return OK


@command("flushall", arity=-1, flags="write", acl="keyspace dangerous",
         tips="request_policy:all_shards response_policy:all_succeeded",
         group="server", since="1.0.0", complexity="O(N) where N is the number of keys in all "
         "databases", summary="Removes every key of every database.")
def flushall(client, argv: list[bytes]) -> Reply:
    """FLUSHALL [ASYNC | SYNC]

    Teaches: with save rules set, FLUSHALL also saves at once, as Redis does, so that the dump
    on disk is empty too and a restart does not bring the keys back.
    """
    _flush_mode(argv)
    server = client.server
    for db in server.databases:
        server.stats.dirty += db.flush()
    if server.config["save"]:
        server.persistence.wait()  # (Redis kills a BGSAVE in progress; Kedis lets it end first)
        try:
            server.persistence.save(counted=False)  # (not one of INFO's rdb_saves, in Redis)
        except OSError as error:
            server.persistence.note(f"FLUSHALL could not save: {error}")
    return OK


@command("time", arity=1, flags="loading stale fast", tips="nondeterministic_output",
         group="server", since="2.6.0", complexity="O(1)",
         summary="Answers the server's time: Unix seconds and the microseconds within.")
def time_(client, argv: list[bytes]) -> Reply:
    """TIME

    Teaches: expiry runs on the server's clock. In Kedis it can be a fake clock that only moves
    when told to, and TIME shows that clock.
    """
    micros = round(client.server.clock.time() * 1_000_000)
    return Array([Bulk(b"%d" % (micros // 1_000_000)), Bulk(b"%d" % (micros % 1_000_000))])


# --- INFO ---------------------------------------------------------------------------------------
def _human(n: int) -> str:
    """Bytes as Redis prints them in INFO (bytesToHuman): 1.50M, 512B..."""
    for unit, size in (("P", 1024 ** 5), ("T", 1024 ** 4), ("G", 1024 ** 3), ("M", 1024 ** 2),
                       ("K", 1024)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return f"{n}B"


def _server_section(server) -> list[tuple[str, object]]:
    uptime = int(time.monotonic() - server.started_monotonic)
    return [
        ("redis_version", REDIS_VERSION),
        ("kedis_version", KEDIS_VERSION),
        ("redis_mode", "standalone"),
        ("os", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("arch_bits", 64 if sys.maxsize > 2 ** 32 else 32),
        ("python_version", platform.python_version()),
        ("process_id", os.getpid()),
        ("tcp_port", server.network.port if server.network is not None else 0),
        ("server_time_usec", round(server.clock.time() * 1_000_000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", server.config["hz"]),
        ("configured_hz", server.config["hz"]),
        ("clock", type(server.clock).__name__),
        ("executable", sys.argv[0] if sys.argv and sys.argv[0] else ""),
        ("config_file", ""),
    ]


def _clients_section(server) -> list[tuple[str, object]]:
    # Embedded (no kedis-server around the engine), the one client is the engine's own.
    connections = server.network.connections if server.network is not None else ()
    return [
        ("connected_clients", len(connections) if server.network is not None else 1),
        ("cluster_connections", 0),
        ("maxclients", server.config["maxclients"]),
        # Redis's "recent" maxima are over the last few seconds; Kedis's are what the clients
        # hold now: the longest unparsed request, the most unsent reply bytes.
        ("client_recent_max_input_buffer",
         max((c.query_buffer_size() for c in connections), default=0)),
        ("client_recent_max_output_buffer",
         max((c.output_buffer_size() for c in connections), default=0)),
        # (blocked: waiting for a CLIENT PAUSE to end; Kedis has no blocking commands)
        ("blocked_clients", server.blocked_clients()), ("tracking_clients", 0),
        ("clients_in_timeout_table", 0),
    ]


def _memory_section(server) -> list[tuple[str, object]]:
    # Python cannot cheaply count the bytes of the store itself, so Kedis reports the process's
    # resident memory (the Python interpreter included) where Redis reports its allocator's count.
    rss = rss_bytes()
    peak = max(rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return [
        ("used_memory", rss), ("used_memory_human", _human(rss)),
        ("used_memory_rss", rss), ("used_memory_rss_human", _human(rss)),
        ("used_memory_peak", peak), ("used_memory_peak_human", _human(peak)),
        ("maxmemory", 0), ("maxmemory_human", "0B"), ("maxmemory_policy", "noeviction"),
        ("mem_allocator", "pymalloc"),
    ]


def _stats_section(server) -> list[tuple[str, object]]:
    """Redis's fields in Redis's order. What Kedis does not have (replication, eviction, pub/sub,
    defragmentation, client tracking, forks, I/O threads) stays at 0; Kedis's own two
    (expired_keys_lazy, expired_keys_active) follow expired_keys."""
    s = server.stats
    network = server.network
    kbps = {name: f"{s.rates[name].per_second / 1024:.2f}" for name in ("input", "output")}
    return [
        ("total_connections_received", network.total_connections
         if network is not None else server._next_client_id - 1),
        ("total_commands_processed", s.total_commands_processed),
        ("instantaneous_ops_per_sec", int(s.rates["ops"].per_second)),
        ("total_net_input_bytes", s.net_input_bytes),
        ("total_net_output_bytes", s.net_output_bytes),
        ("total_net_repl_input_bytes", 0), ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", kbps["input"]),
        ("instantaneous_output_kbps", kbps["output"]),
        ("instantaneous_input_repl_kbps", "0.00"), ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", network.rejected_connections if network is not None else 0),
        ("sync_full", 0), ("sync_partial_ok", 0), ("sync_partial_err", 0),
        ("expired_keys", s.expired_keys),
        ("expired_keys_lazy", s.expired_keys_lazy),
        ("expired_keys_active", s.expired_keys_active),
        ("expired_stale_perc", f"{s.expired_stale_perc * 100:.2f}"),
        ("expired_time_cap_reached_count", s.expired_time_cap_reached_count),
        ("expire_cycle_cpu_milliseconds", s.expire_cycle_cpu_us // 1000),
        ("evicted_keys", 0), ("evicted_clients", 0),
        ("total_eviction_exceeded_time", 0), ("current_eviction_exceeded_time", 0),
        ("keyspace_hits", s.keyspace_hits),
        ("keyspace_misses", s.keyspace_misses),
        ("pubsub_channels", len(server.pubsub_channels)),
        ("pubsub_patterns", len(server.pubsub_patterns)), ("pubsubshard_channels", 0),
        ("latest_fork_usec", 0), ("total_forks", 0),  # BGSAVE is a thread, not a fork
        ("migrate_cached_sockets", 0), ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0), ("active_defrag_misses", 0),
        ("active_defrag_key_hits", 0), ("active_defrag_key_misses", 0),
        ("total_active_defrag_time", 0), ("current_active_defrag_time", 0),
        ("tracking_total_keys", 0), ("tracking_total_items", 0), ("tracking_total_prefixes", 0),
        ("unexpected_error_replies", s.unexpected_error_replies),
        ("total_error_replies", s.total_error_replies),
        ("dump_payload_sanitizations", 0),
        ("total_reads_processed", s.reads_processed),
        ("total_writes_processed", s.writes_processed),
        ("io_threaded_reads_processed", 0), ("io_threaded_writes_processed", 0),
        ("reply_buffer_shrinks", 0), ("reply_buffer_expands", 0),
    ]


#: The replication ID a Redis master makes up when it starts: Kedis is always a master with no
#: replicas, and says so as Redis does.
_REPLICATION_ID = os.urandom(20).hex()


def new_replication_id() -> None:
    """Make up a new replication ID (DEBUG CHANGE-REPL-ID, Redis's changeReplicationId); the
    second one is already cleared: Kedis was never a replica."""
    global _REPLICATION_ID
    _REPLICATION_ID = os.urandom(20).hex()


def _replication_section(server) -> list[tuple[str, object]]:
    return [
        ("role", "master"), ("connected_slaves", 0), ("master_failover_state", "no-failover"),
        ("master_replid", _REPLICATION_ID), ("master_replid2", "0" * 40),
        ("master_repl_offset", 0), ("second_repl_offset", -1), ("repl_backlog_active", 0),
        ("repl_backlog_size", 1048576), ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _cpu_section(server) -> list[tuple[str, object]]:
    # The commands run in the thread that answers INFO, Redis's "main thread".
    used = [("", resource.getrusage(resource.RUSAGE_SELF)),
            ("_children", resource.getrusage(resource.RUSAGE_CHILDREN))]
    if hasattr(resource, "RUSAGE_THREAD"):
        used.append(("_main_thread", resource.getrusage(resource.RUSAGE_THREAD)))
    fields: list[tuple[str, object]] = []
    for suffix, usage in used:
        fields += [(f"used_cpu_sys{suffix}", f"{usage.ru_stime:.6f}"),
                   (f"used_cpu_user{suffix}", f"{usage.ru_utime:.6f}")]
    return fields


def _commandstats_section(server) -> list[tuple[str, object]]:
    """Each command that ran or was refused: how often, how long, how often it failed."""
    fields: list[tuple[str, object]] = []
    for cmd in server.stats.commands:
        if cmd.calls or cmd.failed_calls or cmd.rejected_calls:
            usec = cmd.duration_ns // 1000
            per_call = usec / cmd.calls if cmd.calls else 0
            fields.append((f"cmdstat_{cmd.name}",
                           f"calls={cmd.calls},usec={usec},usec_per_call={per_call:.2f},"
                           f"rejected_calls={cmd.rejected_calls},failed_calls={cmd.failed_calls}"))
    return fields


def _errorstats_section(server) -> list[tuple[str, object]]:
    return [(f"errorstat_{code}", f"count={count}")
            for code, count in sorted(server.stats.errors.items())]


def _persistence_section(server) -> list[tuple[str, object]]:
    return server.persistence.info()


def _keyspace_section(server) -> list[tuple[str, object]]:
    return [(f"db{db.id}", f"keys={len(db.data)},expires={len(db.expires)},avg_ttl={db.avg_ttl}")
            for db in server.databases if db.data]


INFO_SECTIONS = {
    "server": ("Server", _server_section),
    "clients": ("Clients", _clients_section),
    "memory": ("Memory", _memory_section),
    "persistence": ("Persistence", _persistence_section),
    "stats": ("Stats", _stats_section),
    "replication": ("Replication", _replication_section),
    "cpu": ("CPU", _cpu_section),
    "modules": ("Modules", lambda server: []),  # Kedis loads no modules
    "commandstats": ("Commandstats", _commandstats_section),
    "errorstats": ("Errorstats", _errorstats_section),
    "cluster": ("Cluster", lambda server: [("cluster_enabled", 0)]),
    "keyspace": ("Keyspace", _keyspace_section),
}


#: The sections of a plain INFO (and of INFO default): all but commandstats.
DEFAULT_SECTIONS = frozenset(INFO_SECTIONS) - {"commandstats"}


def info_text(server, sections: list[str] | None = None) -> str:
    """INFO's report: ``# Section`` headers and ``field:value`` lines, CRLF-terminated, the
    sections in Redis's order whatever the order asked (genInfoSectionDict)."""
    wanted = set(sections or ["default"])
    if "default" in wanted:
        wanted |= DEFAULT_SECTIONS
    if "module_list" in wanted:  # (the Modules section's other name)
        wanted.add("modules")
    everything = bool({"all", "everything"} & wanted)
    names = [n for n in INFO_SECTIONS if everything or n in wanted]
    parts = []
    for name in names:
        title, build = INFO_SECTIONS[name]
        lines = [f"# {title}"] + [f"{field}:{value}" for field, value in build(server)]
        parts.append("".join(line + "\r\n" for line in lines))
    return "\r\n".join(parts)


@command("info", arity=-1, flags="loading stale", acl="dangerous",
         tips="nondeterministic_output request_policy:all_shards response_policy:special",
         group="server", since="1.0.0", complexity="O(1)",
         summary="Answers information and counters about the server, by section.")
def info(client, argv: list[bytes]) -> Reply:
    """INFO [section [section ...]]

    Sections: server, clients, memory, persistence, stats, replication, cpu, modules,
    commandstats, errorstats, cluster, keyspace (or default: all but commandstats; all,
    everything).
    Teaches: watch keyspace_hits/keyspace_misses move with each read, and expired_keys (split
    into expired_keys_lazy and expired_keys_active in Kedis) with each expiration.
    """
    sections = [user_text(a).lower() for a in argv[1:]] or None
    return Verbatim(info_text(client.server, sections))


@command("swapdb", arity=3, flags="write fast", acl="keyspace dangerous", group="server",
         since="4.0.0", complexity="O(N) where N is the count of clients watching or blocking on "
         "keys from both databases.",
         summary="Exchanges the keys of two databases: the clients of each see the other's.")
def swapdb(client, argv: list[bytes]) -> Reply:
    """SWAPDB index1 index2

    Teaches: a client's database is a number, not the data. After ``SWAPDB 0 1`` every client
    in database 0 sees what database 1 held, at once, and the other way around; a transaction
    that WATCHed a key that moved fails. Swapping a database with itself changes nothing (and
    still counts as a change, as in Redis).
    """
    first = parse_int32(argv[1], "ERR invalid first DB index")
    second = parse_int32(argv[2], "ERR invalid second DB index")
    server = client.server
    first_db, second_db = server.database(first), server.database(second)
    if first_db is not second_db:
        first_db.swap(second_db)
    server.stats.dirty += 1
    return OK


# --- CONFIG -------------------------------------------------------------------------------------
@command("config", arity=-2, group="server", since="2.0.0", complexity="Depends on subcommand.",
         summary="A container for the commands that read and change the configuration.")
def config(client, argv: list[bytes]) -> Reply:
    """CONFIG <subcommand> [argument ...]"""
    raise AssertionError("the dispatcher routes CONFIG to its subcommands")


@command("config|get", arity=-3, flags="admin noscript loading stale", group="server",
         since="2.0.0", complexity="O(N) where N is the number of parameters asked for",
         summary="Answers the parameters whose names match the glob patterns, with their values.")
def config_get(client, argv: list[bytes]) -> Reply:
    """CONFIG GET parameter [parameter ...]

    Names are case-insensitive; a pattern with * ? or [ matches several.
    """
    found: dict[str, str] = {}  # name (or alias) asked for -> the name to answer with
    for pattern in argv[2:]:
        # Redis looks for glob characters, and matches, in the C string: up to a NUL byte.
        text = pattern.split(b"\x00", 1)[0]
        if not any(c in text for c in b"*?["):
            name = pattern.lower().decode("utf-8", "replace")
            if name in NAMES and name not in found:
                found[name] = pattern.decode("utf-8", "replace")  # answered as typed, like Redis
            continue
        matches = compile_glob(text, nocase=True)  # parameter names match case-insensitively
        for name in NAMES:  # an alias is a name of its own: "*of" answers replicaof and slaveof
            if name not in found and not NAMES[name].hidden and matches(name.encode()):
                found[name] = name
    # A map in RESP3, as Redis 7 answers it (a flat array of pairs in RESP2).
    config = client.server.config
    return Map([(Bulk(shown.encode()), Bulk(NAMES[name].show(config[NAMES[name].name])))
                for name, shown in found.items()])


@command("config|set", arity=-4, flags="admin noscript loading stale", group="server",
         tips="request_policy:all_nodes response_policy:all_succeeded",
         since="2.0.0", complexity="O(N) where N is the number of parameters set",
         summary="Changes parameters: all of them, or none if one value is refused.")
def config_set(client, argv: list[bytes]) -> Reply:
    """CONFIG SET parameter value [parameter value ...]

    All or nothing, in two passes as in Redis's configSetCommand. The first pass reads only the
    names, in order, and stops at the first bad one: unknown, immutable, or named twice. The second
    converts the values, in order, and the first refused value fails the whole command; its error
    names the parameter by its own (lower-case) name, not as typed.
    """
    if len(argv) % 2:
        raise CommandError(SYNTAX)
    pairs = list(zip(argv[2::2], argv[3::2], strict=True))
    names: list[str] = []
    for raw_name, _ in pairs:
        parameter = NAMES.get(raw_name.lower().decode("utf-8", "surrogateescape"))
        if parameter is None:
            raise CommandError("ERR Unknown option or number of arguments for CONFIG SET - "
                               f"'{user_text(raw_name)}'")
        name = parameter.name
        reason = None
        if not parameter.mutable:
            reason = "can't set immutable config"
        elif parameter.protected and not _may_set_protected(client):
            reason = "can't set protected config"
        elif name in names:
            reason = "duplicate parameter"
        if reason:
            raise CommandError(f"ERR CONFIG SET failed (possibly related to argument "
                               f"'{user_text(raw_name)}') - {reason}")
        names.append(name)
    chosen: dict[str, int] = {}
    for name, (_, raw_value) in zip(names, pairs, strict=True):
        try:
            chosen[name] = NAMES[name].convert(raw_value)
        except ConfigError as error:
            raise CommandError(f"ERR CONFIG SET failed (possibly related to argument "
                               f"'{name}') - {error}") from None
    server = client.server
    before = {name: server.config[name] for name in chosen}
    server.config.update(chosen)
    try:
        _apply(server, chosen, before)
    except _ApplyFailed as failure:
        # An apply failed (the AOF could not start, a port is taken...): as Redis's
        # restoreBackupConfig, every value goes back, and acts again.
        server.config.update(before)
        try:
            _apply(server, before, chosen)
        except _ApplyFailed:
            pass  # (Redis logs it and goes on)
        raise CommandError(f"ERR CONFIG SET failed (possibly related to argument "
                           f"'{failure.name}') - {failure.reason}") from None
    if "requirepass" in chosen and server.requirepass is None:
        # No password any more: no client needs to authenticate, even one that connected while
        # there was one (Redis's default user becomes "nopass"). Clients already authenticated
        # stay so when a password is set.
        for other in server.clients.values():
            other.authenticated = True
            other.update_gate()
    return OK


def _may_set_protected(client) -> bool:
    # enable-protected-configs (config.py), as Redis's allowProtectedAction.
    allowed = client.server.config["enable-protected-configs"]
    return allowed == "yes" or (allowed == "local" and client.local)


class _ApplyFailed(Exception):
    """A value could not act (an apply function of Redis's config.c failed): which, and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name, self.reason = name, reason


#: Why a new port or bind could not act, in Redis's words (updatePort, applyBind).
_LISTEN_FAILED = {"port": "Unable to listen on this port. Check server logs.",
                  "bind": "Failed to bind to specified addresses."}


def _apply(server, chosen: dict, previous: dict) -> None:
    """Make the values just set act (Redis's "apply" functions, after all are set)."""
    for name in chosen:
        server.apply_config(name)
    # Some parameters act at once: the sockets move to a new port or addresses (if the value
    # changed: Redis applies only what changed), the AOF opens or closes (only its opening can
    # fail).
    moved = [name for name in chosen if name in _LISTEN_FAILED and chosen[name] != previous[name]]
    if moved:
        try:
            if server.network is None:  # an embedded engine listens nowhere, and cannot
                raise OSError("this engine serves no network")
            server.network.listen(server.config["port"], server.config["bind"])
        except OSError:
            raise _ApplyFailed(moved[0], _LISTEN_FAILED[moved[0]]) from None
    if "appendonly" in chosen:
        try:
            server.persistence.set_appendonly(chosen["appendonly"])
        except OSError:
            raise _ApplyFailed("appendonly", "Unable to turn on AOF. Check server logs.") from None
    if "appendfsync" in chosen:
        server.persistence.set_appendfsync(chosen["appendfsync"])
    # save, stop-writes-on-bgsave-error and appendonly say whether writes are refused after a
    # failed save or AOF write (persistence/disk.py's write_error): at once, as in Redis.
    server.persistence.check_disk(retry=False)


@command("config|resetstat", arity=2, flags="admin noscript loading stale", group="server",
         since="2.0.0", complexity="O(1)", summary="Sets INFO's counters back to zero.")
def config_resetstat(client, argv: list[bytes]) -> Reply:
    """CONFIG RESETSTAT"""
    client.server.stats.reset()
    return OK


@command("config|rewrite", arity=2, flags="admin noscript loading stale", group="server",
         since="2.8.0", complexity="O(1)",
         summary="Writes the configuration back to the configuration file.")
def config_rewrite(client, argv: list[bytes]) -> Reply:
    """CONFIG REWRITE"""
    raise CommandError("ERR The server is running without a config file")


@command("config|help", arity=2, flags="loading stale", group="server", since="5.0.0",
         complexity="O(1)", summary="Answers a short description of the CONFIG subcommands.")
def config_help(client, argv: list[bytes]) -> Reply:
    """CONFIG HELP"""
    return help_reply("CONFIG", (
        "GET <pattern>",
        "    Answer the parameters whose names match <pattern>, with their values.",
        "SET <parameter> <value> [<parameter> <value> ...]",
        "    Change parameters, all or none.",
        "RESETSTAT",
        "    Zero the counters that INFO reports.",
        "REWRITE",
        "    Write the configuration file (Kedis runs without one).",
    ))
