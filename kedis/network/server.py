"""kedis-server: the engine on the network, speaking RESP to real Redis clients.

    kedis-server --port 6379                 # then: redis-cli -p 6379, redis-py, redis-benchmark

One process, one thread, one event loop, as Redis itself (ae.c, networking.c): the loop waits
until some sockets have bytes, and for each, the connection hands the bytes to its parser
(resp.py, which does no I/O), runs every complete command through the engine, one after the
other, and writes all their replies back in one go. Nothing runs in parallel, so a command never
sees another one half done: that is why Redis needs no locks, and why MULTI/EXEC is atomic.

Everything a connection needs is in ``Connection`` (an asyncio Protocol: called back when bytes
arrive, never blocking) and in its engine ``Client`` (selected database, name, protocol, auth,
transaction), which the commands see. Pipelining comes for free: a client may send fifty commands
before reading any reply, and they arrive, run and are answered in order.

The limits that keep one client from hurting the others, as in Redis:

- ``maxclients``: one connection too many is told ``-ERR max number of clients reached``;
- protected mode: with no password, only loopback clients are served (the DENIED message);
- the query buffer (``client-query-buffer-limit``, 1gb): a client that sends a command that never
  ends is closed; ``proto-max-bulk-len`` refuses a too long argument from its header on;
- slow readers: a client that does not read its replies is not read from either, until its
  replies have drained (asyncio's flow control: the server's memory for it stays bounded), and
  ``client-output-buffer-limit`` closes it when its unread replies pass a hard limit.

Two commands change what a connection does with its commands and replies, and the loop looks
at them only when a client's ``attention`` says so (one check a command): CLIENT REPLY OFF or
SKIP makes it drop the replies, and a CLIENT PAUSE makes the dispatcher hold a command
(``blocked``): the connection hands the command back to its parser, with everything after it,
runs nothing more, and is resumed (``resume``) when the pause ends, in the order the clients
came. Other connections go on meanwhile: nothing waits inside the loop.

Active expiry runs in the same loop, twice over (expiry.py): the slow cycle ``hz`` times a second
(Redis's serverCron), and the fast cycle, when one is due, each time the loop has served clients
and is about to wait again (Redis's beforeSleep). asyncio has no "before sleep" hook, so the
first connection served in a turn of the loop asks for one (``KedisServer.served``): a callback
that ``call_soon`` queues for the next turn, which the loop runs before it waits for new events.
A turn that serves a thousand commands pays for one callback; a loop with nothing to do wakes
for nothing.
The cron also ends a CLIENT PAUSE whose time is up.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field

from ..engine.client import Client
from ..engine.config import parse_memory
from ..engine.dispatcher import Kedis
from ..engine.version import KEDIS_VERSION as __version__
from .resp import ProtocolError, make_parser

__all__ = ["KedisServer", "ServerConfig", "main", "MAX_CLIENTS_REACHED", "DENIED"]

MAX_CLIENTS_REACHED = b"-ERR max number of clients reached\r\n"
#: Redis 7.0's text, word for word ("Setup a an" included).
DENIED = (
    b"-DENIED Redis is running in protected mode because protected mode is enabled and no "
    b"password is set for the default user. In this mode connections are only accepted from the "
    b"loopback interface. If you want to connect from external computers to Redis you may adopt "
    b"one of the following solutions: 1) Just disable protected mode sending the command "
    b"'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the "
    b"same host the server is running, however MAKE SURE Redis is not publicly accessible from "
    b"internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    b"you can just disable the protected mode by editing the Redis configuration file, and "
    b"setting the protected mode option to 'no', and then restarting the server. 3) If you "
    b"started the server manually just for testing, restart it with the '--protected-mode no' "
    b"option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    b"to do one of the above things in order for the server to start accepting connections from "
    b"the outside.\r\n")


@dataclass
class ServerConfig:
    """What kedis-server is started with (the command line, or a config file)."""

    port: int = 6379
    bind: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    requirepass: bytes | None = None
    maxclients: int = 10000
    protected_mode: bool = True
    query_buffer_limit: int = 1024 ** 3          # client-query-buffer-limit
    output_buffer_limit: int = 0                 # client-output-buffer-limit normal: 0 = none
    monitor_output_buffer_limit: int = 256 * 1024 ** 2  # monitors are "replica" class in Redis
    use_hiredis: bool | None = None              # None: when installed
    engine_config: dict[str, str] = field(default_factory=dict)  # hz, dir, save... (make_engine)


def is_loopback(host: str) -> bool:
    """Whether a peer address is this machine's loopback (127.0.0.0/8, ::1), as Redis's
    connIsLocal decides for protected mode."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


class Connection(asyncio.Protocol):
    """One client's connection: bytes in, commands through the engine, replies out."""

    def __init__(self, server: KedisServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.client: Client | None = None
        self.parser = None
        self.closed = False
        self.paused = False       # not reading: the client is not reading its replies
        # While this connection's commands run, what is pushed to it (MONITOR's line, a message
        # it published to itself) waits here, each with whether it goes before the command's
        # reply, and is placed when the reply is made (push, data_received).
        self.running = False
        self.pushed: list[tuple[bool, bytes]] = []

    # --- the life of a connection -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        server = self.server
        server.total_connections += 1
        peer = transport.get_extra_info("peername") or ("", 0)
        config = server.engine.config
        if len(server.connections) >= config["maxclients"]:
            server.rejected_connections += 1
            transport.write(MAX_CLIENTS_REACHED)
            transport.close()
            self.closed = True
            return
        if (config["protected-mode"] and server.engine.requirepass is None
                and not is_loopback(str(peer[0]))):
            transport.write(DENIED)
            transport.close()
            self.closed = True
            return
        client = self.client = server.engine.new_client()
        client.connection = self
        client.addr = _address(peer)
        client.local = is_loopback(str(peer[0]))
        client.laddr = _address(transport.get_extra_info("sockname") or ("", 0))
        sock = transport.get_extra_info("socket")
        client.fd = sock.fileno() if sock is not None else -1
        self.parser = make_parser(server.engine.config["proto-max-bulk-len"],
                                  use_hiredis=server.config.use_hiredis)
        server.connections.add(self)
        # Below this many unread bytes, asyncio calls resume_writing; above the high mark,
        # pause_writing: the flow control that bounds a slow reader's memory.
        transport.set_write_buffer_limits(high=1 << 20)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        """The hot path: parse what arrived, run each command, answer them all in one write."""
        client = self.client
        if client is None or self.closed or client.close_after_reply:
            return  # (closing: what it still sends is not read, as in Redis)
        parser = self.parser
        parser.auth_required = not client.authenticated
        engine = self.server.engine
        if data:
            engine.stats.net_input_bytes += len(data)
            engine.stats.reads_processed += 1
            client.last_interaction = time.monotonic()
        parser.feed(data)
        call = engine.call  # the dispatcher itself: the arguments are bytes already
        out: list[bytes] = []
        pushed = self.pushed
        size = 0
        self.running = True
        try:
            # A client whose command a CLIENT PAUSE holds (``blocked``) runs nothing: what it
            # sends waits in the parser, in order, until the pause ends (resume).
            while not self.paused and client.blocked is None and (batch := parser.commands()):
                commands = iter(batch)  # what is left of it is handed back if the client pauses
                for argv in commands:
                    reply = call(client, argv)
                    encoded = reply.resp() if client.resp == 2 else reply.resp3()
                    out.append(encoded)
                    size += len(encoded)
                    if pushed or client.attention or size > _SEND_NOW:
                        # Rarely: something was pushed to this client while its command ran,
                        # the client's state says more (closing, replies off, its command held
                        # by a pause), or the replies are many: look.
                        if client.attention:
                            if client.blocked is not None:  # held: run it again after the pause
                                out.pop()
                                parser.unread([argv, *commands])
                                break
                            if not client.after_command(reply):  # CLIENT REPLY OFF or SKIP
                                out[-1] = b""
                                size -= len(encoded)
                        if pushed:  # this client MONITORs itself, or got a message of its own
                            encoded = out.pop()
                            out += [data for before, data in pushed if before]
                            out.append(encoded)
                            out += [data for before, data in pushed if not before]
                            pushed.clear()
                        if client.close_after_reply:  # QUIT, CLIENT KILL of itself
                            break
                        if size > _SEND_NOW:
                            # Many or big replies: send them now. If the client is not reading,
                            # this pauses the connection (pause_writing): the rest waits.
                            self._send(b"".join(out))
                            out = []
                            size = 0
                            if self.paused:
                                parser.unread(list(commands))
                                break
                if client.close_after_reply:
                    break
                # AUTH (or RESET) may have changed what the parser must refuse in what follows.
                parser.auth_required = not client.authenticated
        except ProtocolError as error:
            engine.stats.count_error(error.reply_text)
            if not (client.reply_off or client.reply_skip):  # (even this, with replies off)
                out.append(error.reply_bytes)
            client.close_after_reply = True
        self.running = False
        client.last_interaction = time.monotonic()
        if not self.server.before_sleep_due:
            self.server.served()
        data = b"".join(out) if out else b""  # (a reply silenced by CLIENT REPLY is b"")
        if data:
            self._send(data)
        if client.close_after_reply:
            # Redis closes a connection once it has written it its last replies. With replies
            # off (CLIENT REPLY) there may be nothing to write: then it stays open, deaf, until
            # something is pushed to it (push) or the client goes.
            if data:
                self.close()
            return
        if parser.pending > self.server.engine.config["client-query-buffer-limit"]:
            self.server.log(f"Closing client that reached max query buffer length: "
                            f"{client_line_short(client)}")
            self.close()
            return
        self._check_output_limit()

    def _send(self, data: bytes) -> None:
        stats = self.server.engine.stats
        stats.net_output_bytes += len(data)
        stats.writes_processed += 1
        self.transport.write(data)

    def _check_output_limit(self) -> None:
        limit = (self.server.config.monitor_output_buffer_limit if self.client.monitor
                 else self.server.config.output_buffer_limit)
        if limit and self.transport.get_write_buffer_size() > limit:
            self.server.log(f"Client {client_line_short(self.client)} closed for overcoming of "
                            f"output buffer limits.")
            self.transport.abort()  # its unread replies are dropped, not sent
            self.closed = True

    def pause_writing(self) -> None:
        # The client is not reading: stop reading its commands too, so that its replies stop
        # piling up in the server's memory. Other clients are not affected.
        self.paused = True
        if not self.closed:
            self.transport.pause_reading()

    def resume(self) -> None:
        """The pause that held this client's command is over (the engine's unpause_clients):
        run what waits once the loop has finished what it is doing, as Redis runs unblocked
        clients in beforeSleep."""
        asyncio.get_running_loop().call_soon(self._run_unblocked)

    def _run_unblocked(self) -> None:
        if self.client is not None:
            self.client.unblocked = False
            if self.client.blocked is None:  # (not held again by a new pause in between)
                self.data_received(b"")

    def resume_writing(self) -> None:
        self.paused = False
        if not self.closed:
            self.transport.resume_reading()
            if self.parser is not None and not self.parser.idle():
                self.data_received(b"")  # the commands that arrived before the pause

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.server.connections.discard(self)
        if self.client is not None:
            self.server.engine.free_client(self.client)

    # --- what commands ask of a connection ---------------------------------------------------
    def close(self) -> None:
        """Close after the replies already written are sent (CLIENT KILL, QUIT)."""
        if not self.closed:
            self.closed = True
            self.transport.close()

    def push(self, data: bytes, before_reply: bool = False, as_reply: bool = False) -> None:
        """Send bytes nobody asked for: MONITOR's feed, Pub/Sub's messages. While this client's
        own command runs, they wait for its reply: MONITOR's line goes after it, a message the
        client published to itself before it (``before_reply``), as Redis sends them.

        Redis writes MONITOR's lines as it writes replies, so a client that turned its replies
        off (CLIENT REPLY) does not get them (``as_reply``); Pub/Sub's messages it pushes
        (CLIENT_PUSHING), and they always go."""
        client = self.client
        if as_reply and client is not None and (client.reply_off or client.reply_skip):
            return
        if self.running:
            self.pushed.append((before_reply, data))
        elif not self.closed:
            if client is not None and client.close_after_reply:
                # Redis writes nothing more to a closing client, but going to write is what
                # closes it (see data_received): the message is lost, the connection closed.
                self.close()
                return
            self._send(data)
            self._check_output_limit()

    def query_buffer_size(self) -> int:
        return self.parser.pending if self.parser is not None else 0

    def output_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() if self.transport is not None else 0


#: Replies waiting to be sent are written out once they pass this many bytes, so that a client
#: that pipelines many big reads does not make the server hold all their replies at once.
_SEND_NOW = 262144


def _address(address: tuple) -> str:
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def client_line_short(client: Client) -> str:
    return f"id={client.id} addr={client.addr} laddr={client.laddr} name={client.name.decode()}"


TCP_BACKLOG = 511  # Redis's tcp-backlog
#: What a machine without IPv6 (or IPv4) answers: Redis skips such an address (listenToPort).
_NO_SUCH_FAMILY = frozenset((errno.ENOPROTOOPT, errno.EPROTONOSUPPORT, errno.ESOCKTNOSUPPORT,
                             errno.EPFNOSUPPORT, errno.EAFNOSUPPORT))


class KedisServer:
    """The listening sockets, the connections, and the loop's periodic work, around one engine."""

    def __init__(self, engine: Kedis | None = None, config: ServerConfig | None = None, *,
                 run_cron: bool = True) -> None:
        self.config = config or ServerConfig()
        self.engine = engine if engine is not None else Kedis()
        # What a client may read or change with CONFIG GET/SET is kept in the engine's
        # configuration (config.py); the connections read it from there.
        self.engine.config.update({
            "bind": " ".join(self.config.bind), "maxclients": self.config.maxclients,
            "protected-mode": self.config.protected_mode,
            "client-query-buffer-limit": self.config.query_buffer_limit})
        self.engine.requirepass = self.config.requirepass
        # The engine's own client is not a connection: it should not show in CLIENT LIST.
        self.engine.clients.pop(self.engine.client.id, None)
        self.engine.client.authenticated = True
        self.engine.client.update_gate()
        self.engine.network = self  # INFO reads the counters below
        self.connections: set[Connection] = set()
        self.total_connections = 0
        self.rejected_connections = 0
        self.servers: list[asyncio.base_events.Server] = []
        self.port = self.config.port
        self._listening: tuple[int, tuple[str, ...]] = (0, ())  # where the sockets listen
        self._shutdown_asap = False  # a signal asked for a shutdown, not yet done
        self._cron: asyncio.Task | None = None
        self._stopped: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: A before_sleep is queued for this turn of the loop (see served).
        self.before_sleep_due = False
        #: The server's own cron (serverCron): tests that drive the clock turn it off, and run
        #: ``cron()`` by hand, so that nothing happens at moments they do not choose.
        self.run_cron = run_cron

    def log(self, message: str, level: str = "*") -> None:
        # Redis's log line: pid, role (M: master), time, level (*: notice, #: warning).
        stamp = time.strftime("%d %b %Y %H:%M:%S")
        print(f"{os.getpid()}:M {stamp} {level} {message}", file=sys.stderr, flush=True)

    def fatal(self, message: str) -> None:
        """Log ``message`` and end the process now, with status 1: what Redis does when it must
        not go on (an AOF write that failed under appendfsync always, aof.py). No reply still
        waiting is sent, nothing is saved. ``os._exit``, not SystemExit: the way out of the
        event loop would run more of it (other clients' commands, answered)."""
        self.log(message, "#")
        os._exit(1)

    async def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        # Port 0 at start asks for a free port (tests do), the same one at every address.
        sockets = self._open_sockets(self.port, self.config.bind)
        if sockets and self.port == 0:
            self.port = sockets[0].getsockname()[1]
        self._listening = (self.port, tuple(self.config.bind))
        for sock in sockets:
            self.servers.append(await loop.create_server(lambda: Connection(self), sock=sock,
                                                         backlog=TCP_BACKLOG))
        self.engine.config["port"] = self.port
        self._stopped = asyncio.Event()
        if self.run_cron:
            self._cron = loop.create_task(self._server_cron())

    def listen(self, port: int, bind: str) -> None:
        """Listen on ``port`` at ``bind``'s addresses instead (CONFIG SET port and bind: Redis's
        changeListenPort and changeBindAddr); port 0 listens nowhere. The connections already
        open stay. As in Redis, the old sockets close first (a new address may be an old one):
        if a new one cannot be opened, OSError says why and the server listens nowhere until
        CONFIG SET, rolling back, calls this again with the old values."""
        hosts = tuple(bind.split())
        if (port, hosts) == self._listening or self._loop is None:
            return
        for server in self.servers:
            server.close()
        self.servers = []
        self._listening = (0, ())
        sockets = self._open_sockets(port, hosts) if port else []
        self._listening = (port, hosts)
        self.port = port
        for sock in sockets:
            task = self._loop.create_task(self._loop.create_server(
                lambda: Connection(self), sock=sock, backlog=TCP_BACKLOG))
            task.add_done_callback(self._serving)

    def _serving(self, opened: asyncio.Task) -> None:
        # A listening socket of listen() is served now; unless the server stopped meanwhile.
        server = opened.result()
        if self._stopped is not None and self._stopped.is_set():
            server.close()
        else:
            self.servers.append(server)

    def _open_sockets(self, port: int, hosts) -> list[socket.socket]:
        """A listening socket at each address (Redis's listenToPort): ``*`` is every IPv4
        address, ``::*`` every IPv6 one, and an address that starts with ``-`` is skipped if
        this machine does not have it. Any other failure closes what was opened and raises."""
        opened: list[socket.socket] = []
        for host in hosts:
            optional = host.startswith("-")
            address = {"*": "0.0.0.0", "::*": "::"}.get(host.lstrip("-"), host.lstrip("-"))
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            try:
                sock = socket.socket(family, socket.SOCK_STREAM)
            except OSError as error:
                if error.errno in _NO_SUCH_FAMILY:
                    continue
                raise
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind((address, port or (opened[0].getsockname()[1] if opened else 0)))
                sock.listen(TCP_BACKLOG)
                sock.setblocking(False)
            except OSError as error:
                sock.close()
                self.log(f"Warning: Could not create server TCP listening socket "
                         f"{address}:{port}: {error.strerror}", "#")
                if (optional and error.errno == errno.EADDRNOTAVAIL) or \
                        error.errno in _NO_SUCH_FAMILY:
                    continue
                for other in opened:
                    other.close()
                raise
            opened.append(sock)
        return opened

    async def _server_cron(self) -> None:
        while True:
            await asyncio.sleep(1 / self.engine.config["hz"])
            self.cron()

    def cron(self) -> None:
        """What Redis's serverCron does here, ``hz`` times a second: the engine's tick (the slow
        active expiry cycle, the save rules...) and the idle clients' timeout (its clientsCron).
        A turn of the loop, too: a before_sleep follows it."""
        try:
            self.engine.tick()
            if self.engine.config["timeout"]:
                self.close_idle_clients()
        except Exception as error:  # a bug in Kedis must not stop the server
            self.log(f"server cron failed: {type(error).__name__}: {error}")
        if not self.before_sleep_due:
            self.served()

    def served(self) -> None:
        """This turn of the loop did some work: run ``before_sleep`` before the loop waits."""
        if self._loop is not None:  # (a server that was never started has no loop to turn)
            self.before_sleep_due = True
            self._loop.call_soon(self.before_sleep)

    def before_sleep(self) -> None:
        """Redis's beforeSleep, as far as Kedis has it: a fast active expiry cycle, if due."""
        self.before_sleep_due = False
        try:
            self.engine.before_sleep()
        except Exception as error:  # a bug in Kedis must not stop the server
            self.log(f"before sleep failed: {type(error).__name__}: {error}")

    def close_idle_clients(self, now: float | None = None) -> int:
        """Close the clients idle for more than ``timeout`` seconds (Redis's
        clientsCronHandleTimeout); clients that only listen, MONITOR or subscribed to a channel or
        a pattern, are never idle for it, nor are clients that wait (a CLIENT PAUSE holds their
        command). Answers how many were closed."""
        now = time.monotonic() if now is None else now
        timeout = self.engine.config["timeout"]
        idle = [connection for connection in self.connections
                if connection.client is not None and not connection.client.monitor
                and connection.client.blocked is None
                and not (connection.client.channels or connection.client.patterns)
                and now - connection.client.last_interaction > timeout]
        for connection in idle:
            self.log(f"Closing idle client {client_line_short(connection.client)}")
            connection.close()
        return len(idle)

    async def serve_forever(self) -> None:
        await self.start()
        self.log(f"Ready to accept connections tcp (port {self.port})")
        await self._stopped.wait()

    def signalled(self, signum: int) -> None:
        """SIGTERM or SIGINT (Redis's sigShutdownHandler): shut down soon, in the loop, as the
        SHUTDOWN command would; a second SIGINT before that ends the process at once."""
        if self._shutdown_asap and signum == signal.SIGINT:
            self.log("You insist... exiting now.", "#")
            os._exit(1)  # (not a clean shutdown, as in Redis)
        name = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}.get(signum)
        self.log(f"Received {name} scheduling shutdown..." if name else
                 "Received shutdown signal, scheduling shutdown...", "#")
        self._shutdown_asap = True
        asyncio.get_running_loop().call_soon(self._shutdown_now)  # (even before start() ends)

    def _shutdown_now(self) -> None:
        # What serverCron does for a signal (prepareForShutdown): the AOF's last bytes and the
        # final save; if the save fails, Redis says so and goes on serving, and so does Kedis.
        self._shutdown_asap = False
        if not self.engine.shutdown():
            self.log("Errors trying to shut down the server. Check the logs for more "
                     "information.", "#")
            return
        self.log("Kedis is now ready to exit, bye bye...", "#")
        self.stop(finish=False)

    def stop(self, finish: bool = True) -> None:
        """Stop serving: close the listening sockets and every connection, and end
        ``serve_forever``. ``finish``: the engine's shutdown too (the AOF's last bytes, the
        final SAVE), for a host that stops the server itself; SHUTDOWN and a signal have done
        it already."""
        for server in self.servers:
            server.close()
        for connection in list(self.connections):
            connection.close()
        if self._cron is not None:
            self._cron.cancel()
        if finish and not self.engine.shutdown():
            self.log("Errors trying to shut down the server: the final save failed", "#")
        if self._stopped is not None:
            self._stopped.set()


# --- the command line, and the config file ------------------------------------------------------
def _yes_no(text: str) -> bool:
    if text.lower() not in ("yes", "no"):
        raise argparse.ArgumentTypeError("argument must be 'yes' or 'no'")
    return text.lower() == "yes"


def _memory(text: str) -> int:
    return parse_memory(text.encode())


def read_config_file(path: str) -> list[str]:
    """A redis.conf-style file as command-line options: ``port 6380`` -> ``--port 6380``."""
    from ..engine.parser import split_args

    options: list[str] = []
    with open(path, "rb") as file:
        for number, line in enumerate(file, 1):
            argv = split_args(line.strip())
            if not argv or argv[0].startswith(b"#"):
                continue
            options.append("--" + argv[0].decode().lower())
            options.extend(a.decode() for a in argv[1:])
            if not argv[1:]:
                raise SystemExit(f"*** FATAL CONFIG FILE ERROR ***\nReading the configuration "
                                 f"file, at line {number}\n>>> '{line.decode().strip()}'\n"
                                 f"Bad directive or wrong number of arguments")
    return options


def parse_arguments(argv: list[str] | None) -> ServerConfig:
    parser = argparse.ArgumentParser(
        prog="kedis-server", description="Kedis on the network: a RESP server for Redis clients.")
    parser.add_argument("config_file", nargs="?", help="a redis.conf-style file (its options "
                        "come first; the command line's override them)")
    parser.add_argument("--port", type=int, default=6379, help="TCP port (0: a free one)")
    parser.add_argument("--bind", nargs="+", default=["127.0.0.1"], metavar="ADDRESS",
                        help="addresses to listen on (default: loopback only)")
    parser.add_argument("--requirepass", help="the password clients must give with AUTH")
    parser.add_argument("--maxclients", type=int, default=10000)
    parser.add_argument("--protected-mode", type=_yes_no, default=True, metavar="yes|no",
                        help="with no password, refuse clients that are not on loopback")
    parser.add_argument("--client-query-buffer-limit", type=_memory, default=1024 ** 3)
    parser.add_argument("--client-output-buffer-limit", type=_memory, default=0,
                        help="close a normal client whose unread replies pass this (0: never)")
    # The engine's own parameters (config.py), given as strings, as in a config file.
    parser.add_argument("--hz", help="active expiry cycles per second (10)")
    parser.add_argument("--timeout", help="close a client idle this many seconds (0: never)")
    parser.add_argument("--proto-max-bulk-len", help="the longest argument (512mb)")
    parser.add_argument("--databases", help="number of databases (16)")
    parser.add_argument("--dir", help="where the RDB and AOF files go (the current directory)")
    parser.add_argument("--save", help='RDB snapshot rules, "SECONDS CHANGES ..." (default: '
                        '"3600 1 300 100 60 10000", as redis-server; "" for none)')
    parser.add_argument("--dbfilename", help="the RDB file's name (dump.rdb)")
    parser.add_argument("--appendonly", metavar="yes|no", help="keep an append-only file")
    parser.add_argument("--appendfsync", metavar="always|everysec|no")
    parser.add_argument("--stop-writes-on-bgsave-error", metavar="yes|no",
                        help="refuse writes while the last BGSAVE failed (yes)")
    parser.add_argument("--enable-protected-configs", metavar="no|yes|local",
                        help="whether CONFIG SET may change dir and dbfilename (no; local: "
                        "from loopback clients)")
    parser.add_argument("--enable-debug-command", metavar="no|yes|local",
                        help="who may run DEBUG (no; local: loopback clients)")
    parser.add_argument("--hiredis", type=_yes_no, default=None, metavar="yes|no",
                        help="parse requests with hiredis (default: when installed)")
    parser.add_argument("--version", action="version", version=f"kedis-server {__version__}")
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and not arguments[0].startswith("-"):
        arguments = read_config_file(arguments[0]) + arguments[1:]
    options = parser.parse_args(arguments)
    engine_config = {name: getattr(options, name.replace("-", "_")) for name in ENGINE_OPTIONS
                     if getattr(options, name.replace("-", "_")) is not None}
    if options.databases is not None:
        engine_config["databases"] = options.databases
    return ServerConfig(
        port=options.port, bind=options.bind,
        requirepass=options.requirepass.encode() if options.requirepass else None,
        maxclients=options.maxclients, protected_mode=options.protected_mode,
        query_buffer_limit=options.client_query_buffer_limit,
        output_buffer_limit=options.client_output_buffer_limit,
        use_hiredis=options.hiredis, engine_config=engine_config)


ENGINE_OPTIONS = ("hz", "timeout", "proto-max-bulk-len", "save", "dir", "dbfilename",
                  "appendonly", "appendfsync", "stop-writes-on-bgsave-error",
                  "enable-protected-configs", "enable-debug-command")


def make_engine(config: ServerConfig) -> Kedis:
    """The engine as redis-server starts: its files loaded from ``dir``, saved by the rules."""
    from ..engine.config import DEFAULT_SAVE_RULES

    options = dict(config.engine_config)
    databases = int(options.pop("databases", 16))
    options.setdefault("save", " ".join(f"{s} {c}" for s, c in DEFAULT_SAVE_RULES))
    return Kedis(databases=databases, config=options)


def main(argv: list[str] | None = None) -> int:
    config = parse_arguments(argv)
    try:
        engine = make_engine(config)
    except (OSError, ValueError) as error:  # a damaged dump or AOF, a bad option
        print(f"kedis-server: cannot start: {error}", file=sys.stderr)
        return 1
    try:
        import uvloop  # the optional speed-up: a faster event loop, same behaviour
    except ImportError:
        uvloop = None
    server = KedisServer(engine, config)
    for message in engine.persistence.messages:
        server.log(message)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, server.signalled, signum)
        await server.serve_forever()

    server.log(f"Kedis {__version__} starting (pid {os.getpid()}, "
               f"{'uvloop' if uvloop else 'asyncio'}, "
               f"{'hiredis' if server.config.use_hiredis is not False and _have_hiredis() else 'Python'} parser)")
    try:
        if uvloop is not None:
            uvloop.run(run())
        else:
            asyncio.run(run())
    except OSError as error:
        print(f"kedis-server: {error}", file=sys.stderr)
        return 1
    server.log("Kedis is now ready to exit, bye bye...")
    return 0


def _have_hiredis() -> bool:
    from .resp import HAVE_HIREDIS

    return HAVE_HIREDIS


if __name__ == "__main__":
    sys.exit(main())
