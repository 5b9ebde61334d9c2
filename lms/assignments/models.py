"""Assignments: HR makes a course (or a learning path) required for a group, by a due date.

``Assignment`` keeps what HR asked for: a target (staff group, org unit with its sub-units,
province, or a list of users). ``RequiredCourse`` is its expansion, one row per person and
course with the earliest due date, kept up to date when assignments or people change; the
reports join it with enrolments in SQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User, utcnow
from lms.extensions import Base, UTCDateTime

TARGET_KINDS = ("staff_group", "org_unit", "province", "users")


class Assignment(Base):
    __tablename__ = "lms_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    learning_path_id: Mapped[int | None] = mapped_column(ForeignKey("lms_learning_paths.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    staff_group: Mapped[str | None] = mapped_column(String(32))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_org_units.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("lms_provinces.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    listed_users: Mapped[list[AssignmentUser]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("(course_id IS NULL) <> (learning_path_id IS NULL)", name="one_course_or_path"),
        CheckConstraint(
            "target_kind IN ('staff_group', 'org_unit', 'province', 'users')", name="target_kind_known"
        ),
    )

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.target_kind} due {self.due_on}>"


class AssignmentUser(Base):
    """One person named in an assignment whose target is a list of users."""

    __tablename__ = "lms_assignment_users"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_assignments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)

    assignment: Mapped[Assignment] = relationship(back_populates="listed_users")


class RequiredCourse(Base):
    """Person P must complete course C by ``due_on`` (the earliest of the assignments naming it)."""

    __tablename__ = "lms_required_courses"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_assignments.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_lms_required_courses_course_due", "course_id", "due_on"),)

    def __repr__(self) -> str:
        return f"<RequiredCourse user={self.user_id} course={self.course_id} due {self.due_on}>"
