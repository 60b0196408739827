"""Build the Kedis labextension: labextension/ (the source) into kedis/labextension/ (committed).

    .venv/bin/python tools/build_labextension.py       (or: make labextension)

For developers who change labextension/: it needs node and npm, which nobody else does. Users
get the built extension with the package, and ``python -m kedis.kernel install`` copies it
where Jupyter looks (kedis/kernel/labextension.py). The steps:

1. ``npm ci`` installs the exact versions of package-lock.json into labextension/node_modules
   (gitignored): @jupyterlab/builder, and CodeMirror's packages, which the build reads but
   does not bundle (JupyterLab shares its own copies with extensions).
2. JupyterLab's builder (webpack) bundles src/ into kedis/labextension/static/, against the
   JupyterLab installed in this Python (its ``staging`` folder names the versions it shares).
   ``jupyter labextension build`` would do the same, through a ``jupyter-builder`` package
   that JupyterLab 4.6 no longer installs; the builder's own script needs nothing more.
3. The digest of the source goes into kedis/labextension/source.sha256, so that a test can tell
   when the committed build is older than its source (tests/kernel/test_labextension.py).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import jupyterlab

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "labextension"
BUILT = ROOT / "kedis" / "labextension"
BUILDER = SOURCE / "node_modules" / "@jupyterlab" / "builder" / "lib" / "build-labextension.js"


def source_files() -> list[Path]:
    """What the build is made of: the code, and the versions of what it is built with."""
    return [SOURCE / "package.json", SOURCE / "package-lock.json",
            *sorted((SOURCE / "src").glob("*.js"))]


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.relative_to(SOURCE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def main() -> int:
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SOURCE, check=True)
    core = Path(jupyterlab.__file__).parent / "staging"
    subprocess.run(["node", str(BUILDER), "--core-path", str(core), "."], cwd=SOURCE, check=True)
    (BUILT / "source.sha256").write_text(source_digest() + "\n")
    print(f"built {BUILT.relative_to(ROOT)}:",
          ", ".join(sorted(path.name for path in (BUILT / "static").iterdir())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
