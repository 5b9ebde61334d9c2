"""Chosen passwords: common and context-specific ones are refused (NIST SP 800-63B, ADR 0030),
and every failed sign-in costs one real argon2 verification, whatever the reason."""

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from lms.accounts import passwords
from lms.accounts.models import User
from lms.core.i18n import LANG_COOKIE
from lms.extensions import session
from tests.conftest import PASSWORD, login, make_user, post_form

COMMON = "password1234"
SOMCHAI = {
    "email": "somchai.jaidee@example.org",
    "first_name_th": "สมชาย",
    "last_name_th": "ใจดี",
    "first_name_en": "Somchai",
    "last_name_en": "Jaidee",
}


@pytest.fixture
def somchai(app):
    return make_user(**SOMCHAI)


def change(client, new: str, current: str = PASSWORD):
    data = {"current_password": current, "new_password": new, "confirm": new}
    return post_form(client, "/account/password", data)


REFUSED = [
    (COMMON, "รหัสผ่านนี้ใช้กันทั่วไปหรือเดาง่ายเกินไป"),
    ("qwertyuiop123", "รหัสผ่านนี้ใช้กันทั่วไปหรือเดาง่ายเกินไป"),
    ("somchai.jaidee@example.org", "รหัสผ่านต้องไม่ประกอบขึ้นจากชื่อของคุณ อีเมลของคุณ หรือชื่อเว็บไซต์"),
    ("Somchai.Jaidee2024", "รหัสผ่านต้องไม่ประกอบขึ้นจากชื่อของคุณ"),
    ("สมชายใจดี1234", "รหัสผ่านต้องไม่ประกอบขึ้นจากชื่อของคุณ"),
    ("DigitalGovernmentLearning1", "รหัสผ่านต้องไม่ประกอบขึ้นจากชื่อของคุณ"),
    ("ระบบการเรียนรู้รัฐบาลดิจิทัล", "รหัสผ่านต้องไม่ประกอบขึ้นจากชื่อของคุณ"),
]


def test_change_password_refuses_common_and_personal_passwords(client, somchai):
    login(client, somchai.email)
    for password, thai in REFUSED:
        refused = change(client, password)
        assert refused.status_code == 400, password
        assert thai in refused.get_data(as_text=True), password
    assert client.get("/").status_code == 200, "a refused change keeps the session"
    other = client.application.test_client()
    assert login(other, somchai.email).location == "/", "the old password still works"


def test_the_refusal_is_in_english_for_an_english_visitor(client, somchai):
    client.set_cookie(LANG_COOKIE, "en")
    login(client, somchai.email)
    page = change(client, COMMON).get_data(as_text=True)
    assert "This password is too common or too easy to guess." in page
    page = change(client, "jaidee-somchai-99").get_data(as_text=True)
    assert "The password must not be made of your name, your email address or the site&#39;s name." in page


def test_a_long_phrase_and_the_test_password_are_accepted(client, somchai):
    login(client, somchai.email)
    assert change(client, "somchai rides a violet tractor").status_code == 302
    assert passwords.password_problem(PASSWORD, 10, ["learner@example.org"]) is None


def test_admin_create_with_a_common_password_is_refused_and_writes_nothing(runner, app):
    args = ["lms", "users", "create", "--email", "new@example.org", "--first-name", "ใหม่"]
    result = runner.invoke(args=[*args, "--last-name", "ทดสอบ", "--password", COMMON])
    assert result.exit_code == 1
    assert "รหัสผ่านนี้ใช้กันทั่วไปหรือเดาง่ายเกินไป" in result.stderr
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_admin_set_password_refuses_the_users_own_email(runner, somchai):
    result = runner.invoke(
        args=["lms", "users", "set-password", somchai.email, "--password", "Somchai.Jaidee@example.org"]
    )
    assert result.exit_code == 1
    assert "รหัสผ่านต้องไม่ประกอบขึ้นจากชื่อของคุณ" in result.stderr


def test_the_first_change_after_a_reset_refuses_a_common_password(app, runner, somchai):
    output = runner.invoke(args=["lms", "users", "reset-password", somchai.email]).output
    temporary = re.search(r"new password: (\S+)", output).group(1)
    client = app.test_client()
    assert login(client, somchai.email, temporary).location == "/account/password"
    refused = change(client, COMMON, current=temporary)
    assert "รหัสผ่านนี้ใช้กันทั่วไปหรือเดาง่ายเกินไป" in refused.get_data(as_text=True)
    assert client.get("/").location == "/account/password"


class CountingHasher(PasswordHasher):
    """argon2's own hasher, counting the verifications it really does."""

    verified = 0

    def verify(self, hash, password):
        CountingHasher.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def counting(monkeypatch):
    CountingHasher.verified = 0
    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    return CountingHasher


def test_every_failed_sign_in_verifies_one_real_hash(client, app, counting):
    make_user(email="with@example.org")
    make_user(email="without@example.org", password=None)
    inactive = make_user(email="inactive@example.org", password=None)
    inactive.is_active = False
    session.commit()
    for email in ("with@example.org", "without@example.org", "inactive@example.org", "nobody@example.org"):
        before = counting.verified
        assert login(client, email, "wrong-password-123").status_code == 400
        assert counting.verified - before == 1, email


def test_an_account_without_a_password_cannot_sign_in_with_the_dummy_one(client, app):
    make_user(email="without@example.org", password=None)
    assert login(client, "without@example.org", "not-a-real-password").status_code == 400
