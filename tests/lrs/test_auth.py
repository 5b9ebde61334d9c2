"""Who may use the LRS: HTTP Basic credentials with scopes, a learner's session, refusals.

A small test-only route guarded by ``auth.require`` shows what a client notices (status, the
``WWW-Authenticate`` challenge, the JSON error) and which principal the LRS saw.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from flask import jsonify
from sqlalchemy import event, select

from lms.accounts.access import load_current_user
from lms.extensions import session
from lms.xapi.lrs import auth
from lms.xapi.lrs.errors import Forbidden, LrsError
from lms.xapi.lrs.models import LrsCredential
from tests.conftest import login
from tests.lrs.conftest import VERSION, LrsClient, make_credential


@pytest.fixture
def probe(app, client):
    """``probe(scope, authorization)``: GET a test route that needs ``scope``."""

    def view(scope: str):
        load_current_user()  # what the LMS blueprint does before each of its requests
        principal = auth.require(scope)(auth.current_principal)()
        return jsonify(
            kind=principal.kind,
            scopes=sorted(principal.scopes),
            authority=principal.authority,
            user_id=principal.user_id,
            credential_id=principal.credential_id,
            actor=principal.actor,
        )

    app.add_url_rule("/test-lrs-probe/<path:scope>", "test_lrs_probe", view)
    app.register_error_handler(LrsError, lambda error: error.response())

    def call(scope: str = "statements/write", authorization: str | None = None):
        headers = {**VERSION, **({"Authorization": authorization} if authorization is not None else {})}
        return client.get(f"/test-lrs-probe/{scope}", headers=headers)

    return call


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def assert_refused(response, status: int = 401) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and response.get_json()["error"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_no_authorization_is_401_with_a_basic_challenge(probe):
    assert_refused(probe())


def test_a_real_lrs_route_challenges_an_anonymous_client(client):
    response = client.get("/xapi/activities/state?activityId=http://example.org/a", headers=VERSION)
    assert_refused(response)


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),  # not UTF-8
        "Bearer abc",
        "Digest username=x",
    ],
)
def test_malformed_authorization_is_401(probe, authorization):
    assert_refused(probe(authorization=authorization))


def test_unknown_key_and_wrong_secret_are_401(probe):
    credential, _ = make_credential(["all"])
    assert_refused(probe(authorization=basic("nosuchkey:secret")))
    assert_refused(probe(authorization=basic(f"{credential.key}:wrong-secret")))
    assert_refused(probe(authorization=basic(f"{credential.key}:")))


def test_a_credential_works_until_it_is_revoked(probe):
    credential, authorization = make_credential(["statements/write"], name="authoring tool")
    response = probe(authorization=authorization)
    assert response.status_code == 200
    seen = response.get_json()
    assert seen["kind"] == "credential" and seen["credential_id"] == credential.id
    assert seen["authority"]["account"]["name"] == credential.key
    assert seen["actor"] is None
    credential.revoked_at = datetime.now(UTC)
    session.commit()
    assert_refused(probe(authorization=authorization))


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        ("statements/write", "statements/write", True),
        ("statements/write", "statements/read/mine", False),
        ("statements/read/mine", "statements/read", False),
        ("statements/read", "statements/read/mine", True),
        ("all/read", "statements/read", True),
        ("all/read", "statements/write", False),
        ("state", "state", True),
        ("state", "profile", False),
        ("all", "define", True),
        ("all", "statements/write", True),
    ],
)
def test_scopes_are_checked_and_implied_ones_count(probe, held, needed, allowed):
    _, authorization = make_credential([held])
    response = probe(needed, authorization)
    if allowed:
        assert response.status_code == 200
    else:
        assert_refused(response, 403)
        assert needed in response.get_json()["error"]


def test_a_signed_in_learner_acts_as_themself_with_the_lms_as_authority(app, client, probe, users):
    login(client, users["learner"].email)
    response = probe("statements/write")
    assert response.status_code == 200, response.get_data(as_text=True)
    seen = response.get_json()
    assert seen["kind"] == "session" and seen["user_id"] == users["learner"].id
    assert seen["authority"]["account"]["name"] == "lms"
    assert seen["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": app.config["LMS_BASE_URL"], "name": users["learner"].uuid},
    }
    assert_refused(probe("statements/read"), 403)


def test_principals_with_an_actor_may_only_speak_for_it():
    mine = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "u-1"}}
    learner = auth.Principal("session", auth.SESSION_SCOPES, {}, user_id=1, actor=mine)
    tool = auth.Principal("credential", frozenset({"all"}), {}, credential_id=1)
    other = {"account": {"homePage": "https://lms.example", "name": "u-2"}}
    verb = {"id": "http://adlnet.gov/expapi/verbs/experienced"}
    learner.check_statement({"actor": {"account": dict(mine["account"])}, "verb": verb})
    tool.check_statement({"actor": other, "verb": verb})
    for actor in (other, {"mbox": "mailto:x@example.org"}, {**mine, "objectType": "Group"}, None):
        with pytest.raises(Forbidden):
            learner.check_statement({"actor": actor, "verb": verb})
    assert learner.reads_only_own and not tool.reads_only_own
    assert learner.owns_agent(mine) and not learner.owns_agent(other) and tool.owns_agent(other)


def test_last_used_is_written_at_most_once_a_minute(app, probe):
    credential, authorization = make_credential(["statements/write"])
    engine = app.extensions["sqlalchemy"].engine
    updates = []

    def spy(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE LMS_LRS_CREDENTIALS"):
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        assert probe(authorization=authorization).status_code == 200
        first = session.scalar(select(LrsCredential.last_used_at).where(LrsCredential.id == credential.id))
        assert first is not None and datetime.now(UTC) - first < timedelta(minutes=1)
        for _ in range(3):
            assert probe(authorization=authorization).status_code == 200
        assert len(updates) == 1
        row = session.get(LrsCredential, credential.id)
        row.last_used_at = first - timedelta(minutes=2)
        session.commit()
        updates.clear()
        assert probe(authorization=authorization).status_code == 200
        assert len(updates) == 1
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    session.expire_all()
    assert session.get(LrsCredential, credential.id).last_used_at > first - timedelta(seconds=1)


def _statement(actor: dict) -> dict:
    return {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}},
        "object": {"objectType": "Activity", "id": "http://example.com/meetings/1"},
    }


def _ids(client: LrsClient) -> set[str]:
    response = client.get("/xapi/statements")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["id"] for s in response.get_json()["statements"]}


def test_read_mine_cannot_read_other_credentials_statements(client, lrs):
    mine = LrsClient(client, make_credential(["statements/write", "statements/read/mine"])[1])
    reader = LrsClient(client, make_credential(["statements/read"])[1])
    [own] = mine.post("/xapi/statements", json=_statement({"mbox": "mailto:ann@example.org"})).get_json()
    [other] = lrs.post("/xapi/statements", json=_statement({"mbox": "mailto:ann@example.org"})).get_json()
    assert _ids(mine) == {own}
    assert mine.get(f"/xapi/statements?statementId={other}").status_code == 404
    assert _ids(reader) == {own, other}
    assert (
        reader.post("/xapi/statements", json=_statement({"mbox": "mailto:bob@example.org"})).status_code
        == 403
    )


def test_credentials_also_work_in_the_alternate_request_syntax(client):
    _, authorization = make_credential(["statements/read"])
    form = {"Authorization": authorization, "X-Experience-API-Version": "1.0.3"}
    assert client.post("/xapi/statements?method=GET", data=form).status_code == 200
    form["Authorization"] = basic("nosuchkey:secret")
    assert_refused(client.post("/xapi/statements?method=GET", data=form))
