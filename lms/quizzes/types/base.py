"""The contract every question type keeps, and the form-field naming scheme.

A question type is a stateless object that knows one ``type:`` of the quiz YAML (see
``docs/course-package.md``, section Quizzes). It works on a question ``spec``, the dict from
the package, already checked at import, and on a *response*, the learner's answer parsed from
form fields: ``None`` when the question was left empty, otherwise a value per type.

Form fields (all names start with ``q.<question id>``; ids contain no dots):

- ``q.<qid>``: the answer of single_choice (a choice id), true_false (``true``/``false``),
  fill_in (the text) and numeric (the number); multiple_response sends one ``q.<qid>`` per
  ticked choice, plus an empty one so that "nothing ticked" is sent too.
- ``q.<qid>.<source id>`` = a target id, for matching.
- ``q.<qid>.<item id>`` = a position ``1``..``n``, for sequencing.

An empty value means "not answered". Anything a browser could not send from our own page (an
unknown choice, target or item id, two values for one answer, a position used twice, a
number that is not one, a field this type does not have) raises ``ResponseError``: the
request was forged or stale, so it is refused rather than graded as a wrong answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lms.quizzes.types.content import block_html, inline_html, plain_text, shorten
from lms.xapi.vocabulary import ACTIVITY_TYPES

FIELD_PREFIX = "q."
LIST_DELIMITER = "[,]"
PAIR_DELIMITER = "[.]"
RANGE_DELIMITER = "[:]"
NAME_LENGTH = 100

Spec = Mapping[str, Any]
Form = Mapping[str, Sequence[str] | str]
LanguageMapFn = Callable[[str], dict[str, str]]


class ResponseError(ValueError):
    """Form fields that our page could not have sent for this question (answer with a 4xx)."""


class UnclearAnswer(ResponseError):
    """An answer our page lets a learner send that is no answer (two items at one position):
    the learner is told what to fix, in their language."""


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer.

    ``is_correct`` is None for an empty answer, True only for a fully right one (partial
    credit is ``False`` with ``earned > 0``). ``chosen_feedback`` holds the per-option
    feedback texts (Markdown) of the options the learner picked.
    """

    earned: float
    possible: float
    is_correct: bool | None
    chosen_feedback: list[str] = field(default_factory=list)


def field_name(question_id: str, part: str | None = None) -> str:
    """The form field of a question (``q.q1``) or of one of its parts (``q.q1.s1``)."""
    return f"{FIELD_PREFIX}{question_id}" if part is None else f"{FIELD_PREFIX}{question_id}.{part}"


class QuestionType:
    """One kind of question. Subclasses set ``name`` (the YAML ``type``) and
    ``interaction_type`` (xAPI) and implement the hooks below the public methods."""

    name: ClassVar[str] = ""
    interaction_type: ClassVar[str] = ""

    @property
    def template(self) -> str:
        """The Jinja partial that renders the question from its public view."""
        return f"lms/quizzes/questions/{self.name}.html"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # The page -------------------------------------------------------------------------

    def public_view(
        self,
        spec: Spec,
        rng: random.Random,
        shuffle_choices: bool,
        *,
        media_urls: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Exactly what the learner's page may receive before the attempt is graded: the id,
        type, sanitized prompt (without the ``<p>`` of a one-paragraph prompt, so that it fits a
        ``<legend>``), points and the options with their ids and texts. Never the
        correct answer, the accepted answers or any feedback. ``rng`` orders the options
        (seed it the same way to show the same order again)."""
        view = {
            "id": spec["id"],
            "type": self.name,
            "prompt_html": inline_html(spec["prompt"], media_urls),
            "points": spec["points"],
        }
        view.update(self.public_options(spec, rng, shuffle_choices, media_urls))
        return view

    def parse(self, spec: Spec, form: Form) -> Any:
        """The response in this question's form fields (others are ignored), or None when it
        was left empty. Raises ``ResponseError`` for fields our page could not have sent."""
        return self.parse_fields(spec, _own_fields(spec["id"], form))

    def grade(self, spec: Spec, response: Any) -> Grade:
        """Points earned for a parsed response (see ``score`` of each type for the rule)."""
        possible = float(spec["points"])
        if response is None:
            return Grade(0.0, possible, None, [])
        fraction = self.score(spec, response)
        return Grade(
            round(possible * fraction, 4), possible, fraction >= 1, self.chosen_feedback(spec, response)
        )

    def to_xapi_definition(self, spec: Spec, language_map_fn: LanguageMapFn) -> dict[str, Any]:
        """The ``definition`` of the question's cmi.interaction activity (xAPI 1.0.3, 2.4.4.1)."""
        prompt = plain_text(spec["prompt"]) or spec["id"]
        definition = {
            "type": ACTIVITY_TYPES["interaction"],
            "name": language_map_fn(shorten(prompt, NAME_LENGTH)),
            "description": language_map_fn(prompt),
            "interactionType": self.interaction_type,
            "correctResponsesPattern": self.correct_patterns(spec),
        }
        definition.update(self.xapi_components(spec, language_map_fn))
        return definition

    def to_xapi_response(self, spec: Spec, response: Any) -> str:
        """``result.response`` in the format of the interaction type (not for None)."""
        raise NotImplementedError

    def review(
        self, spec: Spec, response: Any, *, media_urls: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """What may be shown once the quiz's rules allow it: ``correct_answer`` (plain text),
        ``feedback_html`` (the question's general feedback, or None) and ``chosen_feedback``
        (HTML of the feedback of each option the learner picked)."""
        feedback = spec.get("feedback")
        chosen = self.chosen_feedback(spec, response) if response is not None else []
        return {
            "correct_answer": self.correct_answer(spec),
            "feedback_html": block_html(feedback, media_urls) if feedback else None,
            "chosen_feedback": [block_html(text, media_urls) for text in chosen],
        }

    # Hooks ----------------------------------------------------------------------------

    def public_options(
        self, spec: Spec, rng: random.Random, shuffle: bool, media_urls: Mapping[str, str] | None
    ) -> dict[str, Any]:
        return {}

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> Any:
        """``fields`` maps the part after ``q.<qid>.`` (None for ``q.<qid>`` itself) to its values."""
        raise NotImplementedError

    def score(self, spec: Spec, response: Any) -> float:
        """The fraction of the points earned, from 0 to 1 (1 only for a fully right answer)."""
        raise NotImplementedError

    def chosen_feedback(self, spec: Spec, response: Any) -> list[str]:
        return []

    def correct_patterns(self, spec: Spec) -> list[str]:
        raise NotImplementedError

    def xapi_components(self, spec: Spec, language_map_fn: LanguageMapFn) -> dict[str, Any]:
        return {}

    def correct_answer(self, spec: Spec) -> str:
        raise NotImplementedError

    def response_text(self, spec: Spec, response: Any) -> str:
        """The learner's answer (not None) in plain text, for a result page that lists what
        the learner answered without showing every option (one of them is the right one)."""
        raise NotImplementedError


def _own_fields(question_id: str, form: Form) -> dict[str | None, list[str]]:
    name = field_name(question_id)
    fields: dict[str | None, list[str]] = {}
    for key, values in form.items():
        if key == name:
            part = None
        elif key.startswith(name + "."):
            part = key[len(name) + 1 :]
        else:
            continue
        fields[part] = [values] if isinstance(values, str) else [str(value) for value in values]
    return fields


def only_value(fields: dict[str | None, list[str]], part: str | None = None) -> str | None:
    """The one non-empty value of a field, None if there is none; more than one is forged."""
    values = [value for value in fields.get(part, []) if value != ""]
    if len(values) > 1:
        raise ResponseError("only one answer may be given")
    return values[0] if values else None


def refuse_parts(fields: dict[str | None, list[str]], allowed: Sequence[str | None]) -> None:
    unknown = sorted(str(part) for part in fields if part not in allowed)
    if unknown:
        raise ResponseError(f"unknown answer field(s): {', '.join(shown(part) for part in unknown[:5])}")


def shown(value: str) -> str:
    """A value from the form, quoted and cut short, for an error message."""
    return repr(shorten(value, 30))
