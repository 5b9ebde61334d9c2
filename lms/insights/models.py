"""The quiz answers projection: one row per 'answered' statement, and one per choice picked.

Derived only from the ledger by :mod:`lms.insights.projectors` (ADR 0018); ``flask lms progress
rebuild`` and voiding re-derive it. The item analysis reads it with SQL aggregates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import Base, UTCDateTime


class QuestionAnswer(Base):
    """One learner's answer to one question in one submitted attempt."""

    __tablename__ = "lms_question_answers"

    statement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    registration: Mapped[str] = mapped_column(
        ForeignKey("lms_enrolments.registration", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[str] = mapped_column(String(36), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    # None for a question type that grades without right or wrong.
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    scaled: Mapped[float] = mapped_column(Float, default=0)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # The item analysis groups a quiz's answers by question (an index-only scan on PostgreSQL).
    __table_args__ = (
        Index(
            "ix_lms_question_answers_item",
            "course_id",
            "quiz_key",
            "question_id",
            "is_correct",
            "attempt_id",
        ),
    )

    def __repr__(self) -> str:
        return f"<QuestionAnswer {self.quiz_key}/{self.question_id} {self.is_correct}>"


class QuestionAnswerChoice(Base):
    """A choice picked in an answer (single choice, multiple response, true/false)."""

    __tablename__ = "lms_question_answer_choices"

    statement_id: Mapped[str] = mapped_column(
        ForeignKey("lms_question_answers.statement_id", ondelete="CASCADE"), primary_key=True
    )
    choice_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The answer's course, quiz and question again, so that the choice shares are one
    # index-only GROUP BY with no join (a quiz of 100,000 learners has about a million picks).
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_lms_question_answer_choices_item", "course_id", "quiz_key", "question_id", "choice_id"),
    )

    def __repr__(self) -> str:
        return f"<QuestionAnswerChoice {self.statement_id} {self.choice_id}>"
