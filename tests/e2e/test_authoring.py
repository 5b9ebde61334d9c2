"""The authoring journey end to end in Chromium: a trainer makes a course in the browser (details,
a module of two Thai lessons written in the lesson editor with its live preview, a quiz of three
questions, the completion rule), previews the draft, publishes it, and a learner on a phone
finds it in the catalogue, reads both lessons, passes the quiz and completes the course."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.e2e
SLUG = "thai-writing-basics"
TITLE_TH = "การเขียนภาษาไทยให้อ่านง่าย"
TITLE_EN = "Plain Thai writing"
PASS_EVERY_QUIZ = "และสอบผ่านแบบทดสอบท้ายโมดูลทุกโมดูล"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
LESSONS = {
    "m1-l1": (
        "รู้จักผู้อ่าน",
        "Know your reader",
        "## ผู้อ่านของเรา\n\nเขียนให้ **ประชาชน** เข้าใจได้ในการอ่านครั้งเดียว\n\n- ประโยคสั้น\n- คำที่คุ้นเคย\n",
        "ผู้อ่านของเรา",
    ),
    "m1-l2": (
        "ประโยคสั้นและชัด",
        "Short, clear sentences",
        "## ประโยคละหนึ่งเรื่อง\n\nหนึ่งประโยค *หนึ่งใจความ* แล้วขึ้นประโยคใหม่\n",
        "ประโยคละหนึ่งเรื่อง",
    ),
}


def at(path: str) -> re.Pattern:
    """The page's address is ``path`` on the live server (a fragment aside)."""
    return re.compile(r"^http://127\.0\.0\.1:[0-9]+" + re.escape(path) + r"(#.*)?$")


def watched(context, console) -> Page:
    """A page of an extra context, with the same console listeners as the ``page`` fixture."""
    page = context.new_page()
    page.on("console", lambda msg: console.messages.append((msg.type, msg.text)))
    page.on("pageerror", lambda exc: console.page_errors.append(str(exc)))
    return page


def shot(page: Page, name: str, server) -> None:
    page.screenshot(path=ARTIFACTS / f"authoring-{name}-{server.backend}.png", full_page=True)


def flash(page: Page):
    return page.locator(".flashes")


def create_course(page: Page) -> None:
    page.locator("nav.main-nav").get_by_role("link", name="จัดทำหลักสูตร", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("จัดทำหลักสูตร")
    page.get_by_role("link", name="หลักสูตรใหม่", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("หลักสูตรใหม่")
    page.get_by_label("ชื่อย่อ (ใช้ในที่อยู่ของหลักสูตร)").fill(SLUG)
    page.get_by_label("ชื่อ (ภาษาไทย)", exact=True).fill(TITLE_TH)
    page.get_by_label("ชื่อ (ภาษาอังกฤษ)", exact=True).fill(TITLE_EN)
    page.get_by_label("คำอธิบายย่อ (ภาษาไทย)").fill("หลักการเขียนหนังสือราชการและข้อความถึงประชาชนให้อ่านง่าย")
    page.get_by_label("คำอธิบายย่อ (ภาษาอังกฤษ)").fill("Writing official Thai that citizens understand.")
    page.get_by_label("บุคลากรทั่วไป", exact=True).check()  # the learner's staff group
    page.get_by_label("ผู้ปฏิบัติงานด้านเทคโนโลยีดิจิทัล", exact=True).check()
    page.get_by_label("ชั่วโมง", exact=True).fill("1.5")
    page.get_by_role("button", name="สร้างหลักสูตร", exact=True).click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/structure"))
    expect(flash(page)).to_contain_text("สร้างหลักสูตรแล้ว")
    expect(page.get_by_role("heading", level=1)).to_have_text("หน่วยการเรียนและบทเรียน")


def build_module(page: Page) -> None:
    """Rename the new course's module and add a second lesson beside the placeholder one."""
    module = page.locator("#module-m1")
    rename = module.locator("details").filter(has=page.locator("summary", has_text="เปลี่ยนชื่อ"))
    rename.locator("summary").click()
    rename.get_by_label("ชื่อ (ภาษาไทย)", exact=True).fill("หลักการเขียน")
    rename.get_by_label("ชื่อ (ภาษาอังกฤษ)", exact=True).fill("Principles")
    rename.get_by_role("button", name="บันทึกชื่อ", exact=True).click()
    expect(page.locator("#module-m1-title")).to_contain_text("หลักการเขียน")

    add = module.locator("details").filter(has=page.locator("summary", has_text="เพิ่มบทเรียน"))
    add.locator("summary").click()
    add.get_by_label("รหัส", exact=True).fill("m1-l2")
    add.get_by_label("ชื่อ (ภาษาไทย)", exact=True).fill(LESSONS["m1-l2"][0])
    add.get_by_label("ชื่อ (ภาษาอังกฤษ)", exact=True).fill(LESSONS["m1-l2"][1])
    add.get_by_label("นาที", exact=True).fill("5")
    add.get_by_role("button", name="เพิ่มบทเรียนนี้", exact=True).click()
    expect(page.locator("#module-m1 ol > li")).to_have_count(2)
    expect(page.locator("#lesson-m1-l2")).to_contain_text(LESSONS["m1-l2"][0])


def edit_lesson(page: Page, key: str) -> None:
    title_th, title_en, body, heading = LESSONS[key]
    page.locator(f"#lesson-{key}").get_by_role("link").first.click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/lessons/{key}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"แก้ไขบทเรียน {key}")
    page.get_by_label("ชื่อบทเรียน (ภาษาไทย)").fill(title_th)
    page.get_by_label("ชื่อบทเรียน (ภาษาอังกฤษ)").fill(title_en)
    page.get_by_label("นาที", exact=True).fill("5")
    page.get_by_label("ต้องเรียนเพื่อให้จบหลักสูตร").check()
    text = page.get_by_label("เนื้อหาบทเรียน (Markdown)")
    text.fill("")
    text.type(body, delay=2)
    preview = page.locator("#preview-html")
    expect(preview.locator("h2")).to_have_text(heading)  # the live preview, with JavaScript
    expect(page.locator("#preview-problems")).to_have_text("")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(flash(page)).to_contain_text("บันทึกบทเรียนลงในฉบับร่างแล้ว")
    expect(page.get_by_label("ชื่อบทเรียน (ภาษาไทย)")).to_have_value(title_th)
    page.get_by_role("link", name="กลับไปที่หน่วยการเรียนและบทเรียน").click()
    expect(page.locator(f"#lesson-{key}")).to_contain_text(title_th)


def add_question(page: Page, kind: str, prompt: str, fill) -> str:
    page.get_by_role("link", name=f"เพิ่มข้อคำถามแบบ: {kind}", exact=True).click()
    page.get_by_label("คำถาม (Markdown)").fill(prompt)
    page.get_by_label("คะแนน", exact=True).fill("1")
    fill()
    page.get_by_role("button", name="บันทึกข้อคำถาม", exact=True).click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/quizzes/m1-quiz"))
    expect(flash(page)).to_contain_text("บันทึกข้อคำถาม")
    expect(page.locator("ol.questions")).to_contain_text(prompt)
    return prompt


def single_choice(page: Page) -> None:
    for row, text in enumerate(["ประโยคยาวหลายใจความ", "ประโยคสั้นหนึ่งใจความ", "ศัพท์เทคนิคมาก ๆ"]):
        page.locator(f'[name="choices-{row}-text"]').fill(text)
    page.get_by_label("แถวที่ 2 เป็นตัวเลือกที่ถูกต้อง").check()


def create_quiz(page: Page) -> None:
    page.locator("nav.tabs").get_by_role("link", name="แบบทดสอบ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("แบบทดสอบ")
    page.get_by_label("สำหรับหน่วยการเรียน").select_option("m1")
    page.get_by_label("รหัสแบบทดสอบ").fill("m1-quiz")
    page.get_by_label("ชื่อ (ภาษาไทย)", exact=True).fill("แบบทดสอบหลักการเขียน")
    page.get_by_label("ชื่อ (ภาษาอังกฤษ)", exact=True).fill("Principles quiz")
    page.get_by_role("button", name="สร้างแบบทดสอบ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("แบบทดสอบ m1-quiz")
    expect(flash(page)).to_contain_text("สร้างแบบทดสอบ m1-quiz แล้ว")

    add_question(page, "เลือกคำตอบเดียว", "ประโยคแบบใดอ่านง่ายที่สุด", lambda: single_choice(page))
    add_question(
        page,
        "ถูกหรือผิด",
        "ควรเขียนให้ผู้อ่านเข้าใจได้ในการอ่านครั้งเดียว",
        lambda: page.get_by_label("จริง", exact=True).check(),
    )
    add_question(
        page,
        "เติมคำ",
        "หนึ่งประโยคควรมีกี่ใจความ (ตอบเป็นคำ)",
        lambda: page.get_by_label("คำตอบที่ยอมรับ บรรทัดละหนึ่งคำตอบ").fill("หนึ่ง\n1"),
    )
    expect(page.locator("ol.questions > li")).to_have_count(3)
    # The checker finds no error in the file, only the warning that there is no pool to draw from.
    expect(page.locator("ul.problems")).to_contain_text("warning: the quiz allows 3 attempts but has no pool")
    expect(page.locator("ul.problems")).not_to_contain_text("error")


def require_the_quiz(page: Page) -> None:
    page.locator("nav.tabs").get_by_role("link", name="รายละเอียด", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("รายละเอียดหลักสูตร")
    rule = page.get_by_label("แบบทดสอบ", exact=True)
    rule.select_option("pass")
    page.get_by_role("button", name="บันทึกรายละเอียด", exact=True).click()
    expect(flash(page)).to_contain_text("บันทึกรายละเอียดในฉบับร่างแล้ว")
    expect(page.get_by_label("แบบทดสอบ", exact=True)).to_have_value("pass")


def catalogue_titles(page: Page):
    page.locator("nav.main-nav").get_by_role("link", name="หลักสูตร", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("หลักสูตร")
    return page.locator(".course-list")


def test_trainer_authors_and_publishes_learner_completes(page: Page, live_server, browser_context, console):
    trainer, learner = live_server.people["trainer"], live_server.people["learner"]
    assert "admin" not in trainer.roles  # the trainer acts with a trainer's rights only

    # 1. The trainer builds the course at desktop width (the page fixture's 1280x800).
    sign_in(page, trainer.email)
    create_course(page)
    build_module(page)
    edit_lesson(page, "m1-l1")
    edit_lesson(page, "m1-l2")
    shot(page, "structure", live_server)
    create_quiz(page)
    shot(page, "quiz", live_server)
    require_the_quiz(page)

    # 2. The preview shows the draft's lesson text under the banner; learners see nothing yet.
    page.locator("nav.tabs").get_by_role("link", name="ดูตัวอย่าง", exact=True).click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/preview"))
    expect(page.locator(".preview-banner")).to_contain_text("ตัวอย่างฉบับร่าง — ยังไม่เผยแพร่")
    # The checker's only remark is the quiz's no-pool warning.
    expect(page.locator(".preview-banner .problems li")).to_have_count(1)
    expect(page.locator(".preview-banner .problems li")).to_contain_text("คำเตือน: quizzes/m1-quiz.yaml")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_TH)
    expect(page.locator("ol.modules")).to_contain_text(LESSONS["m1-l2"][0])
    expect(page.locator(".facts")).to_contain_text(PASS_EVERY_QUIZ)
    # The preview shows the course as to an enrolled learner who has not started.
    page.get_by_role("button", name="เริ่มเรียน", exact=True).click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/preview/lessons/m1-l1"))
    expect(page.locator(".preview-banner")).to_contain_text("ตัวอย่างฉบับร่าง — ยังไม่เผยแพร่")
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSONS["m1-l1"][0])
    expect(page.locator("main h2").filter(has_text="ผู้อ่านของเรา")).to_be_visible()
    expect(page.locator("main strong").filter(has_text="ประชาชน")).to_be_visible()
    shot(page, "preview", live_server)

    phone = watched(browser_context(**PHONE), console)
    sign_in(phone, learner.email)
    courses = catalogue_titles(phone)
    expect(courses).not_to_contain_text(TITLE_TH)
    assert phone.goto(f"/courses/{SLUG}").status == 404  # nor opens it by its address

    # 3. Publish: the checks pass, one click makes version 1.
    page.locator(".preview-banner").get_by_role("link", name="เผยแพร่", exact=True).click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/publish"))
    expect(page.locator("main")).to_contain_text("ตัวตรวจไม่พบข้อผิดพลาด: เผยแพร่ฉบับร่างได้")
    expect(page.locator("table.problems tr.error")).to_have_count(0)
    expect(page.locator("ul.changes")).to_contain_text("lessons/m1-l2.md")
    shot(page, "publish", live_server)
    page.get_by_role("button", name="เผยแพร่", exact=True).click()
    expect(page).to_have_url(at(f"/authoring/{SLUG}/versions"))
    expect(flash(page)).to_contain_text("เผยแพร่เป็นรุ่นที่ 1 แล้ว")

    # 4. The learner, on a phone, finds it, enrols, reads both lessons, passes the quiz.
    courses = catalogue_titles(phone)
    expect(courses).to_contain_text(TITLE_TH)
    courses.get_by_role("link", name=TITLE_TH).click()
    expect(phone).to_have_url(at(f"/courses/{SLUG}"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE_TH)
    phone.get_by_role("button", name="ลงทะเบียนและเริ่มเรียน").click()
    expect(phone).to_have_url(at(f"/courses/{SLUG}/lessons/m1-l1"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(LESSONS["m1-l1"][0])
    expect(phone.locator("main strong").filter(has_text="ประชาชน")).to_be_visible()
    phone.get_by_role("button", name="ถัดไป →").click()
    expect(phone).to_have_url(at(f"/courses/{SLUG}/lessons/m1-l2"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(LESSONS["m1-l2"][0])
    expect(phone.locator("main em").filter(has_text="หนึ่งใจความ")).to_be_visible()
    shot(phone, "learner-lesson", live_server)
    phone.get_by_role("button", name="ถัดไป →").click()
    expect(phone).to_have_url(at(f"/courses/{SLUG}/quizzes/m1-quiz"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("แบบทดสอบหลักการเขียน")

    phone.get_by_role("button", name="เริ่มทำแบบทดสอบ").click()
    phone.locator("#question-q1").get_by_label("ประโยคสั้นหนึ่งใจความ", exact=True).check()
    phone.locator("#question-q2").get_by_label("จริง", exact=True).check()
    phone.locator('[name="q.q3"]').fill("หนึ่ง")
    phone.get_by_role("button", name="ส่งคำตอบเพื่อตรวจ").click()
    expect(phone.locator("main")).to_contain_text("คุณสอบผ่าน")
    expect(phone.locator("main")).to_contain_text("100.0%")
    shot(phone, "learner-passed", live_server)

    phone.locator("nav.main-nav").get_by_role("link", name="การเรียนของฉัน", exact=True).click()
    expect(phone).to_have_url(at("/learning"))
    completed = phone.locator("section", has=phone.get_by_role("heading", name="เรียนจบแล้ว"))
    expect(completed).to_contain_text(TITLE_TH)
    shot(phone, "learner-completed", live_server)
    assert not console.page_errors, console.page_errors
    assert not console.csp_violations(), console.csp_violations()
