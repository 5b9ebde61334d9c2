"""Checking a laid-out certificate: one page, no text over other text or an image, nothing
off the page. The renderer uses it to shrink long content (the template's ``fit-N`` classes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder

#: Boxes may touch or overlap by this much (CSS px, 1/96 in) without counting as overlapping.
TOLERANCE = 0.5


@dataclass(frozen=True)
class Area:
    """A line of text (from its first glyph to its last, the height of its line box) or an image."""

    label: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Area) -> bool:
        return (
            min(self.right, other.right) - max(self.left, other.left) > TOLERANCE
            and min(self.bottom, other.bottom) - max(self.top, other.top) > TOLERANCE
        )


def _children(box: Any) -> Iterator[Any]:
    for child in getattr(box, "children", None) or ():
        yield child._box if isinstance(child, AbsolutePlaceholder) else child


def _line_texts(box: Any) -> Iterator[Any]:
    """The text boxes of a line, not those of the inline-blocks in it (they have lines of their own)."""
    for child in _children(box):
        if isinstance(child, boxes.TextBox):
            if child.text.strip():
                yield child
        elif isinstance(child, boxes.InlineBox):
            yield from _line_texts(child)


def areas(box: Any) -> Iterator[Area]:
    """Every line of text and every image under ``box`` (a page's ``_page_box``)."""
    if isinstance(box, boxes.LineBox):
        texts = list(_line_texts(box))
        if texts:
            yield Area(
                "".join(text.text for text in texts).strip(),
                min(text.position_x for text in texts),
                box.position_y,
                max(text.position_x + text.width for text in texts),
                box.position_y + box.height,
            )
    elif isinstance(box, boxes.ReplacedBox):
        left, top = box.border_box_x(), box.border_box_y()
        label = f"<img {box.element.get('class') or box.element.get('src', '')[:30]}>"
        yield Area(label, left, top, left + box.border_width(), top + box.border_height())
    for child in _children(box):
        yield from areas(child)


def problems(document: Any) -> list[str]:
    """What is wrong with a laid-out certificate (a WeasyPrint ``Document``); empty if nothing."""
    found = [f"{len(document.pages)} pages"] if len(document.pages) != 1 else []
    for page in document.pages:
        placed = list(areas(page._page_box))
        for n, area in enumerate(placed):
            if area.left < 0 or area.top < 0 or area.right > page.width or area.bottom > page.height:
                found.append(f"off the page: {area.label!r}")
            found.extend(
                f"overlap: {area.label!r} and {other.label!r}"
                for other in placed[n + 1 :]
                if area.overlaps(other)
            )
    return found
