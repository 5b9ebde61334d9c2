"""The projectors: enrolments, lesson progress and quiz outcomes derived from statements.

``register`` (called from ``init_app``) gives ``xapi.record``'s router one projector per
verb. The router calls them for every new statement, and ``rebuild`` calls them for every
stored one in ledger order, so the live tables and a rebuild agree. Statements about
activities that are not ours (external content) change no progress.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.content.models import Course
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome
from lms.signals import course_completed
from lms.xapi.builder import duration_seconds, parse_activity
from lms.xapi.routing import ProjectorRouter
from lms.xapi.vocabulary import VERBS

SOURCE_EXTENSION = "enrolment-source"
VERSION_EXTENSION = "course-version"
ATTEMPT_EXTENSION = "attempt"
VIEW_EXTENSION = "page-view"


def _ours(handler: Callable) -> Callable:
    """Adapt a handler to the router: only statements about our own activities reach it."""

    def projector(statement: dict[str, Any], user_id: int | None, *, replaying: bool) -> None:
        target = parse_activity(statement["object"].get("id", ""))
        if target is not None:
            handler(statement, target, user_id, _timestamp(statement), replaying)

    projector.__name__ = projector.__qualname__ = f"project_{handler.__name__.strip('_')}"
    return projector


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
    view = _extension(statement, VIEW_EXTENSION)
    if view:
        row.last_view_seconds = (
            (row.last_view_seconds or 0) + seconds if view == row.last_view_id else seconds
        )
        row.last_view_id = view
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
                earned=float(result.get("score", {}).get("raw", 0)),
                possible=float(result.get("score", {}).get("max", 0)),
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


def register(router: ProjectorRouter) -> None:
    """Give the router the progress projectors, one per verb they derive something from."""
    for verb, handler in HANDLERS.items():
        router.register(VERBS[verb], _ours(handler))
