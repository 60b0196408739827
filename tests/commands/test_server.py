"""Connection, server and introspection commands, and the errors every command shares
(kedis/commands/connection.py, server.py, introspection.py; the dispatcher in kedis/engine/dispatcher.py).

Tests that take ``redis`` also check each reply byte for byte against a real redis-server; those
that change its configuration take ``redis_config``, which puts the defaults back afterwards.
"""

from __future__ import annotations

import pytest
from compare import (
    NOT_INTEGER,
    OK,
    SYNTAX_ERROR,
    array,
    bulk,
    info_fields,
    integer,
    parse_resp,
    same,
)

import kedis
from kedis.engine import command_table
from kedis.engine.config import NAMES
from kedis.engine.stats import Rate


def config_set_failed(name: str, reason: str) -> bytes:
    return (f"-ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}\r\n"
            .encode())


#: Every parameter name CONFIG GET * shows (not the hidden ones), aliases last, in its order.
PARAMETER_NAMES = [name.encode() for name, parameter in NAMES.items() if not parameter.hidden]
#: Each server's own: where it was started, where it listens, and whether it allows DEBUG (the
#: oracle does, for the tests' DEBUG SET-ACTIVE-EXPIRE 0).
OWN_PARAMETERS = (b"dir", b"port", b"bind", b"enable-debug-command")


def config_value(db: kedis.Kedis, name: str) -> bytes:
    name_and_value = db.execute("CONFIG", "GET", name).value
    assert name_and_value[0] == name.encode()
    return name_and_value[1]


@pytest.fixture
def redis_config(redis):
    """The ``redis`` connection, with hz and proto-max-bulk-len put back to their defaults."""
    yield redis
    redis.call("CONFIG", "SET", "hz", "10", "proto-max-bulk-len", "512mb")


# --- PING, ECHO, SELECT -----------------------------------------------------------------------
@pytest.mark.redis
def test_ping_answers_pong(db, redis):
    assert same(db, redis, "PING") == b"+PONG\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("message", [b"hello", b"", b"a\x00b"])
def test_ping_with_a_message_answers_the_message(db, redis, message):
    assert same(db, redis, "PING", message) == bulk(message)


@pytest.mark.redis
def test_ping_with_two_messages_is_an_arity_error(db, redis):
    assert same(db, redis, "PING", "a", "b") == (
        b"-ERR wrong number of arguments for 'ping' command\r\n")


@pytest.mark.redis
@pytest.mark.parametrize("message", [b"hi", b"", b"\x00\xff\r\n"])
def test_echo_answers_its_argument(db, redis, message):
    assert same(db, redis, "ECHO", message) == bulk(message)


@pytest.mark.redis
def test_select_switches_to_an_independent_database(db, redis):
    same(db, redis, "SET", "k", "zero")
    assert same(db, redis, "SELECT", "1") == OK
    assert same(db, redis, "GET", "k") == b"$-1\r\n"
    same(db, redis, "SET", "k", "one")
    same(db, redis, "SELECT", "0")
    assert same(db, redis, "GET", "k") == bulk(b"zero")


@pytest.mark.redis
@pytest.mark.parametrize("index, error", [
    ("16", b"-ERR DB index is out of range\r\n"),
    ("-1", b"-ERR DB index is out of range\r\n"),
    ("abc", NOT_INTEGER),
    ("1.5", NOT_INTEGER),
    ("015", NOT_INTEGER),
    ("2147483648",
     b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"),
    ("-2147483649",
     b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"),
])
def test_select_refuses_an_index_that_is_not_a_database(db, redis, index, error):
    assert same(db, redis, "SELECT", index) == error


def test_select_follows_the_databases_setting(clock):
    db = kedis.Kedis(clock=clock, databases=4)
    assert db.run("SELECT 3").value == "OK"
    assert db.run("SELECT 4").value == "ERR DB index is out of range"


def test_each_client_has_its_own_selected_database(db):
    other = db.new_client()
    db.run("SELECT 2")
    db.run("SET k v")
    assert db.call(other, [b"GET", b"k"]).value is None
    assert db.call(other, [b"SELECT", b"2"]).value == "OK"
    assert db.call(other, [b"GET", b"k"]).value == b"v"


# --- DBSIZE, FLUSHDB, FLUSHALL ----------------------------------------------------------------
@pytest.mark.redis
def test_dbsize_counts_the_keys_of_the_selected_database(db, redis):
    same(db, redis, "MSET", "a", "1", "b", "2")
    same(db, redis, "SELECT", "1")
    same(db, redis, "SET", "c", "3")
    assert same(db, redis, "DBSIZE") == integer(1)
    same(db, redis, "SELECT", "0")
    assert same(db, redis, "DBSIZE") == integer(2)


@pytest.mark.redis
@pytest.mark.parametrize("options", [[], ["ASYNC"], ["SYNC"], ["async"]], ids=" ".join)
def test_flushdb_empties_only_the_selected_database(db, redis, options):
    same(db, redis, "SET", "a", "1", "EX", "100")
    same(db, redis, "SELECT", "1")
    same(db, redis, "SET", "b", "2")
    assert same(db, redis, "FLUSHDB", *options) == OK
    assert same(db, redis, "DBSIZE") == integer(0)
    same(db, redis, "SELECT", "0")
    assert same(db, redis, "DBSIZE") == integer(1)


@pytest.mark.redis
@pytest.mark.parametrize("options", [[], ["ASYNC"], ["sync"]], ids=" ".join)
def test_flushall_empties_every_database(db, redis, options):
    same(db, redis, "SET", "a", "1")
    same(db, redis, "SELECT", "5")
    same(db, redis, "SET", "b", "2", "EX", "100")
    assert same(db, redis, "FLUSHALL", *options) == OK
    assert same(db, redis, "DBSIZE") == integer(0)
    same(db, redis, "SELECT", "0")
    assert same(db, redis, "DBSIZE") == integer(0)


@pytest.mark.redis
@pytest.mark.parametrize("command", ["FLUSHDB", "FLUSHALL"])
@pytest.mark.parametrize("options", [["FOO"], ["SYNC", "ASYNC"], ["ASYNC", "ASYNC"]],
                         ids=" ".join)
def test_flush_with_a_bad_option_is_a_syntax_error_and_flushes_nothing(db, redis, command,
                                                                       options):
    same(db, redis, "SET", "a", "1")
    assert same(db, redis, command, *options) == SYNTAX_ERROR
    assert same(db, redis, "DBSIZE") == integer(1)


def test_flushdb_forgets_the_deadlines_too(db):
    db.run("SET k v EX 100")
    db.run("FLUSHDB")
    db.run("SET k v")
    assert db.run("TTL k").value == -1
    assert "expires=0" in db.run("INFO keyspace").value


# --- TIME -------------------------------------------------------------------------------------
def test_time_answers_the_fake_clock_in_seconds_and_microseconds(db):
    assert db.run("TIME").resp() == b"*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n"


def test_time_follows_the_fake_clock_when_it_moves(db, clock):
    clock.advance(1.25)
    assert db.run("TIME").value == [b"1700000001", b"250000"]


# --- INFO -------------------------------------------------------------------------------------
def test_info_without_argument_has_every_section_in_order(db):
    headers = [line for line in db.run("INFO").value.split("\r\n") if line.startswith("#")]
    # Redis 7.0's default sections, in its order (commandstats and latencystats it adds only for
    # "all" and "everything"; Kedis keeps neither).
    assert headers == ["# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
                       "# Replication", "# CPU", "# Modules", "# Errorstats", "# Cluster",
                       "# Keyspace"]


@pytest.mark.parametrize("argument, sections", [("all", 12), ("default", 11), ("everything", 12)])
def test_info_all_and_everything_give_every_section_default_all_but_commandstats(
        db, argument, sections):
    text = db.execute("INFO", argument).value
    assert text.count("# ") == sections
    assert ("# Commandstats" in text) is (argument != "default")


def test_info_sections_are_separated_by_an_empty_line(db):
    text = db.run("INFO clients stats").value
    assert text.startswith("# Clients\r\n")
    assert "\r\n\r\n# Stats\r\n" in text
    assert text.endswith("\r\n") and not text.endswith("\r\n\r\n")


@pytest.mark.redis
def test_info_keyspace_of_an_empty_server_is_only_its_header(db, redis):
    assert same(db, redis, "INFO", "keyspace") == bulk(b"# Keyspace\r\n")


@pytest.mark.redis
def test_info_keyspace_lists_the_databases_that_have_keys(db, redis):
    same(db, redis, "SET", "a", "1")
    same(db, redis, "SET", "b", "2", "EX", "100")
    same(db, redis, "SELECT", "3")
    same(db, redis, "SET", "c", "3")
    assert same(db, redis, "INFO", "keyspace") == bulk(
        b"# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n")


@pytest.mark.redis
@pytest.mark.parametrize("sections, text", [
    (["KEYSPACE"], b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"),
    (["keyspace", "keyspace"], b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"),
    (["nosuch"], b""),
], ids=repr)
def test_info_section_names_are_case_insensitive_and_unknown_ones_empty(db, redis, sections,
                                                                        text):
    same(db, redis, "SET", "a", "1")
    assert same(db, redis, "INFO", *sections) == bulk(text)


#: Kedis's own INFO fields, beside Redis's: lazy and active expirations counted apart.
KEDIS_ONLY_FIELDS = {"expired_keys_lazy", "expired_keys_active"}


@pytest.mark.redis
@pytest.mark.parametrize("section", ["stats", "clients", "replication", "cpu", "cluster"])
def test_info_sections_have_redis_fields_in_redis_order(db, redis, section):
    # Tools that read INFO (redis-cli --stat, dashboards) find every field where Redis has it.
    kedis_fields = [name for name in info_fields(db.execute("INFO", section).value)
                    if name not in KEDIS_ONLY_FIELDS]
    redis_fields = list(info_fields(parse_resp(redis.call("INFO", section)).decode()))
    assert kedis_fields == redis_fields


def test_info_errorstats_counts_error_replies_by_code(db):
    db.run("GETT")                      # ERR unknown command
    db.run("SADD s a")
    db.run("GET s")                     # WRONGTYPE
    db.run("INCR s")                    # WRONGTYPE
    fields = info_fields(db.run("INFO errorstats").value)
    assert fields == {"errorstat_ERR": "count=1", "errorstat_WRONGTYPE": "count=2"}
    assert info_fields(db.run("INFO stats").value)["total_error_replies"] == "3"


def test_an_instantaneous_rate_is_the_mean_of_the_last_16_samples():
    rate = Rate()
    assert rate.per_second == 0.0
    rate.sample(0.0, 0)
    rate.sample(0.1, 100)   # 1000 a second
    rate.sample(0.2, 300)   # 2000 a second
    assert rate.per_second == 1500.0
    for step in range(3, 30):
        rate.sample(step / 10, 300)  # idle
    assert rate.per_second == 0.0


def test_info_replication_says_kedis_is_a_master_without_replicas(db):
    fields = info_fields(db.run("INFO replication").value)
    assert (fields["role"], fields["connected_slaves"]) == ("master", "0")
    assert len(fields["master_replid"]) == 40


def test_info_server_reports_the_redis_version_kedis_follows(db):
    assert info_fields(db.run("INFO server").value)["redis_version"] == "7.0.15"


def test_info_server_reports_the_fake_clock(db, clock):
    clock.advance(2.5)
    fields = info_fields(db.run("INFO server").value)
    assert (fields["clock"], fields["server_time_usec"]) == ("FakeClock", "1700000002500000")


def test_info_server_reports_hz_as_configured(db):
    db.run("CONFIG SET hz 20")
    fields = info_fields(db.run("INFO server").value)
    assert (fields["hz"], fields["configured_hz"]) == ("20", "20")


@pytest.mark.redis
def test_commands_and_errors_are_counted_like_redis(db, redis):
    db.run("CONFIG RESETSTAT")  # the redis fixture starts with one too, which counts
    for command in (["SET", "a", "1"], ["GET", "a"], ["NOSUCH"], ["GET"], ["INCR", "a"],
                    ["SET", "a", "x"], ["INCR", "a"], ["CONFIG", "NOSUCH"]):
        same(db, redis, *command)
    kedis_stats = info_fields(db.run("INFO stats").value)
    redis_stats = info_fields(parse_resp(redis.call("INFO", "stats")))
    for name in ("total_commands_processed", "total_error_replies"):
        assert kedis_stats[name] == redis_stats[name], name


def processed(db: kedis.Kedis) -> int:
    return int(info_fields(db.run("INFO stats").value)["total_commands_processed"])


def test_rejected_commands_are_not_counted_as_processed(db):
    before = processed(db)
    db.run("NOSUCH")
    db.run("GET")
    assert processed(db) - before == 1  # the first INFO only
    assert info_fields(db.run("INFO stats").value)["total_error_replies"] == "2"


def test_info_does_not_count_itself(db):
    assert processed(db) == 0


# --- CONFIG GET -------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("name, value", [
    ("databases", b"16"), ("hz", b"10"), ("proto-max-bulk-len", b"536870912")])
def test_config_get_answers_the_default(db, redis, name, value):
    assert same(db, redis, "CONFIG", "GET", name) == array(bulk(name.encode()), bulk(value))


@pytest.mark.redis
def test_config_get_answers_a_name_as_it_was_typed(db, redis):
    assert same(db, redis, "CONFIG", "GET", "DATABASES") == array(bulk(b"DATABASES"), bulk(b"16"))


@pytest.mark.redis
@pytest.mark.parametrize("indexes", [("0", "x"), ("x", "0"), ("0", "16"), ("-1", "0"),
                                     ("3000000000", "0"), ("0", "1.5"), ("0", "0"), ("0", "1"),
                                     ("15", "0")])
def test_swapdb_answers_as_redis(db, redis, indexes):
    same(db, redis, "SWAPDB", *indexes)


@pytest.mark.redis
def test_swapdb_moves_the_keys_and_their_deadlines_not_the_clients(db, redis):
    for command in (["SET", "a", "0"], ["SELECT", "1"], ["SET", "a", "1", "EX", "100"],
                    ["SADD", "s", "x"], ["SWAPDB", "1", "0"], ["GET", "a"], ["TTL", "a"],
                    ["DBSIZE"], ["SELECT", "0"], ["GET", "a"], ["TTL", "a"], ["SMEMBERS", "s"],
                    ["INFO", "keyspace"]):
        same(db, redis, *command)
    assert info_fields(db.run("INFO stats").value)["total_commands_processed"] == "13"


@pytest.mark.redis
def test_config_get_of_an_unknown_parameter_is_empty(db, redis):
    assert same(db, redis, "CONFIG", "GET", "nosuch") == b"*0\r\n"


@pytest.mark.redis
@pytest.mark.parametrize("patterns", [["h?"], ["hz", "hz"], ["HZ", "Databases"],
                                      ["hz", "databases", "hz"], ["hz", "*"]], ids=" ".join)
def test_config_get_answers_each_match_once(db, redis, patterns):
    # The order of CONFIG GET's pairs is not defined; Redis has many more parameters.
    def as_dict(items):
        return dict(zip(items[::2], items[1::2], strict=True))

    kedis_items = db.execute("CONFIG", "GET", *patterns).value
    redis_pairs = as_dict(parse_resp(redis.call("CONFIG", "GET", *patterns)))
    assert len(kedis_items) == 2 * len(as_dict(kedis_items))
    # (dir is each server's own working directory: not compared)
    kedis_items = as_dict(kedis_items)
    for name in OWN_PARAMETERS:
        kedis_items.pop(name, None)
    assert kedis_items == {name: value for name, value in redis_pairs.items()
                           if name.lower() in PARAMETER_NAMES and name not in OWN_PARAMETERS}


def test_config_get_star_answers_every_parameter(db):
    assert db.run("CONFIG GET *").value[::2] == PARAMETER_NAMES


# --- CONFIG SET -------------------------------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("name, value, stored", [
    ("hz", "20", b"20"),
    ("HZ", "15", b"15"),
    ("hz", "0", b"1"),          # accepted, then held within 1..500
    ("hz", "1000", b"500"),
    ("hz", "2147483647", b"500"),
    ("proto-max-bulk-len", "1mb", b"1048576"),
    ("proto-max-bulk-len", "2000000", b"2000000"),
    ("proto-max-bulk-len", "1g", b"1000000000"),
    ("proto-max-bulk-len", "1gb", b"1073741824"),
    ("proto-max-bulk-len", "1MB", b"1048576"),
    ("proto-max-bulk-len", "1048576b", b"1048576"),
    ("proto-max-bulk-len", "01048576", b"1048576"),
    ("proto-max-bulk-len", "9223372036854775807", b"9223372036854775807"),
])
def test_config_set_changes_a_parameter(db, redis_config, name, value, stored):
    assert same(db, redis_config, "CONFIG", "SET", name, value) == OK
    assert same(db, redis_config, "CONFIG", "GET", name.lower()) == array(
        bulk(name.lower().encode()), bulk(stored))


def test_config_set_hz_is_what_info_and_the_expiry_cycle_use(db):
    db.run("CONFIG SET hz 50")
    assert db.config_hz == 50


@pytest.mark.redis
@pytest.mark.parametrize("name, value, reason", [
    ("hz", "-1", "argument must be between 0 and 2147483647 inclusive"),
    ("hz", "2147483648", "argument must be between 0 and 2147483647 inclusive"),
    ("hz", "abc", "argument couldn't be parsed into an integer"),
    ("hz", "", "argument couldn't be parsed into an integer"),
    ("hz", "010", "argument couldn't be parsed into an integer"),
    ("hz", "1.5", "argument couldn't be parsed into an integer"),
    ("hz", "+5", "argument couldn't be parsed into an integer"),
    ("hz", " 5", "argument couldn't be parsed into an integer"),
    ("hz", "-0", "argument couldn't be parsed into an integer"),
    ("HZ", "abc", "argument couldn't be parsed into an integer"),  # named in lower case
    ("proto-max-bulk-len", "100",
     "argument must be between 1048576 and 9223372036854775807 inclusive"),
    ("proto-max-bulk-len", "1k",
     "argument must be between 1048576 and 9223372036854775807 inclusive"),
    ("proto-max-bulk-len", "9223372036854775808",
     "argument must be between 1048576 and 9223372036854775807 inclusive"),
    ("proto-max-bulk-len", "abc", "argument must be a memory value"),
    ("proto-max-bulk-len", "-1", "argument must be a memory value"),
    ("proto-max-bulk-len", "+1048576", "argument must be a memory value"),
    ("proto-max-bulk-len", "1.5mb", "argument must be a memory value"),
    ("proto-max-bulk-len", "1tb", "argument must be a memory value"),
])
def test_config_set_refuses_a_bad_value(db, redis_config, name, value, reason):
    assert same(db, redis_config, "CONFIG", "SET", name, value) == config_set_failed(
        name.lower(), reason)


@pytest.mark.redis
@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999",
                                   "-9223372036854775809"])
def test_config_set_hz_beyond_64_bits_cannot_be_parsed(db, redis_config, value):
    assert same(db, redis_config, "CONFIG", "SET", "hz", value) == config_set_failed(
        "hz", "argument couldn't be parsed into an integer")


@pytest.mark.redis
@pytest.mark.parametrize("value", ["", "kb"])
def test_config_set_memory_value_without_digits_counts_as_0(db, redis_config, value):
    assert same(db, redis_config, "CONFIG", "SET", "proto-max-bulk-len", value) == (
        config_set_failed("proto-max-bulk-len",
                          "argument must be between 1048576 and 9223372036854775807 inclusive"))


@pytest.mark.redis
@pytest.mark.parametrize("name, reason", [
    ("hz", "argument couldn't be parsed into an integer"),
    ("proto-max-bulk-len", "argument must be a memory value"),
])
def test_config_set_refuses_a_value_with_thousands_of_digits(db, redis_config, name, reason):
    assert same(db, redis_config, "CONFIG", "SET", name, "1" + "0" * 4400) == (
        config_set_failed(name, reason))


@pytest.mark.redis
@pytest.mark.parametrize("arguments, error", [
    (["foo", "1"], b"-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n"),
    (["hz", "abc", "foo", "1"],
     b"-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n"),
    (["databases", "4"], config_set_failed("databases", "can't set immutable config")),
    (["DATABASES", "4"], config_set_failed("DATABASES", "can't set immutable config")),
    (["hz", "abc", "databases", "1"], config_set_failed("databases", "can't set immutable config")),
    (["daemonize", "no"], config_set_failed("daemonize", "can't set immutable config")),
    (["maxmemory-clients", "abc"],
     config_set_failed("maxmemory-clients", "argument must be a memory or percent value")),
    (["slaveof", "x"], config_set_failed("slaveof", "can't set immutable config")),
    (["replicaof", "x"], config_set_failed("replicaof", "can't set immutable config")),
    (["hz", "20", "hz", "30"], config_set_failed("hz", "duplicate parameter")),
    (["HZ", "1", "hz", "2"], config_set_failed("hz", "duplicate parameter")),
    (["hz", "10", "hz"], SYNTAX_ERROR),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_config_set_errors_about_the_names(db, redis_config, arguments, error):
    assert same(db, redis_config, "CONFIG", "SET", *arguments) == error


@pytest.mark.redis
@pytest.mark.parametrize("names", [["daemonize"], ["replicaof"], ["slaveof"], ["SlaveOf"],
                                   ["maxmemory", "maxmemory*", "bind", "*of"]],
                         ids=" ".join)
def test_config_get_read_only_parameters_and_aliases(db, redis_config, names):
    # An alias (slaveof for replicaof) is a name of its own: a pattern answers both.
    ours = parse_resp(db.execute("CONFIG", "GET", *names).resp())
    theirs = parse_resp(redis_config.call("CONFIG", "GET", *names))
    # Redis answers in its dict's order, and has more parameters (maxmemory-clients...): the
    # ones Kedis has must all be there, with Redis's values (bind is each server's own address).
    ours = dict(zip(ours[::2], ours[1::2], strict=True))
    theirs = {name: value for name, value in zip(theirs[::2], theirs[1::2], strict=True)
              if name.lower() in PARAMETER_NAMES}
    assert ours.keys() == theirs.keys()
    ours.pop(b"bind", None)
    theirs.pop(b"bind", None)
    assert ours == theirs


@pytest.mark.redis
def test_config_set_is_all_or_nothing(db, redis_config):
    refused = config_set_failed("proto-max-bulk-len", "argument must be a memory value")
    assert same(db, redis_config, "CONFIG", "SET", "hz", "15", "proto-max-bulk-len", "abc") == (
        refused)
    assert same(db, redis_config, "CONFIG", "GET", "hz") == array(bulk(b"hz"), bulk(b"10"))


@pytest.mark.redis
def test_config_set_several_parameters_at_once(db, redis_config):
    assert same(db, redis_config, "CONFIG", "SET", "hz", "15", "proto-max-bulk-len", "2mb") == OK
    assert config_value(db, "hz") == b"15"
    assert config_value(db, "proto-max-bulk-len") == b"2097152"


# --- CONFIG RESETSTAT, REWRITE, HELP, and the subcommand errors -------------------------------
def test_config_resetstat_zeroes_the_counters(db):
    db.run("SET k v")
    db.run("GET k")
    db.run("NOSUCH")
    assert db.run("CONFIG RESETSTAT").value == "OK"
    fields = info_fields(db.run("INFO stats").value)
    assert [fields[name] for name in ("keyspace_hits", "total_error_replies")] == ["0", "0"]


@pytest.mark.redis
def test_config_resetstat_answers_ok(db, redis):
    assert same(db, redis, "CONFIG", "RESETSTAT") == OK


@pytest.mark.redis
def test_config_rewrite_without_a_config_file_is_an_error(db, redis):
    assert same(db, redis, "CONFIG", "REWRITE") == (
        b"-ERR The server is running without a config file\r\n")


def test_config_help_lists_the_subcommands(db):
    lines = db.run("CONFIG HELP").value
    assert lines[0] == "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert {"GET <pattern>", "RESETSTAT", "REWRITE", "HELP"} <= set(lines)


@pytest.mark.redis
@pytest.mark.parametrize("command, error", [
    (["CONFIG", "FOO"], b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"),
    (["config", "Foo", "bar"], b"-ERR unknown subcommand 'Foo'. Try CONFIG HELP.\r\n"),
    (["CONFIG", "a\nb"], b"-ERR unknown subcommand 'a b'. Try CONFIG HELP.\r\n"),
    (["CONFIG", b"\x00x"], b"-ERR unknown subcommand ''. Try CONFIG HELP.\r\n"),
    (["COMMAND", "foo"], b"-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n"),
], ids=repr)
def test_unknown_subcommand_errors(db, redis, command, error):
    assert same(db, redis, *command) == error


@pytest.mark.redis
@pytest.mark.parametrize("command, name", [
    (["CONFIG"], "config"), (["CONFIG", "GET"], "config|get"), (["CONFIG", "SET", "hz"],
                                                                "config|set"),
    (["CONFIG", "RESETSTAT", "x"], "config|resetstat"), (["CONFIG", "HELP", "x"], "config|help"),
    (["COMMAND", "COUNT", "x"], "command|count"), (["COMMAND", "HELP", "x"], "command|help"),
    (["COMMAND", "GETKEYS"], "command|getkeys"), (["COMMAND", "GETKEYS", "get"], "command|getkeys"),
], ids=repr)
def test_subcommand_arity_errors_name_the_subcommand(db, redis, command, name):
    assert same(db, redis, *command) == (
        f"-ERR wrong number of arguments for '{name}' command\r\n".encode())


# --- COMMAND ----------------------------------------------------------------------------------
def test_command_count_is_the_number_of_commands(db):
    count = db.run("COMMAND COUNT").value
    assert count == len(command_table.TABLE) == len(db.run("COMMAND").value)


TOP_LEVEL = sorted(name.decode() for name in command_table.TABLE
                   if name.decode() not in command_table.KEDIS_ONLY)
SUBCOMMANDS = sorted(f"{parent.decode()}|{sub}" for parent, cmd in command_table.TABLE.items()
                     for sub in cmd.subcommands)


def _subcommands_sorted(info: list) -> list:
    # Redis lists a container's subcommands in the order of its own dict: compare them sorted.
    return info[:9] + [sorted(info[9], key=lambda sub: sub[0])]


@pytest.mark.redis
@pytest.mark.parametrize("name", TOP_LEVEL + SUBCOMMANDS)
def test_command_info_describes_each_command_as_redis_does(db, redis, name):
    kedis_reply = db.execute("COMMAND", "INFO", name)
    redis_reply = redis.call("COMMAND", "INFO", name)
    if name in ("command", "config", "client", "object", "pubsub", "function",
                "slowlog"):  # containers
        mine = _subcommands_sorted(kedis_reply.value[0])
        theirs = _subcommands_sorted(parse_resp(redis_reply)[0])
        assert mine[:9] == theirs[:9]
        # Kedis has all of COMMAND's and CONFIG's subcommands, some of CLIENT's, OBJECT's (not
        # IDLETIME) and PUBSUB's (no sharded channels), FUNCTION's FLUSH and LIST: each as
        # Redis's.
        assert all(sub in theirs[9] for sub in mine[9])
        assert len(mine[9]) == len(theirs[9]) or name in ("client", "object", "pubsub",
                                                          "function")
    else:
        assert kedis_reply.resp() == redis_reply


@pytest.mark.redis
def test_command_info_of_an_unknown_command_is_nil(db, redis):
    reply = same(db, redis, "COMMAND", "INFO", "nosuch", "config|nosuch")
    assert reply == b"*2\r\n$-1\r\n$-1\r\n"


@pytest.mark.redis
def test_command_info_names_are_case_insensitive(db, redis):
    same(db, redis, "COMMAND", "INFO", "GET", "CONFIG|GET")


def test_command_info_without_names_describes_every_command(db):
    assert len(db.run("COMMAND INFO").value) == db.run("COMMAND COUNT").value


def test_command_is_command_info_of_every_command(db):
    assert db.run("COMMAND") == db.run("COMMAND INFO")


def test_command_info_fields(db):
    name, arity, flags, first, last, step, categories, tips, specs, subs = (
        db.run("COMMAND INFO mset").value[0])
    assert (name, arity, flags, first, last, step) == (b"mset", -3, ["write", "denyoom"], 1, -1, 2)
    assert categories == ["@write", "@string", "@slow"]
    assert tips == [b"request_policy:multi_shard", b"response_policy:all_succeeded"]
    assert len(specs) == 1 and subs == []


def test_command_docs_gives_summary_since_group_and_complexity(db):
    name, doc = db.run("COMMAND DOCS get").value
    assert name == b"get"
    assert doc[0::2] == [b"summary", b"since", b"group", b"complexity"]
    assert doc[3::2] == [b"1.0.0", b"string", b"O(1)"]


def test_command_docs_flags_a_deprecated_command(db):
    _, doc = db.run("COMMAND DOCS getset").value
    assert dict(zip(doc[0::2], doc[1::2], strict=True))[b"doc_flags"] == ["deprecated"]


def test_command_docs_lists_a_containers_subcommands(db):
    _, doc = db.run("COMMAND DOCS config").value
    subcommands = dict(zip(doc[0::2], doc[1::2], strict=True))[b"subcommands"]
    assert subcommands[0::2] == [b"config|get", b"config|set", b"config|resetstat",
                                 b"config|rewrite", b"config|help"]


@pytest.mark.redis
def test_command_docs_leaves_unknown_names_out(db, redis):
    assert same(db, redis, "COMMAND", "DOCS", "nosuch") == b"*0\r\n"


def test_command_docs_without_names_documents_every_command(db):
    assert len(db.run("COMMAND DOCS").value) == 2 * db.run("COMMAND COUNT").value


def test_command_list_names_every_command_and_subcommand(db):
    names = db.run("COMMAND LIST").value
    assert set(names) == ({name.encode() for name in TOP_LEVEL}
                          | {name.encode() for name in command_table.KEDIS_ONLY}
                          | {name.encode() for name in SUBCOMMANDS})
    assert len(names) == len(set(names))


@pytest.mark.redis
@pytest.mark.parametrize("pattern", ["config*", "CONFIG*", "*expire*", "get"])
def test_command_list_filterby_pattern_matches_like_redis(db, redis, pattern):
    kedis_names = db.execute("COMMAND", "LIST", "FILTERBY", "PATTERN", pattern).value
    redis_names = parse_resp(redis.call("COMMAND", "LIST", "FILTERBY", "PATTERN", pattern))
    assert sorted(kedis_names) == sorted(redis_names)


def test_command_list_filterby_pattern_get_star(db):
    assert sorted(db.run("COMMAND LIST FILTERBY PATTERN get*").value) == [
        b"get", b"getbit", b"getdel", b"getex", b"getrange", b"getset"]


def test_command_list_filterby_aclcat(db):
    names = db.run("COMMAND LIST FILTERBY ACLCAT keyspace").value
    assert {b"del", b"exists", b"scan", b"expire", b"flushdb"} <= set(names)
    assert b"get" not in names


@pytest.mark.redis
@pytest.mark.parametrize("arguments, reply", [
    (["FILTERBY", "MODULE", "foo"], b"*0\r\n"),
    (["FILTERBY", "ACLCAT", "nosuch"], b"*0\r\n"),
    (["FILTERBY", "FOO", "bar"], SYNTAX_ERROR),
    (["FILTERBY"], SYNTAX_ERROR),
    (["FILTERBY", "PATTERN"], SYNTAX_ERROR),
    (["FOO"], SYNTAX_ERROR),
], ids=repr)
def test_command_list_filter_edge_cases(db, redis, arguments, reply):
    assert same(db, redis, "COMMAND", "LIST", *arguments) == reply


@pytest.mark.redis
@pytest.mark.parametrize("command, keys", [
    (["get", "k"], [b"k"]),
    (["Get", "k"], [b"k"]),
    (["set", "k", "v", "EX", "10"], [b"k"]),
    (["mset", "a", "1", "b", "2"], [b"a", b"b"]),
    (["mset", "a", "1", "b"], [b"a", b"b"]),
    (["del", "a", "b", "c"], [b"a", b"b", b"c"]),
    (["copy", "a", "b", "DB", "1"], [b"a", b"b"]),
    (["rename", "a", "b"], [b"a", b"b"]),
], ids=repr)
def test_command_getkeys_finds_the_keys_of_a_command(db, redis, command, keys):
    reply = same(db, redis, "COMMAND", "GETKEYS", *command)
    assert parse_resp(reply) == keys


@pytest.mark.redis
@pytest.mark.parametrize("command, error", [
    (["nosuch", "a"], b"-ERR Invalid command specified\r\n"),
    (["config", "foo"], b"-ERR Invalid command specified\r\n"),
    (["config|get", "hz"], b"-ERR Invalid command specified\r\n"),
    (["get", "a", "b"], b"-ERR Invalid number of arguments specified for command\r\n"),
    (["SET", "k"], b"-ERR Invalid number of arguments specified for command\r\n"),
    (["ping", "x"], b"-ERR The command has no key arguments\r\n"),
    (["config", "get"], b"-ERR The command has no key arguments\r\n"),
    (["CONFIG", "get", "hz"], b"-ERR The command has no key arguments\r\n"),
    (["scan", "0"], b"-ERR The command has no key arguments\r\n"),
], ids=repr)
def test_command_getkeys_errors(db, redis, command, error):
    assert same(db, redis, "COMMAND", "GETKEYS", *command) == error


@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["rename", "a", "b"], ["mset", "a", "1", "b", "2"], ["copy", "a", "b"], ["getex", "k"],
    ["set", "k", "v"], ["set", "k", "v", "GET"], ["set", "k", "v", "EX", "10"],
], ids=" ".join)
def test_command_getkeysandflags_gives_each_keys_access_flags(db, redis, command):
    same(db, redis, "COMMAND", "GETKEYSANDFLAGS", *command)


def test_command_getkeysandflags_of_set_depends_on_get(db):
    assert db.run("COMMAND GETKEYSANDFLAGS set k v").value == [[b"k", ["OW", "update"]]]
    assert db.run("COMMAND GETKEYSANDFLAGS set k v GET").value == [
        [b"k", ["RW", "access", "update"]]]


def test_command_help_lists_the_subcommands(db):
    lines = db.run("COMMAND HELP").value
    assert lines[0] == "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert {"COUNT", "GETKEYS <full-command>", "HELP"} <= set(lines)


# --- HELP (a Kedis command) -------------------------------------------------------------------
def test_help_lists_the_commands_by_group(db):
    lines = db.run("HELP").value.splitlines()
    assert lines[0].startswith("Kedis commands, by group.")
    groups = {line.split(":")[0]: line.split(": ")[1].split() for line in lines[2:] if line}
    assert set(groups) == {"@string", "@set", "@list", "@generic", "@server", "@connection",
                           "@transactions", "@pubsub", "@scripting", "@bitmap"}
    assert "SET" in groups["@string"] and "SCAN" in groups["@generic"]


def test_help_set_shows_its_syntax_summary_and_complexity(db):
    text = db.run("HELP SET").value
    assert text.splitlines() == [
        "  SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds"
        " | PXAT unix-time-milliseconds | KEEPTTL]",
        "  summary: " + command_table.lookup(b"set").summary,
        "  since: 1.0.0",
        "  group: string",
        "  complexity: O(1)",
    ]


def test_help_is_case_insensitive(db):
    assert db.run("HELP set") == db.run("HELP SET")


def test_help_of_a_group_shows_each_of_its_commands(db):
    blocks = db.run("HELP @string").value.strip("\n").split("\n\n")
    assert [block.split()[0] for block in blocks] == sorted(
        name.decode().upper() for name, cmd in command_table.TABLE.items()
        if cmd.group == "string")


def test_help_of_a_container_shows_its_subcommands(db):
    text = db.run("HELP config").value
    assert "  CONFIG GET parameter [parameter ...]" in text.splitlines()
    assert "  CONFIG RESETSTAT" in text.splitlines()


def test_help_of_a_subcommand_shows_only_that_one(db):
    assert db.run("HELP CONFIG GET").value.splitlines()[0] == (
        "  CONFIG GET parameter [parameter ...]")
    assert db.run("HELP config|get") == db.run("HELP CONFIG GET")


def test_help_of_an_unknown_command_is_an_error(db):
    assert db.run("HELP nosuch").value == "ERR no help for 'nosuch': not a Kedis command"


def test_help_of_an_unknown_group_is_an_error_that_lists_the_groups(db):
    assert db.run("HELP @nosuch").value == (
        "ERR no such group '@nosuch': try one of @string, @connection, @server, @bitmap, "
        "@generic, @transactions, @scripting, @list, @pubsub, @set")


# --- unknown commands and wrong arity ---------------------------------------------------------
@pytest.mark.redis
@pytest.mark.parametrize("command, error", [
    (["FOO"], b"-ERR unknown command 'FOO', with args beginning with: \r\n"),
    (["FOO", "bar", "baz"], b"-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n"),
    (["foo", "a b"], b"-ERR unknown command 'foo', with args beginning with: 'a b' \r\n"),
    (["FOO", "a\nb", "c\rd"], b"-ERR unknown command 'FOO', with args beginning with: 'a b' 'c d' \r\n"),
    (["F\nOO", "x"], b"-ERR unknown command 'F OO', with args beginning with: 'x' \r\n"),
    (["FOO", b"a\x00b", "c"], b"-ERR unknown command 'FOO', with args beginning with: 'a' 'c' \r\n"),
    ([b"\x00abc", "x"], b"-ERR unknown command '', with args beginning with: 'x' \r\n"),
    (["FOO", "a" * 150, "b", "c"],
     b"-ERR unknown command 'FOO', with args beginning with: '" + b"a" * 128 + b"' \r\n"),
    (["FOO", "a" * 120, "b" * 12, "c"],
     b"-ERR unknown command 'FOO', with args beginning with: '" + b"a" * 120 + b"' 'bbbbb' \r\n"),  # 128 bytes quoted
], ids=lambda v: repr(v)[:40])
def test_unknown_command_error_quotes_the_start_of_its_arguments(db, redis, command, error):
    assert same(db, redis, *command) == error


@pytest.mark.redis
@pytest.mark.parametrize("command", [
    ["GET"], ["get"], ["Get", "a", "b"], ["SET", "k"], ["EXPIRE", "k"], ["DBSIZE", "x"],
    ["ECHO"], ["ECHO", "a", "b"], ["TIME", "x"], ["SELECT"],
], ids=" ".join)
def test_wrong_arity_error_names_the_command_in_lower_case(db, redis, command):
    assert same(db, redis, *command) == (
        f"-ERR wrong number of arguments for '{command[0].lower()}' command\r\n".encode())


def test_wrong_arity_is_found_before_the_handler_runs(db):
    db.run("SET k v")
    db.run("SET k")  # SET with no value must not reach the handler and touch k
    assert db.run("GET k").value == b"v"
