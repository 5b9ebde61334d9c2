"""Issued certificates. A certificate is issued once per enrolment; a correction re-issues it
under a new serial and the old one then verifies as superseded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User, utcnow
from lms.extensions import Base, UTCDateTime


class Certificate(Base):
    __tablename__ = "lms_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str | None] = mapped_column(String(64), unique=True)
    verification_code: Mapped[str] = mapped_column(String(32))
    registration: Mapped[str] = mapped_column(ForeignKey("lms_enrolments.registration"), index=True)
    issue_number: Mapped[int] = mapped_column(Integer, default=1)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    template: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_certificates.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    __table_args__ = (UniqueConstraint("registration", "issue_number", name="uq_lms_certificates_issue"),)

    def __repr__(self) -> str:
        return f"<Certificate {self.serial}>"

    @property
    def status(self) -> str:
        if self.superseded_by_id is not None:
            return "superseded"
        if self.revoked_at is not None:
            return "revoked"
        return "valid"
