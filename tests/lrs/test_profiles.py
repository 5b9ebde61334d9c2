"""The Activity Profile and Agent Profile resources (Communication 2.6, 2.7, 3.1)."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.lrs.document_models import LrsDocument

AGENT = {"objectType": "Agent", "mbox": "mailto:profile-owner@example.com"}
ACTIVITY = "http://example.com/activities/profiled"
RESOURCES = {
    "activity": ("/xapi/activities/profile", {"activityId": ACTIVITY}),
    "agent": ("/xapi/agents/profile", {"agent": json.dumps(AGENT)}),
}
NEW = {"If-None-Match": "*"}


@pytest.fixture(params=sorted(RESOURCES))
def url(request):
    path, context = RESOURCES[request.param]

    def build(**extra):
        values = {**context, "profileId": "p1", **extra}
        return path + "?" + urlencode({k: v for k, v in values.items() if v is not None})

    build.kind = request.param
    return build


def documents() -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(LrsDocument))


def test_put_with_if_none_match_stores_and_get_returns_it(lrs, url):
    body = b'{"level": 3}'
    assert lrs.put(url(), data=body, content_type="application/json", headers=NEW).status_code == 204
    got = lrs.get(url())
    assert got.status_code == 200 and got.data == body
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 - the spec's ETag
    assert got.headers["Last-Modified"]


def test_put_without_either_header(lrs, url):
    refused = lrs.put(url(), json={"a": 1})
    assert refused.status_code == 400 and refused.get_json()["error"]
    assert documents() == 0
    lrs.put(url(), json={"a": 1}, headers=NEW)
    conflict = lrs.put(url(), json={"a": 2})
    assert conflict.status_code == 409
    assert "If-Match" in conflict.get_json()["error"]
    assert lrs.get(url()).get_json() == {"a": 1}


def test_if_match_and_if_none_match(lrs, url):
    lrs.put(url(), json={"a": 1}, headers=NEW)
    etag = lrs.get(url()).headers["ETag"]
    assert lrs.put(url(), json={"a": 2}, headers=NEW).status_code == 412
    bad = {"If-Match": '"' + "1" * 40 + '"'}
    assert lrs.put(url(), json={"a": 2}, headers=bad).status_code == 412
    assert lrs.get(url()).get_json() == {"a": 1}
    assert lrs.put(url(), json={"a": 3}, headers={"If-Match": etag}).status_code == 204
    assert lrs.put(url(), json={"a": 4}, headers={"If-Match": etag}).status_code == 412
    assert lrs.put(url(), json={"a": 5}, headers={"If-Match": "*"}).status_code == 204
    assert lrs.get(url()).get_json() == {"a": 5}
    assert lrs.put(url(profileId="none"), json={}, headers={"If-Match": "*"}).status_code == 412


def test_post_merges_and_checks_if_match(lrs, url):
    assert lrs.post(url(), json={"x": "foo", "y": "bar"}).status_code == 204
    assert lrs.post(url(), json={"x": "bash", "z": "faz"}).status_code == 204
    assert lrs.get(url()).get_json() == {"x": "bash", "y": "bar", "z": "faz"}
    assert lrs.post(url(), json={"x": 1}, headers={"If-Match": '"stale"'}).status_code == 412
    assert lrs.post(url(), data=b"abc", content_type="text/plain").status_code == 400
    assert lrs.get(url()).get_json() == {"x": "bash", "y": "bar", "z": "faz"}


def test_binary_profiles_cannot_be_merged(lrs, url):
    lrs.put(url(), data=b"\x00\x01", content_type="image/png", headers=NEW)
    assert lrs.post(url(), json={"a": 1}).status_code == 400
    got = lrs.get(url())
    assert got.data == b"\x00\x01" and got.headers["Content-Type"] == "image/png"


def test_ids_since_and_delete(lrs, url):
    lrs.post(url(profileId="old"), json={})
    time.sleep(0.01)
    middle = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    lrs.post(url(profileId="new"), json={})
    assert sorted(lrs.get(url(profileId=None)).get_json()) == ["new", "old"]
    assert lrs.get(url(profileId=None, since=middle)).get_json() == ["new"]
    assert lrs.get(url(profileId=None, since="yesterday")).status_code == 400
    assert lrs.delete(url(profileId="old"), headers={"If-Match": '"wrong"'}).status_code == 412
    assert lrs.delete(url(profileId="old")).status_code == 204
    assert lrs.get(url(profileId="old")).status_code == 404
    assert lrs.delete(url(profileId=None)).status_code == 400
    assert lrs.get(url(profileId=None)).get_json() == ["new"]


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_profile_id_is_required_to_write(lrs, url, method):
    assert lrs.open(method, url(profileId=None), json={}, headers=NEW).status_code == 400
    assert documents() == 0


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("bad", [None, "true", "not JSON or IRI"])
def test_the_activity_or_agent_must_be_valid(lrs, url, method, bad):
    name = "activityId" if url.kind == "activity" else "agent"
    refused = lrs.open(method, url(**{name: bad}), json={}, headers=NEW)
    assert refused.status_code == 400 and name in refused.get_json()["error"]
    assert documents() == 0


def test_an_agent_profile_takes_no_group(lrs):
    group = {"objectType": "Group", "mbox": "mailto:team@example.com"}
    query = urlencode({"agent": json.dumps(group), "profileId": "p"})
    assert lrs.put("/xapi/agents/profile?" + query, json={}, headers=NEW).status_code == 400


def test_long_activity_ids_and_profile_ids_work(lrs):
    activity = "http://example.com/" + "a" * 3000
    query = urlencode({"activityId": activity, "profileId": "p" * 2000})
    assert lrs.put("/xapi/activities/profile?" + query, json={"ok": 1}, headers=NEW).status_code == 204
    assert lrs.get("/xapi/activities/profile?" + query).get_json() == {"ok": 1}


def test_scopes(lrs, url):
    state_only = lrs.as_scopes("state")
    assert state_only.put(url(), json={}, headers=NEW).status_code == 403
    assert state_only.get(url()).status_code == 403
    assert lrs.as_scopes("profile").put(url(), json={"p": 1}, headers=NEW).status_code == 204
    reader = lrs.as_scopes("all/read")
    assert reader.get(url()).get_json() == {"p": 1}
    assert reader.delete(url()).status_code == 403
    assert documents() == 1


def test_the_three_resources_keep_documents_apart(lrs):
    state = urlencode({"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "p1"})
    lrs.put("/xapi/activities/state?" + state, json={"from": "state"})
    for path, context in RESOURCES.values():
        query = urlencode({**context, "profileId": "p1"})
        assert lrs.get(f"{path}?{query}").status_code == 404
        lrs.put(f"{path}?{query}", json={"from": path}, headers=NEW)
    for path, context in RESOURCES.values():
        assert lrs.get(f"{path}?{urlencode({**context, 'profileId': 'p1'})}").get_json() == {"from": path}
    assert lrs.get("/xapi/activities/state?" + state).get_json() == {"from": "state"}
