"""API tokens: shown once, stored hashed, refused once revoked or expired, HR and admin only."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from lms.accounts import service as accounts
from lms.api.models import ApiToken
from lms.extensions import session
from tests.conftest import post_form

TOKEN_RE = re.compile(r'data-testid="new-token">(lms_[A-Za-z0-9_-]+)<')


def _api(client, token: str | None, path: str = "/api/v1/openapi.json"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def _create_in_page(client, name: str = "HR dashboard", days: str = "") -> str:
    response = post_form(client, "/account/api-tokens", {"name": name, "days": days})
    assert response.status_code == 200, response.get_data(as_text=True)
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "the new token is shown on the page"
    return match.group(1)


def test_hr_creates_a_token_that_is_shown_once_and_stored_only_as_a_hash(as_role, users):
    client = as_role("hr")
    plain = _create_in_page(client)
    stored = session.scalar(select(ApiToken))
    assert stored.user_id == users["hr"].id and stored.name == "HR dashboard"
    assert stored.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in stored.prefix and plain.startswith(stored.prefix)
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert plain not in again and stored.prefix in again


def test_a_token_authenticates_until_it_is_revoked(as_role, client, users, app_factory):
    hr = as_role("hr")
    plain = _create_in_page(hr)
    token = session.scalar(select(ApiToken))
    other = app_factory().test_client()
    assert _api(other, plain, "/api/v1/me").status_code == 200
    response = post_form(hr, f"/account/api-tokens/{token.id}/revoke", page="/account/api-tokens")
    assert response.status_code == 302
    refused = _api(other, plain, "/api/v1/me")
    assert refused.status_code == 401
    assert "ถูกเพิกถอน" in refused.get_json()["error"]["message"]  # Thai unless Accept-Language asks
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_calls_without_a_valid_bearer_token_are_refused_with_json(client, users):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer lms_wrong"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.is_json and response.get_json()["error"]["status"] == 401


def test_a_signed_in_browser_session_does_not_open_the_api(as_role):
    client = as_role("admin")
    assert client.get("/api/v1/me").status_code == 401


def test_an_expired_token_or_one_whose_user_lost_the_hr_role_is_refused(app, client, users):
    from lms.api import tokens

    hr = users["hr"]
    token, plain = tokens.create_token(hr, "short", days=1)
    session.commit()
    assert _api(client, plain, "/api/v1/me").status_code == 200
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    assert _api(client, plain, "/api/v1/me").status_code == 401
    token.expires_at = None
    accounts.set_roles(hr, ["learner"])
    session.commit()
    assert _api(client, plain, "/api/v1/me").status_code == 401


def test_learners_have_no_token_page_and_cannot_get_tokens(as_role, runner, users):
    client = as_role("learner")
    assert client.get("/account/api-tokens").status_code == 403
    result = runner.invoke(
        args=["lms", "api", "tokens", "create", "--user", users["learner"].email, "--name", "x"]
    )
    assert result.exit_code == 1
    assert "not an HR or admin user" in result.output
    assert session.scalar(select(func.count(ApiToken.id))) == 0


def test_bad_token_form_input_is_explained_and_writes_nothing(as_role):
    client = as_role("hr")
    for data, message in (
        ({"name": "", "days": ""}, "This field is required."),
        ({"name": "x" * 101, "days": ""}, "Field cannot be longer than 100 characters."),
        ({"name": "ok", "days": "0"}, "Number must be between 1 and 3650."),
        ({"name": "ok", "days": "many"}, "กรอกจำนวนเต็มด้วยตัวเลข 0-9"),
        ({"name": "ok", "days": "๑๐"}, "กรอกจำนวนเต็มด้วยตัวเลข 0-9"),
        ({"name": "ok", "days": "²"}, "กรอกจำนวนเต็มด้วยตัวเลข 0-9"),
    ):
        response = post_form(client, "/account/api-tokens", data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert client.post("/account/api-tokens", data={"name": "no csrf"}).status_code == 400
    assert session.scalar(select(func.count(ApiToken.id))) == 0


def test_hr_cannot_revoke_someone_elses_token_but_an_admin_can(as_role, users, app_factory):
    from lms.api import tokens
    from tests.conftest import login, make_user

    other_hr = make_user("hr")
    token, _plain = tokens.create_token(other_hr, "theirs")
    session.commit()
    hr = as_role("hr")
    assert (
        post_form(hr, f"/account/api-tokens/{token.id}/revoke", page="/account/api-tokens").status_code == 404
    )
    admin = app_factory().test_client()
    login(admin, users["admin"].email)
    assert (
        post_form(admin, f"/account/api-tokens/{token.id}/revoke", page="/account/api-tokens").status_code
        == 302
    )
    session.refresh(token)
    assert token.revoked_at is not None


def test_the_cli_creates_lists_and_revokes_tokens(runner, users, client):
    email = users["hr"].email
    created = runner.invoke(
        args=["lms", "api", "tokens", "create", "--user", email, "--name", "nightly export"]
    )
    assert created.exit_code == 0, created.output
    plain = created.output.strip().splitlines()[-1]
    assert _api(client, plain, "/api/v1/me").status_code == 200
    listed = runner.invoke(args=["lms", "api", "tokens", "list"]).output
    assert "nightly export" in listed and "active" in listed and plain not in listed
    token_id = listed.split("\t")[0]
    refused = runner.invoke(args=["lms", "api", "tokens", "revoke", token_id, "--by", users["learner"].email])
    assert refused.exit_code == 1 and "may not revoke" in refused.output
    revoked = runner.invoke(args=["lms", "api", "tokens", "revoke", token_id, "--by", email])
    assert revoked.exit_code == 0, revoked.output
    assert _api(client, plain, "/api/v1/me").status_code == 401
    again = runner.invoke(args=["lms", "api", "tokens", "revoke", token_id, "--by", email])
    assert again.exit_code == 1 and "already revoked" in again.output


def test_me_tells_the_token_user_their_scope(app, client, users):
    from lms.accounts.models import OrgUnit
    from lms.api import tokens

    unit = OrgUnit(code="DEP-A", name_th="กรมเอ", name_en="Department A", kind="department")
    session.add(unit)
    session.flush()
    accounts.set_scopes(users["hr"], [unit.id], [])
    _token, plain = tokens.create_token(users["hr"], "me")
    session.commit()
    body = _api(client, plain, "/api/v1/me").get_json()
    assert body["roles"] == ["hr", "learner"]
    assert body["scope"] == {"all": False, "org_units": ["DEP-A"], "provinces": []}
