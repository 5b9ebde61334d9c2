"""A learner fails a module quiz once, sees the feedback the rules allow, passes the second
time, and the course completes: in Chromium, on a package imported with the CLI."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import ARTIFACTS, REPO_ROOT, create_learner, import_content, sign_in

pytestmark = pytest.mark.e2e
LEARNER = "quizzer@example.org"
MINI = REPO_ROOT / "tests" / "packages" / "fixtures" / "mini"
COURSE = "/courses/mini-course"


@pytest.fixture(scope="module")
def mini_course(live_server, database_url, tmp_path_factory):
    import_content(database_url, MINI, LMS_MEDIA_DIR=str(tmp_path_factory.mktemp("media")))
    create_learner(database_url, LEARNER, "ทดสอบ", "แบบทดสอบ")
    return live_server


def answer_everything_right(page: Page) -> None:
    page.locator("#question-q1").get_by_label("ถูก", exact=True).check()
    page.locator("#question-q2").get_by_label("หนึ่ง", exact=True).check()
    page.locator("#question-q2").get_by_label("สาม", exact=True).check()
    page.locator("#question-q3").get_by_label("จริง", exact=True).check()
    page.locator('[name="q.q4"]').fill("สพร.")
    page.locator('[name="q.q5"]').fill("30")
    page.locator('[name="q.q6.s1"]').select_option("t1")
    page.locator('[name="q.q6.s2"]').select_option("t2")
    page.locator('[name="q.q7.i1"]').select_option("1")
    page.locator('[name="q.q7.i2"]').select_option("2")


def test_fail_once_then_pass_and_complete(page: Page, mini_course):
    sign_in(page, LEARNER)
    page.goto(COURSE)
    page.get_by_role("button", name="ลงทะเบียนและเริ่มเรียน").click()
    page.get_by_role("button", name="ถัดไป →").click()
    page.get_by_role("button", name="ถัดไป →").click()
    expect(page).to_have_url(f"{mini_course.url}{COURSE}/quizzes/m1-quiz")

    page.get_by_role("button", name="เริ่มทำแบบทดสอบ").click()
    page.locator("#question-q1").get_by_label("ผิด", exact=True).check()
    page.get_by_role("button", name="บันทึกคำตอบ").click()
    expect(page.locator("#question-q1").get_by_label("ผิด", exact=True)).to_be_checked()
    page.get_by_role("button", name="ส่งคำตอบเพื่อตรวจ").click()
    expect(page.locator("main")).to_contain_text("ครั้งนี้คุณยังไม่ผ่าน")
    expect(page.locator("main")).to_contain_text("คำตอบที่ถูกต้อง:")
    page.screenshot(path=ARTIFACTS / f"quiz-failed-{mini_course.backend}.png", full_page=True)

    page.get_by_role("button", name="ทำอีกครั้ง").click()
    answer_everything_right(page)
    page.get_by_role("button", name="ส่งคำตอบเพื่อตรวจ").click()
    expect(page.locator("main")).to_contain_text("คุณสอบผ่าน")
    expect(page.locator("main")).to_contain_text("100.0%")

    page.goto("/learning")
    completed = page.locator("section", has=page.get_by_role("heading", name="เรียนจบแล้ว"))
    expect(completed).to_contain_text("หลักสูตรทดสอบ")
    page.screenshot(path=ARTIFACTS / f"quiz-completed-{mini_course.backend}.png", full_page=True)

    # The certificate: download it, read the verification URL its QR code carries, open it.
    page.get_by_role("link", name="เกียรติบัตรของฉัน").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="ดาวน์โหลดไฟล์ PDF").click()
    pdf = PdfReader(download.value.path())
    data = json.loads(pdf.attachments["certificate.json"][0])
    assert data["course"]["title_th"] == "หลักสูตรทดสอบ"
    verify = urlsplit(data["verify_url"])
    page.goto(f"{verify.path}?{verify.query}")
    expect(page.locator("main")).to_contain_text("เกียรติบัตรฉบับนี้ถูกต้องและยังมีผล")
    expect(page.locator("main")).to_contain_text("ทดสอบ แบบทดสอบ")
    page.screenshot(path=ARTIFACTS / f"certificate-verified-{mini_course.backend}.png", full_page=True)
