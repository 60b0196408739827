"""Browser tests' helpers: a real JupyterLab, Debian's Chromium, notebooks run as a user runs them.

The kernel tests (kernel_client.py) check the messages on the wire; these helpers check what a
user *sees*: the page that JupyterLab (or Notebook 7) draws from those messages, widgets included.

- ``JupyterServer`` starts ``jupyter lab`` from the running Python's environment (``.venv``) on a
  free loopback port, with no token and no password, in a temporary root folder, and with its own
  temporary config, data, runtime, settings, workspaces and IPython folders, so that a run neither
  reads nor writes the user's. It waits until ``/api/kernelspecs`` answers (with the Kedis kernel in it) and stops the server (and so
  its kernels) at the end.
- ``chromium()`` launches ``/usr/bin/chromium`` through Playwright for Python. Playwright's own
  browser download cannot work on a closed network, so the system browser is used, with the flags
  that keep it from calling home (Playwright gives it a fresh, temporary profile).
- ``write_notebook`` writes a notebook on the Kedis kernel; ``NotebookPage`` opens it in a new
  browser context, waits for the kernel, runs every cell (the "Run All Cells" command), waits until
  each cell has its execution count, and records what would otherwise pass unnoticed: JavaScript
  dialogs (``alert``: none may appear), uncaught page errors and console errors.
- Screenshots go to ``tests/output/screenshots/`` (gitignored).

Every wait has a deadline, so a page that never draws fails its test instead of blocking the run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import nbformat
import pytest
from playwright.sync_api import expect, sync_playwright
from redis_oracle import free_port

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "SCREENSHOTS", "JupyterServer", "NotebookPage",
           "chromium", "expect", "jupyter_server", "require_chromium", "write_notebook"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these, Chromium opens connections of its own, which this closed network refuses.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "output" / "screenshots"

SERVER_TIMEOUT = 60.0    # seconds for jupyter lab to answer /api/kernelspecs
STOP_TIMEOUT = 20.0      # seconds for it to stop (and stop its kernels) after SIGTERM
PAGE_TIMEOUT = 60.0      # seconds for the page to load and its kernel to be idle
CELLS_TIMEOUT = 60.0     # seconds for every cell to have run
# Uncaught errors of Notebook 7's own front end (7.6), thrown with the stock python3 kernel too:
# its shortcuts plugin reads a plugin's schema before that has loaded, and, once JupyterLab has
# been used on the same server, its file browser's restorer calls a command Notebook 7 lacks.
KNOWN_FRONT_END_ERRORS = ("Cannot read properties of undefined (reading 'schema')",
                          "Command 'filebrowser:open-path' not registered.")
EXPECT_TIMEOUT = 15.0    # seconds for an expected text to appear (outputs render after the reply)
KERNEL_SPEC = {"name": "kedis", "display_name": "Kedis", "language": "kedis"}

# Playwright's expect() retries until the page shows what is expected, or the timeout.
expect.set_options(timeout=EXPECT_TIMEOUT * 1000)


def require_chromium() -> None:
    """Skip (or, under ``make test``, fail) when Debian's Chromium is not installed."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not installed (make test installs Debian's chromium with apt-get)"
        if os.environ.get("KEDIS_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)


# --- the server ------------------------------------------------------------------------------

class JupyterServer:
    """``jupyter lab`` on a loopback port, serving a temporary folder, with no authentication."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="kedis-browser-"))
        self.root = self.home / "notebooks"
        self.root.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyter.log"
        folders = {name: self.home / name for name in
                   ("config", "data", "runtime", "ipython", "settings", "workspaces")}
        for folder in folders.values():
            folder.mkdir()
        # What the command line cannot say (None, class names) goes into a config file of a
        # config folder of our own, which also keeps the user's ~/.jupyter out of the run.
        config = {
            "LabApp": {
                "expose_app_in_browser": True,   # window.jupyterapp: the page's command registry
                "news_url": None,                # nothing fetched from the internet
                "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                "extension_manager": "readonly",
            },
            "JupyterNotebookApp": {"expose_app_in_browser": True},
        }
        (folders["config"] / "jupyter_server_config.json").write_text(json.dumps(config))
        # No "get notified about official Jupyter news?" toast over the screenshots.
        notification = folders["settings"] / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ,
                   JUPYTER_CONFIG_DIR=str(folders["config"]),
                   JUPYTER_DATA_DIR=str(folders["data"]),  # kernelspecs: only .venv's (make setup)
                   JUPYTER_RUNTIME_DIR=str(folders["runtime"]),
                   JUPYTERLAB_SETTINGS_DIR=str(folders["settings"]),      # JupyterLab and
                   JUPYTERLAB_WORKSPACES_DIR=str(folders["workspaces"]),  # Notebook 7 alike
                   IPYTHONDIR=str(folders["ipython"]),
                   JUPYTER_PLATFORM_DIRS="1")
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                   "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
                   "--IdentityProvider.token=", "--ServerApp.password=",
                   f"--ServerApp.root_dir={self.root}"]
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, env=env, cwd=self.root, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/kernelspecs", timeout=5) as answer:
                    specs = json.load(answer)["kernelspecs"]
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer on {self.url} within "
                                       f"{SERVER_TIMEOUT:.0f} s:\n{self.log_tail()}") from None
                time.sleep(0.2)
        if "kedis" not in specs:
            raise RuntimeError(f"jupyter lab does not know the kedis kernel (it knows {sorted(specs)}):"
                               " `make setup` installs its kernelspec into .venv")

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM: the server shuts its kernels down, then exits (killed if it takes too long)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


@contextmanager
def jupyter_server() -> Iterator[JupyterServer]:
    server = JupyterServer()
    try:
        yield server
    finally:
        server.stop()


def write_notebook(folder: Path, name: str, cells: Sequence[str]) -> str:
    """A notebook of code cells on the Kedis kernel, written as ``folder/name``; returns ``name``."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = dict(KERNEL_SPEC)
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, folder / name)
    return name


# --- the browser -----------------------------------------------------------------------------

@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright: yields a ``Browser``."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()


# Every code cell's prompt shows its execution count ("[3]:"), and the kernel is idle.
_CELLS_DONE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    if (!kernel || kernel.status !== 'idle') return false;
    const prompts = [...panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
}"""

# The same, for one cell.
_CELL_DONE = """(index) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const prompt = panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')[index];
    return !!(kernel && kernel.status === 'idle' && prompt
              && /^\\[\\d+\\]:$/.test(prompt.textContent.trim()));
}"""

_KERNEL_IDLE = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    const context = panel && panel.sessionContext;
    const kernel = context && context.session && context.session.kernel;
    return !!(kernel && kernel.status === 'idle' && panel.node.querySelector('.jp-Notebook'));
}"""


@dataclass
class NotebookPage:
    """One notebook open in its own browser context, with what the page did on the side."""

    page: Any                                           # playwright Page
    dialogs: list[str] = field(default_factory=list)    # alert/confirm/prompt messages
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions
    console_errors: list[str] = field(default_factory=list)
    panel_id: str = ""                                  # the notebook panel's DOM id

    _workspaces: ClassVar[int] = 0                      # JupyterLab workspaces opened so far

    @classmethod
    @contextmanager
    def open(cls, browser: Any, server: JupyterServer, name: str, *,
             app: str = "lab") -> Iterator[NotebookPage]:
        """Open ``name`` in JupyterLab (``app="lab"``) or Notebook 7 (``app="notebook"``), wait
        until its kernel is idle; at the end, shut the kernel down and close the page."""
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(PAGE_TIMEOUT * 1000)
        page = context.new_page()
        notebook = cls(page)
        page.on("dialog", notebook._on_dialog)
        page.on("pageerror", notebook._on_page_error)
        page.on("console", notebook._on_console)
        if app == "lab":
            # A workspace of its own: JupyterLab would otherwise reopen every notebook the
            # earlier tests opened (the server remembers a workspace's tabs), each with a kernel.
            cls._workspaces += 1
            url = f"{server.url}/lab/workspaces/kedis-test-{cls._workspaces}/tree/{name}"
        else:
            url = f"{server.url}/notebooks/{name}"
        try:
            page.goto(url)
            try:
                page.wait_for_function(_KERNEL_IDLE, polling=100)
            except Exception as error:
                raise AssertionError(f"{name} did not open with an idle Kedis kernel within "
                                     f"{PAGE_TIMEOUT:.0f} s ({notebook.diagnostics()})\n"
                                     f"{server.log_tail()}") from error
            # The notebook's panel: every locator below is inside it.
            notebook.panel_id = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
            if app == "lab":  # the file browser would take a third of every screenshot
                page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            yield notebook
        finally:
            try:
                page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext"
                              ".shutdown()", timeout=10_000)
            except Exception:
                pass  # the server shuts its kernels down when it stops, anyway
            context.close()

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_page_error(self, error: Any) -> None:
        frames = (error.stack or "").splitlines()[1:3]  # where it was thrown, for the report
        self.page_errors.append("\n".join([str(error), *frames]))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    @property
    def problems(self) -> list[str]:
        """What must not happen: a dialog, an uncaught error (less the known ones of the front
        end itself), an error logged to the console (where a widget's failure to draw goes)."""
        return ([f"dialog {dialog}" for dialog in self.dialogs]
                + [f"uncaught {error}" for error in self.page_errors
                   if not error.startswith(KNOWN_FRONT_END_ERRORS)]
                + [f"console {error}" for error in self.console_errors])

    def diagnostics(self) -> str:
        return (f"dialogs: {self.dialogs}, page errors: {self.page_errors}, "
                f"console errors: {self.console_errors}")

    # --- running ---------------------------------------------------------------------------
    def run_all(self, timeout: float = CELLS_TIMEOUT) -> None:
        """Run every cell, as Run > Run All Cells does, and wait until each one has run."""
        # Not awaited: the command's promise is not needed, and waiting on it can hang the call.
        self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        try:
            self.page.wait_for_function(_CELLS_DONE, polling=100, timeout=timeout * 1000)
        except Exception as error:
            raise AssertionError(f"the cells did not all run within {timeout:.0f} s "
                                 f"(prompts: {self.prompts()}; {self.diagnostics()})") from error

    def run_cell(self, index: int, timeout: float = CELLS_TIMEOUT) -> None:
        """Run the ``index``-th cell alone, as Ctrl-Enter does, and wait until it has run.

        The cell must not have run before: its prompt's number is what tells that it has.
        """
        self.page.evaluate("""(index) => {
            const app = window.jupyterapp;
            const notebook = app.shell.currentWidget.content;
            notebook.activeCellIndex = index;
            notebook.deselectAll();
            app.commands.execute('notebook:run-cell');
        }""", index)
        try:
            self.page.wait_for_function(_CELL_DONE, arg=index, polling=100, timeout=timeout * 1000)
        except Exception as error:
            raise AssertionError(f"cell {index} did not run within {timeout:.0f} s "
                                 f"(prompts: {self.prompts()}; {self.diagnostics()})") from error

    def prompts(self) -> list[str]:
        return [text.strip() for text in
                self.panel.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()]

    # --- reading ---------------------------------------------------------------------------
    @property
    def panel(self) -> Any:
        """The notebook's panel (a Locator)."""
        return self.page.locator(f'[id="{self.panel_id}"]')

    def cell(self, index: int) -> Any:
        """The ``index``-th code cell (a Locator)."""
        return self.panel.locator(".jp-Notebook .jp-CodeCell").nth(index)

    def outputs(self, index: int) -> Any:
        """The outputs of the ``index``-th code cell, one Locator match per output."""
        return self.cell(index).locator(".jp-OutputArea-output")

    def output_texts(self, index: int) -> list[str]:
        return [text.strip() for text in self.outputs(index).all_inner_texts()]

    def screenshot(self, name: str, target: Any = None) -> Path:
        """Save a PNG of ``target`` (a Locator), or of the page, as tests/output/screenshots/name."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        (target if target is not None else self.page).screenshot(path=str(path))
        return path
