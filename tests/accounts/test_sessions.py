"""Sign-in sessions end when they should: sign-out, password change or reset, deactivation,
idleness and age, with real session cookies copied between test clients (ADR 0029)."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_login.utils import encode_cookie

from lms.accounts import service
from lms.accounts.models import Role
from lms.extensions import session
from tests.conftest import PASSWORD, login, make_user, post_form

NEW_PASSWORD = "violet-tractor-monsoon-42"


@pytest.fixture
def learner(app):
    """One learner (each password hash costs a good part of a second: only the users needed)."""
    return make_user(email="learner@example.org")


def copy_session(source, target) -> None:
    """Give ``target`` the session cookie ``source`` holds, as someone who copied it would."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(app, learner):
    owner, thief = app.test_client(), app.test_client()
    login(owner, learner.email)
    copy_session(owner, thief)
    assert signed_in(thief)
    post_form(owner, "/logout", page="/")
    assert not signed_in(owner)
    assert not signed_in(thief)


def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(app, learner):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, learner.email)
    login(elsewhere, learner.email)
    changed = post_form(
        here,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert signed_in(here)
    home = elsewhere.get("/")
    assert home.status_code == 302 and home.location.startswith("/login")
    assert "เซสชันของคุณสิ้นสุดแล้ว" in elsewhere.get(home.location).get_data(as_text=True)


def test_an_admin_reset_ends_the_sessions_and_the_password_must_be_changed(app, learner):
    browser, admin = app.test_client(), app.test_client()
    make_user(Role.ADMIN, email="admin@example.org")
    login(browser, learner.email)
    login(admin, "admin@example.org")
    page = post_form(admin, f"/admin/users/{learner.id}/reset-password", page="/")
    temporary = re.search(r'<code id="new-password">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert not signed_in(browser)

    response = login(browser, learner.email, temporary)
    assert response.location == "/account/password"
    assert "โปรดตั้งรหัสผ่านใหม่" in browser.get("/account/password").get_data(as_text=True)
    for path in ("/", "/courses", "/admin/users"):
        blocked = browser.get(path)
        assert blocked.status_code == 302 and blocked.location == "/account/password", path
    same = post_form(
        browser,
        "/account/password",
        {"current_password": temporary, "new_password": temporary, "confirm": temporary},
    )
    assert "รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านปัจจุบัน" in same.get_data(as_text=True)
    assert browser.get("/").location == "/account/password"
    changed = post_form(
        browser,
        "/account/password",
        {"current_password": temporary, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert signed_in(browser)


def test_an_hr_officer_cannot_reset_anyone(client, learner):
    make_user(Role.HR, email="hr@example.org")
    login(client, "hr@example.org")
    response = post_form(client, f"/admin/users/{learner.id}/reset-password", page="/")
    assert response.status_code == 403
    other = client.application.test_client()
    assert login(other, learner.email).location == "/"


def test_deactivation_ends_the_sessions_even_if_the_account_comes_back(app, learner):
    browser = app.test_client()
    login(browser, learner.email)
    service.update_user(learner, {"is_active": False}, learner.roles)
    session.commit()
    service.update_user(learner, {"is_active": True}, learner.roles)
    session.commit()
    assert not signed_in(browser)
    assert login(browser, learner.email).location == "/"


def test_a_session_ends_after_the_idle_timeout(client, learner):
    login(client, learner.email)
    with client.session_transaction() as browser:
        browser["lms_seen_at"] -= 59 * 60
    assert signed_in(client), "59 minutes without a request is within the default hour"
    with client.session_transaction() as browser:
        browser["lms_seen_at"] -= 61 * 60
    home = client.get("/")
    assert home.status_code == 302 and home.location.startswith("/login")
    assert "ไม่มีการใช้งาน 60 นาที" in client.get(home.location).get_data(as_text=True)


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(client, learner):
    login(client, learner.email)
    with client.session_transaction() as browser:
        browser["lms_signed_in_at"] -= 11 * 3600
    assert signed_in(client)
    with client.session_transaction() as browser:
        browser["lms_signed_in_at"] -= 3600 + 60
    assert not signed_in(client)


def test_the_cookie_itself_expires_with_the_session(client, learner):
    login(client, learner.email)
    cookie = client.get_cookie("session")
    assert cookie.expires is not None
    assert cookie.expires <= datetime.now(UTC) + timedelta(hours=12, minutes=1)


def test_a_remember_me_cookie_does_not_sign_anyone_in(app):
    learner = make_user(email="remembered@example.org", password=None)
    forged = app.test_client()
    forged.set_cookie("remember_token", encode_cookie(learner.uuid))
    assert not signed_in(forged)


def test_an_old_session_cookie_without_an_epoch_is_refused(app):
    learner = make_user(email="old@example.org", password=None)
    old = app.test_client()
    with old.session_transaction() as browser:  # what a session made before the upgrade holds
        browser["_user_id"] = learner.uuid
        browser["_fresh"] = True
        browser["lms_seen_at"] = int(time.time())
    assert not signed_in(old)


def test_the_timeouts_are_settings(app_factory):
    make_user(email="short@example.org")
    short = app_factory(LMS_SESSION_IDLE_MINUTES=5, LMS_SESSION_MAX_HOURS=1)
    client = short.test_client()
    login(client, "short@example.org")
    assert client.get_cookie("session").expires <= datetime.now(UTC) + timedelta(hours=1, minutes=1)
    with client.session_transaction() as browser:
        browser["lms_seen_at"] -= 6 * 60
    assert not signed_in(client)
