"""Questions answered by picking from given options: single choice, multiple response and
true/false (all xAPI ``choice`` or ``true-false`` interactions)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from lms.quizzes.types.base import (
    LIST_DELIMITER,
    LanguageMapFn,
    QuestionType,
    ResponseError,
    Spec,
    only_value,
    refuse_parts,
    shown,
)
from lms.quizzes.types.content import components, options, texts_by_id


class _ChoiceQuestion(QuestionType):
    """Shared by single choice and multiple response: the ``choices`` list."""

    interaction_type = "choice"

    def public_options(
        self, spec: Spec, rng: random.Random, shuffle: bool, media_urls: Mapping[str, str] | None
    ) -> dict[str, Any]:
        return {"choices": options(spec["choices"], rng, shuffle, media_urls)}

    def xapi_components(self, spec: Spec, language_map_fn: LanguageMapFn) -> dict[str, Any]:
        return {"choices": components(spec["choices"], language_map_fn)}

    def _check_choice(self, spec: Spec, choice_id: str) -> str:
        if choice_id not in {choice["id"] for choice in spec["choices"]}:
            raise ResponseError(f"{shown(choice_id)} is not one of the choices")
        return choice_id

    def _feedback_of(self, spec: Spec, picked: set[str]) -> list[str]:
        return [c["feedback"] for c in spec["choices"] if c["id"] in picked and c.get("feedback")]


class SingleChoice(_ChoiceQuestion):
    """One choice id, e.g. ``"b"``. All or nothing."""

    name = "single_choice"

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> str | None:
        refuse_parts(fields, [None])
        value = only_value(fields)
        return None if value is None else self._check_choice(spec, value)

    def score(self, spec: Spec, response: str) -> float:
        return 1.0 if response == spec["correct"] else 0.0

    def chosen_feedback(self, spec: Spec, response: str) -> list[str]:
        return self._feedback_of(spec, {response})

    def correct_patterns(self, spec: Spec) -> list[str]:
        return [spec["correct"]]

    def to_xapi_response(self, spec: Spec, response: str) -> str:
        return response

    def correct_answer(self, spec: Spec) -> str:
        return texts_by_id(spec["choices"])[spec["correct"]]

    def response_text(self, spec: Spec, response: str) -> str:
        return texts_by_id(spec["choices"])[response]


class MultipleResponse(_ChoiceQuestion):
    """A tuple of the ticked choice ids, in the order of the YAML, e.g. ``("a", "c")``.

    With ``scoring: all_or_nothing`` the points are earned only when exactly the correct
    choices are ticked. With ``scoring: partial``::

        earned = points * max(0, (correct ticked - wrong ticked) / number of correct choices)

    so ticking every option never pays: with correct {a, c} of a-d, ticking a earns half,
    a and b earns nothing, a and c all. Only the exact set counts as correct (xAPI success).
    """

    name = "multiple_response"

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> tuple[str, ...] | None:
        refuse_parts(fields, [None])
        ticked = [value for value in fields.get(None, []) if value != ""]
        for value in ticked:
            self._check_choice(spec, value)
        if len(set(ticked)) != len(ticked):
            raise ResponseError("a choice was sent twice")
        chosen = tuple(c["id"] for c in spec["choices"] if c["id"] in ticked)
        return chosen or None

    def score(self, spec: Spec, response: tuple[str, ...]) -> float:
        correct, ticked = set(spec["correct"]), set(response)
        if spec["scoring"] == "all_or_nothing":
            return 1.0 if ticked == correct else 0.0
        right, wrong = len(ticked & correct), len(ticked - correct)
        return max(0.0, (right - wrong) / len(correct))

    def chosen_feedback(self, spec: Spec, response: tuple[str, ...]) -> list[str]:
        return self._feedback_of(spec, set(response))

    def correct_patterns(self, spec: Spec) -> list[str]:
        return [LIST_DELIMITER.join(c["id"] for c in spec["choices"] if c["id"] in spec["correct"])]

    def to_xapi_response(self, spec: Spec, response: tuple[str, ...]) -> str:
        return LIST_DELIMITER.join(response)

    def correct_answer(self, spec: Spec) -> str:
        texts = texts_by_id(spec["choices"])
        return "; ".join(texts[c["id"]] for c in spec["choices"] if c["id"] in spec["correct"])

    def response_text(self, spec: Spec, response: tuple[str, ...]) -> str:
        texts = texts_by_id(spec["choices"])
        return "; ".join(texts[choice] for choice in response)


class TrueFalse(QuestionType):
    """``True`` or ``False`` (form values ``true``/``false``). All or nothing."""

    name = "true_false"
    interaction_type = "true-false"

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> bool | None:
        refuse_parts(fields, [None])
        value = only_value(fields)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise ResponseError(f"{shown(value)} is neither true nor false")
        return value == "true"

    def score(self, spec: Spec, response: bool) -> float:
        return 1.0 if response is bool(spec["correct"]) else 0.0

    def correct_patterns(self, spec: Spec) -> list[str]:
        return ["true" if spec["correct"] else "false"]

    def to_xapi_response(self, spec: Spec, response: bool) -> str:
        return "true" if response else "false"

    def correct_answer(self, spec: Spec) -> str:
        return gettext("True") if spec["correct"] else gettext("False")

    def response_text(self, spec: Spec, response: bool) -> str:
        return gettext("True") if response else gettext("False")
