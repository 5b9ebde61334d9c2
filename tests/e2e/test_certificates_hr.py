"""An HR officer issues the certificates of their division in bulk, watches the progress page
(it refreshes itself, no JavaScript) reach 100 %, and downloads the PDFs as one ZIP: in
Chromium, against the real server, the job running on the server's own thread (no Redis)."""

from __future__ import annotations

import json
import re
from zipfile import ZipFile

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import OrgUnit, Role, User
from lms.accounts.service import create_user, set_scopes
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from tests.conftest import PASSWORD, make_course
from tests.e2e.conftest import ARTIFACTS, app_on, sign_in

pytestmark = pytest.mark.e2e
HR = "hr-certificates@example.org"
SLUG = "e2e-certificates"
LEARNERS = 6


@pytest.fixture(scope="module", autouse=True)
def server_settings(tmp_path_factory):
    """Set before the module's server starts (autouse fixtures come first): a certificate
    store of its own, and chunks of 2 so the progress moves in steps."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LMS_CERTIFICATE_DIR", str(tmp_path_factory.mktemp("certificate-store")))
        patch.setenv("LMS_JOBS_CHUNK_SIZE", "2")
        patch.delenv("LMS_REDIS_URL", raising=False)
        yield


@pytest.fixture(scope="module")
def division(live_server, database_url):
    """A division with six learners who completed the course, and its HR officer."""
    with app_on(database_url):
        unit = OrgUnit(code="E2E-DIV", name_th="กองทดสอบ", name_en="Test Division", kind="division")
        outside = OrgUnit(code="E2E-OTHER", name_th="กองอื่น", name_en="Other Division", kind="division")
        session.add_all([unit, outside])
        session.flush()
        course = make_course(SLUG, modules=1, lessons_per_module=1)
        lesson = courses.lessons_in_order(course)[0]
        for n in range(LEARNERS + 1):
            learner = create_user(
                email=f"cert-learner-{n}@example.org",
                first_name_th=f"ผู้เรียน{n}",
                last_name_th="ทดสอบ",
                org_unit_id=(unit if n < LEARNERS else outside).id,
            )
            courses.enrol(learner, course)
            courses.leave_lesson(learner, course, lesson, 60, complete=True)
        hr = create_user(
            email=HR,
            first_name_th="มาลัย",
            last_name_th="บุคคล",
            roles=("learner", Role.HR),
            password=PASSWORD,
        )
        set_scopes(hr, [unit.id], [])
        session.commit()
        serials = set(
            session.scalars(
                select(Certificate.serial)
                .join(User, User.id == Certificate.user_id)
                .where(User.org_unit_id == unit.id)
            )
        )
    return serials


def test_hr_issues_in_bulk_watches_the_progress_and_downloads_the_zip(page: Page, live_server, division):
    sign_in(page, HR)
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("nav.main-nav").get_by_role("link", name="Certificates", exact=True).click()
    page.get_by_label("Course", exact=True).select_option(label=f"Course {SLUG}")
    page.get_by_label("Org unit (with its sub-units)").select_option(label="Test Division")
    expect(page.get_by_label("Org unit (with its sub-units)").locator("option")).to_have_count(2)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#count-completed")).to_have_text(str(LEARNERS))
    expect(page.locator("#count-to-do")).to_have_text(str(LEARNERS))
    page.screenshot(path=ARTIFACTS / f"certificates-manage-{live_server.backend}.png", full_page=True)

    page.get_by_role("button", name="Issue and render the certificates").click()
    expect(page).to_have_url(re.compile(r"/certificates/jobs/[0-9a-f-]{36}$"))
    expect(page.locator("#job-total")).to_have_text(str(LEARNERS))
    # The page reloads itself every 2 seconds until the job is finished.
    expect(page.locator("#job-percent")).to_have_text("100%", timeout=60_000)
    expect(page.locator("#job-done")).to_have_text(str(LEARNERS))
    expect(page.locator("#job-failed")).to_have_text("0")
    expect(page.locator("#job-progress")).to_have_attribute("value", str(LEARNERS))
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    page.screenshot(path=ARTIFACTS / f"certificates-bulk-done-{live_server.backend}.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDFs (ZIP)").click()
    assert download.value.suggested_filename == f"certificates-{SLUG}-E2E-DIV.zip"
    with ZipFile(download.value.path()) as archive:
        assert set(archive.namelist()) == {f"{serial}.pdf" for serial in division}
        for name in archive.namelist():
            with archive.open(name) as pdf:
                data = json.loads(PdfReader(pdf).attachments["certificate.json"][0])
            assert f"{data['serial']}.pdf" == name and data["course"]["title_en"] == f"Course {SLUG}"

    # The list, then one certificate: revoked with a reason through the form.
    page.get_by_role("link", name="List and search the certificates").click()
    expect(page.locator("tbody tr")).to_have_count(LEARNERS)
    page.screenshot(path=ARTIFACTS / f"certificates-list-{live_server.backend}.png", full_page=True)
    serial = sorted(division)[0]
    page.get_by_role("link", name=serial, exact=True).click()
    page.get_by_role("button", name="Revoke the certificate").click()
    expect(page.locator(".error")).to_have_text("Give the reason for the revocation.")
    page.get_by_label("Reason for the revocation").fill("ชื่อสะกดผิด")
    page.get_by_role("button", name="Revoke the certificate").click()
    expect(page.locator(".flashes")).to_contain_text(f"Certificate {serial} has been revoked.")
    expect(page.locator("#certificate-status")).to_contain_text("Reason: ชื่อสะกดผิด")
    page.screenshot(path=ARTIFACTS / f"certificates-revoked-{live_server.backend}.png", full_page=True)
