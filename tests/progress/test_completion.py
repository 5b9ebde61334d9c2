"""Progress counts every required item (lessons and quizzes), 100% means complete, and the
learner is told what remains; a completed course invites no more quiz attempts."""

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.quizzes import service as quizzes
from tests.conftest import login, make_course, make_user, post_form

RIGHT = {"q.q1": ["b"], "q.q2": ["false"], "q.q3": ["กรุงเทพมหานคร"]}
WRONG = {"q.q1": ["a"], "q.q2": ["true"], "q.q3": ["เชียงใหม่"]}


@pytest.fixture
def learner(client):
    user = make_user(email="quizzer@example.org")
    login(client, user.email)
    return user


def read_every_lesson(client, slug="test-course"):
    post_form(client, f"/courses/{slug}/enrol", page=f"/courses/{slug}")
    course = courses.course_by_slug(slug)
    for lesson in courses.lessons_in_order(course):
        url = f"/courses/{slug}/lessons/{lesson.key}"
        post_form(client, f"{url}/leave", {"action": "complete"}, page=url)
    return course


def take_quiz(learner, course, answers):
    ctx = quizzes.find_quiz(course, "m1-quiz")
    attempt = quizzes.start(learner, ctx)
    quizzes.submit(learner, ctx, attempt, answers, attempt.revision)
    session.commit()


def test_all_lessons_read_is_not_100_percent_while_a_quiz_is_not_passed(client, learner):
    course = make_course(modules=1, lessons_per_module=2, quizzes=True)
    read_every_lesson(client)
    enrolment = courses.enrolment_for(learner, course)
    progress = courses.progress(course, enrolment)
    assert progress.percent == 67 and not progress.all_done  # 2 of 3 required items
    assert enrolment.completed_at is None
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "สิ่งที่ยังต้องทำ" in page and "แบบทดสอบของ “โมดูล 1” ยังไม่ผ่าน" in page
    assert 'value="67"' in page and 'value="100"' not in page
    assert "แบบทดสอบของ “โมดูล 1” ยังไม่ผ่าน" in client.get("/learning").get_data(as_text=True)

    take_quiz(learner, course, WRONG)
    assert courses.progress(course, courses.enrolment_for(learner, course)).percent == 67
    take_quiz(learner, course, RIGHT)
    session.expire_all()
    enrolment = courses.enrolment_for(learner, course)
    assert courses.progress(course, enrolment).percent == 100 and enrolment.completed_at is not None
    assert session.scalar(select(Certificate).where(Certificate.user_id == learner.id)) is not None


def test_a_lesson_left_to_do_is_named(client, learner):
    make_course(modules=2, lessons_per_module=1)
    post_form(client, "/courses/test-course/enrol", page="/courses/test-course")
    url = "/courses/test-course/lessons/m1-l1"
    post_form(client, f"{url}/leave", {"action": "next"}, page=url)
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "บทเรียน “บทที่ 2.1”" in page and "บทเรียน “บทที่ 1.1”" not in page


def test_progress_never_rounds_up_to_100_before_the_last_item(app):
    course = make_course(modules=1, lessons_per_module=200)
    learner = make_user()
    courses.enrol(learner, course)
    for lesson in courses.lessons_in_order(course)[:199]:
        courses.leave_lesson(learner, course, lesson, 1, complete=True)
    session.commit()
    progress = courses.progress(course, courses.enrolment_for(learner, course))
    assert progress.percent == 99 and len(progress.remaining) == 1


def test_a_completed_course_goes_to_the_course_page_and_takes_no_new_attempts(client, learner):
    course = make_course(modules=1, lessons_per_module=1, quizzes=True)
    read_every_lesson(client)
    take_quiz(learner, course, RIGHT)
    launched = post_form(client, "/courses/test-course/launch", page="/courses/test-course")
    assert launched.status_code == 302 and launched.location.endswith("/courses/test-course")
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "คุณเรียนจบหลักสูตรนี้เมื่อ" in page and "/certificates" in page
    assert "เรียนต่อ" not in page
    overview = client.get("/courses/test-course/quizzes/m1-quiz").get_data(as_text=True)
    assert "แบบทดสอบนี้จึงไม่เปิดให้ทำใหม่" in overview and "/quizzes/m1-quiz/start" not in overview
    refused = post_form(client, "/courses/test-course/quizzes/m1-quiz/start", page="/courses/test-course")
    assert refused.status_code == 403 and "ไม่เปิดให้ทำใหม่" in refused.get_data(as_text=True)
