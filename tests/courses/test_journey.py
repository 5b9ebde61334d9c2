"""The learner's journey through the browser-facing routes, and the statements it leaves."""

import json
import re

import pytest
from sqlalchemy import select

from lms.extensions import session
from lms.progress.models import Enrolment
from lms.signals import course_completed
from lms.xapi.models import StoredStatement
from lms.xapi.validation import validate
from tests.conftest import login, make_course, make_user, post_form


def verbs(user) -> list[str]:
    rows = session.scalars(
        select(StoredStatement).where(StoredStatement.user_id == user.id).order_by(StoredStatement.seq)
    )
    return [f"{r.verb_id.rsplit('/', 1)[-1]} {r.object_id.split('/courses/')[-1]}" for r in rows]


@pytest.fixture
def learner(client):
    user = make_user(email="pat@example.org", staff_group="practitioner")
    login(client, user.email)
    return user


def enrol(client, slug="test-course"):
    return post_form(client, f"/courses/{slug}/enrol", page=f"/courses/{slug}")


def leave(client, key, action, slug="test-course"):
    return post_form(
        client,
        f"/courses/{slug}/lessons/{key}/leave",
        {"action": action},
        page=f"/courses/{slug}/lessons/{key}",
    )


def test_catalog_puts_the_learners_group_first_and_filters(client, learner):
    make_course("for-executives", audience=["executive"])
    make_course("for-practitioners", audience=["practitioner"])
    page = client.get("/courses").get_data(as_text=True)
    # "for-executives" sorts first by title, but the practitioner's own course comes first.
    assert page.index("หลักสูตร for-practitioners") < page.index("หลักสูตร for-executives")
    only_exec = client.get("/courses?group=executive").get_data(as_text=True)
    assert "for-executives" in only_exec and "for-practitioners" not in only_exec
    thai = client.get("/courses?q=หลักสูตร for-exec").get_data(as_text=True)
    assert "for-executives" in thai and "for-practitioners" not in thai
    english = client.get("/courses?q=COURSE FOR-PRAC").get_data(as_text=True)
    assert "for-practitioners" in english and "for-executives" not in english
    bad = client.get("/courses?group=astronaut")
    assert bad.status_code == 400 and "ไม่รู้จักกลุ่มบุคลากร astronaut" in bad.get_data(as_text=True)


def test_course_page_shows_modules_hours_and_rule(client, learner):
    make_course(quizzes=True)
    page = client.get("/courses/test-course").get_data(as_text=True)
    for text in [
        "โมดูล 1",
        "โมดูล 2",
        "บทที่ 2.2",
        "ชั่วโมงโดยประมาณ",
        "ต้องเรียนครบทุกบทเรียนที่กำหนด",
        "สอบผ่านแบบทดสอบท้ายโมดูลทุกโมดูล",
        "ลงทะเบียนและเริ่มเรียน",
    ]:
        assert text in page, text
    assert client.get("/courses/no-such-course").status_code == 404


def test_lessons_need_an_enrolment(client, learner):
    make_course()
    response = client.get("/courses/test-course/lessons/m1-l1")
    assert response.status_code == 302 and response.location == "/courses/test-course"
    not_enrolled = post_form(
        client, "/courses/test-course/lessons/m1-l1/leave", {"action": "next"}, page="/courses/test-course"
    )
    assert not_enrolled.status_code == 403


def test_enrol_read_resume_and_leave(client, learner):
    make_course()
    response = enrol(client)
    assert response.location == "/courses/test-course/lessons/m1-l1"
    assert verbs(learner) == ["registered test-course", "launched test-course", "initialized test-course"]
    page = client.get("/courses/test-course/lessons/m1-l1").get_data(as_text=True)
    assert "เนื้อหาบทที่ 1.1" in page and 'value="0"' in page
    assert leave(client, "m1-l1", "next").location == "/courses/test-course/lessons/m1-l2"
    assert verbs(learner)[3:] == [
        "experienced test-course/lessons/m1-l1",
        "completed test-course/lessons/m1-l1",
        "progressed test-course",
    ]
    page = client.get("/courses/test-course/lessons/m1-l2").get_data(as_text=True)
    assert re.search(r'id="course-progress" max="100" value="25"', page)
    assert re.search(r'id="module-progress" max="100" value="50"', page)
    leave(client, "m1-l2", "next")
    assert "completed test-course/modules/m1" in verbs(learner)
    assert leave(client, "m2-l1", "exit").location == "/learning"
    assert verbs(learner)[-1] == "terminated test-course"
    # Coming back resumes at the lesson left (m2-l1 was viewed, not completed).
    relaunch = post_form(client, "/courses/test-course/launch", page="/courses/test-course")
    assert relaunch.location == "/courses/test-course/lessons/m2-l1"
    my = client.get("/learning").get_data(as_text=True)
    assert "50%" in my


def test_finishing_every_lesson_completes_the_course_once(client, learner):
    make_course(modules=1, lessons_per_module=2)
    completed = []
    course_completed.connect(lambda enrolment: completed.append(enrolment.registration), weak=False)
    enrol(client)
    leave(client, "m1-l1", "next")
    leave(client, "m1-l2", "complete")
    leave(client, "m1-l2", "complete")
    assert verbs(learner).count("completed test-course") == 1
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.completed_at is not None and completed == [enrolment.registration]
    assert "เรียนจบแล้ว" in client.get("/learning").get_data(as_text=True)


def test_a_course_whose_rule_needs_quizzes_does_not_complete_on_lessons(client, learner):
    make_course(modules=1, lessons_per_module=1, quizzes=True)
    enrol(client)
    leave(client, "m1-l1", "complete")
    assert "completed test-course" not in verbs(learner)
    assert "completed test-course/modules/m1" not in verbs(learner)


def test_time_spent_comes_from_the_signed_stamp_only(client, learner):
    make_course()
    enrol(client)
    forged = post_form(
        client,
        "/courses/test-course/lessons/m1-l1/leave",
        {"action": "complete", "opened": "forged-stamp"},
        page="/courses/test-course",
    )
    assert forged.status_code == 302
    row = session.scalar(select(StoredStatement).where(StoredStatement.verb_id.like("%experienced")))
    assert json.loads(row.raw)["result"]["duration"] == "PT0S"
    assert leave(client, "m1-l1", "dance").status_code == 400


def test_every_statement_validates_and_carries_no_personal_data(client, learner):
    make_course()
    enrol(client)
    leave(client, "m1-l1", "next")
    leave(client, "m1-l2", "exit")
    registration = session.scalar(select(Enrolment.registration).where(Enrolment.user_id == learner.id))
    for row in session.scalars(select(StoredStatement)):
        statement = json.loads(row.raw)
        validate(statement)
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "http://127.0.0.1:5000", "name": learner.uuid},
        }
        assert "pat@example.org" not in row.raw and "ทดสอบ" not in row.raw
        context = statement["context"]
        assert context["registration"] == registration
        assert context["language"] == "th-TH" and context["platform"] == "flask-dg-lms"
        assert context["contextActivities"]["category"] == [
            {"objectType": "Activity", "id": "http://127.0.0.1:5000/xapi/profile"}
        ]
        if "/lessons/" in statement["object"]["id"]:
            assert context["contextActivities"]["parent"][0]["id"].endswith("/courses/test-course/modules/m1")
            assert context["contextActivities"]["grouping"][0]["id"].endswith("/courses/test-course")


def test_learners_see_only_their_own_record(client, learner, app):
    make_course()
    enrol(client)
    leave(client, "m1-l1", "next")
    other = make_user(email="other@example.org")
    other_client = app.test_client()
    login(other_client, other.email)
    download = other_client.get("/learning/record.json")
    assert download.headers["Content-Disposition"] == "attachment; filename=my-learning-record.json"
    assert json.loads(download.data) == []
    assert "ยังไม่มีรายการ" in other_client.get("/learning/record").get_data(as_text=True)
    assert "test-course" not in other_client.get("/learning").get_data(as_text=True)
    mine = json.loads(client.get("/learning/record.json").data)
    assert len(mine) == 6 and {e["statement"]["actor"]["account"]["name"] for e in mine} == {learner.uuid}
    assert not any(e["voided"] for e in mine)


def test_a_new_version_keeps_progress_by_lesson_id(client, learner):
    course = make_course(modules=1, lessons_per_module=3)
    enrol(client)
    leave(client, "m1-l1", "next")
    leave(client, "m1-l2", "next")
    assert "67%" in client.get("/learning").get_data(as_text=True)
    version = make_course(modules=2, lessons_per_module=2, number=2, course=course)
    assert version.current_version.number == 2
    page = client.get("/learning").get_data(as_text=True)
    assert "50%" in page  # m1-l1 and m1-l2 still count; m2-l1 and m2-l2 are new
    relaunch = post_form(client, "/courses/test-course/launch", page="/courses/test-course")
    assert relaunch.location == "/courses/test-course/lessons/m2-l1"


def test_list_pages_run_a_fixed_number_of_queries(client, learner, count_queries):
    from lms.courses import service

    slugs = [f"course-{i}" for i in range(4)]
    for slug in slugs:
        make_course(slug)
    service.enrol(learner, service.course_by_slug(slugs[0]))
    session.commit()
    with count_queries() as one:
        client.get("/learning")
        client.get("/courses")
        client.get("/")
    for slug in slugs[1:]:
        service.enrol(learner, service.course_by_slug(slug))
    session.commit()
    with count_queries() as four:
        client.get("/learning")
        client.get("/courses")
        client.get("/")
    assert four["n"] == one["n"]
