"""Helpers for the certificate tests: no database, no app; PDFs read with pypdf and poppler."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path
from textwrap import dedent

import pytest
from pypdf import PdfReader

from lms.certificates.render import CertificateRenderer

METADATA = """\
name:
  th: "ทดสอบ"
  en: "Test"
page:
  size: A4
  orientation: landscape
languages: [th]
"""


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    """The built-in templates (lms/certificates/designs), one renderer per test module."""
    return CertificateRenderer()


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def text_heights(pdf: bytes) -> list[tuple[str, float]]:
    """Each piece of text on the first page with the height of its baseline, in points from the
    bottom of the page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text, tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    reader(pdf).pages[0].extract_text(visitor_text=visit)
    return found


def make_template(root: Path, name: str, html: str, css: str = "", metadata: str = METADATA) -> Path:
    """A template folder ``root/name`` with the three files."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "template.html").write_text(dedent(html), encoding="utf-8")
    (folder / "theme.css").write_text(dedent(css), encoding="utf-8")
    (folder / "metadata.yaml").write_text(metadata, encoding="utf-8")
    return folder


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} (poppler-utils) is not installed; `make system-deps` installs it")
    return path


def pdffonts(pdf_path: Path) -> list[dict[str, str]]:
    """``pdffonts`` rows: name, type, encoding, emb, sub, uni (the object id is left out)."""
    out = subprocess.run(
        [poppler("pdffonts"), str(pdf_path)], check=True, capture_output=True, text=True, timeout=30
    ).stdout
    rows = []
    for line in out.splitlines()[2:]:
        name, rest = line[:37].strip(), line[37:].split()
        # the type may be two words ("CID TrueType"); the object id is two ("19  0")
        encoding, emb, sub, uni = rest[-6:-2]
        rows.append(
            {
                "name": name,
                "type": " ".join(rest[:-6]),
                "encoding": encoding,
                "emb": emb,
                "sub": sub,
                "uni": uni,
            }
        )
    return rows
