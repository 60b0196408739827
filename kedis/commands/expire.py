"""Commands that give keys a time to live, and read it (Redis's expire.c, the command half).

A TTL is a deadline: ``EXPIRE key 10`` stores "now + 10 000 ms" in the database's expiry index
(expiry.py), and from then on the key is gone for every command once that moment has passed.
What these commands teach:

- relative (EXPIRE, PEXPIRE) and absolute (EXPIREAT, PEXPIREAT) deadlines are the same thing:
  Redis stores only the absolute one, in milliseconds; EXPIRETIME shows it;
- TTL answers -2 for a key that does not exist and -1 for a key without a deadline;
- a deadline in the past deletes the key at once (and the command still answers 1);
- NX, XX, GT and LT make the change conditional on the current deadline (Redis 7.0).
"""

from __future__ import annotations

from ..engine.command_table import command, key
from ..engine.errors import (
    EXPIRE_GT_LT_CONFLICT,
    EXPIRE_NX_CONFLICT,
    CommandError,
    invalid_expire_time,
    unsupported_option,
)
from ..engine.keyspace import NOTOUCH
from ..engine.notify import GENERIC, notify
from ..engine.reply import ONE, ZERO, Integer, Reply
from ..util.numbers import LLONG_MAX
from .args import parse_int

# C's LLONG_MIN / 1000 truncates toward zero, so both bounds are the same magnitude.
_SECONDS_LIMIT = LLONG_MAX // 1000


def _expire_generic(client, argv: list[bytes], basetime: int, unit_ms: int) -> Reply:
    """EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT in one (expireGenericCommand).

    ``basetime`` is now (relative forms) or 0 (absolute forms); ``unit_ms`` is 1000 for seconds.
    """
    nx = xx = gt = lt = False
    for option in argv[3:]:
        word = option.split(b"\x00", 1)[0].lower()
        if word == b"nx":
            nx = True
        elif word == b"xx":
            xx = True
        elif word == b"gt":
            gt = True
        elif word == b"lt":
            lt = True
        else:
            raise CommandError(unsupported_option(option))
    if nx and (xx or gt or lt):
        raise CommandError(EXPIRE_NX_CONFLICT)
    if gt and lt:
        raise CommandError(EXPIRE_GT_LT_CONFLICT)

    name = argv[0].lower().decode("utf-8", "replace")
    when = parse_int(argv[2])
    if unit_ms == 1000:
        if when > _SECONDS_LIMIT or when < -_SECONDS_LIMIT:
            raise CommandError(invalid_expire_time(name))
        when *= 1000
    if when > LLONG_MAX - basetime:
        raise CommandError(invalid_expire_time(name))
    when += basetime

    db = client.db
    if db.lookup_write(argv[1]) is None:
        return ZERO
    if nx or xx or gt or lt:
        current = db.get_expire(argv[1])  # -1: no deadline, which counts as "infinite"
        if nx and current != -1:
            return ZERO
        if xx and current == -1:
            return ZERO
        if gt and (current == -1 or when <= current):
            return ZERO
        if lt and current != -1 and when >= current:
            return ZERO
    if when <= client.server.clock.ms():
        db.delete(argv[1])  # a deadline already past: the key goes now
        notify(db, GENERIC, b"del", argv[1])
    else:
        db.set_expire(argv[1], when)
        notify(db, GENERIC, b"expire", argv[1])
    client.server.stats.dirty += 1  # the key deleted, or its deadline set: one change either way
    return ONE


_EXPIRE_KEYS = [key("RW update")]
_CONDITIONS = "Answers 1 if the deadline was set, 0 if the key does not exist or a condition failed."


@command("expire", arity=-3, flags="write fast", acl="keyspace", keys=_EXPIRE_KEYS,
         group="generic", since="1.0.0", complexity="O(1)",
         summary="Sets a key's time to live in seconds. " + _CONDITIONS)
def expire(client, argv: list[bytes]) -> Reply:
    """EXPIRE key seconds [NX | XX | GT | LT]

    NX: only if the key has no deadline; XX: only if it has one; GT: only if the new deadline is
    later; LT: only if it is earlier (no deadline counts as infinitely late).
    Teaches: a TTL is stored as an absolute deadline; commands that replace the value (SET) drop it.
    """
    return _expire_generic(client, argv, client.server.clock.ms(), 1000)


@command("pexpire", arity=-3, flags="write fast", acl="keyspace", keys=_EXPIRE_KEYS,
         group="generic", since="2.6.0", complexity="O(1)",
         summary="Sets a key's time to live in milliseconds. " + _CONDITIONS)
def pexpire(client, argv: list[bytes]) -> Reply:
    """PEXPIRE key milliseconds [NX | XX | GT | LT]"""
    return _expire_generic(client, argv, client.server.clock.ms(), 1)


@command("expireat", arity=-3, flags="write fast", acl="keyspace", keys=_EXPIRE_KEYS,
         group="generic", since="1.2.0", complexity="O(1)",
         summary="Sets a key's deadline as a Unix time in seconds. " + _CONDITIONS)
def expireat(client, argv: list[bytes]) -> Reply:
    """EXPIREAT key unix-time-seconds [NX | XX | GT | LT]"""
    return _expire_generic(client, argv, 0, 1000)


@command("pexpireat", arity=-3, flags="write fast", acl="keyspace", keys=_EXPIRE_KEYS,
         group="generic", since="2.6.0", complexity="O(1)",
         summary="Sets a key's deadline as a Unix time in milliseconds. " + _CONDITIONS)
def pexpireat(client, argv: list[bytes]) -> Reply:
    """PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]"""
    return _expire_generic(client, argv, 0, 1)


def _ttl_generic(client, argv: list[bytes], in_ms: bool, absolute: bool) -> Reply:
    """TTL, PTTL, EXPIRETIME and PEXPIRETIME in one (ttlGenericCommand)."""
    db = client.db
    if db.lookup_read(argv[1], NOTOUCH) is None:  # asking for a TTL does not use the key
        return Integer(-2)
    deadline = db.get_expire(argv[1])
    if deadline == -1:
        return Integer(-1)
    ttl = max(deadline if absolute else deadline - client.server.clock.ms(), 0)
    # Seconds are rounded to the nearest: a key with 1.6 s left answers TTL 2.
    return Integer(ttl if in_ms else (ttl + 500) // 1000)


_TTL_KEYS = [key("RO access")]


@command("ttl", arity=2, flags="readonly fast", acl="keyspace", keys=_TTL_KEYS,
         tips="nondeterministic_output", group="generic", since="1.0.0", complexity="O(1)",
         summary="Answers a key's remaining time to live in seconds (-1: none, -2: no key).")
def ttl(client, argv: list[bytes]) -> Reply:
    """TTL key

    Teaches: -2 means "no such key", -1 means "no deadline"; otherwise the seconds left, rounded.
    """
    return _ttl_generic(client, argv, in_ms=False, absolute=False)


@command("pttl", arity=2, flags="readonly fast", acl="keyspace", keys=_TTL_KEYS,
         tips="nondeterministic_output", group="generic", since="2.6.0", complexity="O(1)",
         summary="Answers a key's remaining time to live in milliseconds (-1: none, -2: no key).")
def pttl(client, argv: list[bytes]) -> Reply:
    """PTTL key"""
    return _ttl_generic(client, argv, in_ms=True, absolute=False)


@command("expiretime", arity=2, flags="readonly fast", acl="keyspace", keys=_TTL_KEYS,
         group="generic", since="7.0.0", complexity="O(1)",
         summary="Answers a key's deadline as a Unix time in seconds (-1: none, -2: no key).")
def expiretime(client, argv: list[bytes]) -> Reply:
    """EXPIRETIME key

    Teaches: this is what Redis really stores for a TTL: an absolute moment.
    """
    return _ttl_generic(client, argv, in_ms=False, absolute=True)


@command("pexpiretime", arity=2, flags="readonly fast", acl="keyspace", keys=_TTL_KEYS,
         group="generic", since="7.0.0", complexity="O(1)",
         summary="Answers a key's deadline as a Unix time in milliseconds (-1: none, -2: no key).")
def pexpiretime(client, argv: list[bytes]) -> Reply:
    """PEXPIRETIME key"""
    return _ttl_generic(client, argv, in_ms=True, absolute=True)


@command("persist", arity=2, flags="write fast", acl="keyspace", keys=[key("RW update")],
         group="generic", since="2.2.0", complexity="O(1)",
         summary="Removes a key's deadline; answers 1 if it had one, else 0.")
def persist(client, argv: list[bytes]) -> Reply:
    """PERSIST key

    Teaches: removing a TTL is removing the key from the expiry index; the value is untouched.
    """
    db = client.db
    if db.lookup_write(argv[1]) is None or not db.remove_expire(argv[1]):
        return ZERO  # no key, or no deadline: nothing changed, nothing to count
    notify(db, GENERIC, b"persist", argv[1])
    client.server.stats.dirty += 1
    return ONE
