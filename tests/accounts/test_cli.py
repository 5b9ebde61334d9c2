import re

from sqlalchemy import func, select

from lms.accounts.models import OrgUnit, User
from lms.extensions import session
from tests.conftest import login


def test_users_create_then_sign_in(runner, client):
    result = runner.invoke(
        args=[
            "lms",
            "users",
            "create",
            "--email",
            "Nok@Example.org",
            "--first-name",
            "นก",
            "--last-name",
            "บิน",
            "--title",
            "นางสาว",
            "--role",
            "trainer",
            "--staff-group",
            "practitioner",
            "--password",
            "a-good-password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "nok@example.org (trainer)" in result.output
    assert login(client, "nok@example.org", "a-good-password").status_code == 302


def test_users_create_refuses_a_short_password_and_a_duplicate(runner):
    short = runner.invoke(
        args=[
            "lms",
            "users",
            "create",
            "--email",
            "a@example.org",
            "--first-name",
            "ก",
            "--last-name",
            "ข",
            "--password",
            "short",
        ]
    )
    assert short.exit_code == 1
    assert "รหัสผ่านต้องยาวอย่างน้อย 10 ตัวอักษร" in short.stderr
    assert session.scalar(select(func.count()).select_from(User)) == 0
    args = [
        "lms",
        "users",
        "create",
        "--email",
        "a@example.org",
        "--first-name",
        "ก",
        "--last-name",
        "ข",
        "--password",
        "long-enough-pw",
    ]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert "มีผู้ใช้ที่ใช้อีเมล a@example.org อยู่แล้ว" in again.stderr


def test_set_and_reset_password(runner, client, users):
    email = users["learner"].email
    assert (
        runner.invoke(
            args=["lms", "users", "set-password", email, "--password", "brand-new-password"]
        ).exit_code
        == 0
    )
    assert login(client, email, "brand-new-password").status_code == 302
    result = runner.invoke(args=["lms", "users", "reset-password", email])
    new_password = re.search(r"new password: (\S+)", result.output).group(1)
    other = client.application.test_client()
    assert login(other, email, new_password).status_code == 302
    missing = runner.invoke(args=["lms", "users", "reset-password", "ghost@example.org"])
    assert missing.exit_code == 1 and "no user has the email ghost@example.org" in missing.stderr


def test_demo_load_is_idempotent_and_prints_passwords_once(runner, client):
    first = runner.invoke(args=["lms", "demo", "load"])
    assert first.exit_code == 0, first.output
    passwords = dict(re.findall(r"(\S+@lms\.example)\s+password: (\S+)", first.output))
    assert set(passwords) == {
        "learner@lms.example",
        "executive@lms.example",
        "trainer@lms.example",
        "hr@lms.example",
        "admin@lms.example",
    }
    units = session.scalar(select(func.count()).select_from(OrgUnit))
    second = runner.invoke(args=["lms", "demo", "load"])
    assert second.exit_code == 0
    assert "password:" not in second.output
    assert "exists already" in second.output
    assert session.scalar(select(func.count()).select_from(OrgUnit)) == units
    assert login(client, "hr@lms.example", passwords["hr@lms.example"]).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "ยินดีต้อนรับ ว่าที่ร้อยตรีสมชาย รายงานดี" in home
    assert "เจ้าหน้าที่ทรัพยากรบุคคล" in home
