"""A Pygments lexer for Kedis cells (a first version; see the kernel issue)."""

from pygments.lexer import RegexLexer
from pygments.token import Comment, Keyword, Number, String, Text

__all__ = ["KedisLexer"]


class KedisLexer(RegexLexer):
    name = "Kedis"
    aliases = ["kedis"]
    filenames = ["*.kedis"]
    mimetypes = ["text/x-kedis"]

    tokens = {
        "root": [
            (r"#.*$", Comment.Single),
            (r'"(\\.|[^"\\])*"', String.Double),
            (r"'(\\'|[^'])*'", String.Single),
            (r"-?\d+(\.\d+)?\b", Number),
            (r"^\s*[A-Za-z]+", Keyword),
            (r"\s+", Text),
            (r"\S+", Text),
        ],
    }
