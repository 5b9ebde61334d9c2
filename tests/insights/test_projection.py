"""The answers projection: what an 'answered' statement becomes, and that a rebuild, a
re-derivation and voiding keep it equal to what the live path wrote."""

from __future__ import annotations

import json

import pytest
from flask import current_app
from sqlalchemy import delete, select

from lms.accounts.models import Role
from lms.courses import service as courses
from lms.extensions import session
from lms.insights import items
from lms.insights.models import QuestionAnswer, QuestionAnswerChoice
from lms.progress.rebuild import rebuild
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from lms.xapi.voiding import void_statement
from tests.conftest import make_course, make_user
from tests.insights.seed import QUESTIONS, quiz_course, take_quiz


@pytest.fixture
def answered(app):
    """Three learners of the quiz course: two submitted attempts and one left open."""
    course = quiz_course()
    people = [make_user(email=f"p{n}@example.org") for n in range(3)]
    for person in people:
        courses.enrol(person, course)
    session.commit()
    take_quiz(people[0], course, ("b", "false", ["a", "b"], "true"))
    take_quiz(people[1], course, ("a", "true", ["a", "c"], "false"))
    take_quiz(people[2], course, None)
    return course, people


def rows() -> tuple[list, list]:
    answers = session.execute(
        select(
            QuestionAnswer.statement_id,
            QuestionAnswer.registration,
            QuestionAnswer.attempt_id,
            QuestionAnswer.course_id,
            QuestionAnswer.quiz_key,
            QuestionAnswer.question_id,
            QuestionAnswer.is_correct,
            QuestionAnswer.scaled,
            QuestionAnswer.answered_at,
        ).order_by(QuestionAnswer.statement_id)
    ).all()
    choices = session.execute(
        select(QuestionAnswerChoice.statement_id, QuestionAnswerChoice.choice_id).order_by(
            QuestionAnswerChoice.statement_id, QuestionAnswerChoice.choice_id
        )
    ).all()
    return [tuple(r) for r in answers], [tuple(r) for r in choices]


def test_each_submitted_answer_becomes_a_row_with_the_choices_picked(answered):
    course, people = answered
    answers, choices = rows()
    assert len(answers) == 12  # six questions, two submitted attempts; the open one has none
    first = [a for a in answers if a[1] == courses.enrolment_for(people[0], course).registration]
    assert {(a[5], a[6]) for a in first} == {
        ("q1", True),
        ("q2", True),
        ("q3", True),
        ("q4", True),
        ("q5", True),
        ("q6", False),
    }
    picked = {
        (q, c)
        for q, c in session.execute(
            select(QuestionAnswer.question_id, QuestionAnswerChoice.choice_id)
            .join(QuestionAnswerChoice, QuestionAnswerChoice.statement_id == QuestionAnswer.statement_id)
            .where(QuestionAnswer.registration == first[0][1])
        )
    }
    assert picked == {
        ("q1", "b"),
        ("q2", "false"),
        ("q3", "a"),
        ("q3", "b"),
        ("q4", "true"),
        ("q5", "true"),
        ("q6", "b"),
    }
    assert len(choices) == 14  # seven for each learner (q3: two choices each)


def test_a_full_rebuild_and_a_rederivation_equal_the_live_rows(answered):
    live = rows()
    session.execute(delete(QuestionAnswer))
    session.flush()
    assert rows() == ([], [])
    rebuild()
    session.commit()
    assert rows() == live
    current_app.extensions["lms"].projectors.rederive(None)
    session.commit()
    assert rows() == live


def test_voiding_an_answer_removes_it_and_only_it(answered):
    course, people = answered
    registration = courses.enrolment_for(people[1], course).registration
    target = session.scalar(
        select(StoredStatement)
        .where(StoredStatement.verb_id == VERBS["answered"], StoredStatement.registration == registration)
        .order_by(StoredStatement.seq)
    )
    voided_id = json.loads(target.raw)["id"]
    before = rows()
    void_statement(target.id, "ตอบผิดข้อโดยระบบขัดข้อง", make_user(Role.ADMIN, email="void@example.org"))
    session.commit()
    after = rows()
    assert [a for a in before[0] if a[0] != voided_id] == after[0]
    assert [c for c in before[1] if c[0] != voided_id] == after[1]
    assert len(after[0]) == 11


def test_rederiving_one_registration_touches_no_other(answered):
    course, people = answered
    live = rows()
    registration = courses.enrolment_for(people[0], course).registration
    session.execute(delete(QuestionAnswer))
    session.flush()
    current_app.extensions["lms"].projectors.rederive(registration)
    session.commit()
    answers, _choices = rows()
    assert answers == [a for a in live[0] if a[1] == registration]


def test_two_attempts_make_one_in_each_group_and_one_attempt_none(answered):
    """n = 2: round(0.54) = 1 attempt per group. The first learner scored 5 of 5.5 and the
    second 0.5, so a question is worth 1 when only the first got it right, 0 when both did or
    neither did."""
    course, people = answered
    quiz = items.find_quiz(course, "m1-quiz")
    index = {item.id: item.discrimination for item in items.item_analysis(course, quiz)}
    assert index == {"q1": 1.0, "q2": 1.0, "q3": 1.0, "q4": 1.0, "q5": 0.0, "q6": 0.0}
    alone = make_course(
        "alone", modules=1, lessons_per_module=1, quizzes=True, quiz_settings={"questions": QUESTIONS}
    )
    courses.enrol(people[2], alone)
    session.commit()
    take_quiz(people[2], alone, ("b", "false", ["a", "b"], "true"))
    single = items.item_analysis(alone, items.find_quiz(alone, "m1-quiz"))
    assert [(item.answered, item.discrimination) for item in single] == [(1, None)] * 6
    assert single[0].correct_share == 1.0
