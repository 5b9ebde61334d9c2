"""Modules and lessons on the structure page: plain POST forms, each with the course.yaml revision."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.authoring import course_file, drafts, yaml_text
from lms.authoring.models import CourseOwner
from lms.content.models import Course
from lms.extensions import session
from lms.packages.check import check_package
from lms.packages.importer import import_package
from lms.packages.problems import errors
from tests.conftest import login, post_form, quiz_yaml

SLUG = "digital-basics"
PAGE = f"/authoring/{SLUG}/structure"
NEW = {
    "slug": SLUG,
    "title_th": "พื้นฐานดิจิทัล",
    "title_en": "Digital basics",
    "summary_th": "หลักสูตรพื้นฐาน",
    "summary_en": "A first course",
    "audience": ["general"],
    "hours": "2",
}


@pytest.fixture
def owner(client, users):
    """The client of the trainer who created the course (module m1 with lesson m1-l1)."""
    login(client, users["trainer"].email)
    assert post_form(client, "/authoring/new", NEW).status_code == 302
    return client


def draft():
    session.expire_all()
    course = session.scalar(select(Course).where(Course.slug == SLUG))
    return drafts.existing_draft(course)


def revision() -> int:
    return drafts.revision(draft(), "course.yaml")


def act(client, path: str, data: dict | None = None, at: int | None = None):
    form = {**(data or {}), "revision": str(revision() if at is None else at)}
    return post_form(client, f"{PAGE}/{path}", form, page=PAGE)


def layout() -> list[tuple[str, list[str]]]:
    data, _revision = course_file.read(draft())
    return [(m["id"], list(m["lessons"])) for m in data["modules"]]


def add_module(client, key: str, th: str = "โมดูลใหม่", en: str = "New module"):
    return act(client, "modules", {"key": key, "title_th": th, "title_en": en})


def add_lesson(client, module: str, key: str, minutes: str = "15", th: str = "บทใหม่", en: str = "New lesson"):
    return act(
        client, f"modules/{module}/lessons", {"key": key, "title_th": th, "title_en": en, "minutes": minutes}
    )


def move(client, kind: str, key: str, direction: str):
    return act(client, f"{kind}/{key}/move", {"direction": direction})


def test_a_typical_sequence_keeps_a_package_the_checker_accepts(owner, users, tmp_path):
    added = add_module(owner, "m2", "โมดูลที่สอง", "Second module")
    assert added.status_code == 302 and added.headers["Location"].endswith("#module-m2")
    assert add_lesson(owner, "m2", "m2-intro", "20", "แนะนำ", "Introduction").status_code == 302
    assert add_lesson(owner, "m1", "m1-more").status_code == 302
    assert (
        act(owner, "modules/m1/rename", {"title_th": "เริ่มต้น", "title_en": "Getting started"}).status_code
        == 302
    )
    assert move(owner, "modules", "m2", "up").status_code == 302
    assert layout() == [("m2", ["m2-intro"]), ("m1", ["m1-l1", "m1-more"])]
    meta, body = yaml_text.split_lesson(drafts.text(draft(), "lessons/m2-intro.md"))
    assert meta == {
        "id": "m2-intro",
        "title": {"th": "แนะนำ", "en": "Introduction"},
        "minutes": 20,
        "required": True,
    }
    assert body.strip()
    data, _revision = course_file.read(draft())
    assert data["modules"][1]["title"] == {"th": "เริ่มต้น", "en": "Getting started"}
    page = owner.get(PAGE).get_data(as_text=True)
    assert page.index("โมดูลที่สอง") < page.index("เริ่มต้น") and "แนะนำ" in page
    drafts.write_to(draft(), tmp_path)
    assert errors(check_package(tmp_path).problems) == []


def test_lessons_move_within_and_across_modules_without_javascript(owner):
    add_module(owner, "m2")
    add_lesson(owner, "m1", "m1-b")
    add_lesson(owner, "m2", "m2-a")
    assert move(owner, "lessons", "m1-l1", "down").status_code == 302
    assert layout() == [("m1", ["m1-b", "m1-l1"]), ("m2", ["m2-a"])]
    to_next = move(owner, "lessons", "m1-l1", "down")
    assert to_next.headers["Location"].endswith("#module-m2")
    assert layout() == [("m1", ["m1-b"]), ("m2", ["m1-l1", "m2-a"])]
    assert move(owner, "lessons", "m1-l1", "up").status_code == 302
    assert layout() == [("m1", ["m1-b", "m1-l1"]), ("m2", ["m2-a"])]
    assert move(owner, "modules", "m1", "down").status_code == 302
    assert layout() == [("m2", ["m2-a"]), ("m1", ["m1-b", "m1-l1"])]


def test_nothing_moves_past_the_ends(owner):
    add_module(owner, "m2")
    before = revision()
    for kind, key, direction in [
        ("lessons", "m1-l1", "up"),
        ("modules", "m1", "up"),
        ("modules", "m2", "down"),
    ]:
        response = move(owner, kind, key, direction)
        assert response.status_code == 400
        assert "ไปทางนั้นต่อไม่ได้แล้ว" in response.get_data(as_text=True)
    assert revision() == before


def test_deleting_a_lesson_removes_its_file_and_listing(owner):
    add_lesson(owner, "m1", "m1-b")
    response = act(owner, "lessons/m1-l1/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("#module-m1")
    assert layout() == [("m1", ["m1-b"])]
    assert drafts.text(draft(), "lessons/m1-l1.md") is None
    deleted = session.scalar(select(AuditEntry).where(AuditEntry.action == "authoring.file_deleted"))
    assert deleted.details["path"] == "lessons/m1-l1.md"


def test_deleting_a_module_deletes_its_lessons_and_keeps_its_quiz_file(owner, users):
    add_module(owner, "m2")
    add_lesson(owner, "m2", "m2-a")
    current = draft()
    drafts.save_text(current, users["trainer"], "quizzes/m2-quiz.yaml", quiz_yaml("m2-quiz"), 0)
    course_file.update(
        current,
        users["trainer"],
        revision(),
        lambda d: course_file.find_module(d, "m2").update(quiz="m2-quiz"),
    )
    session.commit()
    page = owner.get(PAGE).get_data(as_text=True)
    assert "m2-quiz" in page
    assert act(owner, "modules/m2/delete").status_code == 302
    assert layout() == [("m1", ["m1-l1"])]
    assert drafts.text(draft(), "lessons/m2-a.md") is None
    assert drafts.text(draft(), "quizzes/m2-quiz.yaml") == quiz_yaml("m2-quiz")


ID_RULE = "รหัสต้องประกอบด้วยอักษรภาษาอังกฤษตัวพิมพ์เล็ก"
ID_TAKEN = "ถูกใช้ในหลักสูตรนี้แล้ว"


BAD_INPUT = [
    ("modules", {"key": "M2", "title_th": "ก", "title_en": "A"}, ID_RULE),
    ("modules", {"key": "โมดูล", "title_th": "ก", "title_en": "A"}, ID_RULE),
    ("modules", {"key": "-m2", "title_th": "ก", "title_en": "A"}, ID_RULE),
    ("modules", {"key": "", "title_th": "ก", "title_en": "A"}, ID_RULE),
    ("modules", {"key": "m" * 101, "title_th": "ก", "title_en": "A"}, ID_RULE),
    ("modules", {"key": "m1", "title_th": "ก", "title_en": "A"}, ID_TAKEN),
    ("modules", {"key": "m1-l1", "title_th": "ก", "title_en": "A"}, ID_TAKEN),
    ("modules", {"key": "m2", "title_th": " ", "title_en": "A"}, "โปรดระบุชื่อทั้งภาษาไทยและภาษาอังกฤษ"),
    ("modules/m1/rename", {"title_th": "ก", "title_en": ""}, "โปรดระบุชื่อทั้งภาษาไทยและภาษาอังกฤษ"),
    ("modules/m1/rename", {"title_th": "ก" * 301, "title_en": "A"}, "ชื่อยาวได้ไม่เกิน 300 ตัวอักษร"),
    ("modules/m1/lessons", {"key": "m1", "title_th": "ก", "title_en": "A", "minutes": "5"}, ID_TAKEN),
    ("modules/m1/lessons", {"key": "m1-l1", "title_th": "ก", "title_en": "A", "minutes": "5"}, ID_TAKEN),
    ("modules/m1/lessons", {"key": "Bad id", "title_th": "ก", "title_en": "A", "minutes": "5"}, ID_RULE),
    ("modules/m1/lessons", {"key": "m1-b", "title_th": "", "title_en": "A", "minutes": "5"}, "โปรดระบุชื่อ"),
    (
        "modules/m1/lessons",
        {"key": "m1-b", "title_th": "ก", "title_en": "A", "minutes": "0"},
        "ตั้งแต่ 1 ถึง 10000",
    ),
    (
        "modules/m1/lessons",
        {"key": "m1-b", "title_th": "ก", "title_en": "A", "minutes": "10001"},
        "ตั้งแต่ 1 ถึง 10000",
    ),
    ("modules/m1/lessons", {"key": "m1-b", "title_th": "ก", "title_en": "A", "minutes": "สิบ"}, "0-9"),
    ("modules/m1/lessons", {"key": "m1-b", "title_th": "ก", "title_en": "A", "minutes": "๑๐"}, "0-9"),
    (
        "modules/m9/lessons",
        {"key": "m9-a", "title_th": "ก", "title_en": "A", "minutes": "5"},
        "ไม่มีโมดูล m9",
    ),
    ("lessons/nope/delete", {}, "ไม่มีบทเรียน nope"),
]


def test_bad_input_says_what_is_wrong_and_writes_nothing(owner):
    """One course for every case (each writes nothing, so none disturbs the next)."""
    before = drafts.snapshot(draft())
    for path, data, message in BAD_INPUT:
        response = act(owner, path, data)
        assert response.status_code == 400, (path, data)
        assert message in response.get_data(as_text=True), (path, data)
        assert drafts.snapshot(draft()) == before, (path, data)


def test_a_failed_form_keeps_what_was_typed(owner):
    response = add_lesson(owner, "m1", "m1-b", minutes="0", th="บทที่พิมพ์ไว้")
    page = response.get_data(as_text=True)
    assert 'value="บทที่พิมพ์ไว้"' in page and 'value="m1-b"' in page


def test_an_id_used_by_a_quiz_file_is_taken(owner, users):
    drafts.save_text(draft(), users["trainer"], "quizzes/final.yaml", quiz_yaml("final"), 0)
    session.commit()
    response = add_module(owner, "final")
    assert response.status_code == 400 and ID_TAKEN in response.get_data(as_text=True)


def test_a_change_from_a_stale_page_is_refused_with_the_message(owner):
    opened = revision()
    assert add_module(owner, "m2").status_code == 302
    before = drafts.snapshot(draft())
    response = act(
        owner,
        "modules/m1/lessons",
        {"key": "m1-b", "title_th": "ก", "title_en": "A", "minutes": "5"},
        at=opened,
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "flash-error" in page and "course.yaml" in page and "ยังไม่ได้บันทึก" in page
    assert f"/authoring/digital-basics/changes?path=course.yaml&amp;since={opened}" in page
    assert drafts.snapshot(draft()) == before


def test_an_administrator_may_change_any_course(owner, client, users):
    admin = client.application.test_client()
    login(admin, users["admin"].email)
    response = act(admin, "modules", {"key": "m2", "title_th": "ก", "title_en": "A"})
    assert response.status_code == 302
    assert [key for key, _lessons in layout()] == ["m1", "m2"]


def test_the_page_has_keyboard_buttons_in_plain_forms(owner):
    add_module(owner, "m2")
    page = owner.get(PAGE).get_data(as_text=True)
    assert 'id="module-m1"' in page and 'id="module-m2"' in page
    assert page.count('name="direction" value="down"') >= 2
    assert 'name="csrf_token"' in page and f'name="revision" value="{revision()}"' in page


def test_an_imported_course_round_trips_through_the_forms(client, users, tmp_path):
    course = import_package("content/exec-digital-leadership").course
    session.add(CourseOwner(course_id=course.id, user_id=users["trainer"].id))
    session.commit()
    login(client, users["trainer"].email)
    page_url = "/authoring/exec-digital-leadership/structure"
    listing = client.get("/authoring/").get_data(as_text=True)
    assert "exec-digital-leadership" in listing and "ไม่มีการแก้ไข" in listing
    page = client.get(page_url).get_data(as_text=True)
    assert "m1-quiz" in page and "m5-l3" in page

    def post(path, data=None):
        at = drafts.revision(drafts.existing_draft(course), "course.yaml")
        return post_form(client, f"{page_url}/{path}", {**(data or {}), "revision": str(at)}, page=page_url)

    assert post("lessons/m2-l1/move", {"direction": "up"}).status_code == 302
    assert post("modules/m5/move", {"direction": "up"}).status_code == 302
    lesson = {"key": "m3-extra", "title_th": "เพิ่มเติม", "title_en": "Extra", "minutes": "5"}
    assert post("modules/m3/lessons", lesson).status_code == 302
    assert post("lessons/m4-l2/delete").status_code == 302
    data, _revision = course_file.read(drafts.existing_draft(course))
    assert [m["id"] for m in data["modules"]] == ["m1", "m2", "m3", "m5", "m4"]
    assert data["modules"][0]["lessons"] == ["m1-l1", "m1-l2", "m1-l3", "m2-l1"]
    assert data["modules"][0]["quiz"] == "m1-quiz"
    drafts.write_to(drafts.existing_draft(course), tmp_path)
    assert errors(check_package(tmp_path).problems) == []
    assert "มีการแก้ไขที่ยังไม่เผยแพร่" in client.get("/authoring/").get_data(as_text=True)
