"""The Jupyter front end: what a notebook cell of Redis commands goes through.

    cells.py       a cell read line by line, each reply shown as redis-cli shows it
    magics.py      the ``%`` magics: %trace, %clock, %connect, %compare, the views...
    errors.py      what a cell can go wrong with, shown in one line
    html.py        replies as HTML, everything escaped
    completion.py  Tab completion and Shift-Tab help, from the command table
    lexer.py       highlighting of commands (a Pygments lexer)
    ipython.py     ``%load_ext kedis``: the same cells in an ordinary IPython kernel
    tutorial.py    the checks of the tutorials' exercises (notebooks/)

The kernel itself (../kernel) and the live views (../widgets) are folders of their own, beside
this one, because their import paths are public (``python -m kedis.kernel install``,
``from kedis.widgets import StoreView``). How it talks to the rest: everything here uses the
engine (``Kedis``, ../engine) or a real Redis (../network/remote.py); nothing below imports it.
"""
