"""Search boxes: the typed words matched as text, anywhere in a column.

In SQL ``LIKE``, ``%`` and ``_`` are wildcards: typed into a search box unescaped, ``%`` matched
every row and ``_`` any character. Every search goes through ``contains`` instead, which escapes
them (and the escape character itself) with a backslash.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func

LIKE_ESCAPE = "\\"


def like_pattern(words: str) -> str:
    """A LIKE pattern matching ``words`` literally anywhere in a text (escape: backslash)."""
    escaped = words.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def contains(column, words: str) -> ColumnElement[bool]:
    """Whether the column holds ``words`` (already lower-cased by the caller), ignoring case."""
    return func.lower(column).like(like_pattern(words), escape=LIKE_ESCAPE)
