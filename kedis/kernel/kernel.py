"""The Kedis kernel: an IPython kernel whose cells are Kedis commands.

It *is* ipykernel's ``IPythonKernel``, so that everything Jupyter knows keeps working in it:
``display()``, comms and ipywidgets (the next issue's views), Python cells, history, interrupts.
The only change is where a cell goes. Before IPython reads a cell, a first input transformer
looks at it:

- a cell whose first line is ``%%python`` is Python: the transformer drops that line and IPython
  runs the rest as usual;
- any other cell is Kedis: the transformer turns it into one Python call,
  ``__kedis_run_cell__('<the cell>')``, and IPython runs that call. The call hands the text to a
  ``CellRunner`` (cells.py), which runs each line and displays each reply.

Riding on IPython this way gives Kedis cells an execution count, a place in the history (the
text stored is the Kedis cell, so ``jupyter console``'s history shows commands), errors reported
the standard way (execute_reply ``status: error`` with ``ename``/``evalue``), and interrupts.
Completion, inspection and ``is_complete`` are answered by Kedis for Kedis cells (completion.py)
and by IPython for Python cells.

Persistence: started with ``--dir DIR`` (``python -m kedis.kernel install --dir DIR`` writes it
into the kernelspec), the kernel's engine loads its store from DIR and saves it there, by
Redis's default rules and when the kernel shuts down (see kedis/kernel/__main__.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ipykernel.ipkernel import IPythonKernel

from ..engine.dispatcher import Kedis
from ..engine.parser import is_complete, logical_lines
from ..engine.version import KEDIS_VERSION as __version__
from ..jupyter.cells import CellRunner, read_cell
from ..jupyter.errors import CellError
from ..jupyter.magics import MAGICS

RUN_CELL = "__kedis_run_cell__"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _split_python(code: str) -> tuple[str, int] | None:
    """For a ``%%python`` cell: the Python code and where it starts in the cell; else None."""
    first, newline, rest = code.partition("\n")
    if first.strip() != "%%python":
        return None
    return rest, len(first) + len(newline)


class KedisKernel(IPythonKernel):
    implementation = "kedis"
    implementation_version = __version__
    language_info = {
        "name": "kedis",
        "mimetype": "text/x-kedis",
        "file_extension": ".kedis",
        "pygments_lexer": "kedis",
        # The editor's language while a cell is typed: the labextension's (labextension.py).
        "codemirror_mode": "kedis",
        "version": __version__,
    }
    banner = (f"Kedis {__version__}: a Redis-compatible store you can watch. One command per "
              "line; HELP lists the commands, %lsmagic the magics, %%python starts a Python cell.")
    help_links = [{"text": "Kedis commands: HELP", "url": "https://redis.io/commands/"}]
    #: The engine's configuration (``--dir`` and the other persistence options), set by
    #: ``python -m kedis.kernel`` before the kernel starts; None: in memory only.
    engine_config: dict[str, str] | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        engine = Kedis(config=self.engine_config) if self.engine_config else None
        self.runner = CellRunner(engine=engine, namespace=self.shell.user_ns,
                                 display=self._publish,
                                 widgets=True)  # a Jupyter front end draws kedis.widgets
        self.shell.user_ns[RUN_CELL] = self.runner.run
        # First of IPython's cleanup transforms: Kedis cells never reach IPython's own syntax
        # (its % magics, ! shell escapes, ? help), which would read them as Python.
        self.shell.input_transformer_manager.cleanup_transforms.insert(0, self._route_cell)

    @property
    def kernel_info(self) -> dict:
        """IPython's answer, without the debugger: a Kedis cell is not Python that debugpy could
        step through (and kernel.json says so too)."""
        info = dict(super().kernel_info)
        info["supported_features"] = [feature for feature in info.get("supported_features", [])
                                      if feature != "debugger"]
        return info

    def start(self) -> None:
        super().start()
        self.runner.start_active_expiry(self.io_loop)
        # A cell of thousands of commands publishes replies faster than a busy front end may read
        # them, and past a socket's high-water mark (1,000 waiting messages) ZeroMQ drops them
        # silently: replies would be lost, and even the idle status that ends the cell. So iopub
        # has no limit. The I/O thread sets it: it is the only thread that uses the socket.
        iopub = self.iopub_thread
        if iopub is not None:
            iopub.schedule(lambda: setattr(iopub.socket, "sndhwm", 0))

    def do_shutdown(self, restart: bool) -> Any:
        """Save as redis-server does when it stops (the AOF's last bytes, a SAVE by the rules)."""
        with self.runner.lock:
            if not self.runner.engine.shutdown():  # (persistence/disk.py logged why)
                self.log.warning("Kedis: the final save failed; the kernel stops anyway")
        return super().do_shutdown(restart)

    def _publish(self, data: dict, metadata: dict) -> None:
        """Send one reply to the front end as a display_data message.

        This is what IPython's display() ends with, minus what a Kedis reply does not need. Above
        all, display() first flushes stdout and stderr, which waits for ipykernel's I/O thread:
        three quarters of the cost of a reply. Only Python code writes to them, and the runner
        flushes them after each %python line instead. Hooks (an ipywidgets Output capturing the
        cell's outputs, say) still see every message.
        """
        outputs = [(data, metadata, {})]
        if WIDGET_VIEW in data:
            # A view: its live widget, then its picture, which the end of each cell redraws
            # and a saved notebook keeps (widgets/_live.py).
            from ..widgets._live import outputs_of
            outputs = outputs_of(data, metadata)
        pub = self.shell.display_pub
        for output, output_metadata, transient in outputs:
            msg = pub.session.msg("display_data", {"data": output, "metadata": output_metadata,
                                                   "transient": transient},
                                  parent=pub.parent_header)
            for hook in getattr(pub, "_hooks", ()):
                msg = hook(msg)
                if msg is None:
                    break
            else:
                pub.session.send(pub.pub_socket, msg, ident=pub.topic)

    @staticmethod
    def _route_cell(lines: list[str]) -> list[str]:
        code = "".join(lines)
        if _split_python(code) is not None:
            return lines[1:]
        return [f"{RUN_CELL}({code!r})\n"]

    # --- the front end's questions -----------------------------------------------------------
    def do_complete(self, code: str, cursor_pos: int) -> dict:
        from ..jupyter.completion import complete, python_at

        python = python_at(code, cursor_pos)  # a %%python cell, or the code after %python
        if python is not None:
            return self._for_python(super().do_complete, python, cursor_pos)
        return complete(code, cursor_pos, self._live_keys, ["%" + name for name in MAGICS],
                        {name: magic.choices for name, magic in MAGICS.items()})

    def _live_keys(self) -> Iterable[bytes]:
        """The keys completion may offer: those of the selected database that have not expired
        (an expired key stays in the dict until something touches it)."""
        db = self.runner.engine.keyspace
        return (key for key in db.data if not db.is_expired(key))

    def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                   omit_sections: Any = ()) -> dict:
        from ..jupyter.completion import inspect, python_at

        python = python_at(code, cursor_pos)
        if python is not None:
            return self._for_python(super().do_inspect, python, cursor_pos, detail_level,
                                    omit_sections)

        text = inspect(code, cursor_pos)
        return {"status": "ok", "found": text is not None,
                "data": {"text/plain": text} if text is not None else {}, "metadata": {}}

    def do_is_complete(self, code: str) -> dict:
        if _split_python(code) is not None:
            # The whole cell, %%python line included: IPython's check runs our transformer too,
            # and it is the %%python line that tells the transformer the cell is Python.
            return super().do_is_complete(code)
        # A Kedis cell waits for more only while its last line has a quote open, as redis-cli's
        # prompt would; a cell that could not run ("SET a"b c"d", "%nosuch") is invalid, and a
        # console then runs it at once, so that the user sees why.
        lines = list(logical_lines(code))
        if lines:
            last = lines[-1][2]
            if not last.lstrip().startswith(("#", "%")) and not is_complete(last):
                return {"status": "incomplete", "indent": ""}
        try:
            read_cell(code, MAGICS.keys())
        except CellError:
            return {"status": "invalid"}
        return {"status": "complete"}

    def do_history(self, hist_access_type: str, output: bool, raw: bool, session: int = 0,
                   start: int = 0, stop: int | None = None, n: int | None = None,
                   pattern: str | None = None, unique: bool = False) -> dict:
        """IPython's history, with the current session called by its number.

        IPython numbers the entries of the running session 0 in a "range" answer (its shorthand
        for "this session") but by their real number in a "tail" answer; a front end that asks
        for a range of the session a tail named would get entries it cannot match.
        """
        reply = super().do_history(hist_access_type, output, raw, session, start, stop, n,
                                   pattern, unique)
        current = self.shell.history_manager.session_number
        reply["history"] = [(current if entry[0] == 0 else entry[0], *entry[1:])
                            for entry in reply["history"]]
        return reply

    @staticmethod
    def _for_python(ask: Any, python: tuple[str, int], cursor_pos: int, *more: Any) -> dict:
        """Ask IPython about the Python part of a %%python cell, and shift its answer back."""
        code, offset = python
        reply = ask(code, max(cursor_pos - offset, 0), *more)
        for field in ("cursor_start", "cursor_end"):
            if field in reply:
                reply[field] += offset
        # IPython's typed completions carry their own positions, which JupyterLab reads too.
        for item in reply.get("metadata", {}).get("_jupyter_types_experimental", ()):
            for field in ("start", "end"):
                if field in item:
                    item[field] += offset
        return reply
