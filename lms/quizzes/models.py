"""Quiz attempts: the engine's working state.

An attempt keeps what was drawn for it and the answers saved as the learner goes; only the
server grades it. The grade is stored once: it is recorded as the attempt's passed or failed
statement, and ``lms.progress.models.QuizOutcome`` is projected from that statement. An
attempt reads its grade from its outcome, so the two can never disagree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime
from lms.progress.models import QuizOutcome


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

    outcome: Mapped[QuizOutcome | None] = relationship(
        primaryjoin="QuizAttempt.id == foreign(QuizOutcome.attempt_id)", viewonly=True, lazy="selectin"
    )

    __table_args__ = (
        UniqueConstraint("registration", "quiz_key", "number", name="uq_lms_quiz_attempts_number"),
    )

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} {self.quiz_key} #{self.number}>"

    @property
    def earned(self) -> float | None:
        return self.outcome.earned if self.outcome else None

    @property
    def possible(self) -> float | None:
        return self.outcome.possible if self.outcome else None

    @property
    def is_passed(self) -> bool | None:
        return self.outcome.is_passed if self.outcome else None

    @property
    def percent(self) -> float | None:
        if self.outcome is None or not self.outcome.possible:
            return None
        return round(100 * self.outcome.earned / self.outcome.possible, 2)
