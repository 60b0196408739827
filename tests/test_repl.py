"""The ``kedis`` command, as a user meets it: piped scripts, flags, and a terminal session.

Most tests run the installed ``kedis`` script as a subprocess with a script on stdin. The terminal
tests drive it through a pseudo-terminal with pexpect, so readline, the prompt and Ctrl-C are the
real ones. A few tests drive ``Session`` in-process where only a fake can make the case happen (a
command slow enough to be timed). What redis-cli prints for the same scripts is checked in
test_transcripts.py; this file covers what only a REPL has, and what Kedis adds.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from kedis import FakeClock, Kedis
from kedis.repl import Session

PROMPT = b"kedis> "
LAYER = re.compile(rb"^ *\d+ (input|parser|command table|handler|keyspace|expiry|reply)  ")
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")  # terminal control sequences


def kedis_command() -> list[str]:
    script = Path(sys.executable).with_name("kedis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kedis"]


def kedis(*args: str, stdin: bytes) -> subprocess.CompletedProcess:
    """Run kedis with a script on stdin and stdout a pipe, as ``kedis < script | cat`` does."""
    return subprocess.run([*kedis_command(), *args], input=stdin, capture_output=True,
                          timeout=30)


def out(*args: str, stdin: bytes) -> bytes:
    done = kedis(*args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    return done.stdout


# --- a terminal ---------------------------------------------------------------------------------
@pytest.fixture
def terminal(tmp_path):
    """Start kedis on a pseudo-terminal (HOME in tmp_path, so history goes there)."""
    children = []

    def start(*args: str, prompt: bytes = PROMPT) -> pexpect.spawn:
        command = kedis_command()
        child = pexpect.spawn(command[0], [*command[1:], *args], timeout=10,
                              dimensions=(24, 200),
                              env={"HOME": str(tmp_path), "TERM": "xterm",
                                   "INPUTRC": "/dev/null", "PATH": "/usr/bin:/bin"})
        children.append(child)
        child.expect_exact(prompt)
        return child

    yield start
    for child in children:
        child.close(force=True)


def type_line(child: pexpect.spawn, keys: str | bytes, prompt: bytes = PROMPT) -> bytes:
    """Type keys and Enter; what the terminal shows after the echoed line, up to the next prompt."""
    child.send(keys + ("\r" if isinstance(keys, str) else b"\r"))
    child.expect_exact(prompt)
    shown = ESCAPES.sub(b"", child.before)
    return shown.split(b"\r\n", 1)[1]


def leave(child: pexpect.spawn) -> int:
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


# --- output modes: redis-cli's rule is about stdout -----------------------------------------------
SCRIPT = b"SET k v\nGET k\nGET nokey\nINCR n\nMGET k nokey\n"


def test_output_to_a_pipe_is_raw():
    assert out(stdin=SCRIPT) == b"OK\nv\n\n1\nv\n\n"


def test_no_raw_formats_the_output_even_for_a_pipe():
    assert out("--no-raw", stdin=SCRIPT) == b'OK\n"v"\n(nil)\n(integer) 1\n1) "v"\n2) (nil)\n'


def test_raw_and_no_raw_cannot_be_used_together():
    assert kedis("--raw", "--no-raw", stdin=b"").returncode == 2


def test_a_terminal_gets_formatted_output(terminal):
    child = terminal()
    assert type_line(child, 'SET k "hello world"') == b"OK\r\n"
    assert type_line(child, "GET k") == b'"hello world"\r\n'
    assert type_line(child, "MGET k nokey") == b'1) "hello world"\r\n2) (nil)\r\n'
    assert type_line(child, "INCR n") == b"(integer) 1\r\n"
    assert leave(child) == 0


def test_raw_forces_raw_output_on_a_terminal(terminal):
    child = terminal("--raw")
    type_line(child, "SET k v")
    assert type_line(child, "GET k") == b"v\r\n"
    assert type_line(child, "GET nokey") == b"\r\n"


def test_a_script_piped_into_a_terminal_gets_formatted_output_and_no_prompt():
    # stdin is a pipe (commands are read line by line), stdout is a terminal (formatted output).
    command = " ".join(kedis_command())
    child = pexpect.spawn("/bin/sh", ["-c", f"printf 'SET k v\\nGET k\\n' | {command}"],
                          timeout=10)
    child.expect(pexpect.EOF)
    assert child.before == b'OK\r\n"v"\r\n'


# --- the line -----------------------------------------------------------------------------------
def test_comments_and_blank_lines_are_skipped():
    script = b"# a comment\n   # an indented one, with a quote: don't\n\n \t \nPING\n#PING\n"
    assert out("--no-raw", stdin=script) == b"PONG\n"


def test_a_bad_line_never_loses_the_store():
    script = (b'SET k "kept value"\nSET k "unbalanced\nSET k \'a\'b\nNOSUCHCOMMAND k\nSET k\n'
              b"SET k v XX NX\n0 SET k lost\n-1 SET k lost\n:nosuch\nINCR k\nGET k\nDBSIZE\n")
    assert out("--no-raw", stdin=script).splitlines()[-2:] == [b'"kept value"', b"(integer) 1"]


def test_an_unbalanced_quote_runs_nothing():
    assert out("--no-raw", stdin=b'SET k "v\nEXISTS k\n') == b"Invalid argument(s)\n(integer) 0\n"


@pytest.mark.parametrize("command", [b"quit", b"exit", b"QUIT", b"Exit", b"quit now"])
def test_quit_and_exit_end_the_session(command):
    done = kedis(stdin=b"SET k v\n" + command + b"\nGET k\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"OK\n", b"")


def test_the_end_of_the_input_ends_the_session_and_a_last_line_needs_no_newline():
    assert out(stdin=b"SET k v\nGET k") == b"OK\nv\n"


def test_a_repeat_count_runs_the_command_that_many_times():
    assert out(stdin=b"3 INCR c\nGET c\n") == b"1\n2\n3\n3\n"


@pytest.mark.parametrize("count", [b"0", b"-1", b'""', b"99999999999999999999", b"1" * 5000,
                                   b"-" + b"1" * 5000])
def test_a_repeat_count_must_be_positive(count):
    assert out(stdin=count + b" INCR c\nEXISTS c\n") == (
        b"Invalid redis-cli repeat command option value.\n0\n")


def test_leading_zeros_do_not_make_a_count_too_big():
    assert out(stdin=b"0" * 30 + b"2 INCR c\n") == b"1\n2\n"


def test_a_number_alone_is_a_command_not_a_count():
    assert out(stdin=b"3\n") == b"ERR unknown command '3', with args beginning with: \n\n"


# --- databases ----------------------------------------------------------------------------------
def test_n_selects_the_database():
    script = b"SET k v\nSELECT 0\nGET k\nSELECT 3\nGET k\n"
    assert out("-n", "3", stdin=script) == b"OK\nOK\n\nOK\nv\n"


def test_n_shows_the_database_in_the_prompt(terminal):
    child = terminal("-n", "3", prompt=b"kedis[3]> ")
    assert type_line(child, "SET k v", prompt=b"kedis[3]> ") == b"OK\r\n"
    assert type_line(child, "SELECT 0") == b"OK\r\n"  # back to the plain prompt
    assert type_line(child, "GET k") == b"(nil)\r\n"


def test_n_with_a_missing_database_is_reported_and_the_session_goes_on_in_db_0():
    done = kedis("-n", "99", stdin=b"SET k v\nSELECT 0\nGET k\n")
    assert done.returncode == 0
    assert done.stderr == b"SELECT 99 failed: ERR DB index is out of range\n"
    assert done.stdout == b"OK\nOK\nv\n"


# --- the trace ----------------------------------------------------------------------------------
def layers(lines: list[bytes]) -> list[str]:
    return [LAYER.match(line).group(1).decode() for line in lines if LAYER.match(line)]


def test_trace_shows_each_layer_a_command_goes_through():
    lines = out("--trace", stdin=b"SET greeting hello\nGET greeting\n").splitlines()
    assert layers(lines) == ["input", "parser", "command table", "handler", "keyspace",
                             "reply"] * 2
    assert [line for line in lines if line[:1] != b" "] == [b"OK", b"hello"]
    assert b'created "greeting" = "hello"' in b"\n".join(lines)


def test_trace_shows_the_parser_rejecting_a_line():
    lines = out("--trace", stdin=b'SET k "open\n').splitlines()
    assert layers(lines) == ["input", "parser"]
    assert b"unbalanced quote" in lines[1]
    assert lines[-1] == b"Invalid argument(s)"


def test_trace_shows_lazy_expiry_on_the_fake_clock():
    script = b"SET k v PX 100\n:advance 1\nGET k\n"
    lines = out("--trace", "--fake-clock", stdin=script).splitlines()
    assert "expiry" in layers(lines)


# --- the fake clock -----------------------------------------------------------------------------
def test_advance_on_the_fake_clock_makes_a_key_expire():
    script = (b"SET k v EX 10\nTTL k\n:advance 9.5\nTTL k\n:advance 0.5\nGET k\nTTL k\n"
              b":advance 0.001\nGET k\nTTL k\nEXISTS k\n")
    # At its deadline a key still exists (Redis expires it when now > deadline), 1 ms later not.
    assert out("--fake-clock", stdin=script) == b"OK\n10\nOK\n1\nOK\nv\n0\nOK\n\n-2\n0\n"


def test_the_fake_clock_starts_where_it_is_told():
    assert out("--fake-clock", "1000", stdin=b"TIME\n") == b"1000\n0\n"


def test_advance_needs_the_fake_clock():
    assert out(stdin=b":advance 5\n") == (
        b"(error) ERR :advance needs the fake clock: start kedis with --fake-clock\n")


@pytest.mark.parametrize("line", [b":advance soon", b":advance", b":advance 1 2", b":advance nan"])
def test_advance_takes_one_number_of_seconds(line):
    assert out("--fake-clock", stdin=line + b"\n") == (
        b"(error) ERR :advance takes a number of seconds\n")


# --- what Kedis does on purpose differently from redis-cli -----------------------------------
def test_help_is_a_command_of_the_engine():
    assert b"GET key" in out(stdin=b"HELP GET\n")
    assert out(stdin=b"? GET\n") == out(stdin=b"HELP GET\n")  # redis-cli's other name for help
    assert out(stdin=b"3 HELP GET\n") == out(stdin=b"HELP GET\n")  # as redis-cli: once


def test_keys_lists_every_key_in_some_order():
    lines = out(stdin=b"MSET a 1 b 2 c 3\nKEYS *\n").splitlines()
    assert lines[0] == b"OK" and sorted(lines[1:]) == [b"a", b"b", b"c"]


# --- in-process: what needs a fake --------------------------------------------------------------
def session(raw: bool = False) -> tuple[Session, io.BytesIO, io.BytesIO]:
    stdout, stderr = io.BytesIO(), io.BytesIO()
    return Session(Kedis(clock=FakeClock()), stdout, raw, False, err=stderr), stdout, stderr


@pytest.mark.parametrize(("raw", "seconds", "shown"), [
    (False, 0.754, b"PONG\n(0.75s)\n"), (False, 0.499, b"PONG\n"), (True, 3.0, b"PONG\n")])
def test_a_slow_command_is_followed_by_its_duration_in_formatted_output(raw, seconds, shown):
    repl, stdout, _ = session(raw)
    repl.timer = iter([100.0, 100.0 + seconds]).__next__
    repl.handle("PING")
    assert stdout.getvalue() == shown


def test_quit_sent_as_a_command_closes_the_connection_and_the_next_command_fails():
    repl, stdout, stderr = session(raw=True)
    for line in ("SELECT 2", "SET k v", "2 QUIT"):
        repl.handle(line)
    assert stdout.getvalue() == b"OK\nOK\nOK\n"
    assert stderr.getvalue() == b"Error: Server closed the connection\n"
    assert repl.prompt() == "not connected> "
    repl.handle("GET k")  # a new connection, on database 0
    assert repl.prompt() == "kedis> "
    assert stdout.getvalue().endswith(b"OK\n\n")
    repl.handle("SELECT 2")
    repl.handle("GET k")  # the store was never touched
    assert stdout.getvalue().endswith(b"OK\nv\n")


def test_ctrl_c_during_a_repeat_stops_it_after_the_running_command():
    repl, stdout, _ = session(raw=True)
    execute = repl.engine.execute
    calls = []

    def execute_then_press_ctrl_c(*argv, **options):
        calls.append(argv)
        if len(calls) == 2:
            repl.interrupted = True  # what the SIGINT handler does while a command runs
        return execute(*argv, **options)

    repl.engine.execute = execute_then_press_ctrl_c
    repl.handle("10 INCR c")
    assert stdout.getvalue() == b"1\n2\n"


# --- the terminal -------------------------------------------------------------------------------
def test_the_up_arrow_recalls_the_previous_line(terminal):
    child = terminal()
    assert type_line(child, "INCR c") == b"(integer) 1\r\n"
    assert type_line(child, "\x1b[A") == b"(integer) 2\r\n"


def test_history_is_kept_between_sessions(terminal, tmp_path):
    child = terminal()
    type_line(child, "SET remembered 1")
    assert leave(child) == 0
    assert (tmp_path / ".kedis_history").read_text().splitlines()[-1] == "SET remembered 1"
    child = terminal()
    child.send("\x1b[A")
    child.expect_exact("SET remembered 1")


def test_the_line_can_be_edited(terminal):
    child = terminal()
    type_line(child, "SET k v")
    assert type_line(child, "ET k\x01G") == b'"v"\r\n'  # Ctrl-A: to the start of the line
    assert type_line(child, "GET kx\x7f") == b'"v"\r\n'  # Backspace


def test_tab_completes_a_command_name(terminal):
    child = terminal()
    assert type_line(child, "ECH\tcompleted") == b'"completed"\r\n'


def test_ctrl_c_at_the_prompt_drops_the_line_and_keeps_the_store(terminal):
    child = terminal()
    type_line(child, "SET k kept")
    child.send("SET k lost")
    child.expect_exact("lost")
    child.sendintr()
    child.expect_exact(PROMPT)
    assert type_line(child, "GET k") == b'"kept"\r\n'
    assert child.isalive()
    assert leave(child) == 0


def test_ctrl_c_during_a_long_repeat_stops_it_and_keeps_the_store(terminal):
    child = terminal("--raw")
    child.send("1000000 INCR c\r")
    child.expect_exact(b"\r\n2000\r\n")
    child.sendintr()
    child.expect_exact(b"(interrupted: the command ran to its end first)\r\n")
    child.expect_exact(PROMPT)
    count = int(type_line(child, "GET c"))
    assert 2000 <= count < 1000000
    assert type_line(child, "INCR c") == b"%d\r\n" % (count + 1)
    assert leave(child) == 0


def test_ctrl_d_leaves(terminal):
    child = terminal()
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    assert child.before == b"\r\n"  # the prompt's line is ended, as linenoise does
    child.close()
    assert child.exitstatus == 0


# --- a command on the command line, as in "redis-cli PING" --------------------------------------
@pytest.mark.parametrize("args, expected", [
    (["PING"], b"PONG\n"),
    (["GET", "missing"], b"\n"),
    (["--no-raw", "GET", "missing"], b"(nil)\n"),
    (["SET", "k", "a b"], b"OK\n"),
    (["NOSUCH"], b"ERR unknown command 'NOSUCH', with args beginning with: \n\n"),
    (["--no-raw", "ECHO", "-1"], b'"-1"\n'),
])
def test_a_command_on_the_command_line_runs_once_as_in_redis_cli(args, expected):
    assert out(*args, stdin=b"PING\n") == expected  # stdin is not read


def test_a_command_on_the_command_line_can_be_traced():
    lines = out("--trace", "ECHO", "hi", stdin=b"").splitlines()
    assert lines[-1] == b"hi"
    assert [LAYER.match(line).group(1) for line in lines[:-1]] == [
        b"input", b"parser", b"command table", b"handler", b"reply"]


def test_each_line_ends_with_a_fast_cycle_when_one_is_due():
    repl, _, _ = session(raw=True)
    engine = repl.engine
    repl.handle("CONFIG SET hz 500")  # the slow cycle's limit: 500 keys on the fake clock
    for i in range(3000):
        engine.execute("SET", f"k{i}", "v", "PX", "10")
    engine.clock.advance(1)
    assert engine.tick().time_cap_reached  # (the background thread's, run by hand here)
    repl.handle("PING")
    assert engine.last_cycle.kind == "fast"


def test_leaving_the_repl_says_when_the_final_save_failed(tmp_path, capsys):
    from kedis.repl import _shut_down

    engine = Kedis(config={"dir": str(tmp_path), "save": "3600 1"})
    engine.execute("SET", "k", "v")
    (tmp_path / "dump.rdb").mkdir()  # the dump cannot be renamed into place
    assert _shut_down(engine) == 1
    assert "the final save failed" in capsys.readouterr().err
