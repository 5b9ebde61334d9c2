"""Forms of the course pages: new course, details, owners, modules and lessons.

The forms check the shape of each answer (digits, required fields); the services check the
rest (slug taken, id used, owner not a trainer) and say which field is wrong.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, StopValidation

from lms.accounts.forms import STAFF_GROUP_LABELS, MultiCheckboxField, choices, max_length
from lms.authoring.courses import Details
from lms.core.fields import WholeNumberField

HOURS = re.compile(r"^[0-9]{1,4}(\.[0-9])?$")
LESSON_RULE_LABELS = {
    "required": _l("Every lesson marked as required"),
    "all": _l("Every lesson"),
    "none": _l("No lessons"),
}
QUIZ_RULE_LABELS = {"pass": _l("Pass every module's quiz"), "none": _l("Quizzes are optional")}


def required(message=None):
    return InputRequired(message=message or _l("This field is required."))


def chosen(form, field) -> None:
    """At least one box ticked (without the ``required`` flag, which would mark every box)."""
    if not field.data:
        raise StopValidation(_l("Choose at least one staff group the course is for."))


class HoursField(StringField):
    """Hours as ASCII digits with at most one decimal place (the package format's rule)."""

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist else ""
        self.raw = raw
        self.data = None
        if not raw:
            return
        if not HOURS.match(raw) or float(raw) <= 0:
            raise ValueError(
                _l(
                    "Write the hours as a number above 0 with the digits 0-9 and at most one decimal, "
                    "e.g. 1.5."
                )
            )
        self.data = float(raw)

    def _value(self):
        if self.data is None:
            return getattr(self, "raw", "")
        return f"{self.data:g}"


class RevisionForm(FlaskForm):
    """A form that changes course.yaml: it carries the revision the page was opened at."""

    revision = HiddenField()

    def base_revision(self) -> int:
        value = (self.revision.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() else -1


class DetailsFields(RevisionForm):
    title_th = StringField(_l("Title in Thai"), validators=[required(), max_length(300)])
    title_en = StringField(_l("Title in English"), validators=[required(), max_length(300)])
    summary_th = TextAreaField(_l("Summary (Thai)"), validators=[required()])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[required()])
    audience = MultiCheckboxField(
        _l("For staff groups"),
        choices=choices(STAFF_GROUP_LABELS.items()),
        validators=[chosen],
    )
    hours = HoursField(_l("Hours"), validators=[required()])

    def details(self) -> Details:
        return Details(
            title_th=self.title_th.data or "",
            title_en=self.title_en.data or "",
            summary_th=self.summary_th.data or "",
            summary_en=self.summary_en.data or "",
            audience=list(self.audience.data or []),
            hours=self.hours.data or 0,
            **self.rules(),
        )

    def rules(self) -> dict:
        return {}

    def show_error(self, field: str | None, message: str) -> None:
        target = self._fields.get(field or "")
        if target is None:
            self.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


class NewCourseForm(DetailsFields):
    slug = StringField(_l("Short name (in the course's address)"), validators=[required(), max_length(60)])
    submit = SubmitField(_l("Create the course"))


class CourseDetailsForm(DetailsFields):
    lessons_rule = SelectField(
        _l("Lessons to complete"), choices=choices(LESSON_RULE_LABELS.items()), validate_choice=False
    )
    quizzes_rule = SelectField(
        _l("Quizzes"), choices=choices(QUIZ_RULE_LABELS.items()), validate_choice=False
    )
    certificate = SelectField(_l("Certificate template"), validate_choice=False)
    submit = SubmitField(_l("Save the details"))

    def rules(self) -> dict:
        return {
            "lessons_rule": self.lessons_rule.data,
            "quizzes_rule": self.quizzes_rule.data,
            "certificate": self.certificate.data,
        }

    def fill(self, details: Details, revision: int) -> None:
        for name in ("title_th", "title_en", "summary_th", "summary_en", "audience", "hours"):
            getattr(self, name).data = getattr(details, name)
        self.lessons_rule.data = details.lessons_rule
        self.quizzes_rule.data = details.quizzes_rule
        self.certificate.data = details.certificate
        self.revision.data = str(revision)


class AddOwnerForm(FlaskForm):
    email = StringField(_l("Trainer's email"), validators=[required(), max_length(255)])
    submit = SubmitField(_l("Add owner"))


class RemoveOwnerForm(FlaskForm):
    user_id = HiddenField()

    def user(self) -> int | None:
        value = self.user_id.data or ""
        return int(value) if value.isascii() and value.isdigit() else None


class ModuleForm(RevisionForm):
    """Add a module (with ``key``) or rename one (the key is in the address)."""

    key = StringField(_l("Id"))
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))


class LessonForm(RevisionForm):
    key = StringField(_l("Id"))
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    minutes = WholeNumberField(_l("Minutes"), validators=[required()])


class MoveForm(RevisionForm):
    direction = HiddenField()

    def step(self) -> int:
        return {"up": -1, "down": 1}.get(self.direction.data or "", 0)
