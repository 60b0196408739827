"""The cell runner without a kernel: what a Kedis cell shows, line by line (cells.py, magics.py)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import kedis
from kedis.jupyter.cells import CellRunner, read_cell
from kedis.jupyter.errors import InvalidArguments, MagicError, UnknownMagic
from kedis.jupyter.html import reply_html
from kedis.jupyter.magics import MAGICS, parse_duration


class Outputs(list):
    """Collects what the runner displays: (text/plain, text/html or None, metadata)."""

    def __call__(self, data: dict, metadata: dict) -> None:
        self.append((data["text/plain"], data.get("text/html"), metadata))

    @property
    def texts(self) -> list[str]:
        return [text for text, _, _ in self]


@pytest.fixture
def outputs() -> Outputs:
    return Outputs()


@pytest.fixture
def runner(clock, outputs) -> CellRunner:
    return CellRunner(kedis.Kedis(clock=clock), display=outputs)


def test_each_reply_is_shown_in_order_as_redis_cli_prints_it(runner, outputs):
    runner.run('SET greeting "hello world"\nGET greeting\nINCR n\nMGET greeting nope\nKEYS nomatch')
    assert outputs.texts == ["OK", '"hello world"', "(integer) 1",
                             '1) "hello world"\n2) (nil)', "(empty array)"]


def test_comments_and_blank_lines_are_skipped(runner, outputs):
    runner.run("# a comment\n\n   \nPING\n  # indented comment")
    assert outputs.texts == ["PONG"]


def test_an_error_reply_is_shown_marked_and_the_cell_goes_on(runner, outputs):
    runner.run("GET\nSET k v")
    assert outputs[0][0] == "(error) ERR wrong number of arguments for 'get' command"
    assert outputs[0][2] == {"kedis": {"error": True}}
    assert "color: #c62828" in outputs[0][1]
    assert outputs.texts[1] == "OK"


def test_an_unbalanced_quote_fails_the_cell_before_anything_runs(runner, outputs):
    with pytest.raises(InvalidArguments, match=r'line 2: GET "x'):
        runner.run('SET k v\nGET "x')
    assert outputs == []
    assert runner.engine.run("EXISTS k").value == 0


def test_a_quoted_value_may_span_lines(runner, outputs):
    runner.run('SET poem "roses\nare red"\nGET poem')
    assert outputs.texts == ["OK", '"roses\\nare red"']


def test_an_unknown_magic_fails_the_cell(runner):
    with pytest.raises(UnknownMagic, match="%nosuch"):
        runner.run("PING\n%nosuch")


def test_a_cell_magic_in_the_middle_of_a_cell_fails_it(runner):
    with pytest.raises(UnknownMagic, match="first line"):
        runner.run("PING\n%%python")


@pytest.mark.parametrize("line", ["SET?", "?SET", "? set", "CONFIG GET?"])
def test_a_question_mark_shows_the_command_help(runner, outputs, line):
    runner.run(line)
    assert outputs.texts[0].lstrip().startswith(("SET key value", "CONFIG GET parameter"))
    assert "summary:" in outputs.texts[0] and "complexity:" in outputs.texts[0]


def test_an_unknown_word_with_a_question_mark_is_a_command(runner, outputs):
    runner.run("NOSUCH?")
    assert outputs.texts == [
        "(error) ERR unknown command 'NOSUCH?', with args beginning with: "]


def test_a_key_ending_with_a_question_mark_is_still_a_key(runner, outputs):
    runner.run("SET what? yes\nGET what?")
    assert outputs.texts == ["OK", '"yes"']


def test_html_is_escaped(runner, outputs):
    runner.run('SET "<img src=x onerror=alert(1)>" v\nKEYS *')
    html = outputs[1][1]
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_binary_values_show_as_redis_cli_escapes_them():
    html = reply_html(kedis.Bulk(b"caf\xc3\xa9\x00<"))
    assert "&quot;caf\\xc3\\xa9\\x00&lt;&quot;" in html


class _Rendered(HTMLParser):
    """Reads back the text an array's HTML shows in a monospace font: each row its number, then
    its value, the value's further lines under the value (a flex row keeps them there)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: list = ["", []]  # [class, children]; a child is a node or a text
        self.stack = [self.root]
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = [dict(attrs).get("class", ""), []]
        self.stack[-1][1].append(node)
        self.stack.append(node)

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1][1].append(data)

    def lines(self, node=None) -> list[str]:
        node = node or self.root
        if node[0] == "kedis-array":
            lines = []
            for row in node[1]:
                index, value = row[1]
                number = "".join(self.lines(index))
                inner = self.lines(value)
                lines += [number + inner[0]] + [" " * len(number) + line for line in inner[1:]]
            return lines
        if any(not isinstance(child, str) and child[0] == "kedis-line" for child in node[1]):
            return [line for child in node[1] for line in self.lines(child)]  # one per reply
        lines = [""]
        for child in node[1]:
            parts = [child] if isinstance(child, str) else self.lines(child)
            lines[-1] += parts[0]
            lines += parts[1:]
        return lines


@pytest.mark.parametrize("commands", [
    "MSET a 1 b 2\nMGET a b nope",
    "MSET a 1 b 2\nSCAN 0",  # an array inside an array
    "MULTI\nMGET a\nSCAN 0\nEXEC",  # arrays inside arrays inside an array
    "MSET k 1\nMGET k k k k k k k k k k k k",  # twelve: numbers two wide
])
def test_arrays_in_html_read_exactly_as_redis_cli_prints_them(runner, outputs, commands):
    runner.run(commands)
    last = outputs[-1]
    assert "<ol" not in last[1] and "<li" not in last[1]  # no list style of the front end's
    assert "\n".join(_Rendered(last[1]).lines()) == last[0]


# --- magics -------------------------------------------------------------------------------------
def test_trace_on_shows_the_layers_before_each_reply(runner, outputs):
    runner.run("%trace on\nSET k v\n%trace off\nGET k")
    assert outputs.texts[0] == "trace is on"
    assert outputs.texts[1].splitlines()[0].split()[1] == "input"
    assert " parser " in outputs.texts[1] and "command table" in outputs.texts[1]
    assert outputs.texts[2:] == ["OK", "trace is off", '"v"']


def test_the_fake_clock_moves_only_when_told(runner, outputs):
    runner.run("%clock fake 1700000000\nSET k v EX 10\n%clock advance 9s\nTTL k\n"
               "%clock advance 1001ms\nGET k")
    assert outputs.texts == [
        "fake clock: 1700000000.000 (2023-11-14 22:13:20.000 UTC)", "OK",
        "fake clock: 1700000009.000 (2023-11-14 22:13:29.000 UTC)", "(integer) 1",
        "fake clock: 1700000010.001 (2023-11-14 22:13:30.001 UTC)", "(nil)"]


def test_on_a_fake_clock_random_choices_repeat_from_run_to_run():
    def a_run() -> list[str]:
        shown = Outputs()
        runner = CellRunner(kedis.Kedis(), display=shown)
        runner.run("%clock fake\n" + "\n".join(f"SET k{i} v PX {1 + i % 2 * 10_000}"
                                                for i in range(200)))
        runner.engine.clock.advance(1)
        runner.run("%tick\nRANDOMKEY\nRANDOMKEY\nDBSIZE")
        return shown.texts[-4:]

    first = a_run()
    assert "expired" in first[0] and all(a_run() == first for _ in range(3))


def test_the_real_clock_cannot_be_advanced(runner):
    runner.run("%clock real")
    with pytest.raises(MagicError, match="real"):
        runner.run("%clock advance 10s")


@pytest.mark.parametrize("text, seconds", [("10s", 10), ("1.5m", 90), ("200ms", 0.2),
                                           ("2h", 7200), ("1d", 86400), ("3", 3)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("args", ["advance soon", "advance -5s", "fake yesterday", "sideways"])
def test_clock_misuse_says_how_to_use_it(runner, args):
    with pytest.raises(MagicError, match="usage: %clock"):
        runner.run("%clock " + args)


def test_tick_runs_active_expiry_by_hand(runner, outputs, clock):
    runner.run("SET a 1 PX 10\nSET b 2 PX 10\nSET c 3")
    clock.advance(1)
    runner.run("%tick\nDBSIZE")
    assert outputs.texts[-2].startswith("slow cycle: looked at 2 keys with a TTL in 1 round")
    assert "expired 2" in outputs.texts[-2]
    assert outputs.texts[-1] == "(integer) 1"


def test_reset_gives_a_fresh_engine_with_the_same_clock(runner, outputs, clock):
    runner.run("SET k v\n%reset\nDBSIZE")
    assert outputs.texts[-2:] == ["a fresh, empty engine", "(integer) 0"]
    assert runner.engine.clock is clock
    assert runner.namespace["db"] is runner.engine


def test_python_runs_with_the_engine_bound_to_db(runner, outputs):
    runner.run('SET k v\n%python seen = db.run("GET k").value')
    assert runner.namespace["seen"] == b"v"


def test_a_python_cell(runner):
    runner.run("%%python\nx = 6 * 7\ny = db.execute('PING').value")
    assert (runner.namespace["x"], runner.namespace["y"]) == (42, "PONG")


def test_an_exception_in_python_fails_the_cell(runner):
    with pytest.raises(ZeroDivisionError):
        runner.run("%python 1 / 0")


def test_lsmagic_lists_every_magic(runner, outputs):
    runner.run("%lsmagic")
    for magic in MAGICS.values():
        assert magic.usage in outputs.texts[0]
    assert "%%python" in outputs.texts[0]


def test_compare_needs_a_redis(runner):
    with pytest.raises(MagicError, match="which Redis"):
        runner.run("%compare")


def test_connect_refuses_what_is_not_a_redis_url(runner):
    with pytest.raises(MagicError, match="not a Redis URL"):
        runner.run("%connect localhost:6379")


def test_connect_and_compare_may_read_the_url_from_a_python_variable(runner, outputs):
    runner.namespace["where"] = "embedded"  # what a notebook sets when no Redis is installed
    runner.run("%connect $where\n%compare $where\nSET k v")
    assert outputs.texts == ["commands go to the embedded Kedis engine",
                             "nothing to compare with: commands go to the embedded Kedis engine",
                             "OK"]
    assert runner.mode == "embedded"


@pytest.mark.parametrize(("value", "message"), [
    (None, "no Python variable named url"),
    (6379, r"\$url holds int 6379, not a Redis URL"),
])
def test_a_missing_or_wrong_url_variable_fails_the_cell(runner, value, message):
    if value is not None:
        runner.namespace["url"] = value
    with pytest.raises(MagicError, match=message):
        runner.run("%connect $url")


def test_read_cell_classifies_each_line():
    lines = read_cell("SET k v\n%trace on\nGET?\n# c", MAGICS.keys())
    assert [(line.number, line.kind) for line in lines] == [
        (1, "command"), (2, "magic"), (3, "help")]
    assert lines[0].argv == [b"SET", b"k", b"v"]


# --- redis-cli's repeat count, and "?" that asks for nothing -----------------------------------
def test_a_repeat_count_runs_a_command_that_many_times(runner, outputs):
    runner.run("3 INCR n")
    assert outputs.texts == ["(integer) 1", "(integer) 2", "(integer) 3"]


@pytest.mark.parametrize("count", ["0", "-2", "99999999999999999999"])
def test_a_repeat_count_redis_cli_refuses_fails_the_cell(runner, outputs, count):
    with pytest.raises(InvalidArguments, match="Invalid redis-cli repeat command option value"):
        runner.run(f"PING\n{count} INCR n")
    assert outputs == []


def test_a_lone_question_mark_argument_is_a_value(runner, outputs):
    runner.run("ECHO ?")
    assert outputs.texts == ['"?"']


# --- a real Redis --------------------------------------------------------------------------------
@pytest.mark.redis
def test_info_from_a_real_redis_is_shown_as_redis_cli_shows_it(runner, outputs, redis_server):
    runner.run(f"%connect redis://127.0.0.1:{redis_server.port}\nINFO keyspace\n%connect embedded")
    assert outputs.texts[1].startswith("# Keyspace\r\n")  # raw, not a quoted "...\r\n" string


@pytest.mark.redis
def test_a_url_in_a_python_variable_connects_and_compares(runner, outputs, redis_server):
    runner.namespace["url"] = f"redis://127.0.0.1:{redis_server.port}"
    runner.run("%connect $url\nPING\n%compare $url\nECHO same\n%compare off")
    assert outputs.texts[0].startswith(f"commands go to redis://127.0.0.1:{redis_server.port}/0")
    assert outputs.texts[1:] == [
        "PONG", outputs.texts[2], '"same"',
        "compared 1 command: 0 answered differently; commands go to the embedded Kedis engine"]
    assert outputs.texts[2].startswith("each command runs on the embedded Kedis engine and on")


@pytest.mark.redis
def test_a_redis_that_goes_away_fails_the_cell_with_a_clear_message(runner):
    from redis_oracle import RedisServer

    from kedis.jupyter.errors import RedisUnavailable

    server = RedisServer()
    try:
        runner.run(f"%connect redis://127.0.0.1:{server.port}\nPING")
    finally:
        server.stop()
    with pytest.raises(RedisUnavailable):
        runner.run("PING")
    runner.run("%connect embedded\nPING")


# --- long cells -------------------------------------------------------------------------------
def test_a_long_cell_sends_its_replies_in_batches_after_the_first_ones(runner, outputs):
    from kedis.jupyter.cells import BATCH, ONE_BY_ONE

    count = ONE_BY_ONE + BATCH + 2 * BATCH + 7  # the first ones, two batches, and the rest
    # every 50th line (1, 51, 101...) is a wrong-arity error; the others count up
    runner.run("\n".join("INCR n x" if i % 50 == 1 else "INCR n" for i in range(count)))
    assert len(outputs) == ONE_BY_ONE + 3
    assert [meta["kedis"]["replies"] for _, _, meta in outputs[ONE_BY_ONE:]] == \
        [BATCH, 2 * BATCH, 7]  # each batch twice the one before
    texts = "\n".join(outputs.texts).split("\n")
    assert len(texts) == count  # every reply, in order
    assert texts[ONE_BY_ONE] == "(integer) 30"  # line 31, after 29 INCRs and 1 error
    batch_metadata = outputs[ONE_BY_ONE][2]["kedis"]
    assert batch_metadata["errors"] == 2  # lines 51 and 101
    assert "color: #c62828" in outputs[ONE_BY_ONE][1]  # errors in a batch are still red
    # The batch's HTML reads as its text: each reply on its own lines, arrays numbered.
    assert "\n".join(_Rendered(outputs[ONE_BY_ONE][1]).lines()) == outputs[ONE_BY_ONE][0]


def test_a_batch_of_plain_replies_is_plain_text_only(runner, outputs):
    from kedis.jupyter.cells import ONE_BY_ONE

    runner.run("\n".join(["PING"] * (ONE_BY_ONE + 5)))
    assert outputs[-1][0] == "\n".join(["PONG"] * 5) and outputs[-1][1] is None


@pytest.mark.parametrize("count", [49, 50, 51, 5_000, 60_000])
def test_no_cell_has_so_many_outputs_that_a_front_end_hides_some(runner, outputs, count):
    from kedis.jupyter.cells import MAX_OUTPUTS

    runner.run("\n".join(["PING"] * count))
    assert len(outputs) < MAX_OUTPUTS  # JupyterLab shows 50, then "Show more outputs"
    assert sum(text.count("PONG") for text in outputs.texts) == count


def test_a_magic_after_a_batch_comes_after_its_replies(runner, outputs):
    from kedis.jupyter.cells import ONE_BY_ONE

    runner.run("\n".join(["PING"] * (ONE_BY_ONE + 3) + ["%trace"]))
    assert outputs.texts[-2] == "PONG\nPONG\nPONG"
    assert outputs.texts[-1] == "trace is off"


def _out_of_time(runner, clock) -> None:
    """A slow cycle that ran out of time (hz 500: 500 us, 500 keys on the fake clock), with
    expired keys left over: what starts fast cycles."""
    runner.run("CONFIG SET hz 500\n" + "\n".join(f"SET k{i} v PX 10" for i in range(3000)))
    clock.advance(1)
    runner.engine.tick()


def test_a_cell_ends_with_a_fast_cycle_when_one_is_due(runner, clock):
    _out_of_time(runner, clock)
    runner.run("PING")
    assert runner.engine.last_cycle.kind == "fast"


def test_a_cell_runs_no_fast_cycle_when_none_is_due(runner, clock):
    runner.run("SET k v PX 10")
    clock.advance(1)
    runner.engine.tick()
    runner.run("PING")
    assert runner.engine.last_cycle.kind == "slow"


def test_tick_fast_runs_a_fast_cycle_by_hand(runner, outputs, clock):
    _out_of_time(runner, clock)
    runner.run("%tick fast")
    assert outputs.texts[-1].startswith("fast cycle: looked at 1300 keys with a TTL in 65 rounds")
    assert "stopped out of time (1300 us, over its 1000 us)" in outputs.texts[-1]


def test_tick_fast_says_why_no_fast_cycle_ran(runner, outputs, clock):
    runner.run("%tick fast")
    assert outputs.texts[-1] == ("fast cycle: not run (the last cycle finished within its time "
                                 "limit); expired so far: 0 lazily, 0 actively")
    _out_of_time(runner, clock)
    runner.run("%tick fast\n%tick fast")
    assert outputs.texts[-1].startswith("fast cycle: not run (the last fast cycle started less "
                                        "than 2000 us ago: the next may start in 2000 us)")


def test_tick_takes_fast_or_nothing(runner):
    with pytest.raises(MagicError, match=r"usage: %tick \[fast\]"):
        runner.run("%tick slow")
