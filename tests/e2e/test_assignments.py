"""HR assigns a course to a unit in Chromium; a learner in one of its sub-units then sees it as
required on My learning, with its due date, and is enrolled in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.accounts import service
from lms.accounts.models import OrgUnit, User
from lms.extensions import session
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, Console, app_on, import_content, sign_in
from tests.e2e.test_learning import assert_accessible

pytestmark = pytest.mark.e2e
LEARNER = "division-learner@example.org"
OUTSIDER = "elsewhere@example.org"
COURSE = "practitioner-digital-skills"
TITLE_EN = "Digital skills for digital-technology practitioners"


def _organisation(database_url: str, hr_email: str) -> None:
    """A department with a division, a learner in the division, one elsewhere; HR's scope is
    the department."""
    with app_on(database_url):
        department = OrgUnit(code="E2E-DEP", name_th="กรมทดสอบ", name_en="Test Department", kind="department")
        session.add(department)
        session.flush()
        division = OrgUnit(
            code="E2E-DIV",
            name_th="กองทดสอบ",
            name_en="Test Division",
            kind="division",
            parent_id=department.id,
        )
        other = OrgUnit(code="E2E-OTHER", name_th="กรมอื่น", name_en="Other Department", kind="department")
        session.add_all([division, other])
        session.flush()
        for email, unit in ((LEARNER, division), (OUTSIDER, other)):
            service.create_user(
                email=email,
                first_name_th="ผู้เรียน",
                last_name_th="กอง",
                first_name_en="Learner",
                last_name_en=unit.code,
                org_unit_id=unit.id,
                password=PASSWORD,
            )
        hr = session.scalar(select(User).where(User.email == hr_email))
        service.set_scopes(hr, [department.id], [])
        session.commit()


@pytest.fixture(scope="module")
def organisation(live_server, database_url):
    import_content(database_url, "content")
    _organisation(database_url, live_server.people["hr"].email)
    return live_server


def english_page(browser_context, server, console: Console) -> Page:
    """A page in a fresh profile, in English; what its console says goes to ``console``."""
    context = browser_context()
    context.add_cookies([{"name": "lms_lang", "value": "en", "url": server.url}])
    page = context.new_page()
    page.on("console", lambda msg: console.messages.append((msg.type, msg.text)))
    page.on("pageerror", lambda exc: console.page_errors.append(str(exc)))
    return page


def sign_in_english(page: Page, email: str) -> None:
    sign_in(page, email, button="Sign in")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_hr_assigns_a_unit_and_its_learner_sees_it_required(browser_context, organisation, console):
    hr = english_page(browser_context, organisation, console)
    sign_in_english(hr, organisation.people["hr"].email)
    hr.goto("/assignments/new")
    expect(hr.locator("#org_unit option")).to_have_count(3)  # "—", the department and its division
    assert_accessible(hr, "assignment-form", organisation)
    hr.get_by_label("Course or learning path").select_option(f"course:{COURSE}")
    hr.get_by_label("An org unit, with its sub-units").check()
    hr.get_by_label("Org unit", exact=True).select_option("E2E-DEP")
    hr.get_by_label("Due date").fill("2099-06-30")
    hr.get_by_role("button", name="Assign", exact=True).click()

    expect(hr).to_have_url(f"{organisation.url}/assignments")
    expect(hr.locator(".flashes")).to_contain_text("Assigned. People being enrolled: 1.")
    row = hr.locator("tbody tr").first
    expect(row).to_contain_text(TITLE_EN)
    expect(row).to_contain_text("Test Department and its sub-units")
    expect(row).to_contain_text("30 June 2099")
    expect(row.locator("td").nth(3)).to_have_text("1")
    hr.screenshot(path=ARTIFACTS / f"assignments-{organisation.backend}.png", full_page=True)
    assert_accessible(hr, "assignments", organisation)

    learner = english_page(browser_context, organisation, console)
    sign_in_english(learner, LEARNER)
    learner.goto("/learning")
    required = learner.locator("section[aria-labelledby='required-heading']")
    expect(required).to_contain_text(TITLE_EN)
    expect(required).to_contain_text("Due on 30 June 2099")
    expect(required).not_to_contain_text("Overdue")
    # Enrolled by the background job: the course can be started from here.
    for _attempt in range(50):
        if required.get_by_role("button", name="Start the course").count():
            break
        learner.wait_for_timeout(200)
        learner.reload()
    required.get_by_role("button", name="Start the course").click()
    expect(learner).to_have_url(f"{organisation.url}/courses/{COURSE}/lessons/m1-l1")

    learner.goto("/learning")
    learner.get_by_role("button", name="ไทย").click()
    expect(learner.locator("section[aria-labelledby='required-heading']")).to_contain_text(
        "30 มิถุนายน พ.ศ. 2642"
    )
    learner.screenshot(path=ARTIFACTS / f"my-learning-required-{organisation.backend}.png", full_page=True)

    outsider = english_page(browser_context, organisation, console)
    sign_in_english(outsider, OUTSIDER)
    outsider.goto("/learning")
    expect(outsider.locator("main")).not_to_contain_text(TITLE_EN)
    assert not console.page_errors and not console.csp_violations()
