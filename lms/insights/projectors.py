"""Projects each 'answered' statement into ``lms_question_answers`` (and the choices picked).

The projector is idempotent (a statement already projected is skipped), so the progress
rebuild, which replays every statement through the router, restores missing rows. The
re-deriver of one registration first deletes that registration's rows and replays its
'answered' statements, so a voided answer disappears (ADR 0018).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from lms.extensions import session
from lms.insights.models import QuestionAnswer, QuestionAnswerChoice
from lms.progress.models import Enrolment
from lms.progress.projectors import ATTEMPT_EXTENSION
from lms.xapi.builder import parse_activity
from lms.xapi.models import StoredStatement
from lms.xapi.routing import ProjectorRouter
from lms.xapi.vocabulary import VERBS

#: xAPI's separator of the items of a response (``a[,]c``).
LIST_DELIMITER = "[,]"
#: Interaction types whose response names the choices picked.
CHOICE_INTERACTIONS = {"choice", "true-false"}


def _attempt(statement: dict[str, Any]) -> dict[str, Any]:
    for iri, value in statement.get("context", {}).get("extensions", {}).items():
        if iri.endswith(f"/xapi/extensions/{ATTEMPT_EXTENSION}") and isinstance(value, dict):
            return value
    return {}


def _choices(statement: dict[str, Any]) -> list[str]:
    definition = statement["object"].get("definition", {})
    response = statement.get("result", {}).get("response")
    if definition.get("interactionType") not in CHOICE_INTERACTIONS or not response:
        return []
    return sorted(set(response.split(LIST_DELIMITER)))


def project_answer(statement: dict[str, Any], user_id: int | None, *, replaying: bool) -> None:
    """One row for an answer to one of our quiz questions in a known enrolment; else nothing."""
    target = parse_activity(statement["object"].get("id", ""))
    registration = statement.get("context", {}).get("registration")
    attempt_id = _attempt(statement).get("id")
    if target is None or target["level"] != "question" or not registration or not attempt_id:
        return
    if session.scalar(
        select(QuestionAnswer.statement_id).where(QuestionAnswer.statement_id == statement["id"])
    ):
        return
    course_id = session.scalar(select(Enrolment.course_id).where(Enrolment.registration == registration))
    if course_id is None:
        return
    result = statement.get("result", {})
    success = result.get("success")
    session.execute(
        insert(QuestionAnswer).values(
            statement_id=statement["id"],
            registration=registration,
            attempt_id=str(attempt_id),
            course_id=course_id,
            quiz_key=target["quiz"],
            question_id=target["question"],
            is_correct=None if success is None else bool(success),
            scaled=float(result.get("score", {}).get("scaled", 0)),
            answered_at=datetime.fromisoformat(statement["timestamp"]),
        )
    )
    choices = _choices(statement)
    if choices:
        session.execute(
            insert(QuestionAnswerChoice),
            [
                {
                    "statement_id": statement["id"],
                    "choice_id": choice,
                    "course_id": course_id,
                    "quiz_key": target["quiz"],
                    "question_id": target["question"],
                }
                for choice in choices
            ],
        )


def rederive(registration: str | None) -> int:
    """Re-derive the answers of one registration (of all, given None); the statements replayed."""
    answers = delete(QuestionAnswer)
    if registration is not None:
        answers = answers.where(QuestionAnswer.registration == registration)
        owned = select(QuestionAnswer.statement_id).where(QuestionAnswer.registration == registration)
        session.execute(delete(QuestionAnswerChoice).where(QuestionAnswerChoice.statement_id.in_(owned)))
    else:
        session.execute(delete(QuestionAnswerChoice))
    session.execute(answers)
    live = select(StoredStatement.raw, StoredStatement.user_id).where(
        StoredStatement.is_voided.is_(False), StoredStatement.verb_id == VERBS["answered"]
    )
    if registration is not None:
        live = live.where(StoredStatement.registration == registration)
    count = 0
    with session.no_autoflush:
        for raw, user_id in session.execute(live.order_by(StoredStatement.seq)).yield_per(500):
            project_answer(json.loads(raw), user_id, replaying=True)
            count += 1
    return count


def register(router: ProjectorRouter) -> None:
    """The answers projector, and its re-deriver (after the progress one: enrolments first)."""
    router.register(VERBS["answered"], project_answer)
    router.register_rederiver(rederive)
