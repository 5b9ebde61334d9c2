"""Rebuild the web fonts: WOFF2 subsets of the Sarabun TTFs, and their URLs in lms.css.

    .venv/bin/python scripts/build_fonts.py

For each ``lms/static/fonts/Sarabun-<Weight>.ttf`` (kept: certificate PDFs embed them) it writes
``Sarabun-<Weight>.woff2`` with the characters the site shows (Thai, Basic Latin, Latin-1, the
general punctuation and a few signs) and every OpenType layout feature (Thai marks need
``mark``/``mkmk``/``ccmp``), without hinting. Then it points the ``@font-face`` rules of
``lms/static/css/lms.css`` at the WOFF2 files, each with ``?v=<fingerprint>`` (the same
fingerprint :mod:`lms.core.static` serves them immutable for). Run it again after changing a
TTF or the character set; commit the ``.woff2`` files and the stylesheet.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lms.core.static import fingerprint  # noqa: E402 (after the path is set)

STATIC = REPO / "lms" / "static"
FONTS = STATIC / "fonts"
STYLESHEET = STATIC / "css" / "lms.css"
WEIGHTS = {400: "Sarabun-Regular", 600: "Sarabun-SemiBold", 700: "Sarabun-Bold"}
UNICODE_RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement: no-break space, middle dot, é, ÷, ²
    (0x0E00, 0x0E7F),  # Thai
    (0x2000, 0x206F),  # General Punctuation: dashes, curly quotes, ellipsis, ›
    (0x20AC, 0x20AC),  # euro sign
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x25CC, 0x25CC),  # dotted circle: the base a lone Thai mark is shown on
]
FONT_FACE = re.compile(r"@font-face \{[^}]*font-weight: (\d+);[^}]*\}")


def unicodes() -> list[int]:
    return [code for first, last in UNICODE_RANGES for code in range(first, last + 1)]


def build_woff2(ttf: Path, woff2: Path) -> int:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(ttf, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes())
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(woff2)
    return woff2.stat().st_size


def font_face(weight: int, name: str) -> str:
    version = fingerprint(STATIC, f"fonts/{name}.woff2")
    return (
        f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; font-display: swap; '
        f'src: url("../fonts/{name}.woff2?v={version}") format("woff2"); }}'
    )


def rewrite_stylesheet() -> None:
    text = STYLESHEET.read_text(encoding="utf-8")
    found = {int(m[1]) for m in FONT_FACE.finditer(text)}
    if found != set(WEIGHTS):
        raise SystemExit(
            f"{STYLESHEET}: expected @font-face rules for {sorted(WEIGHTS)}, found {sorted(found)}"
        )
    text = FONT_FACE.sub(lambda m: font_face(int(m[1]), WEIGHTS[int(m[1])]), text)
    STYLESHEET.write_text(text, encoding="utf-8")


def main() -> int:
    for name in WEIGHTS.values():
        size = build_woff2(FONTS / f"{name}.ttf", FONTS / f"{name}.woff2")
        print(f"{name}.woff2: {size:,} bytes")
    rewrite_stylesheet()
    print(f"{STYLESHEET.relative_to(REPO)}: @font-face rules point at the WOFF2 files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
