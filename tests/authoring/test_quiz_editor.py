"""The quiz editor: quizzes made, set up and filled with every question type through the forms;
bad input refused with the checker's words and nothing written; stale saves refused."""

from __future__ import annotations

import html

import pytest
import yaml

from lms.accounts.models import Role
from lms.authoring import drafts
from lms.authoring.models import CourseOwner
from lms.extensions import session
from lms.packages.check import check_package
from tests.conftest import csrf_token, login, make_user, post_form

SLUG = "exec-digital-leadership"
BASE = f"/authoring/{SLUG}/quizzes"


@pytest.fixture
def author(client, owner):
    """The test client signed in as a trainer who owns the course."""
    assert login(client, owner.email).status_code == 302
    return client


def draft_of(course, owner):
    """The draft as the pages left it (made and committed if no page has opened it yet)."""
    session.expire_all()
    draft = drafts.draft_of(owner, course)
    session.commit()
    return draft


def quiz_data(course, owner, key="m1-quiz") -> dict:
    return yaml.safe_load(drafts.text(draft_of(course, owner), f"quizzes/{key}.yaml"))


def hidden(page: str, name: str) -> str:
    marker = f'name="{name}" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def page_revision(client, url: str) -> str:
    return hidden(client.get(url).get_data(as_text=True), "revision")


def save_question(client, kind: str, fields: dict, key: str = "m1-quiz", qid: str | None = None):
    """Open the question page and send its form as a browser would (one GET, one POST)."""
    url = f"{BASE}/{key}/questions/{qid}" if qid else f"{BASE}/{key}/questions/new?type={kind}"
    page = client.get(url).get_data(as_text=True)
    data = {"revision": hidden(page, "revision"), "csrf_token": hidden(page, "csrf_token"), "points": "2"}
    return client.post(url, data={**data, **fields})


def assert_package_passes(course, owner, tmp_path) -> None:
    folder = tmp_path / "package"
    drafts.write_to(draft_of(course, owner), folder)
    checked = check_package(folder)
    assert [str(p) for p in checked.problems if not p.is_warning] == []


def assert_refused(response, *words: str) -> str:
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, page[:2000]
    assert "ไม่ได้บันทึก" in page or "The quiz was not saved" in page
    for word in words:
        assert word in page, word
    return page


def row(prefix: str, index: int, text: str, **extra) -> dict:
    fields = {f"{prefix}-{index}-text": text}
    fields.update({f"{prefix}-{index}-{name}": value for name, value in extra.items()})
    return fields


def rows(prefix: str, *texts: str) -> dict:
    found: dict = {}
    for index, text in enumerate(texts):
        found.update(row(prefix, index, text))
    return found


TYPES = {
    "single_choice": (
        {
            **row("choices", 0, "ตัวเลือก ก", feedback="เพราะ ก"),
            **row("choices", 1, "ตัวเลือก ข"),
            "correct_row": "1",
        },
        {
            "choices": [
                {"id": "a", "text": "ตัวเลือก ก", "feedback": "เพราะ ก"},
                {"id": "b", "text": "ตัวเลือก ข"},
            ],
            "correct": "b",
        },
    ),
    "multiple_response": (
        {
            **rows("choices", "หนึ่ง", "สอง", "สาม"),
            "choices-0-correct": "y",
            "choices-2-correct": "y",
            "scoring": "partial",
        },
        {"correct": ["a", "c"], "scoring": "partial"},
    ),
    "true_false": ({"truth": "false"}, {"correct": False}),
    "fill_in": (
        {"accepted": "กรุงเทพมหานคร\r\n  กรุงเทพฯ \r\n\r\n", "case_sensitive": "y"},
        {"accepted": ["กรุงเทพมหานคร", "กรุงเทพฯ"], "case_sensitive": True},
    ),
    "numeric": ({"numeric_mode": "range", "low": "5", "high": "10.5"}, {"range": {"min": 5, "max": 10.5}}),
    "matching": (
        {
            **rows("sources", "แมว", "สุนัข"),
            **rows("targets", "เหมียว", "โฮ่ง", "จิ๊บ"),
            "sources-0-match": "0",
            "sources-1-match": "1",
        },
        {"correct": {"s1": "t1", "s2": "t2"}},
    ),
    "sequencing": (
        {**rows("items", "ตื่นนอน", "อาบน้ำ", "ไปทำงาน"), "items-1-id": "wash"},
        {
            "items": [
                {"id": "a", "text": "ตื่นนอน"},
                {"id": "wash", "text": "อาบน้ำ"},
                {"id": "b", "text": "ไปทำงาน"},
            ]
        },
    ),
}


@pytest.mark.parametrize("kind", list(TYPES))
def test_each_question_type_is_made_through_its_form(author, course, owner, kind, tmp_path):
    fields, expected = TYPES[kind]
    response = save_question(
        author, kind, {"prompt": "คำถาม **สำคัญ**\r\nบรรทัดสอง", "feedback": "อธิบาย", **fields}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"{BASE}/m1-quiz")
    question = quiz_data(course, owner)["questions"][-1]
    assert question["id"] == "q8"
    assert question["type"] == kind
    assert question["prompt"] == "คำถาม **สำคัญ**\nบรรทัดสอง"
    assert question["points"] == 2
    assert question["feedback"] == "อธิบาย"
    for name, value in expected.items():
        assert question[name] == value, name
    assert_package_passes(course, owner, tmp_path)
    page = author.get(f"{BASE}/m1-quiz/questions/q8").get_data(as_text=True)
    assert "คำถาม **สำคัญ**" in page


def test_an_edited_question_keeps_its_place_and_what_the_trainer_left_alone(author, course, owner, tmp_path):
    before = quiz_data(course, owner)["questions"]
    url = f"{BASE}/m1-quiz/questions/q1"
    page = author.get(url).get_data(as_text=True)
    assert before[0]["choices"][0]["text"][:20] in page
    fields = {
        "prompt": "คำถามใหม่",
        "revision": page_revision(author, url),
        "points": "1.5",
        "question_id": "q1",
    }
    for index, choice in enumerate(before[0]["choices"]):
        fields.update(
            row("choices", index, choice["text"], id=choice["id"], feedback=choice.get("feedback", ""))
        )
        if choice["id"] == before[0]["correct"]:
            fields["correct_row"] = str(index)
    assert post_form(author, url, fields).status_code == 302
    after = quiz_data(course, owner)["questions"]
    assert after[0]["prompt"] == "คำถามใหม่"
    assert after[0]["points"] == 1.5
    assert after[0]["choices"] == before[0]["choices"]
    assert after[0]["correct"] == before[0]["correct"]
    assert after[1:] == before[1:]
    assert_package_passes(course, owner, tmp_path)


BAD_QUESTIONS = [
    ("single_choice", {**rows("choices", "ก", "ข")}, "required field 'correct' is missing"),
    ("multiple_response", {**rows("choices", "ก", "ข"), "scoring": "partial"}, "must list at least 1 item"),
    ("numeric", {"numeric_mode": "range", "low": "10", "high": "5"}, "min (10) is greater than max (5)"),
    (
        "matching",
        {**rows("sources", "ก", "ข"), **rows("targets", "1", "2"), "sources-0-match": "0"},
        "source 's2' has no target",
    ),
    ("single_choice", {**rows("choices", "ก"), "correct_row": "0"}, "must list at least 2 items"),
    ("sequencing", {**rows("items", "ก")}, "must list at least 2 items"),
    ("true_false", {"truth": "true", "prompt": "   "}, "prompt: must not be empty"),
    ("true_false", {"truth": "true", "points": "0"}, "0 is out of range; it must be more than 0"),
    (
        "single_choice",
        {**row("choices", 0, "ก", id="x"), **row("choices", 1, "ข", id="x"), "correct_row": "0"},
        "duplicate choice id 'x'",
    ),
    ("true_false", {"truth": "true", "question_id": "q1"}, "duplicate question id 'q1'"),
    ("fill_in", {"accepted": "\r\n  \r\n", "case_sensitive": ""}, "must list at least 1 item"),
]


@pytest.mark.parametrize(("kind", "fields", "message"), BAD_QUESTIONS)
def test_a_bad_question_is_refused_with_the_checkers_words_and_nothing_is_written(
    author, course, owner, kind, fields, message
):
    path = "quizzes/m1-quiz.yaml"
    before = drafts.text(draft_of(course, owner), path), drafts.revision(draft_of(course, owner), path)
    response = save_question(author, kind, {"prompt": "คำถาม", **fields})
    assert_refused(response, message)
    assert (
        drafts.text(draft_of(course, owner), path),
        drafts.revision(draft_of(course, owner), path),
    ) == before


def test_points_written_as_text_are_refused_in_thai(author, course, owner):
    before = quiz_data(course, owner)
    response = save_question(author, "true_false", {"prompt": "คำถาม", "truth": "true", "points": "หนึ่ง"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "โปรดเขียนเป็นตัวเลขอารบิก 0-9" in page
    assert quiz_data(course, owner) == before


def test_a_question_page_for_an_unknown_type_or_question_is_not_found(author, course):
    assert author.get(f"{BASE}/m1-quiz/questions/new?type=essay").status_code == 404
    assert author.get(f"{BASE}/m1-quiz/questions/nope").status_code == 404
    assert author.get(f"{BASE}/nope").status_code == 404


def settings(client, **changes):
    url = f"{BASE}/m1-quiz"
    data = {
        "title_th": "แบบทดสอบ",
        "title_en": "Quiz",
        "pass_mark": "70",
        "attempts": "3",
        "time_limit": "",
        "shuffle_questions": "y",
        "draw": "5",
        "show_feedback": "after_pass_or_last_attempt",
        "attempt_counts": "best",
        "revision": page_revision(client, url),
        **changes,
    }
    return post_form(client, url, {k: v for k, v in data.items() if v is not None})


def test_the_settings_are_saved_as_the_trainer_set_them(author, course, owner, tmp_path):
    response = settings(author, attempts="", unlimited="y", time_limit="30", attempt_counts="last")
    assert response.status_code == 302, response.get_data(as_text=True)
    data = quiz_data(course, owner)
    assert data["title"] == {"th": "แบบทดสอบ", "en": "Quiz"}
    assert data["attempts"] == "unlimited"
    assert data["time_limit_minutes"] == 30
    assert data["shuffle_questions"] is True
    assert data["shuffle_choices"] is False
    assert data["draw"] == 5
    assert data["attempt_counts"] == "last"
    assert len(data["questions"]) == 7
    assert_package_passes(course, owner, tmp_path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pass_mark": "101"}, "101 is out of range; it must be at most 100"),
        ({"attempts": "0"}, "attempts: 0 is not valid"),
        ({"draw": "50"}, "draw is 50 but the pool has only 7 question(s)"),
        ({"title_en": " "}, "title.en: must not be empty"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(author, course, owner, changes, message):
    before = quiz_data(course, owner)
    assert_refused(settings(author, **changes), message)
    assert quiz_data(course, owner) == before


def test_a_stale_save_is_refused_and_keeps_what_the_trainer_typed(app, author, course, owner):
    url = f"{BASE}/m1-quiz/questions/new?type=true_false"
    opened = page_revision(author, url)
    other = make_user(Role.TRAINER)
    session.add(CourseOwner(course_id=course.id, user_id=other.id))
    draft = draft_of(course, owner)
    path = "quizzes/m1-quiz.yaml"
    drafts.save_text(
        draft, other, path, drafts.text(draft, path).replace("pass_mark: 70", "pass_mark: 80"), int(opened)
    )
    session.commit()
    response = post_form(
        author, url, {"revision": opened, "prompt": "คำถามของฉัน", "points": "1", "truth": "true"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "คำถามของฉัน" in page
    assert "quizzes/m1-quiz.yaml" in page
    if "lms.authoring.file_changes" in app.view_functions:
        assert f"since={opened}" in page
    data = quiz_data(course, owner)
    assert data["pass_mark"] == 80
    assert len(data["questions"]) == 7


def question_ids(course, owner) -> list[str]:
    return [q["id"] for q in quiz_data(course, owner)["questions"]]


def button(client, action: str, qid: str, **fields):
    url = f"{BASE}/m1-quiz/questions/{qid}/{action}"
    data = {"revision": page_revision(client, f"{BASE}/m1-quiz"), **fields}
    return post_form(client, url, data, page=f"{BASE}/m1-quiz")


def test_questions_move_up_and_down_and_are_deleted(author, course, owner):
    start = question_ids(course, owner)
    assert button(author, "move", start[1], step="up").status_code == 302
    assert question_ids(course, owner) == [start[1], start[0], *start[2:]]
    assert button(author, "move", start[1], step="down").status_code == 302
    assert question_ids(course, owner) == start
    assert button(author, "delete", start[0]).status_code == 302
    assert question_ids(course, owner) == start[1:]
    page = author.get(f"{BASE}/m1-quiz").get_data(as_text=True)
    assert f'id="question-{start[0]}"' not in page


def test_a_button_from_an_old_page_does_nothing(author, course, owner):
    start = question_ids(course, owner)
    old = page_revision(author, f"{BASE}/m1-quiz")
    assert button(author, "move", start[1], step="up").status_code == 302
    response = post_form(
        author, f"{BASE}/m1-quiz/questions/{start[0]}/delete", {"revision": old}, page=f"{BASE}/m1-quiz"
    )
    assert response.status_code == 302
    assert question_ids(course, owner) == [start[1], start[0], *start[2:]]
    assert "flash-error" in author.get(f"{BASE}/m1-quiz").get_data(as_text=True)


def course_data(course, owner) -> dict:
    return yaml.safe_load(drafts.text(draft_of(course, owner), "course.yaml"))


def course_revision(client) -> str:
    page = client.get(BASE).get_data(as_text=True)
    marker = 'name="course_revision" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_quiz_is_detached_deleted_and_made_anew_for_a_module(author, course, owner, tmp_path):
    detach_m1(author)
    assert "quiz" not in course_data(course, owner)["modules"][0]
    listing = author.get(BASE).get_data(as_text=True)
    assert f"{BASE}/m1-quiz/delete" in listing
    revision = str(drafts.revision(draft_of(course, owner), "quizzes/m1-quiz.yaml"))
    assert post_form(author, f"{BASE}/m1-quiz/delete", {"revision": revision}, page=BASE).status_code == 302
    assert "quizzes/m1-quiz.yaml" not in drafts.files(draft_of(course, owner))

    fields = {
        "module": "m1",
        "quiz_id": "m1-check",
        "title_th": "แบบทดสอบใหม่",
        "title_en": "New quiz",
        "course_revision": course_revision(author),
    }
    response = post_form(author, f"{BASE}/new", fields, page=BASE)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"{BASE}/m1-check")
    assert course_data(course, owner)["modules"][0]["quiz"] == "m1-check"
    data = quiz_data(course, owner, "m1-check")
    assert data["title"] == {"th": "แบบทดสอบใหม่", "en": "New quiz"}
    assert (data["pass_mark"], data["attempts"], data["time_limit_minutes"], data["draw"]) == (
        70,
        3,
        None,
        None,
    )
    assert (data["shuffle_questions"], data["shuffle_choices"], data["attempt_counts"]) == (
        True,
        True,
        "best",
    )
    assert data["questions"] == []
    response = save_question(author, "true_false", {"prompt": "ถูกหรือผิด", "truth": "true"}, key="m1-check")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert_package_passes(course, owner, tmp_path)


def test_a_quiz_a_module_uses_is_not_deleted(author, course, owner):
    revision = str(drafts.revision(draft_of(course, owner), "quizzes/m2-quiz.yaml"))
    response = post_form(author, f"{BASE}/m2-quiz/delete", {"revision": revision}, page=BASE)
    assert response.status_code == 302
    assert "quizzes/m2-quiz.yaml" in drafts.files(draft_of(course, owner))
    assert "m2" in author.get(BASE).get_data(as_text=True)


def detach_m1(client) -> None:
    data = {"module": "m1", "course_revision": course_revision(client)}
    assert post_form(client, f"{BASE}/detach", data, page=BASE).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"module": "m2", "quiz_id": "m2-other"}, "หน่วยการเรียน m2 มีแบบทดสอบ m2-quiz อยู่แล้ว"),
        ({"module": "m1", "quiz_id": "Bad Id"}, "id: 'Bad Id' is not valid"),
        ({"module": "m1", "quiz_id": "m2-quiz"}, "มีแบบทดสอบ m2-quiz อยู่แล้ว โปรดใช้รหัสอื่น"),
        ({"module": "m1", "quiz_id": ""}, "โปรดตั้งรหัสแบบทดสอบ"),
        ({"module": "m1", "quiz_id": "m1-new", "title_th": ""}, "title.th: must not be empty"),
    ],
)
def test_a_bad_new_quiz_is_refused_and_nothing_is_written(author, course, owner, fields, message):
    detach_m1(author)
    before = drafts.snapshot(draft_of(course, owner))
    data = {"title_th": "ใหม่", "title_en": "New", "course_revision": course_revision(author), **fields}
    response = post_form(author, f"{BASE}/new", data, page=BASE)
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert drafts.snapshot(draft_of(course, owner)) == before


@pytest.mark.parametrize("role", ["learner", "hr", "trainer"])
def test_people_who_do_not_own_the_course_are_refused(client, course, owner, role):
    person = make_user(Role(role))
    assert login(client, person.email).status_code == 302
    for url in (BASE, f"{BASE}/m1-quiz", f"{BASE}/m1-quiz/questions/q1"):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/")
    response = client.post(f"{BASE}/m1-quiz/questions/q1/delete", data={"csrf_token": token, "revision": "1"})
    assert response.status_code == 403


def test_an_administrator_may_edit_every_course(client, course, owner, tmp_path):
    admin = make_user(Role.ADMIN)
    assert login(client, admin.email).status_code == 302
    assert client.get(BASE).status_code == 200
    response = save_question(client, "true_false", {"prompt": "ผู้ดูแล", "truth": "false"})
    assert response.status_code == 302
    assert quiz_data(course, owner)["questions"][-1]["prompt"] == "ผู้ดูแล"


def test_a_form_without_a_readable_revision_is_refused_in_thai(author, course, owner):
    before = quiz_data(course, owner)
    response = settings(author, revision="abc")
    assert response.status_code == 400
    assert "หน้านี้ไม่เป็นปัจจุบันแล้ว" in response.get_data(as_text=True)
    assert quiz_data(course, owner) == before


def test_the_new_quiz_form_offers_a_module_without_a_quiz(author, course, owner):
    detach_m1(author)
    page = author.get(BASE).get_data(as_text=True)
    assert '<option selected value="m1">m1 · ' in page
