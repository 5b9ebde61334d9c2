"""Rendering the two shipped templates: PDF/A-3b, the attached data, the fonts, the text."""

from __future__ import annotations

import copy
import json
import logging
import shutil
import subprocess
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import pytest

from lms.certificates.data import SAMPLE, canonical_json
from lms.certificates.errors import CertificateDataError, ResourceRefused, TemplateError
from lms.certificates.qr import qr_data_uri
from lms.certificates.render import ATTACHMENT_NAME, DEFAULT_TEMPLATES_ROOT, CertificateRenderer

from .conftest import pdffonts, poppler, reader, text_heights
from .test_layout import overlap, rectangles

TEMPLATES = ("formal-th", "bilingual")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
THAI = range(0x0E00, 0x0E80)
SARA_AM = "\u0e33"


@pytest.fixture(scope="module", params=TEMPLATES)
def certificate(request, renderer) -> tuple[str, bytes]:
    """Each shipped template rendered once with the sample data."""
    return request.param, renderer.render(request.param, SAMPLE)


def attachment(pdf: bytes) -> bytes:
    (content,) = reader(pdf).attachments[ATTACHMENT_NAME]
    return content


def has_thai(text: str) -> bool:
    return any(ord(char) in THAI for char in text)


# --- the PDF ---------------------------------------------------------------------------------


def test_the_attached_json_is_the_canonical_data(certificate):
    _, pdf = certificate
    attached = attachment(pdf)
    assert attached == canonical_json(SAMPLE)
    assert json.loads(attached) == SAMPLE
    assert list(reader(pdf).attachments) == [ATTACHMENT_NAME]


def test_the_pdf_is_marked_pdf_a_3b(certificate):
    _, pdf = certificate
    assert pdf.startswith(b"%PDF-1.7")
    root = reader(pdf).trailer["/Root"]
    xmp = ET.fromstring(root["/Metadata"].get_object().get_data())  # noqa: S314 (our own PDF)
    ids = {key: value for element in xmp.iter() for key, value in element.attrib.items() if PDFAID in key}
    assert ids == {f"{PDFAID}part": "3", f"{PDFAID}conformance": "B"}
    (intent,) = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    (associated,) = root["/AF"]  # PDF/A-3: the attachment is an associated file, listed once
    assert associated.get_object()["/UF"] == ATTACHMENT_NAME
    assert associated.get_object()["/AFRelationship"] == "/Data"


def test_one_a4_landscape_page(certificate):
    name, pdf = certificate
    pages = reader(pdf).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595), name
    assert reader(pdf).trailer["/Root"]["/Lang"] == "th"


def test_every_font_is_an_embedded_sarabun(certificate):
    _, pdf = certificate
    fonts = reader(pdf).pages[0]["/Resources"]["/Font"]
    names = set()
    for font in fonts.values():
        font = font.get_object()
        names.add(str(font["/BaseFont"]).split("+")[-1])
        (descendant,) = font["/DescendantFonts"]
        assert "/FontFile2" in descendant.get_object()["/FontDescriptor"], font["/BaseFont"]
    assert names <= {"Sarabun", "Sarabun-Semi-Bold", "Sarabun-Bold"}
    assert {"Sarabun", "Sarabun-Bold"} <= names


def test_thai_text_is_drawn_in_sarabun(certificate):
    _, pdf = certificate
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            runs.append((text, str(font["/BaseFont"])))

    reader(pdf).pages[0].extract_text(visitor_text=visit)
    thai = [(text, font) for text, font in runs if has_thai(text)]
    assert len(thai) >= 8
    assert all("Sarabun" in font for _, font in thai), [r for r in thai if "Sarabun" not in r[1]]


def test_pdffonts_lists_only_sarabun_no_fallback(certificate, tmp_path):
    name, pdf = certificate
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    rows = pdffonts(path)
    assert rows, "pdffonts found no fonts"
    for row in rows:
        assert "Sarabun" in row["name"], row
        assert "DejaVu" not in row["name"] and "Liberation" not in row["name"]
        assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), row


def test_the_text_reads_back(certificate):
    """pypdf gets ำ (sara am) wrong and may put a space after a stacked tone mark (ปิ่ นมณี):
    the strings checked contain no ำ, and the names are compared without spaces."""
    name, pdf = certificate
    text = reader(pdf).pages[0].extract_text()
    expected = [
        "ได้ผ่านการอบรมหลักสูตร",
        "ผู้ปฏิบัติงานด้านเทคโนโลยีดิจิทัล",
        "30 กันยายน พ.ศ. 2569",
        "DG-2569-000123",
        "(นายสมชาย ใจงาม)",
        SAMPLE["issuer"]["name_th"],
    ]
    if name == "formal-th":
        expected += ["เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า", "ตรวจสอบความถูกต้องได้ที่"]
    else:
        expected += [
            SAMPLE["learner"]["full_name_en"],
            SAMPLE["course"]["title_en"],
            "Given on 30 September 2026",
            "(8.5 hours)",
        ]
    assert not any(SARA_AM in string for string in expected)
    missing = [string for string in expected if string not in text]
    assert not missing, (missing, text)
    assert SAMPLE["learner"]["full_name_th"].replace(" ", "") in text.replace(" ", "")


def test_rendering_again_attaches_the_same_bytes(renderer, certificate, caplog):
    name, pdf = certificate
    data = copy.deepcopy(SAMPLE)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        again = renderer.render(name, data)
    assert attachment(again) == attachment(pdf)
    assert data == SAMPLE  # the caller's dict is left alone
    assert not caplog.records, [r.getMessage() for r in caplog.records]  # no missing font, bad CSS...


def test_key_order_does_not_change_the_attachment():
    shuffled = {key: SAMPLE[key] for key in reversed(list(SAMPLE))}
    shuffled["learner"] = dict(reversed(list(SAMPLE["learner"].items())))
    assert canonical_json(shuffled) == canonical_json(SAMPLE)
    assert canonical_json(SAMPLE).decode("utf-8").startswith('{"completed_on":"2026-09-30","course":{')
    assert "ปิ่นมณี".encode() in canonical_json(SAMPLE)  # UTF-8, not \\u escapes


# --- the data --------------------------------------------------------------------------------


def test_the_template_sees_the_data_and_the_qr_code(renderer):
    context = renderer.context("formal-th", SAMPLE)
    assert set(context) == set(SAMPLE) | {"qr_svg", "template"}
    assert context["qr_svg"] == qr_data_uri(SAMPLE["verify_url"])
    assert context["qr_svg"].startswith("data:image/svg+xml")
    assert context["template"]["languages"] == ["th"]
    html = renderer.render_html("formal-th", SAMPLE)
    assert f'src="{context["qr_svg"]}"' in html.replace("&#39;", "'")


class Row:  # what an ORM object looks like to json: not data
    name = "x"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("serial"), "serial: missing"),
        (lambda d: d["learner"].pop("full_name_th"), "learner.full_name_th: missing"),
        (
            lambda d: d.update(verify_url="ftp://dg-lms.example/verify/x"),
            "verify_url: must be an absolute http",
        ),
        (lambda d: d["learner"].update(full_name_th=" "), "learner.full_name_th: must be a non-empty string"),
        (lambda d: d["learner"].update(title_en=3), "learner.title_en: must be a string or null"),
        (lambda d: d["course"].update(hours=0), "course.hours"),
        (lambda d: d.update(completed_on="30/09/2026"), "completed_on: must be an ISO date"),
        (lambda d: d.update(issued_at="2026-09-30T10:00:00"), "issued_at: must include its UTC offset"),
        (lambda d: d.update(signatories=d["signatories"] * 4), "signatories: must be a list of at most 3"),
        (lambda d: d["signatories"][0].pop("position_th"), r"signatories\[0\].position_th: missing"),
        (lambda d: d["signatories"][0].update(signature_image="../x.png"), "signature_image: must be"),
        (lambda d: d["signatories"][0].update(signature_image="/etc/x.png"), "signature_image: must be"),
        (lambda d: d.update(qr_svg="data:,"), "qr_svg: reserved"),
    ],
)
def test_wrong_data_is_refused_before_rendering(renderer, change, message):
    data = copy.deepcopy(SAMPLE)
    change(data)
    with pytest.raises(CertificateDataError, match=message):
        renderer.render("formal-th", data)


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_least_data_renders(renderer, name):
    """No issuer, no signatory, no English name (the LMS's default settings, a learner
    without an English name): the templates leave those lines out."""
    data = copy.deepcopy(SAMPLE)
    data["issuer"] = {"name_th": "", "name_en": None}
    data["signatories"] = []
    data["learner"].update(title_en=None, first_name_en="", last_name_en="", full_name_en="")
    data["verify_url"] = "http://127.0.0.1:5000/verify/DG-2569-000123?c=7KQ2-M9XP-4TJD"
    data["course"]["hours"] = 1
    html = renderer.render_html(name, data)
    assert "None" not in html
    assert 'class="issuer' not in html and 'class="signatories' not in html
    pdf = renderer.render(name, data)
    assert len(reader(pdf).pages) == 1
    assert json.loads(attachment(pdf)) == data


def test_objects_are_not_data(renderer):
    with pytest.raises(CertificateDataError, match="plain JSON data"):
        renderer.render("formal-th", {**SAMPLE, "learner_row": Row()})
    with pytest.raises(CertificateDataError, match="must be a dict"):
        renderer.render("formal-th", [SAMPLE])


@pytest.mark.parametrize("name", ["../formal-th", "formal-th/../bilingual", "Formal-TH", "nope", ""])
def test_unknown_template_names_are_refused(renderer, name):
    with pytest.raises(TemplateError):
        renderer.render(name, SAMPLE)


def test_the_shipped_templates_are_listed():
    renderer = CertificateRenderer(DEFAULT_TEMPLATES_ROOT)
    assert set(TEMPLATES) <= set(renderer.template_names())
    assert renderer.metadata("bilingual").languages == ("th", "en")
    assert renderer.metadata("formal-th").page_css == "@page { size: A4 landscape; }\n"


# --- signatures and long text ------------------------------------------------------------------


@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> CertificateRenderer:
    """A copy of the shipped templates, each with a signature image, and a file next to them."""
    root = tmp_path_factory.mktemp("templates")
    shutil.copytree(DEFAULT_TEMPLATES_ROOT, root, dirs_exist_ok=True)
    signature = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
        '<path d="M5 45 C 30 5, 50 60, 70 30 S 110 10, 195 15" fill="none" stroke="#1a237e" '
        'stroke-width="3"/></svg>'
    )
    for name in TEMPLATES:
        (root / name / "signature.svg").write_text(signature, encoding="utf-8")
    (root.parent / "outside.svg").write_text(signature, encoding="utf-8")
    (root / "formal-th" / "link.svg").symlink_to(root.parent / "outside.svg")
    return CertificateRenderer(root)


@pytest.mark.parametrize("name", TEMPLATES)
def test_long_text_three_signatories_and_signatures_fit_one_page(copied, name):
    data = copy.deepcopy(SAMPLE)
    data["learner"]["full_name_th"] = "ว่าที่ร้อยตรีหญิง ปิ่นมณีรัตน์ รุ่งเรืองศรีสวัสดิ์วงศ์"
    data["learner"]["full_name_en"] = "Acting Second Lieutenant Pinmaneerat Rungruangsrisawatwong"
    data["course"]["title_th"] = (
        "การบริหารจัดการข้อมูลภาครัฐและการเปิดเผยข้อมูลเพื่อการพัฒนาบริการดิจิทัลที่ยึดประชาชนเป็นศูนย์กลาง สำหรับผู้บริหารระดับกลาง"
    )
    data["course"]["title_en"] = (
        "Government data management and open data for developing citizen-centred digital services"
    )
    signatory = dict(data["signatories"][0], signature_image="signature.svg")
    data["signatories"] = [signatory] * 3
    pdf = copied.render(name, data)
    assert len(reader(pdf).pages) == 1
    # the signatories are placed from the bottom up: the text above must stay clear of their
    # signature space (16 mm, 45 pt) and of the verification block
    heights = text_heights(pdf)
    date = min(y for text, y in heights if "2569" in text and "DG-" not in text)
    signatory = max(y for text, y in heights if "นายสมชาย" in text)
    serial = max(y for text, y in heights if "DG-2569-000123" in text)
    assert date - signatory > 55, (date, signatory)
    assert date - serial > 20, (date, serial)
    assert json.loads(attachment(pdf))["signatories"][2]["signature_image"] == "signature.svg"
    assert copied.render_html(name, data).count('src="signature.svg"') == 3
    # each signature image on the page, over its own signatory's line, under no text
    page = copied.layout(name, data).pages[0]
    placed = rectangles(page._page_box)
    images = [r for r in placed if r[0] == "<img>"]
    assert len(images) == 4  # the QR code and three signatures
    assert all(r[1] >= 0 and r[3] <= page.width and r[4] <= page.height for r in images), images
    assert not [(a[0], b[0]) for a, b in combinations(placed, 2) if overlap(a, b)]


def test_a_signature_symlinked_from_outside_is_refused(copied):
    data = copy.deepcopy(SAMPLE)
    data["signatories"][0]["signature_image"] = "link.svg"
    with pytest.raises(ResourceRefused, match="outside"):
        copied.render("formal-th", data)


# --- the reference image ---------------------------------------------------------------------


def test_reference_pngs(certificate, tmp_path):
    """tests/artifacts/certificate-<template>.png (git-ignored), to look at after a change."""
    name, pdf = certificate
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"certificate-{name}"
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", "100", "-singlefile", str(path), str(target)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    png = target.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1170, 827)  # A4 landscape (841.9 × 595.3 pt) at 100 dpi, rounded up
