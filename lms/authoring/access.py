"""Who may author what: an administrator every course, a trainer the courses they own.

Every authoring service asks here with the acting user, so the browser, ``flask lms`` and the
API are held to one rule (ADR 0023). Owners are kept in ``lms_course_owners``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from lms.accounts.models import Role, User
from lms.accounts.policy import NotAllowed, Permission, require
from lms.authoring.models import CourseOwner
from lms.content.models import Course
from lms.extensions import session

AUTHOR_COURSES = Permission(
    (Role.TRAINER, Role.ADMIN),
    _l("Only trainers and administrators may author courses."),
    scoped=False,
)
VIEW_AUDIT_LOG = Permission((Role.ADMIN,), _l("Only an administrator may read the audit log."), scoped=False)


def is_owner(user: User, course: Course) -> bool:
    return bool(
        session.scalar(
            select(exists().where(CourseOwner.course_id == course.id, CourseOwner.user_id == user.id))
        )
    )


def may_author(actor: User | None, course: Course) -> bool:
    """Whether ``actor`` may edit, preview, publish and export ``course``."""
    if actor is None or not actor.is_active:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    return actor.has_role(Role.TRAINER) and is_owner(actor, course)


def require_author(actor: User, course: Course) -> None:
    """Refuse unless ``actor`` may author ``course`` (the message names the course)."""
    require(actor, AUTHOR_COURSES)
    if not may_author(actor, course):
        raise NotAllowed(
            _("You are not an owner of the course %(slug)s; ask an administrator.", slug=course.slug)
        )


def require_may_create(actor: User) -> None:
    """Trainers and administrators may start a new course (and own it)."""
    require(actor, AUTHOR_COURSES)


def authored_courses(actor: User):
    """A select of the courses ``actor`` may author: all for an administrator, owned for a trainer."""
    query = select(Course).order_by(Course.slug)
    if actor.has_role(Role.ADMIN):
        return query
    return query.join(CourseOwner, CourseOwner.course_id == Course.id).where(CourseOwner.user_id == actor.id)
