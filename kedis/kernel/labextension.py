"""The Kedis language in JupyterLab's editor: install the prebuilt labextension, with its data.

Exports colour Kedis cells with Pygments (kedis/jupyter/lexer.py), but the cell being typed is
coloured by CodeMirror, in the browser, and CodeMirror knows no Kedis. The labextension (its
source is the repository's ``labextension/`` folder; ``make labextension`` builds it into
``kedis/labextension/``, so no one else ever needs node) registers a CodeMirror language named
"kedis". JupyterLab and Notebook 7 pick a cell's language from the kernel's ``language_info``:
its ``codemirror_mode`` is "kedis" (kernel.py), which names that language.

The colours follow the lexer's rules, which read the command table: which words are commands,
which arguments are keys, which are options. The browser cannot import Python, so the installer
writes what those rules need from the table into the installed extension, as ``commands.json``
next to its code, and the extension fetches it. Written at install time, from the table of the
Kedis being installed, it cannot fall behind the commands.

JupyterLab finds federated extensions in ``<data dir>/labextensions/<name>/``, for each of its data
dirs (``jupyter --paths``): the same prefixes as kernelspecs, so ``python -m kedis.kernel
install --sys-prefix`` puts both into the same environment.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from jupyter_core.paths import SYSTEM_JUPYTER_PATH, jupyter_data_dir

from .. import commands  # noqa: F401  (importing the handlers fills the command table)
from ..engine.command_table import TABLE, Command
from ..jupyter.lexer import _first_option_index  # the lexer's rule: the editor reads as it does

__all__ = ["EXTENSION_NAME", "editor_table", "install_labextension"]

#: The npm name of the extension (labextension/package.json): its folder's name once installed.
EXTENSION_NAME = "kedis-jupyterlab"
#: The command table's file, in the installed extension's static/ folder (where its code is).
TABLE_FILE = "commands.json"


def _range_keys(command: Command) -> list[list[int]]:
    # The lexer asks key_positions(argc) without the arguments, so only the key specs whose
    # places follow from the number of arguments ("range" find_keys) colour anything.
    return [[spec.index, spec.last_key, spec.key_step] for spec in command.key_specs
            if spec.keynum is None]


def _entry(command: Command) -> dict[str, Any]:
    names = set(command.display_name.split())
    entry: dict[str, Any] = {
        "keys": _range_keys(command),
        "options": [word for word in command.tokens() if word not in names],
        "firstOption": _first_option_index(command),
    }
    if command.subcommands:
        entry["subcommands"] = {name: _entry(sub) for name, sub in sorted(command.subcommands.items())}
    return entry


def editor_table() -> dict[str, Any]:
    """What the editor's mode needs of the command table, by lower-case command name: where the
    keys are (``[index, last_key, step]`` ranges), the option words, from which argument options
    may stand, and the subcommands, each described the same way."""
    return {name.decode(): _entry(command) for name, command in sorted(TABLE.items())}


def install_labextension(user: bool = False, prefix: str | None = None) -> Path:
    """Copy the built extension into the data dir Jupyter reads (the user's, ``prefix``'s
    share/jupyter, or the system's, as for the kernelspec), write its command table there;
    returns where it went."""
    # Where KernelSpecManager.install_kernel_spec puts a kernelspec, for the same arguments.
    if user:
        data_dir = Path(jupyter_data_dir())
    elif prefix is not None:
        data_dir = Path(prefix) / "share" / "jupyter"
    else:
        data_dir = Path(SYSTEM_JUPYTER_PATH[0])
    target = data_dir / "labextensions" / EXTENSION_NAME
    with resources.as_file(resources.files("kedis") / "labextension") as built:
        if not (built / "package.json").exists():
            raise FileNotFoundError(f"{built} holds no built labextension (make labextension)")
        if target.exists():
            shutil.rmtree(target)  # a previous version's chunks have other names
        shutil.copytree(built, target)
    (target / "static" / TABLE_FILE).write_text(json.dumps(editor_table(), separators=(",", ":")))
    return target
