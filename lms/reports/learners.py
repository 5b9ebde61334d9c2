"""The learners behind a count (drill-down), and one learner's transcript."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, tuple_
from sqlalchemy.orm import aliased

from lms.accounts.models import OrgUnit, Province, User
from lms.certificates.models import Certificate
from lms.content.models import Course, CourseVersion
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.reports import facts as F
from lms.reports.filters import ReportFilters
from lms.reports.fiscal import current_fiscal_year, fiscal_year_bounds
from lms.reports.rows import LearnerRow, Page, Transcript, TranscriptRow
from lms.reports.scope import can_see


def person_name_th(row: Any) -> str:
    return f"{row.title_th}{row.first_name_th} {row.last_name_th}".strip()


def person_name_en(row: Any) -> str:
    if not row.first_name_en:
        return person_name_th(row)
    return " ".join(p for p in (row.title_en, row.first_name_en, row.last_name_en) if p)


def _listed(filters: ReportFilters, actor: User) -> Select:
    """The drill-down's rows, narrow: ids, the sort keys and the status columns."""
    f = F.facts(actor, filters, status=filters.status)
    return (
        select(
            f.c.user_id,
            f.c.course_id,
            f.c.unit_id,
            f.c.province_id,
            f.c.staff_group,
            f.c.first_name_th,
            f.c.last_name_th,
            OrgUnit.code.label("unit_code"),
            Province.name_th.label("province_th"),
            _course_rank(f.c.course_id).label("course_rank"),
            f.c.status,
            f.c.status_rank,
            f.c.assigned,
            f.c.due_on,
            f.c.enrolled_at,
            f.c.completed_at,
            f.c.score,
            f.c.days,
            f.c.seconds,
        )
        .select_from(f)
        .outerjoin(OrgUnit, OrgUnit.id == f.c.unit_id)
        .outerjoin(Province, Province.id == f.c.province_id)
    )


def _course_rank(course_id):
    """Each course's place in Thai title order, as a CASE over the (few) course ids: sorting
    by course needs no join of the courses into the rows."""
    current = F.current_versions().subquery("current")
    ordered = session.scalars(
        select(current.c.course_id).order_by(current.c.title_th, current.c.course_id)
    ).all()
    if not ordered:
        return literal(0)
    return case(*((course_id == cid, rank) for rank, cid in enumerate(ordered)), else_=len(ordered))


def named(rows, *columns) -> Select:
    """``rows`` (a subquery with ``user_id``, ``unit_id`` and ``province_id``) with the person's
    names, unit and province as a reader sees them (what :func:`person_fields` reads), and
    ``columns``."""
    return (
        select(
            rows,
            User.uuid,
            User.title_th,
            User.title_en,
            User.first_name_en,
            User.last_name_en,
            OrgUnit.name_th.label("unit_name_th"),
            OrgUnit.name_en.label("unit_en"),
            Province.iso_code.label("province_code"),
            Province.name_en.label("province_en"),
            *columns,
        )
        .select_from(rows)
        .join(User, User.id == rows.c.user_id)
        .outerjoin(OrgUnit, OrgUnit.id == rows.c.unit_id)
        .outerjoin(Province, Province.id == rows.c.province_id)
    )


def person_fields(row: Any) -> dict[str, Any]:
    """The :class:`PersonRow` fields of a row of :func:`named`."""
    return {
        "user_uuid": row.uuid,
        "name_th": person_name_th(row),
        "name_en": person_name_en(row),
        "staff_group": row.staff_group,
        "unit_code": row.unit_code,
        "unit_th": row.unit_name_th,
        "unit_en": row.unit_en,
        "province_code": row.province_code,
        "province_th": row.province_th,
        "province_en": row.province_en,
    }


def _with_course(rows) -> Select:
    """The drill-down's rows with the person's and the course's names."""
    current = F.current_versions().subquery("current")
    return (
        named(
            rows,
            Course.slug.label("course_slug"),
            current.c.title_th.label("course_th"),
            current.c.title_en.label("course_en"),
        )
        .join(Course, Course.id == rows.c.course_id)
        .join(current, current.c.course_id == rows.c.course_id)
    )


def _keys(rows) -> tuple:
    """The name order, unique per row: exports follow it and cut their chunks on it."""
    return (rows.c.first_name_th, rows.c.last_name_th, rows.c.user_id, rows.c.course_id)


def _sort_columns(rows, sort: str) -> list:
    descending = sort.startswith("-")
    columns = {
        "name": [rows.c.first_name_th, rows.c.last_name_th],
        "unit": [rows.c.unit_code],
        "province": [rows.c.province_th],
        "course": [rows.c.course_rank],
        "status": [rows.c.status_rank],
        "enrolled": [rows.c.enrolled_at],
        "completed": [rows.c.completed_at],
        "score": [rows.c.score],
        "due": [rows.c.due_on],
    }[sort.removeprefix("-")]
    ordered = [(c.desc() if descending else c.asc()).nulls_last() for c in columns]
    return [*ordered, *_keys(rows)]


def _learner_row(row: Any) -> LearnerRow:
    return LearnerRow(
        **person_fields(row),
        course_slug=row.course_slug,
        course_th=row.course_th,
        course_en=row.course_en,
        status=row.status,
        is_assigned=bool(row.assigned),
        due_on=row.due_on,
        enrolled_at=row.enrolled_at,
        completed_at=row.completed_at,
        score=float(row.score) if row.score is not None else None,
        days=float(row.days) if row.days is not None else None,
        time_spent_seconds=int(row.seconds or 0),
    )


def drilldown_count(filters: ReportFilters, actor: User) -> int:
    """How many learner rows the drill-down (or its export) has."""
    return session.scalar(select(func.count()).select_from(_listed(filters, actor).subquery("listed")))


def drilldown(filters: ReportFilters, actor: User, *, per_page: int = 50) -> Page:
    """One page (``filters.page``, sorted by ``filters.sort``) of the person-course rows with
    ``filters.status`` (``learners``: all of them), and their total.

    One statement: the rows are a CTE read twice (count and page), which PostgreSQL computes
    once and in full, with hash joins; only the page's rows are joined to their names. (A
    LIMIT over the joins themselves lets the planner pick nested loops that visit every row.)
    """
    listed = _listed(filters, actor).cte("listed")
    total = select(func.count()).select_from(listed).scalar_subquery()
    page = (
        select(listed)
        .order_by(*_sort_columns(listed, filters.sort))
        .limit(per_page)
        .offset((filters.page - 1) * per_page)
        .subquery("page")
    )
    stmt = _with_course(page).add_columns(total.label("total")).order_by(*_sort_columns(page, filters.sort))
    found = session.execute(stmt).all()
    count = found[0].total if found else drilldown_count(filters, actor)
    return Page([_learner_row(row) for row in found], int(count), filters.page, per_page)


def iter_drilldown(
    filters: ReportFilters, actor: User, *, start: tuple | None = None, stop: tuple | None = None
) -> Iterator[LearnerRow]:
    """Every row of the drill-down in name order, streamed from the database (for exports).

    ``start`` (inclusive) and ``stop`` (exclusive), keys from :func:`drilldown_keys`, read one
    slice: slices cut at those keys never share or lose a row, even if rows come and go.
    """
    listed = _listed(filters, actor).subquery("listed")
    stmt = slice_between(_with_course(listed), _keys(listed), start, stop).order_by(*_keys(listed))
    return stream_rows(stmt, _learner_row)


def stream_rows(stmt: Select, make_row: Callable[[Any], Any]) -> Iterator[Any]:
    """The rows of a select already built, read a thousand at a time when iterated.

    Callers build ``stmt`` (the actor's scope included) before they return: a streamed
    download iterates after the request's session is closed, when the actor's lazy
    attributes (``User.scopes``) can no longer load. Only this plain select crosses over.
    """
    for row in session.execute(stmt.execution_options(yield_per=1000, stream_results=True)):
        yield make_row(row)


def drilldown_keys(filters: ReportFilters, actor: User, every: int) -> list[tuple]:
    """The name-order key of the 1st, (every+1)-th, ... row: where export chunks begin."""
    listed = _listed(filters, actor).subquery("listed")
    return chunk_starts(select(listed), _keys(listed), every)


def slice_between(stmt: Select, keys: tuple, start: tuple | None, stop: tuple | None) -> Select:
    if start is not None:
        stmt = stmt.where(tuple_(*keys) >= tuple_(*start))
    if stop is not None:
        stmt = stmt.where(tuple_(*keys) < tuple_(*stop))
    return stmt


def chunk_starts(stmt: Select, keys: tuple, every: int) -> list[tuple]:
    numbered = stmt.with_only_columns(*keys, func.row_number().over(order_by=keys).label("n")).subquery("n")
    columns = [numbered.c[i] for i in range(len(keys))]
    rows = session.execute(select(*columns).where((numbered.c.n - 1) % every == 0).order_by(*columns))
    return [tuple(row) for row in rows]


# Transcript ------------------------------------------------------------------------------------


def learner_transcript(actor: User, user_uuid: str, *, today: date | None = None) -> Transcript | None:
    """All of one person's courses, or None when there is no such person or ``actor`` may not
    see them (HR outside their scope; a learner asking for someone else).

    Each course has its certified hours (of the version enrolled in) and the time spent on it;
    the totals are those of the completed courses, in the current fiscal year and in all. A
    course's score, and the transcript's average, count each quiz once, by its counted attempt
    (best or last, as the quiz's ``attempt_counts`` says: :func:`~lms.reports.facts.counted_scores`),
    not by every attempt as the completion report does.
    """
    person = session.scalar(select(User).where(User.uuid == user_uuid))
    if person is None or not can_see(actor, person):
        return None
    filters = ReportFilters(today=today) if today else ReportFilters()
    f = F.facts(actor, filters, user_id=person.id)
    current = F.current_versions().subquery("current")
    taken = aliased(CourseVersion, name="taken_version")
    counted = F.counted_scores(person.id, F.last_attempt_quizzes(person.id))
    stmt = (
        select(
            Course.slug,
            current.c.title_th,
            current.c.title_en,
            func.coalesce(taken.hours, current.c.hours).label("hours"),
            f.c.status,
            f.c.assigned,
            f.c.due_on,
            f.c.enrolled_at,
            f.c.completed_at,
            (counted.c.score_sum / counted.c.quizzes).label("score"),
            # The whole transcript's average, over every counted quiz of every course.
            func.sum(counted.c.score_sum).over().label("all_score_sum"),
            func.sum(counted.c.quizzes).over().label("all_quizzes"),
            f.c.seconds,
            Certificate.serial,
            Certificate.revoked_at,
        )
        .select_from(f)
        .join(Course, Course.id == f.c.course_id)
        .join(current, current.c.course_id == f.c.course_id)
        .outerjoin(taken, and_(taken.course_id == f.c.course_id, taken.number == f.c.enrolled_version))
        .outerjoin(counted, counted.c.registration == f.c.registration)
        .outerjoin(
            Certificate,
            and_(Certificate.registration == f.c.registration, Certificate.superseded_by_id.is_(None)),
        )
        .order_by(f.c.completed_at.desc().nulls_first(), current.c.title_th, Course.slug)
    )
    year = current_fiscal_year()
    found = session.execute(stmt).all()
    hours_in_year, seconds_in_year = _person_hours(person.id, *fiscal_year_bounds(year))
    hours_total, seconds_total = _person_hours(person.id, None, None)
    scored = found[0].all_quizzes if found else None
    return Transcript(
        user_uuid=person.uuid,
        name_th=person.full_name("th"),
        name_en=person.full_name("en"),
        staff_group=person.staff_group,
        unit_th=person.org_unit.name_th if person.org_unit else None,
        unit_en=person.org_unit.name_en if person.org_unit else None,
        province_th=person.province.name_th if person.province else None,
        province_en=person.province.name_en if person.province else None,
        rows=[_transcript_row(row) for row in found],
        fiscal_year=year,
        hours_in_fiscal_year=hours_in_year,
        hours_total=hours_total,
        time_spent_seconds_in_fiscal_year=seconds_in_year,
        time_spent_seconds_total=seconds_total,
        average_score=float(found[0].all_score_sum) / int(scored) if scored else None,
    )


def _transcript_row(row: Any) -> TranscriptRow:
    certificate_status = None
    if row.serial:
        certificate_status = "revoked" if row.revoked_at is not None else "valid"
    return TranscriptRow(
        course_slug=row.slug,
        title_th=row.title_th,
        title_en=row.title_en,
        hours=float(row.hours or 0),
        status=row.status,
        is_assigned=bool(row.assigned),
        due_on=row.due_on,
        enrolled_at=row.enrolled_at,
        completed_at=row.completed_at,
        score=float(row.score) if row.score is not None else None,
        time_spent_seconds=int(row.seconds or 0),
        certificate_serial=row.serial,
        certificate_status=certificate_status,
    )


def completed_hours(start: datetime | None, end: datetime | None, course_id: int | None = None) -> Select:
    """(user_id, courses, hours, seconds) of the courses completed in [start, end): their
    certified hours, each counted with the hours of the version the learner enrolled in, and
    the time spent on those same courses (``Enrolment.time_spent_seconds``)."""
    stmt = (
        select(
            Enrolment.user_id,
            func.count().label("courses"),
            func.sum(CourseVersion.hours).label("hours"),
            func.sum(Enrolment.time_spent_seconds).label("seconds"),
        )
        .join(
            CourseVersion,
            and_(
                CourseVersion.course_id == Enrolment.course_id,
                CourseVersion.number == Enrolment.enrolled_version,
            ),
        )
        .where(Enrolment.completed_at.is_not(None))
        .group_by(Enrolment.user_id)
    )
    if start is not None:
        stmt = stmt.where(Enrolment.completed_at >= start)
    if end is not None:
        stmt = stmt.where(Enrolment.completed_at < end)
    if course_id is not None:
        stmt = stmt.where(Enrolment.course_id == course_id)
    return stmt


def _person_hours(user_id: int, start: datetime | None, end: datetime | None) -> tuple[float, int]:
    """(certified hours, seconds spent) of the courses one person completed in [start, end)."""
    row = session.execute(completed_hours(start, end).where(Enrolment.user_id == user_id)).first()
    if row is None:
        return 0.0, 0
    return float(row.hours or 0), int(row.seconds or 0)
