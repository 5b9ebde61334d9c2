"""The State resource, /xapi/activities/state, as an xAPI client sees it (Communication 2.3)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.lrs.document_models import LrsDocument
from tests.conftest import login, make_user
from tests.lrs.conftest import VERSION, make_credential

URL = "/xapi/activities/state"
ACTIVITY = "http://example.com/activities/state-test"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://example.com/users", "name": "u-1"}}


def params(**extra) -> str:
    values = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "s1", **extra}
    return URL + "?" + urlencode({k: v for k, v in values.items() if v is not None})


def documents() -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(LrsDocument))


def test_put_then_get_returns_the_document_with_its_type_etag_and_time(lrs):
    body = b'{"bookmark": "page-3"}'
    put = lrs.put(params(), data=body, content_type="application/json")
    assert put.status_code == 204, put.get_json()
    got = lrs.get(params())
    assert got.status_code == 200
    assert got.data == body
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 - the spec's ETag
    assert got.headers["Last-Modified"]
    assert got.headers["X-Experience-API-Version"] == "1.0.3"


def test_any_content_type_is_kept_as_bytes(lrs):
    blob = bytes(range(256))
    assert lrs.put(params(), data=blob, content_type="application/octet-stream").status_code == 204
    got = lrs.get(params())
    assert got.data == blob and got.headers["Content-Type"] == "application/octet-stream"


def test_put_replaces_without_concurrency_headers(lrs):
    lrs.put(params(), json={"a": 1})
    assert lrs.put(params(), json={"b": 2}).status_code == 204
    assert lrs.get(params()).get_json() == {"b": 2}


def test_post_merges_top_level_properties(lrs):
    assert lrs.post(params(), json={"car": {"make": "Ford"}, "driver": "Dale"}).status_code == 204
    assert lrs.post(params(), json={"car": {"make": "Dodge"}, "series": "x"}).status_code == 204
    assert lrs.get(params()).get_json() == {"car": {"make": "Dodge"}, "driver": "Dale", "series": "x"}


def test_post_to_a_new_document_stores_it(lrs):
    assert lrs.post(params(stateId="new"), data=b"plain", content_type="text/plain").status_code == 204
    assert lrs.get(params(stateId="new")).data == b"plain"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((b'{"a": 1}', "application/json"), (b"abc", "text/plain")),
        ((b"/ asdf /", "application/octet-stream"), (b'{"a": 1}', "application/json")),
        ((b'{"a": 1}', "application/json"), (b'{"a": 1}{', "application/json")),
        ((b'{"a": 1}', "application/json"), (b"[1, 2]", "application/json")),
        ((b"[1]", "application/json"), (b'{"a": 1}', "application/json")),
    ],
)
def test_post_that_cannot_merge_is_400_and_changes_nothing(lrs, first, second):
    assert lrs.put(params(), data=first[0], content_type=first[1]).status_code == 204
    before = lrs.get(params())
    refused = lrs.post(params(), data=second[0], content_type=second[1])
    assert refused.status_code == 400 and refused.get_json()["error"]
    after = lrs.get(params())
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"]


def test_post_of_invalid_json_to_a_new_document_is_400(lrs):
    assert lrs.post(params(), data=b"{nope", content_type="application/json").status_code == 400
    assert documents() == 0


def test_get_without_state_id_lists_ids_and_since_limits_them(lrs):
    lrs.put(params(stateId="old"), json={})
    time.sleep(0.01)
    middle = datetime.now(UTC)
    time.sleep(0.01)
    lrs.put(params(stateId="new"), json={})
    listed = lrs.get(params(stateId=None))
    assert listed.status_code == 200 and sorted(listed.get_json()) == ["new", "old"]
    assert listed.headers["ETag"].startswith('"') and listed.headers["Last-Modified"]
    recent = lrs.get(params(stateId=None, since=middle.isoformat()))
    assert recent.get_json() == ["new"]
    later = (middle + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert lrs.get(params(stateId=None, since=later)).get_json() == []


def test_since_must_be_a_timestamp(lrs):
    refused = lrs.get(params(stateId=None, since="not a timestamp"))
    assert refused.status_code == 400 and "since" in refused.get_json()["error"]


def test_registration_separates_documents_and_filters_lists(lrs):
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    lrs.put(params(registration=one), json={"r": 1})
    lrs.put(params(registration=two), json={"r": 2})
    lrs.put(params(stateId="other", registration=two), json={"r": 3})
    assert lrs.get(params(registration=one)).get_json() == {"r": 1}
    assert lrs.get(params()).status_code == 404
    assert sorted(lrs.get(params(stateId=None, registration=two)).get_json()) == ["other", "s1"]
    assert sorted(lrs.get(params(stateId=None)).get_json()) == ["other", "s1"]
    assert lrs.delete(params(stateId=None, registration=two)).status_code == 204
    assert lrs.get(params(registration=one)).status_code == 200
    assert documents() == 1


def test_delete_one_and_delete_all(lrs):
    for state_id in ("a", "b", "c"):
        lrs.put(params(stateId=state_id), json={})
    lrs.put(params(stateId="a", activityId=ACTIVITY + "/other"), json={})
    assert lrs.delete(params(stateId="a")).status_code == 204
    assert lrs.get(params(stateId="a")).status_code == 404
    assert lrs.delete(params(stateId="missing")).status_code == 204
    assert lrs.delete(params(stateId=None)).status_code == 204
    assert lrs.get(params(stateId=None)).get_json() == []
    assert documents() == 1


def test_the_agent_is_identified_by_its_ifi_not_its_name(lrs):
    lrs.put(params(), json={"x": 1})
    named = {**AGENT, "name": "Somebody"}
    assert lrs.get(params(agent=json.dumps(named))).get_json() == {"x": 1}
    by_mbox = {"mbox": "mailto:u-1@example.com"}
    assert lrs.get(params(agent=json.dumps(by_mbox))).status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {"activityId": None},
        {"activityId": "true"},
        {"activityId": "not an iri"},
        {"agent": None},
        {"agent": "not JSON"},
        {"agent": "true"},
        {"agent": json.dumps({"objectType": "Agent", "name": "no ifi"})},
        {"agent": json.dumps({"mbox": "mailto:a@example.com", "openid": "http://example.com/a"})},
        {"agent": json.dumps({"objectType": "Group", "mbox": "mailto:g@example.com"})},
        {"agent": json.dumps({"mbox": "a@example.com"})},
        {"agent": json.dumps({"account": {"homePage": "http://example.com"}})},
        {"registration": "true"},
        {"registration": "1234"},
        {"stateId": None},
        {"stateId": ""},
    ],
)
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_bad_parameters_are_400_and_write_nothing(lrs, bad, method):
    refused = lrs.open(method, params(**bad), json={"a": 1})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"]
    assert documents() == 0


@pytest.mark.parametrize("bad", [{"agent": "not JSON"}, {"activityId": None}, {"registration": "x"}])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_bad_parameters_on_reads_and_deletes_are_400(lrs, bad, method):
    lrs.put(params(), json={})
    assert lrs.open(method, params(**bad)).status_code == 400
    assert documents() == 1


def test_concurrency_headers_are_honoured_when_given(lrs):
    lrs.put(params(), json={"v": 1})
    etag = lrs.get(params()).headers["ETag"]
    assert lrs.put(params(), json={"v": 2}, headers={"If-Match": '"' + "1" * 40 + '"'}).status_code == 412
    assert lrs.put(params(), json={"v": 2}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.post(params(), json={"v": 2}, headers={"If-Match": '"bad"'}).status_code == 412
    assert lrs.delete(params(), headers={"If-Match": '"bad"'}).status_code == 412
    assert lrs.get(params()).get_json() == {"v": 1}
    assert lrs.put(params(), json={"v": 3}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(params()).get_json() == {"v": 3}


def test_head_answers_the_headers_without_a_body(lrs):
    lrs.put(params(), json={"v": 1})
    head = lrs.head(params())
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]


def test_alternate_request_syntax(lrs, client):
    form = {
        "Authorization": lrs.headers["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "activityId": ACTIVITY,
        "agent": json.dumps(AGENT),
        "stateId": "alt",
        "content": '{"via": "form"}',
    }
    sent = client.post(URL + "?method=PUT", data=form)
    assert sent.status_code == 204, sent.get_json()
    assert lrs.get(params(stateId="alt")).get_json() == {"via": "form"}
    read = client.post(URL + "?method=GET", data={k: v for k, v in form.items() if k != "content"})
    assert read.status_code == 200 and read.get_json() == {"via": "form"}


def test_scopes(lrs, client):
    assert client.get(params(), headers=VERSION).status_code == 401
    writer = lrs.as_scopes("statements/write")
    assert writer.put(params(), json={}).status_code == 403
    assert writer.get(params()).status_code == 403
    reader = lrs.as_scopes("all/read")
    assert reader.put(params(), json={}).status_code == 403
    state = lrs.as_scopes("state")
    assert state.put(params(), json={"s": 1}).status_code == 204
    assert reader.get(params()).get_json() == {"s": 1}
    assert documents() == 1


def test_revoked_credentials_are_refused(app, client):
    credential, authorization = make_credential(["state"])
    credential.revoked_at = datetime.now(UTC)
    session.commit()
    refused = client.put(params(), json={}, headers={**VERSION, "Authorization": authorization})
    assert refused.status_code == 401
    assert documents() == 0


def test_a_signed_in_learner_reaches_only_their_own_state(app, client):
    learner = make_user()
    login(client, learner.email)
    own = {"account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid}}
    sent = client.put(params(agent=json.dumps(own)), json={"mine": True}, headers=VERSION)
    assert sent.status_code == 204, sent.get_json()
    assert client.get(params(agent=json.dumps(own)), headers=VERSION).get_json() == {"mine": True}
    refused = client.put(params(), json={"theirs": True}, headers=VERSION)
    assert refused.status_code == 403
    assert documents() == 1


def test_the_version_header_is_required(lrs, client):
    no_version = {"Authorization": lrs.headers["Authorization"]}
    assert client.put(params(), json={}, headers=no_version).status_code == 400
    assert documents() == 0
