"""The quiz editor's forms, and the translation between a question form and a question's data.

The forms check only what a field's type needs (a number is a number); every rule of the quiz
format is left to the package checker, run by :mod:`lms.authoring.quizzes` on the would-be
file. Rows of choices, sources, targets and items are a fixed number of blank rows, so the
page works without JavaScript; empty rows are dropped and empty ids are generated.
"""

from __future__ import annotations

import re
import string
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from lms.accounts.forms import choices as select_choices
from lms.core.fields import WholeNumberField
from lms.core.paging import whole_number

ROWS = 8
"""Blank rows shown for choices, sources, targets and items (more when a question has more)."""
NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,6})?")

TYPE_LABELS = {
    "single_choice": _l("Single choice"),
    "multiple_response": _l("Multiple response"),
    "true_false": _l("True or false"),
    "fill_in": _l("Fill in the blank"),
    "numeric": _l("Numeric answer"),
    "matching": _l("Matching"),
    "sequencing": _l("Sequencing"),
}
SHOW_FEEDBACK_LABELS = {
    "after_pass_or_last_attempt": _l("Once passed or no attempt is left (recommended)"),
    "after_last_attempt": _l("Only when no attempt is left"),
    "after_attempt": _l("After every attempt"),
    "never": _l("Never show them"),
}
ATTEMPT_COUNTS_LABELS = {"best": _l("The best attempt"), "last": _l("The last attempt")}
SCORING_LABELS = {
    "all_or_nothing": _l("All or nothing: every correct choice and no other"),
    "partial": _l("Partial: points for each right pick, less for each wrong one"),
}


class NumberField(StringField):
    """A number written with ASCII digits, an optional minus and decimal point (``1``, ``0.5``);
    kept as an int when it is whole, so the YAML reads as a trainer would write it."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        if not NUMBER.fullmatch(raw):
            raise ValueError(_l("Write a number with the digits 0-9, e.g. 1 or 0.5."))
        number = float(raw)
        self.data = int(number) if number.is_integer() else number

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class RevisionField(HiddenField):
    """The revision of a file the page was opened at (a whole number from 0)."""

    def process_formdata(self, valuelist):
        self.data = whole_number((valuelist[0] if valuelist else "").strip())
        if self.data is None:
            raise ValueError(_l("The page is out of date; reload it and make your change again."))


class RevisionForm(FlaskForm):
    """A plain POST button that names the revision it acts on (delete a quiz or a question)."""

    revision = RevisionField()


class MoveForm(RevisionForm):
    step = HiddenField()


class DetachForm(FlaskForm):
    module = HiddenField()
    course_revision = RevisionField()


class NewQuizForm(FlaskForm):
    module = SelectField(_l("For the module"), validate_choice=False)
    quiz_id = StringField(
        _l("Quiz id"), validators=[InputRequired(message=_l("Give the quiz an id, e.g. m1-quiz."))]
    )
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    course_revision = RevisionField()
    submit = SubmitField(_l("Create the quiz"))


class QuizSettingsForm(FlaskForm):
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    pass_mark = NumberField(_l("Pass mark (percent of the points, 0-100)"))
    attempts = WholeNumberField(_l("Attempts allowed"))
    unlimited = BooleanField(_l("Unlimited attempts"))
    time_limit = WholeNumberField(_l("Time limit in minutes (leave empty for none)"))
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_choices = BooleanField(_l("Shuffle the choices"))
    draw = WholeNumberField(_l("Questions drawn per attempt (leave empty to ask every question)"))
    show_feedback = SelectField(
        _l("Show the correct answers and feedback"),
        choices=select_choices(SHOW_FEEDBACK_LABELS.items()),
        validate_choice=False,
    )
    attempt_counts = RadioField(
        _l("Which attempt counts"),
        choices=select_choices(ATTEMPT_COUNTS_LABELS.items()),
        validate_choice=False,
    )
    revision = RevisionField()
    submit = SubmitField(_l("Save the settings"))

    def fill(self, data: dict) -> None:
        title = data.get("title") if isinstance(data.get("title"), dict) else {}
        self.title_th.data, self.title_en.data = title.get("th", ""), title.get("en", "")
        self.pass_mark.data = data.get("pass_mark")
        self.unlimited.data = data.get("attempts") == "unlimited"
        self.attempts.data = None if self.unlimited.data else data.get("attempts")
        self.time_limit.data = data.get("time_limit_minutes")
        self.shuffle_questions.data = bool(data.get("shuffle_questions"))
        self.shuffle_choices.data = bool(data.get("shuffle_choices"))
        self.draw.data = data.get("draw")
        self.show_feedback.data = data.get("show_feedback", "after_pass_or_last_attempt")
        self.attempt_counts.data = data.get("attempt_counts", "best")

    def settings(self) -> dict[str, Any]:
        """The quiz's title and settings as the quiz file holds them."""
        return {
            "title": {"th": _line(self.title_th.data), "en": _line(self.title_en.data)},
            "pass_mark": self.pass_mark.data,
            "attempts": "unlimited" if self.unlimited.data else self.attempts.data,
            "time_limit_minutes": self.time_limit.data,
            "shuffle_questions": bool(self.shuffle_questions.data),
            "shuffle_choices": bool(self.shuffle_choices.data),
            "draw": self.draw.data,
            "show_feedback": self.show_feedback.data,
            "attempt_counts": self.attempt_counts.data,
        }


class RowForm(Form):
    """One choice, source, target or item."""

    id = StringField(_l("Id"))
    text = TextAreaField(_l("Text"))
    feedback = TextAreaField(_l("Feedback for this pick (optional)"))
    correct = BooleanField(_l("Correct"))
    match = SelectField(_l("Matches"), validate_choice=False)

    def is_empty(self) -> bool:
        return not (_text(self.text.data) or _text(self.feedback.data))


def _rows(label):
    return FieldList(FormField(RowForm), label=label, min_entries=ROWS)


class QuestionForm(FlaskForm):
    question_id = StringField(_l("Question id (leave empty for the next free one)"))
    prompt = TextAreaField(_l("Question (Markdown)"))
    points = NumberField(_l("Points"))
    feedback = TextAreaField(_l("Feedback shown with the correct answer (optional, Markdown)"))
    choices = _rows(_l("Choices"))
    correct_row = RadioField(_l("The correct choice"), validate_choice=False)
    scoring = RadioField(_l("Scoring"), choices=select_choices(SCORING_LABELS.items()), validate_choice=False)
    truth = RadioField(
        _l("The correct answer"),
        choices=select_choices([("true", _l("True")), ("false", _l("False"))]),
        validate_choice=False,
    )
    accepted = TextAreaField(_l("Accepted answers, one per line"))
    case_sensitive = BooleanField(_l("Upper and lower case must match"))
    numeric_mode = RadioField(
        _l("The correct answer is"),
        choices=select_choices([("exact", _l("One number")), ("range", _l("Any number in a range"))]),
        validate_choice=False,
    )
    exact = NumberField(_l("The number"))
    low = NumberField(_l("From (min)"))
    high = NumberField(_l("To (max)"))
    sources = _rows(_l("Sources (left column)"))
    targets = _rows(_l("Targets (right column)"))
    items = _rows(_l("Items, in the correct order"))
    revision = RevisionField()
    submit = SubmitField(_l("Save the question"))

    def prepare(self) -> None:
        """The radio values of the choice rows and the target picks of the source rows."""
        self.correct_row.choices = select_choices((str(i), str(i + 1)) for i in range(len(self.choices)))
        targets = select_choices(
            [("", "—")]
            + [(str(i), f"{i + 1}. {_text(row.form.text.data)[:40]}") for i, row in enumerate(self.targets)]
        )
        for row in self.sources:
            row.form.match.choices = targets

    def fill(self, question: dict) -> None:
        """Show a question's data in the form (on GET)."""
        self.question_id.data = question.get("id", "")
        self.prompt.data = question.get("prompt", "")
        self.points.data = question.get("points")
        self.feedback.data = question.get("feedback", "")
        self.scoring.data, self.numeric_mode.data = "all_or_nothing", "exact"
        kind = question.get("type")
        if kind in ("single_choice", "multiple_response"):
            correct = question.get("correct")
            correct = correct if isinstance(correct, list) else [correct]
            rows = _fill_rows(self.choices, question.get("choices"))
            for row, option in rows:
                row.form.correct.data = option.get("id") in correct
            index = next((i for i, (_r, o) in enumerate(rows) if o.get("id") in correct), None)
            self.correct_row.data = None if index is None else str(index)
            self.scoring.data = question.get("scoring", "all_or_nothing")
        elif kind == "true_false":
            self.truth.data = {True: "true", False: "false"}.get(question.get("correct"))
        elif kind == "fill_in":
            self.accepted.data = "\n".join(str(a) for a in question.get("accepted") or [])
            self.case_sensitive.data = bool(question.get("case_sensitive"))
        elif kind == "numeric":
            self._fill_numeric(question)
        elif kind == "matching":
            self._fill_matching(question)
        elif kind == "sequencing":
            _fill_rows(self.items, question.get("items"))

    def _fill_numeric(self, question: dict) -> None:
        bounds = question.get("range") if isinstance(question.get("range"), dict) else None
        self.numeric_mode.data = "range" if bounds else "exact"
        self.exact.data = question.get("correct")
        self.low.data, self.high.data = (bounds.get("min"), bounds.get("max")) if bounds else (None, None)

    def _fill_matching(self, question: dict) -> None:
        _fill_rows(self.sources, question.get("sources"))
        targets = _fill_rows(self.targets, question.get("targets"))
        position = {option.get("id"): str(i) for i, (_row, option) in enumerate(targets)}
        correct = question.get("correct") if isinstance(question.get("correct"), dict) else {}
        for row in self.sources:
            row.form.match.data = position.get(correct.get(row.form.id.data), "")

    def question(self, kind: str, default_id: str) -> dict[str, Any]:
        """The question's data from the form, keys in the order of the package format."""
        data: dict[str, Any] = {
            "id": _line(self.question_id.data) or default_id,
            "type": kind,
            "prompt": _text(self.prompt.data),
            "points": self.points.data,
        }
        data.update(getattr(self, f"_{kind}")())
        if _text(self.feedback.data):
            data["feedback"] = _text(self.feedback.data)
        return data

    def _single_choice(self) -> dict:
        rows = _kept(self.choices, string.ascii_lowercase)
        picked = [ident for index, ident, _option in rows if str(index) == self.correct_row.data]
        found: dict[str, Any] = {"choices": [option for _i, _id, option in rows]}
        if picked:
            found["correct"] = picked[0]
        return found

    def _multiple_response(self) -> dict:
        rows = _kept(self.choices, string.ascii_lowercase)
        return {
            "choices": [option for _i, _id, option in rows],
            "correct": [ident for index, ident, _option in rows if self.choices[index].form.correct.data],
            "scoring": self.scoring.data or "all_or_nothing",
        }

    def _true_false(self) -> dict:
        return {"correct": self.truth.data == "true"} if self.truth.data in ("true", "false") else {}

    def _fill_in(self) -> dict:
        lines = [line.strip() for line in (self.accepted.data or "").splitlines()]
        return {
            "accepted": [line for line in lines if line],
            "case_sensitive": bool(self.case_sensitive.data),
        }

    def _numeric(self) -> dict:
        if self.numeric_mode.data == "range":
            return {"range": {"min": self.low.data, "max": self.high.data}}
        return {"correct": self.exact.data}

    def _matching(self) -> dict:
        sources = _kept(self.sources, [f"s{n}" for n in range(1, 100)])
        targets = _kept(self.targets, [f"t{n}" for n in range(1, 100)])
        target_id = {str(index): ident for index, ident, _option in targets}
        correct = {
            ident: target_id[self.sources[index].form.match.data]
            for index, ident, _option in sources
            if self.sources[index].form.match.data in target_id
        }
        return {
            "sources": [option for _i, _id, option in sources],
            "targets": [option for _i, _id, option in targets],
            "correct": correct,
        }

    def _sequencing(self) -> dict:
        return {"items": [option for _i, _id, option in _kept(self.items, string.ascii_lowercase)]}


def _fill_rows(rows: FieldList, options: Any) -> list[tuple[Any, dict]]:
    """Put ``options`` into the first rows (adding rows past ROWS when needed)."""
    options = [o for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    while len(rows) < len(options) + 2:
        rows.append_entry()
    filled = []
    for row, option in zip(rows, options, strict=False):
        row.form.id.data = str(option.get("id", ""))
        row.form.text.data = str(option.get("text", ""))
        row.form.feedback.data = str(option.get("feedback", ""))
        filled.append((row, option))
    return filled


def _kept(rows: FieldList, free_ids) -> list[tuple[int, str, dict]]:
    """(row index, id, option) for each row that is not empty; empty ids get the first free
    one of ``free_ids`` that no row uses."""
    kept = [(index, row.form) for index, row in enumerate(rows) if not row.form.is_empty()]
    used = {_line(form.id.data) for _index, form in kept}
    spare = (ident for ident in free_ids if ident not in used)
    found = []
    for index, form in kept:
        ident = _line(form.id.data) or next(spare)
        option = {"id": ident, "text": _text(form.text.data)}
        if _text(form.feedback.data):
            option["feedback"] = _text(form.feedback.data)
        found.append((index, ident, option))
    return found


def _text(value: str | None) -> str:
    """A text area's value: line ends as ``\\n``, no blank lines or spaces around it."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _line(value: str | None) -> str:
    return (value or "").strip()
