"""MONITOR: every command the server runs, as it runs, sent to the clients that asked.

A client that sends MONITOR stops being an ordinary client: from then on the server sends it one
line per command run by anyone (Redis's ``replicationFeedMonitors`` in replication.c):

    +1700000000.123456 [0 127.0.0.1:50412] "SET" "greeting" "hello"

the time, the database and the address of the client that sent it, then the arguments quoted as
redis-cli quotes them. Passwords are shown as "(redacted)", and admin commands (CONFIG, CLIENT
LIST...) not at all, as in Redis. A command is reported after it has run (so ``SELECT 1`` shows
database 1), refused commands (unknown, wrong arity) never.

Kedis adds ``MONITOR.TRACE`` (a command of its own, so that MONITOR stays exactly Redis's): each
line is followed by the command's journey through the layers (the steps the kernel's %trace
shows), as more status lines, each starting with a tab. Commands then run traced, which costs
time, but only while such a monitor is connected.
``kedis monitor`` (kedis/monitor_cli.py) is the client that shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.command_table import command
from ..engine.parser import repr_bytes
from ..engine.reply import NO_REPLY, OK, Reply

if TYPE_CHECKING:
    from ..engine.client import Client
    from ..engine.command_table import Command
    from ..engine.dispatcher import Kedis

__all__ = ["feed_monitors", "monitor_line", "start_monitor", "stop_monitor", "shown_args"]


#: The parameters whose values CONFIG SET hides from MONITOR and SLOWLOG (SENSITIVE_CONFIG).
SENSITIVE_PARAMETERS = frozenset((b"requirepass", b"masterauth"))


def shown_args(cmd: Command, argv) -> list[bytes]:
    """A command's arguments as MONITOR and SLOWLOG show them: Redis redacts secrets before
    anyone sees them (redactClientCommandArgument): AUTH's, HELLO ... AUTH's, and the values
    CONFIG SET gives to the password parameters."""
    if cmd.name == "auth":
        return [argv[0]] + [b"(redacted)"] * (len(argv) - 1)
    shown = list(argv)
    if cmd.name == "hello":
        for i in range(2, len(argv) - 2):
            if argv[i].lower() == b"auth":
                shown[i + 1] = shown[i + 2] = b"(redacted)"
    elif cmd.name == "config|set":
        for i in range(2, len(argv) - 1, 2):
            if argv[i].lower() in SENSITIVE_PARAMETERS:
                shown[i + 1] = b"(redacted)"
    return shown


def monitor_line(time: float, db: int, peer: str, cmd: Command, argv) -> str:
    """One command as MONITOR reports it, without the ``+`` and the final CRLF."""
    micros = round(time * 1_000_000)
    args = " ".join(repr_bytes(a) for a in shown_args(cmd, argv))
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d} [{db} {peer}] {args}"


def feed_monitors(server: Kedis, client: Client, cmd: Command, argv) -> None:
    """Send a command that just ran to every monitor (called by the dispatcher)."""
    if "admin" in cmd.flags or "skip_monitor" in cmd.flags:
        return
    line = monitor_line(server.clock.time(), client.db.id, client.addr or "embedded", cmd, argv)
    data = b"+" + line.encode("utf-8", "surrogateescape") + b"\r\n"
    traced = None
    for monitor in list(server.monitors):
        if monitor.connection is None:
            continue
        # (as a reply: a monitor that turned its replies off gets none of these either)
        if monitor.monitor == 2:
            if traced is None:
                traced = data + _trace_lines(server)
            monitor.connection.push(traced, as_reply=True)
        else:
            monitor.connection.push(data, as_reply=True)


def _trace_lines(server: Kedis) -> bytes:
    # While a MONITOR TRACE client is connected, every command runs traced (see start_monitor),
    # so the steps recorded so far are in the engine's tracer: all but the reply's.
    tracer = server.hooks.tracer
    if tracer is None:
        return b""
    from ..engine.trace import as_steps, format_trace

    text = format_trace(as_steps(list(tracer.steps)))
    return b"".join(b"+\t" + line.encode("utf-8", "replace") + b"\r\n"
                    for line in text.splitlines())


def _keep_tracing(event) -> None:
    """A watcher that asks for every command's trace (watch.py), for MONITOR TRACE."""


def start_monitor(client: Client, trace: bool) -> None:
    server = client.server
    stop_monitor(client)
    server.monitors.append(client)
    client.monitor = 2 if trace else 1
    client.update_gate()  # from now on, the dispatcher refuses it the keyspace
    if trace:
        server.watch(_keep_tracing, trace=True)


def stop_monitor(client: Client) -> None:
    """The client leaves MONITOR mode (RESET, or its connection closed)."""
    server = client.server
    if client in server.monitors:
        server.monitors.remove(client)
    if client.monitor == 2:
        server.unwatch(_keep_tracing, trace=True)
    client.monitor = 0
    client.update_gate()


@command("monitor", arity=1, flags="admin noscript loading stale", group="server",
         since="1.0.0", complexity="O(1)",
         summary="Turns the connection into a feed of every command the server runs.")
def monitor(client, argv: list[bytes]) -> Reply:
    """MONITOR

    Teaches: the server is one loop running one command at a time, from every client in turn:
    the feed shows them interleaved, in the order they really ran. A client that already
    monitors gets no reply at all, as from Redis.
    """
    if client.monitor:
        return NO_REPLY
    start_monitor(client, trace=False)
    return OK


@command("monitor.trace", arity=1, flags="admin noscript loading stale", group="server",
         since="kedis", complexity="O(1)",
         summary="MONITOR, with each command's steps through the layers after its line "
                 "(Kedis only).")
def monitor_trace(client, argv: list[bytes]) -> Reply:
    """MONITOR.TRACE

    Teaches: what each command of every client does inside the server, layer by layer, live.
    """
    start_monitor(client, trace=True)
    return OK
