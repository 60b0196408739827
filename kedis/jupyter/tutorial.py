"""Checking cells for the tutorials (``notebooks/``): did the reader's answer do what was asked,
the way it was asked?

Each exercise in a tutorial is an empty cell for the reader's answer, followed by a checking cell
that names the exercise and nothing more (in the Kedis kernel, ``%%python`` makes a cell Python;
``db`` is the engine the cells use)::

    %%python
    from kedis.jupyter.tutorial import check
    check(db, "00 likes")

What the exercise expects lives here, in ``EXERCISES``, not in the cell: a reader who reads the
checking cell before trying does not read the answer there. A check looks at two things:

- **the store**: questions (``GET likes``), each with the answer it should give, written as
  redis-cli writes it. The reader sees each question and what the store answered, never what
  was expected: a wrong answer is shown, the right one is not given away.
- **how the answer was made**, when the exercise says how ("with INCR alone", "one command",
  "then"): a rule reads what the reader's answer cell ran. For a Kedis cell that is the cell
  runner's record of the last cell (``CellRunner.last_cell``, cells.py): each command as the
  engine received it, where it went (Kedis, Redis or both), its reply, and each magic, in
  order; not the cell's text, which may hold comments, repeats (``2 INCR likes``) or quoting.
  The Python exercise (notebook 4) asks how the Python was written (a ``for`` loop, ``execute``),
  which only its text can say: its rule reads the answer cell's source as Python (``ast``).

A check prints one line per point, ✔ or ✘, then its verdict, "All right: well done!" or "Not
yet", with a hint that points the way without giving the answer. Some exercises stand on
something an earlier cell set up (the AOF on in notebook 6, the redis-server of notebook 5).
When it is missing, say after the notebook's clean-up cell ran, the check says it cannot
check, why, and how to get it back: no verdict, since a verdict on what it could not see would
be false. A checking cell never fails: an exercise not done yet is not an error.

The questions go to the engine's plain dispatcher (``Kedis.execute``), past the live views: the
FlowView and the StoreView keep showing the reader's own last command, not the checker's. They are
still real commands, so a key whose TTL has passed expires as the question reads it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.command_table import command_keys, command_of
from ..engine.dispatcher import Kedis
from ..engine.parser import repr_bytes, split_args
from ..util.plural import plural
from .cells import Ran

__all__ = ["check", "answer", "EXERCISES", "RIGHT", "NOT_YET", "CANNOT_CHECK"]

RIGHT = "All right: well done!"
NOT_YET = "Not yet"
CANNOT_CHECK = "Cannot check yet"
_PLAIN = re.compile(rb"[A-Za-z0-9:_.\-]+")  # a word shown as it is; others quoted, as redis-cli


def answer(engine: Any, line: str) -> str:
    """The text redis-cli would show for ``line`` run on ``engine``, unseen by live views."""
    if isinstance(engine, Kedis):
        # Kedis.execute, not engine.execute: while views watch, the engine's own attribute is the
        # watching wrapper (watch.py), which would report the question as the reader's command.
        return Kedis.execute(engine, *split_args(line)).cli()
    return engine.execute(*split_args(line)).cli()  # a real Redis (network/remote.py)


# --- what the answer cell ran -----------------------------------------------------------------
class Made:
    """How the answer was made: what the reader's last Kedis cell ran (cells.Ran records)."""

    def __init__(self, ran: Iterable[Ran], mode: str = "embedded") -> None:
        self.ran = list(ran)
        self.mode = mode  # where the runner sends commands now: "embedded", "redis", "compare"

    def commands(self) -> list[Ran]:
        """The commands that ran and did not answer an error, in order."""
        return [r for r in self.ran if r.where != "magic" and not _failed(r)]

    def on(self, key: bytes, *, writes: bool = False) -> list[Ran]:
        """The commands that named ``key`` (only those that may write it, with ``writes``)."""
        return [r for r in self.commands() if key in _keys(r) and (not writes or _writes(r))]

    def writes(self) -> list[Ran]:
        return [r for r in self.commands() if _writes(r)]

    def at(self, r: Ran) -> int:
        """Where ``r`` is in the record (by identity: two runs of a command are two entries)."""
        return next(i for i, entry in enumerate(self.ran) if entry is r)

    def summary(self) -> str:
        """``ran 3 commands: SET, INCR, INCR`` (the magics named too), for the check's first line."""
        if not self.ran:
            return "ran no commands"
        magics = sum(1 for r in self.ran if r.where == "magic")
        counted = plural(len(self.ran) - magics, "command") + (
            f" and {plural(magics, 'magic')}" if magics else "")
        names = [("%" + r.argv[0]) if r.where == "magic" else _name(r) for r in self.ran]
        return f"ran {counted}: " + ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")


def _name(r: Ran) -> str:
    """A command's name as a reader writes it: ``SET``, ``CONFIG SET``."""
    cmd = command_of(r.argv)
    words = r.argv[:2] if cmd is not None and "|" in cmd.name else r.argv[:1]
    return " ".join(word.decode("utf-8", "replace").upper() for word in words)


def _keys(r: Ran) -> set[bytes]:
    """The keys a command named, as the command table finds them (COMMAND GETKEYS)."""
    cmd = command_of(r.argv)
    return set() if cmd is None else {r.argv[at] for at, _ in command_keys(cmd, list(r.argv))}


def _writes(r: Ran) -> bool:
    cmd = command_of(r.argv)
    return cmd is not None and "write" in cmd.flags


def _failed(r: Ran) -> bool:
    return r.reply is not None and r.reply.is_error


def _shown(r: Ran) -> str:
    """A command as typed: ``SET likes 2``."""
    words = [w.decode() if _PLAIN.fullmatch(w) else repr_bytes(w) for w in r.argv]
    return " ".join([words[0].upper(), *words[1:]])


def _is(r: Ran, *names: str) -> bool:
    return r.argv[0].lower().decode("utf-8", "replace") in names


def _int(word: bytes) -> int | None:
    try:
        return int(word)
    except ValueError:
        return None


def _ttl_ms(r: Ran) -> int | None:
    """The time to live, in ms, that a command gives its key counted from now (``SET k v EX 30``,
    ``SETEX``, ``EXPIRE``...), or None when it gives none or an absolute one (EXAT...)."""
    argv = [w.lower() for w in r.argv]
    name = argv[0]
    if name == b"set":
        for i, word in enumerate(argv[3:-1], 3):
            if word in (b"ex", b"px") and (n := _int(argv[i + 1])) is not None:
                return n * 1000 if word == b"ex" else n
        return None
    unit = {b"setex": 1000, b"psetex": 1, b"expire": 1000, b"pexpire": 1}.get(name)
    if unit is None or len(argv) < 3:
        return None
    n = _int(argv[2])
    return None if n is None else n * unit


def _advanced_after(made: Made, index: int) -> float:
    """The seconds by which ``%clock advance`` moved the clock after the record's ``index``."""
    from .magics import parse_duration

    total = 0.0
    for r in made.ran[index + 1:]:
        if r.where == "magic" and r.argv[0] == "clock":
            words = r.argv[1].split()
            if len(words) == 2 and words[0] == "advance":
                try:
                    total += parse_duration(words[1])
                except ValueError:
                    pass
    return total


# --- the exercises -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Ask:
    """A question to the store: what the exercise asks, in its words, the command that asks the
    store, and the reply it should give (as redis-cli writes it)."""

    what: str
    line: str
    want: str


#: A point of a check: whether it holds, and what it says (with what was found).
Point = tuple[bool, str]


@dataclass(frozen=True)
class Exercise:
    asks: tuple[Ask, ...]
    hint: str
    #: How the answer was made (the rule the exercise states), from the answer cell's record.
    rule: Callable[[Made], list[Point]] | None = None


def _likes_made_with_incr(made: Made) -> list[Point]:
    what = "likes made with INCR alone"
    on = made.on(b"likes", writes=True)
    other = [r for r in on if not _is(r, "incr", "del", "unlink")]
    if other:
        return [(False, f"{what}: your cell ran {_shown(other[0])}")]
    counting = []  # the INCRs since the last DEL (or since the cell started)
    for r in on:
        counting = [] if _is(r, "del", "unlink") else counting + [r]
    if not counting:
        return [(False, f"{what}: your last cell ran no INCR likes")]
    if counting[0].reply is None or counting[0].reply.value != 1:
        return [(False, f"{what}: the first INCR of your cell answered "
                        f"{counting[0].reply.cli()}, so likes held a number before it "
                        "(DEL likes starts it from nothing)")]
    return [(True, f"{what}: {plural(len(counting), 'INCR')}, from nothing")]


def _any_day(made: Made) -> list[Point]:
    points = []
    setbits = [r for r in made.on(b"active:03-03", writes=True) if _is(r, "setbit")]
    points.append((len(setbits) == 2, f"two SETBITs for March 3rd: your cell ran "
                                      f"{len(setbits)} on active:03-03"))
    into = made.on(b"active:any", writes=True)
    bitops = [r for r in made.commands() if _is(r, "bitop")]
    what = "one BITOP made active:any"
    if len(bitops) == 1 and len(into) == 1 and into[0] is bitops[0]:
        points.append((True, f"{what}: {_shown(bitops[0])}"))
    elif not into:
        points.append((False, f"{what}: your last cell did not write it"))
    else:
        others = [r for r in into if all(r is not b for b in bitops)]
        names = ", ".join(_shown(r) for r in [*bitops, *others])
        points.append((False, f"{what}: your cell ran {names}"))
    return points


def _stock(made: Made) -> list[Point]:
    apples, pears = b"stock:apples", b"stock:pears"
    writes = [r for r in made.writes() if _keys(r) & {apples, pears}]
    selling = ("decr", "decrby", "incr", "incrby", "incrbyfloat")
    both = [i for i, r in enumerate(writes) if {apples, pears} <= _keys(r)]
    points = []
    if both:
        points.append((True, f"both stocks set with one command: {_shown(writes[both[0]])}"))
        sold = [r for r in writes[both[0] + 1:] if apples in _keys(r)]
    else:
        setters = [r for r in writes if not _is(r, *selling)]
        points.append((False, "both stocks set with one command: " + (
            f"your cell set them with {plural(len(setters), 'command')} "
            f"({', '.join(_name(r) for r in setters)})" if setters else
            "your last cell did not set them")))
        sold = [r for r in writes if apples in _keys(r) and _is(r, *selling)]
    what = "three apples sold with one atomic command"
    if len(sold) == 1 and _is(sold[0], "decrby", "incrby"):
        points.append((True, f"{what}: {_shown(sold[0])}"))
    elif sold:
        points.append((False, f"{what}: your cell sold them with "
                              f"{plural(len(sold), 'command')} "
                              f"({', '.join(_name(r) for r in sold)})"))
    else:
        points.append((False, f"{what}: after setting them, your cell sold no apples"))
    return points


def _otp_and_hits(made: Made) -> list[Point]:
    points = []
    otp = [(made.at(r), r) for r in made.on(b"otp", writes=True)]
    given = [(i, r) for i, r in otp if _ttl_ms(r) is not None]
    if given:
        at, r = given[-1]
        seconds = _ttl_ms(r) / 1000
        points.append((seconds == 30, f"otp expires in 30 seconds: {_shown(r)} gave it "
                                      f"{seconds:g} s"))
    else:
        at = -1
        points.append((False, "otp expires in 30 seconds: your last cell gave otp no time to "
                              "live counted from now"))
    hits = made.on(b"hits", writes=True)
    changed = [r for r in hits if not _is(r, "expire", "pexpire")]
    if changed:
        points.append((False, f"hits gets a TTL alone: your cell ran {_shown(changed[0])}"))
    elif hits:
        points.append((True, f"hits gets a TTL alone: only {_shown(hits[-1])} touched it"))
        at = max(at, made.at(hits[-1]))
    else:
        points.append((False, "hits gets a TTL alone: your last cell gave hits no TTL"))
    moved = _advanced_after(made, at) if at >= 0 else 0.0
    points.append((moved > 0, f"then the clock moves: %clock advance after them, by "
                              f"{moved:g} s in all"))
    return points


def _one_command_for_quote(made: Made) -> list[Point]:
    writes = made.on(b"quote", writes=True)
    if len(writes) == 1:
        return [(True, f"one command: {_name(writes[0])}")]
    if not writes:
        return [(False, "one command: your last cell did not write quote")]
    names = ", ".join(_name(r) for r in writes)
    return [(False, f"one command: your last cell wrote quote with "
                    f"{plural(len(writes), 'command')} ({names})")]


def _durable_then_mode(made: Made) -> list[Point]:
    ran = made.commands()
    policy = [i for i, r in enumerate(ran) if _is(r, "config") and len(r.argv) >= 4
              and r.argv[1].lower() == b"set" and b"appendfsync" in map(bytes.lower, r.argv)]
    mode = [i for i, r in enumerate(ran) if b"mode" in _keys(r) and _writes(r)]
    if not policy:
        return [(False, "then mode stored: your last cell did not change the fsync policy")]
    if not mode:
        return [(False, "then mode stored: your last cell did not store mode")]
    after = mode[-1] > policy[-1]
    return [(after, "then mode stored: after the policy changed" if after else
             "then mode stored: your cell stored mode before it changed the policy, so that "
             "write could still be lost")]


def _compared_session(made: Made) -> list[Point]:
    given = [r for r in made.on(b"session", writes=True) if _ttl_ms(r) is not None]
    points = []
    if any(r.where == "both" for r in given):
        first = next(r for r in given if r.where == "both")
        points.append((True, f"one command sent to both: {_shown(first)}"))
    elif given:
        where = {"kedis": "Kedis only", "redis": "Redis only"}[given[-1].where]
        points.append((False, f"one command sent to both: your cell sent {_shown(given[-1])} "
                              f"to {where}"))
    else:
        points.append((False, "one command sent to both: your last cell gave session no new "
                              "time to live"))
    points.append((made.mode == "embedded", "the comparison ended: " + (
        "commands go to Kedis alone again" if made.mode == "embedded" else
        f"commands still go to {'both stores' if made.mode == 'compare' else 'Redis'}")))
    return points


#: The exercises, by the name their checking cell gives. The wording of each ``what`` is the
#: exercise's own; ``want`` is never shown.
EXERCISES: dict[str, Exercise] = {
    "00 likes": Exercise(
        asks=(Ask("name holds your name", "TYPE name", "string"),
              Ask("likes holds 2", "GET likes", '"2"')),
        rule=_likes_made_with_incr,
        hint="Notebook 0's INCR answered (integer) 42 for a key that held 41. What does it do "
             "to a key that does not exist? And text with spaces needs quotes."),
    "01 any day": Exercise(
        asks=(Ask("user 7 came on March 3rd", "GETBIT active:03-03 7", "(integer) 1"),
              Ask("user 12 came on March 3rd", "GETBIT active:03-03 12", "(integer) 1"),
              Ask("no one else came on March 3rd", "BITCOUNT active:03-03", "(integer) 2"),
              Ask("active:any counts the users of any day, each once", "BITCOUNT active:any",
                  "(integer) 6")),
        rule=_any_day,
        hint="A user is one bit of a day's key (SETBIT key user 1). Of BITOP's operations, "
             "which keeps a bit that is set in any of its sources? It takes as many sources as "
             "you give it."),
    "01 stock": Exercise(
        asks=(Ask("stock:apples holds 9 once three are sold", "GET stock:apples", '"9"'),
              Ask("stock:pears holds 7", "GET stock:pears", '"7"')),
        rule=_stock,
        hint="MGET reads many keys in one command: is there a command that writes many? And "
             "INCR has siblings that subtract, by as much as you say."),
    "02 otp": Exercise(
        asks=(Ask("otp holds 493817", "GET otp", '"493817"'),
              Ask("otp has 10 seconds left", "PTTL otp", "(integer) 10000"),
              Ask("hits keeps its value", "GET hits", '"2"'),
              Ask("hits expires 60 s after its TTL was given", "PTTL hits",
                  "(integer) 40000")),
        rule=_otp_and_hits,
        hint="SET takes options after the value; one command gives a TTL to a key that exists "
             "and leaves its value alone; and on the fake clock, time moves only when a magic "
             "says so, by as much as 30 and 10 differ."),
    "03 quote": Exercise(
        asks=(Ask("quote holds the two lines, quotes included", "GET quote",
                  r'"She said \"hi\"\nand left."'),),
        rule=_one_command_for_quote,
        hint="Of the two kinds of quotes, only one reads backslash escapes (see the parser's "
             "rules above): one escape makes a new line, another a quote that does not end the "
             "argument."),
    "04 quote and laps": Exercise(
        asks=(Ask('quote holds: she said "hi"', "GET quote", r'"she said \"hi\""'),
              Ask("laps holds 3", "GET laps", '"3"')),
        hint="execute takes each argument as it is, so a value with quotation marks in it is "
             "one Python string; and range() gives a for loop as many turns as you ask. (Run "
             "it twice and laps counts on: DEL it first.)"),
    "05 session": Exercise(
        asks=(Ask("session has 30 seconds left on Kedis", "TTL session", "(integer) 30"),
              Ask("session still holds its value on Kedis", "GET session", '"abc"')),
        rule=_compared_session,
        hint="Which command gives a key that exists a new TTL, counted from now? Send it while "
             "%compare is on (as the cells above did), then turn %compare off."),
    "06 durable": Exercise(
        asks=(Ask("no acknowledged write lost", "CONFIG GET appendfsync",
                  '1) "appendfsync"\n2) "always"'),
              Ask("mode holds durable", "GET mode", '"durable"')),
        rule=_durable_then_mode,
        hint="The AOF is on; how often it reaches the disk is one of the three settings listed "
             "above, and a setting changes with CONFIG SET."),
}

#: What notebook 5's check asks the redis-server too (the same questions, as the exercise says).
REDIS_ASKS = (Ask("session has 30 seconds left on Redis", "TTL session", "(integer) 30"),
              Ask("session still holds its value on Redis", "GET session", '"abc"'))

#: How to get back what an exercise stands on, once the notebook's clean-up ran (or anything
#: else undid it): everything above the answer cell again, then the answer and its check.
RECOVER = ("To recover: click your answer cell and choose Run > Run All Above Selected Cell "
           "(it {redoes}), then run your answer cell and this one again.")


# --- checking ----------------------------------------------------------------------------------
def check(engine: Any, name: str, *, redis_url: str | None = None, runner: Any = None,
          source: str | None = None) -> None:
    """Print whether exercise ``name`` is done, and done as it says; see the module's docstring.

    ``runner`` is the CellRunner whose last cell holds the answer (found through IPython when
    not given); ``source``, for the Python exercise, the answer cell's text (by default the
    cell run before this one); ``redis_url``, for notebook 5, the redis-server to ask as well.
    """
    exercise = EXERCISES[name]
    missing = _missing(name, engine, redis_url)
    if missing is not None:
        print(f"{CANNOT_CHECK}: {missing}")
        return
    points = _ask(engine, exercise.asks)
    if name == "05 session":
        points += _ask_redis(redis_url)
    if name == "04 quote and laps":
        code = source if source is not None else _previous_source()
        lines = ["The store, and your last cell read as Python:"]
        points += _python_rule(code)
    else:
        if runner is None:
            runner = _runner_of(engine)
        made = Made(runner.last_cell if runner is not None else (),
                    runner.mode if runner is not None else "embedded")
        lines = [f"The store, and your last cell (it {made.summary()}):"]
        if exercise.rule is not None:
            points += exercise.rule(made)
    lines += [("✔ " if ok else "✘ ") + text for ok, text in points]
    wrong = sum(1 for ok, _ in points if not ok)
    if wrong == 0:
        lines.append(RIGHT)
    else:
        lines += [f"{NOT_YET}: {plural(wrong, 'point')} to change.", f"Hint: {exercise.hint}"]
    print("\n".join(lines))  # at once: one output, whatever the time the questions took


def _ask(engine: Any, asks: Sequence[Ask]) -> list[Point]:
    points = []
    for ask in asks:
        got = answer(engine, ask.line)
        points.append((got == ask.want, f"{ask.what}: {ask.line}  ->  {_one_line(got)}"))
    return points


def _ask_redis(url: str | None) -> list[Point]:
    from ..network.remote import RedisTarget

    target = RedisTarget(url, timeout=2)  # (_missing made sure that it answers)
    try:
        return _ask(target, REDIS_ASKS)
    finally:
        target.close()


def _missing(name: str, engine: Any, redis_url: str | None) -> str | None:
    """What exercise ``name`` stands on and is missing (and how to get it back), or None."""
    if name == "06 durable":
        if answer(engine, "CONFIG GET appendonly") != '1) "appendonly"\n2) "yes"':
            return ("the AOF is off (the section \"The append-only file\" turns it on, and the "
                    "clean-up cell at the end of the notebook turns it off again), and this "
                    "exercise is about the AOF.\n"
                    + RECOVER.format(redoes="makes a new folder and turns the AOF on again"))
    if name == "05 session":
        if redis_url in (None, "embedded"):
            return ("there is no redis-server to compare with (the notebook's first Python cell "
                    "says how to install one), and this exercise is about both stores.")
        from ..network.remote import RedisTarget, RemoteError

        try:
            RedisTarget(redis_url, timeout=2).close()
        except RemoteError:
            return (f"the redis-server at {redis_url} does not answer (the last cell of this "
                    "notebook stops it), and this exercise is about both stores.\n"
                    + RECOVER.format(redoes="starts a new redis-server and fills both stores "
                                            "again"))
    return None


def _python_rule(code: str) -> list[Point]:
    """Notebook 4's rule, read from the answer's Python: ``quote`` set by an ``execute`` call,
    ``laps`` counted by ``execute("INCR", "laps")`` inside a ``for`` loop, and nothing else
    writing ``laps``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [(False, "with execute: your last cell is not Python that runs")]

    def calls(node: ast.AST, method: str, *words: str) -> list[ast.Call]:
        found = []
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == method and len(call.args) >= len(words)
                    and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                            and arg.value.lower() == word.lower()
                            for arg, word in zip(call.args[:len(words)], words, strict=True))):
                found.append(call)
        return found

    def runs(node: ast.AST, *words: str) -> list[ast.Call]:
        """run('SET quote ...') calls: the line's first words."""
        found = []
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "run" and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                    and [w.lower() for w in call.args[0].value.split()[:len(words)]]
                    == [w.lower() for w in words]):
                found.append(call)
        return found

    points = []
    if calls(tree, "execute", "SET", "quote"):
        points.append((True, 'quote set with execute: execute("SET", "quote", ...)'))
    elif runs(tree, "SET", "quote"):
        points.append((False, "quote set with execute: your cell sets it with run(), which "
                              "takes redis-cli's quoting"))
    else:
        points.append((False, 'quote set with execute: your last cell has no '
                              'execute("SET", "quote", ...)'))
    loops = [loop for loop in ast.walk(tree) if isinstance(loop, (ast.For, ast.AsyncFor))
             and calls(loop, "execute", "INCR", "laps")]
    others = [call for word in ("SET", "INCRBY", "MSET", "APPEND", "SETRANGE")
              for call in calls(tree, "execute", word, "laps") + runs(tree, word, "laps")]
    if others:
        points.append((False, "laps counted by a for loop of INCR: your cell also writes laps "
                              f"with {others[0].args[0].value.split()[0].upper()}"))
    elif loops:
        points.append((True, 'laps counted by a for loop of INCR: execute("INCR", "laps") in '
                             'a for loop'))
    else:
        points.append((False, 'laps counted by a for loop of INCR: your last cell has no for '
                              'loop that runs execute("INCR", "laps")'))
    return points


def _runner_of(engine: Kedis) -> Any:
    """The CellRunner whose cells run on ``engine``: the Kedis kernel's, or a %%kedis one."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    shell = get_ipython()
    if shell is None:
        return None
    from . import ipython

    candidates = [getattr(getattr(shell, "kernel", None), "runner", None),
                  ipython._RUNNERS.get(id(shell))]
    return next((r for r in candidates if r is not None and r.engine is engine), None)


def _previous_source() -> str:
    """The source of the cell run before this one (IPython's ``In``: this cell is the last)."""
    from IPython import get_ipython

    shell = get_ipython()
    inputs = shell.user_ns.get("In", []) if shell is not None else []
    return inputs[-2] if len(inputs) >= 2 else ""


def _one_line(text: str) -> str:
    """A reply of several lines (an array) on one line, so that the two can be compared."""
    return " | ".join(text.splitlines()) if "\n" in text else text
