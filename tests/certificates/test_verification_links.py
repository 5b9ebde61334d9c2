"""The verification link on a certificate (built when it is rendered, on LMS_BASE_URL and the
mount prefix), what the verify form accepts, revoked certificates' PDFs, and the start-up
checks of a production deployment."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from pypdf import PdfReader
from sqlalchemy import select

from lms import LMS, create_app
from lms.certificates import service
from lms.certificates.deployment import MissingBaseURL
from lms.certificates.models import Certificate
from lms.extensions import session
from tests.certificates.test_issue import complete_course
from tests.conftest import login, make_user

BASE = "https://lms.example.go.th:8443"


@pytest.fixture
def learner(app):
    return make_user(email="links@example.org", first_name_th="ลิงก์", last_name_th="ทดสอบ")


def test_the_link_follows_the_base_url_and_mount_prefix_even_outside_a_request(
    app_factory, learner, tmp_path
):
    certificate = complete_course(learner)
    serial, code = certificate.serial, certificate.verification_code
    # A row written by an older version kept a link to the wrong place: it is not used.
    certificate.data = {**certificate.data, "verify_url": f"http://127.0.0.1:5000/verify/{serial}?c={code}"}
    session.commit()
    mounted = app_factory(LMS_URL_PREFIX="/learn", LMS_BASE_URL=BASE, LMS_CERTIFICATE_DIR=str(tmp_path))
    link = f"{BASE}/learn/verify/{serial}?c={code}"
    with mounted.app_context():
        # The bulk issue renders outside any request, as a worker does.
        result = mounted.test_cli_runner().invoke(
            args=["lms", "certificates", "issue", "--course", "cert-course"]
        )
        assert result.exit_code == 0, result.output
        (stored,) = tmp_path.glob("*.pdf")
        pdf = PdfReader(stored)
        assert f'"verify_url":"{link}"' in pdf.attachments["certificate.json"][0].decode()
        assert link in pdf.pages[0].extract_text().replace("\n", "")

        client = mounted.test_client()
        assert "ลิงก์ ทดสอบ" in client.get(f"/learn/verify/{serial}?c={code}").get_data(as_text=True)
    session.expire_all()
    stored_data = session.scalar(select(Certificate.data).where(Certificate.serial == serial))
    assert stored_data["verify_url"] != link  # rendered from today's settings, never stored


@pytest.mark.parametrize(
    "typed",
    ["{code}", "{lower}", "{hyphens}", "{spaced}", " {lower_hyphens} "],
)
def test_the_code_may_be_typed_with_hyphens_spaces_and_small_letters(client, learner, typed):
    certificate = complete_course(learner)
    code = certificate.verification_code
    variants = {
        "code": code,
        "lower": code.lower(),
        "hyphens": f"{code[:4]}-{code[4:8]}-{code[8:]}",
        "spaced": f"{code[:5]} {code[5:]}",
        "lower_hyphens": f"{code[:3]}-{code[3:]}".lower(),
    }
    page = client.get(f"/verify/{certificate.serial}", query_string={"c": typed.format(**variants)})
    assert page.status_code == 200
    assert "เกียรติบัตรฉบับนี้ถูกต้องและยังมีผล" in page.get_data(as_text=True)


def test_codes_and_serials_that_cannot_exist_answer_404(client, learner):
    certificate = complete_course(learner)
    serial, code = certificate.serial, certificate.verification_code
    for asked_serial, asked_code in [
        (serial, "รหัสไทย"),
        (serial, code[:5] + "é" + code[5:]),
        ("DG-๒๕๖๙-000001", code),
    ]:
        page = client.get(f"/verify/{asked_serial}", query_string={"c": asked_code})
        assert page.status_code == 404, (asked_serial, asked_code)
        assert "ไม่พบเกียรติบัตรที่ตรงกับเลขที่และรหัสนี้" in page.get_data(as_text=True)
        body = client.get(f"/verify/{asked_serial}.json", query_string={"c": asked_code})
        assert body.status_code == 404 and body.get_json()["status"] == "unknown"
    # A NUL in the query string is refused before the view (400, naming the parameter); the
    # lookups themselves never send it to the database (PostgreSQL would fail on it).
    for nul in (
        client.get(f"/verify/{serial}", query_string={"c": code + "\x00"}),
        client.get(f"/verify/{serial}\x00", query_string={"c": code}),
        client.get(f"/verify/{serial}\x00.json", query_string={"c": code}),
    ):
        assert nul.status_code in (400, 404) and "ลิงก์" not in nul.get_data(as_text=True)
    assert service.find_for_verification(serial, code + "\x00") is None
    assert service.find_for_verification(serial + "\x00", code) is None
    login(client, learner.email)
    assert client.get("/certificates/DG-\x00.pdf").status_code in (400, 404)
    assert client.get("/certificates/เลขที่.pdf").status_code == 404


def test_a_revoked_or_superseded_certificate_cannot_be_downloaded(client, learner, users):
    certificate = complete_course(learner)
    serial = certificate.serial
    service.revoke(certificate, "ข้อมูลผิด", users["admin"])
    session.commit()
    login(client, learner.email)
    refused = client.get(f"/certificates/{serial}.pdf")
    assert refused.status_code == 409 and refused.mimetype == "text/html"
    assert f"เกียรติบัตรเลขที่ {serial} ถูกเพิกถอนเมื่อ" in refused.get_data(as_text=True)
    mine = client.get("/learning/certificates").get_data(as_text=True)
    assert f"/certificates/{serial}.pdf" not in mine and "ดาวน์โหลดไม่ได้อีก" in mine

    new = service.reissue(certificate, users["admin"])
    session.commit()
    replaced = client.get(f"/certificates/{serial}.pdf")
    assert replaced.status_code == 409
    assert f"ถูกแทนที่ด้วยเกียรติบัตรเลขที่ {new.serial}" in replaced.get_data(as_text=True)


def test_production_refuses_to_start_without_a_base_url(monkeypatch, database_url):
    monkeypatch.delenv("LMS_BASE_URL", raising=False)
    monkeypatch.setenv("LMS_ENV", "production")
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k"}
    with pytest.raises(MissingBaseURL, match="LMS_BASE_URL is not set and LMS_ENV is production"):
        create_app(settings)
    assert create_app({**settings, "LMS_BASE_URL": BASE}).config["LMS_BASE_URL"] == BASE
    monkeypatch.setenv("LMS_ENV", "development")  # what `make run` has: the default works
    assert create_app(settings).config["LMS_BASE_URL"] == "http://127.0.0.1:5000"


def test_a_host_in_production_without_a_base_url_gets_an_error_in_its_log(caplog, database_url):
    host = Flask("host")
    host.config.update(SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="s", LMS_ENV="production")
    SQLAlchemy(host)
    with caplog.at_level(logging.WARNING, logger="lms.certificates.deployment"):
        LMS(host, url_prefix="/learn")
    messages = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "lms.certificates.deployment"
    ]
    errors = [m for level, m in messages if level == "ERROR"]
    assert any("LMS_BASE_URL is not set and LMS_ENV is production" in m for m in errors)
    # With the default settings certificates name no issuer and no signatory: said at start-up.
    assert any(level == "WARNING" and "certificates name no issuer" in m for level, m in messages)
    assert any(level == "WARNING" and "no signatory and a blank signature area" in m for level, m in messages)
