"""A lesson completes only after the learner has spent a share of its minutes on it, measured
on the server (LMS_MIN_LESSON_TIME_RATIO, or the package's completion.min_time_ratio); a page
view reported twice counts its time once."""

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.courses.timing import SALT
from lms.extensions import session
from lms.progress.models import LessonProgress
from tests.conftest import CSRF_RE, login, make_course, make_user


def backdated_stamp(app, lesson_key: str, seconds_ago: int, view: str) -> str:
    """A stamp signed as if the page had been served ``seconds_ago`` (the tests' time machine)."""

    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT, signer=Backdated)
    return serializer.dumps({"lesson": lesson_key, "view": view})


@pytest.fixture
def timed(app_factory):
    """An app with the default rule (half of a lesson's minutes), and a learner signed in."""
    timed_app = app_factory(LMS_MIN_LESSON_TIME_RATIO=0.5)
    client = timed_app.test_client()
    learner = make_user(email="reader@example.org")
    login(client, learner.email)
    return timed_app, client, learner


def about(seconds: int, expected: int, posts: int) -> bool:
    """Stamps are signed in whole seconds: each post may read one second more than backdated."""
    return expected <= seconds <= expected + posts


def leave(client, app, key, action, seconds_ago=0, view="view-1"):
    url = f"/courses/test-course/lessons/{key}"
    token = CSRF_RE.search(client.get(url).get_data(as_text=True))
    data = {
        "csrf_token": token.group(1) or token.group(2),
        "opened": backdated_stamp(app, key, seconds_ago, view),
        "action": action,
    }
    return client.post(f"{url}/leave", data=data)


def enrol(client):
    page = client.get("/courses/test-course").get_data(as_text=True)
    token = CSRF_RE.search(page)
    client.post("/courses/test-course/enrol", data={"csrf_token": token.group(1) or token.group(2)})


def test_clicking_through_lessons_completes_nothing(timed):
    timed_app, client, learner = timed
    course = make_course(modules=1, lessons_per_module=3)  # 10 minutes each: 5 needed
    enrol(client)
    for lesson in courses.lessons_in_order(course):
        response = leave(client, timed_app, lesson.key, "next", seconds_ago=20)
        assert response.status_code == 302
    page = client.get(response.location, follow_redirects=True).get_data(as_text=True)
    assert "ยังไม่นับว่าเรียนจบ" in page and "อีกประมาณ 5 นาที" in page
    enrolment = courses.enrolment_for(learner, course)
    assert courses.progress(course, enrolment).percent == 0 and enrolment.completed_at is None
    assert session.scalar(select(Certificate)) is None
    assert about(enrolment.time_spent_seconds, 60, posts=3)  # the time is kept, and counts toward the rule


def test_the_lesson_page_says_how_much_longer_is_needed(timed):
    timed_app, client, _learner = timed
    make_course(modules=1, lessons_per_module=1)
    enrol(client)
    assert "อีกประมาณ 5 นาที" in client.get("/courses/test-course/lessons/m1-l1").get_data(as_text=True)
    leave(client, timed_app, "m1-l1", "outline", seconds_ago=200)
    page = client.get("/courses/test-course/lessons/m1-l1").get_data(as_text=True)
    assert 'id="time-needed"' in page and "อีกประมาณ 2 นาที" in page  # 300 s needed, 200 s spent


def test_time_spent_over_several_visits_completes_the_lesson(timed):
    timed_app, client, learner = timed
    course = make_course(modules=1, lessons_per_module=1)
    enrol(client)
    leave(client, timed_app, "m1-l1", "outline", seconds_ago=200, view="first-visit")
    leave(client, timed_app, "m1-l1", "next", seconds_ago=120, view="second-visit")
    enrolment = courses.enrolment_for(learner, course)
    assert courses.progress(course, enrolment).percent == 100
    assert enrolment.completed_at is not None


def test_a_page_view_reported_twice_counts_once(timed):
    timed_app, client, learner = timed
    course = make_course(modules=1, lessons_per_module=1)
    enrol(client)
    leave(client, timed_app, "m1-l1", "outline", seconds_ago=100, view="tab")
    leave(client, timed_app, "m1-l1", "outline", seconds_ago=130, view="tab")  # left again 30 s later
    registration = courses.enrolment_for(learner, course).registration
    row = session.get(LessonProgress, (registration, "m1-l1"))
    assert about(row.time_spent_seconds, 130, posts=2)  # counted twice it would be 230
    counted = row.time_spent_seconds
    stale = leave(client, timed_app, "m1-l1", "next", seconds_ago=0, view="tab")  # an old copy of the page
    assert stale.status_code == 302
    session.expire_all()
    assert session.get(LessonProgress, (registration, "m1-l1")).time_spent_seconds == counted


def test_a_forged_stamp_counts_no_time(timed):
    _app, client, learner = timed
    course = make_course(modules=1, lessons_per_module=1)
    enrol(client)
    url = "/courses/test-course/lessons/m1-l1"
    token = CSRF_RE.search(client.get(url).get_data(as_text=True))
    forged = URLSafeTimedSerializer("not-the-secret", salt=SALT).dumps({"lesson": "m1-l1", "view": "x"})
    client.post(
        f"{url}/leave",
        data={"csrf_token": token.group(1) or token.group(2), "opened": forged, "action": "next"},
    )
    enrolment = courses.enrolment_for(learner, course)
    assert enrolment.time_spent_seconds == 0 and enrolment.completed_at is None


def test_a_package_may_turn_the_rule_off_for_its_course(timed):
    timed_app, client, learner = timed
    course = make_course(modules=1, lessons_per_module=1)
    version = course.current_version
    version.completion_rule = {**version.completion_rule, "min_time_ratio": 0}
    session.commit()
    enrol(client)
    leave(client, timed_app, "m1-l1", "next", seconds_ago=3)
    assert courses.enrolment_for(learner, course).completed_at is not None


def test_the_site_setting_zero_turns_the_rule_off(app):
    course = make_course(modules=1, lessons_per_module=1)
    learner = make_user()
    courses.enrol(learner, course)
    left = courses.leave_lesson(learner, course, courses.lessons_in_order(course)[0], 1, complete=True)
    assert left.completed and left.time.still_needed == 0


def test_a_page_shown_again_gets_a_fresh_stamp_only_for_an_enrolled_learner(timed):
    timed_app, client, _learner = timed
    make_course(modules=1, lessons_per_module=1)
    url = "/courses/test-course/lessons/m1-l1/opened"
    assert client.get(url).status_code == 403  # not enrolled yet
    enrol(client)
    reply = client.get(url)
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    fresh = reply.get_json()["opened"]
    assert read_stamp_seconds(timed_app, fresh, "m1-l1") == 0
    assert client.get("/courses/test-course/lessons/nope/opened").status_code == 404
    anonymous = timed_app.test_client()
    assert anonymous.get(url).status_code == 302


def test_a_beacon_gets_no_page_back(timed):
    timed_app, client, learner = timed
    course = make_course(modules=1, lessons_per_module=1)
    enrol(client)
    url = "/courses/test-course/lessons/m1-l1"
    token = CSRF_RE.search(client.get(url).get_data(as_text=True))
    data = {
        "csrf_token": token.group(1) or token.group(2),
        "opened": backdated_stamp(timed_app, "m1-l1", 30, "beacon-view"),
        "action": "outline",
    }
    reply = client.post(f"{url}/leave", data=data, headers={"Sec-Fetch-Dest": "empty"})
    assert reply.status_code == 204 and reply.data == b""
    assert about(courses.enrolment_for(learner, course).time_spent_seconds, 30, posts=1)


def read_stamp_seconds(app, stamp: str, key: str) -> int:
    from lms.courses.timing import read_stamp

    with app.test_request_context():
        return read_stamp(stamp, key).seconds
