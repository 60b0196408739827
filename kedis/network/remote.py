"""A real Redis server as a target: send it a command, get back a Kedis ``Reply``.

The kernel's ``%connect redis://host:port/db`` sends cells to a real Redis, and ``%compare`` runs
each command on Kedis and on Redis side by side. Both need Redis's answers as the same typed replies
that Kedis's engine returns (reply.py), so that they are shown the same way and can be compared with
``==``. This module gives them ``RedisTarget``:

    target = RedisTarget("redis://127.0.0.1:6379/0")
    target.execute(b"SET", b"k", b"v")     # Status('OK'), not True
    target.execute(b"INCR", b"k")          # Error('ERR value is not an integer or out of range')
    target.execute(b"GET", b"nothing")     # Null()

The reply is *exactly* what the server sent: ``target.execute(*argv).resp()`` gives back the RESP2
bytes that came over the socket, byte for byte. That is the contract the tests check.

How it is built on redis-py
---------------------------
redis-py does the parts that are not worth rewriting: parsing the URL (``redis://``, ``rediss://``,
``unix://``), opening the socket (TCP, TLS or Unix), the handshake (AUTH, SELECT of the URL's
database), timeouts. But a redis-py *client* (``redis.Redis``) is the wrong layer: its response
callbacks turn ``+OK`` into ``True`` and ``:1`` into ``True`` or ``1`` depending on the command, and
it raises errors instead of returning them. So this module works one layer down, with a redis-py
``Connection``, and gives it a parser of its own (the ``parser_class=`` argument): ``ReplyParser``
reads RESP2 and builds Kedis replies. A command goes out with ``send_packed_command`` (encoded
here, see ``encode_command``) and its reply comes back through ``read_response``.

One difficulty: redis-py's handshake reads its replies through the same parser, and expects plain
Python values (``b"OK"``, or an exception for ``-WRONGPASS``). So the parser speaks redis-py's
language from the start of a connection (``on_connect``) until the handshake is over (redis-py then
calls its *connect callbacks*, and the parser registered one), and Kedis replies afterwards.

What this relies on in redis-py (the tests pass with redis-py 8.1 and 5.0):

- public: ``redis.Connection`` / ``SSLConnection`` / ``UnixDomainSocketConnection`` and their
  ``parser_class``, ``protocol``, ``socket_timeout`` arguments; ``connect``, ``disconnect``,
  ``can_read``, ``send_packed_command``, ``read_response``, ``register_connect_callback`` and the
  ``db`` attribute; ``redis.connection.parse_url``; the exceptions in ``redis.exceptions``.
- private: ``redis._parsers.base._RESPBase``, the base class of redis-py's own pure-Python parsers.
  Its ``on_connect`` wraps the connection's socket in a ``SocketBuffer`` (``self._buffer``), which
  turns socket timeouts and closed sockets into redis-py's exceptions; ``ReplyParser`` reads with
  the buffer's ``readline()``, ``read(n)`` and ``purge()``. Writing that buffer again here would
  mean reaching into the connection's private socket instead, so reusing it is the smaller
  dependence. ``BaseParser.parse_error`` (inherited) turns an error into redis-py's exception
  during the handshake.

Connections that go away
------------------------
Before each command the connection is checked, as redis-py's connection pool does: if the server
closed it (``CLIENT KILL``, ``QUIT``, the server's idle ``timeout``) or sent something nobody asked
for, the connection is closed and a new one is opened, with a fresh handshake. A reconnection is a
new session on the server: a transaction (MULTI), WATCHes, a client name are gone. The database is
kept: after ``SELECT n``, a reconnection selects ``n`` again, not the URL's database.

If the connection fails *during* a command (the server closes it, or does not answer within
``timeout`` seconds), ``execute`` raises ``RemoteError``: the command may or may not have run, so it
is not sent again. The next command opens a new connection. The one exception is a failure that
proves the server never read the command (see ``CommandNotRead``): then it is sent again, once.

Commands that change the conversation itself need no special handling; it helps to know what
becomes of them:

- ``QUIT``: answers ``OK`` and the server closes the connection (the target closes its end at
  once); the next command opens a new one.
- ``RESET``: answers ``RESET``, and the session is as new, database 0 included.
- ``SUBSCRIBE a b``: ``execute`` returns the first confirmation only. What the server sends unasked
  afterwards (the other confirmations, messages) is not shown: the next command finds unread data
  and starts a new connection, which ends the subscription. With nothing unread, the server answers
  the next commands in its subscribed mode (``PING`` gives ``pong`` in an array, ``GET`` an error).
- ``MONITOR``: answers ``OK``; the server then refuses the connection's commands ("Replica can't
  interact with the keyspace") until ``RESET``, and the feed of other clients' commands, unread,
  makes the next command start a new connection.
- Blocking commands (``BLPOP k 0``) and ``CLIENT REPLY OFF``: no reply comes within ``timeout``
  seconds, so ``execute`` raises ``RemoteError`` and closes the connection (which unblocks it).
- ``HELLO 3``: the server switches to RESP3, which Kedis's replies cannot show; ``execute`` raises
  ``RemoteError`` and closes the connection, and the next one speaks RESP2 again.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import redis
from redis._parsers.base import _RESPBase  # private: see the module docstring
from redis.connection import parse_url
from redis.exceptions import AuthenticationError, InvalidResponse, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError  # not Python's built-in one
from redis.exceptions import TimeoutError as RedisTimeoutError  # nor this

from ..engine.reply import NULL, NULL_ARRAY, Array, Bulk, Error, Integer, Null, Reply, Status

__all__ = ["RedisTarget", "RemoteError", "ReplyParser", "CommandNotRead", "encode_command"]


class RemoteError(Exception):
    """The real Redis could not be used: a bad URL, a refused connection, a wrong password, a
    timeout. The message is one line, meant to be shown as it is.

    An error *reply* (``-ERR ...``) is not a RemoteError: it is an ``Error`` reply, returned.
    """


class CommandNotRead(RedisConnectionError):
    """The connection broke before the server read the command: the command did not run.

    Two cases prove it. Sending failed, so the server never had the whole command. Or the
    connection was *reset*: TCP resets a connection (instead of ending it in order) when a program
    closes a socket that still holds data it has not read. A target sends one command and waits
    for its reply, so the unread data was that command. This happens when the server closes the
    connection just after a reply (``CLIENT KILL`` of its own connection) and the next command is
    already on its way. ``RedisTarget.execute`` then sends the command again, on a new connection.

    An orderly end of the connection before the reply proves nothing (the server may have run the
    command and then closed), and is a RemoteError.
    """


def encode_command(argv: tuple[bytes, ...]) -> bytes:
    """A command as a client sends it: a RESP2 array of bulk strings.

    redis-py's own encoder is not used because it splits a command name that contains a space
    (``b"CONFIG GET"`` becomes two arguments), and a target must send exactly what it is given.
    """
    parts = [b"*%d\r\n" % len(argv)]
    for arg in argv:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


def _text(data: bytes) -> str:
    # Status and Error replies hold str. Bytes that are not UTF-8 travel as surrogates, and
    # Reply.resp() encodes them back the same way, so the round trip is exact.
    return data.decode("utf-8", "surrogateescape")


class ReplyParser(_RESPBase):
    """Reads RESP2 replies from a redis-py connection's socket and builds Kedis ``Reply`` objects.

    redis-py creates one per connection (``Connection(parser_class=ReplyParser)``) and calls
    ``on_connect`` each time the connection opens, ``read_response`` for each reply.
    """

    def __init__(self, socket_read_size: int) -> None:
        super().__init__(socket_read_size)
        # True while redis-py runs its handshake, which wants plain Python values.
        self.handshaking = True

    def on_connect(self, connection: Any) -> None:
        super().on_connect(connection)  # wraps the new socket in redis-py's SocketBuffer
        self.handshaking = True
        # redis-py calls the connect callbacks once the handshake has succeeded. It keeps a weak
        # reference to the method, and registers the same method only once, so registering again
        # on every reconnection is harmless.
        connection.register_connect_callback(self._handshake_done)

    def _handshake_done(self, connection: Any) -> None:
        self.handshaking = False

    def read_response(self, disable_decoding: bool = False, **options: Any) -> Any:
        """The next reply: a Kedis ``Reply``, or during the handshake what redis-py expects.

        ``disable_decoding`` and redis-py's other options (a per-read ``timeout``) do not apply:
        replies are never decoded, and the connection's own timeout bounds every read.
        """
        if self._buffer is None:  # the connection was closed under us
            raise RedisConnectionError("Connection closed by server.")
        # If a read fails half-way, redis-py closes the connection, so a partly read reply is
        # never resumed and needs no rewinding.
        try:
            reply = self.read_reply()
        except ConnectionResetError as error:
            raise CommandNotRead(f"connection reset by the server ({error})") from error
        self._buffer.purge()  # forget the bytes read, so the buffer does not grow forever
        return self._as_redis_py_value(reply) if self.handshaking else reply

    def read_reply(self) -> Reply:
        """Read one whole reply, recursively for arrays. The first byte says its type."""
        line = self._buffer.readline()  # one line, without its \r\n
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return Status(_text(rest))
        if kind == b"-":
            return Error(_text(rest))
        if kind == b":":
            return Integer(self._number(line))
        if kind == b"$":
            length = self._number(line)
            if length == -1:
                return NULL
            return Bulk(self._buffer.read(self._length(length, line)))  # read() drops the \r\n
        if kind == b"*":
            count = self._number(line)
            if count == -1:
                return NULL_ARRAY
            return Array([self.read_reply() for _ in range(self._length(count, line))])
        if kind and kind in b"%~>|,#(=_!":
            raise InvalidResponse(
                f"the server answered in RESP3 ({line[:20]!r}), which Kedis's replies do not show")
        raise InvalidResponse(f"not a RESP2 reply: {line[:40]!r}")

    @staticmethod
    def _number(line: bytes) -> int:
        # Strictly digits (int() would also take b" 1", b"+1" or b"1_0", which Redis never sends).
        if re.fullmatch(rb"-?[0-9]+", line[1:]) is None:
            raise InvalidResponse(f"not a RESP2 reply: {line[:40]!r}")
        return int(line[1:])

    @staticmethod
    def _length(length: int, line: bytes) -> int:
        if length < 0:
            raise InvalidResponse(f"not a RESP2 reply: {line[:40]!r}")
        return length

    def _as_redis_py_value(self, reply: Reply) -> Any:
        # What redis-py's own RESP2 parser returns (without decoding): bytes, int, None, lists.
        # An error comes back as redis-py's exception, raised if it concerns the connection
        # (WRONGPASS, NOAUTH, LOADING...), returned otherwise; redis-py's read_response then
        # raises it.
        if isinstance(reply, Error):
            error = self.parse_error(reply.text)
            if isinstance(error, RedisConnectionError):
                raise error
            return error
        if isinstance(reply, Array):
            return [self._as_redis_py_value(item) for item in reply.items]
        if isinstance(reply, Status):
            return reply.text.encode("utf-8", "surrogateescape")
        if isinstance(reply, Null):  # NullArray too
            return None
        return reply.value  # an int or bytes


def _to_bytes(arg: bytes | str | int) -> bytes:
    # As Kedis.execute does, so that %compare can hand both the same arguments.
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, str):
        return arg.encode("utf-8", "surrogateescape")
    if isinstance(arg, int) and not isinstance(arg, bool):
        return b"%d" % arg
    raise TypeError(f"command arguments are bytes, str or int, not {type(arg).__name__}")


# A database in the URL's path: nothing, "/" or "/<number>". redis-py would silently use
# database 0 for "/abc"; a learner who typed it deserves to be told.
_DB_PATH = re.compile(r"/?|/[0-9]+")


class RedisTarget:
    """A real Redis server, reached through redis-py, answering with Kedis's Reply objects."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        """Connect to ``url`` and check the server answers (PING), or raise RemoteError.

        ``url`` is ``redis://[[user]:password@]host[:port][/db]``, ``rediss://...`` (TLS) or
        ``unix:///path/to/socket?db=N``. ``timeout`` (seconds) bounds connecting and every reply.
        """
        self.url = url
        self._shown_url = _without_password(url)
        self._closed = False
        self.version: str | None = None  # the server's, from INFO, once connected
        options = self._options(url, timeout)
        connection_class = options.pop("connection_class", redis.Connection)
        try:
            self._connection = connection_class(**options)
        except (TypeError, ValueError, RedisError) as error:  # an unknown ?option, a bad value
            unknown = re.search(r"unexpected keyword argument '(\w+)'", str(error))
            reason = f"unknown option {unknown.group(1)!r}" if unknown else str(error)
            raise RemoteError(f"bad Redis URL {self._shown_url!r}: {reason}") from None
        self.timeout = self._connection.socket_timeout
        pong = self.execute(b"PING")
        if pong != Status("PONG"):
            self.close()
            raise RemoteError(f"{self._shown_url} answered PING with {pong.cli()}")
        self.version = self._server_version()

    def _options(self, url: str, timeout: float) -> dict[str, Any]:
        try:
            options = parse_url(url)
            path = urlsplit(url).path
        except ValueError as error:  # no scheme, a port that is not a number, ...
            raise RemoteError(f"bad Redis URL {self._shown_url!r}: {error}") from None
        if not url.startswith("unix:") and not _DB_PATH.fullmatch(path):
            raise RemoteError(f"bad Redis URL {self._shown_url!r}: the database must be a number,"
                              f" as in redis://127.0.0.1:6379/0")
        if str(options.get("protocol", 2)) != "2":
            raise RemoteError(f"bad Redis URL {self._shown_url!r}: Kedis's replies are RESP2, "
                              f"remove protocol={options['protocol']}")
        options["protocol"] = 2  # redis-py 8 would ask for RESP3 by default (HELLO 3)
        options["parser_class"] = ReplyParser
        options.setdefault("socket_timeout", timeout)
        options.setdefault("socket_connect_timeout", timeout)
        return options

    def _server_version(self) -> str | None:
        info = self.execute(b"INFO", b"server")  # may be refused, by ACLs or a renamed command
        if isinstance(info, Bulk):
            found = re.search(rb"^redis_version:(\S+)", info.data, re.MULTILINE)
            if found:
                return found.group(1).decode("ascii", "replace")
        return None

    @property
    def db(self) -> int:
        """The session's selected database (followed through SELECT and RESET)."""
        return self._connection.db

    @property
    def description(self) -> str:
        """Where commands go, for the kernel to say: ``redis://127.0.0.1:6379/0 (Redis 7.0.15)``."""
        conn = self._connection
        user = f"{conn.username}@" if conn.username else ""
        if isinstance(conn, redis.UnixDomainSocketConnection):
            where = f"unix://{user}{conn.path}?db={conn.db}"
        else:
            scheme = "rediss" if isinstance(conn, redis.SSLConnection) else "redis"
            host = f"[{conn.host}]" if ":" in conn.host else conn.host  # an IPv6 address
            where = f"{scheme}://{user}{host}:{conn.port}/{conn.db}"
        return f"{where} (Redis {self.version or 'of unknown version'})"

    def execute(self, *argv: bytes | str | int) -> Reply:
        """Send ``argv`` as one command and return the server's reply, exactly as sent.

        Error replies are returned (``Error``), not raised. RemoteError is raised when the server
        cannot be reached or gives no reply within the timeout.
        """
        if self._closed:
            raise RemoteError(f"the connection to {self._shown_url} was closed")
        argv = tuple(_to_bytes(arg) for arg in argv)
        if not argv:
            raise ValueError("execute() needs at least a command name")
        try:
            reply = self._round_trip(argv, last_try=False)
        except CommandNotRead:
            # The command did not run, so sending it again cannot run it twice. Once only: a
            # server that closes every connection this way gets a RemoteError.
            reply = self._round_trip(argv, last_try=True)
        self._follow_session(argv, reply)
        return reply

    def _round_trip(self, argv: tuple[bytes, ...], *, last_try: bool) -> Reply:
        conn = self._connection
        try:
            self._ready()
        except RedisError as error:
            conn.disconnect()
            raise RemoteError(self._explain_connect(error)) from None
        try:
            try:
                # send_packed_command takes a list of byte strings, sent one after the other.
                conn.send_packed_command([encode_command(argv)], check_health=False)
            except RedisConnectionError as error:
                # The kernel did not take the whole command (the connection was already broken),
                # so the server cannot have received all of it.
                raise CommandNotRead(str(error)) from error
            return conn.read_response()
        except RedisError as error:
            conn.disconnect()  # never reuse a connection in an unknown state
            if isinstance(error, CommandNotRead) and not last_try:
                raise
            raise RemoteError(self._explain_command(error)) from None

    def _ready(self) -> None:
        # Open the connection if needed (redis-py does the handshake), then make sure it is fit
        # for a new command, as redis-py's ConnectionPool.get_connection does: data waiting to be
        # read means the server spoke unasked (or closed: reading the end of the stream raises),
        # and a reply read now would belong to an earlier command. Start again on a new one.
        conn = self._connection
        conn.connect()
        try:
            stale = conn.can_read()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            stale = True
        if stale:
            conn.disconnect()
            conn.connect()

    def _follow_session(self, argv: tuple[bytes, ...], reply: Reply) -> None:
        # Keep what a reconnection needs to know about the session. redis-py SELECTs conn.db
        # after each reconnection: keep it the session's database, not the URL's.
        name = argv[0].upper()
        if name == b"SELECT" and len(argv) == 2 and reply == Status("OK"):
            self._connection.db = int(argv[1])
        elif name == b"RESET" and reply == Status("RESET"):
            self._connection.db = 0
        elif name == b"QUIT":
            # The server closes the connection right after its OK. Close our end now, rather than
            # send the next command in the instant before the server's close reaches us.
            self._connection.disconnect()

    def _explain_connect(self, error: RedisError) -> str:
        where = self._shown_url
        if isinstance(error, AuthenticationError):
            return f"authentication to {where} failed: {error}"
        if isinstance(error, RedisTimeoutError):
            return f"no answer from {where} within {self.timeout:g} s ({error})"
        if isinstance(error, InvalidResponse):
            return f"{where} does not answer as Redis does: {error}"
        return f"cannot connect to {where}: {error}"

    def _explain_command(self, error: RedisError) -> str:
        where = self._shown_url
        then = "the connection was closed, and the next command opens a new one"
        if isinstance(error, RedisTimeoutError):
            return f"no reply from {where} within {self.timeout:g} s; {then}"
        if isinstance(error, InvalidResponse):
            return f"unexpected reply from {where}: {error}; {then}"
        return (f"the connection to {where} was lost during the command, which may or may not"
                f" have run ({error}); {then}")

    def close(self) -> None:
        """Close the connection. The target cannot be used afterwards."""
        self._closed = True
        self._connection.disconnect()

    def __enter__(self) -> RedisTarget:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RedisTarget {self.description}>"


def _without_password(url: str) -> str:
    # URLs end up in messages and on screen; the password must not.
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
    except ValueError:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
