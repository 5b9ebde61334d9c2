"""xapi.record_many: a list of statements, to the same effect as record() on each in turn."""

import copy
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress
from lms.signals import statement_recorded
from lms.xapi import builder
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.service import StatementConflict, record, record_many
from lms.xapi.validation import StatementError
from lms.xapi.vocabulary import VERBS, extension
from tests.conftest import make_course, make_user
from tests.xapi.test_rebuild import snapshot

BASE = "http://127.0.0.1:5000"
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def whole_course(user, course, *, minutes: int = 0, quiz_fails: int = 0) -> list[dict]:
    """What a learner who does the whole course records: registered ... course completed."""
    at = START + timedelta(minutes=minutes)
    registration = str(uuid.uuid4())
    course_obj = courses.course_activity(course)

    def emit(verb, obj, **kwargs):
        nonlocal at
        at += timedelta(minutes=7)
        return builder.statement(
            BASE, user.uuid, verb, obj, registration=registration, timestamp=at, **kwargs
        )

    version = {extension(BASE, "course-version"): 1, extension(BASE, "enrolment-source"): "self"}
    statements = [emit("registered", course_obj, extensions=version), emit("launched", course_obj)]
    for module in course.current_version.modules:
        module_obj = courses.module_activity(course, module)
        context = {"parent": module_obj, "grouping": course_obj}
        for lesson in module.lessons:
            lesson_obj = courses.lesson_activity(course, lesson)
            statements.append(emit("experienced", lesson_obj, result={"duration": "PT6M"}, **context))
            statements.append(emit("completed", lesson_obj, result={"completion": True}, **context))
        if module.quiz_key:
            quiz_obj = builder.activity(
                f"{course_obj['id']}/quizzes/{module.quiz_key}", "assessment", "ท", "Q"
            )
            for number in range(1, quiz_fails + 2):
                passed = number == quiz_fails + 1
                result = {"score": {"scaled": 1.0 if passed else 0.25}, "success": passed, "completion": True}
                attempt = {extension(BASE, "attempt"): {"id": str(uuid.uuid4()), "number": number}}
                verb = "passed" if passed else "failed"
                statements.append(emit(verb, quiz_obj, result=result, extensions=attempt, **context))
        statements.append(emit("completed", module_obj, grouping=course_obj, result={"completion": True}))
    statements.append(emit("completed", course_obj, result={"completion": True}))
    return statements


@pytest.fixture
def learning(app):
    """Two learners' statements about two courses (one with quizzes), interleaved in the list."""
    plain = make_course("plain", modules=2, lessons_per_module=2)
    quizzed = make_course("quizzed", modules=1, lessons_per_module=1, quizzes=True)
    first, second = make_user(email="first@example.org"), make_user(email="second@example.org")
    lists = [
        whole_course(first, plain),
        whole_course(second, quizzed, minutes=3, quiz_fails=1),
        whole_course(second, plain, minutes=5)[:6],
    ]
    statements = [s for batch in lists for s in batch]
    user_ids = [u.id for u, batch in zip([first, second, second], lists, strict=True) for _s in batch]
    return statements, user_ids


def stored() -> dict[str, tuple]:
    """The ledger, without the certificates' 'earned' statements (new ids and times each run)."""
    rows = session.execute(
        select(StoredStatement.id, StoredStatement.raw, StoredStatement.user_id).where(
            StoredStatement.verb_id != VERBS["earned"]
        )
    )
    return {row.id: (row.raw, row.user_id) for row in rows}


def test_a_list_gives_the_same_ledger_and_progress_as_record_one_by_one(app, learning):
    statements, user_ids = learning
    rows = record_many(copy.deepcopy(statements), user_ids=user_ids)
    assert [row.id for row in rows] == [s["id"] for s in statements]
    many = snapshot(), stored(), count(Certificate)
    session.rollback()
    assert count(StoredStatement) == 0
    for statement, user_id in zip(copy.deepcopy(statements), user_ids, strict=True):
        record(statement, user_id=user_id)
    one_by_one = snapshot(), stored(), count(Certificate)
    assert many == one_by_one
    enrolments, lessons, outcomes, _attempts = many[0]
    assert sum(1 for e in enrolments if e[-1] is not None) == 2 == many[2]
    assert [o[7] for o in sorted(outcomes, key=lambda o: o[3])] == [False, True]  # is_passed
    partial = next(e for e in enrolments if e[-1] is None)
    assert partial[7] == START + timedelta(minutes=5 + 6 * 7)  # last activity: the 6th statement
    assert len(lessons) == 4 + 1 + 2


def test_the_projection_takes_its_times_from_the_statements(app, learning):
    statements, user_ids = learning
    record_many(statements, user_ids=user_ids)
    session.commit()
    first = statements[: 2 + 2 * 4 + 2 + 1]
    enrolment = session.get(Enrolment, first[0]["context"]["registration"])
    assert enrolment.enrolled_at == datetime.fromisoformat(first[0]["timestamp"])
    assert enrolment.launched_at == datetime.fromisoformat(first[1]["timestamp"])
    assert enrolment.completed_at == datetime.fromisoformat(first[-1]["timestamp"])
    assert first[-1]["object"]["id"].endswith("/courses/plain")
    assert enrolment.time_spent_seconds == 4 * 360


def test_one_invalid_statement_refuses_the_whole_list_and_writes_nothing(app, learning):
    statements, user_ids = learning
    broken = copy.deepcopy(statements)
    del broken[2]["verb"]
    with pytest.raises(StatementError, match=r"^Statement 3: verb"):
        record_many(broken, user_ids=user_ids)
    assert count(StoredStatement) == 0 and count(Enrolment) == 0
    with pytest.raises(ValueError, match="one user id"):
        record_many(statements, user_ids=user_ids[:-1])


def test_resent_statements_are_no_ops_and_changed_ones_conflict(app, learning):
    statements, user_ids = learning
    record(statements[0], user_id=user_ids[0])
    rows = record_many([statements[0], statements[1], copy.deepcopy(statements[1])], user_ids=user_ids[:3])
    assert [row.id for row in rows] == [statements[1]["id"]]
    assert count(StoredStatement) == 2
    changed = copy.deepcopy(statements[1])
    changed["timestamp"] = START.isoformat()
    with pytest.raises(StatementConflict, match=statements[1]["id"]):
        record_many([changed], user_ids=user_ids[:1])
    inside = copy.deepcopy(statements[2])
    inside["timestamp"] = START.isoformat()
    with pytest.raises(StatementConflict, match=statements[2]["id"]):
        record_many([statements[2], inside], user_ids=user_ids[2:4])


def test_a_voiding_statement_in_the_list_re_derives_progress(app, learning):
    statements, user_ids = learning
    lesson_completion = statements[3]
    assert lesson_completion["verb"]["id"].endswith("/completed")
    voiding = builder.voiding(BASE, lesson_completion["actor"]["account"]["name"], lesson_completion["id"])
    record_many([*statements[:4], voiding, statements[4]], user_ids=[*user_ids[:4], user_ids[0], user_ids[4]])
    registration = lesson_completion["context"]["registration"]
    row = session.get(LessonProgress, (registration, "m1-l1"))
    assert row.completed_at is None and row.time_spent_seconds == 360
    assert session.scalar(
        select(StoredStatement.is_voided).where(StoredStatement.id == lesson_completion["id"])
    )
    assert session.get(LessonProgress, (registration, "m1-l2")) is not None


def test_actors_are_looked_up_when_no_user_ids_are_given(app, learning):
    statements, user_ids = learning
    outsider = builder.statement(
        "https://other.example",
        str(uuid.uuid4()),
        "experienced",
        statements[2]["object"],
        registration=str(uuid.uuid4()),
    )
    record_many([*statements[:3], outsider])
    by_id = stored()
    assert [by_id[s["id"]][1] for s in statements[:3]] == user_ids[:3]
    assert by_id[outsider["id"]][1] is None


def test_each_statement_is_queued_for_each_lrs_and_signalled_once_in_order(app_factory, learning):
    statements, user_ids = learning
    forwarding = app_factory(
        LMS_XAPI_FORWARD_TO=("http://127.0.0.1:8100/xAPI/statements", "http://lrs.test/x")
    )
    signalled = []

    def receiver(_app, statement, row):
        assert row.id == statement["id"]
        signalled.append(statement["id"])

    statement_recorded.connect(receiver)
    try:
        with forwarding.app_context():
            record_many(statements[:5], user_ids=user_ids[:5])
            session.commit()
            queued = session.execute(select(OutboxEntry.statement_id, OutboxEntry.lrs_name)).all()
    finally:
        statement_recorded.disconnect(receiver)
    assert signalled == [s["id"] for s in statements[:5]]
    assert sorted(queued) == sorted(
        (s["id"], lrs)
        for s in statements[:5]
        for lrs in ("http://127.0.0.1:8100/xAPI/statements", "http://lrs.test/x")
    )
