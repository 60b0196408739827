"""The editor's Kedis language: the labextension, where it is installed, what it is told.

JupyterLab colours a cell while it is typed only if three things hold, one test each: the
kernel's language_info names the language ("kedis", the name the extension registers), the
extension is installed where JupyterLab looks (``jupyter labextension list`` says enabled and
OK), and the command table it reads is the one of this Kedis. The committed build is also
checked against its source (labextension/), which only ``make labextension`` turns into it.
What the page then shows is tests/jupyter/test_browser_highlight.py's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kernel_client import kernel_session

from kedis.kernel.labextension import EXTENSION_NAME, TABLE_FILE, editor_table

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "labextension"
BUILT = ROOT / "kedis" / "labextension"
JUPYTER = Path(sys.executable).with_name("jupyter")


def test_language_info_names_the_mode_the_extension_registers():
    with kernel_session("kedis") as kernel:
        info = kernel.request("kernel_info")["language_info"]
    registered = re.search(r"name: '([^']+)'", (SOURCE / "src" / "index.js").read_text())
    assert info["codemirror_mode"] == registered.group(1) == "kedis"
    mime = re.search(r"mime: '([^']+)'", (SOURCE / "src" / "index.js").read_text())
    assert info["mimetype"] == mime.group(1)


def test_the_built_extension_is_the_build_of_its_source():
    # The digest is written by tools/build_labextension.py; the source changed since, if not equal.
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_labextension
    finally:
        sys.path.pop(0)
    assert (BUILT / "source.sha256").read_text().strip() == build_labextension.source_digest(), \
        "labextension/ changed since kedis/labextension/ was built: run make labextension"
    built = json.loads((BUILT / "package.json").read_text())
    assert built["name"] == EXTENSION_NAME
    assert (BUILT / built["jupyterlab"]["_build"]["load"]).exists()


def install(prefix: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kedis.kernel", "install", "--prefix",
                           str(prefix)], capture_output=True, text=True, timeout=60)


def test_install_puts_the_extension_and_this_kedis_command_table_beside_the_kernelspec(tmp_path):
    done = install(tmp_path)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "share" / "jupyter" / "labextensions" / EXTENSION_NAME
    assert str(target) in done.stdout
    built = sorted(p.name for p in (BUILT / "static").iterdir())
    assert sorted(p.name for p in (target / "static").iterdir()) == sorted([*built, TABLE_FILE])
    assert json.loads((target / "static" / TABLE_FILE).read_text()) == editor_table()
    # Again, over the first: the same files, nothing left of the old copy.
    (target / "static" / "old-chunk.js").write_text("")
    assert install(tmp_path).returncode == 0
    assert not (target / "static" / "old-chunk.js").exists()


def listed(listing: str, folder: Path) -> list[str]:
    """The extensions ``jupyter labextension list`` lists under ``folder``: it names each
    folder it looked in, then, indented, what it found there."""
    lines = re.sub(r"\x1b\[[0-9;]*m", "", listing).splitlines()
    start = lines.index(str(folder)) + 1 if str(folder) in lines else len(lines)
    found = []
    for line in lines[start:]:
        if not line.startswith((" ", "\t")):
            break
        found.append(line.strip())
    return found


@pytest.mark.parametrize("where", ["prefix", "sys-prefix"])
def test_jupyter_labextension_list_shows_it_enabled_and_ok(tmp_path, where):
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    if where == "prefix":
        # A fresh prefix, put on Jupyter's path: the installer alone makes it work.
        assert install(tmp_path / "prefix").returncode == 0
        env["JUPYTER_PATH"] = str(tmp_path / "prefix" / "share" / "jupyter")
        folder = tmp_path / "prefix" / "share" / "jupyter" / "labextensions"
    else:
        # .venv's own, which `make setup` (python -m kedis.kernel install --sys-prefix) made.
        folder = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    done = subprocess.run([str(JUPYTER), "labextension", "list"], capture_output=True, text=True,
                          timeout=120, env=env)
    found = listed(done.stdout + done.stderr, folder)
    assert any(re.fullmatch(rf"{EXTENSION_NAME} v\S+ enabled OK", line) for line in found), \
        done.stdout + done.stderr
