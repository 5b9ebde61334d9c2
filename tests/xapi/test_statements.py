"""The statements an LRS receives, and what the learner's record shows of them: question ids
across course versions, the certificate's 'earned' statement (no verification code, no name),
the module's parent, unanswered questions, the page view, and voided statements."""

import json
import re
import uuid

import pytest
from flask import current_app
from sqlalchemy import select

from lms.accounts.models import Role
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import QuizOutcome
from lms.quizzes import service as quizzes
from lms.xapi.models import StoredStatement
from lms.xapi.voiding import void_statement
from tests.conftest import login, make_course, make_user, post_form

ADL = "http://adlnet.gov/expapi/verbs/"
EARNED = "http://id.tincanapi.com/verb/earned"


def ledger(verb_iri: str | None = None) -> list[dict]:
    rows = select(StoredStatement).order_by(StoredStatement.seq)
    if verb_iri:
        rows = rows.where(StoredStatement.verb_id == verb_iri)
    return [json.loads(row.raw) for row in session.scalars(rows)]


def base() -> str:
    return current_app.config["LMS_BASE_URL"]


def finish(learner, course) -> None:
    courses.enrol(learner, course)
    for lesson in courses.lessons_in_order(course):
        courses.leave_lesson(learner, course, lesson, 600, complete=True)
    session.commit()


# --- question ids across course versions -------------------------------------------------

CHOICES = [{"id": "a", "text": "ตัวเลือก ก"}, {"id": "b", "text": "ตัวเลือก ข"}]
V1_QUESTIONS = [
    {
        "id": "same",
        "type": "single_choice",
        "prompt": "ข้อใดถูก",
        "points": 1,
        "choices": CHOICES,
        "correct": "b",
    },
    {
        "id": "answer",
        "type": "single_choice",
        "prompt": "หน่วยงานใด",
        "points": 1,
        "choices": CHOICES,
        "correct": "a",
    },
    {
        "id": "choices",
        "type": "single_choice",
        "prompt": "เลือกหนึ่งข้อ",
        "points": 1,
        "choices": CHOICES,
        "correct": "a",
    },
    {
        "id": "prompt",
        "type": "fill_in",
        "prompt": "เมืองหลวงของไทย",
        "points": 1,
        "accepted": ["กรุงเทพมหานคร"],
        "case_sensitive": False,
    },
]
V2_QUESTIONS = [
    # the same question for xAPI: only its points and feedback (not part of its definition) change
    {**V1_QUESTIONS[0], "points": 2, "feedback": "คำอธิบายใหม่"},
    {**V1_QUESTIONS[1], "correct": "b"},
    {**V1_QUESTIONS[2], "choices": [CHOICES[0], {"id": "b", "text": "ตัวเลือก ข (แก้ไข)"}]},
    {**V1_QUESTIONS[3], "prompt": "เมืองหลวงของประเทศไทยคือ"},
]
ANSWERS = {"q.same": ["b"], "q.answer": ["a"], "q.choices": ["a"], "q.prompt": ["กรุงเทพมหานคร"]}


def take_quiz(learner, course) -> dict[str, dict]:
    """Answer every question of the course's quiz; its 'answered' statements by question id."""
    courses.enrol(learner, course)
    ctx = quizzes.find_quiz(course, "m1-quiz")
    attempt = quizzes.start(learner, ctx)
    quizzes.submit(learner, ctx, attempt, ANSWERS, attempt.revision)
    session.commit()
    mine = [s for s in ledger(ADL + "answered") if s["actor"]["account"]["name"] == learner.uuid]
    return {s["object"]["id"].split("/questions/")[1].split("/")[0]: s for s in mine}


def test_a_question_keeps_its_id_unless_its_definition_changes_in_a_new_version(app):
    course = make_course(
        modules=1, lessons_per_module=1, quizzes=True, quiz_settings={"questions": V1_QUESTIONS}
    )
    first = take_quiz(make_user(email="v1@example.org"), course)
    make_course(number=2, course=course, quizzes=True, quiz_settings={"questions": V2_QUESTIONS})
    assert course.current_version.number == 2
    second = take_quiz(make_user(email="v2@example.org"), course)

    quiz_iri = f"{base()}/xapi/activities/courses/test-course/quizzes/m1-quiz"
    for answered in (first, second):
        assert set(answered) == {"same", "answer", "choices", "prompt"}
        for qid, statement in answered.items():
            assert re.fullmatch(
                rf"{re.escape(quiz_iri)}/questions/{qid}/[0-9a-f]{{12}}", statement["object"]["id"]
            )
    ids = {qid: (first[qid]["object"]["id"], second[qid]["object"]["id"]) for qid in first}
    assert ids["same"][0] == ids["same"][1]
    assert ids["answer"][0] != ids["answer"][1]
    assert ids["choices"][0] != ids["choices"][1]
    assert ids["prompt"][0] != ids["prompt"][1]
    # what the new ids describe is the new version's question
    assert second["answer"]["object"]["definition"]["correctResponsesPattern"] == ["b"]
    assert second["choices"]["object"]["definition"]["choices"][1]["description"] == {
        "th-TH": "ตัวเลือก ข (แก้ไข)"
    }
    assert second["prompt"]["object"]["definition"]["description"] == {"th-TH": "เมืองหลวงของประเทศไทยคือ"}
    # An LRS keeps the first definition it sees for an id: every id has exactly one.
    definitions: dict[str, set[str]] = {}
    for statement in ledger(ADL + "answered"):
        definition = json.dumps(statement["object"]["definition"], sort_keys=True, ensure_ascii=False)
        definitions.setdefault(statement["object"]["id"], set()).add(definition)
    assert len(definitions) == 7 and all(len(found) == 1 for found in definitions.values())


# --- the certificate's 'earned' statement ---------------------------------------------------


def test_earned_names_the_certificate_by_serial_and_gives_away_no_code_nor_name(app, client):
    course = make_course("cert-course", modules=1, lessons_per_module=1)
    learner = make_user(
        email="somying.j@example.org",
        first_name_th="สมหญิง",
        last_name_th="ใจดีเสมอ",
        first_name_en="Somying",
        last_name_en="Jaideesamoe",
    )
    finish(learner, course)
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    (earned,) = ledger(EARNED)
    raw = session.scalar(select(StoredStatement.raw).where(StoredStatement.id == earned["id"]))

    assert earned["object"]["id"] == f"{base()}/xapi/activities/certificates/{certificate.serial}"
    assert earned["object"]["definition"]["type"] == f"{base()}/xapi/activity-types/certificate"
    assert set(earned["object"]["definition"]["name"]) == {"th-TH", "en-US"}
    assert earned["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": f"{base()}/xapi/activities/courses/cert-course"}
    ]
    assert "result" not in earned
    assert earned["actor"]["account"] == {"homePage": base(), "name": learner.uuid}

    secrets_ = [
        certificate.verification_code,
        f"/verify/{certificate.serial}?",
        "?c=",
        "สมหญิง",
        "ใจดีเสมอ",
        "Somying",
        "Jaideesamoe",
        "somying",
    ]
    for secret in secrets_:
        assert secret.lower() not in raw.lower(), secret
    # Whatever an LRS (not signed in) could fetch from the statement's IRIs, or from the
    # serial it names, shows neither the code nor the learner's name.
    ours = {value for value in re.findall(r'"(https?://[^"]+)"', raw) if value.startswith(base())}
    paths = {iri[len(base()) :] or "/" for iri in ours}
    paths |= {f"/verify/{certificate.serial}", f"/verify/{certificate.serial}.json"}
    for path in sorted(paths):
        response = client.get(path, follow_redirects=True)
        body = response.get_data(as_text=True).lower()
        for secret in secrets_[:1] + secrets_[3:]:
            assert secret.lower() not in body, (path, secret)
    # (the probe would see it: with the code, the verification page does show the name)
    with_code = client.get(f"/verify/{certificate.serial}?c={certificate.verification_code}")
    assert "สมหญิง" in with_code.get_data(as_text=True)


# --- module completed -----------------------------------------------------------------------


def test_a_modules_completion_has_the_course_as_parent_and_grouping(app):
    course = make_course("two-modules", modules=2, lessons_per_module=1)
    finish(make_user(), course)
    course_iri = ledger(ADL + "registered")[0]["object"]["id"]
    modules = [s for s in ledger(ADL + "completed") if "/modules/" in s["object"]["id"]]
    assert [s["object"]["id"].rsplit("/", 1)[1] for s in modules] == ["m1", "m2"]
    for statement in modules:
        activities = statement["context"]["contextActivities"]
        assert activities["parent"] == [{"objectType": "Activity", "id": course_iri}]
        assert activities["grouping"] == [{"objectType": "Activity", "id": course_iri}]


# --- a question left empty ------------------------------------------------------------------

QUIZ = "/courses/test-course/quizzes/m1-quiz"


def test_a_question_left_empty_has_no_answered_statement_and_counts_zero(app, client):
    make_course(modules=1, lessons_per_module=1, quizzes=True)  # q1 (1 point), q2 (1), q3 (2)
    learner = make_user(email="empty@example.org")
    login(client, learner.email)
    post_form(client, "/courses/test-course/enrol", page="/courses/test-course")
    attempt_url = post_form(client, f"{QUIZ}/start", page=QUIZ).location
    page = client.get(attempt_url).get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    # as a browser sends it: q1 answered, q2 (radio buttons) not sent, q3 (a text box) blank
    form = {"q.q1": "b", "q.q3": " \u200b ", "revision": revision}
    response = post_form(client, f"{attempt_url}/submit", form, page=attempt_url)
    assert response.status_code in (200, 302), response.get_data(as_text=True)

    answered = ledger(ADL + "answered")
    assert [s["object"]["id"].split("/questions/")[1].split("/")[0] for s in answered] == ["q1"]
    assert answered[0]["result"]["response"] == "b" and answered[0]["result"]["success"] is True
    (failed,) = ledger(ADL + "failed")
    assert failed["result"]["score"] == {"scaled": 0.25, "raw": 1.0, "min": 0, "max": 4.0}
    assert failed["result"]["success"] is False
    outcome = session.scalar(select(QuizOutcome))
    assert (outcome.earned, outcome.possible, outcome.is_passed) == (1.0, 4.0, False)


# --- the page view --------------------------------------------------------------------------


def test_a_page_view_reported_twice_sends_its_time_once(app):
    course = make_course(modules=1, lessons_per_module=1)
    learner = make_user()
    courses.enrol(learner, course)
    lesson = courses.lessons_in_order(course)[0]
    view, other = str(uuid.uuid4()), str(uuid.uuid4())
    courses.leave_lesson(learner, course, lesson, 40, view=view, complete=False)
    courses.leave_lesson(learner, course, lesson, 95, view=view, complete=False)  # same page, 55 s later
    courses.leave_lesson(learner, course, lesson, 20, view=other, complete=False)
    courses.leave_lesson(learner, course, lesson, 30, complete=False)  # no valid stamp
    session.commit()
    extension = f"{base()}/xapi/extensions/page-view"
    sent = [
        ((s["context"].get("extensions") or {}).get(extension), s["result"]["duration"])
        for s in ledger(ADL + "experienced")
    ]
    assert sent == [(view, "PT40S"), (view, "PT55S"), (other, "PT20S"), (None, "PT30S")]


# --- "My learning record" -------------------------------------------------------------------


def record_rows(client) -> list[tuple[str, str, str]]:
    """The record page's rows: (the row's class, the "What" cell, the "Activity" cell)."""
    page = client.get("/learning/record").get_data(as_text=True)
    rows = re.findall(
        r"<tr( class=\"voided\")?>\s*<td>.*?</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, re.S
    )
    return [(voided.strip(), text(what), text(activity)) for voided, what, activity in rows]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@pytest.fixture
def certified(app, client):
    """A learner signed in on the client, who completed a course and got its certificate."""
    course = make_course("rec-course", modules=1, lessons_per_module=1)
    learner = make_user(email="record@example.org")
    finish(learner, course)
    login(client, learner.email)
    return learner


def test_my_record_names_the_certificate_in_thai_and_in_english(certified, client):
    thai = [row for row in record_rows(client) if row[2] == "เกียรติบัตร หลักสูตร rec-course"]
    assert [what for _v, what, _a in thai] == ["ได้รับเกียรติบัตร"]
    post_form(client, "/language/en", {"next": "/learning/record"}, page="/learning/record")
    english = [row for row in record_rows(client) if row[2] == "Certificate: Course rec-course"]
    assert [what for _v, what, _a in english] == ["Earned a certificate"]
    assert all(what.lower() != "earned" for _v, what, _a in record_rows(client))


def test_my_record_marks_what_an_administrator_voided(certified, client):
    completion = next(
        s for s in ledger(ADL + "completed") if s["object"]["id"].endswith("/courses/rec-course")
    )
    (earned,) = ledger(EARNED)
    assert not any(voided for voided, _w, _a in record_rows(client))
    void_statement(completion["id"], "Completed on another learner's account", make_user(Role.ADMIN))
    session.commit()

    rows = record_rows(client)
    voided = [(what, activity) for mark, what, activity in rows if mark]
    assert sorted(voided) == sorted(
        [
            ("เรียนจบแล้ว ถูกยกเลิก", "หลักสูตร rec-course"),
            ("ได้รับเกียรติบัตร ถูกยกเลิก", "เกียรติบัตร หลักสูตร rec-course"),
        ]
    )
    entries = json.loads(client.get("/learning/record.json").get_data(as_text=True))
    marked = {entry["statement"]["id"] for entry in entries if entry["voided"] is True}
    assert marked == {completion["id"], earned["id"]}
    assert all(entry["voided"] is False for entry in entries if entry["statement"]["id"] not in marked)
    assert len(entries) == len(rows)
    # the voiding statements are the administrator's, not in the learner's record
    assert all(entry["statement"]["verb"]["id"] != ADL + "voided" for entry in entries)
