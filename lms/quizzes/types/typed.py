"""Questions answered by typing: fill-in (text) and numeric. Both are all or nothing."""

from __future__ import annotations

import math
import re

from lms.quizzes.normalise import is_blank, normalise_text
from lms.quizzes.types.base import (
    RANGE_DELIMITER,
    QuestionType,
    ResponseError,
    Spec,
    only_value,
    refuse_parts,
    shown,
)
from lms.quizzes.types.content import format_number

#: Longest fill-in answer accepted (the input has the same ``maxlength``).
MAX_TEXT_LENGTH = 500
#: ``1``, ``-2.5``, ``.5``, ``3e8``; digits of any script (Thai ๐-๙ too); no ``1_000``, ``nan``.
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Exact numeric answers allow for binary floating point only, not for rounding by the learner.
TOLERANCE = 1e-9


class FillIn(QuestionType):
    """The text as typed (trimmed). It is right when, normalised with ``normalise_text``
    (whitespace and zero-width characters removed, NFC, Thai spellings unified, case-folded
    unless ``case_sensitive``), it equals one of the ``accepted`` answers normalised the
    same way. A text that shows nothing (``is_blank``: only spaces, zero-width, format or
    other invisible characters) is no answer, never a match; the package checker refuses
    such an accepted answer."""

    name = "fill_in"
    interaction_type = "fill-in"

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> str | None:
        refuse_parts(fields, [None])
        value = only_value(fields)
        if value is None or is_blank(value):
            return None
        if len(value) > MAX_TEXT_LENGTH:
            raise ResponseError(f"the answer is longer than {MAX_TEXT_LENGTH} characters")
        return value.strip()

    def score(self, spec: Spec, response: str) -> float:
        case_sensitive = bool(spec["case_sensitive"])
        accepted = {normalise_text(answer, case_sensitive) for answer in spec["accepted"]}
        return 1.0 if normalise_text(response, case_sensitive) in accepted else 0.0

    def correct_patterns(self, spec: Spec) -> list[str]:
        """One pattern per accepted answer. ``{case_matters=true}`` marks case-sensitive
        questions (the xAPI default is false). The patterns list the answers as written;
        the LMS also accepts their whitespace and zero-width variants, as documented."""
        prefix = "{case_matters=true}" if spec["case_sensitive"] else ""
        return [prefix + answer for answer in spec["accepted"]]

    def to_xapi_response(self, spec: Spec, response: str) -> str:
        return response

    def correct_answer(self, spec: Spec) -> str:
        return " / ".join(spec["accepted"])

    def response_text(self, spec: Spec, response: str) -> str:
        return response


class Numeric(QuestionType):
    """A float. With ``correct: n`` it is right when equal to ``n`` (within ``TOLERANCE``,
    relative or absolute, for floating point); with ``range: {min, max}`` when
    ``min <= answer <= max`` (both ends included)."""

    name = "numeric"
    interaction_type = "numeric"

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> float | None:
        refuse_parts(fields, [None])
        value = only_value(fields)
        if value is None or not value.strip():
            return None
        text = value.strip()
        if len(text) > 100 or not NUMBER.fullmatch(text):
            raise ResponseError(f"{shown(text)} is not a number")
        number = float(text)
        if not math.isfinite(number):
            raise ResponseError(f"{shown(text)} is too large")
        return number

    def score(self, spec: Spec, response: float) -> float:
        if "range" in spec:
            return 1.0 if spec["range"]["min"] <= response <= spec["range"]["max"] else 0.0
        return 1.0 if math.isclose(response, spec["correct"], rel_tol=TOLERANCE, abs_tol=TOLERANCE) else 0.0

    def correct_patterns(self, spec: Spec) -> list[str]:
        if "range" in spec:
            bounds = spec["range"]
            return [f"{format_number(bounds['min'])}{RANGE_DELIMITER}{format_number(bounds['max'])}"]
        return [format_number(spec["correct"])]

    def to_xapi_response(self, spec: Spec, response: float) -> str:
        return format_number(response)

    def correct_answer(self, spec: Spec) -> str:
        if "range" in spec:
            return f"{format_number(spec['range']['min'])} – {format_number(spec['range']['max'])}"
        return format_number(spec["correct"])

    def response_text(self, spec: Spec, response: float) -> str:
        return format_number(response)
