"""LRS credentials: a key and secret for HTTP Basic, with xAPI scopes, made and revoked by an admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class LrsCredential(Base):
    """HTTP Basic credentials for a tool that talks to our LRS. The secret is shown once and
    kept as a SHA-256 hash (it is random and long, so a fast hash is enough; ADR 0017)."""

    __tablename__ = "lms_lrs_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LrsCredential {self.key} {self.name}>"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
