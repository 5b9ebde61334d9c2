"""Issuing on completion (exactly once), verification (public, private, rate-limited),
"My certificates", download, revocation and re-issue."""

import json
import re
import threading

import pytest
from sqlalchemy import func, select

from lms.certificates import service
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.xapi.models import StoredStatement
from tests.conftest import login, make_course, make_user


def complete_course(learner, slug="cert-course"):
    course = make_course(slug, modules=1, lessons_per_module=1)
    courses.enrol(learner, course)
    courses.leave_lesson(learner, course, courses.lessons_in_order(course)[0], 60, complete=True)
    session.commit()
    return session.scalar(select(Certificate).where(Certificate.user_id == learner.id))


@pytest.fixture
def learner(app):
    return make_user(
        email="cert@example.org",
        title_th="นางสาว",
        first_name_th="ปิ่นแก้ว",
        last_name_th="ใจดี",
        title_en="Ms.",
        first_name_en="Pinkaew",
        last_name_en="Jaidee",
    )


def test_completing_a_course_issues_one_certificate(learner):
    certificate = complete_course(learner)
    assert re.fullmatch(r"DG-25\d\d-\d{6}", certificate.serial)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{10}", certificate.verification_code)
    data = certificate.data
    assert data["learner"]["full_name_th"] == "นางสาวปิ่นแก้ว ใจดี"
    assert data["learner"]["full_name_en"] == "Ms. Pinkaew Jaidee"
    assert data["course"] == {
        "title_th": "หลักสูตร cert-course",
        "title_en": "Course cert-course",
        "hours": 2.0,
    }
    # The serial and code are stored; the verification URL is built when the PDF is rendered.
    assert "verify_url" not in data
    earned = session.scalar(select(StoredStatement).where(StoredStatement.verb_id.like("%/earned")))
    statement = json.loads(earned.raw)
    assert (
        statement["object"]["id"]
        == f"http://127.0.0.1:5000/xapi/activities/certificates/{certificate.serial}"
    )
    # PDPA: nothing in the statement leads to the learner's name: no verification code, no URL
    # of the verification page, no name.
    assert certificate.verification_code not in earned.raw
    assert "/verify/" not in earned.raw
    assert "ปิ่นแก้ว" not in earned.raw and "Pinkaew" not in earned.raw
    enrolment = session.get(Enrolment, certificate.registration)
    assert service.issue(enrolment).id == certificate.id
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_concurrent_issues_give_one_certificate(app, learner):
    course = make_course("race", modules=1, lessons_per_module=1)
    enrolment = courses.enrol(learner, course)
    session.commit()
    registration = enrolment.registration
    barrier, serials = threading.Barrier(2), []

    def issue():
        with app.app_context():
            own = session.get(Enrolment, registration)
            barrier.wait()
            serials.append(service.issue(own).serial)
            session.commit()
            session.remove()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(serials) == 2 and serials[0] == serials[1]
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_verification_needs_the_code_and_shows_only_name_course_and_date(client, learner):
    certificate = complete_course(learner)
    url = f"/verify/{certificate.serial}"
    bare = client.get(url).get_data(as_text=True)
    assert "ปิ่นแก้ว" not in bare and "กรอกรหัสตรวจสอบ" in bare
    wrong = client.get(f"{url}?c=AAAAAAAAAA")
    assert wrong.status_code == 404 and "ปิ่นแก้ว" not in wrong.get_data(as_text=True)
    page = client.get(f"{url}?c={certificate.verification_code.lower()}").get_data(as_text=True)
    assert "เกียรติบัตรฉบับนี้ถูกต้องและยังมีผล" in page and "นางสาวปิ่นแก้ว ใจดี" in page
    assert "cert@example.org" not in page and learner.uuid not in page
    body = client.get(f"{url}.json?c={certificate.verification_code}&lang=en").get_json()
    assert body == {
        "status": "valid",
        "serial": certificate.serial,
        "name": "Ms. Pinkaew Jaidee",
        "course": "Course cert-course",
        "completed_on": certificate.data["completed_on"],
    }
    assert client.get("/verify/DG-2500-999999.json?c=X").status_code == 404


def test_revoke_and_reissue_show_on_verification(client, learner, runner, users):
    certificate = complete_course(learner)
    serial, code = certificate.serial, certificate.verification_code
    refused = runner.invoke(
        args=["lms", "certificates", "revoke", serial, "--reason", "x", "--by", users["learner"].email]
    )
    assert refused.exit_code == 1 and "is not an admin or HR user" in refused.stderr
    result = runner.invoke(
        args=["lms", "certificates", "revoke", serial, "--reason", "ข้อมูลผิดพลาด", "--by", users["admin"].email]
    )
    assert result.exit_code == 0, result.output
    body = client.get(f"/verify/{serial}.json?c={code}").get_json()
    assert body["status"] == "revoked" and body["revoked_reason"] == "ข้อมูลผิดพลาด"
    page = client.get(f"/verify/{serial}?c={code}").get_data(as_text=True)
    assert "เกียรติบัตรฉบับนี้ถูกเพิกถอนเมื่อ" in page and "ข้อมูลผิดพลาด" in page
    session.expire_all()
    assert session.scalar(select(Certificate.revoked_by_id)) == users["admin"].id

    learner.first_name_th = "ปิ่นมณี"
    session.commit()
    # (an HR officer re-issues only in their scope: tests/certificates/test_revoke_cli.py)
    reissued = runner.invoke(args=["lms", "certificates", "reissue", serial, "--by", users["admin"].email])
    assert reissued.exit_code == 0, reissued.output
    new_serial = reissued.output.split()[-1]
    assert client.get(f"/verify/{serial}.json?c={code}").get_json()["superseded_by"] == new_serial
    session.expire_all()
    new = service.by_serial(new_serial)
    assert new.data["learner"]["full_name_th"] == "นางสาวปิ่นมณี ใจดี" and new.issue_number == 2


def test_verification_is_rate_limited(app_factory, learner):
    certificate = complete_course(learner)
    limited = app_factory(LMS_VERIFY_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    statuses = [
        client.get(f"/verify/{certificate.serial}.json?c={certificate.verification_code}").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_my_certificates_page_and_download_are_private(client, learner, app):
    certificate = complete_course(learner)
    login(client, learner.email)
    page = client.get("/learning/certificates").get_data(as_text=True)
    link = f"http://127.0.0.1:5000/verify/{certificate.serial}?c={certificate.verification_code}"
    assert certificate.serial in page and f'href="{link}"' in page
    other = app.test_client()
    make_user(email="someone@example.org")
    login(other, "someone@example.org")
    assert other.get(f"/certificates/{certificate.serial}.pdf").status_code == 404
    assert "คุณยังไม่มีเกียรติบัตร" in other.get("/learning/certificates").get_data(as_text=True)


def test_download_renders_once_and_carries_the_data(app_factory, learner, tmp_path):
    import io

    from pypdf import PdfReader

    from tests.conftest import login

    certificate = complete_course(learner)
    stored = app_factory(LMS_CERTIFICATE_DIR=str(tmp_path))
    client = stored.test_client()
    login(client, learner.email)
    first = client.get(f"/certificates/{certificate.serial}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    attached = json.loads(PdfReader(io.BytesIO(first.data)).attachments["certificate.json"][0])
    link = f"http://127.0.0.1:5000/verify/{certificate.serial}?c={certificate.verification_code}"
    assert attached == {**certificate.data, "verify_url": link}
    (path,) = tmp_path.glob("*.pdf")
    modified = path.stat().st_mtime_ns
    second = client.get(f"/certificates/{certificate.serial}.pdf")
    assert second.data == first.data and path.stat().st_mtime_ns == modified
    session.expire_all()
    assert session.scalar(select(Certificate.pdf_sha256)) == path.stem


def test_bulk_issue_is_resumable_and_never_duplicates(app_factory, tmp_path):
    from lms.accounts.demo import demo_data, load_units
    from lms.accounts.models import OrgUnit

    load_units(demo_data()["units"])
    session.commit()
    units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
    course = make_course("bulk", modules=1, lessons_per_module=1)
    people = [
        make_user(email=f"p{i}@example.org", org_unit_id=units["DEMO-PO-CM" if i < 2 else "DEMO-DDS"])
        for i in range(3)
    ]
    for person in people:
        courses.enrol(person, course)
        courses.leave_lesson(person, course, courses.lessons_in_order(course)[0], 30, complete=True)
    session.commit()
    # Completion issued all three; none is rendered yet, as after a crash before rendering.
    assert (
        session.scalar(select(func.count()).select_from(Certificate).where(Certificate.pdf_sha256.is_(None)))
        == 3
    )

    bulk = app_factory(LMS_CERTIFICATE_DIR=str(tmp_path))
    with bulk.app_context():
        runner = bulk.test_cli_runner()
        ops = runner.invoke(args=["lms", "certificates", "issue", "--course", "bulk", "--unit", "DEMO-OPS"])
        assert ops.exit_code == 0, ops.output
        assert "2 certificate(s) for bulk issued and rendered" in ops.output
        everyone = runner.invoke(args=["lms", "certificates", "issue", "--course", "bulk"])
        assert "3 certificate(s)" in everyone.output
        again = runner.invoke(args=["lms", "certificates", "issue", "--course", "bulk"])
        assert again.exit_code == 0
        missing = runner.invoke(args=["lms", "certificates", "issue", "--course", "nope"])
        assert missing.exit_code == 1 and "no published course has the slug nope" in missing.stderr
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Certificate)) == 3
    assert (
        session.scalar(select(func.count()).select_from(Certificate).where(Certificate.pdf_sha256.is_(None)))
        == 0
    )
    assert len(list(tmp_path.glob("*.pdf"))) == 3
