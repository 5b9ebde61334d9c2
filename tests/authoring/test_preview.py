"""The preview: the draft rendered by the learner templates, writing and recording nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.authoring import drafts
from lms.content.models import CourseVersion, Lesson
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.xapi.models import StoredStatement
from tests.authoring.test_publishing import SLUG, add_owner, lesson_md, published_course, save
from tests.conftest import login, make_user, post_form


def counts() -> tuple[int, int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (CourseVersion, Lesson, Enrolment, StoredStatement)
    )


@pytest.fixture
def course(app, tmp_path):
    return published_course(tmp_path)


@pytest.fixture
def owner(course):
    return add_owner(course)


@pytest.fixture
def edited(course, owner):
    """The owner changed lesson m1-l1 in the draft."""
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "lessons/m1-l1.md", lesson_md("m1-l1", "บทแรกฉบับร่าง", "ข้อความในร่างที่ยังไม่เผยแพร่"))
    session.commit()
    return draft


def test_the_preview_shows_the_draft_as_the_learner_pages_do(client, course, owner, edited):
    login(client, owner.email)
    before = counts()
    page = client.get(f"/authoring/{SLUG}/preview").get_data(as_text=True)
    assert "ตัวอย่างฉบับร่าง — ยังไม่เผยแพร่" in page
    assert "บทแรกฉบับร่าง" in page
    assert f'href="/authoring/{SLUG}/preview/lessons/m1-l1"' in page
    assert f'action="/authoring/{SLUG}/preview/start"' in page
    assert f"/courses/{SLUG}/lessons/" not in page

    lesson = client.get(f"/authoring/{SLUG}/preview/lessons/m1-l1").get_data(as_text=True)
    assert "ข้อความในร่างที่ยังไม่เผยแพร่" in lesson
    assert "เนื้อหาฉบับเผยแพร่ของบทแรก" not in lesson
    assert 'class="lesson-body"' in lesson  # the learner's lesson template
    assert f'action="/authoring/{SLUG}/preview/lessons/m1-l1/leave"' in lesson
    assert counts() == before


def test_the_players_buttons_move_within_the_preview_and_record_nothing(client, course, owner, edited):
    login(client, owner.email)
    before = counts()
    page = f"/authoring/{SLUG}/preview/lessons/m1-l1"
    started = post_form(client, f"/authoring/{SLUG}/preview/start", page=f"/authoring/{SLUG}/preview")
    assert started.headers["Location"].endswith(page)
    moved = post_form(client, f"{page}/leave", {"action": "next"}, page=page)
    assert moved.headers["Location"].endswith(f"/authoring/{SLUG}/preview/lessons/m1-l2")
    completed = post_form(client, f"{page}/leave", {"action": "complete"}, page=page)
    assert completed.headers["Location"].endswith(page)
    assert counts() == before


def test_the_published_course_is_unchanged_for_learners(client, course, owner, edited):
    learner = make_user(Role.LEARNER)
    login(client, learner.email)
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "บทแรกฉบับร่าง" not in page


def test_a_lesson_with_problems_still_previews_and_the_problems_are_listed(client, course, owner):
    draft = drafts.draft_of(owner, course)
    broken = "---\nid: m1-l2\ntitle: {th: บทเสีย\n---\nข้อความของบทที่เสีย\n"
    save(draft, owner, "lessons/m1-l2.md", broken)
    session.commit()
    login(client, owner.email)
    page = client.get(f"/authoring/{SLUG}/preview").get_data(as_text=True)
    assert "lessons/m1-l2.md" in page
    lesson = client.get(f"/authoring/{SLUG}/preview/lessons/m1-l2")
    assert lesson.status_code == 200
    assert "ข้อความของบทที่เสีย" in lesson.get_data(as_text=True)

    save(draft, owner, "course.yaml", "id: [unclosed\n")
    session.commit()
    page = client.get(f"/authoring/{SLUG}/preview")
    assert page.status_code == 200
    assert "course.yaml:" in page.get_data(as_text=True)


def test_without_a_draft_the_preview_shows_the_published_version_and_makes_no_draft(client, course, owner):
    login(client, owner.email)
    page = client.get(f"/authoring/{SLUG}/preview").get_data(as_text=True)
    assert "บทแรก" in page
    assert drafts.existing_draft(course) is None


def test_an_unknown_lesson_is_not_found(client, course, owner):
    login(client, owner.email)
    assert client.get(f"/authoring/{SLUG}/preview/lessons/nope").status_code == 404


def test_only_owners_and_admins_may_preview(app, course, owner, users):
    for user, status in (
        (make_user(Role.TRAINER), 403),
        (users["learner"], 403),
        (users["hr"], 403),
        (owner, 200),
        (users["admin"], 200),
    ):
        client = app.test_client()
        login(client, user.email)
        for url in ("/preview", "/preview/lessons/m1-l1"):
            assert client.get(f"/authoring/{SLUG}{url}").status_code == status, (user.email, url)
        start = post_form(client, f"/authoring/{SLUG}/preview/start", page="/courses")
        assert start.status_code == (302 if status == 200 else 403), user.email


def tiny_png(path):
    """A valid 1x1 PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def test_draft_media_display_in_the_preview(client, course, owner, tmp_path):
    import re

    draft = drafts.draft_of(owner, course)
    drafts.save_media(draft, owner, "media/chart.png", tiny_png(tmp_path / "chart.png"), 0)
    save(draft, owner, "lessons/m1-l1.md", lesson_md("m1-l1", "บทแรก", "![แผนภูมิ](media/chart.png)"))
    session.commit()
    login(client, owner.email)
    page = client.get(f"/authoring/{SLUG}/preview/lessons/m1-l1").get_data(as_text=True)
    source = re.search(r'<img[^>]*src="([^"]+)"', page).group(1)
    image = client.get(source)
    assert image.status_code == 200
    assert image.data.startswith(b"\x89PNG")
