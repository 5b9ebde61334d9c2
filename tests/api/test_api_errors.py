"""Every answer under /api/v1 is JSON, bad input included: a 400 that names the parameter, never
a 500 and never an HTML page (standalone and mounted in a host app).

They call as ``hr_a``, an HR officer scoped to one department, with a real token.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from lms import LMS
from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit
from lms.api import tokens
from lms.extensions import session
from tests.conftest import RequestIsolatedClient, make_app, make_user, shared_app

FILTERS = ["course", "staff_group", "unit", "province", "region", "from", "to", "fy", "breakdown", "status"]
LIST_PARAMETERS = [*FILTERS, "sort", "page", "per_page"]
ENDPOINTS = {
    "/api/v1/reports/completion": FILTERS,
    "/api/v1/reports/learners": LIST_PARAMETERS,
    "/api/v1/reports/hours": [name for name in LIST_PARAMETERS if name not in ("breakdown", "status")],
}


@pytest.fixture(scope="module")
def site(database_url):
    """An app with one HR officer scoped to one department, and a real token of theirs."""

    def build():
        unit = OrgUnit(
            code="T-DA", name_th="กรมเอ", name_en="Department A", kind="department", is_central=True
        )
        session.add(unit)
        session.flush()
        hr = make_user("hr", email="hr_a@example.org")
        accounts.set_scopes(hr, [unit.id], [])
        _row, plain = tokens.create_token(hr, "errors test")
        session.commit()
        return plain

    with shared_app(database_url, build) as (app, plain):
        yield app, plain


@pytest.fixture
def client(site):
    return site[0].test_client()


@pytest.fixture
def hr_token(site):
    return site[1]


def _get(client, token: str, path: str, language: str | None = None, **params):
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    return client.get(path, query_string=params or None, headers=headers)


def _error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["status"] == status
    return body["message"]


def test_a_nul_byte_in_any_filter_is_a_json_400_naming_it(client, hr_token):
    for path, names in ENDPOINTS.items():
        for name in names:
            message = _error(_get(client, hr_token, path, **{name: "T-DA\x00"}), 400)
            assert f"พารามิเตอร์ {name} มีอักขระควบคุม" in message, (path, name)


def test_a_nul_byte_in_a_person_id_is_a_json_400(client, hr_token):
    message = _error(_get(client, hr_token, "/api/v1/reports/learners/abc%00def", language="en"), 400)
    assert "control character" in message and "user_uuid" in message


@pytest.mark.parametrize("value", ["²", "๑๐", "1²", "１０", "10.0", "-1"])
def test_per_page_takes_ascii_digits_only(client, hr_token, value):
    message = _error(_get(client, hr_token, "/api/v1/reports/learners", per_page=value), 400)
    assert "per_page" in message and "0-9" in message


@pytest.mark.parametrize(("name", "value"), [("page", "²"), ("page", "๒"), ("fy", "๒๕๖๙"), ("fy", "2569²")])
def test_page_and_fiscal_year_take_ascii_digits_only(client, hr_token, name, value):
    _error(_get(client, hr_token, "/api/v1/reports/hours", **{name: value}), 400)


def test_messages_follow_accept_language(client, hr_token):
    english = _error(_get(client, hr_token, "/api/v1/reports/learners", language="en", per_page="²"), 400)
    assert english == "per_page must be a whole number from 1 to 1000, in the digits 0-9, not ²."
    thai = _error(_get(client, hr_token, "/api/v1/reports/learners", per_page="²"), 400)
    assert thai == "per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 1000 เขียนด้วยตัวเลข 0-9 ไม่ใช่ ²"
    refused = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert _error(refused, 401) == "Send an API token: 'Authorization: Bearer <token>'."


def test_unknown_paths_and_wrong_methods_are_json(client, hr_token):
    headers = {"Authorization": f"Bearer {hr_token}", "Accept-Language": "en"}
    assert "openapi.json" in _error(client.get("/api/v1/no-such-thing", headers=headers), 404)
    assert "openapi.json" in _error(client.get("/api/v1", headers=headers), 404)
    not_allowed = client.post("/api/v1/me", headers=headers)
    assert "POST" in _error(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]
    assert _error(client.delete("/api/v1/reports/hours", headers=headers), 405)


def test_a_page_outside_the_api_keeps_its_html_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_server_error_in_the_api_is_json(tmp_path):
    """The database is unreachable (a real failure: its folder does not exist)."""
    broken = make_app(f"sqlite:///{tmp_path / 'missing' / 'lms.sqlite3'}")
    response = broken.test_client().get("/api/v1/me", headers={"Authorization": "Bearer lms_abc"})
    message = _error(response, 500)
    assert message == "เกิดข้อผิดพลาดในระบบ บันทึกข้อผิดพลาดไว้แล้ว โปรดลองใหม่ภายหลัง"


def _host(database_url: str) -> Flask:
    host = Flask("host")
    host.config.update(SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="host-secret", TESTING=True)
    host.test_client_class = RequestIsolatedClient
    SQLAlchemy(host)

    @host.errorhandler(404)
    def host_not_found(_error):
        return "the host's own 404 page", 404

    @host.errorhandler(Exception)
    def host_error(_error):
        return "the host's own error page", 500

    LMS(host, url_prefix="/learn")
    return host


def test_in_plugin_mode_api_errors_are_json_and_the_host_keeps_its_pages(tmp_path):
    host = _host(f"sqlite:///{tmp_path / 'missing' / 'host.sqlite3'}")
    client = host.test_client()
    headers = {"Accept-Language": "en"}
    assert "openapi.json" in _error(client.get("/learn/api/v1/nothing", headers=headers), 404)
    assert "POST" in _error(client.post("/learn/api/v1/me", headers=headers), 405)
    nul = client.get("/learn/api/v1/reports/learners", query_string={"unit": "\x00"}, headers=headers)
    assert "unit" in _error(nul, 400)
    failed = client.get("/learn/api/v1/me", headers={"Authorization": "Bearer lms_abc", **headers})
    assert "Something went wrong on our side" in _error(failed, 500)
    host_page = client.get("/nothing")
    assert host_page.status_code == 404 and host_page.get_data(as_text=True) == "the host's own 404 page"


def test_the_openapi_document_states_the_ranges_the_api_accepts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/reports/learners", "/reports/hours"):
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000}
        assert params["per_page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
        assert params["fy"]["schema"] == {"type": "integer", "minimum": 2500, "maximum": 2699}
        assert "from/to" in params["fy"]["description"]
