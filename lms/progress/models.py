"""The progress projection: enrolments, lesson progress and quiz outcomes.

Every row here is derived from the statement store by the projectors in
``lms.progress.projectors`` and nothing else writes them; ``flask lms progress rebuild``
re-derives them exactly (docs/decisions/0007-progress-is-a-projection-of-statements.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.content.models import Course
from lms.extensions import Base, UTCDateTime


class Enrolment(Base):
    """A learner's registration in a course (projection of the 'registered' statement).

    The primary key is the xAPI registration uuid, so it is stable across rebuilds.
    """

    __tablename__ = "lms_enrolments"

    registration: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    enrolled_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="self")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_lesson_key: Mapped[str | None] = mapped_column(String(100))
    time_spent_seconds: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    lessons: Mapped[list[LessonProgress]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("user_id", "course_id", name="uq_lms_enrolments_user_course"),
        # Training hours and period filters read completions by date.
        Index(
            "ix_lms_enrolments_completed_at",
            "completed_at",
            postgresql_where=text("completed_at IS NOT NULL"),
            sqlite_where=text("completed_at IS NOT NULL"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Enrolment {self.registration} user={self.user_id} course={self.course_id}>"


class LessonProgress(Base):
    """What one enrolment did in one lesson, keyed by the lesson's package id."""

    __tablename__ = "lms_lesson_progress"

    registration: Mapped[str] = mapped_column(
        ForeignKey("lms_enrolments.registration", ondelete="CASCADE"), primary_key=True
    )
    lesson_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_spent_seconds: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The page view whose time was counted last, and how much of it: a view reported twice
    # (the learner leaves, comes back to the tab, leaves again) counts only its new seconds.
    last_view_id: Mapped[str | None] = mapped_column(String(36))
    last_view_seconds: Mapped[int] = mapped_column(Integer, default=0)

    enrolment: Mapped[Enrolment] = relationship(back_populates="lessons")

    def __repr__(self) -> str:
        return f"<LessonProgress {self.registration} {self.lesson_key}>"


class QuizOutcome(Base):
    """One graded attempt, projected from its passed or failed statement."""

    __tablename__ = "lms_quiz_outcomes"

    attempt_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    registration: Mapped[str] = mapped_column(
        ForeignKey("lms_enrolments.registration", ondelete="CASCADE"), index=True
    )
    quiz_key: Mapped[str] = mapped_column(String(100))
    attempt_number: Mapped[int] = mapped_column(Integer)
    scaled: Mapped[float] = mapped_column(Float)
    earned: Mapped[float] = mapped_column(Float, default=0)
    possible: Mapped[float] = mapped_column(Float, default=0)
    is_passed: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # The reports read outcomes by registration and need only these columns (an index-only scan).
    __table_args__ = (
        Index("ix_lms_quiz_outcomes_report", "registration", "quiz_key", "scaled", "is_passed"),
    )

    def __repr__(self) -> str:
        return f"<QuizOutcome {self.quiz_key} #{self.attempt_number} {'pass' if self.is_passed else 'fail'}>"
