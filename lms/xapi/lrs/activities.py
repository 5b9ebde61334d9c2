"""Activity ids as request parameters, and the Activities resource.

``GET /xapi/activities?activityId=<IRI>`` (Communication 2.5) answers the Activity object with
the definition this LRS holds for it. We keep no table of activities: the definition is merged
from the stored statements whose object is that activity (``lms_statements.object_id`` is
indexed), oldest first, over the latest :data:`STATEMENTS_MERGED` of them. Language maps
(``name``, ``description``) and ``extensions`` are merged key by key, every other property is
the latest one seen: so two statements naming the activity in two languages give both names
(the conformance suite checks exactly this).

Only statements from senders that may define activities count (the ``define`` scope,
Communication 4.2: without it "the LRS ... should not update its internal representation of
any Actors or Activities"): those the LMS recorded itself, and those stored through a
credential whose scopes now include ``define`` (or ``all``). A learner's session and launched
content do not define. An activity no such statement names is answered as
``{"objectType": "Activity", "id": ...}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import jsonify
from sqlalchemy import select

from lms.extensions import session
from lms.xapi.lrs import protocol
from lms.xapi.lrs.auth import current_principal
from lms.xapi.lrs.errors import BadRequest, LrsError

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
MERGED_BY_KEY = ("name", "description", "extensions")
STATEMENTS_MERGED = 500


def activity_param(value: str | None, name: str = "activityId") -> str:
    """The activity IRI a query parameter carries, or BadRequest."""
    if value is None or value == "":
        raise BadRequest(f"The {name!r} parameter is required (an activity IRI).")
    if not IRI.match(value):
        raise BadRequest(f"The {name!r} parameter is not an IRI: {value[:100]!r}.")
    return value


def activity_object(activity_id: str) -> dict[str, Any]:
    definition = merged_definition(_definitions(activity_id))
    found: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        found["definition"] = definition
    return found


def merged_definition(definitions: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for definition in definitions:
        for key, value in definition.items():
            if key in MERGED_BY_KEY and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def _definitions(activity_id: str) -> list[dict[str, Any]]:
    from lms.xapi.lrs.statement_models import LrsStatementMeta
    from lms.xapi.models import StoredStatement

    rows = session.execute(
        select(StoredStatement.raw, LrsStatementMeta.stored_by)
        .outerjoin(LrsStatementMeta, LrsStatementMeta.seq == StoredStatement.seq)
        .where(StoredStatement.object_id == activity_id)
        .order_by(StoredStatement.seq.desc())
        .limit(STATEMENTS_MERGED)
    ).all()
    definers = _definers({row.stored_by for row in rows})
    found = []
    for raw, stored_by in reversed(rows):
        definition = _definition(raw, activity_id) if stored_by is None or stored_by in definers else None
        if definition:
            found.append(definition)
    return found


def _definers(stored_by: set[str | None]) -> set[str]:
    """Which of these ``stored_by`` keys may define activities: the LMS, and credentials with
    ``define`` (or ``all``)."""
    from lms.xapi.lrs.models import LrsCredential
    from lms.xapi.lrs.statement_store import LMS_STORER

    ids = {int(key.split(":", 1)[1]) for key in stored_by if key and key.startswith("credential:")}
    credentials = session.scalars(select(LrsCredential).where(LrsCredential.id.in_(ids))) if ids else []
    allowed = {f"credential:{c.id}" for c in credentials if {"define", "all"} & set(c.scopes or ())}
    return allowed | {LMS_STORER}


def _definition(raw: str, activity_id: str) -> dict[str, Any] | None:
    try:
        target = json.loads(raw).get("object")
    except (ValueError, AttributeError):
        return None
    if not isinstance(target, dict) or target.get("objectType", "Activity") != "Activity":
        return None
    if target.get("id") != activity_id or not isinstance(target.get("definition"), dict):
        return None
    return target["definition"]


def activities_view():
    lrs = protocol.current()
    if lrs.method not in ("GET", "HEAD"):
        raise LrsError("The Activities resource answers GET and HEAD only.", status=405)
    current_principal()
    return jsonify(activity_object(activity_param(lrs.args.get("activityId"))))


def register(bp) -> None:
    bp.add_url_rule(
        "/activities", endpoint="activities", view_func=activities_view, methods=["GET", "HEAD", "POST"]
    )
