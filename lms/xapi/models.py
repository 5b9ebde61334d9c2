"""The statement store (the ledger) and the outbox for external LRSs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class StoredStatement(Base):
    """One xAPI statement as it was received (``raw`` is the JSON text, never re-dumped).

    Append-only: a voiding statement marks its target ``is_voided`` and nothing else changes.
    ``seq`` orders the ledger for replay.
    """

    __tablename__ = "lms_statements"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(36), unique=True)
    actor_name: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"), index=True)
    verb_id: Mapped[str] = mapped_column(String(500))
    object_id: Mapped[str] = mapped_column(String(500), index=True)
    registration: Mapped[str | None] = mapped_column(String(36), index=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_voided: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<StoredStatement {self.id} {self.verb_id.rsplit('/', 1)[-1]}>"


class OutboxEntry(Base):
    """A statement waiting to be sent to one external LRS (``lms.xapi.relay`` sends and retries).

    ``lrs_name`` is the target's name (``LMS_XAPI_FORWARD``), or its URL for a target of the
    old ``LMS_XAPI_FORWARD_TO``: any length. A relay claims a row by setting ``lease_owner``
    and ``leased_until``; a failed attempt sets ``next_attempt_at`` (backoff); a statement the
    target refuses (400) is parked (``parked_at``, the reason in ``last_error``) and not retried.
    """

    __tablename__ = "lms_xapi_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("lms_statements.id"), index=True)
    lrs_name: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("statement_id", "lrs_name", name="uq_lms_xapi_outbox_target"),
        Index(
            "ix_lms_xapi_outbox_pending",
            "lrs_name",
            "id",
            postgresql_where=text("sent_at IS NULL AND parked_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND parked_at IS NULL"),
        ),
    )

    def __repr__(self) -> str:
        return f"<OutboxEntry {self.statement_id} -> {self.lrs_name}>"


class RelayTargetState(Base):
    """What the relay last saw of one target: shown on the admin page (secrets are not kept)."""

    __tablename__ = "lms_xapi_relay_targets"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<RelayTargetState {self.name}>"
