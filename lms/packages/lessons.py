"""Lesson files: front matter, and the Markdown checks shared with quiz texts.

Raw HTML is found by parsing with HTML switched on and looking for HTML tokens, not by
searching the text: ``<script>`` inside a code span or fence is just code, and is fine.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lms.packages.markdown import media_target, parser

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

FENCE = "---"
TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)")
HANDLER = re.compile(r"\s(on[a-z]+)\s*=", re.IGNORECASE)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass(frozen=True)
class LessonText:
    front: str
    body: str
    body_line: int
    """The file line the body starts on."""


def split_front_matter(text: str) -> LessonText:
    """Split a lesson into its YAML front matter (between two ``---`` lines) and its body.

    A UTF-8 byte-order mark before the first ``---`` (Windows editors write one) is skipped,
    as YAML skips it in course.yaml and quiz files."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        raise FrontMatterError(
            1, "a lesson must start with front matter: a '---' line, the lesson's fields, then '---'"
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == FENCE:
            return LessonText("".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2)
    raise FrontMatterError(1, "the front matter has no closing '---' line; add one after the lesson's fields")


@dataclass
class MarkdownFindings:
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    media: set[str] = field(default_factory=set)
    """The package media files the text links to or shows."""


@cache
def _scanner() -> MarkdownIt:
    md = parser(html=True)
    md.validateLink = lambda url: True  # let every link through, so bad schemes can be reported
    return md


def check_markdown(text: str, first_line: int, media_files: Collection[str]) -> MarkdownFindings:
    """Raw HTML and bad link targets in Markdown ``text`` starting at file line ``first_line``."""
    found = MarkdownFindings()
    for block in _scanner().parse(text):
        line = None if block.map is None else first_line + block.map[0]
        if block.type == "html_block":
            _add(found, line, _raw_html(block.content))
        elif block.type == "inline":
            _check_inline(block.children or [], line, media_files, found)
    return found


def _check_inline(children: list[Token], line: int | None, media_files, found: MarkdownFindings) -> None:
    offset = 0
    for child in children:
        here = None if line is None else line + offset
        if child.type in ("softbreak", "hardbreak"):
            offset += 1
        elif child.type == "html_inline" and not child.content.startswith("</"):
            _add(found, here, _raw_html(child.content))  # a closing tag repeats its opening one
        elif child.type in ("image", "link_open"):
            attr = "src" if child.type == "image" else "href"
            url = str(child.attrGet(attr) or "")
            _add(found, here, _target_problem(url, child.type == "image", media_files, found))


def _add(found: MarkdownFindings, line: int | None, message: str | None) -> None:
    if message and (line, message) not in found.problems:
        found.problems.append((line, message))


def _raw_html(content: str) -> str:
    if content.lstrip().startswith("<!--"):
        what = "an HTML comment <!-- -->"
    else:
        tag = TAG.search(content)
        what = f"<{tag.group(1).lower()}>" if tag else content.strip()[:20]
        handler = HANDLER.search(content)
        if handler:
            what += f" with an {handler.group(1).lower()}= handler"
    return f"raw HTML is not allowed ({what}); write Markdown instead"


def _target_problem(url: str, is_image: bool, media_files, found: MarkdownFindings) -> str | None:
    target = media_target(url)
    if target is not None:
        if target not in media_files:
            kind = "image" if is_image else "link"
            return f"{kind} {target} not found: add the file under media/ or fix the path"
        found.media.add(target)
        return None
    if is_image:
        return (
            f"images and video must be files under media/, not {url}; "
            "the LMS does not load media from other sites"
        )
    scheme = urlsplit(url).scheme.lower()
    if url.startswith("#") or scheme in LINK_SCHEMES:
        return None
    if scheme:
        return f"links may use http, https or mailto only, not {scheme}: ({url})"
    return (
        f"link target {url} is neither a web address nor a file under media/; use https://... or media/<file>"
    )
