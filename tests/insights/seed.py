"""A small seeded world for the insights tests, built through the real services.

Quiz course ``quizzed`` (one module, quiz ``m1-quiz``, six questions, 5.5 points), eight
learners L1..L8 with one submitted attempt each (see ANSWERS), and L9 with an attempt started
and never submitted. Total scores: L1 4.5, L2 4.5, L3 4, L4 4, L5 3, L6 2, L7 1, L8 1, so with
n = 8 attempts each 27% group has round(2.16) = 2 attempts: upper L1 and L2, lower L7 and L8.

Flow course ``flow`` (three lessons m1-l1..m1-l3, 10 minutes each, no quiz): D1 spends 600 s
on each lesson and completes the course; D2 l1 300 s, l2 30 s; D3 l1 90 s; D4 l1 200 s,
l2 90 s, l3 40 s; D5 only enrols. D2 and D5 were required to finish by a date now past, D1
too (but completed). A learner of the other course ``other`` is in neither.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.accounts.models import Province, Role, User
from lms.assignments.models import Assignment, RequiredCourse
from lms.authoring.models import CourseOwner
from lms.courses import service as courses
from lms.extensions import session
from lms.quizzes import service as quizzes
from tests.conftest import make_course, make_user

QUESTIONS = [
    {
        "id": "q1",
        "type": "single_choice",
        "prompt": "ข้อใดถูก",
        "points": 1,
        "choices": [
            {"id": "a", "text": "ตัวเลือก ก"},
            {"id": "b", "text": "ตัวเลือก ข"},
            {"id": "c", "text": "ตัวเลือก ค"},
        ],
        "correct": "b",
    },
    {"id": "q2", "type": "true_false", "prompt": "ข้อมูลส่วนบุคคลเปิดเผยได้เสมอ", "points": 1, "correct": False},
    {
        "id": "q3",
        "type": "multiple_response",
        "prompt": "เลือกทุกข้อที่ถูก",
        "points": 2,
        "scoring": "all_or_nothing",
        "choices": [{"id": "a", "text": "หนึ่ง"}, {"id": "b", "text": "สอง"}, {"id": "c", "text": "สาม"}],
        "correct": ["a", "b"],
    },
    {"id": "q4", "type": "true_false", "prompt": "ข้อสี่", "points": 0.5, "correct": True},
    {"id": "q5", "type": "true_false", "prompt": "ข้อห้า", "points": 0.5, "correct": True},
    {
        "id": "q6",
        "type": "single_choice",
        "prompt": "ข้อหก",
        "points": 0.5,
        "choices": [{"id": "a", "text": "ใช่"}, {"id": "b", "text": "ไม่ใช่"}],
        "correct": "a",
    },
]
#: Each learner's answers: q1, q2, q3, q4 (q5 is "true" and q6 is "b" for everyone).
ANSWERS = {
    "L1": ("b", "false", ["a", "b"], "false"),
    "L2": ("b", "false", ["a", "b"], "false"),
    "L3": ("b", "true", ["a", "b"], "true"),
    "L4": ("a", "false", ["a", "b"], "true"),
    "L5": ("b", "false", ["a"], "true"),
    "L6": ("a", "false", ["a"], "true"),
    "L7": ("a", "true", ["b"], "true"),
    "L8": ("a", "true", ["a"], "true"),
}
FLOW_TIMES = {"D1": (600, 600, 600), "D2": (300, 30), "D3": (90,), "D4": (200, 90, 40), "D5": ()}
GROUPS = {"D1": "executive", "D2": "practitioner", "D3": "practitioner", "D4": "general", "D5": "general"}
PROVINCES = {"D1": "TH-10", "D2": "TH-10", "D3": "TH-50", "D4": None, "D5": "TH-50"}
PAST = date(2020, 1, 31)


def form(answers: tuple) -> dict[str, list[str]]:
    q1, q2, q3, q4 = answers
    return {"q.q1": [q1], "q.q2": [q2], "q.q3": list(q3), "q.q4": [q4], "q.q5": ["true"], "q.q6": ["b"]}


def take_quiz(user, course, answers: tuple | None) -> None:
    """Start an attempt at m1-quiz and submit it with ``answers`` (None: leave it open)."""
    ctx = quizzes.find_quiz(course, "m1-quiz")
    attempt = quizzes.start(user, ctx)
    if answers is not None:
        quizzes.submit(user, ctx, attempt, form(answers), attempt.revision)
    session.commit()


def quiz_course():
    return make_course(
        "quizzed", modules=1, lessons_per_module=1, quizzes=True, quiz_settings={"questions": QUESTIONS}
    )


def owner(course, email: str):
    trainer = make_user(Role.TRAINER, email=email)
    session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    session.commit()
    return trainer


def seed_quiz(course) -> dict:
    people = {}
    for key, answers in ANSWERS.items():
        people[key] = make_user(email=f"{key.lower()}@example.org")
        courses.enrol(people[key], course)
        session.commit()
        take_quiz(people[key], course, answers)
    people["L9"] = make_user(email="l9@example.org")
    courses.enrol(people["L9"], course)
    take_quiz(people["L9"], course, None)
    return people


def _province(code):
    return session.scalar(select(Province.id).where(Province.iso_code == code)) if code else None


def seed_flow(course, by) -> dict:
    people = {}
    lessons = courses.lessons_in_order(course)
    for key, times in FLOW_TIMES.items():
        user = make_user(
            email=f"{key.lower()}@example.org", staff_group=GROUPS[key], province_id=_province(PROVINCES[key])
        )
        courses.enrol(user, course)
        for lesson, seconds in zip(lessons, times, strict=False):
            courses.leave_lesson(user, course, lesson, seconds, complete=key == "D1")
        session.commit()
        people[key] = user
    assignment = Assignment(course_id=course.id, target_kind="users", due_on=PAST, created_by_id=by.id)
    session.add(assignment)
    session.flush()
    for key in ("D1", "D2", "D5"):
        session.add(
            RequiredCourse(
                user_id=people[key].id, course_id=course.id, assignment_id=assignment.id, due_on=PAST
            )
        )
    session.commit()
    return people


def build() -> dict[str, str]:
    """Both courses, their owners, an admin, HR, and a learner of a third course; the emails
    of those who sign in, by their part."""
    quizzed = quiz_course()
    flow = make_course("flow", modules=1, lessons_per_module=3)
    other = make_course("other", modules=1, lessons_per_module=1)
    emails = {
        "quiz_owner": owner(quizzed, "quiz-owner@example.org").email,
        "flow_owner": owner(flow, "flow-owner@example.org").email,
        "other_owner": owner(other, "other-owner@example.org").email,
        "admin": make_user(Role.ADMIN, email="admin@example.org").email,
        "hr": make_user(Role.HR, email="hr@example.org").email,
        "learner": make_user(email="learner@example.org").email,
    }
    seed_quiz(quizzed)
    seed_flow(flow, session.scalar(select(User).where(User.email == emails["admin"])))
    outsider = make_user(
        email="outsider@example.org", staff_group="executive", province_id=_province("TH-10")
    )
    courses.enrol(outsider, other)
    courses.leave_lesson(outsider, other, courses.lessons_in_order(other)[0], 900, complete=True)
    session.commit()
    return emails
