"""Kedis: a Redis-compatible in-memory store in Python, made to be read and watched.

    import kedis
    db = kedis.Kedis()                                     # the real clock
    db = kedis.Kedis(clock=kedis.FakeClock(1_700_000_000.0))  # time moves only when told
    db.run('SET greeting "hello world" EX 100')            # a line, as typed in redis-cli
    db.execute(b"GET", b"greeting")                        # arguments, as a client sends them
    reply.cli(); reply.resp()                              # redis-cli's text; RESP2 bytes
    db.run("GET greeting", trace=True).trace               # the command's steps through the layers

The package, a folder per part (each folder's ``__init__.py`` says what it holds):

    engine/        the path of a command: parser -> command table -> dispatcher -> handler ->
                   keyspace (with expiry) -> reply, and the trace that records it
    commands/      the handlers, one module per command family (t_string.c, t_set.c, db.c...)
    structures/    the data structures values are stored in (t_set.c's intset or hash table...)
    persistence/   RDB and AOF: when the store goes to disk, and the files' formats
    network/       RESP, kedis-server, and the client of a real Redis
    jupyter/       cells, magics, completion, highlighting, the tutorials' checks
    kernel/        the Jupyter kernel          widgets/   the live views
    repl.py        the ``kedis`` REPL          util/      small helpers

Imports go one way: the front ends (jupyter, kernel, widgets, repl) and the network use the
engine; the engine uses the handlers, the structures and persistence; none imports back.
"""


from .engine.client import Client  # noqa: E402
from .engine.dispatcher import Kedis
from .engine.parser import ParseError, split_args  # noqa: E402
from .engine.reply import Array, Bulk, Error, Integer, Null, NullArray, Reply, Status, Verbatim  # noqa: E402
from .engine.trace import KeyState, Step, format_trace  # noqa: E402
from .engine.version import KEDIS_VERSION as __version__  # noqa: E402
from .util.clock import FakeClock, RealClock  # noqa: E402


def load_ipython_extension(shell):  # noqa: ANN001, ANN201 - IPython's extension hook
    """``%load_ext kedis``: the ``%%kedis`` cell magic (see kedis/jupyter/ipython.py)."""
    from .jupyter.ipython import load_ipython_extension as load

    load(shell)


__all__ = [
    "Kedis", "Client", "FakeClock", "RealClock", "ParseError", "split_args",
    "Reply", "Status", "Error", "Integer", "Bulk", "Null", "NullArray", "Array", "Verbatim",
    "Step", "KeyState", "format_trace", "__version__",
]
