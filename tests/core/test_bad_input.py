"""Bad input in a page's address or form is a 400 that says what is wrong, never a 500.

A NUL byte reaches PostgreSQL as a query psycopg refuses (a 500 there, silently stored on
SQLite); a superscript or Thai page number passes ``str.isdigit`` and then fails ``int`` or
means something else; CR/LF in a redirect target cannot be put in a Location header.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.api.models import ApiToken
from lms.core.i18n import LANG_COOKIE
from lms.extensions import session
from tests.conftest import PASSWORD, login, make_user, post_form, shared_app

CONTROL_PAGE = "อักขระควบคุม"
EMAIL = {role: f"{role}@example.org" for role in ("learner", "hr", "admin")}


@pytest.fixture(scope="module")
def site(database_url):
    """One app and one user per role for the module: these tests only read, or clean up."""

    def build():
        for role, email in EMAIL.items():
            make_user(role, email=email)

    with shared_app(database_url, build, LMS_LOGIN_RATE_LIMIT="1000 per minute") as (app, _):
        yield app


@pytest.fixture
def client(site):
    with site.app_context():
        yield site.test_client()
        session.rollback()
        session.remove()


def _error_text(response) -> str:
    return response.get_data(as_text=True)


def test_nul_in_an_address_or_query_is_a_400_naming_the_parameter(client):
    login(client, EMAIL["learner"])
    in_path = client.get("/courses/bas%00ics")
    assert in_path.status_code == 400
    assert "ที่อยู่เว็บมีอักขระควบคุม (เช่น NUL) อยู่ใน slug" in _error_text(in_path)
    in_query = client.get("/courses", query_string={"q": "ba\x00sics"})
    assert in_query.status_code == 400
    assert "พารามิเตอร์ q มีอักขระควบคุม" in _error_text(in_query)
    other_control = client.get("/courses", query_string={"group": "general\x1b"})
    assert other_control.status_code == 400 and CONTROL_PAGE in _error_text(other_control)


def test_nul_in_a_serial_or_a_job_id_is_a_400(client):
    verify = client.get("/verify/DG-2569%00-1")  # anyone may verify
    assert verify.status_code == 400 and "อยู่ใน serial" in _error_text(verify)
    login(client, EMAIL["hr"])
    job = client.get("/certificates/jobs/job%00id")
    assert job.status_code == 400 and "อยู่ใน job_id" in _error_text(job)


def test_the_message_is_in_english_for_an_english_reader(client):
    login(client, EMAIL["learner"])
    client.set_cookie(LANG_COOKIE, "en")
    response = client.get("/courses", query_string={"q": "\x00"})
    assert response.status_code == 400
    assert "The query parameter q contains a control character (such as NUL)" in _error_text(response)


def test_nul_in_a_form_field_is_a_400_and_signs_no_one_in(client):
    response = post_form(client, "/login", {"email": EMAIL["learner"] + "\x00", "password": PASSWORD})
    assert response.status_code == 400
    assert "ช่อง email ของแบบฟอร์มมีอักขระควบคุม" in _error_text(response)
    assert client.get("/").status_code == 302  # still signed out


def test_nul_in_a_token_name_writes_no_token(client):
    login(client, EMAIL["hr"])
    response = post_form(client, "/account/api-tokens", {"name": "dash\x00board", "days": ""})
    assert response.status_code == 400
    assert "ช่อง name ของแบบฟอร์มมีอักขระควบคุม" in _error_text(response)
    assert session.scalar(select(func.count(ApiToken.id))) == 0


def test_tab_and_newline_stay_allowed(client):
    login(client, EMAIL["hr"])
    response = post_form(client, "/account/api-tokens", {"name": "HR\tdashboard\r\n", "days": ""})
    assert response.status_code == 200
    assert session.scalars(select(ApiToken.name)).all() == ["HR\tdashboard"]
    session.execute(ApiToken.__table__.delete())
    session.commit()


@pytest.mark.parametrize("page", ["²", "๑", "1²", "-1", "0", "1.0", "１"])
def test_a_page_number_must_be_ascii_digits(client, page):
    login(client, EMAIL["hr"])
    response = client.get("/assignments", query_string={"page": page})
    assert response.status_code == 400
    assert "หมายเลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1" in _error_text(response)


def test_a_superscript_page_in_the_admin_user_list_is_a_400(client):
    login(client, EMAIL["admin"])
    response = client.get("/admin/users", query_string={"page": "²"})
    assert response.status_code == 400
    assert "หมายเลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100000" in _error_text(response)
    assert client.get("/admin/users", query_string={"page": "2"}).status_code == 200


@pytest.mark.parametrize(
    "target",
    ["/courses\r\nSet-Cookie: stolen=1", "/courses\nX: y", "/\t/evil.example", "/\r/evil.example"],
)
def test_a_bad_next_after_login_goes_home_and_the_user_is_signed_in(client, target):
    response = post_form(
        client,
        "/login",
        {"email": EMAIL["learner"], "password": PASSWORD},
        page="/login",
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")
    home = client.get("/")
    assert home.status_code == 200  # signed in, not sent back to the login page


def test_a_good_next_after_login_is_followed(client):
    response = post_form(
        client,
        "/login",
        {"email": EMAIL["learner"], "password": PASSWORD},
        page="/login",
        query_string={"next": "/courses?q=ข้อมูล"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/courses?q=")


def test_a_bad_next_on_the_language_switch_goes_home_in_the_new_language(client):
    login(client, EMAIL["learner"])
    response = post_form(client, "/language/en", {"next": "/courses\r\nX-Evil: 1"}, page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Evil" not in response.headers
    assert "Page not found" in _error_text(client.get("/no/such/page"))
