"""Lesson drop-off: per lesson in course order, who reached it, who stopped there, and the
median time spent against the lesson's estimate.

- reached: the course's enrolments with a lesson progress row (the lesson was viewed);
- stopped here: enrolments not completed whose last lesson (``last_lesson_key``) is this one;
- median time: the median of ``lms_lesson_progress.time_spent_seconds`` over those who reached
  it (for an even count, the mean of the two middle values): ``percentile_cont(0.5)`` on
  PostgreSQL, row_number and count windows on SQLite (the tests run both).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from lms.content.models import Course, Lesson
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress
from lms.reports.tuning import tune


@dataclass(frozen=True)
class LessonDropoff:
    lesson: Lesson
    reached: int
    median_seconds: float | None
    stopped: int

    @property
    def estimate_seconds(self) -> int:
        return self.lesson.minutes * 60

    @property
    def median_vs_estimate(self) -> float | None:
        """The median time as a share of the estimate (1.0: as long as estimated)."""
        if self.median_seconds is None or not self.estimate_seconds:
            return None
        return self.median_seconds / self.estimate_seconds


def _stopped(course: Course) -> dict[str, int]:
    query = (
        select(Enrolment.last_lesson_key, func.count())
        .where(
            Enrolment.course_id == course.id,
            Enrolment.completed_at.is_(None),
            Enrolment.last_lesson_key.is_not(None),
        )
        .group_by(Enrolment.last_lesson_key)
    )
    return dict(session.execute(query).all())


def _in_course(course: Course):
    return (
        select(LessonProgress.lesson_key, LessonProgress.time_spent_seconds.label("seconds"))
        .join(Enrolment, Enrolment.registration == LessonProgress.registration)
        .where(Enrolment.course_id == course.id)
    )


def _reached_and_medians(course: Course) -> dict[str, tuple[int, float]]:
    """Per lesson: how many reached it, and the median of their time on it."""
    if session.get_bind().dialect.name == "postgresql":
        rows = _in_course(course).subquery("rows")
        median = func.percentile_cont(0.5).within_group(rows.c.seconds)
        query = select(rows.c.lesson_key, func.count(), median).group_by(rows.c.lesson_key)
    else:
        query = _by_window(course)
    return {key: (int(count), float(value)) for key, count, value in session.execute(query).all()}


def _by_window(course: Course):
    """The median by row_number and count windows (SQLite has no percentile_cont): the middle
    row (odd count) or the mean of the two middle rows (even): the ranks r with n <= 2r <= n + 2.
    PostgreSQL's percentile_cont(0.5) gives the same value without sorting the lesson key."""
    rows = _in_course(course).subquery("rows")
    ranked = select(
        rows.c.lesson_key,
        rows.c.seconds,
        func.row_number().over(partition_by=rows.c.lesson_key, order_by=rows.c.seconds).label("rank"),
        func.count().over(partition_by=rows.c.lesson_key).label("n"),
    ).subquery("ranked")
    middle = and_(2 * ranked.c.rank >= ranked.c.n, 2 * ranked.c.rank <= ranked.c.n + 2)
    return select(
        ranked.c.lesson_key,
        func.max(ranked.c.n),
        func.avg(case((middle, ranked.c.seconds * 1.0))),
    ).group_by(ranked.c.lesson_key)


def dropoff(course: Course) -> list[LessonDropoff]:
    """Every lesson of the current version, in course order, with its figures."""
    version = course.current_version
    if version is None:
        return []
    tune()
    figures, stopped = _reached_and_medians(course), _stopped(course)
    return [
        LessonDropoff(lesson, *figures.get(lesson.key, (0, None)), stopped.get(lesson.key, 0))
        for lesson in version.lessons
    ]
