"""Drafts (a course package held file by file) and course owners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User, utcnow
from lms.content.models import Course
from lms.extensions import Base, UTCDateTime


class CourseOwner(Base):
    """A trainer who may edit and publish a course, and see its learners' figures."""

    __tablename__ = "lms_course_owners"

    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CourseOwner {self.course_id} {self.user_id}>"


class CourseDraft(Base):
    """The one draft of a course: its package files as they are being edited."""

    __tablename__ = "lms_course_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"), unique=True)
    base_version_number: Mapped[int | None] = mapped_column(Integer)
    """The published version the draft started from (None for a course never published)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    files: Mapped[list[DraftFile]] = relationship(
        back_populates="draft", order_by="DraftFile.path", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<CourseDraft {self.course_id}>"


class DraftFile(Base):
    """One file of a draft: a text file's text, or a media file's hash in the media store.

    ``revision`` counts the saves of this file; a save names the revision it started from and is
    refused when another save came in between (optimistic locking, ADR 0036). A deleted file
    stays as a row with neither text nor hash, so a stale save of it is still caught.
    """

    __tablename__ = "lms_draft_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("lms_course_drafts.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    media_size: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))

    draft: Mapped[CourseDraft] = relationship(back_populates="files")
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("draft_id", "path", name="uq_lms_draft_files_path"),)

    def __repr__(self) -> str:
        return f"<DraftFile {self.draft_id} {self.path} r{self.revision}>"

    @property
    def exists(self) -> bool:
        return self.text is not None or self.media_sha256 is not None

    @property
    def is_media(self) -> bool:
        return self.media_sha256 is not None
