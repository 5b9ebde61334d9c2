"""What each verb we record means to a person, for the learning-record pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
    "earned": _l("Earned a certificate"),
}
