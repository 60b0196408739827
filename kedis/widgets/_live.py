"""What makes a view live: it hears every change of the engine, and tells the browser, sparingly.

A view subscribes to three things of its engine:

- ``engine.watch(callback)``: a CommandEvent after every command (watch.py), whoever ran it;
- ``engine.hooks.on_expire``: each key that expires, lazily (on access) or actively;
- the active expiry cycles: ``engine.expiry.listeners`` (expiry.py) hears each cycle's report,
  slow or fast, whoever ran it (the kernel's ``tick()`` ten times a second, its
  ``before_sleep()`` after a cell, a test by hand).

Two costs are kept apart. **Hearing** an event must be cheap, because it happens inside every
command: a view's handler only *notes* what the command did (the keys it named go into a set,
the event is kept), and marks the view *dirty*. The work those notes ask for (placing keys in
sorted lists, making text) waits for the push, where it is done once for all the commands heard
since the last one: a key that a cell sets a thousand times is placed once. **Pushing**
(catching up, computing what the browser shows and sending it) costs more, so it is throttled: at most one push every ``PUSH_INTERVAL`` seconds, decided when an event arrives. The
last changes of a cell are not lost to the throttle: in a Jupyter kernel, a view is also pushed
when the cell ends (IPython's ``post_execute`` event). Outside a kernel (a script, a test) there
is no "end of cell", so every event is pushed at once: the state is always current.

A push sends only what changed (traitlets compares each value with the one last sent), and the
engine's clock (``now_ms``) goes along only with another change, or when a fake clock has moved:
a real clock moves by itself, and the browser counts from the last ``now_ms`` it got. So an idle
view sends nothing at all.

``close()`` unsubscribes everything; so does the browser closing the widget's comm. A callback
that fails is logged and forgotten: a bug in a view must never break a command.

**What a notebook keeps of a view.** A saved notebook holds a widget's output as a model id,
which nothing can draw once the kernel is gone. So a view's bundle also carries its *picture*:
its last state as text and static HTML (picture.py says who shows which, and why it is plain
HTML). In a kernel, a view that follows an engine is published as two outputs: the live widget,
then its picture with a display id. At the end of a cell the picture of each view whose state
changed is sent again (``update_display_data``), at most about once a second (``redraw_soon``):
that is what a notebook saved now stores. The widget's own output is never updated: JupyterLab's
widget renderer answers any update of it by building a new view of the model, and the old one
is not disposed (measured in the browser: the old element detached, yet still redrawn at each
push), so each cell would leak a view and lose what the browser alone held. While the live view
is drawn, kedis.css hides the picture just below it; a notebook reopened without the kernel, an
export or a code host has no kedis.css, and shows it.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..engine.watch import unwatch, watch
from ..util.clock import FakeClock
from . import picture

if TYPE_CHECKING:
    from ..engine.dispatcher import Kedis
    from ..engine.expiry import CycleReport
    from ..engine.keyspace import Database
    from ..engine.watch import CommandEvent

__all__ = ["LiveView", "PlacingView", "views_of", "close_views", "register", "unregister",
           "static_file"]

#: Seconds between two pushes of one view, at least (about ten a second).
PUSH_INTERVAL = 0.1


def static_file(name: str) -> str:
    """A file shipped beside this module in ``static/`` (the views' JavaScript and CSS)."""
    from importlib.resources import files

    return files(__package__).joinpath("static", name).read_text(encoding="utf-8")


# --- which views watch which engine ----------------------------------------------------------
# engine id -> (engine, [views]). The list holds anything with close(): views and dashboards.
_VIEWS: dict[int, tuple[Any, list]] = {}
_REGISTRY_LOCK = threading.Lock()


def register(engine: Kedis, view: Any) -> None:
    with _REGISTRY_LOCK:
        entry = _VIEWS.setdefault(id(engine), (engine, []))
        entry[1].append(view)
        listeners = engine.expiry.listeners
        if not any(isinstance(listener, _CycleHook) for listener in listeners):
            listeners.append(_CycleHook(engine))


def unregister(engine: Kedis, view: Any) -> None:
    with _REGISTRY_LOCK:
        entry = _VIEWS.get(id(engine))
        if entry is None or view not in entry[1]:
            return
        entry[1].remove(view)
        if not entry[1]:
            del _VIEWS[id(engine)]
            # Nobody to tell about the cycles any more.
            engine.expiry.listeners[:] = [listener for listener in engine.expiry.listeners
                                          if not isinstance(listener, _CycleHook)]


def views_of(engine: Kedis) -> list:
    """The open views (and dashboards) of an engine."""
    entry = _VIEWS.get(id(engine))
    return list(entry[1]) if entry is not None else []


def close_views(engine: Kedis) -> None:
    """Close every view of an engine (the kernel's ``%reset`` replaces the engine)."""
    for view in views_of(engine):
        view.close()


class _CycleHook:
    """The one listener of an engine's expiry cycles while it has views: it hands each report to
    every view that wants it (``_on_tick``)."""

    def __init__(self, engine: Kedis) -> None:
        self.engine = engine

    def __call__(self, report: CycleReport) -> None:
        for view in views_of(self.engine):
            on_tick = getattr(view, "_on_tick", None)
            if on_tick is not None:
                on_tick(report)


# --- the end of a cell, in a Jupyter kernel -------------------------------------------------------
_IDLE_VIEWS: weakref.WeakSet = weakref.WeakSet()
_IDLE_SHELLS: set[int] = set()


def _kernel_shell() -> Any:
    """IPython's shell when running in a Jupyter kernel (ipykernel), else None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


def _after_cell(*_: Any) -> None:
    for view in list(_IDLE_VIEWS):
        view.flush()
    redraw_soon()


def _push_when_idle(view: LiveView, shell: Any) -> None:
    if id(shell) not in _IDLE_SHELLS:
        shell.events.register("post_execute", _after_cell)
        _IDLE_SHELLS.add(id(shell))
    _IDLE_VIEWS.add(view)


# --- the picture: what a notebook keeps of a view once the kernel is gone ------------------------
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: The widgets shown with their picture in this kernel, and the version of their state that
#: picture drew (see ``redraw_pictures``).
_SHOWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FOLLOWING: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # the same, by model id


def _drawing(cls: type, form: str) -> Callable[[Any], str] | None:
    """picture.py's function for a view class (or the class it extends): StoreView's
    ``store_text`` and ``store_html``."""
    for klass in cls.__mro__:
        kind = klass.__name__.removesuffix("View").lower()
        draw = getattr(picture, f"{kind}_{form}", None)
        if draw is not None:
            return draw
    return None


def picture_id(data: dict) -> str:
    """The display id of a view's picture output (``data`` holds its widget view)."""
    return "kedis-picture-" + data[WIDGET_VIEW]["model_id"]


def _version(widget: Any) -> Any:
    """What tells whether a widget's state changed: a view's count of its traits' changes; a
    dashboard's, those of its views."""
    views = getattr(widget, "views", None)
    if views is not None:
        return tuple(view._version for view in views)
    return widget._version


def with_picture(widget: Any, bundle: Any) -> tuple[dict, dict] | None:
    """A widget's MIME bundle (``data`` or ``(data, metadata)``, as ipywidgets and anywidget
    make it) with the widget's picture beside the widget view: ``text/plain`` and ``text/html``."""
    if bundle is None:
        return None
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    data = dict(data, **{"text/plain": widget.picture_text(), "text/html": widget.picture_html()})
    if (WIDGET_VIEW in data and getattr(widget, "engine", None) is not None
            and _kernel_shell() is not None):
        # A widget that follows an engine, in a kernel: the end of each cell redraws its picture
        # if it changed. (A FlowView of one given trace, %trace's or %flow COMMAND's, stays on
        # it: its picture is drawn once, in its one output.)
        _SHOWN[widget] = _version(widget)
        _FOLLOWING[widget.model_id] = widget
    return data, metadata


#: What the live output says where it is not drawn (a console, a text export, a notebook whose
#: kernel is gone): its picture is the next output.
LIVE_TEXT = "(a live view, where widgets can be drawn; its picture follows)"


def outputs_of(data: dict, metadata: dict) -> list[tuple[dict, dict, dict]]:
    """How a kernel publishes a view's bundle, as outputs ``(data, metadata, transient)``.

    A view that follows an engine is two outputs. First the widget view, which the browser draws
    live; then its picture, with a display id: the end of each cell redraws it
    (``redraw_pictures``) without touching the live widget, and kedis.css hides it while the
    live view is drawn just above it. Anything else is one output, as it is."""
    widget = _FOLLOWING.get(data[WIDGET_VIEW]["model_id"]) if WIDGET_VIEW in data else None
    if widget is None:
        return [(data, metadata, {})]
    live = {WIDGET_VIEW: data[WIDGET_VIEW], "text/plain": LIVE_TEXT}
    # (its own text, which the end of a cell redraws, whatever text the caller gave the bundle)
    still = {"text/plain": widget.picture_text(), "text/html": data["text/html"]}
    return [(live, metadata, {}), (still, {}, {"display_id": picture_id(data)})]


def display_with_picture(widget: Any) -> None:
    """IPython's ``display(widget)`` (and a cell's last value): the live view, then its picture."""
    from IPython.display import display

    bundle = widget._repr_mimebundle_()
    if bundle is None:
        return
    for data, metadata, transient in outputs_of(*bundle):
        display(data, raw=True, metadata=metadata, display_id=transient.get("display_id"))


#: Seconds between two redraws of the pictures, at least. A cell that ends sooner after the last
#: redraw has its pictures redrawn that much later, between cells, on the kernel's event loop.
REDRAW_INTERVAL = 1.0
_redraws = {"last": 0.0, "pending": False}


def redraw_soon() -> None:
    """Redraw the pictures now (the end of a cell), or, within ``REDRAW_INTERVAL`` of the last
    redraw, once that much time has passed: cells run one after the other (Run All) redraw
    about once a second, not once a cell, and the last cell's state is still drawn."""
    shell = _kernel_shell()
    if shell is None or not _SHOWN:
        return
    wait = _redraws["last"] + REDRAW_INTERVAL - time.monotonic()
    loop = getattr(getattr(shell, "kernel", None), "io_loop", None)
    if wait <= 0 or loop is None:
        redraw_pictures()
    elif not _redraws["pending"]:
        _redraws["pending"] = True
        loop.call_later(wait, _redraw_later)


def _redraw_later() -> None:
    _redraws["pending"] = False
    try:
        for view in list(_IDLE_VIEWS):
            view.flush()
        redraw_pictures()
    except Exception:  # (on the event loop: a failure must not stop the kernel's other work)
        import logging
        logging.getLogger(__name__).exception("Kedis: redrawing the views' pictures failed")


def redraw_pictures() -> None:
    """Draw each shown widget's picture again, where its state changed since it was drawn.

    Only the picture output is updated (``update_display_data`` with its display id): updating
    the live output instead, even with the same widget view in it, makes JupyterLab's widget
    renderer build a new view of the model each time, and the one before lives on, detached,
    drawing every change. A picture follows the cells, not each command (``redraw_soon``), and
    costs nothing while its view does not change.
    """
    shell = _kernel_shell()
    pub = getattr(shell, "display_pub", None)
    if pub is None or not _SHOWN:
        return
    for widget, drawn in list(_SHOWN.items()):
        if widget.comm is None:  # closed: its outputs keep their last picture
            del _SHOWN[widget]
            continue
        version = _version(widget)
        if version == drawn:
            continue
        _SHOWN[widget] = version
        _redraws["last"] = time.monotonic()
        model = {WIDGET_VIEW: {"model_id": widget.model_id}}
        _update(pub, {"text/plain": widget.picture_text(), "text/html": widget.picture_html()},
                {"display_id": picture_id(model)})


def _update(pub: Any, data: dict, transient: dict) -> None:
    """Send an update_display_data. ipykernel's publisher is given the message as the Kedis
    kernel sends its replies (kernel.py's _publish): its own ``publish`` first waits for stdout
    and stderr to be flushed, which is most of the cost, and only Python code writes there."""
    session, socket = getattr(pub, "session", None), getattr(pub, "pub_socket", None)
    if session is None or socket is None:
        pub.publish(data=data, metadata={}, transient=transient, update=True)
        return
    msg = session.msg("update_display_data",
                      {"data": data, "metadata": {}, "transient": transient},
                      parent=pub.parent_header)
    for hook in getattr(pub, "_hooks", ()):
        msg = hook(msg)
        if msg is None:
            return
    session.send(socket, msg, ident=pub.topic)


class LiveView(anywidget.AnyWidget):
    """A widget that follows one engine. Subclasses say what to do with each event (``_command``,
    ``_expired``, ``_ticked``) and what to show (``_state``)."""

    # The engine's clock at the last push, and whether it is fake (a fake clock stands still,
    # so the browser does not count down with it).
    now_ms = traitlets.Int(0).tag(sync=True)
    fake_clock = traitlets.Bool(False).tag(sync=True)
    #: False once the view has stopped following its engine (closed).
    live = traitlets.Bool(True).tag(sync=True)

    _css = static_file("kedis.css")
    _wants_trace = False  # the FlowView asks the engine for each command's steps
    # True while the view sets its own traits (a push, or before it is fully built): observers
    # of traits the browser may set (a page, a filter) then know the change is not a request.
    _applying = True

    def __init__(self, engine: Kedis | None, **kwargs: Any) -> None:
        self._version = 0  # counts the changes of its traits (a picture redraws when it moves)
        super().__init__(**kwargs)
        self.engine = engine
        self._lock = threading.RLock()  # the engine may report from another thread (active expiry)
        self._dirty = False
        self._last_push = 0.0
        self._subscribed = False
        self._shell = _kernel_shell()
        if engine is not None:
            self._subscribe()
        else:
            self.live = False
        self._applying = False

    @contextmanager
    def applying(self) -> Iterator[None]:
        """Set traits as the view's own doing, not as a request to act on."""
        before, self._applying = self._applying, True
        try:
            yield
        finally:
            self._applying = before

    # --- subscribing ---------------------------------------------------------------------------
    def _subscribe(self) -> None:
        engine = self.engine
        watch(engine, self._on_command, trace=self._wants_trace)
        engine.hooks.on_expire.append(self._on_expire)
        register(engine, self)
        if self._shell is not None:
            _push_when_idle(self, self._shell)
        self._subscribed = True

    def _unsubscribe(self) -> None:
        if not self._subscribed:
            return
        self._subscribed = False
        engine = self.engine
        unwatch(engine, self._on_command, trace=self._wants_trace)
        if self._on_expire in engine.hooks.on_expire:
            engine.hooks.on_expire.remove(self._on_expire)
        unregister(engine, self)
        _IDLE_VIEWS.discard(self)

    @traitlets.observe("comm")
    def _watch_comm(self, change: dict) -> None:
        # The browser may close the widget (the notebook's output cleared, the widget deleted):
        # then nobody can see it, and it must stop costing the engine anything.
        if change["new"] is not None:
            change["new"].on_close(lambda _msg: self.close())

    def close(self) -> None:
        """Stop following the engine and close the widget in the browser."""
        self._unsubscribe()
        self.live = False
        super().close()

    # --- hearing events: cheap, inside the command -------------------------------------------
    def _guard(self, handle: Callable[..., None], *args: Any, push: bool = True) -> None:
        try:
            with self._lock:
                handle(*args)
                self._dirty = True
            if push:
                self._maybe_push()
        except Exception:  # a view's bug must not become the command's failure
            self.log.exception("Kedis view %r failed on an engine event", self)

    def _on_command(self, event: CommandEvent) -> None:
        self._guard(self._command, event)

    def _on_expire(self, db: Database, key: bytes, how: str) -> None:
        # Noted, not pushed: a key expires lazily inside a command, whose event follows, or
        # actively inside a tick, whose report follows; a push now would show the command (or
        # the cycle) half done.
        self._guard(self._expired, db, key, how, push=False)

    def _on_tick(self, report: CycleReport) -> None:
        self._guard(self._ticked, report)

    def _command(self, event: CommandEvent) -> None:
        pass

    def _expired(self, db: Database, key: bytes, how: str) -> None:
        pass

    def _ticked(self, report: CycleReport) -> None:
        pass

    # --- pushing: throttled --------------------------------------------------------------------
    def _maybe_push(self) -> None:
        if self._shell is None or time.monotonic() - self._last_push >= PUSH_INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Send the browser what changed since the last push (if anything did)."""
        with self._lock:
            if self.engine is not None:
                clock = self.engine.clock
                fake, now = isinstance(clock, FakeClock), clock.ms()
            else:  # a view of given data (a FlowView of one trace): no clock to follow
                fake, now = self.fake_clock, self.now_ms
            state = self._state() if self._dirty else {}
            self._dirty = False
            self._last_push = time.monotonic()
            changed = {name: value for name, value in state.items()
                       if getattr(self, name) != value}
            clock_moved = fake != self.fake_clock or (fake and now != self.now_ms)
            if not changed and not clock_moved:
                return
            with self.hold_sync(), self.applying():  # one message for all of them
                for name, value in changed.items():
                    setattr(self, name, value)
                self.fake_clock = fake
                self.now_ms = now

    def refresh(self) -> None:
        """Recompute everything from the engine and push it (after changes no event announced)."""
        with self._lock:
            self._rebuild()
            self._dirty = True
        self.flush()

    def _rebuild(self) -> None:
        pass

    def _state(self) -> dict:
        """The synced traits, as they should be now."""
        return {}

    # --- the picture: the view as it was last seen, for where it cannot live ------------------
    @traitlets.observe(traitlets.All)
    def _changed(self, change: dict) -> None:
        self._version += 1
        if not self._applying and self._subscribed:
            # Asked for (a page, a filter, a step: the browser's buttons, or Python), not pushed:
            # no cell may end soon, so the picture is redrawn now, or within the throttle.
            redraw_soon()

    def picture_text(self) -> str:
        """The view's last state as text (a console, nbconvert --to script): drawn by picture.py's
        function named for the view (``store_text`` for a StoreView). A view may draw its own."""
        draw = _drawing(type(self), "text")
        return draw(self) if draw is not None else repr(self)

    def picture_html(self) -> str:
        """The view's last state as static HTML: escaped, inline styles only, no script."""
        draw = _drawing(type(self), "html")
        return draw(self) if draw is not None else f"<pre>{escape(self.picture_text())}</pre>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        self.flush()  # the picture is of the state the browser has
        return with_picture(self, super()._repr_mimebundle_(**kwargs))

    def _ipython_display_(self) -> None:
        display_with_picture(self)


class PlacingView(LiveView):
    """A live view that keeps keys of one database in order: the StoreView by name, the
    ExpiryView by deadline.

    Hearing a command must cost next to nothing, so it only notes the keys the command may have
    moved (``_named``), or that everything must be sorted afresh (``_resort``: another database,
    a flush). The push places each noted key once, however many commands named it
    (``_catch_up``). A subclass says how to sort everything (``_sort_all``), how to place one key
    (``_sync_key``) and whether it holds as many keys as the database says (``_in_step``).
    """

    def __init__(self, engine: Kedis, db: int | None, **kwargs: Any) -> None:
        self._follow = db is None  # follow the database the engine's client has selected
        self._database: Database = engine.keyspace if db is None else engine.databases[db]
        self._named: set[bytes] = set()
        self._resort = False
        super().__init__(engine, db=self._database.id, **kwargs)

    def _rebuild(self) -> None:
        """Sort afresh (a new database, a FLUSHDB...): the only O(n log n) of the view."""
        if self._follow:
            self._database = self.engine.keyspace
        self._named = set()
        self._resort = False
        self._sort_all()

    def _catch_up(self) -> None:
        """Bring the view up to date with the commands heard since the last push."""
        if self._resort:
            self._rebuild()
        else:
            named, self._named = self._named, set()
            for key in named:
                self._sync_key(key)
        if not self._in_step():
            self._rebuild()  # a change no event announced (a key set behind the engine's back)

    def _follow_selection(self) -> bool:
        """Move to the database a SELECT (or the like) chose, to be sorted afresh at the push;
        True when it did."""
        if self._follow and self.engine.keyspace is not self._database:
            self._database = self.engine.keyspace
            self._resort = True
            return True
        return False

    def _sort_all(self) -> None:
        raise NotImplementedError

    def _sync_key(self, key: bytes) -> None:
        raise NotImplementedError

    def _in_step(self) -> bool:
        raise NotImplementedError
