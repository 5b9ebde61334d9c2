"""``record``: the one path every learning event takes.

In one transaction it validates the statement, appends it to the statement store, hands it to
the projectors registered for its verb (``lms.xapi.routing``) and queues it for each external
LRS. The caller commits. A voiding statement marks its target voided and has the projection of
that target's registration re-derived, nothing more.

``record_many`` does the same for a list of statements, in order, with fewer round trips: it
is for bulk work (the demo seeder), see docs/decisions/0015-demo-seed-through-xapi.md.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import event, select

from lms.accounts.models import User
from lms.extensions import session
from lms.signals import statement_recorded, statement_voided
from lms.xapi.models import StoredStatement
from lms.xapi.relay import outbox as relay_outbox
from lms.xapi.validation import StatementError, validate
from lms.xapi.vocabulary import VERBS

log = logging.getLogger(__name__)


class StatementConflict(StatementError):
    """A statement id that is already stored with different content (xAPI: 409)."""


def record(
    statement: dict[str, Any], *, user_id: int | None = None, validated: bool = False
) -> StoredStatement:
    """Validate, store, project and queue one statement. Re-sending a stored one is a no-op.

    ``user_id`` may be given by callers that already know the actor is that LMS user; otherwise
    the actor's account is looked up. ``validated=True`` skips validation, for a caller that
    has just run ``lms.xapi.validation.validate`` on this statement (the LRS endpoint).
    """
    if not validated:
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
    # Queued before what it sets off (the void of a certificate's 'earned'), so external LRSs
    # receive statements in ledger order.
    _queue(row)
    if statement["verb"]["id"] == VERBS["voided"]:
        _void(statement, row)
    else:
        with session.no_autoflush:
            _router().project(statement, user_id)
    statement_recorded.send(current_app._get_current_object(), statement=statement, row=row)
    return row


def record_many(
    statements: Sequence[dict[str, Any]],
    *,
    user_ids: Sequence[int | None] | None = None,
    validated: bool = False,
) -> list[StoredStatement]:
    """Record statements in order, to the same effect as ``record`` on each in turn.

    For bulk work. Every statement is validated before anything is written, so one invalid
    statement refuses the whole list (the error names its position). A statement stored before,
    or earlier in the list, is a no-op when re-sent and a conflict when its content differs, as
    in ``record``. The projection is the router's, statement by statement, exactly as
    ``record`` runs it; what is saved is round trips: one "already stored?" query and one
    multi-row INSERT per list instead of one each, and the rows the projector writes stay in
    the session until the list is done, so it does not read them back for the next statement.

    Two differences a caller may notice: the ledger rows of the list (and their outbox rows)
    are inserted before the first of them is projected, so a row a receiver records while the
    list is projected (a certificate's 'earned' statement) comes after the whole list in
    ``seq``; and a voiding statement is handed to ``record`` once the statements before it are
    done. ``statement_recorded`` is sent once per statement, in order, after its projection.
    ``user_ids`` (one per statement) and ``validated`` may be given as for ``record``.

    Returns the rows this call stored (none for re-sent statements).
    """
    if user_ids is not None and len(user_ids) != len(statements):
        raise ValueError("record_many: give one user id (or None) per statement.")
    prepared = [_prepared(statement, index, validated) for index, statement in enumerate(statements)]
    if user_ids is None:
        user_ids = _user_ids([statement["actor"] for statement in prepared])
    stored = _stored_raw([statement["id"] for statement in prepared])
    stored_rows: list[StoredStatement] = []
    batch: list[tuple[dict[str, Any], int | None]] = []
    with kept_alive():
        for statement, user_id in zip(prepared, user_ids, strict=True):
            raw = stored.get(statement["id"])
            if raw is not None:
                if raw != statement:
                    raise StatementConflict(
                        f"Statement {statement['id']} is already stored with other content."
                    )
                continue
            stored[statement["id"]] = statement
            if statement["verb"]["id"] == VERBS["voided"]:
                stored_rows += _record_batch(batch)
                stored_rows.append(record(statement, user_id=user_id, validated=True))
                batch = []
            else:
                batch.append((statement, user_id))
        stored_rows += _record_batch(batch)
    return stored_rows


def _prepared(statement: dict[str, Any], index: int, validated: bool) -> dict[str, Any]:
    try:
        if not validated:
            validate(statement)
    except StatementError as exc:
        raise StatementError(f"Statement {index + 1}: {exc}") from None
    statement = dict(statement)
    statement.setdefault("id", str(uuid.uuid4()))
    statement.setdefault("timestamp", datetime.now(UTC).isoformat())
    return statement


def _chunks(values: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _user_ids(actors: list[dict[str, Any]]) -> list[int | None]:
    """What ``_user_id`` answers for each actor, in one query per 500 accounts."""
    base_url = current_app.config["LMS_BASE_URL"]
    names = [
        (a.get("account") or {}).get("name") if (a.get("account") or {}).get("homePage") == base_url else None
        for a in actors
    ]
    found: dict[str, int] = {}
    for chunk in _chunks(sorted({name for name in names if name})):
        found.update(session.execute(select(User.uuid, User.id).where(User.uuid.in_(chunk))).all())
    return [found.get(name) if name else None for name in names]


def _stored_raw(ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored statements among these ids, as the JSON they were stored with."""
    stored: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = session.execute(
            select(StoredStatement.id, StoredStatement.raw).where(StoredStatement.id.in_(chunk))
        )
        stored.update((statement_id, json.loads(raw)) for statement_id, raw in rows)
    return stored


def _record_batch(batch: list[tuple[dict[str, Any], int | None]]) -> list[StoredStatement]:
    rows = [_row(statement, user_id) for statement, user_id in batch]
    session.add_all(rows)
    session.flush()
    relay_outbox.queue(rows)
    app = current_app._get_current_object()
    router = _router()
    for (statement, user_id), row in zip(batch, rows, strict=True):
        with session.no_autoflush:
            router.project(statement, user_id)
        statement_recorded.send(app, statement=statement, row=row)
    return rows


@contextmanager
def kept_alive() -> Iterator[None]:
    """Hold every object the session loads or creates until the block ends.

    The session's identity map refers to objects weakly: once the projector has written an
    enrolment or a lesson row, nothing else refers to it, so it is dropped and the next
    statement about it reads it back. Holding them for the length of a batch spares those
    reads; what is written does not change.
    """
    held: list[Any] = []
    target = session()

    def hold(_session, instance) -> None:
        held.append(instance)

    event.listen(target, "pending_to_persistent", hold)
    event.listen(target, "loaded_as_persistent", hold)
    try:
        yield
    finally:
        event.remove(target, "pending_to_persistent", hold)
        event.remove(target, "loaded_as_persistent", hold)


def _user_id(actor: dict[str, Any]) -> int | None:
    account = actor.get("account") or {}
    if account.get("homePage") != current_app.config["LMS_BASE_URL"]:
        return None
    return session.scalar(select(User.id).where(User.uuid == account.get("name")))


def _store(statement: dict[str, Any], user_id: int | None) -> StoredStatement:
    row = _row(statement, user_id)
    session.add(row)
    session.flush()
    return row


def _row(statement: dict[str, Any], user_id: int | None) -> StoredStatement:
    actor = statement["actor"]
    account = actor.get("account") or {}
    obj = statement["object"]
    return StoredStatement(
        id=statement["id"],
        actor_name=account.get("name") or actor.get("mbox") or actor.get("openid") or "",
        user_id=user_id,
        verb_id=statement["verb"]["id"],
        object_id=obj.get("id", ""),
        registration=(statement.get("context") or {}).get("registration"),
        timestamp=datetime.fromisoformat(statement["timestamp"]),
        raw=json.dumps(statement, ensure_ascii=False, separators=(",", ":")),
    )


def _router():
    return current_app.extensions["lms"].projectors


_UNKNOWN_VOID_TARGETS: ContextVar[bool] = ContextVar("lms_unknown_void_targets", default=False)


@contextmanager
def accepting_unknown_void_targets() -> Iterator[None]:
    """Within this block a voiding statement whose target is not stored is kept, voiding nothing.

    The LRS endpoint needs it: xAPI 1.0.3 (Data 2.2.4) says an LRS should not reject such a
    statement, since the target may live in another LRS. Our own code never voids what it did
    not store, so outside the endpoint it stays an error.
    """
    token = _UNKNOWN_VOID_TARGETS.set(True)
    try:
        yield
    finally:
        _UNKNOWN_VOID_TARGETS.reset(token)


def _void(statement: dict[str, Any], row: StoredStatement) -> None:
    """Mark the target voided and re-derive the registration it belongs to (spec 2.2.4).

    ``statement_voided`` then lets other areas undo what followed from the target (the
    certificate a course completion produced).
    """
    target = session.scalar(
        select(StoredStatement).where(StoredStatement.id == statement["object"].get("id"))
    )
    if target is None and _UNKNOWN_VOID_TARGETS.get():
        return
    if target is None or target.verb_id == VERBS["voided"]:
        raise StatementError(
            "A voiding statement must reference a stored statement that is not a voiding one."
        )
    if target.is_voided:
        return
    target.is_voided = True
    session.flush()
    if target.registration is not None:
        _router().rederive(target.registration)
    statement_voided.send(
        current_app._get_current_object(), target=target, voiding=statement, voided_by=row.user_id
    )


def _queue(row: StoredStatement) -> None:
    """An outbox row per external LRS whose filter takes the statement (``lms.xapi.relay``)."""
    relay_outbox.queue([row])
