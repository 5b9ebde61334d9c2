"""The outbox rows: queued with each statement, claimed by one relay at a time, then marked.

A relay claims up to N due rows of a target by leasing them (``lease_owner``, ``leased_until``).
On PostgreSQL the candidates are read with ``SELECT ... FOR UPDATE SKIP LOCKED``, so relays
running at once take disjoint rows without waiting for each other; on SQLite (one writer at a
time) the lease is taken with a conditional UPDATE and read back. Either way the lease is
committed before anything is sent, and a row is marked only by the relay holding its lease: a
relay that dies leaves its rows to be taken again once the lease runs out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, insert, or_, select, update

from lms.extensions import session
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.relay.targets import Target, for_queueing
from lms.xapi.vocabulary import VERBS

ERROR_LENGTH = 2000
HOLD_KEY = "lms_relay_hold"


@dataclass(frozen=True)
class Claimed:
    """One leased row and the statement's JSON as stored (sent as it is)."""

    id: int
    statement_id: str
    raw: str
    attempts: int


def now() -> datetime:
    return datetime.now(UTC)


# Queueing (in the caller's transaction) -------------------------------------------------------


def queue(rows: list[StoredStatement]) -> None:
    """Queue these newly stored statements for every target whose filter lets them through."""
    targets = for_queueing()
    if not targets or not rows or current_app.extensions.get(HOLD_KEY):
        return
    values = [
        {"statement_id": row.id, "lrs_name": target.name, "attempts": 0, "created_at": now()}
        for row in rows
        for target in targets
        if _goes_to(target, row)
    ]
    if values:
        session.execute(insert(OutboxEntry), values)
        from lms.xapi.relay.jobs import kick_after_commit  # here: jobs imports the runner, which imports us

        kick_after_commit()


def hold(held: bool = True) -> None:
    """Queue nothing in this process until ``hold(False)`` (the demo seeder: fictional learning
    is not sent to a real LRS; ``flask lms xapi relay backfill`` can queue it afterwards)."""
    current_app.extensions[HOLD_KEY] = held


def _goes_to(target: Target, row: StoredStatement) -> bool:
    if row.verb_id != VERBS["voided"]:
        return target.matches(row.verb_id, row.object_id)
    if not target.filtered:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(OutboxEntry.statement_id == row.object_id, OutboxEntry.lrs_name == target.name)
            )
        )
    )


def backfill(target: Target, since: datetime | None = None) -> int:
    """Queue for ``target`` the stored statements not queued for it yet (from ``since`` on).

    For a target added after statements were recorded: read in ledger order, 1,000 at a time.
    Returns how many were queued.
    """
    already = select(OutboxEntry.statement_id).where(OutboxEntry.lrs_name == target.name)
    query = select(StoredStatement).where(StoredStatement.id.not_in(already)).order_by(StoredStatement.seq)
    if since is not None:
        query = query.where(StoredStatement.stored_at >= since)
    queued, last = 0, None
    while True:
        page = query if last is None else query.where(StoredStatement.seq > last)
        rows = list(session.scalars(page.limit(1000)))
        if not rows:
            return queued
        queued += _backfill_batch(target, rows)
        last = rows[-1].seq


def _backfill_batch(target: Target, rows: list[StoredStatement]) -> int:
    values = [
        {"statement_id": row.id, "lrs_name": target.name, "attempts": 0, "created_at": now()}
        for row in rows
        if row.verb_id == VERBS["voided"] or target.matches(row.verb_id, row.object_id)
    ]
    if values:
        session.execute(insert(OutboxEntry), values)
    return len(values)


# Claiming and marking (each commits) ----------------------------------------------------------


def _due(name: str, at: datetime):
    return and_(
        OutboxEntry.lrs_name == name,
        OutboxEntry.sent_at.is_(None),
        OutboxEntry.parked_at.is_(None),
        or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= at),
        or_(OutboxEntry.leased_until.is_(None), OutboxEntry.leased_until < at),
    )


def claim(name: str, owner: str, limit: int, lease_seconds: float) -> list[Claimed]:
    """Lease up to ``limit`` due rows of target ``name`` for ``owner``, oldest first (committed)."""
    at = now()
    until = at + timedelta(seconds=lease_seconds)
    candidates = select(OutboxEntry.id).where(_due(name, at)).order_by(OutboxEntry.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(lease_owner=owner, leased_until=until)
            )
    else:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(candidates.scalar_subquery()), _due(name, at))
            .values(lease_owner=owner, leased_until=until)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    rows = session.execute(
        select(OutboxEntry.id, OutboxEntry.statement_id, StoredStatement.raw, OutboxEntry.attempts)
        .join(StoredStatement, StoredStatement.id == OutboxEntry.statement_id)
        .where(
            OutboxEntry.lease_owner == owner, OutboxEntry.leased_until == until, OutboxEntry.sent_at.is_(None)
        )
        .order_by(OutboxEntry.id)
    ).all()
    session.commit()
    return [Claimed(*row) for row in rows]


def _held(owner: str, ids: list[int]):
    return and_(OutboxEntry.id.in_(ids), OutboxEntry.lease_owner == owner, OutboxEntry.sent_at.is_(None))


def _released() -> dict:
    return {"lease_owner": None, "leased_until": None}


def delivered(owner: str, rows: list[Claimed]) -> None:
    if rows:
        ids = [row.id for row in rows]
        session.execute(
            update(OutboxEntry)
            .where(_held(owner, ids))
            .values(sent_at=now(), attempts=OutboxEntry.attempts + 1, last_error=None, **_released())
        )
        session.commit()


def retry_later(owner: str, rows: list[Claimed], error: str) -> None:
    """Count a failed attempt and put each row off by its own backoff (with jitter)."""
    for row in rows:
        session.execute(
            update(OutboxEntry)
            .where(_held(owner, [row.id]))
            .values(
                attempts=OutboxEntry.attempts + 1,
                next_attempt_at=now() + timedelta(seconds=backoff(row.attempts + 1)),
                last_error=error[:ERROR_LENGTH],
                **_released(),
            )
        )
    session.commit()


def park(owner: str, row: Claimed, error: str) -> None:
    """Set a statement the target refuses aside (poison): it is not retried, the admin sees why."""
    session.execute(
        update(OutboxEntry)
        .where(_held(owner, [row.id]))
        .values(
            parked_at=now(), attempts=OutboxEntry.attempts + 1, last_error=error[:ERROR_LENGTH], **_released()
        )
    )
    session.commit()


def release(owner: str, rows: list[Claimed]) -> None:
    """Give rows back untried (the relay stops), due at once for the next relay."""
    if rows:
        session.execute(
            update(OutboxEntry).where(_held(owner, [row.id for row in rows])).values(**_released())
        )
        session.commit()


def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: doubling from LMS_XAPI_RELAY_RETRY_BASE up to
    LMS_XAPI_RELAY_RETRY_MAX, with jitter (a random half to whole of it) so rows and relays
    that failed together do not come back together."""
    config = current_app.config
    delay = min(config["LMS_XAPI_RELAY_RETRY_MAX"], config["LMS_XAPI_RELAY_RETRY_BASE"] * 2 ** (attempts - 1))
    return random.uniform(delay / 2, delay)  # noqa: S311 (jitter, not a secret)


def unpark(name: str) -> int:
    """Queue a target's parked statements again (after the target or the statement was fixed)."""
    done = session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.lrs_name == name, OutboxEntry.parked_at.is_not(None), OutboxEntry.sent_at.is_(None)
        )
        .values(parked_at=None, next_attempt_at=None)
    ).rowcount
    session.commit()
    return done


# Reading (the admin page, the CLI) ------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_pending: datetime | None
    failing: int
    parked: int
    sent: int


def backlog(name: str) -> Backlog:
    waiting = and_(OutboxEntry.lrs_name == name, OutboxEntry.sent_at.is_(None))
    pending = and_(waiting, OutboxEntry.parked_at.is_(None))
    row = session.execute(
        select(
            func.count().filter(pending),
            func.min(OutboxEntry.created_at).filter(pending),
            func.count().filter(pending, OutboxEntry.attempts > 0),
            func.count().filter(waiting, OutboxEntry.parked_at.is_not(None)),
            func.count().filter(OutboxEntry.lrs_name == name, OutboxEntry.sent_at.is_not(None)),
        ).where(OutboxEntry.lrs_name == name)
    ).one()
    return Backlog(*row)


def parked(name: str, limit: int = 50) -> list[OutboxEntry]:
    return list(
        session.scalars(
            select(OutboxEntry)
            .where(
                OutboxEntry.lrs_name == name,
                OutboxEntry.parked_at.is_not(None),
                OutboxEntry.sent_at.is_(None),
            )
            .order_by(OutboxEntry.parked_at.desc())
            .limit(limit)
        )
    )
