"""Connection commands: the conversation itself (Redis's server.c, networking.c and acl.c).

PING and ECHO answer without touching any data: they test the path through the layers. SELECT
changes which of the 16 logical databases this connection's later commands use; it is per
connection state, so two clients can work in different databases of the same server. So are the
others here: AUTH (has this connection given the password?), HELLO (which protocol, RESP2 or
RESP3), QUIT and RESET, and CLIENT (the connections' ids, names, list, and CLIENT KILL).
"""

from __future__ import annotations

import time

from ..command_table import command
from ..errors import SYNTAX, CommandError, user_text, wrong_arity
from ..numbers import parse_int, parse_int32, string_to_int
from ..reply import NULL, OK, PONG, Array, Bulk, Integer, Map, Reply, Status, Verbatim, help_reply


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
    from .server import REDIS_VERSION

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
         summary="Makes the connection as new: database 0, RESP2, no name, no transaction, not "
                 "authenticated if there is a password.")
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


def client_line(client) -> str:
    """One client as CLIENT LIST and CLIENT INFO describe it (Redis's catClientInfoString).

    Redis's memory fields (qbuf, obl, omem...) are about its own buffers; Kedis shows 0 for most.
    """
    now = time.monotonic()
    flags = ("O" if client.monitor else "") + ("x" if client.multi is not None else "") + (
        "d" if client.dirty else "") + ("P" if client.channels or client.patterns else "")
    connection = client.connection
    qbuf = connection.query_buffer_size() if connection is not None else 0
    omem = connection.output_buffer_size() if connection is not None else 0
    name = client.name.decode("ascii", "replace")
    multi = len(client.multi) if client.multi is not None else -1
    return (f"id={client.id} addr={client.addr} laddr={client.laddr} fd={client.fd} "
            f"name={name} age={int(now - client.created)} "
            f"idle={int(now - client.last_interaction)} flags={flags or 'N'} db={client.db.id} "
            f"sub={len(client.channels)} psub={len(client.patterns)} ssub=0 multi={multi} qbuf={qbuf} qbuf-free=0 argv-mem=0 "
            f"multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem={omem} tot-mem=0 events=r "
            f"cmd={client.last_command.name if client.last_command else 'NULL'} user=default redir=-1 "
            f"resp={client.resp}\n")


@command("client|list", arity=-2, flags="admin noscript loading stale", acl="connection",
         tips="nondeterministic_output", group="connection", since="2.4.0",
         complexity="O(N) where N is the number of client connections",
         summary="Answers a line of facts about each connection.")
def client_list(client, argv: list[bytes]) -> Reply:
    """CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"""
    clients = list(client.server.clients.values())
    if len(argv) == 4 and argv[2].lower() == b"type":
        kind = argv[3].lower()
        if kind not in (b"normal", b"master", b"replica", b"slave", b"pubsub"):
            raise CommandError(f"ERR Unknown client type '{user_text(argv[3])}'")
        clients = clients if kind == b"normal" else []
    elif len(argv) > 3 and argv[2].lower() == b"id":
        wanted = set()
        for raw in argv[3:]:
            number = string_to_int(raw)
            if number is None or number <= 0:
                raise CommandError("ERR Invalid client ID")
            wanted.add(number)
        clients = [c for c in clients if c.id in wanted]
    elif len(argv) != 2:
        raise CommandError(SYNTAX)
    return Verbatim("".join(client_line(c) for c in clients))


@command("client|info", arity=2, flags="noscript loading stale", acl="connection",
         tips="nondeterministic_output", group="connection", since="6.2.0", complexity="O(1)",
         summary="Answers the facts CLIENT LIST gives, for this connection.")
def client_info(client, argv: list[bytes]) -> Reply:
    """CLIENT INFO"""
    return Verbatim(client_line(client))


@command("client|kill", arity=-3, flags="admin noscript loading stale", acl="connection",
         group="connection", since="2.4.0",
         complexity="O(N) where N is the number of client connections",
         summary="Closes connections: the one from an address, or those matching filters.")
def client_kill(client, argv: list[bytes]) -> Reply:
    """CLIENT KILL ip:port | CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE type]
    [USER username] [SKIPME yes|no]

    Teaches: a connection is state the server holds; killing it frees it (and its transaction,
    its WATCHes) at once. The old form answers OK or an error; the filter form, how many died.
    """
    server = client.server
    if len(argv) == 3:  # the old form: one address
        targets = [c for c in server.clients.values()
                   if c.addr.encode() == argv[2] and c.connection is not None]
        if not targets:
            raise CommandError("ERR No such client")
        _kill(client, targets)
        return OK
    filters: list = []
    skip_me = True
    position = 2
    while position < len(argv):
        if position + 1 >= len(argv):
            raise CommandError(SYNTAX)
        option, value = argv[position].lower(), argv[position + 1]
        if option == b"id":
            number = string_to_int(value)
            if number is None or number <= 0:
                raise CommandError("ERR client-id should be greater than 0")
            filters.append(lambda c, n=number: c.id == n)
        elif option == b"addr":
            filters.append(lambda c, v=value: c.addr.encode() == v)
        elif option == b"laddr":
            filters.append(lambda c, v=value: c.laddr.encode() == v)
        elif option == b"type":
            kind = value.lower()
            if kind not in (b"normal", b"master", b"replica", b"slave", b"pubsub"):
                raise CommandError(f"ERR Unknown client type '{user_text(value)}'")
            filters.append(lambda c, k=kind: k == b"normal")
        elif option == b"user":
            if value != b"default":  # Kedis's only user, as Redis without ACLs
                raise CommandError(f"ERR No such user '{user_text(value)}'")
            filters.append(lambda c: True)
        elif option == b"skipme":
            if value.lower() not in (b"yes", b"no"):
                raise CommandError(SYNTAX)
            skip_me = value.lower() == b"yes"
        else:
            raise CommandError(SYNTAX)
        position += 2
    targets = [c for c in server.clients.values() if c.connection is not None
               and all(f(c) for f in filters) and not (skip_me and c is client)]
    _kill(client, targets)
    return Integer(len(targets))


def _kill(me, targets: list) -> None:
    for target in targets:
        if target is me:
            me.close_after_reply = True  # it still gets its reply, then the connection closes
        else:
            target.connection.close()


@command("client|no-evict", arity=3, flags="admin noscript loading stale", acl="connection",
         group="connection", since="7.0.0", complexity="O(1)",
         summary="Protects the connection from client eviction (Kedis evicts no client).")
def client_no_evict(client, argv: list[bytes]) -> Reply:
    """CLIENT NO-EVICT ON|OFF

    Redis may close clients when they use too much memory (``maxmemory-clients``); this exempts
    one. Kedis never evicts clients, so ON and OFF are both accepted and change nothing.
    """
    if argv[2].lower() not in (b"on", b"off"):
        raise CommandError(SYNTAX)
    return OK


@command("client|help", arity=2, flags="loading stale", acl="connection", group="connection",
         since="5.0.0", complexity="O(1)",
         summary="Answers a short description of the CLIENT subcommands.")
def client_help(client, argv: list[bytes]) -> Reply:
    """CLIENT HELP"""
    return help_reply("CLIENT", (
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
    ))
