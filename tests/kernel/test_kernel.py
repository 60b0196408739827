"""The Kedis kernel as a notebook user meets it: a real kernel, started through jupyter_client.

Each test sends cells to one shared kernel (kernel_client.py) and checks what the front end
receives: the outputs of each cell (their text/plain is what redis-cli would print), whether the
cell failed, the answers to completion, inspection and history requests. Between tests the kernel
gets a fresh engine on the real clock (``%reset``), so each test starts from an empty store.

The protocol itself (message formats, every request type) is checked by test_kernel_protocol.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_client import CellResult, KernelSession, kernel_session
from redis_oracle import require_redis_binaries

from kedis.engine.parser import ParseError, split_args
from kedis.jupyter.completion import help_request

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "transcripts"
HOSTILE_KEY = "<img src=x onerror=alert(1)>"
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def kernel() -> Iterator[KernelSession]:
    with kernel_session("kedis") as session:
        yield session


@pytest.fixture(autouse=True)
def fresh_store(kernel: KernelSession) -> None:
    """Every test starts as a new notebook would: embedded engine, real clock, no trace, empty."""
    result = kernel.run("%connect embedded\n%trace off\n%clock real\n%reset")
    assert result.status == "ok", result.reply


def run_ok(kernel: KernelSession, code: str, **options) -> CellResult:
    result = kernel.run(code, **options)
    assert result.status == "ok", (code, result.reply.get("ename"), result.reply.get("evalue"))
    return result


def wait_for_text(kernel: KernelSession, code: str, expected: str, timeout: float = 5.0) -> None:
    """Run ``code`` until it answers ``expected`` (a condition the kernel reaches by itself)."""
    deadline = time.monotonic() + timeout
    while True:
        text = run_ok(kernel, code).text
        if text == expected:
            return
        assert time.monotonic() < deadline, f"{code!r} still answers {text!r}, not {expected!r}"
        time.sleep(0.02)


# --- the kernel and its spec ------------------------------------------------------------------
def test_kernel_info_describes_the_kedis_language(kernel):
    info = kernel.request("kernel_info")
    assert info["implementation"] == "kedis"
    language = info["language_info"]
    assert language["name"] == "kedis"
    assert language["mimetype"] == "text/x-kedis"
    assert language["file_extension"] == ".kedis"
    assert language["pygments_lexer"] == "kedis"


def test_install_with_prefix_writes_a_spec_that_runs_this_python(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kedis.kernel", "install", "--prefix",
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "kedis"
    assert str(spec_dir) in done.stdout
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [sys.executable, "-m", "kedis.kernel", "-f", "{connection_file}"]
    assert spec["language"] == "kedis"
    assert spec["display_name"] == "Kedis"
    for logo in ("logo-32x32.png", "logo-64x64.png"):
        assert (spec_dir / logo).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), logo


def test_install_for_the_user_goes_to_the_jupyter_data_dir(tmp_path):
    env = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "kedis.kernel", "install", "--user"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    spec = json.loads((tmp_path / "data" / "kernels" / "kedis" / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable


# --- replies, as redis-cli prints them --------------------------------------------------------
def kernel_runnable(line: str) -> bool:
    """Whether a transcript line means the same in a kernel cell as in redis-cli.

    Lines that redis-cli refuses (an unbalanced quote) would fail the whole cell, and comments,
    magics and ``CMD?`` are the kernel's own words."""
    stripped = line.strip()
    if not stripped or stripped.startswith(("#", "%")) or help_request(stripped) is not None:
        return False
    try:
        split_args(line)
    except ParseError:
        return False
    return True


SCRIPT_TRANSCRIPTS = ["strings", "escapes", "replies", "errors", "keys", "expiry"]


@pytest.mark.redis
def test_a_script_prints_exactly_what_redis_cli_prints(kernel, redis, redis_server):
    require_redis_binaries("redis-cli")
    lines = []
    for name in SCRIPT_TRANSCRIPTS:  # each on an empty store, as the transcripts are recorded
        lines += ["SELECT 0", "FLUSHALL"]
        lines += [line for line in (TRANSCRIPTS / f"{name}.redis").read_text().splitlines()
                  if kernel_runnable(line)]
    lines += ["SELECT 0", "FLUSHALL", "MSET a 1 b 2", "MGET a nothing b", "SET n 10", "INCRBY n -25",
              'SET "%not a magic" v', "GET %not", 'ECHO "?"', "COMMAND INFO nosuch get",
              "SELECT 1", "DBSIZE", "SELECT 0", "DBSIZE", "PING"]
    script = "\n".join(lines) + "\n"
    expected = subprocess.run(["redis-cli", "-p", str(redis_server.port), "--no-raw"],
                              input=script.encode(), capture_output=True, timeout=60).stdout
    result = run_ok(kernel, script, timeout=30)
    assert replies_in(result.displays) == len(lines)
    assert (result.text + "\n").encode() == expected


def replies_in(displays: list[dict]) -> int:
    """How many replies some displays hold: one each, or a batch's count (cells.BATCH)."""
    return sum(display["metadata"].get("kedis", {}).get("replies", 1) for display in displays)


def test_a_long_cell_batches_its_replies_to_stay_under_the_servers_rate_limit(kernel):
    from kedis.jupyter.cells import ONE_BY_ONE

    result = run_ok(kernel, "\n".join(f"SET k{i} {i}" for i in range(5000)))
    assert replies_in(result.displays) == 5000
    assert len(result.displays) <= ONE_BY_ONE + 5000 // 100  # far under 1,000 messages a second
    assert result.text == "\n".join(["OK"] * 5000)


def test_each_reply_is_one_display_in_order(kernel):
    result = run_ok(kernel, 'SET greeting "hello world"\nGET greeting\nINCR n\n'
                            "MGET greeting nope\nKEYS nomatch\nGET nope")
    assert [out["msg_type"] for out in result.outputs] == ["display_data"] * 6
    assert result.texts == ["OK", '"hello world"', "(integer) 1", '1) "hello world"\n2) (nil)',
                            "(empty array)", "(nil)"]
    # HTML where it helps: arrays and nil; a plain value is text only.
    assert ["text/html" in out["data"] for out in result.displays] == \
        [False, False, False, True, True, True]


def test_an_error_reply_is_shown_in_red_and_the_cell_goes_on(kernel):
    result = run_ok(kernel, "GET\nSET k v\nNOSUCH a\nGET k")
    assert result.texts == ["(error) ERR wrong number of arguments for 'get' command", "OK",
                            "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' ",
                            '"v"']
    error = result.displays[0]
    assert error["metadata"] == {"kedis": {"error": True}}
    assert "color: #c62828" in error["data"]["text/html"]
    assert result.displays[1]["metadata"] == {}


def test_an_unbalanced_quote_fails_the_cell_before_anything_runs(kernel):
    result = kernel.run('SET k v\nGET "x')
    assert result.status == "error"
    assert result.reply["ename"] == "InvalidArguments"
    assert 'line 2: GET "x' in result.reply["evalue"]
    # One error output, one line long: no Python traceback of the runner.
    assert [out["msg_type"] for out in result.outputs] == ["error"]
    assert result.errors[0]["traceback"] == [f"InvalidArguments: {result.reply['evalue']}"]
    assert run_ok(kernel, "EXISTS k").texts == ["(integer) 0"]


def test_a_quoted_value_may_span_lines(kernel):
    result = run_ok(kernel, 'SET poem "roses\nare red"\nGET poem')
    assert result.texts == ["OK", '"roses\\nare red"']


def test_html_escapes_what_comes_from_the_store(kernel):
    result = run_ok(kernel, f'SET "{HOSTILE_KEY}" 1\nKEYS *\nNOSUCH <script>alert(1)</script>')
    keys, error = result.displays[1]["data"], result.displays[2]["data"]
    assert keys["text/plain"] == f'1) "{HOSTILE_KEY}"'
    assert "&lt;img src=x onerror=alert(1)&gt;" in keys["text/html"]
    assert "<img" not in keys["text/html"]
    assert "&lt;script&gt;" in error["text/html"]
    assert "<script" not in error["text/html"]


def test_help_with_a_question_mark_shows_the_syntax(kernel):
    for line in ("SET?", "?SET", "set?"):
        text = run_ok(kernel, line).text
        assert text.lstrip().startswith("SET key value [NX | XX]"), line
        assert "summary:" in text
    # A key may end with a question mark: that is a command, not help.
    assert run_ok(kernel, "SET what? 1\nGET what?").texts == ["OK", '"1"']


# --- completion and inspection ----------------------------------------------------------------
def test_completion_offers_command_names_in_the_case_typed(kernel):
    reply = kernel.complete("INCRB")
    assert set(reply["matches"]) == {"INCRBY", "INCRBYFLOAT"}
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 5)
    assert set(kernel.complete("incrb")["matches"]) == {"incrby", "incrbyfloat"}


def test_completion_offers_the_options_of_a_command(kernel):
    reply = kernel.complete("SET k v ")
    assert set(reply["matches"]) == {"NX", "XX", "GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"}
    assert reply["cursor_start"] == reply["cursor_end"] == 8
    assert set(kernel.complete("set k v e")["matches"]) == {"ex", "exat"}


def test_completion_offers_existing_keys_where_a_key_goes(kernel):
    run_ok(kernel, 'MSET user:1 a user:2 b other c "my key" d')
    reply = kernel.complete("GET user:")
    assert set(reply["matches"]) == {"user:1", "user:2"}
    assert (reply["cursor_start"], reply["cursor_end"]) == (4, 9)
    assert kernel.complete("GET my")["matches"] == ['"my key"']  # quoted, to be read back
    # The cursor on the second line of a cell: positions count from the cell's start.
    reply = kernel.complete("PING\nDEL oth")
    assert reply["matches"] == ["other"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (9, 12)


def test_completion_does_not_offer_expired_keys(kernel):
    run_ok(kernel, "%clock fake\nSET gone 1 PX 10\nSET going 1 EX 100\n%clock advance 1s")
    assert kernel.complete("GET go")["matches"] == ["going"]


def test_completion_offers_magics_and_their_arguments(kernel):
    assert kernel.complete("%cl")["matches"] == ["%clock"]
    assert set(kernel.complete("%clock ")["matches"]) == {"real", "fake", "advance"}
    assert set(kernel.complete("%%py")["matches"]) == {"%%python"}


def test_completion_in_a_python_cell_is_ipythons(kernel):
    code = "%%python\nimport collections.ab"
    reply = kernel.complete(code)
    assert set(reply["matches"]) == {"collections.abc"}
    assert (reply["cursor_start"], reply["cursor_end"]) == (16, len(code))
    # In a %python line too, with the engine bound to db.
    reply = kernel.complete("%python db.exec")
    assert "execute" in reply["matches"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (11, 15)


def test_inspection_shows_a_commands_help(kernel):
    reply = kernel.inspect("SET k v", cursor_pos=1)
    assert reply["status"] == "ok" and reply["found"]
    assert "SET key value [NX | XX]" in reply["data"]["text/plain"]
    assert kernel.inspect("NOSUCHCOMMAND")["found"] is False


def test_is_complete_waits_while_a_quote_is_open(kernel):
    def status(code: str) -> str:
        return kernel.request("is_complete", code)["status"]

    assert status('SET k "v') == "incomplete"
    assert status('SET k "v\nstill') == "incomplete"
    assert status('# note\nSET k "v') == "incomplete"
    assert status('SET k "v"') == "complete"
    assert status('SET k a"b c"d') == "invalid"
    assert status("%%python\ndef f():") == "incomplete"
    assert status("%%python\nx = 1") == "complete"


# --- magics -----------------------------------------------------------------------------------
def test_lsmagic_lists_every_magic(kernel):
    text = run_ok(kernel, "%lsmagic").text
    for usage in ("%trace on|off", "%clock", "%tick", "%reset", "%connect", "%compare",
                  "%python CODE", "%lsmagic", "%help", "%%python", "CMD?"):
        assert usage in text
    assert run_ok(kernel, "%help").text == text


def test_an_unknown_magic_fails_the_cell_before_anything_runs(kernel):
    result = kernel.run("SET k v\n%nosuch thing")
    assert result.status == "error"
    assert result.reply["ename"] == "UnknownMagic"
    assert "%nosuch" in result.reply["evalue"]
    assert result.errors[0]["traceback"] == [f"UnknownMagic: {result.reply['evalue']}"]
    assert run_ok(kernel, "EXISTS k").texts == ["(integer) 0"]


def test_a_misused_magic_fails_the_cell_with_its_usage(kernel):
    result = kernel.run("PING\n%trace maybe\nPING")
    assert result.status == "error"
    assert result.reply["ename"] == "MagicError"
    assert result.texts == ["PONG"]  # what came before ran; what came after did not
    assert result.errors[0]["traceback"] == ["MagicError: usage: %trace on|off"]


TRACE_LINE = re.compile(r" *\d+ (\S+(?: \S+)?) {2,}(.*)")


def test_trace_on_shows_each_layer_before_the_reply(kernel):
    result = run_ok(kernel, '%clock fake\n%trace on\nSET greeting "hello world" EX 100\n'
                            "%trace off\nGET greeting")
    assert result.texts[1] == "trace is on"
    trace = [TRACE_LINE.match(line) for line in result.texts[2].splitlines()]
    layers = [match[1] for match in trace if match]
    assert layers == ["input", "parser", "command table", "handler", "keyspace", "keyspace",
                      "expiry", "reply"]
    assert 'set "greeting" to expire at 1700000100000 ms (in 100000 ms)' in result.texts[2]
    assert result.texts[3:] == ["OK", "trace is off", '"hello world"']


def test_clock_shows_chooses_and_moves_the_clock(kernel):
    before = time.time()
    texts = run_ok(kernel, "%clock\n%clock fake\nTIME\n%clock advance 1.5m\nTIME\n"
                           "%clock advance 250ms\n%clock fake 86400\n%clock real").texts
    assert texts[0].startswith("real clock: ")
    assert texts[1] == "fake clock: 1700000000.000 (2023-11-14 22:13:20.000 UTC)"
    assert texts[2] == '1) "1700000000"\n2) "0"'
    assert texts[3] == "fake clock: 1700000090.000 (2023-11-14 22:14:50.000 UTC)"
    assert texts[4] == '1) "1700000090"\n2) "0"'
    assert texts[5] == "fake clock: 1700000090.250 (2023-11-14 22:14:50.250 UTC)"
    assert texts[6] == "fake clock: 86400.000 (1970-01-02 00:00:00.000 UTC)"
    assert texts[7].startswith("real clock: ")
    shown = float(texts[7].split()[2])
    assert before - 1 <= shown <= time.time() + 1


def test_the_real_clock_cannot_be_advanced(kernel):
    result = kernel.run("%clock advance 10s")
    assert result.reply["ename"] == "MagicError"
    assert "%clock fake first" in result.reply["evalue"]


def test_active_expiry_runs_in_the_background_on_the_real_clock(kernel):
    run_ok(kernel, "SET short-lived v PX 5\nSET kept v")
    # DBSIZE counts expired keys that nothing has touched: only active expiry lowers it.
    wait_for_text(kernel, "DBSIZE", "(integer) 1")
    tick = run_ok(kernel, "%tick").text
    assert tick.endswith("expired so far: 0 lazily, 1 actively")


def test_on_a_fake_clock_keys_expire_only_on_access_or_tick(kernel):
    run_ok(kernel, "%clock fake\nSET a 1 PX 100\nSET b 1 PX 100\nSET c 1 PX 100\nSET kept 1\n"
                   "%clock advance 1s")
    # Five of the background's periods (hz is 10): it must leave the expired keys alone. (This
    # test waits on purpose: what it checks is that nothing happens.)
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        assert run_ok(kernel, "DBSIZE").text == "(integer) 4"
        time.sleep(0.05)
    result = run_ok(kernel, "GET a\nDBSIZE\n%tick\nDBSIZE")
    assert result.texts[:2] == ["(nil)", "(integer) 3"]  # the access expired a
    assert result.texts[2].startswith("slow cycle: looked at 2 keys") and "expired 2," in result.texts[2]
    assert result.texts[2].endswith("expired so far: 1 lazily, 2 actively")
    assert result.texts[3] == "(integer) 1"


def test_reset_gives_an_empty_engine_and_keeps_the_clock(kernel):
    result = run_ok(kernel, "%clock fake\nSET k v\n%reset\nDBSIZE\n%clock\n"
                            "%python print(db.run('EXISTS k').value)")
    assert result.texts[2:] == ["a fresh, empty engine", "(integer) 0",
                                "fake clock: 1700000000.000 (2023-11-14 22:13:20.000 UTC)"]
    assert result.stdout == "0\n"  # db is the new engine in Python too


def test_python_cells_and_lines_share_the_store_and_the_namespace(kernel):
    run_ok(kernel, 'SET greeting "hello"')
    result = run_ok(kernel, "%%python\ntotal = 41\ndb.run('GET greeting').value")
    assert [(out["msg_type"], out["data"]["text/plain"]) for out in result.outputs] == \
        [("execute_result", "b'hello'")]
    result = run_ok(kernel, "%python _ = db.execute('SET', 'from-python', total + 1)\n"
                            "GET from-python\n%python print(db.run('DBSIZE').value)")
    assert result.texts == ['"42"']
    assert result.stdout == "2\n"
    # What a %python line prints comes before the replies that follow it.
    result = run_ok(kernel, "%python print('first')\nPING")
    assert [out["msg_type"] for out in result.outputs] == ["stream", "display_data"]


def test_an_exception_in_python_fails_the_cell_with_the_users_traceback(kernel):
    result = kernel.run("PING\n%python {}['missing']\nPING")
    assert result.status == "error"
    assert result.reply["ename"] == "KeyError"
    assert result.texts == ["PONG"]
    traceback = ANSI_COLOUR.sub("", "\n".join(result.errors[0]["traceback"]))
    assert "['missing']" in traceback  # the line that raised, read back from its source
    assert "__kedis_run_cell__" not in traceback  # not the plumbing
    assert "cells.py" not in traceback


# --- a real Redis -----------------------------------------------------------------------------
@pytest.mark.redis
def test_connect_sends_commands_to_redis_and_embedded_comes_back(kernel, redis, redis_server):
    url = f"redis://127.0.0.1:{redis_server.port}"
    result = run_ok(kernel, f"%connect {url}\nSET only-in-redis 1\nCOMMAND COUNT")
    assert result.texts[0].startswith(f"commands go to {url}/0 (Redis ")
    assert result.texts[1] == "OK"
    assert redis.call("GET", "only-in-redis") == b"$1\r\n1\r\n"
    assert result.texts[2] == f"(integer) {int(redis.call('COMMAND', 'COUNT')[1:])}"
    result = run_ok(kernel, "%connect embedded\nEXISTS only-in-redis")
    assert result.texts == ["commands go to the embedded Kedis engine", "(integer) 0"]


@pytest.mark.redis
def test_connect_to_nothing_fails_the_cell_and_stays_embedded(kernel):
    from redis_oracle import free_port

    result = kernel.run(f"%connect redis://127.0.0.1:{free_port()}")
    assert result.status == "error"
    assert result.reply["ename"] == "MagicError"
    assert run_ok(kernel, "%connect").texts == ["commands go to the embedded Kedis engine"]


@pytest.mark.redis
def test_compare_shows_where_kedis_and_redis_differ(kernel, redis, redis_server):
    keys = " ".join(f"key{i} {i}" for i in range(20))  # 20 keys: Redis lists them in its own order
    result = run_ok(kernel, f"%compare redis://127.0.0.1:{redis_server.port}\nPING\n"
                            f"COMMAND COUNT\nMSET {keys}\nKEYS key*\n%compare off")
    texts = result.texts
    assert texts[1] == "PONG"
    assert texts[2].startswith("kedis: (integer) ")
    assert "\nredis: (integer) " in texts[2]
    assert texts[2].endswith("(Kedis and Redis answer differently)")
    assert result.displays[2]["metadata"] == {"kedis": {"compare": "different"}}
    assert texts[3] == "OK"
    assert texts[4].endswith("(the same elements, in another order (the order is not defined))")
    assert result.displays[4]["metadata"] == {"kedis": {"compare": "order"}}
    assert texts[5] == ("compared 4 commands: 1 answered differently; commands go to the embedded "
                        "Kedis engine")
    # Both stores got the keys; the following commands go to Kedis only.
    assert redis.call("DBSIZE") == b":20\r\n"
    assert run_ok(kernel, "DBSIZE\nSET after 1").texts == ["(integer) 20", "OK"]
    assert redis.call("EXISTS", "after") == b":0\r\n"


# --- history and interrupts -------------------------------------------------------------------
def test_history_holds_the_kedis_cells_as_typed(kernel):
    cells = ['SET greeting "hello"', "GET greeting\nTTL greeting", "%clock"]
    for cell in cells:
        run_ok(kernel, cell)
    reply = kernel.request("history", hist_access_type="tail", n=3, raw=True, output=False)
    assert [entry[2] for entry in reply["history"]] == cells


def test_interrupting_a_long_cell_stops_between_two_commands(kernel):
    # INCRBYFLOAT, because it is slow (long double arithmetic): the cell runs for seconds, so the
    # stop button lands while it runs, not after (a cell of fast commands would be over before the
    # front end had read its first replies).
    count = 100_000
    msg_id = kernel.kc.execute("INCRBYFLOAT counter 1\n" * count)
    interrupted = []

    def interrupt_once_running(outputs: list) -> None:
        if not interrupted and outputs:
            interrupted.append(len(outputs))
            kernel.km.interrupt_kernel()

    outputs = kernel.collect_outputs(msg_id, time.monotonic() + 60, interrupt_once_running)
    reply = kernel.shell_reply(msg_id)["content"]
    assert interrupted, "the cell ended before it could be interrupted"
    assert reply["status"] == "error"
    assert reply["ename"] == "Interrupted"
    assert outputs[-1]["traceback"] == [
        "KeyboardInterrupt: interrupted between two commands: the store is consistent"]
    # Past the first replies, a display holds a batch of them, one per line.
    replies = "\n".join(out["data"]["text/plain"] for out in outputs
                        if out["msg_type"] == "display_data").split("\n")
    ran = len(replies)
    assert 1 <= ran < count
    assert replies == [f'"{n}"' for n in range(1, ran + 1)]
    # Every command that ran was answered, and none ran after: the counter is their number.
    assert run_ok(kernel, "GET counter").texts == [f'"{ran}"']


def test_interrupting_python_code_stops_it_where_it_is(kernel):
    msg_id = kernel.kc.execute("PING\n%python while True: pass\nPING")

    def interrupt_after_the_first_reply(outputs: list) -> None:
        if len(outputs) == 1:
            time.sleep(0.1)  # let the loop start
            kernel.km.interrupt_kernel()

    outputs = kernel.collect_outputs(msg_id, time.monotonic() + 10,
                                     interrupt_after_the_first_reply)
    reply = kernel.shell_reply(msg_id)["content"]
    assert reply["ename"] == "KeyboardInterrupt"
    assert [out["msg_type"] for out in outputs] == ["display_data", "error"]
    assert run_ok(kernel, "PING").texts == ["PONG"]


# --- random cells -----------------------------------------------------------------------------
# Lines a user (or a cat on the keyboard) might type. The command words avoid those that would
# legitimately change the sentinel (FLUSHALL, SELECT...), as do the magics (%reset, %clock...).
SAFE_COMMANDS = ["GET", "SET", "MSET", "INCR", "INCRBYFLOAT", "APPEND", "GETRANGE", "SETRANGE",
                 "EXPIRE", "TTL", "KEYS", "SCAN", "EXISTS", "TYPE", "ECHO", "PING", "STRLEN",
                 "COMMAND", "CONFIG", "HELP", "TIME", "DBSIZE", "NOSUCH", "get", "Set"]
SAFE_MAGICS = ["%trace on", "%trace off", "%tick", "%lsmagic", "%clock", "%trace", "%nosuch",
               "%clock advance 1s", "%python", "%%python", "SET?", "?GET", "CONFIG GET?"]
ODD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
QUOTY_TEXT = st.text(st.sampled_from(list("ab \"'\\x0{}%?#\t\r\x00é☃")), max_size=20)
ARGUMENT = st.one_of(
    st.from_regex(r"[a-z0-9:]{1,8}", fullmatch=True),
    QUOTY_TEXT,
    ODD_TEXT.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    ODD_TEXT.map(lambda s: "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["x" * 100_000, '"' + "\\x00" * 20_000 + '"', "9" * 5000]),  # huge
)
COMMAND_LINE = st.builds(lambda name, args: " ".join([name, *args]),
                         st.sampled_from(SAFE_COMMANDS), st.lists(ARGUMENT, max_size=5))
LINE = st.one_of(COMMAND_LINE, QUOTY_TEXT, ODD_TEXT, st.sampled_from(SAFE_MAGICS))
CELL = st.builds(lambda lines, newline: newline.join(lines),
                 st.lists(LINE, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n"]))
ALLOWED_FAILURES = {"InvalidArguments", "UnknownMagic", "MagicError"}


def is_safe(cell: str) -> bool:
    """Whether a random cell leaves the sentinel alone and runs no Python."""
    lines = [line.strip() for line in cell.split("\n")]
    if any(line.startswith("%python ") for line in lines):
        return False
    if [line for line in lines if line][:1] == ["%%python"]:
        return False  # a Python cell
    words = {word.lower() for word in re.split(r"\s+", cell)}
    return not words & {"%reset", "flushall", "flushdb", "select", "swapdb", "move", "sentinel",
                        "%connect", "%compare"}


@pytest.mark.timeout(120)
def test_random_cells_never_break_the_kernel_or_the_store(kernel):
    run_ok(kernel, 'SET sentinel "still here"\nSELECT 0')
    failures: dict[str, int] = {}

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(cell=CELL)
    def a_random_cell_is_answered(cell: str) -> None:
        if not is_safe(cell):
            return
        result = kernel.run(cell, timeout=20)
        if result.status == "error":
            # The cell failed as a cell may: a line it cannot read. Never the runner's own bug.
            ename = result.reply["ename"]
            failures[ename] = failures.get(ename, 0) + 1
            assert ename in ALLOWED_FAILURES, (cell, ename, result.reply["evalue"])
        assert result.status in ("ok", "error")

    a_random_cell_is_answered()
    assert kernel.is_alive()
    # RESET first: a random MONITOR or SUBSCRIBE leaves the session in a mode where, as in Redis,
    # it may not read keys until it leaves it. The store itself must be as it was.
    result = run_ok(kernel, "%trace off\nRESET\nGET sentinel\nPING")
    assert result.texts[-2:] == ['"still here"', "PONG"]


# --- other front ends -------------------------------------------------------------------------
def test_load_ext_gives_a_python_kernel_kedis_cells():
    with kernel_session("python3") as python:
        assert python.run("%load_ext kedis").status == "ok"
        result = python.run('%%kedis\nSET greeting "hello world"\nGET greeting\nGET nope')
        assert result.status == "ok"
        assert result.texts == ["OK", '"hello world"', "(nil)"]
        assert "text/html" in result.displays[2]["data"]
        # One store for Python and Kedis cells: the engine is db.
        result = python.run("db.run('GET greeting').value")
        assert result.texts == ["b'hello world'"]
        assert python.run("%kedis INCR n").texts == ["(integer) 1"]
        failed = python.run('%%kedis\nSET k v\nGET "k')
        assert failed.status == "error"
        assert failed.reply["ename"] == "InvalidArguments"
        assert python.run("%kedis EXISTS k").texts == ["(integer) 0"]


def test_jupyter_console_runs_kedis_cells(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    console = Path(sys.executable).with_name("jupyter-console")
    if not console.exists():
        pytest.skip("jupyter-console is not installed")
    env = dict(os.environ, IPYTHONDIR=str(tmp_path), TERM="dumb", JUPYTER_CONFIG_DIR=str(tmp_path))
    child = pexpect.spawn(str(console), ["--kernel", "kedis", "--simple-prompt"],
                          env=env, encoding="utf-8", timeout=20)
    try:
        child.expect(r"In \[1\]: ")
        child.sendline('SET greeting "hello world"')
        child.expect(r"OK\r\n")
        child.expect(r"In \[2\]: ")
        child.sendline("GET greeting")
        child.expect(r'"hello world"\r\n')
        child.expect(r"In \[3\]: ")
        child.sendline("%clock fake")
        child.expect(r"fake clock: 1700000000\.000")
        child.expect(r"In \[4\]: ")
        child.sendeof()  # Ctrl-D: "exit" would be a Kedis command here
        if child.expect([r"exit \(\[y\]/n\)\? ", pexpect.EOF]) == 0:
            child.sendline("y")
            child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_the_kernel_does_not_offer_a_debugger(kernel):
    info = kernel.request("kernel_info")
    assert "debugger" not in info.get("supported_features", [])


def test_connect_works_against_kedis_server_as_against_redis_server(kernel):
    from kedis_server import KedisServerThread

    server = KedisServerThread()
    try:
        url = f"redis://127.0.0.1:{server.port}"
        result = run_ok(kernel, f"%connect {url}\nSET only-in-the-server 1\nSELECT 2\nDBSIZE")
        assert result.texts[0] == f"commands go to {url}/0 (Redis 7.0.15)"
        assert result.texts[1:] == ["OK", "OK", "(integer) 0"]
        assert server.call(lambda: server.engine.databases[0].data) == {b"only-in-the-server": b"1"}
        result = run_ok(kernel, "%connect embedded\nEXISTS only-in-the-server")
        assert result.texts == ["commands go to the embedded Kedis engine", "(integer) 0"]
    finally:
        server.stop()


@pytest.mark.parametrize(("command", "note", "leave"), [
    ("MONITOR", "This session is now a MONITOR client", "RESET"),
    ("SUBSCRIBE news", "This session is now subscribed", "UNSUBSCRIBE"),
])
def test_a_session_that_starts_to_listen_says_so_and_how_to_leave(kernel, command, note, leave):
    # redis-cli would sit and print what it hears; a notebook goes on, under Redis's rules.
    run_ok(kernel, "SET k v")
    texts = run_ok(kernel, command).texts
    assert texts[-1].startswith(note) and leave in texts[-1]
    assert run_ok(kernel, "GET k").texts[0].startswith("(error) ERR ")
    assert run_ok(kernel, f"{leave}\nGET k").texts[-1] == '"v"'
    assert not any("This session" in text for text in run_ok(kernel, "PING").texts)


def test_a_second_monitor_shows_nothing_as_redis_answers_nothing(kernel):
    assert run_ok(kernel, "MONITOR").texts[0] == "OK"
    assert run_ok(kernel, "MONITOR\nPING").texts == ["PONG"]
    run_ok(kernel, "RESET")
