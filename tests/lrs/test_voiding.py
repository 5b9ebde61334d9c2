"""Voiding through /xapi/statements: the rules of Data 2.3.2 and what queries return after."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import LessonProgress
from lms.xapi.models import StoredStatement
from tests.conftest import make_course, make_user
from tests.lrs.test_statements_get import ACT, ids, post
from tests.lrs.test_statements_put_post import STATEMENTS, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def voiding(target: str, **extra) -> dict:
    return statement(
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": target},
        **extra,
    )


def test_a_voided_statement_is_read_by_voided_statement_id_only(lrs):
    [target] = post(lrs, statement(object={"id": ACT + "voided"}))
    [void] = post(lrs, voiding(target))
    assert lrs.get(f"{STATEMENTS}?statementId={target}").status_code == 404
    got = lrs.get(f"{STATEMENTS}?voidedStatementId={target}")
    assert got.status_code == 200 and got.get_json()["id"] == target
    assert target not in ids(lrs)
    assert ids(lrs, activity=ACT + "voided") == [void]
    assert lrs.get(f"{STATEMENTS}?statementId={void}").status_code == 200


def test_voiding_a_voiding_statement_is_400_and_writes_nothing(lrs):
    [target] = post(lrs, statement())
    [void] = post(lrs, voiding(target))
    before = session.scalar(select(func.count()).select_from(StoredStatement))
    response = lrs.post(STATEMENTS, json=voiding(void))
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(StoredStatement)) == before
    assert lrs.get(f"{STATEMENTS}?statementId={void}").status_code == 200


def test_voiding_a_statement_this_lrs_does_not_have_is_accepted(lrs):
    """Data 2.2.4: the LRS should not reject it (the target may be in another LRS)."""
    unknown = str(uuid.uuid4())
    response = lrs.post(STATEMENTS, json=voiding(unknown))
    assert response.status_code == 200, response.get_json()
    [void] = response.get_json()
    assert lrs.get(f"{STATEMENTS}?statementId={void}").get_json()["object"]["id"] == unknown
    assert lrs.get(f"{STATEMENTS}?voidedStatementId={unknown}").status_code == 404


def test_a_voided_statement_stays_voided(lrs):
    [target] = post(lrs, statement())
    post(lrs, voiding(target))
    assert lrs.post(STATEMENTS, json=voiding(target)).status_code == 200
    assert lrs.get(f"{STATEMENTS}?voidedStatementId={target}").status_code == 200
    assert lrs.get(f"{STATEMENTS}?statementId={target}").status_code == 404


def test_a_batch_may_store_and_void_a_statement_in_order(lrs):
    target = str(uuid.uuid4())
    post(lrs, statement(id=target), voiding(target))
    assert lrs.get(f"{STATEMENTS}?voidedStatementId={target}").status_code == 200


def test_voiding_through_the_endpoint_rebuilds_only_that_registration(app, lrs, monkeypatch):
    course = make_course()
    learner, other = make_user(), make_user()
    for person in (learner, other):
        courses.enrol(person, course)
        courses.leave_lesson(person, course, courses.lessons_in_order(course)[0], 30, complete=True)
    session.commit()
    completion = session.scalar(
        select(StoredStatement).where(
            StoredStatement.user_id == learner.id,
            StoredStatement.verb_id.like("%/completed"),
            StoredStatement.object_id.like("%/lessons/m1-l1"),
        )
    )
    router = app.extensions["lms"].projectors
    rebuilt = []
    real = router.rederive
    monkeypatch.setattr(
        router, "rederive", lambda registration: rebuilt.append(registration) or real(registration)
    )
    actor = {"account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid}}
    response = lrs.post(STATEMENTS, json=voiding(completion.id, actor=actor))
    assert response.status_code == 200, response.get_json()
    assert rebuilt == [completion.registration]
    session.expire_all()
    assert session.get(LessonProgress, (completion.registration, "m1-l1")).completed_at is None
    others = session.scalar(
        select(LessonProgress)
        .join_from(
            LessonProgress, StoredStatement, StoredStatement.registration == LessonProgress.registration
        )
        .where(StoredStatement.user_id == other.id)
    )
    assert others.completed_at is not None
    agent = json.dumps(actor)
    assert completion.id not in ids(lrs, agent=agent)
