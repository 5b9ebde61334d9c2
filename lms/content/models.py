"""The course tree (course, version, module, lesson) and learning paths.

Content rows are written by the package importer and never by a learner's action; what a
learner did lives in ``lms.progress.models``, a projection of the statement store.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import utcnow
from lms.extensions import Base, UTCDateTime


class Course(Base):
    """A course, identified by its package IRI; its content lives in versions."""

    __tablename__ = "lms_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iri: Mapped[str] = mapped_column(String(500), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.number"
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"

    @property
    def current_version(self) -> CourseVersion | None:
        """The newest imported version: what every learner sees."""
        return self.versions[-1] if self.versions else None


class CourseVersion(Base):
    """One imported version of a course package; a changed package makes a new one."""

    __tablename__ = "lms_course_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    package_version: Mapped[str] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64))
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary_th: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    audience: Mapped[list] = mapped_column(JSON)
    hours: Mapped[float] = mapped_column(Numeric(5, 1))
    completion_rule: Mapped[dict] = mapped_column(JSON)
    certificate_template: Mapped[str] = mapped_column(String(100), default="")
    package: Mapped[dict] = mapped_column(JSON, deferred=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("course_id", "number", name="uq_lms_course_versions_number"),)

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} v{self.number}>"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th

    def summary(self, language: str) -> str:
        return self.summary_en if language == "en" and self.summary_en else self.summary_th

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


class Module(Base):
    __tablename__ = "lms_modules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("lms_course_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    quiz_key: Mapped[str | None] = mapped_column(String(100))

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("version_id", "key", name="uq_lms_modules_key"),)

    def __repr__(self) -> str:
        return f"<Module {self.key}>"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th


class Lesson(Base):
    __tablename__ = "lms_lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("lms_modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(Integer)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    body_markdown: Mapped[str] = mapped_column(Text, deferred=True)
    body_html: Mapped[str] = mapped_column(Text, deferred=True)

    module: Mapped[Module] = relationship(back_populates="lessons")

    __table_args__ = (UniqueConstraint("module_id", "key", name="uq_lms_lessons_key"),)

    def __repr__(self) -> str:
        return f"<Lesson {self.key}>"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th


class LearningPath(Base):
    """An ordered set of courses recommended to one staff group."""

    __tablename__ = "lms_learning_paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    staff_group: Mapped[str] = mapped_column(String(32), index=True)
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    course_slugs: Mapped[list] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<LearningPath {self.key}>"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th
