"""Lesson Markdown to safe HTML.

Two layers: markdown-it-py runs with raw HTML disabled (any ``<tag>`` in the text comes out
escaped), then nh3 keeps only an explicit allow-list of tags and attributes. The checker
already refuses raw HTML in a package; the layers here hold even when it did not run.

Nothing is embedded from other sites: the LMS's Content-Security-Policy allows no
third-party frames, so a link to a video site (or to a remote .mp4/.webm) stays a plain link.
Only the package's own media are embedded: ``![caption](media/clip.mp4)`` becomes a
``<video controls>``, an .mp3 an ``<audio controls>``, an image an ``<img>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from itertools import pairwise
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".webm"})
AUDIO_SUFFIXES = frozenset({".mp3"})
BARE_URL = re.compile(r"https?://\S+")

ALLOWED_TAGS = frozenset(
    {
        *(f"h{n}" for n in range(1, 7)),
        *("p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote"),
        *("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"),
        *("a", "img", "video", "audio"),
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "video": {"src", "controls", "preload"},
    "audio": {"src", "controls", "preload"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def parser(*, html: bool = False) -> MarkdownIt:
    """The Markdown dialect of lessons: CommonMark plus tables and ~~strikethrough~~.

    The checker parses with ``html=True`` only to find raw HTML and report its line.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])


def media_target(url: str) -> str | None:
    """The package path a link or image points at (``media/x.png``), or None."""
    path = unquote(url)
    return path if path.startswith("media/") else None


@cache
def _renderer() -> MarkdownIt:
    md = parser(html=False)
    md.add_render_rule("image", _render_image)
    return md


def render_lesson(markdown: str, media_urls: Mapping[str, str]) -> str:
    """Sanitized HTML for a lesson body. ``media_urls`` maps each package media path
    (``media/x.png``) to the URL it is served at; links and images to it are rewritten."""
    md = _renderer()
    env = {"media_urls": media_urls}
    tokens = md.parse(markdown, env)
    _link_bare_urls(md, tokens)
    for token in _walk(tokens):
        if token.type == "link_open":
            target = media_target(str(token.attrGet("href") or ""))
            if target in media_urls:
                token.attrSet("href", media_urls[target])
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; links get rel="noopener"."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        strip_comments=True,
        clean_content_tags={"script", "style"},
        filter_style_properties={"text-align"},
    )


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _link_bare_urls(md: MarkdownIt, tokens: list[Token]) -> None:
    """A paragraph that is only a web address becomes a link to it (never an embed)."""
    from markdown_it.token import Token

    for before, token in pairwise(tokens):
        children = token.children or []
        if before.type != "paragraph_open" or len(children) != 1 or children[0].type != "text":
            continue
        url = children[0].content.strip()
        href = md.normalizeLink(url)
        if BARE_URL.fullmatch(url) and md.validateLink(href):
            token.children = [
                Token("link_open", "a", 1, attrs={"href": href}),
                Token("text", "", 0, content=url),
                Token("link_close", "a", -1),
            ]


def _render_image(self, tokens: list[Token], idx: int, options, env) -> str:
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    target = media_target(src)
    url = env["media_urls"].get(target) if target else None
    suffix = PurePosixPath(target or "").suffix.lower()
    if url is None or suffix not in IMAGE_SUFFIXES | VIDEO_SUFFIXES | AUDIO_SUFFIXES:
        return f'<a href="{escapeHtml(url or src)}">{escapeHtml(alt or src)}</a>'
    if suffix in VIDEO_SUFFIXES:
        return f'<video controls preload="metadata" src="{escapeHtml(url)}">{escapeHtml(alt)}</video>'
    if suffix in AUDIO_SUFFIXES:
        return f'<audio controls preload="metadata" src="{escapeHtml(url)}">{escapeHtml(alt)}</audio>'
    token.attrSet("src", url)
    return self.image(tokens, idx, options, env)
