"""The assignment form. Its selects do not check their own choices: the service does, with a
message that says what is wrong (unknown, or outside the HR scope)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from lms.accounts.forms import STAFF_GROUP_LABELS, choices
from lms.accounts.models import OrgUnit, Province
from lms.content.models import Course, LearningPath

TARGET_LABELS = {
    "staff_group": _l("A staff group"),
    "org_unit": _l("An org unit, with its sub-units"),
    "province": _l("A province"),
    "users": _l("A list of people"),
}


class AssignmentForm(FlaskForm):
    what = SelectField(_l("Course or learning path"), validate_choice=False)
    target_kind = RadioField(
        _l("Assign it to"), choices=choices(TARGET_LABELS.items()), validate_choice=False
    )
    staff_group = SelectField(
        _l("Staff group"), choices=choices([("", "—"), *STAFF_GROUP_LABELS.items()]), validate_choice=False
    )
    org_unit = SelectField(_l("Org unit"), validate_choice=False)
    province = SelectField(_l("Province"), validate_choice=False)
    emails = TextAreaField(_l("People's emails"))
    due_on = DateField(_l("Due date"), validators=[InputRequired(message=_l("Give a due date."))])
    submit = SubmitField(_l("Assign"))

    def set_choices(
        self,
        courses: list[Course],
        paths: list[LearningPath],
        units: list[OrgUnit],
        provinces: list[Province],
        language: str,
    ) -> None:
        def name(obj) -> str:
            return obj.name_en if language == "en" else obj.name_th

        self.what.choices = choices(
            [("", "—")]
            + [(f"course:{c.slug}", c.current_version.title(language)) for c in courses]
            + [(f"path:{p.key}", _l("Learning path: %(title)s", title=p.title(language))) for p in paths]
        )
        self.org_unit.choices = choices([("", "—")] + [(u.code, f"{name(u)} ({u.code})") for u in units])
        self.province.choices = choices([("", "—")] + [(p.iso_code, name(p)) for p in provinces])

    def service_arguments(self) -> dict[str, Any]:
        """The form's answers as :func:`lms.assignments.service.create_assignment` takes them."""
        kind, _sep, key = (self.what.data or "").partition(":")
        targets = {
            "staff_group": self.staff_group.data,
            "org_unit": self.org_unit.data,
            "province": self.province.data,
            "users": self.emails.data or "",
        }
        return {
            "course_slug": key if kind == "course" else None,
            "path_key": key if kind == "path" else None,
            "target_kind": self.target_kind.data,
            "target": targets.get(self.target_kind.data),
            "due_on": self.due_on.data,
        }

    def show_error(self, field: str | None, message: str) -> None:
        """Show a service error beside the field it names, or above the form."""
        target = self._fields.get(field or "")
        if target is None:
            self.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]
