"""Transcripts: scripts of commands whose output must be redis-cli's, byte for byte.

Each ``tests/transcripts/NAME.redis`` is a script, one command a line, as a user would pipe it in::

    kedis --no-raw < tests/transcripts/strings.redis     # formatted output, as on a terminal
    kedis < tests/transcripts/strings.redis | cat        # raw output, as in a pipe

For every script and both output modes, the tests run ``kedis`` as a user does (a subprocess, the
script on its stdin) and compare what it prints with:

- ``redis-cli`` itself, run the same way against a fresh redis-server (stdout and stderr);
- the recording of redis-cli's stdout checked in beside the script, ``NAME.no-raw.out`` and
  ``NAME.raw.out``, so that the transcripts still check Kedis on a machine without Redis;
- and the recordings are checked against a live redis-cli, so that they cannot go stale.

To record them again (after editing or adding a script), with redis-server and redis-cli installed::

    KEDIS_RECORD_TRANSCRIPTS=1 .venv/bin/python -m pytest tests/test_transcripts.py

Scripts hold only what Kedis means to do exactly as Redis: no comments (Kedis skips them, redis-cli
sends them), no HELP, no KEYS or SCAN over several keys (their order is the hash table's), no TTL
read in milliseconds while the clock runs, and no sleeping.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from redis_oracle import RedisServer, require_redis_binaries

TRANSCRIPTS = Path(__file__).parent / "transcripts"
SCRIPTS = sorted(TRANSCRIPTS.glob("*.redis"))
MODES = {"no-raw": ["--no-raw"], "raw": []}  # raw: no flag, stdout is a pipe
RECORD = os.environ.get("KEDIS_RECORD_TRANSCRIPTS") == "1"
CASES = [pytest.param(script, mode, id=f"{script.stem}-{mode}") for script in SCRIPTS
         for mode in MODES]


class Output(NamedTuple):
    stdout: bytes
    stderr: bytes


def kedis_command() -> list[str]:
    """The installed ``kedis`` console script beside this Python, else ``python -m kedis``."""
    script = Path(sys.executable).with_name("kedis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kedis"]


def recording(script: Path, mode: str) -> Path:
    return script.with_suffix(f".{mode}.out")


@functools.cache
def run_kedis(script: Path, mode: str) -> Output:
    done = subprocess.run([*kedis_command(), *MODES[mode]], input=script.read_bytes(),
                          capture_output=True, timeout=60, check=True)
    return Output(done.stdout, done.stderr)


_redis_cli_runs: dict[tuple[Path, str], Output] = {}


def run_redis_cli(server: RedisServer, script: Path, mode: str) -> Output:
    """redis-cli on the script, against an empty server (cached: one run per script and mode)."""
    if (script, mode) not in _redis_cli_runs:
        require_redis_binaries("redis-cli")
        client = server.client()
        client.call("FLUSHALL")
        client.close()
        done = subprocess.run(["redis-cli", "-p", str(server.port), *MODES[mode]],
                              input=script.read_bytes(), capture_output=True, timeout=60)
        _redis_cli_runs[script, mode] = Output(done.stdout, done.stderr)
    return _redis_cli_runs[script, mode]


def assert_same_bytes(actual: bytes, expected: bytes, what: str) -> None:
    """Byte-for-byte equality, with a readable line diff when it fails."""
    if actual == expected:
        return
    lines = difflib.unified_diff(
        expected.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        actual.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        fromfile=f"{what}: expected", tofile=f"{what}: kedis", n=2)
    pytest.fail("".join(repr(line)[1:-1] + "\n" for line in lines) or f"{what}: {actual!r}")


@pytest.mark.redis
@pytest.mark.parametrize(("script", "mode"), CASES)
def test_kedis_prints_what_redis_cli_prints(redis_server, script, mode):
    expected = run_redis_cli(redis_server, script, mode)
    actual = run_kedis(script, mode)
    assert_same_bytes(actual.stdout, expected.stdout, f"{script.name} stdout ({mode})")
    # After "2 QUIT", the command redis-cli sends on the closed link fails with one of two messages,
    # depending on whether the server's reset arrived first: a race, so both count as one.
    stderr = expected.stderr.replace(b"Error: Connection reset by peer\n",
                                     b"Error: Server closed the connection\n")
    assert_same_bytes(actual.stderr, stderr, f"{script.name} stderr ({mode})")


@pytest.mark.parametrize(("script", "mode"), CASES)
def test_kedis_prints_the_recorded_transcript(request, script, mode):
    path = recording(script, mode)
    if RECORD:
        server = request.getfixturevalue("redis_server")
        path.write_bytes(run_redis_cli(server, script, mode).stdout)
    assert path.exists(), f"{path.name} is missing: record it with KEDIS_RECORD_TRANSCRIPTS=1"
    assert_same_bytes(run_kedis(script, mode).stdout, path.read_bytes(), path.name)


@pytest.mark.redis
@pytest.mark.parametrize(("script", "mode"), CASES)
def test_the_recording_is_what_redis_cli_prints_today(redis_server, script, mode):
    path = recording(script, mode)
    assert path.exists(), f"{path.name} is missing: record it with KEDIS_RECORD_TRANSCRIPTS=1"
    assert_same_bytes(run_redis_cli(redis_server, script, mode).stdout, path.read_bytes(),
                      f"{path.name} (re-record with KEDIS_RECORD_TRANSCRIPTS=1)")


def test_every_recording_belongs_to_a_script():
    expected = {recording(script, mode).name for script in SCRIPTS for mode in MODES}
    present = {path.name for path in TRANSCRIPTS.glob("*.out")}
    assert present == expected


def test_the_two_modes_differ_where_redis_cli_says():
    # A guard on the harness itself: both modes really ran, and the formatted one quotes values.
    script = TRANSCRIPTS / "strings.redis"
    assert b'"hello world"\n' in run_kedis(script, "no-raw").stdout
    assert b"\nhello world\n" in run_kedis(script, "raw").stdout


@pytest.mark.redis
@pytest.mark.parametrize("mode", MODES)
def test_keys_over_several_keys_match_redis_cli_in_any_order(redis_server, tmp_path, mode):
    # KEYS and SCAN list keys in hash-table order, which Kedis does not copy: compare as sets.
    script = tmp_path / "keys.redis"
    script.write_bytes(b'MSET a 1 b 2 "c d" 3 "\\x00" 4\nKEYS *\nSCAN 0 COUNT 100\n')
    kedis_lines = run_kedis(script, mode).stdout.splitlines()
    redis_lines = run_redis_cli(redis_server, script, mode).stdout.splitlines()

    def by_reply(lines: list[bytes]) -> tuple:
        # OK, then KEYS's four keys, then SCAN's cursor and its four keys; without the numbers
        # ("1) ", "2) 1) ") that the formatted output puts in front of each element.
        values = [re.sub(rb"^(?: *\d+\) )+", b"", line) for line in lines]
        return values[0], sorted(values[1:5]), values[5], sorted(values[6:])

    assert len(kedis_lines) == len(redis_lines) == 10
    assert by_reply(kedis_lines) == by_reply(redis_lines)
