"""The PDF's text layer: each line of text carries its source text as ``/ActualText``.

WeasyPrint maps each glyph of a font subset to one string (``ToUnicode``), and Sarabun draws
ำ (sara am) with the glyph of า (sara aa) plus a nikhahit, so whichever comes first wins:
``pdftotext`` then reads "สำนักงำน" for "สำนักงาน". Stacked marks come out reordered or
followed by a space (``รุง่ เรือง``). A marked-content property ``/ActualText`` tells a reader
the exact text of the glyphs it wraps: poppler, Acrobat and screen readers use it instead of
the glyph mapping. See docs/decisions/0019-certificate-text-layer-actualtext.md.

WeasyPrint (with ``pdf_tags=True``) wraps each text box it draws in ``/Span <</MCID n>> BDC``,
then ``BT``, then a ``Tm`` at the box's position (x, y of its baseline, CSS px). The finisher
:func:`add_actual_text` finds each text box of the layout by that position and adds its text to
the property list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder

PLACES = 3  # Tm operands are written with 6 decimals; positions are matched to 3


def _text_boxes(box: Any) -> Iterator[Any]:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", None) or ():
        yield from _text_boxes(child)


def _texts_by_position(page: Any) -> dict[tuple[float, float], str | None]:
    """Each text box's text by its baseline's start; None where two boxes share a place."""
    found: dict[tuple[float, float], str | None] = {}
    for box in _text_boxes(page._page_box):
        key = (round(box.position_x, PLACES), round(box.position_y + box.baseline, PLACES))
        found[key] = box.text if key not in found or found[key] == box.text else None
    return found


def _content_stream(pdf: pydyf.PDF, page: pydyf.Dictionary) -> pydyf.Stream:
    return pdf.objects[int(page["Contents"].split()[0])]


def _page_dictionaries(pdf: pydyf.PDF) -> Iterator[pydyf.Dictionary]:
    for number in pdf.pages["Kids"][::3]:  # pydyf lists them as number, 0, "R"
        yield pdf.objects[number]


def add_actual_text(document: Any, pdf: pydyf.PDF) -> None:
    """A WeasyPrint finisher: put each text box's text in its marked content's ``/ActualText``."""
    for page, dictionary in zip(document.pages, _page_dictionaries(pdf), strict=True):
        texts = _texts_by_position(page)
        marked = None
        for item in _content_stream(pdf, dictionary).stream:
            if isinstance(item, pydyf.Dictionary) and "MCID" in item:
                marked = item
            elif marked is not None and isinstance(item, bytes) and item.endswith(b" Tm"):
                x, y = (round(float(value), PLACES) for value in item.split()[4:6])
                text = texts.get((x, y))
                if text:
                    marked["ActualText"] = pydyf.String(text)
                marked = None
