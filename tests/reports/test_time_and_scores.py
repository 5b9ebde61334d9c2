"""Certified hours beside the time actually spent, and scores by each quiz's counted attempt, as
a scoped HR officer sees them: transcript (page, CSV, XLSX, API), "My transcript", and the
training-hours report (page, CSV, XLSX, API).

A small organisation of its own, built once per module on each database through the real
learning services (enrolment, lesson time, quiz attempts), every figure worked out by hand:

    W-IN   division; HR officer hr_w sees it (role hr only, scope W-IN)
    W-OUT  division, outside hr_w's scope

    lek (W-IN)   timed-course (3 certified hours): lesson 1 read 4,500 s, lesson 2 1,200 s,
                 completed now -> time spent 5,700 s = 1 h 35 min
                 counted-quizzes (2 h; m1-quiz counts the best attempt, m2-quiz the last):
                 lesson m1-l1 read 600 s (not completed); m1-quiz 100 % then 25 %;
                 m2-quiz 100 % then 50 %                       -> in progress, 10 min
                 best-everywhere (2 h; both quizzes count the best): m2-quiz 100 % then 50 %
    dao (W-IN)   nothing                                       -> 0 h, 0 min
    formula (W-IN) a name that starts with "=": never a formula in an export
    nok (W-OUT)  timed-course completed, lessons 300 s + 300 s  -> out of scope, never shown
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit, User
from lms.api import tokens
from lms.content.models import Course
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment, QuizOutcome
from lms.quizzes import service as quizzes
from lms.reports import service
from lms.reports.fiscal import current_fiscal_year
from tests.conftest import login, make_course, make_user, quiz_yaml, shared_app
from tests.reports.conftest import HALF, RIGHT, province_id
from tests.reports.test_exports import _start, _wait_until_ready

QUARTER = {"q.q1": ["b"], "q.q2": ["true"], "q.q3": ["เชียงใหม่"]}  # 1 of 4 points: 25 %
FORMULA_TH = "=SUM(1+1)"
FORMULA_EN = '=HYPERLINK("https://evil.example","click")'

# Worked out by hand (see the module docstring).
LEK_SECONDS = 4500 + 1200  # 5,700 s = 1 h 35 min
COUNTED_SCORE = (100 + 50) / 2  # m1-quiz best of (100, 25); m2-quiz last of (100, 50): 75
EVERY_ATTEMPT_SCORE = (100 + 25 + 100 + 50) / 4  # 68.75: what averaging every attempt gives
BEST_EVERYWHERE_SCORE = 100.0  # m2-quiz best of (100, 50)
TRANSCRIPT_AVERAGE = (100 + 50 + 100) / 3  # every counted quiz of every course once: 83.33


def _units() -> dict[str, int]:
    ids = {}
    for code, name_th, name_en in (
        ("W-IN", "กองใน", "Inside Division"),
        ("W-OUT", "กองนอก", "Outside Division"),
    ):
        unit = OrgUnit(code=code, name_th=name_th, name_en=name_en, kind="division", is_central=True)
        session.add(unit)
        session.flush()
        ids[code] = unit.id
    session.commit()
    return ids


def _person(key: str, unit_id: int, first_th: str, first_en: str | None = None) -> User:
    return make_user(
        email=f"{key}@example.org",
        first_name_th=first_th,
        last_name_th="ทดลอง",
        first_name_en=first_en or key.capitalize(),
        last_name_en="Tester",
        staff_group="practitioner",
        org_unit_id=unit_id,
        province_id=province_id("TH-10"),
    )


def _quiz_course(slug: str, rules: dict[str, str]):
    """A course of two modules (one lesson each), each with a quiz under its own rule."""
    course = make_course(slug, modules=2, lessons_per_module=1, quizzes=True)
    version = course.versions[0]
    version.package = {
        "files": {f"quizzes/{key}.yaml": quiz_yaml(key, attempt_counts=rule) for key, rule in rules.items()},
        "media": {},
    }
    # Quiz files are cached by content hash: this package's own.
    version.content_hash = hashlib.sha256(f"{slug} {rules} {uuid.uuid4()}".encode()).hexdigest()
    session.commit()
    return course


def _read(user: User, course, lesson_number: int, seconds: int, *, complete: bool) -> None:
    lesson = courses.lessons_in_order(course)[lesson_number]
    courses.leave_lesson(user, course, lesson, seconds, complete=complete)
    session.commit()


def _attempt(user: User, course, quiz_key: str, answers: dict) -> None:
    ctx = quizzes.find_quiz(course, quiz_key)
    attempt = quizzes.start(user, ctx)
    quizzes.submit(user, ctx, attempt, answers, attempt.revision)
    session.commit()


def _build() -> dict[str, str]:
    units = _units()
    lek = _person("lek", units["W-IN"], "เล็ก")
    dao = _person("dao", units["W-IN"], "ดาว")
    formula = _person("formula", units["W-IN"], FORMULA_TH, FORMULA_EN)
    nok = _person("nok", units["W-OUT"], "นก")
    hr = make_user("hr", email="hr_w@example.org", first_name_th="บุคคล", last_name_th="กองใน")
    accounts.set_scopes(hr, [units["W-IN"]], [])
    session.commit()

    timed = make_course("timed-course", modules=1, lessons_per_module=2)
    timed.versions[0].hours = 3
    session.commit()
    counted = _quiz_course("counted-quizzes", {"m1-quiz": "best", "m2-quiz": "last"})
    best = _quiz_course("best-everywhere", {"m1-quiz": "best", "m2-quiz": "best"})

    for learner, seconds in ((lek, (4500, 1200)), (nok, (300, 300))):
        courses.enrol(learner, timed)
        courses.launch(learner, timed)
        session.commit()
        _read(learner, timed, 0, seconds[0], complete=True)
        _read(learner, timed, 1, seconds[1], complete=True)

    courses.enrol(lek, counted)
    courses.launch(lek, counted)
    session.commit()
    _read(lek, counted, 0, 600, complete=False)
    for key, attempts in (("m1-quiz", (RIGHT, QUARTER)), ("m2-quiz", (RIGHT, HALF))):
        for answers in attempts:
            _attempt(lek, counted, key, answers)

    courses.enrol(lek, best)
    session.commit()
    for answers in (RIGHT, HALF):
        _attempt(lek, best, "m2-quiz", answers)
    people = {"lek": lek, "dao": dao, "formula": formula, "nok": nok, "hr_w": hr}
    return {key: user.uuid for key, user in people.items()}


@pytest.fixture(scope="module")
def world_built(database_url):
    with shared_app(database_url, _build, LMS_LOGIN_RATE_LIMIT="1000 per minute") as (app, uuids):
        yield app, uuids


@pytest.fixture
def world(world_built):
    app, uuids = world_built
    with app.app_context():
        yield app, uuids
        session.rollback()
        session.remove()


@pytest.fixture
def client_for(world):
    app, _uuids = world

    def signed_in(key: str, language: str | None = None):
        client = app.test_client()
        if language:
            client.set_cookie("lms_lang", language)
        assert login(client, f"{key}@example.org").status_code == 302
        return client

    return signed_in


@pytest.fixture
def api(world):
    """GET an API path with hr_w's token."""
    app, uuids = world
    _row, token = tokens.create_token(person(uuids["hr_w"]), "test hr_w")
    session.commit()
    client = app.test_client()

    def get(path: str, **params):
        return client.get(path, query_string=params or None, headers={"Authorization": f"Bearer {token}"})

    return get


def person(user_uuid: str) -> User:
    return session.scalar(select(User).where(User.uuid == user_uuid))


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return html.unescape(response.get_data(as_text=True))


def cell(text: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', text).group(1)


def table_rows(text: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">.*?</table>', text, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return load_workbook(io.BytesIO(response.data)).active


# Transcript ------------------------------------------------------------------------------------


def test_the_service_counts_each_quiz_by_its_rule_and_keeps_hours_apart_from_time(world):
    _app, uuids = world
    transcript = service.learner_transcript(person(uuids["hr_w"]), uuids["lek"])
    rows = {r.course_slug: r for r in transcript.rows}
    # The attempts are those the module docstring lists (the setup did what it says).
    attempts = session.execute(
        select(Course.slug, QuizOutcome.quiz_key, QuizOutcome.attempt_number, QuizOutcome.scaled)
        .join(Enrolment, Enrolment.registration == QuizOutcome.registration)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == person(uuids["lek"]).id)
        .order_by(Course.slug, QuizOutcome.quiz_key, QuizOutcome.attempt_number)
    ).all()
    assert [(slug, key, n, round(scaled * 100)) for slug, key, n, scaled in attempts] == [
        ("best-everywhere", "m2-quiz", 1, 100),
        ("best-everywhere", "m2-quiz", 2, 50),
        ("counted-quizzes", "m1-quiz", 1, 100),
        ("counted-quizzes", "m1-quiz", 2, 25),
        ("counted-quizzes", "m2-quiz", 1, 100),
        ("counted-quizzes", "m2-quiz", 2, 50),
    ]
    assert {slug: (r.hours, r.time_spent_seconds) for slug, r in rows.items()} == {
        "timed-course": (3.0, LEK_SECONDS),
        "counted-quizzes": (2.0, 600),
        "best-everywhere": (2.0, 0),
    }
    assert rows["counted-quizzes"].score == COUNTED_SCORE == 75.0
    assert rows["counted-quizzes"].score != EVERY_ATTEMPT_SCORE
    # Same quiz key as counted-quizzes' "last" quiz, but this course's rule is "best".
    assert rows["best-everywhere"].score == BEST_EVERYWHERE_SCORE
    assert rows["timed-course"].score is None
    assert transcript.average_score == pytest.approx(TRANSCRIPT_AVERAGE)
    # Totals: the completed course only (timed-course, completed now), in hours and in time.
    assert (transcript.hours_in_fiscal_year, transcript.time_spent_seconds_in_fiscal_year) == (3.0, 5700)
    assert (transcript.hours_total, transcript.time_spent_seconds_total) == (3.0, 5700)
    assert transcript.fiscal_year == current_fiscal_year()


def test_transcript_page_for_the_hr_officer_and_as_my_transcript(client_for, world):
    _app, uuids = world
    url = f"/reports/learners/{uuids['lek']}"
    english = page(client_for("hr_w", "en"), url)
    header, *rows = table_rows(english, "transcript")
    assert header[:3] == ["Course", "Certified hours", "Time spent"]
    by_course = {row[0]: row for row in rows}
    assert by_course["Course timed-course"][1:3] == ["3.0", "1 h 35 min"]
    assert by_course["Course counted-quizzes"][1:3] == ["2.0", "0 h 10 min"]
    assert by_course["Course counted-quizzes"][header.index("Score (percent)")] == "75.0"
    assert by_course["Course best-everywhere"][header.index("Score (percent)")] == "100.0"
    assert (cell(english, "hours-fy"), cell(english, "time-fy")) == ("3.0", "1 h 35 min")
    assert (cell(english, "hours-total"), cell(english, "time-total")) == ("3.0", "1 h 35 min")
    assert cell(english, "average-score") == "83.3"
    assert "Certified hours are the course's hours as its certificate states them" in english
    # Thai first: the default language.
    thai = page(client_for("hr_w"), url)
    thai_header, *thai_rows = table_rows(thai, "transcript")
    assert thai_header[:3] == ["หลักสูตร", "ชั่วโมงที่รับรอง", "เวลาที่ใช้เรียนจริง"]
    assert {row[0]: row[1:3] for row in thai_rows}["หลักสูตร timed-course"] == ["3.0", "1 ชั่วโมง 35 นาที"]
    assert cell(thai, "time-fy") == "1 ชั่วโมง 35 นาที"
    # The learner's own "My transcript" shows the same figures.
    learner = client_for("lek", "en")
    mine = learner.get("/reports/me")
    assert mine.status_code == 302 and mine.location.endswith(url)
    own = page(learner, url)
    assert cell(own, "time-fy") == "1 h 35 min" and cell(own, "average-score") == "83.3"


def test_transcript_downloads(client_for, world):
    _app, uuids = world
    client = client_for("hr_w", "en")
    rows = read_csv(client.get(f"/reports/learners/{uuids['lek']}.csv"))
    assert rows[0][:5] == ["Name", "Course", "Certified hours", "Time spent (h:mm)", "Status"]
    by_course = {r[1]: r for r in rows[1:]}
    assert by_course["Course timed-course"][2:4] == ["3.0", "1:35"]
    assert by_course["Course counted-quizzes"][2:4] == ["2.0", "0:10"]
    assert by_course["Course counted-quizzes"][rows[0].index("Score (percent)")] == "75.0"
    sheet = read_xlsx(client.get(f"/reports/learners/{uuids['lek']}.xlsx"))
    header, *values = list(sheet.iter_rows(values_only=True))
    assert header[2:4] == ("Certified hours", "Time spent (h:mm)")
    timed_row = next(i for i, r in enumerate(values, start=2) if r[1] == "Course timed-course")
    certified, spent = sheet.cell(timed_row, 3), sheet.cell(timed_row, 4)
    assert (certified.value, certified.data_type, certified.number_format) == (3.0, "n", "0.0")
    # A number of days formatted [h]:mm: openpyxl reads a number with a time format back as a
    # timedelta (a text cell would stay text).
    assert spent.value == timedelta(hours=1, minutes=35) and spent.number_format == "[h]:mm"


def test_an_hr_officer_cannot_open_a_transcript_outside_the_scope(client_for, api, world):
    _app, uuids = world
    client = client_for("hr_w", "en")
    for suffix in ("", ".csv", ".xlsx"):
        page(client, f"/reports/learners/{uuids['nok']}{suffix}", 404)
    assert api(f"/api/v1/reports/learners/{uuids['nok']}").status_code == 404


def test_transcript_in_the_api(api, world):
    _app, uuids = world
    body = api(f"/api/v1/reports/learners/{uuids['lek']}").get_json()
    rows = {row["course_slug"]: row for row in body["rows"]}
    assert (rows["timed-course"]["hours"], rows["timed-course"]["time_spent_seconds"]) == (3.0, 5700)
    assert rows["counted-quizzes"]["score"] == 75.0
    assert (body["hours_in_fiscal_year"], body["time_spent_seconds_in_fiscal_year"]) == (3.0, 5700)
    assert (body["hours_total"], body["time_spent_seconds_total"]) == (3.0, 5700)
    assert body["average_score"] == pytest.approx(TRANSCRIPT_AVERAGE)


# Training hours --------------------------------------------------------------------------------


def test_hours_page_shows_certified_hours_and_time_spent(client_for, world):
    _app, uuids = world
    text = page(client_for("hr_w", "en"), "/reports/hours")
    header, *rows = table_rows(text, "hours")
    assert header[4:7] == ["Courses completed", "Certified hours", "Time spent"]
    by_name = {row[0]: row for row in rows}
    # counted-quizzes (10 min) and best-everywhere are not completed: their time is not counted.
    assert by_name["Lek Tester"][4:7] == ["1", "3.0", "1 h 35 min"]
    assert by_name["Dao Tester"][4:7] == ["0", "0.0", "0 h 0 min"]
    assert "Nok Tester" not in text and uuids["nok"] not in text
    assert cell(text, "people") == "3"
    assert (cell(text, "total-hours"), cell(text, "total-time")) == ("3.0", "1 h 35 min")
    assert cell(text, "average-hours") == "1.0"  # 3 certified hours over 3 people
    thai = page(client_for("hr_w"), "/reports/hours")
    assert "ชั่วโมงที่รับรอง" in thai and cell(thai, "total-time") == "1 ชั่วโมง 35 นาที"
    # Sorting by time spent, longest first.
    longest = page(client_for("hr_w", "en"), "/reports/hours?sort=-time")
    assert table_rows(longest, "hours")[1][0] == "Lek Tester"


def test_hours_downloads(client_for):
    client = client_for("hr_w", "en")
    rows = read_csv(client.get("/reports/hours.csv"))
    assert rows[0][4:] == [
        "Courses completed",
        "Certified hours",
        "Time spent (h:mm)",
        "Target hours",
        "Target met",
    ]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Lek Tester", "Dao Tester", f"'{FORMULA_EN} Tester"}
    assert by_name["Lek Tester"][4:] == ["1", "3.0", "1:35", "12.0", "No"]
    assert by_name["Dao Tester"][4:] == ["0", "0.0", "0:00", "12.0", "No"]
    sheet = read_xlsx(client.get("/reports/hours.xlsx"))
    header, *values = list(sheet.iter_rows(values_only=True))
    assert header[5:7] == ("Certified hours", "Time spent (h:mm)")
    lek_row = next(i for i, r in enumerate(values, start=2) if r[0] == "Lek Tester")
    certified, spent = sheet.cell(lek_row, 6), sheet.cell(lek_row, 7)
    assert (certified.value, certified.data_type, certified.number_format) == (3.0, "n", "0.0")
    assert spent.value == timedelta(minutes=95) and spent.number_format == "[h]:mm"
    assert "Nok Tester" not in {r[0] for r in values}


def test_a_background_hours_export_keeps_the_typed_columns(client_for, world, tmp_path):
    app, _uuids = world
    keys = ("LMS_EXPORT_BACKGROUND_ROWS", "LMS_EXPORT_CHUNK_ROWS", "LMS_EXPORT_DIR")
    saved = {key: app.config[key] for key in keys}
    app.config.update(LMS_EXPORT_BACKGROUND_ROWS=1, LMS_EXPORT_CHUNK_ROWS=2, LMS_EXPORT_DIR=str(tmp_path))
    try:
        client = client_for("hr_w", "en")
        status_url = _start(client, "/reports/hours.xlsx")
        ready = _wait_until_ready(client, status_url)
        sheet = read_xlsx(client.get(re.search(r'id="download" href="([^"]+)"', ready).group(1)))
    finally:
        app.config.update(saved)
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"Lek Tester", "Dao Tester", f"'{FORMULA_EN} Tester"}
    lek = rows["Lek Tester"]
    assert (lek[5].value, lek[5].data_type) == (3.0, "n")
    assert lek[6].value == timedelta(minutes=95) and lek[6].number_format == "[h]:mm"
    assert rows[f"'{FORMULA_EN} Tester"][0].data_type == "s"


def test_names_that_look_like_formulas_stay_text(client_for):
    client = client_for("hr_w", "en")
    sheet = read_xlsx(client.get("/reports/hours.xlsx"))
    row = next(r for r in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(r[0].value))
    assert (row[0].value, row[0].data_type) == (f"'{FORMULA_EN} Tester", "s")
    thai = read_csv(client_for("hr_w").get("/reports/hours.csv"))
    assert f"'{FORMULA_TH} ทดลอง" in {r[0] for r in thai}


def test_hours_in_the_api(api):
    body = api("/api/v1/reports/hours", per_page=100).get_json()
    items = {item["name_en"]: item for item in body["items"]}
    assert set(items) == {"Lek Tester", "Dao Tester", f"{FORMULA_EN} Tester"}
    lek = items["Lek Tester"]
    assert (lek["courses"], lek["hours"], lek["time_spent_seconds"], lek["meets_target"]) == (
        1,
        3.0,
        5700,
        False,
    )
    assert items["Dao Tester"]["time_spent_seconds"] == 0
    summary = body["summary"]
    assert (summary["people"], summary["total_hours"], summary["total_time_spent_seconds"]) == (3, 3.0, 5700)
    assert summary["fiscal_year"] == current_fiscal_year()
    ordered = api("/api/v1/reports/hours", sort="-time").get_json()["items"]
    assert ordered[0]["name_en"] == "Lek Tester"


# Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("/reports/hours?sort=shoe-size", "shoe-size"),
        ("/reports/hours?fy=2026", "2026"),
        ("/reports/hours.csv?sort=seconds", "seconds"),
        ("/reports/hours.xlsx?from=1/10/2026", "1/10/2026"),
    ],
)
def test_bad_input_is_still_a_400(client_for, url, fragment):
    response = client_for("hr_w", "en").get(url)
    assert response.status_code == 400 and fragment in response.get_data(as_text=True)


def test_bad_input_to_the_api_is_still_a_400(api):
    for params, fragment in (({"sort": "minutes"}, "minutes"), ({"per_page": "0"}, "per_page")):
        response = api("/api/v1/reports/hours", **params)
        assert response.status_code == 400 and fragment in response.get_json()["error"]["message"]
