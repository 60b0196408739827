"""A front end for the tests: start a real Jupyter kernel and talk to it as a notebook does.

The kernel is started for real, through jupyter_client's ``KernelManager`` and the installed
kernelspec (``make setup`` puts the ``kedis`` spec into ``.venv``), so the tests see what a user
sees: the messages on the wire. ``KernelSession.run(code)`` sends one ``execute_request``,
collects the cell's IOPub messages until the kernel is idle again, reads the ``execute_reply``
and returns both as a ``CellResult``.

Every wait has a deadline, so a kernel that hangs or dies fails its test in seconds instead of
blocking the whole run. Starting a kernel costs about a second, so a test module starts one and
shares it between its tests (see ``kernel_session``).

Each kernel gets its own IPython directory (a temporary one), so its history starts empty and the
tests never write into the user's ``~/.ipython``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import KernelManager

__all__ = ["CellResult", "KernelSession", "kernel_session", "STARTUP_TIMEOUT", "CELL_TIMEOUT"]

STARTUP_TIMEOUT = 30.0   # seconds for a kernel to answer its first kernel_info_request
CELL_TIMEOUT = 15.0      # seconds for a cell (or any request) to be answered in full

OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error", "clear_output",
                "update_display_data"}


@dataclass
class CellResult:
    """What one execute_request produced: the reply and the cell's outputs, in order."""

    reply: dict[str, Any]                                   # the execute_reply's content
    outputs: list[dict[str, Any]] = field(default_factory=list)  # {"msg_type": ..., **content}

    @property
    def status(self) -> str:
        return self.reply["status"]

    @property
    def displays(self) -> list[dict[str, Any]]:
        """The display_data outputs (every Kedis reply is one)."""
        return [out for out in self.outputs if out["msg_type"] == "display_data"]

    @property
    def texts(self) -> list[str]:
        """The text/plain of every display_data and execute_result, in order."""
        return [out["data"]["text/plain"] for out in self.outputs
                if out["msg_type"] in ("display_data", "execute_result")]

    @property
    def text(self) -> str:
        """The texts joined as a notebook shows them, one output under the other."""
        return "\n".join(self.texts)

    @property
    def stdout(self) -> str:
        return "".join(out["text"] for out in self.outputs
                       if out["msg_type"] == "stream" and out["name"] == "stdout")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [out for out in self.outputs if out["msg_type"] == "error"]


class KernelSession:
    """One running kernel and a blocking client connected to it."""

    def __init__(self, kernel_name: str = "kedis", arguments: list[str] | tuple = ()) -> None:
        self.kernel_name = kernel_name
        self.ipython_dir = tempfile.mkdtemp(prefix="kedis-kernel-test-")
        self.km = KernelManager(kernel_name=kernel_name)
        env = dict(os.environ, IPYTHONDIR=self.ipython_dir)
        try:
            self.km.start_kernel(env=env, extra_arguments=list(arguments))
        except NoSuchKernel:
            shutil.rmtree(self.ipython_dir, ignore_errors=True)
            raise RuntimeError(f"no kernelspec named {kernel_name!r}: `make setup` installs the "
                               "Kedis one into .venv") from None
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except RuntimeError:
            self.close()
            raise

    def close(self, now: bool = True) -> None:
        """Stop the kernel: at once (``now``), or with a shutdown_request it answers first."""
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=now)
        shutil.rmtree(self.ipython_dir, ignore_errors=True)

    # --- requests ----------------------------------------------------------------------------
    def run(self, code: str, timeout: float = CELL_TIMEOUT, **options: Any) -> CellResult:
        """Execute a cell and wait (at most ``timeout`` seconds) until the kernel is idle."""
        msg_id = self.kc.execute(code, **options)
        deadline = time.monotonic() + timeout
        outputs = self.collect_outputs(msg_id, deadline)
        return CellResult(self.shell_reply(msg_id, deadline)["content"], outputs)

    def collect_outputs(self, msg_id: str, deadline: float,
                        on_output: Any = None) -> list[dict[str, Any]]:
        """The IOPub outputs of request ``msg_id``, until its ``status: idle``.

        ``on_output(outputs)`` is called after each new output (the interrupt test uses it to
        stop a cell that is running).
        """
        outputs: list[dict[str, Any]] = []
        while True:
            msg = self._next(self.kc.get_iopub_msg, deadline, f"the outputs of {msg_id}")
            if msg["parent_header"].get("msg_id") != msg_id:
                continue  # a late message of an earlier request
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                return outputs
            if kind in OUTPUT_TYPES:
                outputs.append({"msg_type": kind, **msg["content"]})
                if on_output is not None:
                    on_output(outputs)

    def shell_reply(self, msg_id: str, deadline: float | None = None) -> dict[str, Any]:
        """The shell channel's reply to request ``msg_id`` (the whole message)."""
        if deadline is None:
            deadline = time.monotonic() + CELL_TIMEOUT
        while True:
            msg = self._next(self.kc.get_shell_msg, deadline, f"the reply to {msg_id}")
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def request(self, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Send a shell request (``complete``, ``inspect``, ``is_complete``, ``history``,
        ``kernel_info``) and return its reply's content."""
        msg_id = getattr(self.kc, method)(*args, **kwargs)
        return self.shell_reply(msg_id)["content"]

    def complete(self, code: str, cursor_pos: int | None = None) -> dict[str, Any]:
        return self.request("complete", code, len(code) if cursor_pos is None else cursor_pos)

    def inspect(self, code: str, cursor_pos: int | None = None) -> dict[str, Any]:
        return self.request("inspect", code, len(code) if cursor_pos is None else cursor_pos)

    def is_alive(self) -> bool:
        return self.km.is_alive()

    def _next(self, get: Any, deadline: float, what: str) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise Empty
            return get(timeout=remaining)
        except Empty:
            state = "alive" if self.km.is_alive() else "dead"
            raise AssertionError(f"the {self.kernel_name} kernel ({state}) did not send {what} "
                                 "in time") from None


@contextmanager
def kernel_session(kernel_name: str = "kedis") -> Iterator[KernelSession]:
    """A kernel for the duration of a ``with`` block (a module-scoped fixture's body)."""
    session = KernelSession(kernel_name)
    try:
        yield session
    finally:
        session.close()
