"""``python -m kedis.kernel``: start the kernel (Jupyter does this), or install its spec.

    python -m kedis.kernel install [--user | --sys-prefix | --prefix P] [--dir DIR]
                                      (the kernelspec, and the editor's labextension)
    python -m kedis.kernel -f CONNECTION_FILE        (what kernel.json tells Jupyter to run)
    python -m kedis.kernel -f CONNECTION_FILE --dir DIR [--appendonly yes] ...

The persistence options are redis-server's, as the REPL's (kedis/repl.py): ``--dir DIR`` loads the
store from DIR at start and saves it there (by Redis's default save rules unless ``--save`` says
otherwise, and at shutdown).
"""

from __future__ import annotations

import argparse
import sys

PERSISTENCE_OPTIONS = ("--dir", "--save", "--dbfilename", "--appendonly", "--appendfsync")


def split_persistence_options(argv: list[str]) -> tuple[list[str], dict[str, str] | None]:
    """Take the persistence options out of the kernel's arguments (the rest are IPKernelApp's):
    the engine's configuration, or None when there are none."""
    from ..engine.config import DEFAULT_SAVE_RULES

    rest: list[str] = []
    config: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, equals, value = arg.partition("=")
        if name in PERSISTENCE_OPTIONS:
            config[name[2:]] = value if equals else next(args, "")
        else:
            rest.append(arg)
    if not config:
        return rest, None
    config.setdefault("save", " ".join(f"{s} {c}" for s, c in DEFAULT_SAVE_RULES))
    return rest, config


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        parser = argparse.ArgumentParser(prog="python -m kedis.kernel install",
                                         description="Install the Kedis kernelspec and labextension.")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--user", action="store_true", help="for this user only")
        where.add_argument("--sys-prefix", action="store_true",
                           help="into this Python's prefix (a virtualenv's, say)")
        where.add_argument("--prefix", help="into the given prefix")
        parser.add_argument("--dir", help="the kernel loads its store from DIR and saves it there")
        options = parser.parse_args(argv[1:])
        from .install import install
        from .labextension import install_labextension

        prefix = sys.prefix if options.sys_prefix else options.prefix
        path = install(user=options.user, prefix=prefix, dir=options.dir)
        print(f"Installed the Kedis kernelspec in {path}")
        # The editor's Kedis language goes beside it, into the same Jupyter data dir.
        path = install_labextension(user=options.user, prefix=prefix)
        print(f"Installed the Kedis labextension in {path}")
        return 0
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import KedisKernel

    argv, KedisKernel.engine_config = split_persistence_options(argv)
    IPKernelApp.launch_instance(argv=argv, kernel_class=KedisKernel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
