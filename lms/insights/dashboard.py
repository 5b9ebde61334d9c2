"""The course dashboard: enrolled, in progress, completed and overdue, by staff group and province.

One GROUP BY per breakdown over the course's enrolments (``lms_enrolments``) and the people in
them: an owner sees the learners of their course and no one else. The statuses follow the HR
reports' definitions (``lms.reports.facts``): in progress means started (a lesson opened or a
quiz taken) and not completed; overdue means a required course (``lms_required_courses``)
whose due date is before today in Bangkok and not completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, exists, func, or_, select

from lms.accounts.forms import STAFF_GROUP_LABELS
from lms.accounts.models import Province, User
from lms.assignments.models import RequiredCourse
from lms.content.models import Course
from lms.extensions import session
from lms.progress.models import Enrolment, QuizOutcome
from lms.reports.fiscal import bangkok_date
from lms.reports.labels import NOT_SET
from lms.reports.tuning import tune

STATUSES = ("enrolled", "not_started", "in_progress", "completed", "overdue")


@dataclass(frozen=True)
class StatusCounts:
    """One row of the dashboard: a group's name and its counts."""

    label: str
    enrolled: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def completion_share(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class Dashboard:
    total: StatusCounts
    by_staff_group: list[StatusCounts]
    by_province: list[StatusCounts]


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def _counts(course: Course, today: date):
    """The status sums of the course's enrolments by (staff group, province): one scan, at most
    a few hundred rows, which the dashboard adds up into its totals and breakdowns."""
    completed = Enrolment.completed_at.is_not(None)
    quiz_taken = exists().where(QuizOutcome.registration == Enrolment.registration)
    started = or_(Enrolment.last_lesson_key.is_not(None), quiz_taken)
    overdue = and_(~completed, RequiredCourse.due_on < today)
    return (
        select(
            User.staff_group,
            User.province_id,
            func.count().label("enrolled"),
            _flag(and_(~completed, ~started)).label("not_started"),
            _flag(and_(~completed, started)).label("in_progress"),
            _flag(completed).label("completed"),
            _flag(overdue).label("overdue"),
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(
            RequiredCourse,
            and_(
                RequiredCourse.user_id == Enrolment.user_id, RequiredCourse.course_id == Enrolment.course_id
            ),
        )
        .where(Enrolment.course_id == course.id)
        .group_by(User.staff_group, User.province_id)
    )


def _add(rows, key) -> dict:
    """The rows' counts summed by ``key(row)``."""
    sums: dict = {}
    for row in rows:
        into = sums.setdefault(key(row), dict.fromkeys(STATUSES, 0))
        for name in STATUSES:
            into[name] += int(getattr(row, name) or 0)
    return sums


def dashboard(course: Course, language: str, today: date | None = None) -> Dashboard:
    """The dashboard of ``course``; ``today`` (a Bangkok date) decides what is overdue."""
    tune()
    today = today or bangkok_date(datetime.now(UTC))
    rows = session.execute(_counts(course, today)).all()
    total = _add(rows, lambda row: None).get(None, dict.fromkeys(STATUSES, 0))
    groups = _add(rows, lambda row: row.staff_group)
    order = list(STAFF_GROUP_LABELS)
    by_group = [
        StatusCounts(str(STAFF_GROUP_LABELS.get(key, key)), **groups[key])
        for key in sorted(groups, key=lambda k: order.index(k) if k in order else len(order))
    ]
    provinces = _add(rows, lambda row: row.province_id)
    names = _province_names([key for key in provinces if key is not None], language)
    by_province = [
        StatusCounts(names.get(key) or str(NOT_SET), **provinces[key])
        for key in sorted(provinces, key=lambda k: (k is None, names.get(k, "")))
    ]
    return Dashboard(StatusCounts("", **total), by_group, by_province)


def _province_names(ids: list[int], language: str) -> dict[int, str]:
    name = Province.name_en if language == "en" else Province.name_th
    return dict(session.execute(select(Province.id, name).where(Province.id.in_(ids))).all()) if ids else {}
