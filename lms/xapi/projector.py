"""The progress projection: enrolments and lesson progress derived from statements.

``project`` is called by ``record`` for every new statement, and by ``rebuild`` for every
stored one in ledger order, so the live tables and a rebuild agree. Statements about
activities that are not ours (external content) change no progress.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from lms.courses.models import Course, Enrolment, LessonProgress
from lms.extensions import session
from lms.quizzes.models import QuizOutcome
from lms.signals import course_completed
from lms.xapi.builder import duration_seconds, parse_activity
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERB_NAMES, VERBS

SOURCE_EXTENSION = "enrolment-source"
VERSION_EXTENSION = "course-version"
ATTEMPT_EXTENSION = "attempt"


def project(statement: dict[str, Any], user_id: int | None, *, replaying: bool = False) -> None:
    handler = HANDLERS.get(VERB_NAMES.get(statement["verb"]["id"], ""))
    target = parse_activity(statement["object"].get("id", ""))
    if handler is None or target is None:
        return
    handler(statement, target, user_id, _timestamp(statement), replaying)


def _timestamp(statement: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(statement["timestamp"])


def _registration(statement: dict[str, Any]) -> str | None:
    return statement.get("context", {}).get("registration")


def _enrolment(statement: dict[str, Any]) -> Enrolment | None:
    registration = _registration(statement)
    return session.get(Enrolment, registration) if registration else None


def _extension(statement: dict[str, Any], name: str) -> Any:
    for iri, value in statement.get("context", {}).get("extensions", {}).items():
        if iri.endswith(f"/xapi/extensions/{name}"):
            return value
    return None


def _registered(statement, target, user_id, at, replaying) -> None:
    if target["level"] != "course" or user_id is None:
        return
    course = session.scalar(select(Course).where(Course.slug == target["course"]))
    if course is None:
        return
    enrolment = _enrolment(statement)
    if enrolment is None:
        if session.scalar(
            select(Enrolment.registration).where(
                Enrolment.user_id == user_id, Enrolment.course_id == course.id
            )
        ):
            return
        enrolment = Enrolment(registration=_registration(statement), time_spent_seconds=0)
        session.add(enrolment)
    elif not replaying:
        return
    enrolment.user_id = user_id
    enrolment.course_id = course.id
    enrolment.enrolled_version = int(_extension(statement, VERSION_EXTENSION) or 1)
    enrolment.source = _extension(statement, SOURCE_EXTENSION) or "self"
    enrolment.enrolled_at = at
    session.flush()


def _touch(statement, target, user_id, at, replaying) -> Enrolment | None:
    enrolment = _enrolment(statement)
    if enrolment is not None:
        enrolment.last_activity_at = max(at, enrolment.last_activity_at or at)
    return enrolment


def _launched(statement, target, user_id, at, replaying) -> None:
    enrolment = _touch(statement, target, user_id, at, replaying)
    if enrolment is not None and enrolment.launched_at is None:
        enrolment.launched_at = at


def _lesson_row(enrolment: Enrolment, lesson_key: str, at: datetime) -> LessonProgress:
    row = session.get(LessonProgress, (enrolment.registration, lesson_key))
    if row is None:
        row = LessonProgress(
            registration=enrolment.registration,
            lesson_key=lesson_key,
            first_viewed_at=at,
            last_viewed_at=at,
            time_spent_seconds=0,
        )
        session.add(row)
    return row


def _experienced(statement, target, user_id, at, replaying) -> None:
    enrolment = _touch(statement, target, user_id, at, replaying)
    if enrolment is None or target["level"] != "lesson":
        return
    seconds = duration_seconds(statement.get("result", {}).get("duration"))
    row = _lesson_row(enrolment, target["lesson"], at)
    row.last_viewed_at = max(at, row.last_viewed_at)
    row.time_spent_seconds += seconds
    enrolment.time_spent_seconds += seconds
    enrolment.last_lesson_key = target["lesson"]
    session.flush()


def _completed(statement, target, user_id, at, replaying) -> None:
    enrolment = _touch(statement, target, user_id, at, replaying)
    if enrolment is None:
        return
    if target["level"] == "lesson":
        row = _lesson_row(enrolment, target["lesson"], at)
        row.completed_at = row.completed_at or at
        enrolment.last_lesson_key = target["lesson"]
    elif target["level"] == "course" and enrolment.completed_at is None:
        enrolment.completed_at = at
        if not replaying:
            course_completed.send(enrolment)
    session.flush()


def _quiz_outcome(statement, target, user_id, at, replaying) -> None:
    """A graded attempt (passed or failed on the assessment) becomes a quiz outcome."""
    enrolment = _touch(statement, target, user_id, at, replaying)
    attempt = _extension(statement, ATTEMPT_EXTENSION) or {}
    if enrolment is None or target["level"] != "quiz" or not attempt.get("id"):
        return
    if session.get(QuizOutcome, attempt["id"]) is None:
        result = statement.get("result", {})
        session.add(
            QuizOutcome(
                attempt_id=attempt["id"],
                registration=enrolment.registration,
                quiz_key=target["quiz"],
                attempt_number=int(attempt.get("number", 0)),
                scaled=float(result.get("score", {}).get("scaled", 0)),
                is_passed=bool(result.get("success")),
                completed_at=at,
            )
        )
        session.flush()


HANDLERS: dict[str, Callable] = {
    "registered": _registered,
    "launched": _launched,
    "initialized": _touch,
    "experienced": _experienced,
    "progressed": _touch,
    "completed": _completed,
    "terminated": _touch,
    "attempted": _touch,
    "answered": _touch,
    "passed": _quiz_outcome,
    "failed": _quiz_outcome,
}


def rebuild() -> int:
    """Re-derive the projection from every statement that is not voided. Returns the count.

    Enrolment rows are kept (quiz attempts and certificates refer to them by registration)
    and their derived columns reset before the replay; enrolments whose 'registered'
    statement is gone (voided) are removed afterwards.
    """
    session.execute(delete(QuizOutcome))
    session.execute(delete(LessonProgress))
    session.execute(
        update(Enrolment).values(
            launched_at=None,
            last_activity_at=None,
            last_lesson_key=None,
            time_spent_seconds=0,
            completed_at=None,
        )
    )
    session.flush()
    count = 0
    live = select(StoredStatement).where(StoredStatement.is_voided.is_(False))
    with session.no_autoflush:
        for row in session.scalars(live.order_by(StoredStatement.seq)).yield_per(500):
            project(json.loads(row.raw), row.user_id, replaying=True)
            count += 1
    registered = live.with_only_columns(StoredStatement.registration).where(
        StoredStatement.verb_id == VERBS["registered"]
    )
    session.execute(delete(Enrolment).where(Enrolment.registration.not_in(registered)))
    session.flush()
    session.expire_all()
    return count
