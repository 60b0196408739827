"""``python -m kedis.kernel``: start the kernel (Jupyter does this), or install its spec.

    python -m kedis.kernel install [--user | --sys-prefix | --prefix P]
    python -m kedis.kernel -f CONNECTION_FILE        (what kernel.json tells Jupyter to run)
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        parser = argparse.ArgumentParser(prog="python -m kedis.kernel install",
                                         description="Install the Kedis kernelspec.")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--user", action="store_true", help="for this user only")
        where.add_argument("--sys-prefix", action="store_true",
                           help="into this Python's prefix (a virtualenv's, say)")
        where.add_argument("--prefix", help="into the given prefix")
        options = parser.parse_args(argv[1:])
        from .install import install

        prefix = sys.prefix if options.sys_prefix else options.prefix
        path = install(user=options.user, prefix=prefix)
        print(f"Installed the Kedis kernelspec in {path}")
        return 0
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import KedisKernel

    IPKernelApp.launch_instance(argv=argv, kernel_class=KedisKernel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
