"""Quiz attempts (the engine's working state) and quiz outcomes (a progress projection).

An attempt keeps what was drawn for it and the answers saved as the learner goes; only the
server grades it. The outcome of a submitted attempt is recorded as a passed or failed
statement, and ``QuizOutcome`` is projected from those statements like all progress.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class QuizAttempt(Base):
    __tablename__ = "lms_quiz_attempts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    registration: Mapped[str] = mapped_column(
        ForeignKey("lms_enrolments.registration", ondelete="CASCADE"), index=True
    )
    quiz_key: Mapped[str] = mapped_column(String(100))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_ids: Mapped[list] = mapped_column(JSON)
    choice_orders: Mapped[dict] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    earned: Mapped[float | None] = mapped_column(Float)
    possible: Mapped[float | None] = mapped_column(Float)
    is_passed: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        UniqueConstraint("registration", "quiz_key", "number", name="uq_lms_quiz_attempts_number"),
    )

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} {self.quiz_key} #{self.number}>"

    @property
    def percent(self) -> float | None:
        if self.earned is None or not self.possible:
            return None
        return round(100 * self.earned / self.possible, 2)


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
    is_passed: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # The reports read outcomes by registration and need only these columns (an index-only scan).
    __table_args__ = (
        Index("ix_lms_quiz_outcomes_report", "registration", "quiz_key", "scaled", "is_passed"),
    )

    def __repr__(self) -> str:
        return f"<QuizOutcome {self.quiz_key} #{self.attempt_number} {'pass' if self.is_passed else 'fail'}>"
