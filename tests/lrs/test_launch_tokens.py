"""Launch tokens: short-lived LRS access for one learner's launch of one activity (cmi5)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from flask import jsonify
from sqlalchemy import select

from lms.extensions import session
from lms.xapi.lrs import auth, launch_tokens
from lms.xapi.lrs.errors import Forbidden, LrsError
from lms.xapi.lrs.launch_models import LrsLaunchToken
from lms.xapi.lrs.launch_tokens import LaunchTokenError, issue_launch_token
from tests.conftest import make_user
from tests.lrs.conftest import VERSION, LrsClient

ACTIVITY = "https://lms.example/activities/course/1/au/1"
VERB = {"id": "http://adlnet.gov/expapi/verbs/experienced"}


@pytest.fixture
def probe(app, client):
    """``probe(authorization, scope)``: the principal a test route guarded by ``scope`` saw."""

    def view(scope: str):
        principal = auth.require(scope)(auth.current_principal)()
        return jsonify(
            kind=principal.kind,
            scopes=sorted(principal.scopes),
            authority=principal.authority,
            user_id=principal.user_id,
            actor=principal.actor,
            registration=principal.registration,
            activity_id=principal.activity_id,
        )

    app.add_url_rule("/test-lrs-probe/<path:scope>", "test_lrs_probe", view)
    app.register_error_handler(LrsError, lambda error: error.response())

    def call(authorization: str, scope: str = "statements/write"):
        return client.get(f"/test-lrs-probe/{scope}", headers={**VERSION, "Authorization": authorization})

    return call


@pytest.fixture
def learner(app):
    return make_user()


def issue(learner, registration=None, **kwargs) -> str:
    plain = issue_launch_token(learner, ACTIVITY, registration, **kwargs)
    session.commit()
    return plain


def assert_401(response) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_a_token_is_stored_hashed_and_expires_after_the_configured_minutes(app, learner):
    before = datetime.now(UTC)
    plain = issue(learner)
    stored = session.scalar(select(LrsLaunchToken))
    assert stored.token_sha256 == launch_tokens.digest(plain) and plain not in stored.token_sha256
    assert stored.user_id == learner.id and stored.activity_id == ACTIVITY
    minutes = app.config["LMS_LRS_LAUNCH_TOKEN_MINUTES"]
    assert minutes == 120
    assert (
        before + timedelta(minutes=minutes)
        <= stored.expires_at
        <= datetime.now(UTC) + timedelta(minutes=minutes)
    )
    short = issue(learner, minutes=5)
    row = session.scalar(
        select(LrsLaunchToken).where(LrsLaunchToken.token_sha256 == launch_tokens.digest(short))
    )
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_content_authenticates_with_basic_token_colon(app, probe, learner):
    registration = str(uuid.uuid4())
    plain = issue(learner, registration.upper())
    assert launch_tokens.authorization(plain) == "Basic " + base64.b64encode(f"{plain}:".encode()).decode()
    response = probe(launch_tokens.authorization(plain))
    assert response.status_code == 200, response.get_data(as_text=True)
    seen = response.get_json()
    assert seen["kind"] == "launch" and seen["user_id"] == learner.id
    assert seen["scopes"] == ["state", "statements/read/mine", "statements/write"]
    assert seen["authority"]["account"]["name"] == "lms"  # the LMS vouches for its launches
    assert seen["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid},
    }
    assert seen["registration"] == registration and seen["activity_id"] == ACTIVITY
    assert probe(launch_tokens.authorization(plain), "state").status_code == 200


def test_a_launch_reads_only_its_learner_and_has_no_other_scope(probe, learner):
    authorization = launch_tokens.authorization(issue(learner))
    for scope in ("statements/read", "all/read", "profile", "define", "all"):
        assert probe(authorization, scope).status_code == 403


def test_expired_revoked_unknown_or_misused_tokens_are_401(probe, learner):
    expired = issue(learner)
    session.scalar(select(LrsLaunchToken)).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    assert_401(probe(launch_tokens.authorization(expired)))
    revoked = issue(learner)
    assert launch_tokens.revoke_launch_token(revoked)
    session.commit()
    assert_401(probe(launch_tokens.authorization(revoked)))
    assert_401(probe(launch_tokens.authorization("lt_" + "x" * 43)))
    with_secret = issue(learner)
    assert_401(probe("Basic " + base64.b64encode(f"{with_secret}:something".encode()).decode()))


def test_a_learners_tokens_of_a_registration_are_revoked_together(probe, learner):
    registration = str(uuid.uuid4())
    first, second, other = issue(learner, registration), issue(learner, registration), issue(learner)
    assert launch_tokens.revoke_launch_tokens(learner.id, registration) == 2
    session.commit()
    assert_401(probe(launch_tokens.authorization(first)))
    assert_401(probe(launch_tokens.authorization(second)))
    assert probe(launch_tokens.authorization(other)).status_code == 200


def test_a_deactivated_learners_token_is_401(probe, learner):
    plain = issue(learner)
    learner.is_active = False
    session.commit()
    assert_401(probe(launch_tokens.authorization(plain)))


@pytest.mark.parametrize(
    ("activity", "registration", "minutes"),
    [("", None, None), ("not an iri", None, None), (ACTIVITY, "not-a-uuid", None), (ACTIVITY, None, 0)],
)
def test_bad_requests_for_a_token_are_refused_and_write_nothing(learner, activity, registration, minutes):
    with pytest.raises(LaunchTokenError):
        issue_launch_token(learner, activity, registration, minutes=minutes)
    session.commit()
    assert session.scalar(select(LrsLaunchToken)) is None


def test_statements_of_a_launch_must_be_about_its_learner_in_its_registration(app, learner):
    registration = str(uuid.uuid4())
    plain = issue(learner, registration)
    principal = auth.launch_principal(plain)
    own = {"objectType": "Agent", "account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid}}
    context = {"registration": registration}
    principal.check_statement({"actor": own, "verb": VERB, "context": context})
    principal.check_statement({"actor": own, "verb": VERB, "context": {"registration": registration.upper()}})
    someone = {"objectType": "Agent", "account": {"homePage": app.config["LMS_BASE_URL"], "name": "other"}}
    refused = [
        {"actor": someone, "verb": VERB, "context": context},
        {"actor": own, "verb": VERB},
        {"actor": own, "verb": VERB, "context": {"registration": str(uuid.uuid4())}},
    ]
    for statement in refused:
        with pytest.raises(Forbidden):
            principal.check_statement(statement)
    assert principal.owns_agent(own) and not principal.owns_agent(someone)
    assert principal.reads_only_own


def _statement(actor: dict, registration: str) -> dict:
    return {
        "actor": actor,
        "verb": VERB,
        "object": {"objectType": "Activity", "id": ACTIVITY},
        "context": {"registration": registration},
    }


def test_content_writes_and_reads_only_its_learners_statements(app, client, lrs, learner):
    registration = str(uuid.uuid4())
    content = LrsClient(client, launch_tokens.authorization(issue(learner, registration)))
    own = {"objectType": "Agent", "account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid}}
    someone = {"objectType": "Agent", "account": {"homePage": app.config["LMS_BASE_URL"], "name": "someone"}}
    written = content.post("/xapi/statements", json=_statement(own, registration))
    assert written.status_code == 200, written.get_data(as_text=True)
    [statement_id] = written.get_json()
    refused = content.post(
        "/xapi/statements", json=[_statement(own, registration), _statement(someone, registration)]
    )
    assert refused.status_code == 403
    assert content.post("/xapi/statements", json=_statement(own, str(uuid.uuid4()))).status_code == 403
    lrs.post("/xapi/statements", json=_statement(someone, registration))
    listed = content.get("/xapi/statements")
    assert [s["id"] for s in listed.get_json()["statements"]] == [statement_id]
    assert listed.get_json()["statements"][0]["authority"]["account"]["name"] == "lms"
    assert len(lrs.get("/xapi/statements").get_json()["statements"]) == 2  # nothing of the refused batch


def test_content_keeps_only_its_learners_state(app, client, learner):
    content = LrsClient(client, launch_tokens.authorization(issue(learner)))
    own = {"objectType": "Agent", "account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid}}
    someone = {"objectType": "Agent", "account": {"homePage": app.config["LMS_BASE_URL"], "name": "someone"}}
    for agent, status in ((own, 204), (someone, 403)):
        query = urlencode({"activityId": ACTIVITY, "agent": json.dumps(agent), "stateId": "bookmark"})
        assert content.put(f"/xapi/activities/state?{query}", json={"page": 3}).status_code == status
