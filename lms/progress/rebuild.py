"""Re-derive the projection from the ledger: everything, or one registration (enrolment).

Voiding a statement re-derives only the registration it belongs to, so its cost is that
learner's statements in that course, whatever the size of the ledger (the statements'
``registration`` column is indexed).
"""

from __future__ import annotations

import json
from contextlib import nullcontext

from flask import current_app
from sqlalchemy import delete, select, update

from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome
from lms.xapi.models import StoredStatement
from lms.xapi.service import kept_alive
from lms.xapi.vocabulary import VERBS

RESET = {
    "launched_at": None,
    "last_activity_at": None,
    "last_lesson_key": None,
    "time_spent_seconds": 0,
    "completed_at": None,
}


def rebuild(registration: str | None = None) -> int:
    """Re-derive the projection of one registration, or of all; returns the statements replayed.

    Enrolment rows are kept (quiz attempts and certificates refer to them by registration)
    and their derived columns reset before the replay; an enrolment whose 'registered'
    statement is gone (voided) is removed afterwards.
    """
    _reset(registration)
    live = select(StoredStatement).where(StoredStatement.is_voided.is_(False))
    if registration is not None:
        live = live.where(StoredStatement.registration == registration)
    router = current_app.extensions["lms"].projectors
    count = 0
    # One registration's rows are few: holding them spares reading them back per statement. A
    # whole-ledger rebuild would hold millions, so it lets the session drop them.
    held = kept_alive() if registration is not None else nullcontext()
    with session.no_autoflush, held:
        for row in session.scalars(live.order_by(StoredStatement.seq)).yield_per(500):
            router.project(json.loads(row.raw), row.user_id, replaying=True)
            count += 1
    registered = live.with_only_columns(StoredStatement.registration).where(
        StoredStatement.verb_id == VERBS["registered"]
    )
    orphans = delete(Enrolment).where(Enrolment.registration.not_in(registered))
    if registration is not None:
        orphans = orphans.where(Enrolment.registration == registration)
    session.execute(orphans)
    session.flush()
    session.expire_all()
    return count


def _reset(registration: str | None) -> None:
    def scoped(statement, column):
        return statement if registration is None else statement.where(column == registration)

    session.execute(scoped(delete(QuizOutcome), QuizOutcome.registration))
    session.execute(scoped(delete(LessonProgress), LessonProgress.registration))
    session.execute(scoped(update(Enrolment).values(**RESET), Enrolment.registration))
    session.flush()
