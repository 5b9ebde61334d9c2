"""Reading the learner's record, and recording the completions its rules imply.

``check_completion`` is the one place that decides a module or a course is complete: it
records the 'completed' statement through ``xapi.record`` once the rule is met, and the
projectors take it from there (the certificate follows from ``course_completed``).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.content.activities import base_url, course_activity, module_activity
from lms.content.models import Course, CourseVersion, Module
from lms.extensions import session
from lms.progress.completion import Progress, progress, progress_many
from lms.progress.models import Enrolment
from lms.xapi import builder
from lms.xapi.models import StoredStatement
from lms.xapi.service import record
from lms.xapi.vocabulary import VERBS

log = logging.getLogger(__name__)


def enrolment_for(user: User, course: Course, *, for_update: bool = False) -> Enrolment | None:
    """The learner's enrolment in the course. ``for_update`` locks its row until the caller
    commits, so that two requests of the same learner in the same course cannot both read,
    then overwrite, the same progress (PostgreSQL; SQLite ignores the lock)."""
    query = select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def record_for(user: User, registration: str, verb: str, obj: dict[str, Any], **kwargs) -> None:
    """Record one of our statements about this learner in this registration."""
    record(
        builder.statement(base_url(), user.uuid, verb, obj, registration=registration, **kwargs),
        user_id=user.id,
    )


def check_completion(user: User, course: Course, enrolment: Enrolment, module: Module) -> Progress:
    """Record the module's and then the course's completion once their rules are met (once each)."""
    now = progress(course, enrolment)
    module_obj = module_activity(course, module)
    course_obj = course_activity(course)
    if now.module_done(module.key) and not _recorded(enrolment, module_obj):
        record_for(
            user,
            enrolment.registration,
            "completed",
            module_obj,
            parent=course_obj,
            grouping=course_obj,
            result={"completion": True},
        )
    if now.all_done and enrolment.completed_at is None:
        record_for(user, enrolment.registration, "completed", course_obj, result={"completion": True})
        log.info("enrolment %s completed %s", enrolment.registration, course.slug)
    return now


def _recorded(enrolment: Enrolment, obj: dict[str, Any]) -> bool:
    """Whether a 'completed' statement about this activity is already in the learner's ledger."""
    return (
        session.scalar(
            select(StoredStatement.seq)
            .where(
                StoredStatement.registration == enrolment.registration,
                StoredStatement.object_id == obj["id"],
                StoredStatement.verb_id == VERBS["completed"],
                StoredStatement.is_voided.is_(False),
            )
            .limit(1)
        )
        is not None
    )


def my_enrolments(user: User) -> list[tuple[Enrolment, Course, Progress]]:
    """The learner's enrolments with their progress, in a fixed number of queries."""
    enrolments = session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(
            selectinload(Enrolment.course)
            .selectinload(Course.versions)
            .selectinload(CourseVersion.modules)
            .selectinload(Module.lessons)
        )
        .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
    ).all()
    enrolments = [e for e in enrolments if e.course.current_version]
    progress_by = progress_many(enrolments)
    return [(e, e.course, progress_by[e.registration]) for e in enrolments]
