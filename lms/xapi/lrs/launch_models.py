"""Launch tokens: short-lived LRS access the LMS hands to content it launches (cmi5's fetch URL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User, utcnow
from lms.extensions import Base, UTCDateTime


class LrsLaunchToken(Base):
    """One launch of one activity by one learner. The token is random and shown once (to the
    content), kept as a SHA-256 hash; it stops working at ``expires_at`` or when revoked."""

    __tablename__ = "lms_lrs_launch_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[str] = mapped_column(Text)
    registration: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LrsLaunchToken {self.id} user {self.user_id}>"

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
