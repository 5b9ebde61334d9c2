"""Enrolling people in the courses they are required to take.

Every enrolment is a 'registered' statement through ``lms.courses.service.enrol`` (source
``assignment``), so it is one xAPI record per person and course. For an assignment that may
cover 100,000 people that runs as the background job ``assignments.enrol`` (RQ workers with
``LMS_REDIS_URL``, a thread otherwise); for one person who joins or moves, it runs at once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.sql import Select

from lms.accounts.models import User
from lms.assignments import expansion
from lms.assignments.models import Assignment, RequiredCourse
from lms.content.models import Course
from lms.courses import service as courses
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from lms.progress.models import Enrolment

log = logging.getLogger(__name__)

KIND = "assignments.enrol"
SOURCE = "assignment"


def pending(course_ids: Collection[int] | None = None, user_ids: Collection[int] | None = None) -> Select:
    """(user_id, course_id) of required, published courses the person is not enrolled in."""
    enrolled = exists().where(
        and_(Enrolment.user_id == RequiredCourse.user_id, Enrolment.course_id == RequiredCourse.course_id)
    )
    stmt = (
        select(RequiredCourse.user_id, RequiredCourse.course_id)
        .join(Course, Course.id == RequiredCourse.course_id)
        .where(Course.is_published.is_(True), ~enrolled)
    )
    if course_ids is not None:
        stmt = stmt.where(RequiredCourse.course_id.in_(list(course_ids)))
    if user_ids is not None:
        stmt = stmt.where(RequiredCourse.user_id.in_(list(user_ids)))
    return stmt.order_by(RequiredCourse.user_id, RequiredCourse.course_id)


def _enrol(user: User, course: Course) -> None:
    if course.current_version is not None:
        courses.enrol(user, course, source=SOURCE)


def enrol_missing(user_ids: Collection[int], limit: int | None = None) -> int:
    """Enrol these people in each required course they are not in yet; how many were enrolled.

    With ``limit``, nothing is done when more enrolments than that are pending: they are
    then left for the ``assignments.enrol`` job (:func:`start_pending_enrolment`).
    """
    rows = []
    for start in range(0, len(user_ids), 1000):
        rows += session.execute(pending(user_ids=list(user_ids)[start : start + 1000])).all()
    if limit is not None and len(rows) > limit:
        log.info("%d enrolments pending for %d people: left for a job", len(rows), len(user_ids))
        return 0
    for user_id, course_id in rows:
        _enrol(session.get(User, user_id), session.get(Course, course_id))
    return len(rows)


def _plan(params: dict[str, Any]) -> list[list[Any]]:
    rows = session.execute(pending(course_ids=params.get("course_ids"))).all()
    return jobs.chunked([[user_id, course_id] for user_id, course_id in rows])


def _run_chunk(job: Job, items: list[Any]) -> tuple[int, int]:
    """Enrol the chunk's people who still need it (an assignment may be cancelled meanwhile)."""
    users = {user_id for user_id, _course_id in items}
    course_ids = {course_id for _user_id, course_id in items}
    still = {tuple(row) for row in session.execute(pending(course_ids=course_ids, user_ids=users))}
    for user_id, course_id in items:
        if (user_id, course_id) in still:
            _enrol(session.get(User, user_id), session.get(Course, course_id))
    session.commit()
    return len(items), 0


jobs.register(jobs.JobKind(KIND, _plan, _run_chunk))


def start_enrolment(assignment: Assignment, started_by: User | None) -> Job:
    """Start the job enrolling everyone the assignment made a course required for.

    Call it after committing the assignment: starting a job commits the session.
    """
    job = jobs.start(
        KIND,
        {"assignment_id": assignment.id, "course_ids": expansion.assignment_course_ids(assignment)},
        created_by_id=started_by.id if started_by else None,
    )
    log.info("assignment %s: enrolment job %s for %d people", assignment.id, job.id, job.total)
    return job


def pending_count() -> int:
    """How many (person, course) enrolments are required but not done yet, everywhere."""
    return session.scalar(select(func.count()).select_from(pending().order_by(None).subquery()))


def start_pending_enrolment(started_by: User | None) -> Job:
    """Start the job enrolling everyone in every required course they are not in yet (after a
    large staff import, for instance). Starting a job commits the session."""
    job = jobs.start(KIND, {"course_ids": None}, created_by_id=started_by.id if started_by else None)
    log.info("enrolment job %s for %d pending enrolments", job.id, job.total)
    return job
