"""Attachment payloads the LRS received with statements (xAPI 1.0.3, Data 2.4.11).

A payload is keyed by the SHA-2 its statements declare (lowercase hex), so the same file sent
with many statements is kept once. Statements find their payloads through their attachment
objects' ``sha2``; nothing else refers to a row, and a row is never changed once written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class LrsAttachment(Base):
    """The raw octets of one attachment, as sent in its multipart/mixed part."""

    __tablename__ = "lms_lrs_attachments"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<LrsAttachment {self.sha2[:12]} {self.content_type} {self.length}>"
