"""The browser tests' two fixtures, for every test_browser_*.py here: a JupyterLab of its own for
each test module (``server``, its root a temporary folder) and Debian's Chromium (``browser``);
see ../browser.py."""

from __future__ import annotations

import pytest
from browser import JupyterServer, chromium, jupyter_server, require_chromium


@pytest.fixture(scope="module")
def server() -> JupyterServer:
    require_chromium()
    with jupyter_server() as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(server: JupyterServer):
    with chromium() as browser:
        yield browser
