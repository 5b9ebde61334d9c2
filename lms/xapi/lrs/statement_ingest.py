"""Storing the statements of one PUT or POST: all of them or none.

Every statement is checked first (the validator, the principal's limits, the attachments),
then ids already stored are compared (the same statement is a no-op, another is 409), and the
new ones go to :func:`lms.xapi.service.record_many`, the one path every learning event takes,
inside :func:`statement_store.storing_as` so the LRS's additions name this principal.
The caller's request commits; any error rolls the whole request back.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.extensions import session
from lms.xapi import service
from lms.xapi.lrs import attachments
from lms.xapi.lrs.auth import Principal
from lms.xapi.lrs.errors import BadRequest, Conflict, LrsError
from lms.xapi.lrs.statement_query import storer_key
from lms.xapi.lrs.statement_store import Storing, storing_as
from lms.xapi.models import StoredStatement
from lms.xapi.validation import StatementError, validate
from lms.xapi.vocabulary import VERBS

LRS_SET = ("authority", "stored", "version")
RETRIES = 3
TRANSIENT_STATES = frozenset({"40P01", "40001"})
log = logging.getLogger(__name__)


def ingest(statements: list[Any], principal: Principal, body: attachments.StatementBody) -> list[str]:
    """Store the statements (in order) and return their ids; raise an ``LrsError`` otherwise."""
    checked = [
        _checked(statement, index, principal, len(statements)) for index, statement in enumerate(statements)
    ]
    _no_duplicate_ids(checked)
    for attempt in range(1, RETRIES + 1):
        try:
            _store(checked, principal, body)
            break
        except OperationalError as exc:
            session.rollback()
            if not _is_transient(exc):
                raise
            if attempt == RETRIES:
                raise LrsError(
                    "The store is busy with other writes to the same learners; send the request again.",
                    status=503,
                    headers={"Retry-After": "1"},
                ) from None
            log.info("LRS ingest: %s, attempt %d of %d again", type(exc.orig).__name__, attempt, RETRIES)
    return [statement["id"] for statement in checked]


def _store(checked: list[dict[str, Any]], principal: Principal, body: attachments.StatementBody) -> None:
    attachments.check_and_store(checked, body)
    new = _new_ones(checked)
    _check_voiding(new)
    storing = Storing(principal.authority, storer_key(principal), keep_given_authority=principal.has("all"))
    try:
        with storing_as(storing), service.accepting_unknown_void_targets():
            service.record_many(new, validated=True)
        session.commit()
    except service.StatementConflict as exc:
        raise Conflict(str(exc)) from None
    except StatementError as exc:
        raise BadRequest(str(exc)) from None
    except IntegrityError:
        session.rollback()
        raise Conflict("A statement with one of these ids was stored at the same time.") from None


def _is_transient(exc: OperationalError) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or a locked database (SQLite): two
    requests wrote the same learners' rows in another order. The whole request was rolled back,
    so running it again is safe."""
    state = getattr(exc.orig, "sqlstate", None)
    return state in TRANSIENT_STATES or "database is locked" in str(exc.orig)


def _checked(statement: Any, index: int, principal: Principal, count: int) -> dict[str, Any]:
    where = f"Statement {index + 1}: " if count > 1 else ""
    if not isinstance(statement, dict):
        raise BadRequest(f"{where}a statement must be a JSON object.")
    try:
        validate(statement)
    except StatementError as exc:
        raise BadRequest(f"{where}{exc}") from None
    principal.check_statement(statement)
    statement = dict(statement)
    statement["id"] = str(statement.get("id") or uuid.uuid4()).lower()
    return statement


def _no_duplicate_ids(statements: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for statement in statements:
        if statement["id"] in seen:
            raise BadRequest(f"The id {statement['id']} is given to more than one statement of the batch.")
        seen.add(statement["id"])


def _new_ones(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements not stored yet; a stored one must be the same statement (else 409)."""
    ids = [statement["id"] for statement in statements]
    stored = dict(
        session.execute(
            select(StoredStatement.id, StoredStatement.raw).where(StoredStatement.id.in_(ids))
        ).all()
    )
    new = []
    for statement in statements:
        raw = stored.get(statement["id"])
        if raw is None:
            new.append(statement)
        elif not same_statement(statement, json.loads(raw)):
            raise Conflict(f"Statement {statement['id']} is already stored with other content.")
    return new


def same_statement(received: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether two statements are the same but for what the LRS sets (Data 2.3.1)."""
    ignored = LRS_SET + (() if "timestamp" in received else ("timestamp",))
    return {k: v for k, v in received.items() if k not in ignored} == {
        k: v for k, v in stored.items() if k not in ignored
    }


def _check_voiding(statements: list[dict[str, Any]]) -> None:
    """A voiding statement may not target a voiding statement (Data 2.3.2). A target that is
    not stored is accepted: it may live in another LRS (Data 2.2.4, "SHOULD NOT reject")."""
    earlier = {s["id"]: s for s in statements}
    for statement in statements:
        if statement["verb"]["id"] != VERBS["voided"]:
            continue
        target_id = str(statement["object"].get("id", "")).lower()
        target = earlier.get(target_id)
        verb = (
            target["verb"]["id"]
            if target
            else session.scalar(select(StoredStatement.verb_id).where(StoredStatement.id == target_id))
        )
        if verb == VERBS["voided"]:
            raise BadRequest("A voiding statement cannot itself be voided.")
