"""Long content fits: the worst cases of worst_cases.py, laid out (no PDF written) with both
templates, and checked from WeasyPrint's own boxes: one page, no line of text over another or
over an image, nothing off the page, names broken only between given name and surname."""

from __future__ import annotations

from itertools import combinations

import pytest
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder

from lms.certificates.data import SAMPLE

from .worst_cases import CASES

TEMPLATES = ("formal-th", "bilingual")
SLACK = 0.5  # CSS px: boxes that merely touch do not overlap


def descendants(box):
    for child in getattr(box, "children", None) or ():
        child = child._box if isinstance(child, AbsolutePlaceholder) else child
        yield child
        yield from descendants(child)


def texts_of_line(box):
    """The text fragments of a line box, not those of its inline-blocks (they have lines of their own)."""
    for child in box.children:
        if isinstance(child, boxes.TextBox) and child.text.strip():
            yield child
        elif isinstance(child, boxes.InlineBox):
            yield from texts_of_line(child)


def rectangles(page_box):
    """(text, left, top, right, bottom): each text fragment, as tall as its line box, and each image."""
    found = []
    for box in descendants(page_box):
        if isinstance(box, boxes.LineBox):
            for text in texts_of_line(box):
                x, y = text.position_x, box.position_y
                found.append((text.text, x, y, x + text.width, y + box.height))
        elif isinstance(box, boxes.ReplacedBox):
            x, y = box.border_box_x(), box.border_box_y()
            found.append(("<img>", x, y, x + box.border_width(), y + box.border_height()))
    return found


def overlap(a, b) -> bool:
    return min(a[3], b[3]) - max(a[1], b[1]) > SLACK and min(a[4], b[4]) - max(a[2], b[2]) > SLACK


def lines_of(page_box, class_name):
    """The text of each line of the elements with that class, in order."""
    texts = []
    for box in descendants(page_box):
        element = getattr(box, "element", None)
        if (
            isinstance(box, boxes.BlockBox)
            and element is not None
            and class_name in element.get("class", "").split()
        ):
            for line in box.children:
                if isinstance(line, boxes.LineBox):
                    texts.append(
                        "".join(t.text for t in descendants(line) if isinstance(t, boxes.TextBox)).strip()
                    )
    return texts


@pytest.fixture(
    scope="module",
    params=[(t, n) for t in TEMPLATES for n in range(len(CASES))],
    ids=lambda p: f"{p[0]}-{CASES[p[1]][0]}",
)
def laid_out(request, renderer):
    template, n = request.param
    data = CASES[n][1]
    return template, data, renderer.layout(template, data)


def test_one_page_nothing_overlaps_nothing_leaves_it(laid_out):
    _, _, document = laid_out
    assert len(document.pages) == 1
    page = document.pages[0]
    placed = rectangles(page._page_box)
    assert len(placed) > 15
    outside = [r for r in placed if r[1] < 0 or r[2] < 0 or r[3] > page.width or r[4] > page.height]
    assert not outside, outside
    overlapping = [(a[0], b[0]) for a, b in combinations(placed, 2) if overlap(a, b)]
    assert not overlapping, overlapping


def test_names_break_only_between_given_name_and_surname(laid_out):
    _, data, document = laid_out
    page_box = document.pages[0]._page_box
    learner = data["learner"]
    given = learner["full_name_th"].removesuffix(learner["last_name_th"]).strip()
    allowed = {learner["full_name_th"], given, learner["last_name_th"]}
    name_lines = lines_of(page_box, "name")
    thai_lines = [line for line in name_lines if not line.isascii()]
    assert " ".join(thai_lines) == learner["full_name_th"]
    assert set(thai_lines) <= allowed, thai_lines
    names = []  # the Thai signatory names, each as its lines: a name starts with "("
    for line in lines_of(page_box, "signatory-name"):
        if not line.isascii():
            names.append([line]) if line.startswith("(") else names[-1].append(line)
    assert len(names) == len(data["signatories"])
    for signatory, lines in zip(data["signatories"], names, strict=True):
        given, surname = signatory["name_th"].split(" ")
        assert " ".join(lines) == f"({given} {surname})"
        assert set(lines) <= {f"({given} {surname})", f"({given}", f"{surname})"}, lines


def test_the_english_name_is_printed_once_and_only_when_there_is_one(laid_out):
    template, data, document = laid_out
    name_lines = lines_of(document.pages[0]._page_box, "name")
    english = [line for line in name_lines if line.isascii()]
    if template == "formal-th" or not data["learner"]["full_name_en"]:
        assert english == []
        assert (
            sum(
                line.replace(" ", "") == data["learner"]["full_name_th"].replace(" ", "")
                for line in name_lines
            )
            <= 1
        )
    else:
        assert " ".join(english) == data["learner"]["full_name_en"]


def test_the_sample_fits_without_shrinking_and_the_worst_case_shrinks(renderer):
    def fit_class(document):
        (html,) = document.pages[0]._page_box.children
        return html.element.get("class")

    assert fit_class(renderer.layout("formal-th", SAMPLE)) == "fit-0"
    assert fit_class(renderer.layout("formal-th", CASES[3][1])) != "fit-0"


def test_the_worst_cases_include_a_name_on_two_lines(laid_out):
    template, data, document = laid_out
    if data["learner"]["first_name_th"] == "วิมลรัตน์ประภาพรรณราย":
        thai = [line for line in lines_of(document.pages[0]._page_box, "name") if not line.isascii()]
        assert len(thai) == 2, (template, thai)
