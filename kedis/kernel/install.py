"""Install the Kedis kernelspec, as ``ipykernel install`` and bash_kernel's installer do.

The spec's files (``kernel.json`` and the logos) live in the repository's ``kernel/`` folder, which
is installed as the package ``kedis.kernelspec``. Installing copies them into Jupyter's kernels
directory, with ``argv[0]`` set to the Python running this command, so the kernel starts with the
Python (and the packages) it was installed from.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "kedis"
SPEC_FILES = ("kernel.json", "logo-32x32.png", "logo-64x64.png")


def install(user: bool = False, prefix: str | None = None, dir: str | None = None) -> str:
    """Install the kernelspec; returns the directory it went to. With ``dir``, the kernel
    loads its store from that folder and saves it there (its argv gets ``--dir``)."""
    source = resources.files("kedis.kernelspec")
    with tempfile.TemporaryDirectory() as staging:
        for name in SPEC_FILES:
            with resources.as_file(source / name) as path:
                shutil.copy(path, Path(staging) / name)
        spec_path = Path(staging) / "kernel.json"
        spec = json.loads(spec_path.read_text())
        spec["argv"][0] = sys.executable
        if dir is not None:
            spec["argv"] += ["--dir", str(Path(dir).resolve())]
        spec_path.write_text(json.dumps(spec, indent=2) + "\n")
        return KernelSpecManager().install_kernel_spec(staging, KERNEL_NAME, user=user,
                                                       prefix=prefix)
