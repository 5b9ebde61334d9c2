"""Documents of the LRS's three document resources: State, Activity Profile and Agent Profile.

A document is bytes with the content type it was sent with. Its identity (resource kind,
activity, agent, registration and its own id) can be longer than an index allows, so rows are
found by SHA-256 digests of it: ``scope_sha256`` (kind, activity and agent: what the id lists
and the multiple DELETE select) and ``key_sha256`` (the scope, the registration and the id:
unique). The plain values are kept beside them for reading.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class LrsDocument(Base):
    """One State, Activity Profile or Agent Profile document."""

    __tablename__ = "lms_lrs_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    scope_sha256: Mapped[str] = mapped_column(String(64))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[str | None] = mapped_column(Text)
    agent_ifi: Mapped[str | None] = mapped_column(Text)
    registration: Mapped[str | None] = mapped_column(String(36))
    document_id: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_lms_lrs_documents_scope", "scope_sha256", "updated_at"),)

    def __repr__(self) -> str:
        return f"<LrsDocument {self.kind} {self.document_id}>"
