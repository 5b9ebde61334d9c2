"""``flask lms users set-role EMAIL ROLE [--remove]``: the first admin, and promoting people."""

from sqlalchemy import select

from lms.accounts import service
from lms.accounts.models import OrgUnit, User
from lms.audit.models import AuditEntry
from lms.extensions import session
from tests.conftest import login, make_user


def roles_of(email: str) -> set[str]:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email)).roles


def test_set_role_makes_the_first_admin(runner, app):
    make_user(email="first@example.org")
    client = app.test_client()
    login(client, "first@example.org")
    assert client.get("/admin/users").status_code == 403

    result = runner.invoke(args=["lms", "users", "set-role", "First@Example.org", "admin"])

    assert result.exit_code == 0, result.output
    assert "first@example.org: role admin added; roles: admin, learner" in result.output
    assert client.get("/admin/users").status_code == 200
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.role_added"))
    assert entry.details == {"role": "admin"}


def test_set_role_again_changes_nothing(runner, app):
    make_user(email="again@example.org")
    assert runner.invoke(args=["lms", "users", "set-role", "again@example.org", "trainer"]).exit_code == 0
    result = runner.invoke(args=["lms", "users", "set-role", "again@example.org", "trainer"])
    assert result.exit_code == 0
    assert "nothing to change" in result.output
    assert roles_of("again@example.org") == {"learner", "trainer"}
    assert len(session.scalars(select(AuditEntry)).all()) == 1


def test_remove_hr_takes_the_reports_and_the_scope_away(runner, app):
    unit = OrgUnit(code="U-1", name_th="หน่วย", name_en="Unit", kind="division")
    session.add(unit)
    officer = make_user("hr", email="officer@example.org")
    service.set_scopes(officer, [unit.id], [])
    session.commit()
    client = app.test_client()
    login(client, "officer@example.org")
    assert client.get("/reports").status_code == 200

    result = runner.invoke(args=["lms", "users", "set-role", "officer@example.org", "hr", "--remove"])

    assert result.exit_code == 0, result.output
    assert "role hr removed; roles: learner" in result.output
    assert client.get("/reports").status_code == 403
    session.expire_all()
    assert session.get(User, officer.id).scopes == []


def test_an_unknown_email_is_a_clear_error_and_writes_nothing(runner, app):
    result = runner.invoke(args=["lms", "users", "set-role", "nobody@example.org", "admin"])
    assert result.exit_code == 1
    assert "Error: no user has the email nobody@example.org" in result.stderr
    assert session.scalars(select(AuditEntry)).all() == []


def test_an_unknown_role_is_a_clear_error_and_writes_nothing(runner, app):
    make_user(email="plain@example.org")
    result = runner.invoke(args=["lms", "users", "set-role", "plain@example.org", "boss"])
    assert result.exit_code == 2
    assert "'boss' is not one of 'learner', 'trainer', 'hr', 'admin'" in result.stderr
    assert roles_of("plain@example.org") == {"learner"}
    assert session.scalars(select(AuditEntry)).all() == []
