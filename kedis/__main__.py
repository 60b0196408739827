"""``python -m kedis``: the REPL (see repl.py)."""

import sys

from .repl import main

sys.exit(main())
