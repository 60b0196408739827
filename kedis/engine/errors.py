"""Every error Kedis can answer, in one place, with Redis's exact text.

Error strings are part of Redis's contract: clients match on them, and so do Kedis's differential
tests, byte for byte. A handler signals an error by raising ``CommandError(TEXT)``; the dispatcher
turns it into an error reply. The first word is the error code (ERR, WRONGTYPE, ...).
"""

from __future__ import annotations

from .reply import Error

__all__ = ["CommandError", "user_text", "one_line"]


class CommandError(Exception):
    """Raised by a handler to answer with an error reply.

    The text is made safe for the protocol as Redis's addReplyErrorFormat makes it: CR and LF at
    its ends are trimmed, those inside become spaces (``EXPIRE k 100 "x\r\n"`` answers
    ``ERR Unsupported option x``). A user's bytes may be anywhere in an error's text.
    """

    def __init__(self, text: str) -> None:
        text = one_line(text.strip("\r\n"))
        super().__init__(text)
        self.reply = Error(text)


SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
# (sic: "must between" is Redis's own wording, and clients may match on it)
INT32_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"
# SRANDMEMBER's count: any 64-bit integer but the lowest, whose opposite does not fit
COUNT_RANGE = ("ERR value is out of range, value must between -9223372036854775807 and "
               "9223372036854775807")
POSITIVE = "ERR value is out of range, must be positive"
NUMKEYS = "ERR numkeys should be greater than 0"
NUMKEYS_OVER_ARGS = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"
NOT_FLOAT = "ERR value is not a valid float"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
OVERFLOW = "ERR increment or decrement would overflow"
DECREMENT_OVERFLOW = "ERR decrement would overflow"
NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"
NO_SUCH_KEY = "ERR no such key"
SAME_OBJECT = "ERR source and destination objects are the same"
DB_INDEX = "ERR DB index is out of range"
INVALID_CURSOR = "ERR invalid cursor"
OFFSET_RANGE = "ERR offset is out of range"
STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
EXPIRE_NX_CONFLICT = "ERR NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible"
BUSYKEY = "BUSYKEY Target key name already exists."
BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_DATA_FORMAT = "ERR Bad data format"
INVALID_TTL = "ERR Invalid TTL value, must be >= 0"
INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"
INVALID_COMMAND = "ERR Invalid command specified"
INVALID_KEYS = "ERR Invalid arguments specified for command"
# Bitmaps (commands/bitops.py)
BIT_OFFSET = "ERR bit offset is not an integer or out of range"
BIT_VALUE = "ERR bit is not an integer or out of range"
BIT_ARGUMENT = "ERR The bit argument must be 1 or 0."
BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key."
BITFIELD_TYPE = ("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
                 "supported but i64 is.")
BITFIELD_OVERFLOW = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand"
# LCS (commands/strings.py)
LCS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_LONG = "ERR String too long for LCS"
LCS_OVER_LIMIT = ("ERR Insufficient memory, transient memory for LCS exceeds "
                  "proto-max-bulk-len")
LCS_NO_MEMORY = "ERR Insufficient memory, failed allocating transient memory for LCS"


def user_text(data: bytes, limit: int | None = None) -> str:
    """Bytes from the user, as Redis prints them into an error message.

    Redis formats them with C's ``%s``, which stops at the first NUL byte (and ``%.128s`` keeps at
    most 128 bytes). Bytes that are not UTF-8 travel as surrogates, and go out as they came. CR
    and LF are dealt with once the whole message is made (CommandError, ``one_line``).
    """
    return _c_string(data, limit).decode("utf-8", "surrogateescape")


def _c_string(data: bytes, limit: int | None = None) -> bytes:
    data = data.split(b"\x00", 1)[0]
    return data if limit is None else data[:limit]


def one_line(text: str) -> str:
    """CR and LF made spaces, so that an error stays on one protocol line (sdsmapchars)."""
    return text.replace("\r", " ").replace("\n", " ")


def invalid_expire_time(command_name: str) -> str:
    return f"ERR invalid expire time in '{command_name}' command"


def wrong_arity(command_name: str) -> str:
    return f"ERR wrong number of arguments for '{command_name}' command"


def unknown_command(argv: list[bytes]) -> str:
    # Redis quotes the arguments one by one until it has written 128 bytes of them.
    args = b""
    for arg in argv[1:]:
        if len(args) >= 128:
            break
        args += b"'" + _c_string(arg, 128 - len(args)) + b"' "
    # A refused command's error (rejectCommandFormat) maps CR and LF to spaces but, unlike a
    # handler's error, trims nothing.
    return one_line(f"ERR unknown command '{user_text(argv[0], 128)}', "
                    f"with args beginning with: {args.decode('utf-8', 'surrogateescape')}")


def unknown_subcommand(argv: list[bytes]) -> str:
    # argv[0].upper() is bytes.upper(): ASCII only, like C's toupper().
    return one_line(f"ERR unknown subcommand '{user_text(argv[1], 128)}'. "
                    f"Try {user_text(argv[0].upper())} HELP.")


def subcommand_syntax(argv: list[bytes]) -> str:
    """A known subcommand given arguments it has no form for (addReplySubcommandSyntaxError)."""
    return (f"ERR unknown subcommand or wrong number of arguments for "
            f"'{user_text(argv[1], 128)}'. Try {user_text(argv[0].upper())} HELP.")


def unsupported_option(option: bytes) -> str:
    return f"ERR Unsupported option {user_text(option)}"
