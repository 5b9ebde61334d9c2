"""The three insights pages, read by a course owner, against figures worked out by hand from
the seeded world (tests/insights/seed.py says who did what)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.content.models import Course
from lms.extensions import session
from lms.insights import items as service
from tests.conftest import login, shared_app
from tests.insights.pages import table
from tests.insights.seed import build

DASHBOARD = "/insights/flow"
LESSONS = "/insights/flow/lessons"
ITEMS = "/insights/quizzed/quizzes/m1-quiz"


@pytest.fixture(scope="module")
def world(database_url):
    with shared_app(database_url, build, LMS_LOGIN_RATE_LIMIT="1000 per minute") as (app, emails):
        yield app, emails


@pytest.fixture
def sign_in(world):
    app, emails = world

    def signed_in(who: str, language: str | None = None):
        client = app.test_client()
        if language:
            client.set_cookie("lms_lang", language)
        assert login(client, emails[who]).status_code == 302
        return client

    yield signed_in
    with app.app_context():
        session.remove()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# Permissions ----------------------------------------------------------------------------------

PAGES = [DASHBOARD, LESSONS, "/insights/quizzed", ITEMS, "/insights/quizzed/lessons"]
OWNS = {"flow_owner": ("/insights/flow",), "quiz_owner": ("/insights/quizzed",)}


@pytest.mark.parametrize("who", ["flow_owner", "quiz_owner", "other_owner", "learner", "hr", "admin"])
def test_only_the_owners_and_administrators_see_a_course(sign_in, who):
    client = sign_in(who)
    for url in PAGES:
        allowed = who == "admin" or url.startswith(OWNS.get(who, ("-",)))
        expected = 200 if allowed else 403
        assert client.get(url).status_code == expected, (who, url)


def test_a_visitor_is_sent_to_sign_in_and_unknown_courses_and_quizzes_are_not_found(world, sign_in):
    app, _emails = world
    response = app.test_client().get(DASHBOARD)
    assert response.status_code == 302 and "/login" in response.location
    client = sign_in("admin")
    assert client.get("/insights/no-such-course").status_code == 404
    assert client.get("/insights/quizzed/quizzes/no-such-quiz").status_code == 404
    assert client.get("/insights/flow/quizzes/m1-quiz").status_code == 404


def test_the_403_page_says_why(sign_in):
    text = sign_in("other_owner").get(DASHBOARD).get_data(as_text=True)
    assert "flow" in text


# Dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_counts_the_course_learners_by_staff_group_and_province(sign_in):
    text = page(sign_in("flow_owner"), DASHBOARD)
    # enrolled, not started, in progress, completed, overdue, completion
    groups = table(text, "staff-groups")
    assert groups["ทั้งหมด"] == ["5", "1", "3", "1", "2", "20.0%"]
    assert groups["ผู้บริหารระดับสูง"] == ["1", "0", "0", "1", "0", "100.0%"]
    assert groups["ผู้ปฏิบัติงานด้านเทคโนโลยีดิจิทัล"] == ["2", "0", "2", "0", "1", "0.0%"]
    assert groups["บุคลากรทั่วไป"] == ["2", "1", "1", "0", "1", "0.0%"]
    provinces = table(text, "provinces")
    assert provinces["กรุงเทพมหานคร"] == ["2", "0", "1", "1", "1", "50.0%"]
    assert provinces["เชียงใหม่"] == ["2", "1", "1", "0", "1", "0.0%"]
    assert provinces["ไม่ได้ระบุ"] == ["1", "0", "1", "0", "0", "0.0%"]
    assert len(provinces) == 4


def test_the_dashboard_names_groups_in_english_when_the_page_is_english(sign_in):
    text = page(sign_in("flow_owner", "en"), DASHBOARD)
    assert table(text, "provinces")["Chiang Mai"][0] == "2"
    assert table(text, "staff-groups")["Senior executive"][0] == "1"


def test_another_course_learners_never_appear(sign_in):
    text = page(sign_in("admin"), "/insights/other")
    assert table(text, "staff-groups")["ทั้งหมด"][:4] == ["1", "0", "0", "1"]
    quizzed = page(sign_in("quiz_owner"), "/insights/quizzed")
    assert table(quizzed, "staff-groups")["ทั้งหมด"][0] == "9"


# Lesson drop-off --------------------------------------------------------------------------------


def test_drop_off_counts_who_reached_and_who_stopped_with_median_times(sign_in):
    rows = table(page(sign_in("flow_owner"), LESSONS), "lessons")
    # reached, stopped, median minutes, estimate, median against estimate
    assert list(rows) == ["บทที่ 1.1", "บทที่ 1.2", "บทที่ 1.3"]
    # l1: 600, 300, 90, 200 -> (200 + 300) / 2 = 250 s (even count)
    assert rows["บทที่ 1.1"] == ["4", "1", "4.2", "10", "41.7%"]
    # l2: 600, 30, 90 -> 90 s (odd count)
    assert rows["บทที่ 1.2"] == ["3", "1", "1.5", "10", "15.0%"]
    # l3: 600, 40 -> 320 s
    assert rows["บทที่ 1.3"] == ["2", "1", "5.3", "10", "53.3%"]


# Quiz item analysis -----------------------------------------------------------------------------


def test_item_analysis_shares_and_discrimination_match_the_worked_example(sign_in):
    text = page(sign_in("quiz_owner"), ITEMS)
    items = {key.split(".")[0]: cells for key, cells in table(text, "items").items()}
    # answered, correct, upper correct, lower correct, discrimination, flags
    # Upper group L1, L2; lower group L7, L8 (module docstring of seed.py).
    assert items["q1"][:5] == ["8", "50.0%", "100.0%", "0.0%", "1.00"]
    assert items["q2"][:5] == ["8", "62.5%", "100.0%", "0.0%", "1.00"]
    assert items["q3"][:5] == ["8", "50.0%", "100.0%", "0.0%", "1.00"]
    assert items["q4"][:5] == ["8", "75.0%", "0.0%", "100.0%", "-1.00"]
    assert items["q5"][:5] == ["8", "100.0%", "100.0%", "100.0%", "0.00"]
    assert items["q6"][:5] == ["8", "0.0%", "0.0%", "0.0%", "0.00"]


def test_item_analysis_flags_what_is_worth_a_look(world):
    app, _emails = world
    with app.app_context():
        course = session.scalar(select(Course).where(Course.slug == "quizzed"))
        stats = {
            item.id: item for item in service.item_analysis(course, service.find_quiz(course, "m1-quiz"))
        }
        assert stats["q1"].flags == ["unpicked"]
        assert stats["q2"].flags == []
        assert stats["q3"].flags == ["unpicked"]
        assert stats["q4"].flags == ["negative"]
        assert stats["q5"].flags == ["easy", "low", "unpicked"]
        assert stats["q6"].flags == ["hard", "low", "unpicked"]
        session.remove()


def test_each_choice_share_is_shown(sign_in):
    text = page(sign_in("quiz_owner"), ITEMS)
    assert table(text, "choice-table-q1") == {
        "ตัวเลือก ก": ["4", "50.0%"],
        "ตัวเลือก ข (คำตอบที่ถูก)": ["4", "50.0%"],
        "ตัวเลือก ค": ["0", "0.0%"],
    }
    # multiple response: a share is of the answers, so they add up to more than 100%
    assert table(text, "choice-table-q3") == {
        "หนึ่ง (คำตอบที่ถูก)": ["7", "87.5%"],
        "สอง (คำตอบที่ถูก)": ["5", "62.5%"],
        "สาม": ["0", "0.0%"],
    }
    assert table(text, "choice-table-q2") == {"จริง": ["3", "37.5%"], "เท็จ (คำตอบที่ถูก)": ["5", "62.5%"]}
    assert "ตัวเลือกที่ไม่มีใครเลือก" in text
    assert "อำนาจจำแนก" in text
