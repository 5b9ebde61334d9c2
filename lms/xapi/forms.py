from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class VoidStatementForm(FlaskForm):
    """Void one statement of a learner's record; the reason is kept in the audit log."""

    statement_id = HiddenField(validators=[DataRequired()])
    reason = StringField(
        _l("Reason for voiding"),
        validators=[DataRequired(message=_l("Give the reason for voiding the statement.")), Length(max=500)],
    )
