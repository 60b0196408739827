"""Live views of a Kedis engine, for Jupyter: the store, the expiry queue, a command's flow.

    from kedis.widgets import StoreView, ExpiryView, FlowView, Dashboard

    db = kedis.Kedis()
    StoreView(db)      # every key: type, value, TTL counting down, size; the last change marked
    ExpiryView(db)     # the keys that will expire, in order; each expiration, lazy or active
    FlowView(db)       # each command's steps through the layers, back, forward and play
    StructureView(db, "key")  # how Redis would hold the key's value in memory, step by step
    Dashboard(db)      # the three together, and the structure of a key as a tab

Each view follows its engine by itself (``engine.watch`` after every command, the expiry hooks,
the active cycle's ticks): whatever runs a command, a cell, Python code or a thread, the views
show it without the cell being run again. ``view.close()`` stops that. See ``_live.py`` for how
a view keeps up with a busy engine at little cost, and each view's module for what it shows.

How they are built: each view is an ipywidgets 8 widget whose drawing is a small ES module
(``static/*.js``, shipped with the package), loaded by **anywidget**. The usual way to write a
custom widget is a JupyterLab extension: a JavaScript package built with Node and webpack, and
installed (and built again) into every Jupyter that should show it. anywidget needs none of
that: its own front-end part is one prebuilt extension that ships with the ``anywidget`` Python
package, and it loads each widget's module from the widget's state. So these views work in
JupyterLab 4 and Notebook 7 (and VS Code, Colab) once ``pip install kedis`` is done, and their
code stays readable: plain modern JavaScript, no build step, no framework.

What the browser shows is text made in Python (``_format.py``): keys and values as redis-cli
escapes them. The JavaScript builds every element with ``createElement`` and ``textContent``,
never ``innerHTML``, so a key that looks like HTML is shown as the characters it holds.
"""

from __future__ import annotations

from ._live import close_views, views_of
from .dashboard import Dashboard
from .expiry import ExpiryView
from .flow import FlowView
from .store import StoreView
from .structure import StructureView

__all__ = ["StoreView", "ExpiryView", "FlowView", "StructureView", "Dashboard", "views_of",
           "close_views"]
