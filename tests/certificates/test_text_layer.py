"""The PDF's text layer and structure: what `pdftotext` (poppler) and a screen reader get.

Sarabun draws ำ with the glyph of า, and a PDF maps each glyph to one text: without the
renderer's /ActualText, pdftotext read "สำนักงำนพัฒนำ" and "จานวน"."""

from __future__ import annotations

import copy
import subprocess

import pytest

from lms.certificates.data import SAMPLE

from .conftest import poppler, reader

TEMPLATES = ("formal-th", "bilingual")
DATA = copy.deepcopy(SAMPLE)
DATA["verification_code"] = "7KQ2M9XP4T"
DATA["learner"].update(full_name_th="นางสาวปิ่นมณี รุ่งเรืองศรี", last_name_th="รุ่งเรืองศรี")
DATA["course"]["title_th"] = "การนำข้อมูลภาครัฐไปใช้ประโยชน์อย่างมีธรรมาภิบาลสำหรับผู้บริหารระดับต้นของส่วนราชการ"
DATA["issuer"]["name_th"] = "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)"
DATA["signatories"][0].update(name_th="นายสมชาย ใจงาม", position_th="ผู้อำนวยการสำนักงานพัฒนารัฐบาลดิจิทัล")

#: Every Thai string each template prints for DATA, written out by hand.
THAI = {
    "formal-th": [
        "เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า",
        "ได้ผ่านการอบรมหลักสูตร",
        "จำนวน 8.5 ชั่วโมง",
        "ให้ไว้ ณ วันที่ 30 กันยายน พ.ศ. 2569",
        "เลขที่ DG-2569-000123",
        "ตรวจสอบความถูกต้องได้ที่",
    ],
    "bilingual": [
        "ขอมอบเกียรติบัตรฉบับนี้เพื่อแสดงว่า",
        "ได้ผ่านการอบรมหลักสูตร",
        "จำนวน 8.5 ชั่วโมง (8.5 hours)",
        "ให้ไว้ ณ วันที่ 30 กันยายน พ.ศ. 2569 · Given on 30 September 2026",
        "เลขที่ No. DG-2569-000123",
        "ตรวจสอบความถูกต้องได้ที่",
    ],
}
FROM_DATA = [
    "เกียรติบัตร",
    "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
    "นางสาวปิ่นมณี รุ่งเรืองศรี",
    "การนำข้อมูลภาครัฐไปใช้ประโยชน์อย่างมีธรรมาภิบาลสำหรับผู้บริหารระดับต้นของส่วนราชการ",
    "(นายสมชาย ใจงาม)",
    "ผู้อำนวยการสำนักงานพัฒนารัฐบาลดิจิทัล",
    "รหัสตรวจสอบ",
]


@pytest.fixture(scope="module", params=TEMPLATES)
def rendered(request, renderer, tmp_path_factory):
    pdf = renderer.render(request.param, DATA)
    path = tmp_path_factory.mktemp("text") / f"{request.param}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return request.param, pdf, text


def test_pdftotext_gives_every_thai_string_exactly(rendered):
    """Lines are joined as they come (Thai puts no space where a long title wraps)."""
    name, _, text = rendered
    joined = "".join(line.strip() for line in text.splitlines())
    missing = [string for string in THAI[name] + FROM_DATA if string not in joined]
    assert not missing, (missing, text)
    assert "งำน" not in joined and "จานวน" not in joined


def test_the_verification_code_is_printed_labelled_in_groups(rendered):
    _, _, text = rendered
    words = " ".join(text.split())
    assert "รหัสตรวจสอบ / Verification code 7KQ2-M9XP-4T" in words, words


def test_the_pdf_is_tagged_for_screen_readers(rendered):
    _, pdf, _ = rendered
    root = reader(pdf).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    tags, alts = [], []

    def walk(element):
        element = element.get_object()
        if isinstance(element, dict):
            tags.append(element.get("/S"))
            if "/Alt" in element:
                alts.append(element["/Alt"])
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/P", "/Figure"} <= set(tags)
    assert any("QR" in alt or "คิวอาร์โค้ด" in alt for alt in alts), alts
