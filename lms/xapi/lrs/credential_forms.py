"""Forms of the LRS credentials page: a new credential (name and scopes), and revoking one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from lms.accounts.forms import MultiCheckboxField, choices
from lms.xapi.lrs.auth import SCOPES
from lms.xapi.lrs.credentials import MAX_NAME

SCOPE_HINTS = {
    "statements/write": _l("Send statements: record what learners do."),
    "statements/read/mine": _l("Read back only the statements sent with these credentials."),
    "statements/read": _l("Read every learner's statements."),
    "all/read": _l("Read everything in the LRS: statements, state and profiles."),
    "state": _l("Read and save the state content keeps between sessions (e.g. where a learner stopped)."),
    "profile": _l("Read and save activity and agent profiles."),
    "define": _l("Define activities: their names and descriptions."),
    "all": _l("Everything, without limits: give it only to a tool you trust fully."),
}


class CredentialForm(FlaskForm):
    name = StringField(
        _l("Name (the tool that will use them)"),
        validators=[DataRequired(message=_l("Give the credentials a name.")), Length(max=MAX_NAME)],
    )
    # No DataRequired: it would mark every checkbox required; the service asks for one or more.
    scopes = MultiCheckboxField(_l("Scopes"), choices=choices((scope, scope) for scope in SCOPES))
    submit = SubmitField(_l("Create credentials"))


class RevokeCredentialForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
