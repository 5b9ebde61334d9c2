"""Training hours: the certified hours of the courses each person completed in a fiscal year,
and the time they actually spent on those courses.

A completed course counts with the hours of the version the learner enrolled in
(``CourseVersion.hours``: what its certificate states), in the fiscal year (Bangkok time) of
its ``completed_at``. Every active person in scope is listed, those with no hours too, against
the target (``LMS_TRAINING_HOURS_TARGET``), which only the certified hours count. Beside them,
the time spent on the same courses (``Enrolment.time_spent_seconds``, measured by the LMS),
summed in the same query. Attended live sessions will add to the certified hours when the LMS
records them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, case, func, select, true

from lms.accounts.models import OrgUnit, Province, User
from lms.extensions import session
from lms.reports.filters import ReportFilters
from lms.reports.fiscal import current_fiscal_year
from lms.reports.learners import (
    chunk_starts,
    completed_hours,
    named,
    person_fields,
    slice_between,
    stream_rows,
)
from lms.reports.rows import HoursReport, HoursRow, HoursSummary, Page
from lms.reports.scope import people
from lms.reports.tuning import tune


def hours_filters(filters: ReportFilters) -> ReportFilters:
    """Hours are counted over the filters' period, or else over the current fiscal year."""
    return filters if filters.has_period else filters.with_fiscal_year(current_fiscal_year())


def _listed(filters: ReportFilters, actor: User) -> Select:
    """One narrow row per person: ids, the sort keys, completed courses and hours."""
    tune()
    filters = hours_filters(filters)
    who = people(actor, filters).subquery("people")
    done = completed_hours(*filters.period, course_id=filters.course_id).subquery("done")
    return (
        select(
            who.c.user_id,
            who.c.unit_id,
            who.c.province_id,
            who.c.staff_group,
            User.first_name_th,
            User.last_name_th,
            OrgUnit.code.label("unit_code"),
            Province.name_th.label("province_th"),
            func.coalesce(done.c.courses, 0).label("courses"),
            func.coalesce(done.c.hours, 0).label("hours"),
            func.coalesce(done.c.seconds, 0).label("seconds"),
        )
        .select_from(who)
        .join(User, User.id == who.c.user_id)
        .outerjoin(done, done.c.user_id == who.c.user_id)
        .outerjoin(OrgUnit, OrgUnit.id == who.c.unit_id)
        .outerjoin(Province, Province.id == who.c.province_id)
    )


def _keys(rows) -> tuple:
    return (rows.c.first_name_th, rows.c.last_name_th, rows.c.user_id)


def _sort_columns(rows, sort: str) -> list:
    descending = sort.startswith("-")
    column = {
        "name": rows.c.first_name_th,
        "unit": rows.c.unit_code,
        "province": rows.c.province_th,
        "courses": rows.c.courses,
        "hours": rows.c.hours,
        "time": rows.c.seconds,
    }[sort.removeprefix("-")]
    return [(column.desc() if descending else column.asc()).nulls_last(), *_keys(rows)]


def _hours_row(row: Any, target: float) -> HoursRow:
    return HoursRow(
        **person_fields(row),
        courses=int(row.courses),
        hours=float(row.hours),
        target=float(target),
        time_spent_seconds=int(row.seconds),
    )


def training_hours(filters: ReportFilters, actor: User, *, target: float, per_page: int = 50) -> HoursReport:
    """One page of people (``filters.page``, sorted by ``filters.sort``: name, unit, province,
    courses, hours or time) with their certified hours and time spent in the period, and a
    summary over all of them, in one statement (the people are a CTE read by the page and the
    summary). The period is the filters' own, or the current fiscal year."""
    listed = _listed(filters, actor).cte("listed")
    summary = select(
        func.count().label("people"),
        func.coalesce(func.sum(case((listed.c.hours >= target, 1), else_=0)), 0).label("meeting"),
        func.coalesce(func.sum(listed.c.hours), 0).label("total_hours"),
        func.coalesce(func.sum(listed.c.seconds), 0).label("total_seconds"),
    ).subquery("summary")
    page = (
        select(listed)
        .order_by(*_sort_columns(listed, filters.sort))
        .limit(per_page)
        .offset((filters.page - 1) * per_page)
        .subquery("page")
    )
    shown = named(page).subquery("shown")
    stmt = (
        select(summary.c.people, summary.c.meeting, summary.c.total_hours, summary.c.total_seconds, shown)
        .select_from(summary)
        .outerjoin(shown, true())
        .order_by(*_sort_columns(shown, filters.sort))
    )
    found = session.execute(stmt).all()
    first = found[0]
    filters = hours_filters(filters)
    summary_row = HoursSummary(
        fiscal_year=filters.fiscal_year,
        people=int(first.people),
        meeting_target=int(first.meeting),
        total_hours=float(first.total_hours),
        target=float(target),
        total_time_spent_seconds=int(first.total_seconds),
    )
    rows = [_hours_row(row, target) for row in found if row.user_id is not None]
    return HoursReport(summary_row, Page(rows, int(first.people), filters.page, per_page))


def hours_count(filters: ReportFilters, actor: User) -> int:
    """How many people the training-hours report (or its export) lists."""
    return session.scalar(select(func.count()).select_from(_listed(filters, actor).subquery("listed")))


def iter_training_hours(
    filters: ReportFilters,
    actor: User,
    *,
    target: float,
    start: tuple | None = None,
    stop: tuple | None = None,
) -> Iterator[HoursRow]:
    """Every person of the training-hours report in name order, streamed (for exports);
    ``start``/``stop`` (keys from :func:`hours_keys`) read one slice."""
    listed = _listed(filters, actor).subquery("listed")
    stmt = slice_between(named(listed), _keys(listed), start, stop).order_by(*_keys(listed))
    return stream_rows(stmt, lambda row: _hours_row(row, target))


def hours_keys(filters: ReportFilters, actor: User, every: int) -> list[tuple]:
    """The name-order key of the 1st, (every+1)-th, ... person: where export chunks begin."""
    listed = _listed(filters, actor).subquery("listed")
    return chunk_starts(select(listed), _keys(listed), every)
