"""``record``: the one path every learning event takes.

In one transaction it validates the statement, appends it to the statement store, updates the
progress projection and queues it for each external LRS. The caller commits.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import session
from lms.signals import statement_recorded
from lms.xapi import projector
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.validation import StatementError, validate
from lms.xapi.vocabulary import VERBS

log = logging.getLogger(__name__)


class StatementConflict(StatementError):
    """A statement id that is already stored with different content (xAPI: 409)."""


def record(statement: dict[str, Any], *, user_id: int | None = None) -> StoredStatement:
    """Validate, store, project and queue one statement. Re-sending a stored one is a no-op.

    ``user_id`` may be given by callers that already know the actor is that LMS user; otherwise
    the actor's account is looked up.
    """
    validate(statement)
    statement = dict(statement)
    statement.setdefault("id", str(uuid.uuid4()))
    statement.setdefault("timestamp", datetime.now(UTC).isoformat())
    existing = session.scalar(select(StoredStatement).where(StoredStatement.id == statement["id"]))
    if existing is not None:
        if json.loads(existing.raw) != statement:
            raise StatementConflict(f"Statement {statement['id']} is already stored with other content.")
        return existing
    if user_id is None:
        user_id = _user_id(statement["actor"])
    row = _store(statement, user_id)
    if statement["verb"]["id"] == VERBS["voided"]:
        _void(statement, row)
    else:
        with session.no_autoflush:
            projector.project(statement, user_id)
    _queue(row)
    statement_recorded.send(current_app._get_current_object(), statement=statement, row=row)
    return row


def _user_id(actor: dict[str, Any]) -> int | None:
    account = actor.get("account") or {}
    if account.get("homePage") != current_app.config["LMS_BASE_URL"]:
        return None
    return session.scalar(select(User.id).where(User.uuid == account.get("name")))


def _store(statement: dict[str, Any], user_id: int | None) -> StoredStatement:
    actor = statement["actor"]
    account = actor.get("account") or {}
    obj = statement["object"]
    row = StoredStatement(
        id=statement["id"],
        actor_name=account.get("name") or actor.get("mbox") or actor.get("openid") or "",
        user_id=user_id,
        verb_id=statement["verb"]["id"],
        object_id=obj.get("id", ""),
        registration=(statement.get("context") or {}).get("registration"),
        timestamp=datetime.fromisoformat(statement["timestamp"]),
        raw=json.dumps(statement, ensure_ascii=False, separators=(",", ":")),
    )
    session.add(row)
    session.flush()
    return row


def _void(statement: dict[str, Any], row: StoredStatement) -> None:
    """Mark the target voided and re-derive the progress it touched (spec 2.2.4)."""
    target = session.scalar(
        select(StoredStatement).where(StoredStatement.id == statement["object"].get("id"))
    )
    if target is None or target.verb_id == VERBS["voided"]:
        raise StatementError(
            "A voiding statement must reference a stored statement that is not a voiding one."
        )
    target.is_voided = True
    session.flush()
    projector.rebuild()


def _queue(row: StoredStatement) -> None:
    for endpoint in current_app.config["LMS_XAPI_FORWARD_TO"]:
        session.add(OutboxEntry(statement_id=row.id, lrs_name=endpoint))
    session.flush()
