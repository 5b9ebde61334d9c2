"""The document resources (Communication 2.3, 2.6, 2.7), and the routes of Agents and Activities.

- ``/xapi/activities/state``: ``activityId``, ``agent``, optional ``registration``, and
  ``stateId`` (without it, GET lists the ids and DELETE deletes them all); scope ``state``.
- ``/xapi/activities/profile``: ``activityId`` and ``profileId``; scope ``profile``.
- ``/xapi/agents/profile``: ``agent`` and ``profileId``; scope ``profile``.
GET lists take ``since`` (exclusive). Reads also accept ``all/read``. A signed-in learner (the
session principal) or launched content reaches only its own learner's documents. The storing
rules are in :mod:`lms.xapi.lrs.document_store`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

from flask import current_app
from werkzeug.http import http_date

from lms.xapi.lrs import activities, agents, document_store, protocol
from lms.xapi.lrs.auth import Principal, current_principal
from lms.xapi.lrs.document_store import DocumentKey, Preconditions, Scope, Upload
from lms.xapi.lrs.errors import BadRequest, Forbidden, LrsError, NotFound

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
READS = frozenset({"GET", "HEAD"})


def state_view():
    lrs = protocol.current()
    principal = _allowed("state", lrs.method)
    agent = agents.agent_param(lrs.args.get("agent"))
    _own_agent_only(principal, agent)
    scope = Scope("state", activities.activity_param(lrs.args.get("activityId")), agents.ifi_key(agent))
    registration = registration_param(lrs.args.get("registration"))
    return _answer(lrs, scope, "stateId", registration=registration, header_required=False)


def activity_profile_view():
    lrs = protocol.current()
    _allowed("profile", lrs.method)
    scope = Scope("activity_profile", activity_id=activities.activity_param(lrs.args.get("activityId")))
    return _answer(lrs, scope, "profileId", header_required=True)


def agent_profile_view():
    lrs = protocol.current()
    principal = _allowed("profile", lrs.method)
    agent = agents.agent_param(lrs.args.get("agent"))
    _own_agent_only(principal, agent)
    scope = Scope("agent_profile", agent_ifi=agents.ifi_key(agent))
    return _answer(lrs, scope, "profileId", header_required=True)


def _answer(lrs, scope: Scope, id_name: str, *, registration: str | None = None, header_required: bool):
    document_id = lrs.args.get(id_name)
    if document_id is None:
        return _without_id(lrs, scope, id_name, registration)
    if not document_id:
        raise BadRequest(f"The {id_name!r} parameter must not be empty.")
    key = DocumentKey(scope, document_id, registration)
    pre = Preconditions(lrs.headers.get("If-Match"), lrs.headers.get("If-None-Match"))
    if lrs.method in READS:
        return _document(key)
    if lrs.method == "PUT":
        document_store.put(key, _upload(lrs), pre, header_required=header_required)
    elif lrs.method == "POST":
        document_store.post(key, _upload(lrs), pre)
    else:
        document_store.delete_one(key, pre)
    return _no_content()


def _without_id(lrs, scope: Scope, id_name: str, registration: str | None):
    if lrs.method in READS:
        since = since_param(lrs.args.get("since"))
        found, latest = document_store.ids(scope, registration=registration, since=since)
        return _ids(found, latest)
    if lrs.method == "DELETE" and scope.kind == "state":
        document_store.delete_all(scope, registration=registration)
        return _no_content()
    raise BadRequest(f"The {id_name!r} parameter is required for {lrs.method}.")


def _document(key: DocumentKey):
    document = document_store.find(key)
    if document is None:
        raise NotFound("No such document.")
    response = current_app.response_class(document.content, status=200, content_type=document.content_type)
    response.headers["ETag"] = f'"{document.etag}"'
    response.headers["Last-Modified"] = http_date(document.updated_at)
    return response


def _ids(found: list[str], latest: datetime | None):
    body = json.dumps(found, ensure_ascii=False).encode("utf-8")
    response = current_app.response_class(body, status=200, content_type="application/json")
    response.headers["ETag"] = '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 - the spec's ETag
    if latest is not None:
        response.headers["Last-Modified"] = http_date(latest)
    return response


def _no_content():
    return current_app.response_class(status=204)


def _upload(lrs) -> Upload:
    return Upload(lrs.body, lrs.headers.get("Content-Type"))


def _allowed(scope: str, method: str) -> Principal:
    principal = current_principal()
    if method not in METHODS:
        raise LrsError(f"{method} is not a method of this resource.", status=405)
    if principal.has(scope) or (method in READS and principal.has("all/read")):
        return principal
    raise Forbidden(f"These credentials lack the {scope!r} scope.")


def _own_agent_only(principal: Principal, agent: dict) -> None:
    """A learner's session or a launch reaches only its own learner's documents."""
    if not principal.owns_agent(agent):
        raise Forbidden("These credentials reach only their own learner's documents.")


def registration_param(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError):
        raise BadRequest(f"registration {value[:60]!r} is not a UUID.") from None
    if str(parsed) != value.lower():
        raise BadRequest(f"registration {value[:60]!r} is not a UUID in its usual form.")
    return str(parsed)


def since_param(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp; one without a zone is taken as UTC."""
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise BadRequest(f"since {value[:60]!r} is not an ISO 8601 timestamp.") from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def register(bp) -> None:
    bp.add_url_rule("/activities/state", endpoint="state", view_func=state_view, methods=METHODS)
    bp.add_url_rule(
        "/activities/profile", endpoint="activity_profile", view_func=activity_profile_view, methods=METHODS
    )
    bp.add_url_rule(
        "/agents/profile", endpoint="agent_profile", view_func=agent_profile_view, methods=METHODS
    )
    agents.register(bp)
    activities.register(bp)
