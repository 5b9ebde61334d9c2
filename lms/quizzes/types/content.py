"""Question texts (Markdown) as the page shows them and as xAPI names them.

Prompts, feedback and option texts are Markdown with the lesson rules (checked at import).
The page gets sanitized HTML (``lms.packages.markdown.render_lesson``); xAPI language maps
and ``<option>`` elements, which cannot hold markup, get plain text.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from lms.packages.markdown import parser, render_lesson

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_SINGLE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>\s*", re.S)


def block_html(markdown: str, media_urls: Mapping[str, str] | None = None) -> Markup:
    """Sanitized HTML for a prompt or feedback: paragraphs, lists, pictures..."""
    return Markup(render_lesson(markdown, media_urls or {}))  # noqa: S704 (sanitized by nh3)


def inline_html(markdown: str, media_urls: Mapping[str, str] | None = None) -> Markup:
    """Like ``block_html``, without the ``<p>`` around a one-paragraph text, so it fits in a
    ``<label>`` or ``<legend>`` (phrasing content). Longer texts keep their blocks."""
    html = render_lesson(markdown, media_urls or {})
    match = _SINGLE_PARAGRAPH.fullmatch(html)
    return Markup(match.group(1) if match else html)  # noqa: S704 (sanitized by nh3)


@cache
def _plain_parser() -> MarkdownIt:
    return parser(html=False)


def plain_text(markdown: str) -> str:
    """The words of a Markdown text on one line: no markup, pictures by their description."""
    parts = []
    for token in _plain_parser().parse(markdown):
        if token.type == "inline":
            parts.append(_inline_text(token.children or []))
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
    return " ".join(" ".join(parts).split())


def _inline_text(tokens: list[Token]) -> str:
    text = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            text.append(token.content)
        elif token.type == "image":
            text.append(_inline_text(token.children or []))
        elif token.type in ("softbreak", "hardbreak"):
            text.append(" ")
    return "".join(text)


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def options(
    items: Sequence[Mapping[str, Any]],
    rng: random.Random,
    shuffle: bool,
    media_urls: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """What the page may show of choices, sources, targets or items: id and text only (never
    their feedback), shuffled with ``rng`` when asked."""
    shown = [
        {"id": item["id"], "html": inline_html(item["text"], media_urls), "text": plain_text(item["text"])}
        for item in items
    ]
    if shuffle:
        rng.shuffle(shown)
    return shown


def components(items: Sequence[Mapping[str, Any]], language_map_fn) -> list[dict[str, Any]]:
    """An xAPI interaction component list: ``[{id, description: {lang: text}}]``."""
    return [
        {"id": item["id"], "description": language_map_fn(plain_text(item["text"]) or item["id"])}
        for item in items
    ]


def texts_by_id(items: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {item["id"]: plain_text(item["text"]) or item["id"] for item in items}


def format_number(value: float) -> str:
    """A number as xAPI patterns and people read it: ``42`` not ``42.0``; ``0.1`` not
    ``0.1000000001``."""
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number) if math.isfinite(number) else str(number)
