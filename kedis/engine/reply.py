"""Replies: what a command answers, and the two ways to show it.

The last layer. A handler returns one of the typed replies below (Redis's ``addReply*`` functions in
networking.c build the same kinds). Each reply can be rendered two ways:

- ``resp()``: the bytes a Redis server sends on the wire, in RESP2 (``+OK\\r\\n``, ``:1\\r\\n``,
  ``$5\\r\\nhello\\r\\n``, ``$-1\\r\\n``, ``*2\\r\\n...``);
- ``cli()``: the text redis-cli shows for it (``OK``, ``(integer) 1``, ``"hello"``, ``(nil)``,
  ``1) "a"``, ``(empty array)``, ``(error) ERR ...``), or with ``raw=True`` what ``redis-cli --raw``
  shows (values as they are, no quotes, no types).

``terminal(raw)`` gives the exact bytes redis-cli writes for the reply, newlines included; the REPL
uses it so that a Kedis session is byte for byte a redis-cli session.

The module also holds the *shared* replies, as Redis's ``shared`` struct does (server.c,
``createSharedObjects``): ``OK``, ``NULL``, ``ZERO``, ``ONE``... are built once and returned by
every command that needs them, so the hot path allocates nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .parser import repr_bytes

__all__ = [
    "Reply", "Status", "Error", "Integer", "Bulk", "Null", "NullArray", "Array", "Bulks", "Set", "Map",
    "Push", "Frames", "Partial",
    "Verbatim", "Double", "BigNumber", "Boolean", "Attributed", "OK", "PONG", "NULL", "NULL_ARRAY", "ZERO", "ONE", "EMPTY_BULK", "EMPTY_ARRAY",
    "EMPTY_SET", "NO_REPLY", "help_reply", "shown_raw",
]


def _text_bytes(text: str) -> bytes:
    # Messages are str; bytes that came from the user and are not UTF-8 travel as surrogates.
    return text.encode("utf-8", "surrogateescape")


def _c_string(data: bytes) -> bytes:
    # redis-cli's formatted output prints statuses and errors with C's "%s", which stops at a NUL.
    nul = data.find(b"\0")
    return data if nul < 0 else data[:nul]


class Reply:
    """Base of all replies. Replies are values: compare them with ``==``, never mutate them."""

    __slots__ = ("_trace",)

    def resp(self) -> bytes:
        """The RESP2 bytes a Redis server would send for this reply."""
        raise NotImplementedError

    def resp3(self) -> bytes:
        """The RESP3 bytes (for a client that said ``HELLO 3``). Most replies are the same in both
        versions; nulls, maps and verbatim text have types of their own in RESP3."""
        return self.resp()

    def terminal(self, raw: bool = False) -> bytes:
        """Exactly what redis-cli writes to its terminal for this reply, final newline included."""
        if raw:
            return self._raw() + b"\n"
        return self._tty("") + b"\n"

    def cli(self, raw: bool = False) -> str:
        """The text redis-cli shows for this reply, without the final newline."""
        return (self._raw() if raw else self._tty("")).decode("utf-8", "replace")

    def verbatim(self) -> bytes:
        """What redis-cli writes for the commands it always shows raw, whatever the mode.

        For INFO (and CLIENT LIST, MEMORY DOCTOR...) redis-cli prints the reply's raw text and
        adds no newline of its own: INFO's report ends with one already.
        """
        return self._raw()

    # Subclasses render themselves for redis-cli's two modes: _tty is the formatted ("standard")
    # output (cliFormatReplyTTY), _raw the --raw output (cliFormatReplyRaw). Neither includes the
    # newline redis-cli adds after a whole reply.
    def _tty(self, prefix: str) -> bytes:
        raise NotImplementedError

    def _raw(self) -> bytes:
        raise NotImplementedError

    @property
    def value(self) -> Any:
        """The reply as a plain Python value (str, int, bytes, None or a list of those)."""
        raise NotImplementedError

    @property
    def is_error(self) -> bool:
        return False

    @property
    def trace(self) -> list | None:
        """The steps this command took through the layers, when run with ``trace=True``."""
        raw = getattr(self, "_trace", None)
        if raw and type(raw[0]) is tuple:  # recorded as plain tuples: name them once, on first read
            from .trace import as_steps
            raw = self._trace = as_steps(raw)
        return raw

    def with_trace(self, trace: list) -> Reply:
        """A copy of this reply carrying a trace (shared replies are never modified)."""
        copy = object.__new__(type(self))
        # Each reply class holds its payload in slots, its own and its bases' (a Map's items
        # are declared by Array).
        for cls in type(self).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if name != "_trace":
                    slot = cls.__dict__[name]  # (the slot itself: a subclass may hide its name)
                    try:
                        slot.__set__(copy, slot.__get__(self))
                    except AttributeError:  # a slot this reply never fills (Bulks' items)
                        pass
        copy._trace = trace
        return copy

    def _key(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented  # (another type may know better: Bulks is an Array)
        return other._key() == self._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __str__(self) -> str:
        return self.cli()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython shows a reply the way redis-cli would.
        printer.text(self.cli())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # IPython's printer walks the class's MRO and takes the first class that defines either
        # _repr_pretty_ or __repr__: each reply class defines its own __repr__, which would win
        # over the _repr_pretty_ inherited from here. So each class gets it in its own namespace.
        super().__init_subclass__(**kwargs)
        cls._repr_pretty_ = Reply._repr_pretty_


class Status(Reply):
    """A simple string (``+OK``): a short status that can hold no newline."""

    __slots__ = ("text", "_wire")

    def __init__(self, text: str) -> None:
        self.text = text
        # Encoded once: OK and the other shared statuses are sent again and again by a server.
        self._wire = b"+" + _text_bytes(text) + b"\r\n"

    def resp(self) -> bytes:
        return self._wire

    def _tty(self, prefix: str) -> bytes:
        return _c_string(_text_bytes(self.text))

    def _raw(self) -> bytes:
        return _text_bytes(self.text)

    @property
    def value(self) -> str:
        return self.text

    def _key(self) -> tuple:
        return (self.text,)

    def __repr__(self) -> str:
        return f"Status({self.text!r})"


class Error(Reply):
    """An error (``-ERR syntax error``). The first word is the error code: ERR, WRONGTYPE, ..."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def resp(self) -> bytes:
        return b"-" + _text_bytes(self.text) + b"\r\n"

    def cli(self, raw: bool = False) -> str:
        return self.text if raw else super().cli(raw)

    def _tty(self, prefix: str) -> bytes:
        return b"(error) " + _c_string(_text_bytes(self.text))

    def _raw(self) -> bytes:
        # redis-cli --raw ends an error with a newline of its own, even inside an array; the whole
        # reply then gets the usual one, so a blank line follows every error in raw output.
        return _text_bytes(self.text) + b"\n"

    @property
    def value(self) -> str:
        return self.text

    @property
    def is_error(self) -> bool:
        return True

    @property
    def code(self) -> str:
        """The error's code, the first word: ``ERR``, ``WRONGTYPE``..."""
        return self.text.split(" ", 1)[0]

    def _key(self) -> tuple:
        return (self.text,)

    def __repr__(self) -> str:
        return f"Error({self.text!r})"


class Integer(Reply):
    """A signed 64-bit integer (``:42``)."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number

    def resp(self) -> bytes:
        return b":%d\r\n" % self.number

    def _tty(self, prefix: str) -> bytes:
        return b"(integer) %d" % self.number

    def _raw(self) -> bytes:
        return b"%d" % self.number

    @property
    def value(self) -> int:
        return self.number

    def _key(self) -> tuple:
        return (self.number,)

    def __repr__(self) -> str:
        return f"Integer({self.number})"


#: A bulk string's header, ``$<length>\r\n``, made once for the short lengths (Redis's
#: shared.bulkhdr, OBJ_SHARED_BULKHDR_LEN): a server sends them again and again.
_SHARED_BULK_HEADERS = 32
_BULK_HEADERS = [b"$%d\r\n" % length for length in range(_SHARED_BULK_HEADERS)]


class Bulk(Reply):
    """A binary-safe string (``$5\\r\\nhello``): how every stored value travels."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def resp(self) -> bytes:
        data = self.data
        if len(data) < _SHARED_BULK_HEADERS:  # most values are short: their header is ready
            return _BULK_HEADERS[len(data)] + data + b"\r\n"
        return b"$%d\r\n%s\r\n" % (len(data), data)

    def _tty(self, prefix: str) -> bytes:
        return repr_bytes(self.data).encode("ascii")

    def _raw(self) -> bytes:
        return self.data

    @property
    def value(self) -> bytes:
        return self.data

    def _key(self) -> tuple:
        return (self.data,)

    def __repr__(self) -> str:
        return f"Bulk({self.data!r})"


class Null(Reply):
    """The null bulk string (``$-1``): "no value", shown as ``(nil)``."""

    __slots__ = ()

    def resp(self) -> bytes:
        return b"$-1\r\n"

    def resp3(self) -> bytes:
        return b"_\r\n"  # RESP3 has one null for all types

    def _tty(self, prefix: str) -> bytes:
        return b"(nil)"

    def _raw(self) -> bytes:
        return b""

    @property
    def value(self) -> None:
        return None

    def _key(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return "Null()"


class NullArray(Null):
    """The null array (``*-1``), which RESP2 uses where an array is absent. Also ``(nil)``."""

    __slots__ = ()

    def resp(self) -> bytes:
        return b"*-1\r\n"

    def __repr__(self) -> str:
        return "NullArray()"


class Array(Reply):
    """An ordered list of replies (``*2\\r\\n...``), possibly nested."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Reply]) -> None:
        self.items = tuple(items)

    def resp(self) -> bytes:
        return b"*%d\r\n" % len(self.items) + b"".join([item.resp() for item in self.items])

    def resp3(self) -> bytes:
        return b"*%d\r\n" % len(self.items) + b"".join([item.resp3() for item in self.items])

    def _tty(self, prefix: str) -> bytes:
        # redis-cli numbers the elements, right-aligning the numbers to the widest one, and indents
        # a nested array under its number so that its own numbers line up (cliFormatReplyTTY).
        items = self.items
        if not items:
            return b"(empty array)"
        width = len(str(len(items)))
        child_prefix = prefix + " " * (width + 2)
        lines = []
        for i, item in enumerate(items, 1):
            head = ("" if i == 1 else prefix) + f"{i:>{width}}) "
            lines.append(head.encode("ascii") + item._tty(child_prefix))
        return b"\n".join(lines)

    def _raw(self) -> bytes:
        return b"\n".join([item._raw() for item in self.items])

    @property
    def value(self) -> list:
        return [item.value for item in self.items]

    def _key(self) -> tuple:
        return self.items

    def __repr__(self) -> str:
        return f"Array({list(self.items)!r})"


class Bulks(Array):
    """An array of bulk strings given as the bytes themselves (LRANGE, LPOP with a count): the
    same reply as ``Array([Bulk(b) for b in data])``, sent without making an object for each
    element first. A list's range is the reply that is most often long; its elements become
    Bulk replies only when read one by one (``items``: redis-cli's text, ``value``)."""

    __slots__ = ("data",)

    def __init__(self, data: list[bytes]) -> None:
        self.data = data

    @property
    def items(self) -> tuple[Reply, ...]:  # type: ignore[override]
        return tuple(map(Bulk, self.data))

    def resp(self) -> bytes:
        # Each element as Bulk.resp writes it, appended to one list, joined once.
        headers = _BULK_HEADERS
        out = [b"*%d\r\n" % len(self.data)]
        append = out.append
        for data in self.data:
            size = len(data)
            append(headers[size] if size < _SHARED_BULK_HEADERS else b"$%d\r\n" % size)
            append(data)
            append(b"\r\n")
        return b"".join(out)

    resp3 = resp  # (an array of bulk strings is the same in RESP3)

    @property
    def value(self) -> list:
        return list(self.data)

    def __eq__(self, other: object) -> bool:
        # The same reply as the Array of its Bulk strings, and equal to it.
        if type(other) is Bulks or type(other) is Array:
            return other._key() == self._key()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Array", self._key()))

    def __repr__(self) -> str:
        return f"Bulks({self.data!r})"


class Set(Array):
    """An unordered collection (SMEMBERS, SINTER...). RESP2 sends it as an array; RESP3 has a set
    type (``~3\r\n...``), which a client may turn into its language's own set."""

    __slots__ = ()

    def resp3(self) -> bytes:
        return b"~%d\r\n" % len(self.items) + b"".join([i.resp3() for i in self.items])

    def __repr__(self) -> str:
        return f"Set({list(self.items)!r})"


class Push(Array):
    """A message the server sends on its own (Pub/Sub's): an array in RESP2, RESP3's push type
    (``>3\r\n...``), which a client can tell apart from the replies to its commands."""

    __slots__ = ()

    def resp3(self) -> bytes:
        return b">%d\r\n" % len(self.items) + b"".join([i.resp3() for i in self.items])

    def __repr__(self) -> str:
        return f"Push({list(self.items)!r})"


class Frames(Array):
    """Several replies to one command, sent one after the other (SUBSCRIBE a b confirms each
    channel with its own message). Not an array on the wire: no header, only the frames."""

    __slots__ = ()

    def resp(self) -> bytes:
        return b"".join([item.resp() for item in self.items])

    def resp3(self) -> bytes:
        return b"".join([item.resp3() for item in self.items])

    def _tty(self, prefix: str) -> bytes:
        # redis-cli prints each message as a reply of its own.
        return b"\n".join([item._tty(prefix) for item in self.items])

    def __repr__(self) -> str:
        return f"Frames({list(self.items)!r})"


class Partial(Array):
    """An EXEC's reply with parts left out, because CLIENT REPLY turned replies off or on while
    the transaction ran. Redis writes each part when it is made: the array's header first (its
    count is the number of queued commands, whatever follows), then each command's reply, and
    a part made while replies are off is never written. So the header is missing when replies
    were off as EXEC began (``header`` False), and each silenced reply is NO_REPLY (nothing):
    the bytes are exactly what the client receives, a count that may not match what follows
    included."""

    __slots__ = ("header",)

    def __init__(self, items: Iterable[Reply], header: bool) -> None:
        self.items = tuple(items)
        self.header = header

    def resp(self) -> bytes:
        head = b"*%d\r\n" % len(self.items) if self.header else b""
        return head + b"".join([item.resp() for item in self.items])

    def resp3(self) -> bytes:
        head = b"*%d\r\n" % len(self.items) if self.header else b""
        return head + b"".join([item.resp3() for item in self.items])

    def _tty(self, prefix: str) -> bytes:
        # What arrived, as a list: the silenced replies are not there.
        return Array([item for item in self.items if item is not NO_REPLY])._tty(prefix)

    def __repr__(self) -> str:
        return f"Partial({list(self.items)!r}, header={self.header})"


class Map(Array):
    """Field-value pairs (HELLO's answer). RESP2 sends them as a flat array, field, value, field,
    value..., and redis-cli shows that array; RESP3 has a map type (``%2\r\n...``)."""

    __slots__ = ()

    def __init__(self, pairs: Iterable[tuple[Reply, Reply]]) -> None:
        self.items = tuple(item for pair in pairs for item in pair)

    def resp3(self) -> bytes:
        return b"%%%d\r\n" % (len(self.items) // 2) + b"".join([i.resp3() for i in self.items])

    def __repr__(self) -> str:
        return f"Map({list(zip(self.items[::2], self.items[1::2], strict=True))!r})"


class Verbatim(Reply):
    """Text meant to be read as it is: INFO's report and HELP's pages.

    On the wire (RESP2) it is a bulk string; redis-cli prints INFO's text raw, without quotes and
    without adding a newline, in both modes, and Kedis shows every Verbatim reply the same way.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def resp(self) -> bytes:
        data = _text_bytes(self.text)
        return b"$%d\r\n%s\r\n" % (len(data), data)

    def resp3(self) -> bytes:
        # RESP3's verbatim string says its format first: "txt" (plain text) or "mkd" (markdown).
        data = b"txt:" + _text_bytes(self.text)
        return b"=%d\r\n%s\r\n" % (len(data), data)

    def terminal(self, raw: bool = False) -> bytes:
        return _text_bytes(self.text)

    def _tty(self, prefix: str) -> bytes:
        return _text_bytes(self.text)

    def _raw(self) -> bytes:
        return _text_bytes(self.text)

    @property
    def value(self) -> str:
        return self.text

    def _key(self) -> tuple:
        return (self.text,)

    def __repr__(self) -> str:
        return f"Verbatim({self.text!r})"


class Double(Bulk):
    """A floating-point number (DEBUG PROTOCOL double; later ZSCORE...). RESP2 has no type for
    it: a bulk string of its text, as Redis writes it ("%.17g", "inf"). RESP3's is ``,3.141``."""

    __slots__ = ()

    def resp3(self) -> bytes:
        return b",%s\r\n" % self.data

    def __repr__(self) -> str:
        return f"Double({self.data!r})"


class BigNumber(Bulk):
    """An integer too big for 64 bits: a bulk string of its digits in RESP2, RESP3's ``(...``."""

    __slots__ = ()

    def resp3(self) -> bytes:
        return b"(%s\r\n" % self.data

    def __repr__(self) -> str:
        return f"BigNumber({self.data!r})"


class Boolean(Integer):
    """True or false: the integer 1 or 0 in RESP2, RESP3's ``#t`` / ``#f``."""

    __slots__ = ()

    def resp3(self) -> bytes:
        return b"#t\r\n" if self.number else b"#f\r\n"

    def __repr__(self) -> str:
        return f"Boolean({bool(self.number)})"


class Attributed(Reply):
    """A reply with RESP3 *attributes* before it: field-value pairs about the reply, not part of
    it (``|1\r\n...`` then the reply), which a client may read or skip. RESP2 cannot carry
    them: a RESP2 client gets the reply alone, and so does what Kedis shows."""

    __slots__ = ("reply", "attributes")

    def __init__(self, reply: Reply, attributes: Iterable[tuple[Reply, Reply]]) -> None:
        self.reply = reply
        self.attributes = tuple(item for pair in attributes for item in pair)

    def resp(self) -> bytes:
        return self.reply.resp()

    def resp3(self) -> bytes:
        return (b"|%d\r\n" % (len(self.attributes) // 2)
                + b"".join([item.resp3() for item in self.attributes]) + self.reply.resp3())

    def _tty(self, prefix: str) -> bytes:
        return self.reply._tty(prefix)

    def _raw(self) -> bytes:
        return self.reply._raw()

    @property
    def value(self) -> Any:
        return self.reply.value

    def _key(self) -> tuple:
        return (self.reply, self.attributes)

    def __repr__(self) -> str:
        return f"Attributed({self.reply!r}, {list(self.attributes)!r})"


def shown_raw(argv: list[bytes]) -> bool:
    """The commands whose reply redis-cli always prints raw, with no newline added, in both modes.

    Their replies are text meant to be read as it is (INFO's report, CLIENT LIST's lines): see the
    list at the top of ``cliSendCommand`` in redis-cli.c. Only INFO exists in Kedis so far, but a
    real Redis behind %connect answers the others too.
    """
    name = argv[0].lower()
    sub = argv[1].lower() if len(argv) > 1 else b""
    argc = len(argv)
    return (name in (b"info", b"lolwut")
            or (name == b"debug" and sub in (b"htstats", b"htstats-key", b"client-eviction"))
            or (name == b"memory" and sub in (b"malloc-stats", b"doctor"))
            or (name == b"cluster" and argc == 2 and sub in (b"nodes", b"info"))
            or (name == b"client" and sub in (b"list", b"info"))
            or (name == b"latency" and ((argc == 3 and sub == b"graph")
                                        or (argc == 2 and sub == b"doctor")))
            or (name == b"proxy" and sub == b"info"))


def help_reply(command: str, lines: Iterable[str]) -> Array:
    """A HELP subcommand's answer, as Redis's addReplyHelp builds it: a first line naming the
    command, the given lines (each subcommand, then its description, indented), and HELP's own
    entry last."""
    return Array([Status(f"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
                  *map(Status, lines), Status("HELP"), Status("    Prints this help.")])


# --- shared replies (Redis: shared.ok, shared.czero, shared.cone, shared.null[2], ...) --------------
OK = Status("OK")
PONG = Status("PONG")
NULL = Null()
NULL_ARRAY = NullArray()
ZERO = Integer(0)
ONE = Integer(1)
EMPTY_BULK = Bulk(b"")
EMPTY_ARRAY = Array(())
EMPTY_SET = Set(())
#: No reply at all: nothing is sent (MONITOR from a client that already monitors, in Redis).
NO_REPLY = Frames(())
