"""Kedis: a Redis-compatible in-memory store in Python, made to be read and watched.

    import kedis
    db = kedis.Kedis()                                     # the real clock
    db = kedis.Kedis(clock=kedis.FakeClock(1_700_000_000.0))  # time moves only when told
    db.run('SET greeting "hello world" EX 100')            # a line, as typed in redis-cli
    db.execute(b"GET", b"greeting")                        # arguments, as a client sends them
    reply.cli(); reply.resp()                              # redis-cli's text; RESP2 bytes
    db.run("GET greeting", trace=True).trace               # the command's steps through the layers

The layers, one module each: parser.py -> command_table.py -> commands/ -> keyspace.py (with
expiry.py) -> reply.py; engine.py connects them and trace.py records the journey.
"""

__version__ = "0.1.0"

from .clock import FakeClock, RealClock  # noqa: E402
from .engine import Client, Kedis  # noqa: E402
from .parser import ParseError, split_args  # noqa: E402
from .reply import Array, Bulk, Error, Integer, Null, NullArray, Reply, Status, Verbatim  # noqa: E402
from .trace import KeyState, Step, format_trace  # noqa: E402


def load_ipython_extension(shell):  # noqa: ANN001, ANN201 - IPython's extension hook
    """``%load_ext kedis``: the ``%%kedis`` cell magic (see kedis/ipython.py)."""
    from .ipython import load_ipython_extension as load

    load(shell)


__all__ = [
    "Kedis", "Client", "FakeClock", "RealClock", "ParseError", "split_args",
    "Reply", "Status", "Error", "Integer", "Bulk", "Null", "NullArray", "Array", "Verbatim",
    "Step", "KeyState", "format_trace", "__version__",
]
