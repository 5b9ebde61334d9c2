"""The HR and admin certificate pages: start the bulk issue, follow its progress (without
JavaScript), download the ZIP, list and search, revoke and re-issue; HR only within scope.

Pages are read in English (the cookie a visitor sets with the language switch), so the
assertions hold whatever the Thai catalogue says."""

from __future__ import annotations

import io
import json
import re
import uuid
from zipfile import ZipFile

import pytest
from pypdf import PdfReader
from sqlalchemy import event, func, select

from lms.accounts.service import find_by_email
from lms.certificates import bulk, service
from lms.certificates.models import Certificate
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from tests.certificates.bulk_world import IN_A, LEARNERS, SLUG, build_world, wait_for
from tests.conftest import csrf_token, login, post_form

MANAGE = "/certificates/manage"
LIST = f"/certificates/courses/{SLUG}"


@pytest.fixture
def cert_app(app_factory, tmp_path):
    """The app with its certificate store in a temporary folder, its context pushed."""
    built = app_factory(LMS_CERTIFICATE_DIR=str(tmp_path / "store"))
    with built.app_context():
        yield built
        session.remove()


@pytest.fixture
def world(cert_app):
    return build_world()


@pytest.fixture
def rq_app(app_factory, tmp_path):
    """With Redis (db 14) and a queue of its own: jobs wait there until a worker runs."""
    built = app_factory(
        LMS_CERTIFICATE_DIR=str(tmp_path / "store"),
        LMS_REDIS_URL="redis://127.0.0.1:6379/14",
        LMS_JOBS_QUEUE=f"lms-test-{uuid.uuid4().hex[:8]}",
    )
    with built.app_context():
        yield built
        jobs.rq_queue().delete(delete_jobs=True)
        session.remove()


def signed_in(app, email: str):
    client = app.test_client()
    client.set_cookie("lms_lang", "en")
    response = login(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def zip_names(response) -> dict[str, bytes]:
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def render_everything() -> None:
    admin = find_by_email("admin@example.org")
    done, errors = bulk.issue_and_render(bulk.to_do(bulk.resolve(SLUG, None, admin)))
    assert (done, errors) == (len(LEARNERS), [])


def test_hr_starts_the_bulk_issue_watches_it_finish_and_downloads_the_zip(cert_app, world):
    client = signed_in(cert_app, "hr-a@example.org")
    assert f'href="{MANAGE}"' in text(client.get("/"))
    choose = text(client.get(MANAGE))
    assert "Course bulk-course" in choose and "Division A" in choose and "Section A1" in choose
    assert "Division B" not in choose and "Everyone in my scope" in choose

    url = f"{MANAGE}?course={SLUG}&unit="
    shown = text(client.get(url))
    assert '<dd id="count-completed">3</dd>' in shown and '<dd id="count-to-do">3</dd>' in shown
    assert '<dd id="count-rendered">0</dd>' in shown
    started = post_form(client, f"{MANAGE}/issue", {"course": SLUG, "unit": ""}, page=url)
    assert started.status_code == 302
    job_url = started.headers["Location"]
    job_id = job_url.rsplit("/", 1)[1]
    assert job_url == f"/certificates/jobs/{job_id}"
    wait_for(job_id)

    progress = text(client.get(job_url))
    assert 'http-equiv="refresh"' not in progress
    assert '<progress id="job-progress" max="3" value="3">100%</progress>' in progress
    assert '<dd id="job-done">3</dd>' in progress and '<dd id="job-failed">0</dd>' in progress
    assert "Finished" in progress
    assert '<dd id="count-rendered">3</dd>' in text(client.get(url))

    download = client.get(f"{job_url}.zip")
    assert "certificates-bulk-course.zip" in download.headers["Content-Disposition"]
    files = zip_names(download)
    assert set(files) == {f"{world.serial(key)}.pdf" for key in IN_A}
    for key in IN_A:
        attached = PdfReader(io.BytesIO(files[f"{world.serial(key)}.pdf"])).attachments["certificate.json"]
        assert json.loads(attached[0]) == service.render_data(world.certificate(key))
    assert zip_names(client.get(f"{LIST}.zip")) == files
    assert set(zip_names(client.get(f"{LIST}.zip?unit=UNIT-A1"))) == {f"{world.serial('a2')}.pdf"}


def test_the_progress_page_refreshes_while_waiting_and_is_private(rq_app):
    build_world()
    client = signed_in(rq_app, "hr-a@example.org")
    url = f"{MANAGE}?course={SLUG}&unit=UNIT-A1"
    started = post_form(client, f"{MANAGE}/issue", {"course": SLUG, "unit": "UNIT-A1"}, page=url)
    job_url = started.headers["Location"]

    waiting = text(client.get(job_url))  # queued in Redis: no worker has taken it yet
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert '<progress id="job-progress" max="1" value="0">0%</progress>' in waiting
    assert "Waiting for a worker" in waiting and "Section A1" in waiting
    assert "Download the PDFs" not in waiting
    assert signed_in(rq_app, "hr-b@example.org").get(job_url).status_code == 404
    assert signed_in(rq_app, "hr-b@example.org").get(f"{job_url}.zip").status_code == 404
    assert signed_in(rq_app, "a1@example.org").get(job_url).status_code == 403
    assert signed_in(rq_app, "admin@example.org").get(job_url).status_code == 200

    from lms.jobs.worker import Worker

    queue = jobs.rq_queue()
    Worker([queue], connection=queue.connection).work(burst=True)
    wait_for(job_url.rsplit("/", 1)[1], seconds=10)
    finished = text(client.get(job_url))
    assert 'http-equiv="refresh"' not in finished and "100%" in finished
    assert "Download the PDFs (ZIP)" in finished


def test_hr_cannot_start_list_download_or_revoke_outside_their_scope(cert_app, world):
    render_everything()
    client = signed_in(cert_app, "hr-a@example.org")
    chosen = client.get(f"{MANAGE}?course={SLUG}&unit=UNIT-B")
    assert chosen.status_code == 400 and "Choose one of the org units in the list." in text(chosen)
    refused = post_form(client, f"{MANAGE}/issue", {"course": SLUG, "unit": "UNIT-B"}, page=MANAGE)
    assert refused.status_code == 403 and "The org unit UNIT-B is not in your scope." in text(refused)
    assert session.scalar(select(func.count()).select_from(Job)) == 0
    assert client.get(f"{LIST}?unit=UNIT-B").status_code == 403
    assert client.get(f"{LIST}.zip?unit=UNIT-B").status_code == 403
    assert set(zip_names(client.get(f"{LIST}.zip"))) == {f"{world.serial(key)}.pdf" for key in IN_A}

    listed = text(client.get(LIST))
    assert all(world.serial(key) in listed for key in IN_A)
    assert world.serial("b1") not in listed and "Boonmee" not in listed
    other = world.serial("b1")
    assert client.get(f"{MANAGE}/{other}").status_code == 404
    token = csrf_token(client, MANAGE)
    revoked = client.post(f"{MANAGE}/{other}/revoke", data={"csrf_token": token, "reason": "ผิด"})
    reissued = client.post(f"{MANAGE}/{other}/reissue", data={"csrf_token": token})
    assert (revoked.status_code, reissued.status_code) == (404, 404)
    session.expire_all()
    b1 = world.certificate("b1")
    assert b1.serial == other and b1.revoked_at is None and b1.superseded_by_id is None


def test_revoking_needs_a_reason_and_is_audited(cert_app, world):
    client = signed_in(cert_app, "hr-a@example.org")
    serial, code = world.serial("a1"), world.certificate("a1").verification_code
    page = f"{MANAGE}/{serial}"
    assert "Valid" in text(client.get(page))

    blank = post_form(client, f"{page}/revoke", {"reason": "   "}, page=page)
    assert blank.status_code == 400 and "Give the reason for the revocation." in text(blank)
    no_token = client.post(f"{page}/revoke", data={"reason": "ชื่อสะกดผิด"})
    assert no_token.status_code == 400 and "The form had expired" in text(no_token)
    session.expire_all()
    assert world.certificate("a1").revoked_at is None

    done = post_form(client, f"{page}/revoke", {"reason": "ชื่อสะกดผิด"}, page=page)
    assert done.status_code == 302 and done.headers["Location"] == page
    shown = text(client.get(page))
    assert f"Certificate {serial} has been revoked." in shown
    assert "Revoked" in shown and "by ทดสอบ hr" in shown and "Reason: ชื่อสะกดผิด" in shown
    session.expire_all()
    revoked = world.certificate("a1")
    assert revoked.revoked_by_id == find_by_email("hr-a@example.org").id
    assert revoked.revoked_reason == "ชื่อสะกดผิด" and revoked.revoked_at is not None
    verified = client.get(f"/verify/{serial}.json?c={code}").get_json()
    assert (verified["status"], verified["revoked_reason"]) == ("revoked", "ชื่อสะกดผิด")
    assert re.search(rf"{serial}</a></td>.*?Revoked", text(client.get(LIST)), re.S)
    again = client.post(f"{page}/revoke", data={"csrf_token": csrf_token(client, MANAGE), "reason": "x"})
    assert again.status_code == 409 and "already revoked" in text(again)


def test_reissue_supersedes_and_the_old_serial_verifies_as_superseded(cert_app, world):
    learner = find_by_email("a1@example.org")
    learner.first_name_th = "อรุณีย์"
    session.commit()
    client = signed_in(cert_app, "admin@example.org")
    old = world.certificate("a1")
    old_serial, old_code = old.serial, old.verification_code
    page = f"{MANAGE}/{old_serial}"
    response = post_form(client, f"{page}/reissue", page=page)
    assert response.status_code == 302
    new_serial = response.headers["Location"].rsplit("/", 1)[1]
    assert new_serial != old_serial

    session.expire_all()
    new = world.certificate("a1")
    assert (new.serial, new.issue_number) == (new_serial, 2)
    assert new.data["learner"]["full_name_th"] == "อรุณีย์ ทดสอบ" and new.pdf_sha256
    assert (
        session.scalar(select(Certificate.superseded_by_id).where(Certificate.serial == old_serial)) == new.id
    )
    verified = client.get(f"/verify/{old_serial}.json?c={old_code}").get_json()
    assert (verified["status"], verified["superseded_by"]) == ("superseded", new_serial)
    old_page = text(client.get(page))
    assert f"replaced by {new_serial}" in old_page and "reissue-submit" not in old_page
    assert f'Replaces</dt><dd><a href="{page}">{old_serial}</a>' in text(client.get(f"{MANAGE}/{new_serial}"))
    again = client.post(f"{page}/reissue", data={"csrf_token": csrf_token(client, MANAGE)})
    assert again.status_code == 409 and "already re-issued" in text(again)
    assert session.scalar(select(func.count()).where(Certificate.user_id == learner.id)) == 2


def test_admin_lists_everyone_and_searches_by_name_or_serial_in_constant_queries(cert_app, world):
    client = signed_in(cert_app, "admin@example.org")
    engine = cert_app.extensions["sqlalchemy"].engine
    queries = []

    def count(*_args) -> None:
        queries[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        queries.append(0)
        everyone = text(client.get(LIST))
        queries.append(0)
        one = text(client.get(f"{LIST}?q=บุญมี"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert all(world.serial(key) in everyone for key in LEARNERS)
    assert "5 certificates found." in everyone
    assert world.serial("b1") in one and world.serial("a1") not in one and "1 certificates found." in one
    assert queries[0] == queries[1]
    by_serial = text(client.get(f"{LIST}?q={world.serial('a2').lower()}"))
    assert world.serial("a2") in by_serial and "1 certificates found." in by_serial
    assert "1 certificates found." in text(client.get(f"{LIST}?q=amporn"))


def test_bad_query_parameters_are_400_with_a_message(cert_app, world):
    client = signed_in(cert_app, "admin@example.org")
    cases = {
        f"{LIST}?page=abc": "The page number must be a whole number from 1 to 100000.",
        f"{LIST}?page=0": "The page number must be a whole number from 1 to 100000.",
        f"{LIST}?page=99999999999999999999": "The page number must be a whole number from 1 to 100000.",
        "/certificates/courses/nope": "No published course has the slug nope.",
        f"{MANAGE}?course=nope": "Choose one of the courses in the list.",
        f"{LIST}?unit=UNIT-Z": "No org unit has the code UNIT-Z.",
    }
    for url, message in cases.items():
        response = client.get(url)
        assert (response.status_code, message in text(response)) == (400, True), url
    empty = client.get(f"{LIST}.zip")
    assert empty.status_code == 404 and "No certificate of this selection has been rendered yet" in text(
        empty
    )
    assert client.get("/certificates/jobs/no-such-job").status_code == 404


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(cert_app, world):
    client = signed_in(cert_app, "admin@example.org")
    serial = world.serial("a1")
    refused = [
        client.post(f"{MANAGE}/issue", data={"course": SLUG, "unit": ""}),
        client.post(f"{MANAGE}/{serial}/reissue"),
        client.post(f"{MANAGE}/{serial}/revoke", data={"reason": "ไม่มีโทเค็น"}),
    ]
    assert [response.status_code for response in refused] == [400, 400, 400]
    assert all("The form had expired" in text(response) for response in refused)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Job)) == 0
    assert session.scalar(select(func.count()).select_from(Certificate)) == len(LEARNERS)
    assert world.certificate("a1").revoked_at is None and world.serial("a1") == serial


def test_learners_are_refused_and_visitors_sent_to_sign_in(cert_app, world):
    learner = signed_in(cert_app, "a1@example.org")
    assert learner.get(MANAGE).status_code == 403
    assert learner.get(LIST).status_code == 403
    assert f'href="{MANAGE}"' not in text(learner.get("/"))
    visitor = cert_app.test_client().get(MANAGE)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
