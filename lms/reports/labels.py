"""What people read for the report's codes: statuses, breakdowns, regions, column headings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.forms import STAFF_GROUP_LABELS
from lms.reports.rows import BreakdownRow

STATUS_LABELS = {
    "learners": _l("Learners"),
    "assigned": _l("Assigned"),
    "enrolled": _l("Enrolled"),
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "passed": _l("Passed"),
    "overdue": _l("Overdue"),
}
BREAKDOWN_LABELS = {
    "staff_group": _l("Staff group"),
    "unit": _l("Org unit (with its sub-units)"),
    "province": _l("Province"),
    "region": _l("Central or regional"),
}
REGION_LABELS = {"central": _l("Central offices"), "regional": _l("Regional offices")}
NOT_SET = _l("Not set")


def row_label(row: BreakdownRow, language: str) -> str:
    """The name of a breakdown value in the reader's language."""
    if row.key == "none":
        return str(NOT_SET)
    if row.dimension == "staff_group":
        return str(STAFF_GROUP_LABELS.get(row.key, row.key))
    if row.dimension == "region":
        return str(REGION_LABELS.get(row.key, row.key))
    return row.name(language) or row.key


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
