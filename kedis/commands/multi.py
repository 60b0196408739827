"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c).

Between MULTI and EXEC, a client's commands are not run: the dispatcher checks each one (is it
known? is its arity right?) and queues it, answering QUEUED (engine/dispatcher.py, ``_gate``). EXEC runs the
queue in one go, and since Kedis runs one command at a time, no other client's command can come
in between: that is the whole of Redis's atomicity. There is no rollback: a command that fails
while running (INCR of a word) fails alone, the others still run.

A command refused while queueing (unknown, wrong arity) marks the transaction, and EXEC then
runs nothing and answers EXECABORT.

WATCH is optimistic locking. ``WATCH key`` before MULTI asks: run my EXEC only if nobody changed
these keys in the meantime. Every write to a key (keyspace.py's ``touch``, Redis's
``signalModifiedKey``) marks the clients watching it as *dirty*, and a dirty client's EXEC runs
nothing and answers a null array. A watched key whose TTL runs out counts as changed too, and so
does FLUSHDB of a database that holds it.
"""

from __future__ import annotations

from ..engine.command_table import command, key
from ..engine.errors import CommandError
from ..engine.reply import NO_REPLY, NULL_ARRAY, OK, Array, Partial, Reply

EXECABORT = "EXECABORT Transaction discarded because of previous errors."


def discard_transaction(client) -> None:
    """Leave MULTI, drop the queue, and forget the WATCHes (discardTransaction)."""
    client.multi = None
    client.multi_error = False
    client.dirty = False
    client.unwatch_all()
    client.update_gate()


@command("multi", arity=1, flags="noscript loading stale fast allow_busy", acl="transaction",
         group="transactions", since="1.2.0", complexity="O(1)",
         summary="Starts a transaction: the next commands are queued until EXEC.")
def multi(client, argv: list[bytes]) -> Reply:
    """MULTI

    Teaches: the commands that follow answer QUEUED; they run, all together and with nothing
    in between, at EXEC.
    """
    if client.multi is not None:
        raise CommandError("ERR MULTI calls can not be nested")
    client.multi = []
    client.update_gate()
    return OK


@command("exec", arity=1, flags="noscript loading stale skip_slowlog", acl="transaction",
         group="transactions", since="1.2.0",
         complexity="Depends on commands in the transaction",
         summary="Runs the queued commands, and answers their replies in an array.")
def exec_(client, argv: list[bytes]) -> Reply:
    """EXEC

    Teaches: the reply is an array of the queued commands' replies, errors included (no
    rollback). A null array means a WATCHed key changed: nothing ran, try again. EXECABORT
    means a command was refused while queueing: nothing ran.
    """
    if client.multi is None:
        raise CommandError("ERR EXEC without MULTI")
    if not client.dirty and _watched_key_expired(client):
        client.dirty = True
    if client.multi_error or client.dirty:
        aborted = client.multi_error
        discard_transaction(client)
        if aborted:
            raise CommandError(EXECABORT)
        return NULL_ARRAY
    queued = client.multi
    client.unwatch_all()  # unwatch first: the transaction's own writes must not matter
    server = client.server
    dispatch = type(server).call  # the plain dispatcher (what live views wrap reports EXEC)
    me = client.last_command  # CLIENT LIST says "exec" once it has run, as in Redis
    silenced_at_start = client.reply_off or client.reply_skip
    replies = []
    changed = False
    # Until the queue has run, the client is still in its transaction (CLIENT LIST shows it),
    # and its commands, checked when they were queued, pass the dispatcher's gate.
    client.in_exec = True
    try:
        for queued_argv in queued:
            reply = dispatch(server, client, queued_argv)
            # CLIENT REPLY OFF or ON among them: the client gets what was made while replies
            # were on, and nothing else (see Partial).
            silenced = client.reply_off or client.reply_skip
            changed = changed or silenced != silenced_at_start
            replies.append(NO_REPLY if silenced else reply)
    finally:
        client.in_exec = False
        client.last_command = me
        client.multi = None
        client.update_gate()
    return Partial(replies, header=not silenced_at_start) if changed else Array(replies)


@command("discard", arity=1, flags="noscript loading stale fast allow_busy",
         acl="transaction", group="transactions", since="2.0.0",
         complexity="O(N), when N is the number of queued commands",
         summary="Drops the queued commands and leaves the transaction.")
def discard(client, argv: list[bytes]) -> Reply:
    """DISCARD"""
    if client.multi is None:
        raise CommandError("ERR DISCARD without MULTI")
    discard_transaction(client)
    return OK


@command("watch", arity=-2, flags="noscript loading stale fast allow_busy", acl="transaction",
         keys=[key("RO", 1, -1)], group="transactions", since="2.2.0",
         complexity="O(1) for every key.",
         summary="Watches keys: the next EXEC runs only if none of them changed.")
def watch(client, argv: list[bytes]) -> Reply:
    """WATCH key [key ...]

    Teaches: optimistic locking. Read, WATCH, compute, then MULTI ... EXEC: if another client
    wrote a watched key in between, EXEC answers nil and the client starts again.
    """
    if client.multi is not None:
        raise CommandError("ERR WATCH inside MULTI is not allowed")
    if client.dirty:  # a watched key changed already: EXEC will fail anyway (watchCommand)
        return OK
    db = client.db
    for name in argv[1:]:
        entry = (db, name)
        if entry in client.watched:
            continue
        # Remember whether it had already expired: its deletion then is not a change.
        client.watched[entry] = db.is_expired(name)
        db.watchers.setdefault(name, []).append(client)
    return OK


@command("unwatch", arity=1, flags="noscript loading stale fast allow_busy",
         acl="transaction", group="transactions", since="2.2.0", complexity="O(1)",
         summary="Forgets every WATCHed key.")
def unwatch(client, argv: list[bytes]) -> Reply:
    """UNWATCH"""
    client.unwatch_all()
    client.dirty = False
    return OK


def _watched_key_expired(client) -> bool:
    # A watched key that was alive when watched, and whose deadline has passed since (even if
    # nothing deleted it yet), counts as changed (isWatchedKeyExpired).
    return any(not expired and db.is_expired(name)
               for (db, name), expired in client.watched.items())

