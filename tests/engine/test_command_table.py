"""The command table is data that HELP, COMMAND and (later) completion read: it must be complete."""

import pytest

from kedis.engine.command_table import ACL_ORDER, FLAG_ORDER, TABLE

ALL = [cmd for cmd in TABLE.values()] + [sub for cmd in TABLE.values()
                                          for sub in cmd.subcommands.values()]

# Every command issue 2 asks for.
ISSUE_2 = """ping echo select dbsize flushdb flushall time info command config help set get getdel
getex getset setnx setex psetex mget mset msetnx append strlen incr decr incrby decrby incrbyfloat
getrange setrange del unlink exists type keys scan rename renamenx randomkey touch copy expire
pexpire expireat pexpireat ttl pttl expiretime pexpiretime persist""".split()

# The set type's commands.
SETS = """sadd srem smembers sismember smismember scard sinter sunion sdiff sinterstore sunionstore
sdiffstore smove sintercard spop srandmember sscan""".split()


# Persistence's commands (issue 6), and SHUTDOWN, which ends with a final save.
PERSISTENCE = "save bgsave lastsave bgrewriteaof shutdown".split()

# kedis-server's (issue 7): the connection's own commands, transactions, MONITOR.
SERVER = "auth hello quit reset client multi exec discard watch unwatch monitor monitor.trace".split()

# Beyond the issues: how values are stored (OBJECT), SWAPDB, MOVE, and Pub/Sub.
MORE = "object swapdb move subscribe unsubscribe psubscribe punsubscribe publish pubsub".split()

# Issue 13, the families completed: FUNCTION (FLUSH and LIST, for tools that call them), SLOWLOG.
FAMILIES = "function slowlog".split()


# A value serialized in Redis's format, and back.
DUMP = "dump restore".split()

# Bitmaps (commands/bitops.py), and the strings' LCS and SUBSTR.
BITMAPS = "setbit getbit bitcount bitpos bitop bitfield bitfield_ro lcs substr".split()

# The test bench (commands/debug.py), for Redis's test suite and Kedis's own.
DEBUG = ["debug"]

# Issue 16's lists (commands/lists.py): the blocking pops are still to come.
LISTS = ("lpush rpush lpushx rpushx lpop rpop lmpop llen lrange lindex lpos lset linsert lrem "
         "ltrim lmove rpoplpush").split()


def test_every_command_of_the_issues_is_in_the_table():
    assert sorted(ISSUE_2 + SETS + PERSISTENCE + SERVER + MORE + FAMILIES + DUMP + BITMAPS
                  + DEBUG + LISTS) == sorted(
        name.decode() for name in TABLE)


@pytest.mark.parametrize("cmd", ALL, ids=lambda c: c.name)
def test_each_entry_documents_itself(cmd):
    assert cmd.syntax.startswith(cmd.display_name), "the docstring's first line is the syntax"
    assert cmd.summary and cmd.group and cmd.since and cmd.complexity
    assert cmd.handler.__doc__ and len(cmd.handler.__doc__.strip()) >= len(cmd.syntax)


@pytest.mark.parametrize("cmd", ALL, ids=lambda c: c.name)
def test_flags_and_categories_are_redis_names_in_redis_order(cmd):
    assert list(cmd.flags) == sorted(cmd.flags, key=FLAG_ORDER.index)
    assert list(cmd.acl_categories) == sorted(cmd.acl_categories, key=ACL_ORDER.index)
    assert ("fast" in cmd.acl_categories) != ("slow" in cmd.acl_categories)


def test_key_positions_follow_the_key_specs():
    assert TABLE[b"mset"].key_positions(5) == [1, 3]
    assert TABLE[b"del"].key_positions(4) == [1, 2, 3]
    assert TABLE[b"copy"].key_positions(6) == [1, 2]
    assert TABLE[b"ping"].key_positions(2) == []
    assert (TABLE[b"mset"].first_key, TABLE[b"mset"].last_key, TABLE[b"mset"].key_step) == (1, -1, 2)


def test_a_command_that_counts_its_keys_needs_the_arguments_to_find_them():
    sintercard = TABLE[b"sintercard"]
    assert sintercard.key_positions(5, [b"SINTERCARD", b"2", b"a", b"b", b"LIMIT"]) == [2, 3]
    assert sintercard.key_positions(4, [b"SINTERCARD", b"3", b"a", b"b"]) == []  # b is no key
    assert sintercard.key_positions(4) == []
    assert (sintercard.first_key, sintercard.last_key, sintercard.key_step) == (0, 0, 0)


def test_options_for_completion_come_from_the_syntax():
    assert TABLE[b"set"].tokens() == ["NX", "XX", "GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"]
    assert TABLE[b"get"].tokens() == []
