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


VERB_LABELS = {
    "registered": _l("Enrolled"),
    "launched": _l("Opened the course"),
    "initialized": _l("Started a session"),
    "experienced": _l("Read a lesson"),
    "progressed": _l("Made progress"),
    "completed": _l("Completed"),
    "terminated": _l("Left the course"),
    "attempted": _l("Started a quiz"),
    "answered": _l("Answered a question"),
    "passed": _l("Passed"),
    "failed": _l("Did not pass"),
    "voided": _l("Withdrew a record"),
}
