"""Leaving a lesson without its buttons keeps the time and the place, in Chromium.

A learner who follows a link, goes back, closes the tab or switches away on a phone never
presses "Next": lms/static/js/lesson.js then posts the page's form as "outline" with a beacon.
These tests read what reached the database and what the learner sees when they come back.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.content.models import Course
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress
from tests.e2e.conftest import REPO_ROOT, Console, app_on, create_learner, import_content, sign_in

pytestmark = pytest.mark.e2e
MINI = REPO_ROOT / "tests" / "packages" / "fixtures" / "mini"
SLUG = "mini-course"
COURSE = f"/courses/{SLUG}"
STAY = 2.0  # seconds on a lesson before leaving it
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
# Headless Chromium never hides a page (minimising its window or bringing another page to the
# front leaves visibilityState "visible"), so the tests make the document report the state a
# phone's browser reports when the learner switches apps, and fire the event it fires.
HIDE = """() => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event("visibilitychange"));
}"""
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def mini_course(live_server, database_url, tmp_path_factory):
    import_content(database_url, MINI, LMS_MEDIA_DIR=str(tmp_path_factory.mktemp("media")))
    return live_server


@pytest.fixture
def learner(mini_course, database_url) -> str:
    """A new practitioner, so that each test starts without an enrolment."""
    email = f"leaver{next(_numbers)}@example.org"
    create_learner(database_url, email, "ออก", "จากบทเรียน")
    return email


# A navigation under CI load (two workers, each with a browser, a server and PostgreSQL) can
# take longer than expect()'s 5 s default; waiting longer changes nothing the test checks.
NAVIGATION_MS = 15_000


@pytest.fixture
def open_page(browser_context):
    """A page in a fresh context with the given options; no CSP violation or script error."""
    consoles: list[Console] = []

    def open_(options: dict) -> Page:
        console = Console()
        consoles.append(console)
        page = browser_context(**options).new_page()
        page.on("console", lambda msg: console.messages.append((msg.type, msg.text)))
        page.on("pageerror", lambda exc: console.page_errors.append(str(exc)))
        return page

    yield open_
    for console in consoles:
        assert not console.csp_violations(), console.csp_violations()
        assert not console.page_errors, console.page_errors


@dataclass(frozen=True)
class Recorded:
    """What the database holds for the learner's enrolment in the mini course."""

    seconds: dict[str, int]  # per lesson key
    last_lesson_key: str | None


def _read(email: str) -> Recorded:
    enrolment = session.scalars(
        select(Enrolment)
        .join(User, Enrolment.user_id == User.id)
        .join(Course, Enrolment.course_id == Course.id)
        .where(User.email == email, Course.slug == SLUG)
    ).one()
    rows = session.scalars(
        select(LessonProgress).where(LessonProgress.registration == enrolment.registration)
    ).all()
    return Recorded({row.lesson_key: row.time_spent_seconds for row in rows}, enrolment.last_lesson_key)


def wait_for_record(database_url: str, email: str, until, timeout: float = 5.0) -> Recorded:
    """Poll the database until ``until(recorded)`` holds (a beacon is sent as the page goes away,
    so it may arrive after the next page), or the timeout; return what was read last."""
    with app_on(database_url):
        deadline = time.monotonic() + timeout
        while True:
            recorded = _read(email)
            session.remove()  # the next read sees what the server committed since
            if until(recorded) or time.monotonic() > deadline:
                return recorded
            time.sleep(0.1)


def lesson_posts(server, key: str) -> list[int]:
    """The status of every POST to a lesson of the mini course, from the server's access log."""
    # werkzeug's lines, which colour the request with ANSI escapes: "POST /… HTTP/1.1" 302 -
    pattern = re.compile(rf'POST {COURSE}/lessons/{key}/leave HTTP/1\.[01](?:\x1b\[0m)?" (\d{{3}})')
    return [int(status) for status in pattern.findall(server.log_path.read_text(errors="replace"))]


def wait_for_posts(server, key: str, count: int, timeout: float = 5.0) -> list[int]:
    """The POSTs to a lesson once there are ``count`` (the log line follows the response)."""
    deadline = time.monotonic() + timeout
    while len(posts := lesson_posts(server, key)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return posts


def press(page: Page, locator, touch: bool) -> None:
    locator.tap() if touch else locator.click()


def enrol_and_open_second_lesson(page: Page, server, email: str, touch: bool = False) -> float:
    """Enrol (which opens lesson 1), follow the outline's link to lesson 2; when it was opened."""
    sign_in(page, email)
    page.goto(COURSE)
    press(page, page.get_by_role("button", name="ลงทะเบียนและเริ่มเรียน"), touch)
    expect(page).to_have_url(f"{server.url}{COURSE}/lessons/m1-l1", timeout=NAVIGATION_MS)
    opened = time.monotonic()
    press(page, page.locator("aside.outline").get_by_role("link", name="บทที่ 2"), touch)
    expect(page).to_have_url(f"{server.url}{COURSE}/lessons/m1-l2", timeout=NAVIGATION_MS)
    expect(page.locator("#lesson-title")).to_have_text("บทที่ 2")
    return opened


def assert_kept(recorded: Recorded, stayed: float, at_most: float | None = None) -> None:
    assert recorded.last_lesson_key == "m1-l2", recorded
    assert recorded.seconds.get("m1-l2", -1) >= int(stayed) - 1, (recorded, stayed)
    if at_most is not None:
        assert recorded.seconds["m1-l2"] <= at_most + 1, (recorded, at_most)


def kept_after(stayed: float):
    return lambda r: r.last_lesson_key == "m1-l2" and r.seconds.get("m1-l2", -1) >= int(stayed) - 1


def resume_from_course_page(page: Page, server, touch: bool = False, key: str = "m1-l2") -> None:
    """The learner comes back to the course page and continues: they land where they left."""
    page.goto(COURSE)
    press(page, page.locator(f'form[action="{COURSE}/launch"]').get_by_role("button"), touch)
    expect(page).to_have_url(f"{server.url}{COURSE}/lessons/{key}", timeout=NAVIGATION_MS)
    expect(page.locator("#lesson-title")).to_have_text(f"บทที่ {key[-1]}")


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_leaving_by_a_link_keeps_time_and_place(open_page, mini_course, database_url, learner, device):
    touch = device.get("has_touch", False)
    page = open_page(device)
    posts_before = len(lesson_posts(mini_course, "m1-l1"))
    enrol_and_open_second_lesson(page, mini_course, learner, touch)
    opened = time.monotonic()
    page.wait_for_timeout(STAY * 1000)
    stayed = time.monotonic() - opened
    press(page, page.locator("nav.breadcrumb").get_by_role("link", name="หลักสูตรทดสอบ"), touch)
    expect(page).to_have_url(f"{mini_course.url}{COURSE}", timeout=NAVIGATION_MS)

    recorded = wait_for_record(database_url, learner, kept_after(stayed))
    assert_kept(recorded, stayed)
    # Leaving lesson 1 by the outline's link was recorded too, by one beacon that was accepted
    # (204: no page is sent back to a page that is going away).
    assert "m1-l1" in recorded.seconds, recorded
    assert wait_for_posts(mini_course, "m1-l1", posts_before + 1)[posts_before:] == [204]
    resume_from_course_page(page, mini_course, touch)


@pytest.mark.parametrize("beacon", [True, False], ids=["beacon", "without-sendbeacon"])
def test_closing_the_tab_keeps_time_and_place(open_page, mini_course, database_url, learner, beacon):
    page = open_page(DESKTOP)
    if not beacon:  # an older browser: the script falls back to fetch(..., {keepalive: true})
        page.add_init_script("delete Navigator.prototype.sendBeacon")
    enrol_and_open_second_lesson(page, mini_course, learner)
    opened = time.monotonic()
    page.wait_for_timeout(STAY * 1000)
    stayed = time.monotonic() - opened
    context = page.context
    page.close(run_before_unload=True)

    recorded = wait_for_record(database_url, learner, kept_after(stayed))
    assert_kept(recorded, stayed, at_most=time.monotonic() - opened)
    resume_from_course_page(context.new_page(), mini_course)


def test_the_back_button_keeps_time_and_place(open_page, mini_course, database_url, learner):
    page = open_page(DESKTOP)
    enrol_and_open_second_lesson(page, mini_course, learner)
    opened = time.monotonic()
    page.wait_for_timeout(STAY * 1000)
    stayed = time.monotonic() - opened
    page.go_back()
    expect(page).to_have_url(f"{mini_course.url}{COURSE}/lessons/m1-l1", timeout=NAVIGATION_MS)

    recorded = wait_for_record(database_url, learner, kept_after(stayed))
    assert_kept(recorded, stayed)
    # Back on lesson 1, the learner leaves for the course page: lesson 1 is now their place.
    resume_from_course_page(page, mini_course, key="m1-l1")

    # A button records the leave itself: the script sends nothing more (only the form's POST).
    before = len(lesson_posts(mini_course, "m1-l1"))
    page.get_by_role("button", name="ถัดไป →").click()
    expect(page).to_have_url(f"{mini_course.url}{COURSE}/lessons/m1-l2", timeout=NAVIGATION_MS)
    assert wait_for_posts(mini_course, "m1-l1", before + 2, timeout=1.0)[before:] == [302]


AWAY = 3


def test_switching_away_and_back_on_a_phone_counts_the_time_once(
    open_page, mini_course, database_url, learner
):
    """Each time the page is hidden its time so far is sent once; shown again, it fetches a fresh
    stamp, so the time away (AWAY seconds each time) is not counted and the total stays
    within the time the page was really visible."""
    page = open_page(PHONE)
    before = len(lesson_posts(mini_course, "m1-l2"))
    enrol_and_open_second_lesson(page, mini_course, learner, touch=True)
    visible, shown_at = 0.0, time.monotonic()
    stamp = page.locator('input[name="opened"]')

    for switches in (1, 2):
        page.wait_for_timeout(1000)
        visible += time.monotonic() - shown_at
        page.evaluate(HIDE)
        page.evaluate(HIDE)  # hidden again in the same period: still one beacon
        recorded = wait_for_record(database_url, learner, kept_after(visible))
        # Each stamp is signed in whole seconds: up to one second more per visible stretch.
        assert_kept(recorded, visible, at_most=visible + switches - 1)
        assert wait_for_posts(mini_course, "m1-l2", before + switches)[before:] == [204] * switches
        page.wait_for_timeout(AWAY * 1000)
        old = stamp.input_value()
        page.evaluate(SHOW)
        page.wait_for_function("old => document.querySelector('input[name=opened]').value !== old", arg=old)
        shown_at = time.monotonic()

    page.wait_for_timeout(1000)
    visible += time.monotonic() - shown_at
    press(page, page.locator("nav.breadcrumb").get_by_role("link", name="หลักสูตรทดสอบ"), True)
    expect(page).to_have_url(f"{mini_course.url}{COURSE}", timeout=NAVIGATION_MS)
    recorded = wait_for_record(database_url, learner, kept_after(visible))
    assert_kept(recorded, visible, at_most=visible + 2)  # counting the away time would add 2 * AWAY
    # One beacon per hidden period, and one for leaving (pagehide and the hidden that follows).
    assert wait_for_posts(mini_course, "m1-l2", before + 3)[before:] == [204, 204, 204]
    resume_from_course_page(page, mini_course, touch=True)
