"""Quiz attempts through the routes: graded only on the server, and tamper-proof."""

import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.extensions import session
from lms.progress.models import Enrolment, QuizOutcome
from lms.quizzes.models import QuizAttempt
from lms.xapi.models import StoredStatement
from lms.xapi.validation import validate
from tests.conftest import login, make_course, make_user, post_form

QUIZ = "/courses/test-course/quizzes/m1-quiz"
RIGHT = {"q.q1": "b", "q.q2": "false", "q.q3": " กรุง\u200bเทพมหานคร "}
WRONG = {"q.q1": "a", "q.q2": "true", "q.q3": "เชียงใหม่"}


@pytest.fixture
def learner(client):
    user = make_user(email="quiz@example.org")
    login(client, user.email)
    return user


def setup_course(client, enrol=True, **settings):
    make_course(modules=1, lessons_per_module=1, quizzes=True, quiz_settings=settings)
    if enrol:
        post_form(client, "/courses/test-course/enrol", page="/courses/test-course")


def start(client):
    response = post_form(client, f"{QUIZ}/start", page=QUIZ)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def revision(client, url) -> str:
    return re.search(r'name="revision" value="(\d+)"', client.get(url).get_data(as_text=True)).group(1)


def send(client, url, action, answers, rev=None):
    data = {**answers, "revision": rev if rev is not None else revision(client, url)}
    return post_form(client, f"{url}/{action}", data, page=url)


def statements(verb):
    rows = session.scalars(
        select(StoredStatement).where(StoredStatement.verb_id.like(f"%/{verb}")).order_by(StoredStatement.seq)
    )
    return [json.loads(r.raw) for r in rows]


def test_the_page_never_carries_the_answers(client, learner):
    setup_course(client)
    page = client.get(start(client)).get_data(as_text=True)
    assert "ตัวเลือก ข" in page and "ข้อใดถูก" in page
    for secret in ["กรุงเทพมหานคร", "FEEDBACK-Q1", "WHY-A", "FEEDBACK-Q2", "correct"]:
        assert secret not in page


def test_save_keeps_answers_and_submit_grades_on_the_server(client, learner):
    setup_course(client)
    url = start(client)
    assert send(client, url, "save", {"q.q1": "b"}).status_code == 302
    assert 'name="q.q1" value="b" checked' in client.get(url).get_data(as_text=True)
    result = send(client, url, "submit", {"q.q2": "false", "q.q3": " กรุง\u200bเทพมหานคร "})
    page = client.get(result.location).get_data(as_text=True)
    assert "คุณสอบผ่าน" in page and "100.0%" in page
    attempt = session.scalar(select(QuizAttempt))
    assert (attempt.earned, attempt.possible, attempt.is_passed) == (4.0, 4.0, True)
    answered = statements("answered")
    assert [s["object"]["definition"]["interactionType"] for s in answered] == [
        "choice",
        "true-false",
        "fill-in",
    ]
    assert [s["result"]["response"] for s in answered][:2] == ["b", "false"]
    (passed,) = statements("passed")
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 4.0, "min": 0, "max": 4.0}
    assert passed["result"]["success"] is True and passed["result"]["duration"].startswith("PT")
    for statement in [*statements("attempted"), *answered, passed]:
        validate(statement)
        assert statement["context"]["registration"] == attempt.registration
    assert session.scalar(select(QuizOutcome.is_passed)) is True


def test_fail_then_feedback_then_pass_completes_the_course(client, learner):
    setup_course(client)
    post_form(
        client,
        "/courses/test-course/lessons/m1-l1/leave",
        {"action": "complete"},
        page="/courses/test-course/lessons/m1-l1",
    )
    url = start(client)
    failed = client.get(send(client, url, "submit", WRONG).location).get_data(as_text=True)
    assert "ยังไม่ผ่าน" in failed and "FEEDBACK-Q1" in failed and "WHY-A" in failed
    assert session.scalar(select(Enrolment.completed_at)) is None
    second = start(client)
    assert second != url
    send(client, second, "submit", RIGHT)
    session.expire_all()
    assert session.scalar(select(Enrolment.completed_at)) is not None
    completed = [s["object"]["id"].rsplit("/", 2)[-2:] for s in statements("completed")]
    assert ["modules", "m1"] in completed and ["courses", "test-course"] in completed


def test_feedback_only_after_the_last_attempt_when_so_set(client, learner):
    setup_course(client, attempts=2, show_feedback="after_last_attempt")
    first = client.get(send(client, start(client), "submit", WRONG).location).get_data(as_text=True)
    assert "FEEDBACK-Q1" not in first and "ตัวเลือก ข" not in first
    second = client.get(send(client, start(client), "submit", WRONG).location).get_data(as_text=True)
    assert "FEEDBACK-Q1" in second


def test_never_show_feedback(client, learner):
    setup_course(client, show_feedback="never")
    page = client.get(send(client, start(client), "submit", WRONG).location).get_data(as_text=True)
    assert "FEEDBACK-Q1" not in page and "กรุงเทพมหานคร" not in page


def test_draw_from_a_pool(client, learner):
    setup_course(client, draw=2, shuffle_questions=True)
    start(client)
    attempt = session.scalar(select(QuizAttempt))
    assert len(attempt.question_ids) == 2 and set(attempt.question_ids) <= {"q1", "q2", "q3"}


def test_another_learners_attempt_is_not_found(client, learner, app):
    setup_course(client)
    url = start(client)
    other = app.test_client()
    make_user(email="other@example.org")
    login(other, "other@example.org")
    post_form(other, "/courses/test-course/enrol", page="/courses/test-course")
    assert other.get(url).status_code == 404
    rev = revision(client, url)
    assert post_form(other, f"{url}/submit", {**RIGHT, "revision": rev}, page=QUIZ).status_code == 404
    assert session.scalar(select(QuizAttempt.submitted_at)) is None


def test_submitting_twice_and_replaying_are_refused(client, learner):
    setup_course(client)
    url = start(client)
    rev = revision(client, url)
    assert send(client, url, "save", {"q.q1": "a"}, rev).status_code == 302
    replay = send(client, url, "save", {"q.q1": "b"}, rev)
    assert replay.status_code == 409
    assert session.scalar(select(QuizAttempt.answers))["q1"] == {"q.q1": ["a"]}
    assert send(client, url, "submit", RIGHT).status_code == 302
    again = send(client, url, "submit", RIGHT, rev=str(int(rev) + 2))
    assert again.status_code == 409
    assert len(statements("passed")) + len(statements("failed")) == 1


def test_answers_outside_the_attempt_are_refused(client, learner):
    setup_course(client, draw=2, shuffle_questions=True)
    url = start(client)
    attempt = session.scalar(select(QuizAttempt))
    missing = ({"q1", "q2", "q3"} - set(attempt.question_ids)).pop()
    undrawn = send(client, url, "save", {f"q.{missing}": "x"})
    assert undrawn.status_code == 400
    assert f"ข้อ {missing} ไม่ได้อยู่ในการทำแบบทดสอบครั้งนี้" in undrawn.get_data(as_text=True)
    assert send(client, url, "save", {"q.nope": "a"}).status_code == 400
    session.expire_all()
    assert session.scalar(select(QuizAttempt.answers)) == {}


def test_a_choice_id_from_another_question_is_refused(client, learner):
    questions = [
        {
            "id": "q1",
            "type": "single_choice",
            "prompt": "หนึ่ง",
            "points": 1,
            "choices": [{"id": "a", "text": "ก"}, {"id": "b", "text": "ข"}],
            "correct": "a",
        },
        {
            "id": "q2",
            "type": "single_choice",
            "prompt": "สอง",
            "points": 1,
            "choices": [{"id": "c", "text": "ค"}, {"id": "d", "text": "ง"}],
            "correct": "c",
        },
    ]
    setup_course(client, questions=questions)
    url = start(client)
    assert send(client, url, "submit", {"q.q1": "c"}).status_code == 400
    session.expire_all()
    assert session.scalar(select(QuizAttempt.submitted_at)) is None


def test_attempts_beyond_the_limit_are_refused(client, learner):
    setup_course(client, attempts=1)
    send(client, start(client), "submit", WRONG)
    refused = post_form(client, f"{QUIZ}/start", page=QUIZ)
    assert refused.status_code == 403
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_a_late_submission_is_graded_on_saved_answers_only(client, learner):
    setup_course(client, time_limit_minutes=10)
    url = start(client)
    send(client, url, "save", {"q.q1": "b"})
    attempt = session.scalar(select(QuizAttempt))
    session.execute(update(QuizAttempt).values(deadline_at=attempt.started_at - timedelta(minutes=1)))
    session.commit()
    assert send(client, url, "save", {"q.q2": "false"}).status_code == 409
    page = client.get(send(client, url, "submit", RIGHT).location).get_data(as_text=True)
    assert "หลังหมดเวลา" in page
    session.expire_all()
    attempt = session.scalar(select(QuizAttempt))
    assert attempt.is_late and attempt.earned == 1.0 and attempt.possible == 4.0


def test_quizzes_of_a_course_not_enrolled_in(client, learner):
    setup_course(client, enrol=False)
    assert client.get(QUIZ).status_code == 302
    assert post_form(client, f"{QUIZ}/start", page="/courses/test-course").status_code == 403
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_two_simultaneous_submissions_grade_once(client, learner, app):
    setup_course(client)
    url = start(client)
    rev = revision(client, url)
    barrier = threading.Barrier(2)
    statuses = []

    def submit():
        with app.app_context():
            own = app.test_client()
            own.set_cookie("session", client.get_cookie("session").value)
            from tests.conftest import csrf_token

            token = csrf_token(own, url)
            barrier.wait()
            statuses.append(
                own.post(f"{url}/submit", data={**RIGHT, "revision": rev, "csrf_token": token}).status_code
            )

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [302, 409]
    assert len(statements("passed")) == 1
    assert session.scalar(select(func.count()).select_from(QuizOutcome)) == 1


def test_pictures_in_prompts_and_feedback_point_to_the_media_store(client, learner):
    from lms.courses.service import course_by_slug

    picture = {
        "id": "q1",
        "type": "true_false",
        "prompt": "ดูภาพ ![แผนภาพ](media/d.png)",
        "points": 1,
        "correct": True,
        "feedback": "คำอธิบาย ![เฉลย](media/d.png)",
    }
    setup_course(client, questions=[picture])
    version = course_by_slug("test-course").current_version
    version.package = {**version.package, "media": {"media/d.png": "ab" * 32}}
    session.commit()
    stored = f"/courses/test-course/media/{'ab' * 32}.png"
    url = start(client)
    page = client.get(url).get_data(as_text=True)
    assert f'src="{stored}"' in page, page[page.find("ดูภาพ") - 200 : page.find("ดูภาพ") + 300]
    result = client.get(send(client, url, "submit", {"q.q1": "false"}).location).get_data(as_text=True)
    assert result.count(f'src="{stored}"') >= 2  # the prompt, and the feedback shown after the attempt
