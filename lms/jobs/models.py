"""Background jobs: one row per job, whose counters the progress pages read."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class Job(Base):
    """A long task (bulk certificates, a large export, enrolling an assignment) run off-request.

    The work is split into chunks; each chunk adds to ``done`` (or ``failed``) with an atomic
    UPDATE, so several workers can share one job and the progress page stays exact.
    """

    __tablename__ = "lms_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result_file: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Touched by every item counted: a job not finished whose heartbeat is older than
    #: LMS_JOBS_STALE_AFTER has lost its workers and shows as stopped (``service.is_stopped``).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Which run of the job the queued chunks belong to; a resume starts the next one, and a
    #: chunk of an earlier run still in a queue is then dropped instead of counted twice.
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
    )

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * (self.done + self.failed) / self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in ("done", "failed")
