"""One form per use case. Labels are lazily translated, so they follow the visitor's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts import service
from lms.accounts.models import Role, StaffGroup

STAFF_GROUP_LABELS = {
    StaffGroup.EXECUTIVE: _l("Senior executive"),
    StaffGroup.PRACTITIONER: _l("Digital-technology practitioner"),
    StaffGroup.GENERAL: _l("General staff"),
}
ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.TRAINER: _l("Trainer"),
    Role.HR: _l("HR"),
    Role.ADMIN: _l("Administrator"),
}


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def required():
    return DataRequired(message=_l("This field is required."))


def email():
    return Email(message=_l("Invalid email address."))


def max_length(n: int):
    return Length(max=n, message=_l("Field cannot be longer than %(max)d characters."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: sign out, switch language, reset a password."""


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), email()])
    password = PasswordField(_l("Password"), validators=[required()])
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=[required()])
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), email(), max_length(255)])
    title_th = StringField(_l("Title (Thai)"), validators=[Optional(), max_length(64)])
    first_name_th = StringField(_l("First name (Thai)"), validators=[required(), max_length(100)])
    last_name_th = StringField(_l("Last name (Thai)"), validators=[required(), max_length(100)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), max_length(64)])
    first_name_en = StringField(_l("First name (English)"), validators=[Optional(), max_length(100)])
    last_name_en = StringField(_l("Last name (English)"), validators=[Optional(), max_length(100)])
    staff_group = SelectField(_l("Staff group"), choices=choices(STAFF_GROUP_LABELS.items()))
    position = StringField(_l("Position"), validators=[Optional(), max_length(255)])
    level = StringField(_l("Level"), validators=[Optional(), max_length(100)])
    org_unit_id = SelectField(_l("Org unit"), coerce=int, validators=[Optional()])
    province_id = SelectField(_l("Province"), coerce=int, validators=[Optional()])
    is_active = BooleanField(_l("Active"), default=True)
    roles = MultiCheckboxField(_l("Roles"), choices=choices(ROLE_LABELS.items()))
    scope_units = SelectMultipleField(_l("HR scope: org units (with their sub-units)"), coerce=int)
    scope_provinces = SelectMultipleField(_l("HR scope: provinces"), coerce=int)
    submit = SubmitField(_l("Save"))

    #: The profile fields this form edits as they are (org unit and province are choices, 0 = none).
    PROFILE_FIELDS = tuple(f for f in service.PROFILE_FIELDS if f not in ("org_unit_id", "province_id"))

    def set_choices(self, units, provinces, language: str) -> None:
        def unit_label(unit):
            return unit.name_en if language == "en" else unit.name_th

        def province_label(province):
            return province.name_en if language == "en" else province.name_th

        unit_choices = choices((u.id, unit_label(u)) for u in units)
        province_choices = choices((p.id, province_label(p)) for p in provinces)
        none = choices([(0, "—")])
        self.org_unit_id.choices = none + unit_choices
        self.province_id.choices = none + province_choices
        self.scope_units.choices = unit_choices
        self.scope_provinces.choices = province_choices


class ImportForm(FlaskForm):
    file = FileField(
        _l("Staff list (.csv or .xlsx)"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "xlsx"], _l("Only .csv and .xlsx files can be imported.")),
        ],
    )
    submit = SubmitField(_l("Check and import"))
