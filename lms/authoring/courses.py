"""Courses made and described in the browser, and their owners.

A new course gets its ``lms_courses`` row at once, unpublished, with the actor as its first
owner and a draft whose files already pass the package checker: a course.yaml with one module
and one placeholder lesson (the schema wants at least one of each). Its details are then edited
in course.yaml through :mod:`lms.authoring.course_file`, so the browser and the package are one
course (ADR 0036). Services flush and never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.accounts.service import find_by_email
from lms.audit.service import audit
from lms.authoring import course_file, drafts, yaml_text
from lms.authoring.access import authored_courses, require_author, require_may_create
from lms.authoring.models import CourseDraft, CourseOwner
from lms.content.models import Course
from lms.extensions import session
from lms.packages.certificates import site_templates

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")
DEFAULT_CERTIFICATE = "formal-th"
"""The template a new course starts with (the one certificates fall back to)."""
FIRST_MODULE = "m1"
FIRST_LESSON = "m1-l1"
LESSON_RULES = ("required", "all", "none")
QUIZ_RULES = ("pass", "none")


class CourseError(ValueError):
    """Input the course service refuses; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


@dataclass
class Details:
    """What the details form says about a course (the texts of course.yaml's top keys)."""

    title_th: str
    title_en: str
    summary_th: str
    summary_en: str
    audience: list[str]
    hours: float
    lessons_rule: str = "required"
    quizzes_rule: str = "none"
    certificate: str = DEFAULT_CERTIFICATE


@dataclass(frozen=True)
class CourseRow:
    """A line of the authoring index."""

    course: Course
    title: str
    has_changes: bool


def course_by_slug(slug: str) -> Course | None:
    return session.scalar(select(Course).where(Course.slug == slug))


def index_rows(actor: User, language: str) -> list[CourseRow]:
    """The courses ``actor`` may author, each with its title and whether its draft has changes."""
    require_may_create(actor)
    rows = []
    for course in session.scalars(authored_courses(actor)):
        draft = drafts.existing_draft(course)
        rows.append(
            CourseRow(course, _title(course, draft, language), bool(draft and drafts.changed_paths(draft)))
        )
    return rows


def _title(course: Course, draft: CourseDraft | None, language: str) -> str:
    if draft is not None:
        title = course_file.read(draft)[0].get("title")
        if isinstance(title, dict) and isinstance(title.get(language), str):
            return title[language]
    version = course.current_version
    return version.title(language) if version else course.slug


def create_course(actor: User, slug: str, details: Details) -> Course:
    """A new unpublished course owned by ``actor``, with a draft that passes the checker."""
    require_may_create(actor)
    slug = (slug or "").strip()
    _check_slug(slug)
    _check_details(details)
    iri = current_app.config["LMS_COURSE_IRI_BASE"] + slug
    if session.scalar(select(Course.id).where(Course.iri == iri)) is not None:
        raise CourseError(_("A course with the address %(iri)s already exists.", iri=iri), "slug")
    course = Course(iri=iri, slug=slug, is_published=False)
    session.add(course)
    session.flush()
    session.add(CourseOwner(course_id=course.id, user_id=actor.id))
    session.flush()
    draft = drafts.draft_of(actor, course)
    drafts.save_text(draft, actor, f"lessons/{FIRST_LESSON}.md", first_lesson(), 0)
    course_file.save(draft, actor, new_course_data(iri, slug, details), 0)
    audit(actor, "authoring.course_created", f"course:{slug}", iri=iri)
    return course


def new_course_data(iri: str, slug: str, details: Details) -> dict[str, Any]:
    """course.yaml of a new course, in the key order of the package documentation."""
    data: dict[str, Any] = {"id": iri, "slug": slug, "version": 1}
    _apply(data, details)
    data["modules"] = [
        {"id": FIRST_MODULE, "title": {"th": "โมดูลที่ 1", "en": "Module 1"}, "lessons": [FIRST_LESSON]}
    ]
    return data


def first_lesson() -> str:
    meta = {
        "id": FIRST_LESSON,
        "title": {"th": "บทเรียนที่ 1", "en": "Lesson 1"},
        "minutes": 10,
        "required": True,
    }
    return yaml_text.join_lesson(meta, placeholder_body())


def placeholder_body() -> str:
    return "เนื้อหาของบทเรียนนี้ (แก้ไขได้)\n\nThe text of this lesson (edit it).\n"


def details_of(draft: CourseDraft) -> tuple[Details, int]:
    """The draft's course.yaml as form data, and the revision it was read at."""
    data, revision = course_file.read(draft)
    title, summary = _texts(data.get("title")), _texts(data.get("summary"))
    completion = data.get("completion") if isinstance(data.get("completion"), dict) else {}
    audience = data.get("audience") if isinstance(data.get("audience"), list) else []
    hours = data.get("hours")
    return (
        Details(
            title_th=title.get("th", ""),
            title_en=title.get("en", ""),
            summary_th=summary.get("th", ""),
            summary_en=summary.get("en", ""),
            audience=[str(a) for a in audience],
            hours=hours if isinstance(hours, int | float) and not isinstance(hours, bool) else 0,
            lessons_rule=str(completion.get("lessons", "required")),
            quizzes_rule=str(completion.get("quizzes", "none")),
            certificate=str(data.get("certificate") or DEFAULT_CERTIFICATE),
        ),
        revision,
    )


def _texts(value: object) -> dict[str, str]:
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def update_details(actor: User, course: Course, details: Details, base_revision: int) -> None:
    """Write the details into the draft's course.yaml; ``drafts.StaleEdit`` if it moved on."""
    draft = drafts.draft_of(actor, course)
    _check_details(details)
    course_file.update(draft, actor, base_revision, lambda data: _apply(data, details))


def _apply(data: dict[str, Any], details: Details) -> None:
    """Set the top keys from ``details``, keeping the others (and any min_time_ratio)."""
    data["title"] = {"th": details.title_th.strip(), "en": details.title_en.strip()}
    data["summary"] = {"th": details.summary_th.strip(), "en": details.summary_en.strip()}
    data["audience"] = list(details.audience)
    data["hours"] = int(details.hours) if float(details.hours).is_integer() else details.hours
    completion = data.get("completion") if isinstance(data.get("completion"), dict) else {}
    completion.update({"lessons": details.lessons_rule, "quizzes": details.quizzes_rule})
    data["completion"] = completion
    data["certificate"] = details.certificate


def _check_slug(slug: str) -> None:
    if not SLUG.match(slug):
        raise CourseError(
            _(
                "The short name must be 3 to 60 characters: lower-case letters a-z, digits 0-9 and '-', "
                "starting with a letter or digit (e.g. digital-basics)."
            ),
            "slug",
        )
    if course_by_slug(slug) is not None:
        raise CourseError(
            _("The short name %(slug)s is taken by another course; choose another.", slug=slug), "slug"
        )


def _check_details(details: Details) -> None:
    for name in ("title_th", "title_en"):
        value = getattr(details, name).strip()
        if not value:
            raise CourseError(_("Give the course a title in Thai and in English."), name)
        if len(value) > 300:
            raise CourseError(_("A title may be at most 300 characters."), name)
    for name in ("summary_th", "summary_en"):
        if not getattr(details, name).strip():
            raise CourseError(_("Give a summary in Thai and in English."), name)
    if not details.audience:
        raise CourseError(_("Choose at least one staff group the course is for."), "audience")
    if not 0 < details.hours <= 9999 or round(details.hours, 1) != details.hours:
        raise CourseError(
            _("Hours must be a number above 0 and at most 9999, with at most one decimal place."), "hours"
        )
    if details.lessons_rule not in LESSON_RULES:
        raise CourseError(_("Choose which lessons a learner must complete."), "lessons_rule")
    if details.quizzes_rule not in QUIZ_RULES:
        raise CourseError(_("Choose whether the quizzes must be passed."), "quizzes_rule")
    if details.certificate not in site_templates():
        raise CourseError(_("Choose a certificate template from the list."), "certificate")


def owners(course: Course) -> list[CourseOwner]:
    query = select(CourseOwner).where(CourseOwner.course_id == course.id).order_by(CourseOwner.added_at)
    return list(session.scalars(query))


def add_owner(actor: User, course: Course, email: str) -> CourseOwner:
    """Make the active trainer with ``email`` an owner. An owner or an administrator may."""
    require_author(actor, course)
    email = (email or "").strip()
    user = find_by_email(email) if email else None
    if user is None:
        raise CourseError(_("No user has the email %(email)s.", email=email or "—"), "email")
    if not user.is_active or not user.has_role(Role.TRAINER):
        raise CourseError(
            _("%(email)s is not an active trainer; only active trainers can own a course.", email=user.email),
            "email",
        )
    if any(owner.user_id == user.id for owner in owners(course)):
        raise CourseError(_("%(email)s is already an owner of this course.", email=user.email), "email")
    owner = CourseOwner(course_id=course.id, user_id=user.id)
    session.add(owner)
    session.flush()
    audit(actor, "authoring.owner_added", f"course:{course.slug}", user_id=user.id, email=user.email)
    return owner


def remove_owner(actor: User, course: Course, user_id: int | None) -> None:
    """Remove an owner; never the last one (a course nobody owns only an administrator could edit)."""
    require_author(actor, course)
    found = owners(course)
    owner = next((o for o in found if o.user_id == user_id), None)
    if owner is None:
        raise CourseError(_("That person is not an owner of this course; reload the page."))
    if len(found) == 1:
        raise CourseError(_("A course needs at least one owner: add another owner before removing this one."))
    email = owner.user.email
    session.delete(owner)
    session.flush()
    audit(actor, "authoring.owner_removed", f"course:{course.slug}", user_id=user_id, email=email)
