"""Text normalisation for fill-in answers, so that what looks the same on screen matches.

``normalise_text`` is applied to the learner's answer and to every accepted answer before
they are compared. In order:

1. **Unicode NFC.** Composes canonically equivalent sequences (Latin ``e`` + U+0301 and
   ``é`` compare equal).
2. **Whitespace and zero-width characters are removed**, all of them, not just at the ends:
   every character ``str.isspace`` accepts (space, tab, line breaks, NBSP U+00A0, the
   U+2000-U+200A spaces, U+202F, U+205F, U+3000) and the invisible U+200B ZERO WIDTH SPACE,
   U+200C ZWNJ, U+200D ZWJ, U+2060 WORD JOINER and U+FEFF (BOM / ZWNBSP). Thai is written
   without spaces between words, and text pasted from Word or a PDF often carries zero-width
   spaces inserted as line-break hints. The price: in Latin answers ``New York`` and
   ``NewYork`` compare equal, which is harmless for short fill-in answers.
3. **Thai sequences that render identically are unified:**

   - SARA AM. U+0E33 (ำ) has only a *compatibility* decomposition to U+0E4D NIKHAHIT +
     U+0E32 SARA AA, so NFC leaves both spellings as they are and they would not match.
     (NFKC would unify them, by *decomposing* U+0E33, but NFKC also rewrites full-width
     letters, superscripts, ligatures and more, which is not ours to change.) Both spellings
     look the same, and the decomposed one appears in text from PDFs and some input methods,
     so ``U+0E4D [tone mark] U+0E32`` becomes ``[tone mark] U+0E33`` (NIKHAHIT has
     combining class 0, so NFC does not reorder it around a tone mark either: both
     ``น + ํ + ้ + า`` and ``น + ้ + ํ + า`` become ``น้ำ``).
   - SARA AE. Two SARA E (``เเ``, U+0E40 twice) look exactly like one SARA AE (``แ``,
     U+0E41) and are a common typing slip; Thai spelling never has two SARA E in a row, so
     the pair becomes U+0E41.
4. **Case-folding** (``str.casefold``) unless the question is case sensitive. Thai has no
   case, so this only affects Latin (and other cased scripts). The result is put through NFC
   again, because case-folding can leave a decomposed sequence.

``is_blank`` says whether a text shows nothing at all: it is made only of whitespace, the
zero-width characters above, other format characters (Unicode category Cf: soft hyphen,
bidirectional marks, invisible operators, tags...), control characters, or the characters
that render as nothing (combining grapheme joiner, variation selectors, the Hangul fillers,
the blank Braille pattern, the Khmer inherent vowels). A learner's fill-in response that is
blank is no answer, and the package checker refuses a blank accepted answer: otherwise a
response that looks empty could match it.
"""

from __future__ import annotations

import re
import unicodedata

#: Invisible characters that are not whitespace to ``str.isspace``.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

_INVISIBLE = re.compile(rf"[\s{ZERO_WIDTH}]+")
_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_DOUBLE_SARA_E = re.compile("\u0e40\u0e40")
#: Characters that render as nothing but are neither whitespace nor of category Cf or Cc.
_SHOW_NOTHING = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def normalise_text(value: str, case_sensitive: bool) -> str:
    """``value`` in the form used to compare fill-in answers (see the module docstring)."""
    text = unicodedata.normalize("NFC", value)
    text = _INVISIBLE.sub("", text)
    text = _SARA_AM.sub("\\1\u0e33", text)
    text = _DOUBLE_SARA_E.sub("\u0e41", text)
    if not case_sensitive:
        text = unicodedata.normalize("NFC", text.casefold())
    return text


def is_blank(value: str) -> bool:
    """Whether ``value`` shows nothing on screen (see the module docstring); true for ``""``."""
    return all(_shows_nothing(char) for char in value)


def _shows_nothing(char: str) -> bool:
    return (
        char.isspace()
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or _SHOW_NOTHING.fullmatch(char) is not None
    )
