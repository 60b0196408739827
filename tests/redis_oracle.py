"""The oracle: a real redis-server, started by the tests on a free loopback port.

``RedisServer`` starts Debian's redis-server with no persistence and stops it at the end. ``RawClient``
speaks RESP2 over a socket and answers each command with the *raw reply bytes*, so tests can compare
Kedis's ``reply.resp()`` with Redis byte for byte, error strings included.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_redis_binaries(*names: str) -> None:
    """Skip (or, under ``make test``, fail) when the Redis binaries are not installed."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (make test installs them with apt-get)"
        if os.environ.get("KEDIS_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)


def encode_command(args: list[bytes]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


class RawClient:
    """A minimal RESP2 client that returns each reply as the exact bytes the server sent."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buffer = b""

    def call(self, *args: bytes | str | int) -> bytes:
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.sock.sendall(encode_command(argv))
        return self._read_reply()

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("redis-server closed the connection")
        self.buffer += chunk

    def _line(self, start: int) -> int:
        while True:
            end = self.buffer.find(b"\r\n", start)
            if end >= 0:
                return end
            self._fill()

    def _frame_end(self, start: int) -> int:
        end = self._line(start)
        kind = self.buffer[start:start + 1]
        if kind in (b"+", b"-", b":"):
            return end + 2
        count = int(self.buffer[start + 1:end])
        if kind == b"$":
            if count < 0:
                return end + 2
            while len(self.buffer) < end + 2 + count + 2:
                self._fill()
            return end + 2 + count + 2
        if kind == b"*":
            position = end + 2
            for _ in range(max(count, 0)):
                position = self._frame_end(position)
            return position
        raise ValueError(f"unexpected RESP data: {self.buffer[start:start + 40]!r}")

    def _read_reply(self) -> bytes:
        end = self._frame_end(0)
        reply, self.buffer = self.buffer[:end], self.buffer[end:]
        return reply

    def close(self) -> None:
        self.sock.close()


class RedisServer:
    """A private redis-server process: no persistence, DEBUG allowed, on a free port.

    ``dir`` makes it work in that folder (loading the dump or AOF it finds there, which the
    persistence tests put there) instead of a fresh one; ``options`` are more ``--name value``
    arguments, which come after the defaults and so win over them (``["--save", "60 1"]``).
    """

    def __init__(self, dir: str | None = None, options: list[str] | tuple[str, ...] = (),
                 timeout: float = 10) -> None:
        require_redis_binaries("redis-server")
        self.own_dir = dir is None
        self.dir = tempfile.mkdtemp(prefix="kedis-redis-") if dir is None else dir
        self.port = free_port()
        self.log = os.path.join(self.dir, "redis.log")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--enable-debug-command", "yes",
             "--daemonize", "no", "--loglevel", "notice" if dir else "warning",
             "--logfile", self.log if dir else "", *options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client = RawClient(self.port)
                answer = client.call("PING")  # -LOADING while it reads its files
                client.close()
                if answer == b"+PONG\r\n":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def client(self) -> RawClient:
        return RawClient(self.port)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
