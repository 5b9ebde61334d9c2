"""The admin page of the relay: administrators only, each target's backlog, parked statements
and last error, and "test connection" against a real local HTTP server; secrets never shown."""

from __future__ import annotations

import base64

import pytest

from lms.extensions import session
from lms.xapi.relay.runner import drain_all
from lms.xapi.service import record_many
from tests.conftest import login, make_user, post_form
from tests.relay.conftest import a_statement, target

PAGE = "/admin/xapi/relay"


@pytest.fixture
def admin_client(relaying):
    make_user("admin", email="relay-admin@example.org")
    client = relaying.test_client()
    assert login(client, "relay-admin@example.org").status_code == 302
    return client


@pytest.mark.parametrize("role", ["hr", "trainer", "learner"])
def test_only_administrators_see_the_page(relaying, role):
    make_user(role, email=f"{role}-relay@example.org")
    client = relaying.test_client()
    login(client, f"{role}-relay@example.org")
    assert client.get(PAGE).status_code == 403
    assert post_form(client, PAGE + "/test", {"target": "ministry"}, page="/").status_code == 403


def test_the_page_shows_backlog_parked_statements_and_the_last_error(admin_client, fake_lrs):
    rows = record_many([a_statement() for _ in range(4)])
    session.commit()
    poison = rows[0].id
    fake_lrs.answer = lambda b: (
        (400, '{"error":"unknown verb"}') if any(s["id"] == poison for s in b) else (503, "busy")
    )
    drain_all()
    page = admin_client.get(PAGE).get_data(as_text=True)
    assert "ministry" in page and fake_lrs.url in page
    assert poison in page and "unknown verb" in page
    assert "HTTP 503: busy" in page
    assert "s3cret-pass" not in page


def test_test_connection_gets_about_with_the_credentials_and_shows_the_answer(admin_client, fake_lrs):
    response = post_form(admin_client, PAGE + "/test", {"target": "ministry"}, page=PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "HTTP 200" in page and "1.0.3" in page and "s3cret-pass" not in page
    (request,) = fake_lrs.requests
    assert request["method"] == "GET" and request["path"] == "/xapi/about"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"lms:s3cret-pass").decode()


def test_test_connection_shows_a_target_that_does_not_answer(app_factory):
    made = app_factory(
        LMS_XAPI_FORWARD=(target("http://127.0.0.1:9/xapi/", name="gone"),), LMS_XAPI_RELAY_TIMEOUT=1.0
    )
    with made.app_context():
        make_user("admin", email="relay-admin2@example.org")
        client = made.test_client()
        login(client, "relay-admin2@example.org")
        page = post_form(client, PAGE + "/test", {"target": "gone"}, page=PAGE).get_data(as_text=True)
        assert "no answer" in page and "ConnectionError" in page


def test_the_cli_tests_a_connection(relaying, fake_lrs):
    result = relaying.test_cli_runner().invoke(args=["lms", "xapi", "relay", "test", "ministry"])
    assert result.exit_code == 0 and "ministry: HTTP 200" in result.output


def test_the_page_shows_a_bad_setting(app_factory):
    broken = app_factory(LMS_XAPI_FORWARD=({"name": "typo", "endpoint": "lrs.example/xapi"},))
    with broken.app_context():
        make_user("admin", email="relay-admin3@example.org")
        client = broken.test_client()
        login(client, "relay-admin3@example.org")
        page = client.get(PAGE).get_data(as_text=True)
        assert "an http(s) endpoint are required" in page and "relay backfill TARGET" in page
