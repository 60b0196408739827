"""What a store holds, read the same way from Kedis and from a real Redis, and servers run as
processes: the helpers the persistence tests share with the other families' (bitops, the AOF).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import subprocess
import sys
import time

import pytest
from compare import parse_resp
from redis_oracle import RedisServer, free_port, require_redis_binaries

import kedis

START = 1_700_000_000.0  # the fake clock's start (as in conftest.py)


def contents(db: kedis.Kedis) -> dict:
    """Every database's keys, values (sets as Python sets) and deadlines."""
    found = {}
    for database in db.databases:
        for key, value in database.data.items():
            # (a bytearray is a string in its bitmap form: keyspace.py)
            value = bytes(value) if isinstance(value, (bytes, bytearray)) else set(value)
            found[(database.id, key)] = (value, database.expires.get(key))
    return found



def _redis_contents(client) -> dict:
    """Every key of a real Redis, read back as contents() reads Kedis."""
    found = {}
    for index in range(16):
        client.call("SELECT", index)
        for key in parse_resp(client.call("KEYS", "*")):
            kind = parse_resp(client.call("TYPE", key))
            if kind == "string":
                value = parse_resp(client.call("GET", key))
            else:
                value = set(parse_resp(client.call("SMEMBERS", key)))
            deadline = parse_resp(client.call("PEXPIRETIME", key))
            found[(index, key)] = (value, deadline if deadline > 0 else None)
    return found



def redis_contents_of(folder, options: list[str] | tuple = ()) -> dict:
    """What a redis-server started on ``folder`` holds (contents() of what it loaded)."""
    server = RedisServer(dir=str(folder), options=options)
    try:
        client = server.client()
        found = _redis_contents(client)
        client.close()
    finally:
        server.stop()
    return found



# --- a disk that fills up ---------------------------------------------------------------------------
class SmallDisk:
    """A 1 MB tmpfs mounted for one test: ``fill()`` takes every free byte (a file of zeros),
    ``free()`` gives them back. A write of more than a page (4 KB) then fails for sure: the
    last page of a file may have room for a few bytes, never for a page more."""

    def __init__(self, path) -> None:
        self.path = path
        self.filler = path / "filler"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            while True:
                os.write(fd, bytes(4096))
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
        finally:
            os.close(fd)

    def free(self) -> None:
        os.unlink(self.filler)


@contextlib.contextmanager
def mounted_small_disk(tmp_path):
    """A SmallDisk, unmounted at the end; skipped where a tmpfs cannot be mounted (not root, a
    container without the right)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {result.stderr.strip()}")
    try:
        yield SmallDisk(mount)
    finally:
        # Lazily: a file still open (an engine a failed test did not close) must not make the
        # unmount fail; the kernel lets go of it when the file is closed.
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)



class ServerProcess:
    """kedis-server or redis-server in a process of its own, on ``folder``: the same scenario
    runs against both, and the test can see the process end (an exit status)."""

    def __init__(self, kind: str, folder, log, *options: str) -> None:
        self.port = free_port()
        if kind == "redis":
            require_redis_binaries("redis-server")
            argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                    "--daemonize", "no", "--logfile", str(log)]
        else:
            argv = [sys.executable, "-m", "kedis.network.server", "--port", str(self.port)]
        self.log = log
        with open(log, "ab") as output:  # (not on the small disk: the log must not fill it)
            self.process = subprocess.Popen([*argv, "--dir", str(folder), *options],
                                            stdout=output, stderr=output)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                if self.call(b"PING") == b"+PONG\r\n":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{kind} did not start: {log.read_text()}")
            time.sleep(0.02)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def call(self, *argv: bytes, sock: socket.socket | None = None) -> bytes:
        """Send one command, answer what comes back: the whole reply (these are short, or one
        big bulk string read to its end), or b"" when the server closed the connection."""
        sock = sock or self.sock
        sock.sendall(b"*%d\r\n" % len(argv)
                     + b"".join(b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in argv))
        data = b""
        while not _complete(data):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return data
            data += chunk
        return data

    def info(self, field: str) -> str:
        text = self.call(b"INFO", b"persistence").decode()
        return text.split(field + ":", 1)[1].split("\r\n", 1)[0]

    def wait_bgsave(self) -> None:
        deadline = time.monotonic() + 20
        while self.info("rdb_bgsave_in_progress") != "0":
            assert time.monotonic() < deadline, "the BGSAVE never ended"
            time.sleep(0.01)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()



def _complete(data: bytes) -> bool:
    return _frame_end(data, 0) == len(data)



def _frame_end(data: bytes, start: int) -> int | None:
    # Where the RESP2 reply that starts at ``start`` ends, or None if it is not all there.
    line = data.find(b"\r\n", start)
    if line < 0:
        return None
    if data[start:start + 1] in (b"+", b"-", b":"):
        return line + 2
    count = int(data[start + 1:line])
    if data[start:start + 1] == b"$":
        end = line + 2 + max(count, -2) + 2
        return end if len(data) >= end else None
    position: int | None = line + 2
    for _ in range(max(count, 0)):
        position = _frame_end(data, position)
        if position is None:
            return None
    return position
