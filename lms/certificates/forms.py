"""Forms of the HR and admin certificate pages. Labels are lazily translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

REASON_MAX = 1000


class SelectionForm(FlaskForm):
    """Which certificates: a course and, optionally, an org unit. Sent with GET, so no CSRF
    token (it changes nothing); the choices are set by the view from the person's scope."""

    class Meta:
        csrf = False

    course = SelectField(_l("Course"), validate_choice=False)
    unit = SelectField(_l("Org unit (with its sub-units)"), validate_choice=False)
    submit = SubmitField(_l("Show"))

    def validate_course(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the courses in the list."))

    def validate_unit(self, field) -> None:
        if (field.data or "") not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the org units in the list."))


class StartBulkForm(FlaskForm):
    """Start the bulk issue for the course and unit shown (checked again by the view)."""

    course = HiddenField()
    unit = HiddenField()
    submit = SubmitField(_l("Issue and render the certificates"))


class RevokeForm(FlaskForm):
    reason = StringField(
        _l("Reason for the revocation"),
        validators=[
            DataRequired(message=_l("Give the reason for the revocation.")),
            Length(max=REASON_MAX, message=_l("Keep the reason under %(max)d characters.", max=REASON_MAX)),
        ],
    )
    submit = SubmitField(_l("Revoke the certificate"))


class ReissueForm(FlaskForm):
    """Re-issue with the current names and course data; nothing to fill in but the token."""

    submit = SubmitField(_l("Re-issue with the current data"))


class ResumeJobForm(FlaskForm):
    """Resume a stopped bulk issue: only the certificates not done yet are queued again."""

    submit = SubmitField(_l("Resume the bulk issue"))
