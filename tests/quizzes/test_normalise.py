"""Fill-in answers are compared after normalise_text: Thai-aware, what looks equal matches."""

import unicodedata

import pytest

from lms.quizzes.normalise import normalise_text

SARA_AM = "\u0e33"  # ำ
NIKHAHIT, SARA_AA = "\u0e4d", "\u0e32"  # ํ า: together they look exactly like ำ
MAI_THO = "\u0e49"  # ้ (a tone mark)


@pytest.mark.parametrize(
    "variant",
    [
        "กรุงเทพ\u200bมหานคร",  # ZERO WIDTH SPACE, as pasted from Word or a PDF
        "กรุง\u200cเทพ\u200dมหา\u2060นคร\ufeff",  # ZWNJ, ZWJ, WORD JOINER, BOM
        " กรุงเทพ มหานคร ",
        "กรุงเทพ\u00a0มหานคร",  # NO-BREAK SPACE
        "กรุงเทพ\u2009มหา\u202fนคร\u3000",  # thin, narrow no-break and ideographic spaces
        "กรุงเทพ\tมหา\nนคร\r\n",
    ],
)
def test_whitespace_and_zero_width_characters_are_removed(variant):
    assert normalise_text(variant, case_sensitive=True) == "กรุงเทพมหานคร"


def test_nfc_composes_canonical_equivalents():
    assert normalise_text("Cafe\u0301", True) == normalise_text("Café", True) == "Caf\u00e9"


def test_nfc_puts_thai_combining_marks_in_canonical_order():
    # ปู่: SARA UU (combining class 103) before MAI EK (107); typed the other way round it
    # looks the same, and NFC reorders it.
    assert normalise_text("ป\u0e48\u0e39", True) == normalise_text("ป\u0e39\u0e48", True) == "ป\u0e39\u0e48"


def test_nfc_does_not_compose_sara_am():
    """The finding behind the explicit mapping: U+0E33 has only a *compatibility*
    decomposition, so NFC leaves both spellings apart; NFKC would unify them by decomposing
    U+0E33, but NFKC changes much else, so normalise_text maps the pair itself."""
    assert unicodedata.decomposition(SARA_AM) == "<compat> 0E4D 0E32"
    assert unicodedata.normalize("NFC", NIKHAHIT + SARA_AA) == NIKHAHIT + SARA_AA
    assert unicodedata.normalize("NFC", SARA_AM) == SARA_AM
    assert unicodedata.normalize("NFKC", SARA_AM) == NIKHAHIT + SARA_AA
    assert unicodedata.combining(NIKHAHIT) == 0  # so NFC does not reorder it around tone marks
    assert unicodedata.normalize("NFKC", "\uff21") == "A"  # what NFKC would also do: full width A


@pytest.mark.parametrize(
    "spelling",
    [
        "น" + MAI_THO + SARA_AM,  # น้ำ as typed on a Thai keyboard
        "น" + MAI_THO + NIKHAHIT + SARA_AA,  # tone mark, then the two halves of ำ
        "น" + NIKHAHIT + MAI_THO + SARA_AA,  # NIKHAHIT before the tone mark
        "น" + NIKHAHIT + MAI_THO + "\u200b" + SARA_AA,  # with a zero-width space inside
    ],
)
def test_sara_am_spellings_are_unified(spelling):
    assert normalise_text(spelling, True) == "น" + MAI_THO + SARA_AM


def test_decomposed_sara_am_in_a_word():
    assert normalise_text("ก" + NIKHAHIT + SARA_AA + "ลัง", True) == normalise_text("กำลัง", True)


def test_two_sara_e_look_like_sara_ae():
    assert normalise_text("\u0e40\u0e40มว", True) == normalise_text("แมว", True) == "แมว"
    assert normalise_text("เมว", True) != normalise_text("แมว", True)


def test_different_thai_letters_stay_different():
    assert normalise_text("ใจ", False) != normalise_text("ไจ", False)  # SARA AI MAIMUAN / MAIMALAI
    assert normalise_text("ค่า", False) != normalise_text("ค้า", False)  # tone marks matter


def test_case_folding_only_when_not_case_sensitive():
    assert normalise_text("Bangkok", False) == normalise_text("BANGKOK", False) == "bangkok"
    assert normalise_text("Bangkok", True) != normalise_text("BANGKOK", True)
    assert normalise_text("Straße", False) == normalise_text("STRASSE", False)


def test_case_folding_leaves_thai_alone():
    thai = "ภาวะผู้นำรัฐบาลดิจิทัล"
    assert normalise_text(thai, False) == normalise_text(thai, True) == thai


def test_case_folding_result_is_nfc_again():
    # casefold() turns U+01F0 into j + COMBINING CARON; NFC composes it back.
    assert normalise_text("\u01f0", False) == normalise_text("J\u030c", False) == "\u01f0"


def test_empty_and_blank():
    assert normalise_text("", False) == ""
    assert normalise_text(" \u200b\u00a0\n", False) == ""
