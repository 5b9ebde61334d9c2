"""LRS credentials: administrators make them (the secret shown once), list and revoke them, in
the admin page and with ``flask lms xapi credentials``; everyone else is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import session
from lms.xapi.lrs.auth import digest
from lms.xapi.lrs.models import LrsCredential
from tests.conftest import csrf_token, login, post_form
from tests.lrs.conftest import VERSION

PAGE = "/admin/lrs/credentials/"
CREATE = ["lms", "xapi", "credentials", "create"]
STATE = "/xapi/activities/state?activityId=http://example.org/a"
SECRET_RE = re.compile(r'data-testid="new-secret">([A-Za-z0-9_-]+)<')
HEADER_RE = re.compile(r'data-testid="new-header">Authorization: (Basic [A-Za-z0-9+/=]+)<')


def create_in_page(client, name="Authoring tool", scopes=("statements/write", "state")):
    return post_form(client, PAGE, {"name": name, "scopes": list(scopes)})


def test_an_admin_creates_credentials_shown_once_and_stored_as_a_hash(as_role, users, app):
    client = as_role("admin")
    response = create_in_page(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    stored = session.scalar(select(LrsCredential))
    assert stored.name == "Authoring tool" and stored.scopes == ["statements/write", "state"]
    assert stored.created_by_id == users["admin"].id and stored.is_active
    secret = SECRET_RE.search(page).group(1)
    assert stored.secret_sha256 == digest(secret) and secret not in stored.secret_sha256
    assert "http://127.0.0.1:5000/xapi/" in page  # the endpoint a tool is configured with
    header = HEADER_RE.search(page).group(1)
    assert client.get(STATE, headers={**VERSION, "Authorization": header}).status_code != 401
    again = client.get(PAGE).get_data(as_text=True)
    assert secret not in again and stored.key in again and "Authoring tool" in again
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "lrs_credential.create"))
    assert entry.actor_id == users["admin"].id and entry.subject == f"lrs_credential:{stored.key}"
    assert entry.details["scopes"] == ["statements/write", "state"]


def test_the_page_is_in_thai_with_a_hint_for_every_scope(as_role):
    page = as_role("admin").get(PAGE).get_data(as_text=True)
    assert "ข้อมูลเข้าใช้ LRS" in page
    for scope in ("statements/write", "statements/read/mine", "statements/read", "all/read", "state"):
        assert f'value="{scope}"' in page
    assert page.count('class="hint"') == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scopes": ["state"]}, "ตั้งชื่อ"),
        ({"name": "No scopes"}, "ขอบเขต"),
        ({"name": "Bad scope", "scopes": ["statements/delete"]}, ""),
        ({"name": "x" * 201, "scopes": ["state"]}, ""),
    ],
)
def test_a_bad_form_is_400_and_writes_nothing(as_role, data, message):
    response = post_form(as_role("admin"), PAGE, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(LrsCredential)) is None
    assert session.scalar(select(AuditEntry)) is None


@pytest.mark.parametrize("role", ["learner", "hr", "trainer"])
def test_only_administrators_reach_the_page(as_role, role):
    client = as_role(role)
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/")
    refused = client.post(PAGE, data={"csrf_token": token, "name": "mine", "scopes": ["all"]})
    assert refused.status_code == 403
    assert session.scalar(select(LrsCredential)) is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_only_administrators_see_the_link(app, as_role, users):
    assert PAGE not in as_role("hr").get("/").get_data(as_text=True)
    admin = app.test_client()
    login(admin, users["admin"].email)
    assert PAGE in admin.get("/").get_data(as_text=True)


def test_revoking_asks_first_then_refuses_the_credentials(as_role, users):
    client = as_role("admin")
    header = HEADER_RE.search(create_in_page(client).get_data(as_text=True)).group(1)
    stored = session.scalar(select(LrsCredential))
    confirm = client.get(f"{PAGE}{stored.id}/revoke")
    assert confirm.status_code == 200 and stored.key in confirm.get_data(as_text=True)
    session.refresh(stored)
    assert stored.is_active  # the GET only asks
    assert client.post(f"{PAGE}{stored.id}/revoke").status_code == 400  # no CSRF token
    response = post_form(client, f"{PAGE}{stored.id}/revoke")
    assert response.status_code == 302
    session.refresh(stored)
    assert not stored.is_active
    refused = client.get(STATE, headers={**VERSION, "Authorization": header})
    assert refused.status_code == 401
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "lrs_credential.revoke"))
    assert entry.actor_id == users["admin"].id
    assert "ถูกเพิกถอน" in client.get(PAGE).get_data(as_text=True)


def test_a_learner_cannot_revoke(as_role, users):
    from lms.xapi.lrs.credentials import create_credential

    stored, _ = create_credential("tool", ["state"], users["admin"])
    session.commit()
    client = as_role("learner")
    assert client.get(f"{PAGE}{stored.id}/revoke").status_code == 403
    token = csrf_token(client, "/")
    assert client.post(f"{PAGE}{stored.id}/revoke", data={"csrf_token": token}).status_code == 403
    session.refresh(stored)
    assert stored.is_active


def test_the_command_creates_lists_and_revokes(runner, users):
    admin = users["admin"].email
    made = runner.invoke(
        args=[
            *CREATE,
            "--name",
            "Dashboard",
            "--scope",
            "all/read",
            "--scope",
            "statements/read/mine",
            "--by",
            admin,
        ]
    )
    assert made.exit_code == 0, made.output
    stored = session.scalar(select(LrsCredential))
    assert stored.scopes == ["statements/read/mine", "all/read"]
    secret = re.search(r"secret:\s+(\S+)", made.output).group(1)
    assert stored.secret_sha256 == digest(secret)
    assert "Authorization: Basic " in made.output and "/xapi/" in made.output
    listed = runner.invoke(args=["lms", "xapi", "credentials", "list"])
    assert stored.key in listed.output and "active" in listed.output and secret not in listed.output
    revoked = runner.invoke(args=["lms", "xapi", "credentials", "revoke", stored.key, "--by", admin])
    assert revoked.exit_code == 0, revoked.output
    session.refresh(stored)
    assert not stored.is_active
    assert "revoked" in runner.invoke(args=["lms", "xapi", "credentials", "list"]).output
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["lrs_credential.create", "lrs_credential.revoke"]


def test_the_command_refuses_non_admins_and_bad_input(runner, users):
    base = [*CREATE, "--name", "x", "--scope", "state", "--by"]
    assert runner.invoke(args=[*base, users["hr"].email]).exit_code == 1
    assert runner.invoke(args=[*base, "nobody@example.org"]).exit_code == 1
    bad_scope = [*CREATE, "--name", "x", "--scope", "nope", "--by", users["admin"].email]
    assert runner.invoke(args=bad_scope).exit_code != 0
    assert session.scalar(select(LrsCredential)) is None
    revoke = ["lms", "xapi", "credentials", "revoke", "nosuchkey", "--by", users["admin"].email]
    assert runner.invoke(args=revoke).exit_code == 1
