"""Report filters: read from query parameters, checked whole, and kept in one dataclass.

Every report function takes a :class:`ReportFilters`. :func:`parse_filters` builds it from a
request's query string (or any mapping) and raises :class:`ReportError` with a message a person
can act on for anything it cannot use; views answer that with a 400.

Parameters (all optional; an empty value is the same as leaving it out):

``course``      course slug
``staff_group`` executive | practitioner | general
``unit``        org unit code: that unit and every unit below it; ``none``: people without one
``province``    ISO 3166-2:TH code such as TH-10; ``none``: people without one
``region``      central | regional (by the person's unit); ``none``: people without a unit
``from``/``to`` ISO dates (YYYY-MM-DD), inclusive, Bangkok time
``fy``          fiscal year in the Buddhist Era, e.g. 2569 (not together with from/to)
``breakdown``   staff_group | unit | province | region
``status``      which learners a drill-down lists (see :data:`STATUSES`)
``sort``        a column of the list, ``-`` in front for descending
``page``        1, 2, ...
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import OrgUnit, Province, StaffGroup
from lms.content.models import Course
from lms.extensions import session
from lms.reports.fiscal import bangkok_today, day_bounds, fiscal_year_bounds

NONE = "none"
BREAKDOWNS = ("staff_group", "unit", "province", "region")
REGIONS = ("central", "regional")
STATUSES = (
    "learners",
    "assigned",
    "enrolled",
    "not_started",
    "in_progress",
    "completed",
    "passed",
    "overdue",
)
DRILLDOWN_SORTS = ("name", "unit", "province", "course", "status", "enrolled", "completed", "score", "due")
HOURS_SORTS = ("name", "unit", "province", "courses", "hours", "time")
FISCAL_YEARS = range(2500, 2700)
MAX_PAGE = 1_000_000
PARAMETERS = (
    "course",
    "staff_group",
    "unit",
    "province",
    "region",
    "from",
    "to",
    "fy",
    "breakdown",
    "status",
    "sort",
    "page",
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReportError(ValueError):
    """A report request that cannot be answered; the message says which value to fix."""


@dataclass(frozen=True)
class ReportFilters:
    """What a report is about. Ids are resolved; codes are kept to build links back.

    ``today`` (a Bangkok date) decides what is overdue; tests may set it.
    """

    course_id: int | None = None
    course_slug: str | None = None
    staff_group: str | None = None
    unit_id: int | None = None
    unit_code: str | None = None
    province_id: int | None = None
    province_code: str | None = None
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    fiscal_year: int | None = None
    breakdown: str | None = None
    status: str = "learners"
    sort: str = "name"
    page: int = 1
    today: date = field(default_factory=bangkok_today)

    @property
    def period(self) -> tuple[datetime | None, datetime | None]:
        """The period as UTC moments [start, end); None where it is open."""
        if self.fiscal_year is not None:
            return fiscal_year_bounds(self.fiscal_year)
        start = day_bounds(self.date_from, self.date_from)[0] if self.date_from else None
        end = day_bounds(self.date_to, self.date_to)[1] if self.date_to else None
        return start, end

    @property
    def has_period(self) -> bool:
        return self.fiscal_year is not None or self.date_from is not None or self.date_to is not None

    def with_fiscal_year(self, year_be: int) -> ReportFilters:
        return replace(self, fiscal_year=year_be, date_from=None, date_to=None)

    def query_args(self, **changes: str | int | None) -> dict[str, str]:
        """The query parameters that give these filters back, with some changed (None drops one)."""
        args = {
            "course": self.course_slug,
            "staff_group": self.staff_group,
            "unit": self.unit_code,
            "province": self.province_code,
            "region": self.region,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "fy": self.fiscal_year,
            "breakdown": self.breakdown,
            "status": None if self.status == "learners" else self.status,
            "sort": None if self.sort == "name" else self.sort,
            "page": None if self.page == 1 else self.page,
        }
        args.update(changes)
        return {key: str(value) for key, value in args.items() if value not in (None, "")}


def parse_filters(
    args: Mapping[str, str], *, sorts: tuple[str, ...] = DRILLDOWN_SORTS, today: date | None = None
) -> ReportFilters:
    """Check every report parameter in ``args`` and resolve codes to ids; ReportError if one is bad."""
    values = {name: (args.get(name) or "").strip() for name in PARAMETERS}
    course_id, course_slug = _course(values["course"])
    unit_id, unit_code = _unit(values["unit"])
    province_id, province_code = _province(values["province"])
    date_from = _date(values["from"], "from")
    date_to = _date(values["to"], "to")
    if date_from and date_to and date_from > date_to:
        raise ReportError(_("The start date (from) is after the end date (to)."))
    fiscal_year = _fiscal_year(values["fy"])
    if fiscal_year is not None and (date_from or date_to):
        raise ReportError(_("Give either a fiscal year or a date range (from/to), not both."))
    return ReportFilters(
        course_id=course_id,
        course_slug=course_slug,
        staff_group=_choice(values["staff_group"], [g.value for g in StaffGroup], _("staff group")),
        unit_id=unit_id,
        unit_code=unit_code,
        province_id=province_id,
        province_code=province_code,
        region=_choice(values["region"], [*REGIONS, NONE], _("region")),
        date_from=date_from,
        date_to=date_to,
        fiscal_year=fiscal_year,
        breakdown=_choice(values["breakdown"], BREAKDOWNS, _("breakdown")),
        status=_choice(values["status"], STATUSES, _("status")) or "learners",
        sort=_sort(values["sort"], sorts),
        page=_page(values["page"]),
        today=today or bangkok_today(),
    )


def _choice(value: str, allowed, what: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise ReportError(
            _(
                "Unknown %(what)s: %(value)s. Choose one of: %(allowed)s.",
                what=what,
                value=value,
                allowed=", ".join(allowed),
            )
        )
    return value


def _course(slug: str) -> tuple[int | None, str | None]:
    if not slug:
        return None, None
    course_id = session.scalar(select(Course.id).where(Course.slug == slug))
    if course_id is None:
        raise ReportError(_("No course has the slug %(slug)s.", slug=slug))
    return course_id, slug


def _unit(code: str) -> tuple[int | None, str | None]:
    if not code:
        return None, None
    if code == NONE:
        return None, NONE
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if unit_id is None:
        raise ReportError(_("No org unit has the code %(code)s.", code=code))
    return unit_id, code


def _province(code: str) -> tuple[int | None, str | None]:
    if not code:
        return None, None
    if code == NONE:
        return None, NONE
    province_id = session.scalar(select(Province.id).where(Province.iso_code == code.upper()))
    if province_id is None:
        raise ReportError(
            _("No province has the code %(code)s: use an ISO 3166-2:TH code such as TH-10.", code=code)
        )
    return province_id, code.upper()


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        if not ISO_DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ReportError(
            _(
                "The date %(name)s=%(value)s is not a date: write it as YYYY-MM-DD, e.g. 2026-10-01.",
                name=name,
                value=value,
            )
        ) from None


def _fiscal_year(value: str) -> int | None:
    if not value:
        return None
    if not _whole(value) or int(value) not in FISCAL_YEARS:
        raise ReportError(
            _("The fiscal year %(value)s is not a Buddhist Era year such as 2569.", value=value)
        )
    return int(value)


def _whole(value: str) -> bool:
    """ASCII digits only (str.isdigit also accepts Thai and superscript digits)."""
    return value.isascii() and value.isdigit() and len(value) <= 9


def _sort(value: str, sorts: tuple[str, ...]) -> str:
    if not value:
        return "name"
    if value.removeprefix("-") not in sorts:
        raise ReportError(
            _(
                "Unknown sort: %(value)s. Sort by one of: %(allowed)s (with - in front for descending).",
                value=value,
                allowed=", ".join(sorts),
            )
        )
    return value


def _page(value: str) -> int:
    if not value:
        return 1
    if not _whole(value) or not 1 <= int(value) <= MAX_PAGE:
        raise ReportError(_("The page must be a whole number from 1, not %(value)s.", value=value))
    return int(value)
