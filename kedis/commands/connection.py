"""Connection commands: the conversation itself (Redis's server.c, networking.c and acl.c).

PING and ECHO answer without touching any data: they test the path through the layers. SELECT
changes which of the 16 logical databases this connection's later commands use; it is per
connection state, so two clients can work in different databases of the same server. So are the
others here: AUTH (has this connection given the password?), HELLO (which protocol, RESP2 or
RESP3), QUIT and RESET, and CLIENT: the connections' ids and names, CLIENT LIST's line about
each, CLIENT KILL, whether a connection hears its replies (CLIENT REPLY), and CLIENT PAUSE,
which holds every client's commands for a while (the engine keeps the pause: engine/dispatcher.py's
``pause_clients``; the connections hold the commands: network/server.py).
"""

from __future__ import annotations

import time

from ..engine.command_table import command
from ..engine.errors import SYNTAX, CommandError, subcommand_syntax, user_text, wrong_arity
from ..engine.reply import (
    EMPTY_ARRAY,
    NO_REPLY,
    NULL,
    OK,
    PONG,
    ZERO,
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
from ..network.resp import encode_command
from ..util.numbers import LLONG_MAX, string_to_int
from .args import parse_int, parse_int32


@command("ping", arity=-1, flags="fast", acl="connection",
         tips="request_policy:all_shards response_policy:all_succeeded",
         group="connection", since="1.0.0", complexity="O(1)",
         summary="Answers PONG, or the given message: tests that the server is there.")
def ping(client, argv: list[bytes]) -> Reply:
    """PING [message]

    A RESP2 connection subscribed to channels answers with an array, ``pong`` and the message,
    which cannot be mistaken for a published message (pubsub.py).
    """
    if len(argv) > 2:
        raise CommandError(wrong_arity("ping"))
    if client.resp == 2 and (client.channels or client.patterns):
        return Array([Bulk(b"pong"), Bulk(argv[1] if len(argv) == 2 else b"")])
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
    client.select(parse_int32(argv[1]))
    return OK


# --- who is talking: AUTH and HELLO (Redis's acl.c and networking.c) -----------------------------
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."


def _password_ok(server, username: bytes, password: bytes) -> bool:
    # Kedis has one user, "default", as Redis without ACLs: with no requirepass it takes any
    # password (it is "nopass"), with one it takes that one only.
    if username != b"default":
        return False
    return server.requirepass is None or password == server.requirepass


def _authenticate(client, username: bytes, password: bytes) -> bool:
    if not _password_ok(client.server, username, password):
        return False
    client.authenticated = True
    client.update_gate()
    return True


@command("auth", arity=-2, flags="noscript loading stale fast no_auth allow_busy",
         acl="connection", group="connection", since="1.0.0",
         complexity="O(N) where N is the number of passwords defined for the user",
         summary="Authenticates the connection, with the password requirepass set.")
def auth(client, argv: list[bytes]) -> Reply:
    """AUTH [username] password

    Teaches: until it authenticates, a client of a server with a password can run only AUTH,
    HELLO, QUIT and RESET; everything else answers NOAUTH. The check is in the dispatcher, once a
    command is known and its arity right (so an unknown command still says it is unknown).
    """
    if len(argv) > 3:
        raise CommandError(SYNTAX)
    if len(argv) == 2:
        if client.server.requirepass is None:
            raise CommandError("ERR AUTH <password> called without any password configured for "
                               "the default user. Are you sure your configuration is correct?")
        username, password = b"default", argv[1]
    else:
        username, password = argv[1], argv[2]
    if not _authenticate(client, username, password):
        raise CommandError(WRONGPASS)
    return OK


def _check_client_name(name: bytes) -> None:
    # A name shows in CLIENT LIST's space-separated fields: only printable characters, no space.
    if any(byte < 0x21 or byte > 0x7E for byte in name):
        raise CommandError("ERR Client names cannot contain spaces, newlines or special "
                           "characters.")


def hello_reply(client) -> Reply:
    from ..engine.version import REDIS_VERSION

    return Map([(Bulk(b"server"), Bulk(b"redis")),
                (Bulk(b"version"), Bulk(REDIS_VERSION.encode())),
                (Bulk(b"proto"), Integer(client.resp)),
                (Bulk(b"id"), Integer(client.id)),
                (Bulk(b"mode"), Bulk(b"standalone")),
                (Bulk(b"role"), Bulk(b"master")),
                (Bulk(b"modules"), Array(()))])


@command("hello", arity=-1, flags="noscript loading stale fast no_auth allow_busy",
         acl="connection", group="connection", since="6.0.0", complexity="O(1)",
         summary="Chooses the protocol (RESP2 or RESP3), and can authenticate and name the "
                 "connection in the same step.")
def hello(client, argv: list[bytes]) -> Reply:
    """HELLO [protover [AUTH username password] [SETNAME clientname]]

    Teaches: RESP3 is chosen per connection. After ``HELLO 3`` the same commands answer with
    richer types: a null is ``_``, HELLO's own answer a map (``%``), INFO verbatim text (``=``).
    """
    version = 0
    if len(argv) >= 2:
        version = parse_int(argv[1], "ERR Protocol version is not an integer or out of range")
        if version < 2 or version > 3:
            raise CommandError("NOPROTO unsupported protocol version")
    credentials = None
    position = 2
    while position < len(argv):
        option = argv[position].lower()
        more = len(argv) - 1 - position
        if option == b"auth" and more >= 2:
            credentials = argv[position + 1], argv[position + 2]
            position += 3
        elif option == b"setname" and more >= 1:
            _check_client_name(argv[position + 1])
            client.name = argv[position + 1]  # named at once, as Redis 7.0 does
            position += 2
        else:
            raise CommandError(f"ERR Syntax error in HELLO option '{user_text(argv[position])}'")
    if credentials is not None and not _authenticate(client, *credentials):
        raise CommandError(WRONGPASS)
    if not client.authenticated:
        raise CommandError(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
            "the RESP protocol version at the same time")
    if version:
        client.resp = version
    return hello_reply(client)


@command("quit", arity=-1, flags="noscript loading stale fast no_auth allow_busy",
         acl="connection", group="connection", since="1.0.0", complexity="O(1)",
         summary="Closes the connection, once its earlier replies are sent.")
def quit_(client, argv: list[bytes]) -> Reply:
    """QUIT

    Teaches: the server answers OK, then closes: the replies to the commands sent before QUIT
    (in the same pipeline) all reach the client first.
    """
    client.close_after_reply = True
    return OK


@command("reset", arity=1, flags="noscript loading stale fast no_auth allow_busy",
         acl="connection", group="connection", since="6.2.0", complexity="O(1)",
         summary="Makes the connection as new: database 0, RESP2, no name, no transaction, "
                 "replies on, not authenticated if there is a password.")
def reset(client, argv: list[bytes]) -> Reply:
    """RESET"""
    client.multi = None
    client.multi_error = client.dirty = False
    client.unwatch_all()
    if client.monitor:
        from .monitor import stop_monitor

        stop_monitor(client)
    if client.channels or client.patterns:
        from .pubsub import unsubscribe_all

        unsubscribe_all(client)
    client.select(0)
    client.resp = 2
    client.name = b""
    client.authenticated = client.server.requirepass is None
    client.update_gate()
    # Replies back on, and a SKIP just asked forgotten (a SKIP already under way still skips
    # this very reply, as in Redis's clearClientConnectionState).
    client.reply_off = client.reply_skip_next = False
    client.update_attention()
    return Status("RESET")


# --- CLIENT: the connections themselves (networking.c) --------------------------------------------
@command("client", arity=-2, group="connection", since="2.4.0",
         complexity="Depends on subcommand.",
         summary="A container for the commands about client connections.")
def client_(client, argv: list[bytes]) -> Reply:
    """CLIENT <subcommand> [argument ...]"""
    raise AssertionError("the dispatcher routes CLIENT to its subcommands")


@command("client|id", arity=2, flags="noscript loading stale", acl="connection",
         group="connection", since="5.0.0", complexity="O(1)",
         summary="Answers the connection's id, unique for the server's lifetime.")
def client_id(client, argv: list[bytes]) -> Reply:
    """CLIENT ID"""
    return Integer(client.id)


@command("client|setname", arity=3, flags="noscript loading stale", acl="connection",
         group="connection", since="2.6.9", complexity="O(1)",
         summary="Names the connection (shown by CLIENT LIST); an empty name removes it.")
def client_setname(client, argv: list[bytes]) -> Reply:
    """CLIENT SETNAME connection-name"""
    _check_client_name(argv[2])
    client.name = argv[2]
    return OK


@command("client|getname", arity=2, flags="noscript loading stale", acl="connection",
         group="connection", since="2.6.9", complexity="O(1)",
         summary="Answers the connection's name, or nil.")
def client_getname(client, argv: list[bytes]) -> Reply:
    """CLIENT GETNAME"""
    return Bulk(client.name) if client.name else NULL


# --- CLIENT LIST and CLIENT INFO: one line per client (catClientInfoString) -----------------------
def _word(arg: bytes) -> bytes:
    # An option as C's strcasecmp sees it: up to its first NUL byte, in any case.
    return arg.split(b"\x00", 1)[0].lower()


#: The client types CLIENT LIST TYPE and CLIENT KILL TYPE name (getClientTypeByName).
CLIENT_TYPES = {b"normal": "normal", b"slave": "replica", b"replica": "replica",
                b"pubsub": "pubsub", b"master": "master"}


def client_type(client) -> str:
    """What kind of client this is (getClientType): Kedis has no replicas and no master, so
    "pubsub" while it listens to a channel or a pattern, "normal" otherwise (a MONITOR client
    too: Redis marks it a replica, but counts it as normal)."""
    return "pubsub" if client.channels or client.patterns else "normal"


def _flags(client) -> str:
    # The letters in Redis's order. Kedis has no replicas (S), master (M), client tracking
    # (t, R, B), asynchronous close (A), Unix sockets (U) or cluster READONLY (r).
    connection = client.connection
    flags = "".join(letter for letter, on in (
        ("O", client.monitor),
        ("P", client.channels or client.patterns),
        ("x", client.multi is not None),
        ("b", client.blocked is not None),
        ("d", client.dirty),
        ("c", client.close_after_reply or (connection is not None and connection.closed)),
        ("u", client.unblocked),
        ("e", client.no_evict),
    ) if on)
    return flags or "N"


def _argv_size(argv) -> int:
    return sum(len(arg) for arg in argv)


def client_line(client, asking=None, argv=None) -> str:
    """One client as CLIENT LIST and CLIENT INFO describe it (Redis's catClientInfoString):
    every field, in Redis's order. ``asking`` is the client whose command (``argv``) asks.

    Real values: id, the addresses, fd, name, age and idle (seconds), flags, db, the
    subscriptions, multi (queued commands), multi-mem (their arguments' bytes, and 8 bytes a
    pointer to each, as Redis counts them), argv-mem (the bytes of the arguments of the command
    running, or held by a pause), omem (reply bytes written but not sent yet), events (``r`` while
    the connection is read, ``w`` while replies wait to be sent), cmd (the last command, by its
    full name: ``client|list``), resp. Redis-like: qbuf is the bytes received and not yet parsed,
    plus, for the client that asks, its own command, which Redis's query buffer still holds
    while it runs (a pipeline's commands that Kedis has parsed but not run yet are not counted);
    qbuf-free, rbs, rbp, obl and oll are 0 (Kedis has no fixed query or reply buffer: it writes a
    batch's replies in one go); tot-mem adds the buffers above (not the client's own state);
    user is "default" (Kedis's only user), redir -1 (no client tracking).
    """
    now = time.monotonic()
    connection = client.connection
    if connection is not None:
        qbuf = connection.query_buffer_size()
        omem = connection.output_buffer_size()
        events = ("" if connection.paused else "r") + ("w" if omem else "")
    else:
        qbuf = omem = 0
        events = ""
    argv_mem = 0
    if client is asking and argv is not None:
        qbuf += len(encode_command(argv))
        argv_mem = _argv_size(argv)
    elif client.blocked_argv is not None:
        argv_mem = _argv_size(client.blocked_argv)
    multi_mem = sum(_argv_size(queued) + 8 * len(queued) for queued in client.multi or ())
    name = client.name.decode("ascii", "replace")
    multi = len(client.multi) if client.multi is not None else -1
    command = client.last_command.name if client.last_command is not None else "NULL"
    return (f"id={client.id} addr={client.addr} laddr={client.laddr} fd={client.fd} "
            f"name={name} age={int(now - client.created)} "
            f"idle={int(now - client.last_interaction)} flags={_flags(client)} "
            f"db={client.db.id} sub={len(client.channels)} psub={len(client.patterns)} ssub=0 "
            f"multi={multi} qbuf={qbuf} qbuf-free=0 argv-mem={argv_mem} "
            f"multi-mem={multi_mem} rbs=0 rbp=0 obl=0 oll=0 omem={omem} "
            f"tot-mem={qbuf + argv_mem + multi_mem + omem} events={events} cmd={command} "
            f"user=default redir=-1 resp={client.resp}\n")


@command("client|list", arity=-2, flags="admin noscript loading stale", acl="connection",
         tips="nondeterministic_output", group="connection", since="2.4.0",
         complexity="O(N) where N is the number of client connections",
         summary="Answers a line of facts about each connection.")
def client_list(client, argv: list[bytes]) -> Reply:
    """CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]

    Teaches: the server's view of its connections, one line each, the fields separated by
    spaces (a name can hold none). ``ID`` lists the given clients, in the order given (twice if
    named twice), and skips ids that are no client; ``TYPE`` those of one kind.
    """
    clients = client.server.clients
    if len(argv) == 4 and _word(argv[2]) == b"type":
        kind = CLIENT_TYPES.get(_word(argv[3]))
        if kind is None:
            raise CommandError(f"ERR Unknown client type '{user_text(argv[3])}'")
        chosen = [c for c in clients.values() if client_type(c) == kind]
    elif len(argv) > 3 and _word(argv[2]) == b"id":
        ids = [parse_int(raw, "ERR Invalid client ID") for raw in argv[3:]]
        chosen = [clients[i] for i in ids if i in clients]
    elif len(argv) != 2:
        raise CommandError(SYNTAX)
    else:
        chosen = list(clients.values())
    return Verbatim("".join(client_line(c, client, argv) for c in chosen))


@command("client|info", arity=2, flags="noscript loading stale", acl="connection",
         tips="nondeterministic_output", group="connection", since="6.2.0", complexity="O(1)",
         summary="Answers the facts CLIENT LIST gives, for this connection.")
def client_info(client, argv: list[bytes]) -> Reply:
    """CLIENT INFO"""
    return Verbatim(client_line(client, client, argv))


# --- CLIENT KILL --------------------------------------------------------------------------------
@command("client|kill", arity=-3, flags="admin noscript loading stale", acl="connection",
         group="connection", since="2.4.0",
         complexity="O(N) where N is the number of client connections",
         summary="Closes connections: the one from an address, or those matching filters.")
def client_kill(client, argv: list[bytes]) -> Reply:
    """CLIENT KILL ip:port | CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE type]
    [USER username] [SKIPME yes|no]

    Teaches: a connection is state the server holds; killing it frees it (and its transaction,
    its WATCHes) at once. The old form answers OK or an error, and may kill the client that
    asks; the filter form answers how many died, and spares the asking client unless SKIPME no.
    """
    server = client.server
    filters: list = []
    if len(argv) == 3:  # the old form: one address
        address = argv[2].split(b"\x00", 1)[0]
        filters.append(lambda c: c.addr.encode() == address)
        skip_me = False
    else:
        skip_me = True
        for position in range(2, len(argv), 2):
            if position + 1 >= len(argv):
                raise CommandError(SYNTAX)
            option, value = _word(argv[position]), argv[position + 1]
            if option == b"id":
                number = string_to_int(value)
                if number is None or number <= 0:
                    raise CommandError("ERR client-id should be greater than 0")
                filters.append(lambda c, n=number: c.id == n)
            elif option == b"type":
                kind = CLIENT_TYPES.get(_word(value))
                if kind is None:
                    raise CommandError(f"ERR Unknown client type '{user_text(value)}'")
                filters.append(lambda c, k=kind: client_type(c) == k)
            elif option == b"addr":
                address = value.split(b"\x00", 1)[0]
                filters.append(lambda c, a=address: c.addr.encode() == a)
            elif option == b"laddr":
                address = value.split(b"\x00", 1)[0]
                filters.append(lambda c, a=address: c.laddr.encode() == a)
            elif option == b"user":
                if value != b"default":  # Kedis's only user, as Redis without ACLs
                    raise CommandError(f"ERR No such user '{user_text(value)}'")
            elif option == b"skipme":
                if _word(value) not in (b"yes", b"no"):
                    raise CommandError(SYNTAX)
                skip_me = _word(value) == b"yes"
            else:
                raise CommandError(SYNTAX)
    targets = [c for c in server.clients.values() if c.connection is not None
               and all(f(c) for f in filters) and not (skip_me and c is client)]
    for target in targets:
        if target is client:
            client.close_after_reply = True  # it still gets its reply, then the connection closes
        else:
            target.connection.close()
            server.free_client(target)  # gone from CLIENT LIST at once, as in Redis
    if len(argv) == 3:
        if not targets:
            raise CommandError("ERR No such client")
        return OK
    return Integer(len(targets))


# --- CLIENT REPLY: whether this connection hears back -------------------------------------------
@command("client|reply", arity=3, flags="noscript loading stale", acl="connection",
         group="connection", since="3.2.0", complexity="O(1)",
         summary="Turns this connection's replies off, on, or off for the next command only.")
def client_reply(client, argv: list[bytes]) -> Reply:
    """CLIENT REPLY ON|OFF|SKIP

    Teaches: a client that only writes (a bulk loader) can tell the server not to answer, and
    save the bytes and the reading. After OFF the client gets no reply at all, not even an
    error, until ON (whose OK it gets); SKIP silences the next command's reply only. OFF and
    SKIP answer nothing themselves. The connection drops the replies (``Client.after_command``);
    Pub/Sub's messages still arrive (Redis pushes them), MONITOR's lines do not. In the embedded
    engine, ``execute`` answers NO_REPLY (nothing) for the silenced commands.
    """
    mode = _word(argv[2])
    if mode == b"on":
        client.reply_off = client.reply_skip = False
        client.update_attention()
        return OK
    if mode == b"off":
        client.reply_off = True
    elif mode == b"skip":
        if not client.reply_off:
            client.reply_skip_next = True
    else:
        raise CommandError(SYNTAX)
    client.update_attention()
    return NO_REPLY


# --- CLIENT PAUSE and UNPAUSE: holding every client's commands for a while ----------------------
CLIENT_PAUSE_EMBEDDED = ("ERR CLIENT PAUSE holds the commands of a server's clients: an embedded "
                         "engine has no connections to hold (try it on kedis-server)")


def _deadline(timeout: int, now: int) -> int:
    # Redis adds the timeout to the time in a C long long: beyond its range the sum wraps
    # around, to a time long past (so CLIENT PAUSE 9223372036854775807 pauses nothing).
    end = timeout + now
    return end - 2 ** 64 if end > LLONG_MAX else end


@command("client|pause", arity=-3, flags="admin noscript loading stale", acl="connection",
         group="connection", since="2.9.50", complexity="O(1)",
         summary="Holds the clients' commands (all of them, or those that write) for some "
                 "milliseconds.")
def client_pause(client, argv: list[bytes]) -> Reply:
    """CLIENT PAUSE timeout [WRITE | ALL]

    Teaches: how a server can be made to stand still, to switch over to a replica without
    losing a write. For ``timeout`` milliseconds (on the server's clock) the clients' commands
    wait, then run in the order they came: all of them (ALL, the default), or only those that
    may change the data or reach replicas (WRITE: writes, PUBLISH, an EXEC with a write queued);
    reads go on. A command that is refused (unknown, wrong arity) is answered at once. While
    paused, the data stays still: no key expires, actively or when read (a key past its
    deadline only reads as missing). A second pause can only make it longer and stricter;
    CLIENT UNPAUSE ends it. A MONITOR client is never held.

    kedis-server holds a connection's commands without blocking its loop: the connection stops
    running them and keeps them, in order, until the pause ends (at CLIENT UNPAUSE, or at the
    first check after its time is up: the server's cron, hz times a second, or a command that
    the pause would hold; Redis waits for its cron). The embedded engine refuses: its one
    client would wait for ever, since nothing else could unpause it.
    """
    from ..engine.client import PAUSE_ALL, PAUSE_WRITE

    if len(argv) > 4:
        raise CommandError(subcommand_syntax(argv))
    kind = PAUSE_ALL
    if len(argv) == 4:
        mode = _word(argv[3])
        if mode not in (b"write", b"all"):
            raise CommandError("ERR CLIENT PAUSE mode must be WRITE or ALL")
        kind = PAUSE_WRITE if mode == b"write" else PAUSE_ALL
    timeout = parse_int(argv[2], "ERR timeout is not an integer or out of range")
    if timeout < 0:
        raise CommandError("ERR timeout is negative")
    server = client.server
    if server.network is None:
        raise CommandError(CLIENT_PAUSE_EMBEDDED)
    server.pause_clients(kind, _deadline(timeout, server.clock.ms()) if timeout else 0)
    return OK


@command("client|unpause", arity=2, flags="admin noscript loading stale", acl="connection",
         group="connection", since="6.2.0",
         complexity="O(N) Where N is the number of paused clients",
         summary="Ends a CLIENT PAUSE: the commands it held run, in the order they came.")
def client_unpause(client, argv: list[bytes]) -> Reply:
    """CLIENT UNPAUSE"""
    client.server.unpause_clients()
    return OK


# --- CLIENT UNBLOCK, GETREDIR, TRACKINGINFO, NO-EVICT ---------------------------------------------
@command("client|unblock", arity=-3, flags="admin noscript loading stale", acl="connection",
         group="connection", since="5.0.0",
         complexity="O(log N) where N is the number of client connections",
         summary="Ends another client's wait in a blocking command (Kedis has none yet).")
def client_unblock(client, argv: list[bytes]) -> Reply:
    """CLIENT UNBLOCK client-id [TIMEOUT | ERROR]

    Ends the wait of a client blocked in a blocking command (BLPOP and the like), as if its
    timeout had passed, or with an UNBLOCKED error; answers 1 if it did, 0 if that client was
    not waiting. Kedis has no blocking command yet, so today it always answers 0; a command
    that blocks will say what it waits for in the client's ``blocked``, which is where this
    looks. A client held by CLIENT PAUSE ("postponed") waits for the pause, not for a command,
    and stays: Redis 7.0.15 sends it an error, then holds its command again, and so answers it
    twice (with TIMEOUT it stops the server).
    """
    if len(argv) > 4:
        raise CommandError(subcommand_syntax(argv))
    if len(argv) == 4 and _word(argv[3]) not in (b"timeout", b"error"):
        raise CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    parse_int(argv[2])  # the client's id
    # Only a wait in a blocking command ends here. No Kedis command blocks yet: the first that
    # does will set its client's ``blocked`` to what it waits for, and ending that wait will
    # answer 1. A client held by CLIENT PAUSE ("postponed") waits for the pause, and stays.
    return ZERO


@command("client|getredir", arity=2, flags="noscript loading stale", acl="connection",
         group="connection", since="6.0.0", complexity="O(1)",
         summary="Answers the client that tracking messages go to: -1, Kedis has no client "
                 "tracking.")
def client_getredir(client, argv: list[bytes]) -> Reply:
    """CLIENT GETREDIR

    With client tracking (CLIENT TRACKING ... REDIRECT id, which Kedis does not have), the id of
    the connection that receives this client's invalidation messages; -1 when tracking is off.
    """
    return Integer(-1)


@command("client|trackinginfo", arity=2, flags="noscript loading stale", acl="connection",
         group="connection", since="6.2.0", complexity="O(1)",
         summary="Answers this connection's client tracking state: off, in Kedis.")
def client_trackinginfo(client, argv: list[bytes]) -> Reply:
    """CLIENT TRACKINGINFO

    A map of three fields: ``flags`` (a set: "off", as tracking is in Kedis), ``redirect`` (-1)
    and ``prefixes`` (none).
    """
    return Map([(Bulk(b"flags"), Set([Bulk(b"off")])), (Bulk(b"redirect"), Integer(-1)),
                (Bulk(b"prefixes"), EMPTY_ARRAY)])


@command("client|no-evict", arity=3, flags="admin noscript loading stale", acl="connection",
         group="connection", since="7.0.0", complexity="O(1)",
         summary="Protects the connection from client eviction (Kedis evicts no client).")
def client_no_evict(client, argv: list[bytes]) -> Reply:
    """CLIENT NO-EVICT ON|OFF

    Redis may close clients when they use too much memory (``maxmemory-clients``); this exempts
    one, and CLIENT LIST shows it (flag ``e``). Kedis never evicts clients: the mark is kept and
    shown, and changes nothing else.
    """
    mode = _word(argv[2])
    if mode not in (b"on", b"off"):
        raise CommandError(SYNTAX)
    client.no_evict = mode == b"on"
    return OK


@command("client|help", arity=2, flags="loading stale", acl="connection", group="connection",
         since="5.0.0", complexity="O(1)",
         summary="Answers a short description of the CLIENT subcommands.")
def client_help(client, argv: list[bytes]) -> Reply:
    """CLIENT HELP"""
    return help_reply("CLIENT", (
        "GETNAME",
        "    Answer this connection's name, or nil.",
        "GETREDIR",
        "    Answer where tracking messages go: -1 (Kedis has no client tracking).",
        "ID",
        "    Answer this connection's id.",
        "INFO",
        "    Answer CLIENT LIST's line for this connection.",
        "KILL <ip:port>",
        "    Close the connection from <ip:port>.",
        "KILL <option> <value> [<option> <value> ...]",
        "    Close every connection that matches all the options:",
        "    * ID <client-id>",
        "    * ADDR <ip:port>          (the client's address)",
        "    * LADDR <ip:port>         (the address it connected to)",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "    * USER <username>",
        "    * SKIPME (YES|NO)         (spare this connection; YES by default)",
        "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> ...]",
        "    Answer a line about each connection, or those of one type, or with these ids.",
        "NO-EVICT (ON|OFF)",
        "    Mark this connection as one never to evict (Kedis evicts none).",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Hold every client's commands (or those that write) for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Turn this connection's replies on, off, or off for the next command.",
        "SETNAME <name>",
        "    Name this connection (no spaces); an empty name removes it.",
        "TRACKINGINFO",
        "    Answer this connection's client tracking state (off: Kedis has none).",
        "UNBLOCK <client-id> [TIMEOUT|ERROR]",
        "    End another client's wait in a blocking command (Kedis has none yet).",
        "UNPAUSE",
        "    End CLIENT PAUSE: the commands it held run.",
    ))
