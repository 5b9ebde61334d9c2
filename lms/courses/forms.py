from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from lms.accounts.forms import choices


class CatalogFilterForm(FlaskForm):
    """The catalog's GET filters (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search course titles (Thai or English)"))
    group = StringField(_l("Staff group"))

    def group_choices(self, labels) -> list:
        return choices([("", _l("All staff groups")), *labels.items()])


class LeaveLessonForm(FlaskForm):
    """The player's buttons. ``opened`` is a signed stamp of when the page was served."""

    opened = HiddenField()
