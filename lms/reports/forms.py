"""The report filter form's choices. The form is a GET form read by ``parse_filters`` (no
CSRF token: it changes nothing); exports too large for a request start with a POST form."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.accounts.forms import STAFF_GROUP_LABELS
from lms.accounts.models import OrgUnit, Province
from lms.content.models import Course
from lms.extensions import session
from lms.reports.facts import current_versions
from lms.reports.fiscal import current_fiscal_year, fiscal_year_label
from lms.reports.labels import BREAKDOWN_LABELS, REGION_LABELS
from lms.reports.overview import unit_tree_order

FISCAL_YEARS_SHOWN = 6


class StartExportForm(FlaskForm):
    """Nothing but the CSRF token: the report and its filters are in the action's query string."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    depth: int = 0


def filter_choices(language: str) -> dict[str, list[Choice]]:
    """Every option of the filter form, in the reader's language (units as an indented tree)."""
    current = current_versions().subquery("current")
    courses = session.execute(
        select(Course.slug, current.c.title_th, current.c.title_en)
        .join(current, current.c.course_id == Course.id)
        .order_by(current.c.title_th, Course.slug)
    )
    units = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name_th, OrgUnit.name_en)).all()
    order = unit_tree_order()
    provinces = session.scalars(select(Province).order_by(Province.name_th))
    year = current_fiscal_year()

    def named(th: str, en: str) -> str:
        return en if language == "en" and en else th

    return {
        "course": [Choice(c.slug, named(c.title_th, c.title_en)) for c in courses],
        "staff_group": [Choice(k.value, str(v)) for k, v in STAFF_GROUP_LABELS.items()],
        "unit": [
            Choice(u.code, named(u.name_th, u.name_en), order[u.id][1])
            for u in sorted(units, key=lambda u: order[u.id][0])
        ],
        "province": [Choice(p.iso_code, named(p.name_th, p.name_en)) for p in provinces],
        "region": [Choice(k, str(v)) for k, v in REGION_LABELS.items()],
        "fy": [
            Choice(str(y), fiscal_year_label(y, language)) for y in range(year, year - FISCAL_YEARS_SHOWN, -1)
        ],
        "breakdown": [Choice(k, str(v)) for k, v in BREAKDOWN_LABELS.items()],
    }
