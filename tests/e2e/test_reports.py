"""An HR officer in Chromium: opens the completion report, filters to one province, drills
down to the learners behind a count, and downloads the list as XLSX (read back here)."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit, Province, User
from lms.extensions import session
from tests.conftest import make_course, make_user
from tests.e2e.conftest import ARTIFACTS, app_on, sign_in
from tests.e2e.test_browser import BLOCKING_IMPACTS, _axe
from tests.reports.conftest import study

pytestmark = pytest.mark.e2e
HR = "hr@example.org"
# (first name, last name, province, lessons completed of 2)
LEARNERS = [
    ("มานี", "เชียงใหม่", "TH-50", 2),
    ("ปิติ", "ดอยคำ", "TH-50", 0),
    ("วีระ", "กรุงเทพ", "TH-10", 2),
]


def _province(code: str) -> int:
    return session.scalar(select(Province.id).where(Province.iso_code == code))


@pytest.fixture(scope="module")
def organisation(live_server, database_url):
    """A ministry with an office in Chiang Mai and one in Bangkok, three learners of one
    course (two in Chiang Mai: one completed, one not started; one completed in Bangkok), and
    the HR officer's scope: the whole ministry."""
    with app_on(database_url):
        ministry = OrgUnit(code="E2E-MIN", name_th="กระทรวงทดสอบ", name_en="Ministry", kind="ministry")
        session.add(ministry)
        session.flush()
        offices = {}
        for code, province in (("E2E-CM", "TH-50"), ("E2E-BKK", "TH-10")):
            offices[province] = OrgUnit(
                code=code,
                name_th=f"สำนักงาน {province}",
                name_en=f"Office {province}",
                kind="provincial_office",
                parent_id=ministry.id,
                is_central=province == "TH-10",
                province_id=_province(province),
            )
            session.add(offices[province])
        session.flush()
        course = make_course("e2e-report", modules=1, lessons_per_module=2)
        for index, (first, last, province, lessons) in enumerate(LEARNERS):
            learner = make_user(
                email=f"e2e-learner-{index}@example.org",
                first_name_th=first,
                last_name_th=last,
                org_unit_id=offices[province].id,
                province_id=_province(province),
            )
            study(learner, course, lessons=lessons)
        hr = session.scalar(select(User).where(User.email == HR))
        accounts.set_scopes(hr, [ministry.id], [])
        session.commit()
    return live_server


def test_hr_filters_to_a_province_drills_down_and_downloads(page: Page, organisation, tmp_path):
    sign_in(page, HR)

    page.locator('nav a[href="/reports"]').click()
    expect(page.locator("#course-e2e-report")).to_be_visible()
    expect(page.locator("svg#chart-province[role=img]")).to_be_visible()

    page.locator("#f-province").select_option("TH-50")
    page.locator("#f-breakdown").select_option("unit")
    page.locator("form.report-filters button[type=submit]").click()
    expect(page).to_have_url(f"{organisation.url}/reports?province=TH-50&breakdown=unit")
    total = page.locator("table.report-table tr.total")
    # Chiang Mai only: two learners, one of them completed.
    expect(total.locator('a[href*="status"]').first).to_have_text("2")
    completed = total.locator('a[href*="status=completed"]')
    expect(completed).to_have_text("1")
    page.screenshot(path=ARTIFACTS / f"reports-{organisation.backend}.png", full_page=True)
    blocking = [v["id"] for v in _axe(page, "reports", organisation) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, blocking

    completed.click()
    expect(page).to_have_url(
        f"{organisation.url}/reports/drilldown?course=e2e-report&province=TH-50&status=completed"
    )
    rows = page.locator("table#learners tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("มานี เชียงใหม่")
    expect(page.locator("table#learners")).not_to_contain_text("วีระ")

    with page.expect_download() as download:
        page.locator('a[href^="/reports/drilldown.xlsx"]').click()
    path = tmp_path / "learners.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    header, *learners = list(sheet.iter_rows(values_only=True))
    assert len(header) == 12 and len(learners) == 1
    (row,) = learners
    assert row[0] == "มานี เชียงใหม่" and row[2] == "สำนักงาน TH-50" and row[3] == "เชียงใหม่"
    assert row[4] == "หลักสูตร e2e-report"
    assert isinstance(row[7], datetime) and isinstance(row[8], datetime)  # enrolled, completed
    assert row[11] == 2  # minutes: two lessons of 60 seconds
