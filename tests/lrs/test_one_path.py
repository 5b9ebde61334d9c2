"""One path: statements a tool posts to /xapi/statements move a learner's progress exactly as
our own pages' statements do (they go through lms.xapi.service.record_many)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from tests.conftest import make_course, make_user
from tests.lrs.test_statements_put_post import STATEMENTS


def recorded_for(user) -> list[dict]:
    rows = session.scalars(
        select(StoredStatement).where(StoredStatement.user_id == user.id).order_by(StoredStatement.seq)
    )
    return [json.loads(row.raw) for row in rows]


def as_learner(statement: dict, user, registration: str) -> dict:
    """The same statement about another learner: their account and their registration."""
    made = json.loads(json.dumps(statement))
    made["id"] = str(uuid.uuid4())
    made["actor"]["account"]["name"] = user.uuid
    made["context"]["registration"] = registration
    return made


def progress(registration: str) -> tuple:
    enrolment = session.get(Enrolment, registration)
    lessons = session.scalars(
        select(LessonProgress)
        .where(LessonProgress.registration == registration)
        .order_by(LessonProgress.lesson_key)
    ).all()
    return (
        enrolment.completed_at is not None,
        enrolment.time_spent_seconds,
        [(row.lesson_key, row.completed_at is not None, row.time_spent_seconds) for row in lessons],
    )


def test_a_posted_lesson_and_course_completion_moves_progress_as_our_pages_do(app, lrs):
    course = make_course(modules=1)
    by_pages, by_tool = make_user(), make_user()
    page_enrolment = courses.enrol(by_pages, course)
    tool_enrolment = courses.enrol(by_tool, course)
    session.commit()
    page_registration, tool_registration = page_enrolment.registration, tool_enrolment.registration
    for lesson in courses.lessons_in_order(course):
        courses.leave_lesson(by_pages, course, lesson, 40, complete=True)
    session.commit()
    sent = [
        as_learner(statement, by_tool, tool_registration)
        for statement in recorded_for(by_pages)
        if statement["verb"]["id"] not in (VERBS["registered"], VERBS["earned"])
    ]
    assert any(
        s["object"]["id"].endswith("/lessons/m1-l1") and s["verb"]["id"] == VERBS["completed"] for s in sent
    )
    response = lrs.post(STATEMENTS, json=sent)
    assert response.status_code == 200, response.get_json()
    session.expire_all()
    assert progress(tool_registration) == progress(page_registration)
    assert progress(tool_registration)[0] is True
    holders = session.scalars(select(Certificate.user_id)).all()
    assert sorted(holders) == sorted([by_pages.id, by_tool.id])


def test_a_statement_about_a_learner_counts_for_that_learner_only(app, lrs):
    course = make_course(modules=1)
    learner, bystander = make_user(), make_user()
    enrolment = courses.enrol(learner, course)
    other = courses.enrol(bystander, course)
    session.commit()
    registration, other_registration = enrolment.registration, other.registration
    lesson_iri = f"{app.config['LMS_BASE_URL']}/xapi/activities/courses/{course.slug}/lessons/m1-l1"
    [registered] = [s for s in recorded_for(learner) if s["verb"]["id"] == VERBS["registered"]]
    completion = {
        "actor": registered["actor"],
        "verb": {"id": VERBS["completed"], "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": lesson_iri},
        "context": {
            "registration": registration,
            "contextActivities": registered["context"]["contextActivities"],
        },
    }
    assert lrs.post(STATEMENTS, json=completion).status_code == 200
    session.expire_all()
    row = session.get(LessonProgress, (registration, "m1-l1"))
    assert row is not None and row.completed_at is not None
    assert session.get(LessonProgress, (other_registration, "m1-l1")) is None
