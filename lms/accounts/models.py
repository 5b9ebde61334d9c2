"""Users, roles, the org-unit tree, provinces and HR scope."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.names import is_thai
from lms.extensions import Base, UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class StaffGroup(enum.StrEnum):
    EXECUTIVE = "executive"
    PRACTITIONER = "practitioner"
    GENERAL = "general"


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    HR = "hr"
    ADMIN = "admin"


class OrgKind(enum.StrEnum):
    MINISTRY = "ministry"
    DEPARTMENT = "department"
    DIVISION = "division"
    PROVINCIAL_OFFICE = "provincial_office"


class Province(Base):
    """One of Thailand's 77 provinces (Bangkok included), keyed by ISO 3166-2:TH code."""

    __tablename__ = "lms_provinces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso_code: Mapped[str] = mapped_column(String(8), unique=True)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def __repr__(self) -> str:
        return f"<Province {self.iso_code} {self.name_en}>"


class OrgUnit(Base):
    """A node of the organisation tree: ministry, department, division or provincial office."""

    __tablename__ = "lms_org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_th: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    is_central: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("lms_org_units.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("lms_provinces.id"), index=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")
    province: Mapped[Province | None] = relationship()

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"


class User(Base):
    """A person who learns, teaches, reports or administers.

    ``uuid`` is the opaque id used as the xAPI actor's account name; the email never leaves
    the LMS in a statement. ``external_id`` links a host app's user to this profile.
    """

    __tablename__ = "lms_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    title_th: Mapped[str] = mapped_column(String(64), default="")
    first_name_th: Mapped[str] = mapped_column(String(100))
    last_name_th: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str] = mapped_column(String(64), default="")
    first_name_en: Mapped[str] = mapped_column(String(100), default="")
    last_name_en: Mapped[str] = mapped_column(String(100), default="")
    staff_group: Mapped[str] = mapped_column(String(32), default=StaffGroup.GENERAL.value, index=True)
    position: Mapped[str] = mapped_column(String(255), default="")
    level: Mapped[str] = mapped_column(String(100), default="")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_org_units.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("lms_provinces.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Raised to end every session of this user: each session holds the epoch it began in.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    #: Set by a password reset: every LMS page leads to the password change until it is done.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit | None] = relationship()
    province: Mapped[Province | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    scopes: Mapped[list[HRScope]] = relationship(back_populates="user", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("staff_group IN ('executive', 'practitioner', 'general')", name="staff_group_known"),
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def full_name(self, locale: str = "th") -> str:
        """The name with its title prefix, as it is written in that language."""
        if locale == "en" and self.first_name_en:
            parts = [self.title_en, self.first_name_en, self.last_name_en]
            return " ".join(p for p in parts if p)
        # A Thai title joins the first name (นายสมชาย ใจดี); a Latin one is followed by a space.
        title = self.title_th or ""
        joiner = "" if not title or is_thai(title) else " "
        return f"{title}{joiner}{self.first_name_th} {self.last_name_th}".strip()

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.uuid


class UserRole(Base):
    __tablename__ = "lms_user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (CheckConstraint("role IN ('learner', 'trainer', 'hr', 'admin')", name="role_known"),)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class HRScope(Base):
    """One org unit (with all its sub-units) or one province whose people an HR user may see."""

    __tablename__ = "lms_hr_scopes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_org_units.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("lms_provinces.id"))

    user: Mapped[User] = relationship(back_populates="scopes")
    org_unit: Mapped[OrgUnit | None] = relationship()
    province: Mapped[Province | None] = relationship()

    __table_args__ = (
        CheckConstraint("(org_unit_id IS NULL) <> (province_id IS NULL)", name="exactly_one_target"),
        UniqueConstraint("user_id", "org_unit_id", "province_id", name="uq_lms_hr_scopes_target"),
    )

    def __repr__(self) -> str:
        target = f"unit={self.org_unit_id}" if self.org_unit_id else f"province={self.province_id}"
        return f"<HRScope user={self.user_id} {target}>"
