"""Persistence where it shows: the REPL and the Jupyter kernel take ``--dir`` (and redis-server's
other persistence options), load the store from it at start, and save it at the end."""

from __future__ import annotations

import subprocess
import sys

import pytest
from kernel_client import KernelSession


def kedis_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kedis", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_the_repl_with_dir_saves_at_the_end_and_loads_at_start(tmp_path):
    result = kedis_cli("--dir", str(tmp_path), stdin="SET greeting hello\nSADD s a b\n")
    assert result.stdout == "OK\n2\n"
    assert (tmp_path / "dump.rdb").exists()  # Redis's default save rules: a save at the end
    again = kedis_cli("--dir", str(tmp_path), "GET", "greeting")
    assert again.stdout == "hello\n"
    assert "DB loaded from disk" in again.stderr


def test_the_repl_with_appendonly_replays_the_aof(tmp_path):
    kedis_cli("--dir", str(tmp_path), "--appendonly", "yes", "--save", "",
              stdin="INCR n\nINCR n\n")
    assert not (tmp_path / "dump.rdb").exists()
    assert kedis_cli("--dir", str(tmp_path), "--appendonly", "yes", "GET", "n").stdout == "2\n"


def test_the_repl_refuses_to_start_on_a_damaged_dump(tmp_path):
    (tmp_path / "dump.rdb").write_bytes(b"REDIS0010\xfe")
    result = kedis_cli("--dir", str(tmp_path), "DBSIZE")
    assert result.returncode == 1
    assert result.stderr.startswith("kedis: cannot start: dump.rdb: the file ends")


def test_the_kernel_with_dir_loads_at_start_and_saves_at_shutdown(tmp_path):
    try:
        session = KernelSession(arguments=["--dir", str(tmp_path)])
    except RuntimeError as error:
        pytest.skip(str(error))
    try:
        assert session.run("SET greeting hello").status == "ok"
    finally:
        session.close(now=False)  # a shutdown_request: the kernel saves, as redis-server would
    assert (tmp_path / "dump.rdb").exists()
    session = KernelSession(arguments=["--dir", str(tmp_path)])
    try:
        assert session.run("GET greeting").texts == ['"hello"']
        assert session.run("CONFIG GET dir").texts == [f'1) "dir"\n2) "{tmp_path}"']
    finally:
        session.close()
