"""How a person's name is written with its title prefix, in Thai and in Latin script."""

from __future__ import annotations


def is_thai(text: str) -> bool:
    return any("\u0e00" <= char <= "\u0e7f" for char in text)


def printed_name(title: str | None, first: str | None, last: str | None) -> str:
    """A name as printed, title included. A Thai title joins the first name (``นาย`` +
    ``สมชาย`` -> ``นายสมชาย``, ``ดร.`` + ``สมชาย`` -> ``ดร.สมชาย``); any other title is
    followed by a space (``Mr.`` + ``John`` -> ``Mr. John``, ``Dr`` + ``สมชาย`` -> ``Dr สมชาย``).
    Empty when there is no first name."""
    title, first, last = (part.strip() if part else "" for part in (title, first, last))
    if not first:
        return ""
    given = f"{title}{first}" if is_thai(title) else f"{title} {first}".strip()
    return f"{given} {last}".strip()
