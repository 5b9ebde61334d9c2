"""A practitioner's journey in Chromium, on the real shipped content: the practitioner path
first, enrol, read three lessons, leave, come back, resume at lesson 3, progress goes up."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, create_learner, import_content, sign_in
from tests.e2e.test_browser import BLOCKING_IMPACTS, _axe

pytestmark = pytest.mark.e2e
PRACTITIONER = "practitioner@example.org"
COURSE = "practitioner-digital-skills"


@pytest.fixture(scope="module")
def content(live_server, database_url):
    """The shipped content/ imported with the CLI, and a practitioner who can sign in."""
    import_content(database_url, "content")
    create_learner(database_url, PRACTITIONER, "ปฏิบัติ", "ดิจิทัล")
    return live_server


def assert_accessible(page: Page, name: str, server) -> None:
    blocking = [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']]}"
        for v in _axe(page, name, server)
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


def course_progress(page: Page) -> int:
    return int(page.locator("#course-progress").get_attribute("value"))


def test_practitioner_path_enrol_read_leave_resume(page: Page, content):
    sign_in(page, PRACTITIONER)

    page.get_by_role("link", name="หลักสูตร", exact=True).click()
    first_path = page.locator(".path").first
    expect(first_path.locator(".badge")).to_have_text("สำหรับคุณ")
    expect(first_path.locator("li").first).to_contain_text("ทักษะดิจิทัลสำหรับผู้ปฏิบัติงานด้านเทคโนโลยีดิจิทัล")
    page.screenshot(path=ARTIFACTS / f"catalog-{content.backend}.png", full_page=True)
    assert_accessible(page, "catalog", content)

    first_path.locator("li").first.get_by_role("link").click()
    page.get_by_role("button", name="ลงทะเบียนและเริ่มเรียน").click()
    expect(page).to_have_url(f"{content.url}/courses/{COURSE}/lessons/m1-l1")
    assert course_progress(page) == 0

    page.get_by_role("button", name="ถัดไป →").click()
    expect(page).to_have_url(f"{content.url}/courses/{COURSE}/lessons/m1-l2")
    page.get_by_role("button", name="ถัดไป →").click()
    expect(page).to_have_url(f"{content.url}/courses/{COURSE}/lessons/m1-l3")
    after_two = course_progress(page)
    assert after_two > 0
    page.screenshot(path=ARTIFACTS / f"lesson-{content.backend}.png", full_page=True)
    assert_accessible(page, "lesson", content)

    page.locator("nav.main-nav").get_by_role("link", name="การเรียนของฉัน").click()
    expect(page.locator("main")).to_contain_text(f"{after_two}%")
    assert_accessible(page, "my-learning", content)

    page.get_by_role("button", name="เรียนต่อ").click()
    expect(page).to_have_url(f"{content.url}/courses/{COURSE}/lessons/m1-l3")
    page.get_by_role("button", name="ทำเครื่องหมายว่าเรียนจบ").click()
    # 3 of the course's 24 required items: 18 lessons and 6 module quizzes (quizzes: pass).
    expect(page.locator("#course-progress")).to_have_attribute("value", str(round(100 * 3 / 24)))
    assert course_progress(page) > after_two
