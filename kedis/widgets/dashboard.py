"""Dashboard: the views of one engine together, live.

The store on top (what is there), and below it two tabs: the expiry queue (what will go, and how
things went) beside the flow of the last command (how it got there); and the structure of one
key (how Redis would hold it in memory, structure.py): the last key a command touched, or the
key clicked in the store. Each view follows the engine on its own, so the dashboard is only their
layout: ipywidgets boxes holding them, which close them with itself.

Every view tells time by the engine's clock (a FakeClock's 2023 under ``%clock fake``), never the
browser's: the one place where a time is written out, the expiry queue's clock line, says which
clock it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets
import traitlets

from ._live import register, unregister
from .expiry import ExpiryView
from .flow import FlowView
from .store import StoreView
from .structure import StructureView

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis

__all__ = ["Dashboard"]


class Dashboard(ipywidgets.VBox):
    """StoreView, ExpiryView, FlowView and StructureView of one engine, in one widget
    (``.store``, ``.expiry``, ``.flow``, ``.structure``)."""

    #: The tabs below the store, in order.
    TABS = ("expiry and flow", "structure")

    def __init__(self, engine: Kedis, db: int | None = None, pattern: str = "*",
                 page_size: int = 50, limit: int = 20, history: int = 20,
                 **kwargs: Any) -> None:
        self.engine = engine
        self.store = StoreView(engine, db=db, pattern=pattern, page_size=page_size)
        self.expiry = ExpiryView(engine, db=db, limit=limit)
        self.flow = FlowView(engine, history=history)
        self.structure = StructureView(engine, db=db)  # the last key touched, or one clicked
        below = ipywidgets.HBox([self.expiry, self.flow])
        below.add_class("kedis-dashboard-below")
        tabs = ipywidgets.Tab([below, self.structure], titles=self.TABS)
        tabs.add_class("kedis-dashboard-tabs")
        super().__init__([self.store, tabs], **kwargs)
        self._below, self.tabs = below, tabs
        # A key clicked in the store is shown in the structure tab, which comes to the front.
        self.structure.observe(self._picked, "picked")
        # The structure pushes only while its tab is in front (it keeps its states meanwhile):
        # a hidden view must not cost every cell a message.
        self.structure.pause(True)
        tabs.observe(self._tab_chosen, "selected_index")
        self.add_class("kedis-dashboard")
        register(engine, self)

    def __repr__(self) -> str:
        return f"<Dashboard of {self.engine!r}>"

    # Its picture, for a notebook read without the kernel: the three views' (_live.py, picture.py).
    def picture_text(self) -> str:
        from .picture import dashboard_text
        return dashboard_text(self)

    def picture_html(self) -> str:
        from .picture import dashboard_html
        return dashboard_html(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        from ._live import with_picture
        for view in self.views:
            view.flush()
        return with_picture(self, super()._repr_mimebundle_(**kwargs))

    def _ipython_display_(self) -> None:
        from ._live import display_with_picture
        display_with_picture(self)

    @traitlets.observe("comm")
    def _watch_comm(self, change: dict) -> None:
        if change["new"] is not None:  # closed in the browser: close the views too
            change["new"].on_close(lambda _msg: self.close())

    def _tab_chosen(self, change: dict) -> None:
        self.structure.pause(change["new"] != self.TABS.index("structure"))

    def _picked(self, change: dict) -> None:
        if change["new"]:
            self.tabs.selected_index = self.TABS.index("structure")

    @property
    def views(self) -> tuple[StoreView, ExpiryView, FlowView, StructureView]:
        return (self.store, self.expiry, self.flow, self.structure)

    def close(self) -> None:
        unregister(self.engine, self)
        for view in self.views:
            view.close()
        self._below.close()
        self.tabs.close()
        super().close()
