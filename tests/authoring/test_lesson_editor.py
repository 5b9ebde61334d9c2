"""The lesson editor: who may use it, saving, stale saves, the checker's problems and the
preview with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import Role
from lms.authoring import drafts
from lms.authoring.models import CourseOwner
from lms.extensions import session
from tests.conftest import csrf_token, login, make_user, post_form

LESSON = "lessons/m1-l1.md"
URL = "/authoring/exec-digital-leadership/lessons/m1-l1"


@pytest.fixture
def signed_in(client, owner):
    assert login(client, owner.email).status_code == 302
    return client


def lesson_form(body: str, **changes) -> dict:
    form = {
        "title_th": "บทนำรัฐบาลดิจิทัล",
        "title_en": "Digital government, an introduction",
        "minutes": "20",
        "required": "y",
        "body": body,
        "save": "Save",
    }
    form.update(changes)
    return form


def page_revision(page: str) -> str:
    match = re.search(
        r'name="revision" type="hidden" value="(\d+)"|type="hidden" name="revision" value="(\d+)"', page
    )
    assert match, "no revision on the page"
    return match.group(1) or match.group(2)


def saved_text(course) -> str:
    session.expire_all()
    return drafts.text(drafts.existing_draft(course), LESSON)


def test_the_owner_sees_the_lesson_in_the_form(signed_in):
    page = signed_in.get(URL).get_data(as_text=True)
    assert "ชื่อบทเรียน (ภาษาไทย)" in page
    assert "รัฐบาลดิจิทัลคืออะไร และเหตุใดจึงสำคัญ" in page
    assert "What digital government means and why it matters" in page
    assert 'value="25"' in page
    assert "จากงานเอกสารบนคอมพิวเตอร์สู่การเปลี่ยนวิธีทำงานของรัฐ" in page
    assert 'aria-live="polite"' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_owner_saves_the_fields_and_body(signed_in, course):
    page = signed_in.get(URL).get_data(as_text=True)
    data = lesson_form("## หัวข้อใหม่\n\nเนื้อหาใหม่ของบทเรียน\n", revision=page_revision(page))
    del data["required"]
    response = post_form(signed_in, URL, data)
    assert response.status_code == 302
    text = saved_text(course)
    assert "เนื้อหาใหม่ของบทเรียน" in text
    assert "บทนำรัฐบาลดิจิทัล" in text and "minutes: 20" in text and "required: false" in text
    assert "id: m1-l1" in text
    again = signed_in.get(URL).get_data(as_text=True)
    assert "บันทึกบทเรียนลงในฉบับร่างแล้ว" in again or "The lesson was saved" in again


def test_a_stale_save_is_refused_and_keeps_the_text(signed_in, course, owner):
    page = signed_in.get(URL).get_data(as_text=True)
    start = page_revision(page)
    other = make_user(Role.TRAINER, email="other@example.org")
    session.add(CourseOwner(course_id=course.id, user_id=other.id))
    draft = drafts.existing_draft(course)
    drafts.save_text(draft, other, LESSON, drafts.text(draft, LESSON) + "\nแก้โดยอีกคน\n", int(start))
    session.commit()
    response = post_form(signed_in, URL, lesson_form("ข้อความของฉันที่ยังไม่บันทึก\n", revision=start))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "ข้อความของฉันที่ยังไม่บันทึก" in page
    assert 'role="alert"' in page
    link = f"/authoring/exec-digital-leadership/changes?path=lessons/m1-l1.md&amp;since={start}"
    assert link in page
    assert "ข้อความของฉันที่ยังไม่บันทึก" not in saved_text(course)
    assert "แก้โดยอีกคน" in saved_text(course)


def test_a_checker_problem_refuses_the_save_with_its_line(signed_in, course):
    page = signed_in.get(URL).get_data(as_text=True)
    before = saved_text(course)
    body = "ย่อหน้าแรก\n\nย่อหน้าที่สอง\n\n<div>กล่อง</div>\n"
    response = post_form(signed_in, URL, lesson_form(body, revision=page_revision(page)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # front matter: '---', id, title (3 lines), minutes, required, '---' = 8 lines; <div> is body line 5
    assert "13" in re.search(r'id="problems".*?</div>', page, re.S).group(0)
    assert "&lt;div&gt;" in page
    assert saved_text(course) == before


def test_a_link_to_a_missing_media_file_is_refused(signed_in, course):
    page = signed_in.get(URL).get_data(as_text=True)
    response = post_form(
        signed_in, URL, lesson_form("![แผนภาพ](media/nothing.png)\n", revision=page_revision(page))
    )
    assert response.status_code == 400
    assert "media/nothing.png" in response.get_data(as_text=True)


def test_a_blank_title_and_thai_digits_for_minutes_are_refused(signed_in, course):
    page = signed_in.get(URL).get_data(as_text=True)
    before = saved_text(course)
    response = post_form(
        signed_in, URL, lesson_form("เนื้อหา\n", title_th="  ", minutes="๒๐", revision=page_revision(page))
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count('class="error"') >= 2
    assert saved_text(course) == before


def test_the_preview_button_renders_without_saving(signed_in, course):
    page = signed_in.get(URL).get_data(as_text=True)
    before = saved_text(course)
    data = lesson_form("## ตัวอย่าง\n\n**ตัวหนา** และ *ตัวเอียง*\n", revision=page_revision(page))
    data.pop("save")
    data["preview"] = "Preview"
    response = post_form(signed_in, URL, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h2>ตัวอย่าง</h2>" in html
    assert "<strong>ตัวหนา</strong>" in html and "<em>ตัวเอียง</em>" in html
    assert "**ตัวหนา**" in html  # the text stays in the box
    assert saved_text(course) == before


def test_the_preview_endpoint_returns_html_and_problems(signed_in, course):
    token = csrf_token(signed_in, URL)
    response = signed_in.post(
        URL + "/preview",
        json={"body": "## หัวข้อ\n\nhttps://www.youtube.com/watch?v=abc\n\n<br>\n"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    data = response.get_json()
    assert "<h2>หัวข้อ</h2>" in data["html"]
    assert '<a href="https://www.youtube.com/watch?v=abc"' in data["html"]
    assert len(data["problems"]) == 1 and "<br>" in data["problems"][0]


def test_the_preview_needs_the_csrf_token(signed_in):
    response = signed_in.post(URL + "/preview", json={"body": "x"})
    assert response.status_code == 400


def test_a_lesson_not_in_the_draft_is_404(signed_in):
    assert signed_in.get("/authoring/exec-digital-leadership/lessons/m9-l9").status_code == 404


@pytest.mark.parametrize("role", ["trainer", "learner", "hr"])
def test_others_are_refused(client, course, owner, role):
    stranger = make_user(getattr(Role, role.upper()), email=f"{role}-x@example.org")
    login(client, stranger.email)
    assert client.get(URL).status_code == 403
    response = client.post(
        URL + "/preview", json={"body": "x"}, headers={"X-CSRFToken": csrf_token(client, "/")}
    )
    assert response.status_code == 403
    assert drafts.existing_draft(course) is None


def test_signed_out_visitors_are_sent_to_sign_in(client, course):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
