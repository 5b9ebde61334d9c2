"""The lesson editor's live preview in Chromium: typing Markdown updates the learner's view
beside the text on a desktop and below it on a phone, under the site's CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.authoring.models import CourseOwner
from lms.content.models import Course
from lms.extensions import session
from tests.e2e.conftest import REPO_ROOT, app_on, import_content, sign_in

pytestmark = pytest.mark.e2e
MINI = REPO_ROOT / "tests" / "packages" / "fixtures" / "mini"
EDITOR = "/authoring/mini-course/lessons/m1-l1"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture(scope="module")
def owned_course(live_server, database_url, tmp_path_factory):
    """The mini course, owned by the trainer of the live server's people."""
    import_content(database_url, MINI, LMS_MEDIA_DIR=str(tmp_path_factory.mktemp("media")))
    with app_on(database_url):
        course = session.scalar(select(Course).where(Course.slug == "mini-course"))
        trainer = session.scalar(select(User).where(User.email == live_server.people["trainer"].email))
        session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
        session.commit()
    return live_server


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_typing_markdown_updates_the_preview(owned_course, browser_context, console, size):
    page = browser_context(**size).new_page()
    page.on("console", lambda msg: console.messages.append((msg.type, msg.text)))
    page.on("pageerror", lambda exc: console.page_errors.append(str(exc)))
    sign_in(page, owned_course.people["trainer"].email)
    page.goto(EDITOR)
    body = page.get_by_label("เนื้อหาบทเรียน (Markdown)")
    preview = page.locator("#preview-html")
    expect(preview).to_have_attribute("aria-live", "polite")
    body.fill("")
    body.type("## หัวข้อทดลอง\n\nข้อความ **ตัวหนา**\n\n<b>x</b>\n", delay=5)
    expect(preview.locator("h2")).to_have_text("หัวข้อทดลอง")
    expect(preview.locator("strong")).to_have_text("ตัวหนา")
    expect(page.locator("#preview-problems")).to_contain_text("<b>")
    text_box, shown = body.bounding_box(), preview.bounding_box()
    if size is PHONE:
        assert shown["y"] > text_box["y"] + text_box["height"] - 1  # below the text
        assert shown["width"] <= 390
    else:
        assert shown["x"] >= text_box["x"] + text_box["width"]  # beside the text
    assert not console.page_errors, console.page_errors
    assert not console.csp_violations(), console.csp_violations()
