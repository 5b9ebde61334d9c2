from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.api.tokens import MAX_DAYS, MAX_NAME
from lms.core.fields import WholeNumberField


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what will use it)"), validators=[DataRequired(), Length(max=MAX_NAME)])
    days = WholeNumberField(
        _l("Valid for (days; empty: until revoked)"), validators=[Optional(), NumberRange(1, MAX_DAYS)]
    )
    submit = SubmitField(_l("Create token"))


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
