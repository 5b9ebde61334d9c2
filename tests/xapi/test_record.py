"""xapi.record: validation, the ledger, idempotence, voiding and the outbox."""

import copy
import json
import uuid

import pytest
from sqlalchemy import func, select

from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress
from lms.xapi import builder
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.service import StatementConflict, record
from lms.xapi.validation import StatementError
from tests.conftest import make_course, make_user

BASE = "http://127.0.0.1:5000"


def a_statement(**overrides):
    statement = builder.statement(
        BASE,
        str(uuid.uuid4()),
        "experienced",
        builder.activity("https://external.example/activity/1", "lesson", "บท", "Lesson"),
        registration=str(uuid.uuid4()),
        result={"duration": "PT1M5S"},
    )
    statement.update(overrides)
    return statement


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("actor"), "actor"),
        (lambda s: s.pop("verb"), "verb"),
        (lambda s: s["verb"].update(id="not an iri"), "verb"),
        (lambda s: s.update(id="not-a-uuid"), "id: 'not-a-uuid' is not a UUID"),
        (lambda s: s["context"].update(registration="12345"), "context.registration"),
        (lambda s: s.update(timestamp="yesterday"), "timestamp"),
        (lambda s: s.update(result={"score": {"scaled": 1.5}}), "result.score.scaled"),
        (lambda s: s.update(result={"duration": "90 seconds"}), "result.duration"),
        (lambda s: s["object"]["definition"].update(name={"not a language tag!": "x"}), "object"),
    ],
)
def test_invalid_statements_are_refused_and_nothing_is_written(app, change, message):
    statement = a_statement()
    change(statement)
    with pytest.raises(StatementError, match=message.replace(".", r"\.").split(":")[0]):
        record(statement)
    assert count(StoredStatement) == 0


def test_the_statement_is_stored_as_received(app):
    statement = a_statement()
    row = record(statement)
    session.commit()
    assert json.loads(row.raw) == statement
    assert row.verb_id.endswith("/experienced") and row.user_id is None


def test_resending_the_same_statement_is_a_no_op_and_a_different_one_conflicts(app):
    statement = a_statement()
    record(statement)
    record(copy.deepcopy(statement))
    assert count(StoredStatement) == 1
    changed = copy.deepcopy(statement)
    changed["result"]["duration"] = "PT2M"
    with pytest.raises(StatementConflict):
        record(changed)


def test_each_statement_is_queued_for_each_external_lrs(app_factory):
    forwarding = app_factory(
        LMS_XAPI_FORWARD_TO=("http://127.0.0.1:8100/xAPI/statements", "http://lrs.test/x")
    )
    with forwarding.app_context():
        row = record(a_statement())
        session.commit()
        targets = sorted(
            session.scalars(select(OutboxEntry.lrs_name).where(OutboxEntry.statement_id == row.id))
        )
    assert targets == ["http://127.0.0.1:8100/xAPI/statements", "http://lrs.test/x"]


def test_voiding_a_lesson_completion_takes_it_out_of_progress(app):
    course = make_course()
    learner = make_user()
    courses.enrol(learner, course)
    lesson = courses.lessons_in_order(course)[0]
    courses.leave_lesson(learner, course, lesson, 30, complete=True)
    session.commit()
    completion = session.scalar(
        select(StoredStatement).where(
            StoredStatement.verb_id.like("%/completed"), StoredStatement.object_id.like("%/lessons/m1-l1")
        )
    )
    record(builder.voiding(BASE, learner.uuid, completion.id))
    session.commit()
    row = session.get(LessonProgress, (completion.registration, "m1-l1"))
    assert row.completed_at is None and row.time_spent_seconds == 30
    assert session.get(StoredStatement, completion.seq).is_voided
    with pytest.raises(StatementError, match="must reference a stored statement"):
        record(builder.voiding(BASE, learner.uuid, str(uuid.uuid4())))
    assert session.get(Enrolment, completion.registration) is not None
