"""Assignments: HR makes a course or a learning path required for a group, by a due date.

Everything here is limited to the acting user's scope: an administrator may target anyone; an
HR user only units and provinces inside their scope and people inside it, and a staff-group
assignment made by HR covers only the people in their scope (see ``expansion``). Services
flush but never commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from lms.accounts import policy
from lms.accounts.models import OrgUnit, Province, StaffGroup, User
from lms.accounts.service import normalise_email
from lms.assignments import expansion
from lms.assignments.enrolment import enrol_missing
from lms.assignments.models import TARGET_KINDS, Assignment, AssignmentUser, RequiredCourse
from lms.content.models import Course, CourseVersion, LearningPath
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.signals import user_changed

log = logging.getLogger(__name__)

MAX_LISTED_EMAILS = 5000
#: A person's change enrols them at once up to this many courses in all; more waits for a job.
INLINE_ENROL_LIMIT = 100
USERS_PER_STATEMENT = 1000
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


class AssignmentError(ValueError):
    """An assignment request that cannot be carried out; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def scope_of(actor: User) -> policy.Scope:
    """The actor's assignment scope (:mod:`lms.accounts.policy`); only active HR users and
    administrators may assign."""
    try:
        policy.require(actor, policy.ASSIGN_COURSES)
    except policy.NotAllowed as exc:
        raise AssignmentError(str(exc)) from None
    return policy.scope_of(actor)


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["LMS_TIMEZONE"])).date()


def split_emails(text: str) -> list[str]:
    """The emails in a pasted list (commas, semicolons, spaces or lines), each once, in order."""
    seen: dict[str, None] = {}
    for part in EMAIL_SEPARATORS.split(text or ""):
        if part:
            seen.setdefault(normalise_email(part), None)
    return list(seen)


# Creating and cancelling


def create_assignment(
    actor: User,
    *,
    due_on: date | None,
    target_kind: str | None,
    target: str | Iterable[str] | None,
    course_slug: str | None = None,
    path_key: str | None = None,
) -> Assignment:
    """Check the whole request, save the assignment and expand it into required courses.

    Give one course (slug) or one learning path (key), and one target: ``target_kind`` is
    ``staff_group`` (target: the group), ``org_unit`` (the unit's code), ``province`` (its ISO
    code) or ``users`` (their emails). Nothing is written when anything is wrong. Enrolling the
    people covered is :func:`lms.assignments.enrolment.start_enrolment`'s job, after commit.
    """
    scope = scope_of(actor)
    if not scope.everyone and not scope.unit_ids and not scope.province_ids:
        raise AssignmentError(_("Your HR scope is empty: ask an administrator to set it."), "target_kind")
    course, path = _what(course_slug, path_key)
    assignment = Assignment(
        course_id=course.id if course else None,
        learning_path_id=path.id if path else None,
        due_on=_due(due_on),
        created_by_id=actor.id,
    )
    _target(assignment, scope, target_kind, target)
    session.add(assignment)
    session.flush()
    expansion.recompute(course_ids=expansion.assignment_course_ids(assignment))
    log.info(
        "assignment %s created by user %s: %s for %s, due %s",
        assignment.id,
        actor.id,
        course_slug or path_key,
        target_kind,
        assignment.due_on,
    )
    return assignment


def _what(course_slug: str | None, path_key: str | None) -> tuple[Course | None, LearningPath | None]:
    if bool(course_slug) == bool(path_key):
        raise AssignmentError(_("Choose one course or one learning path."), "what")
    if course_slug:
        course = courses.course_by_slug(course_slug)
        if course is None:
            raise AssignmentError(_("No published course has the slug %(slug)s.", slug=course_slug), "what")
        return course, None
    path = session.scalar(select(LearningPath).where(LearningPath.key == path_key))
    if path is None:
        raise AssignmentError(_("No learning path has the key %(key)s.", key=path_key), "what")
    if not expansion.path_course_ids([path])[path.id]:
        raise AssignmentError(
            _("The learning path %(key)s has no published course to assign.", key=path_key), "what"
        )
    return None, path


def _due(due_on: date | None) -> date:
    if due_on is None:
        raise AssignmentError(_("Give a due date."), "due_on")
    if due_on < local_today():
        raise AssignmentError(
            _("The due date %(date)s is in the past; choose today or a later day.", date=due_on.isoformat()),
            "due_on",
        )
    return due_on


def _target(assignment: Assignment, scope: policy.Scope, kind: str | None, target) -> None:
    if kind not in TARGET_KINDS:
        raise AssignmentError(
            _("Choose who it is for: a staff group, an org unit, a province or a list of people."),
            "target_kind",
        )
    assignment.target_kind = kind
    if kind == "users":
        emails = split_emails(target) if isinstance(target, str) else list(target or ())
        assignment.listed_users = [AssignmentUser(user_id=uid) for uid in _users_in_scope(emails, scope)]
    elif kind == "staff_group":
        if not target:
            raise AssignmentError(_("Choose a staff group."), "staff_group")
        if target not in set(StaffGroup):
            raise AssignmentError(_("Unknown staff group %(group)s.", group=target), "staff_group")
        assignment.staff_group = target
    elif kind == "org_unit":
        assignment.org_unit_id = _unit_in_scope(target, scope)
    else:
        assignment.province_id = _province_in_scope(target, scope)


def _unit_in_scope(code: str | None, scope: policy.Scope) -> int:
    if not code:
        raise AssignmentError(_("Choose an org unit."), "org_unit")
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if unit_id is None:
        raise AssignmentError(_("No org unit has the code %(code)s.", code=code), "org_unit")
    if not scope.everyone and unit_id not in scope.unit_ids:
        raise AssignmentError(_("The org unit %(code)s is outside your HR scope.", code=code), "org_unit")
    return unit_id


def _province_in_scope(code: str | None, scope: policy.Scope) -> int:
    if not code:
        raise AssignmentError(_("Choose a province."), "province")
    province_id = session.scalar(select(Province.id).where(Province.iso_code == code))
    if province_id is None:
        raise AssignmentError(
            _("%(code)s is not a province code; use the ISO 3166-2 code, e.g. TH-10 for Bangkok.", code=code),
            "province",
        )
    if not scope.everyone and province_id not in scope.province_ids:
        raise AssignmentError(_("The province %(code)s is outside your HR scope.", code=code), "province")
    return province_id


def _users_in_scope(emails: Iterable[str], scope: policy.Scope) -> list[int]:
    """The ids of these people; every email that is unknown or out of scope is named.

    Unknown and out-of-scope emails get the same message, so HR cannot learn who exists
    outside their scope.
    """
    wanted = list(dict.fromkeys(normalise_email(e) for e in emails if e.strip()))
    if not wanted:
        raise AssignmentError(_("List at least one email."), "emails")
    if len(wanted) > MAX_LISTED_EMAILS:
        raise AssignmentError(
            _(
                "%(n)d emails listed; at most %(max)d. Assign a unit or a staff group instead.",
                n=len(wanted),
                max=MAX_LISTED_EMAILS,
            ),
            "emails",
        )
    found = dict(
        session.execute(
            select(User.email, User.id).where(
                User.email.in_(wanted), User.is_active.is_(True), scope.condition()
            )
        ).all()
    )
    missing = [e for e in wanted if e not in found]
    if missing:
        message = (
            _("No active user has the email(s): %(emails)s.", emails=", ".join(missing))
            if scope.everyone
            else _("No active user in your HR scope has the email(s): %(emails)s.", emails=", ".join(missing))
        )
        raise AssignmentError(message, "emails")
    return [found[e] for e in wanted]


def cancel_assignment(assignment: Assignment, actor: User) -> None:
    """Cancel it (who and when are kept) and recompute its courses from the active assignments.

    Enrolments stay: people keep what they started, it is just no longer required.
    """
    scope_of(actor)  # refuses anyone but HR users and administrators
    if not may_manage(actor, assignment):
        raise AssignmentError(_("Assignment %(id)d is outside your HR scope.", id=assignment.id))
    if assignment.cancelled_at is not None:
        raise AssignmentError(_("Assignment %(id)d is already cancelled.", id=assignment.id))
    assignment.cancelled_at = datetime.now(UTC)
    assignment.cancelled_by_id = actor.id
    session.flush()
    expansion.recompute(course_ids=expansion.assignment_course_ids(assignment))
    log.info("assignment %s cancelled by user %s", assignment.id, actor.id)


# Who sees which assignments


def visible_assignments(viewer: User):
    """A select of the assignments the viewer may see and cancel.

    Administrators see all. HR sees the ones they made, and those whose whole target lies in
    their scope: a unit or province in it, or a list of people all in it.
    """
    stmt = select(Assignment)
    scope = scope_of(viewer)
    if scope.everyone:
        return stmt
    conditions = [Assignment.created_by_id == viewer.id]
    if scope.unit_ids:
        conditions.append(
            and_(Assignment.target_kind == "org_unit", Assignment.org_unit_id.in_(scope.unit_ids))
        )
    if scope.province_ids:
        conditions.append(
            and_(Assignment.target_kind == "province", Assignment.province_id.in_(scope.province_ids))
        )
    outsider = (
        select(AssignmentUser.user_id)
        .join(User, User.id == AssignmentUser.user_id)
        .where(AssignmentUser.assignment_id == Assignment.id, ~scope.condition())
    )
    conditions.append(and_(Assignment.target_kind == "users", ~exists(outsider)))
    return stmt.where(or_(*conditions))


def may_manage(viewer: User, assignment: Assignment) -> bool:
    try:
        stmt = visible_assignments(viewer).where(Assignment.id == assignment.id)
    except AssignmentError:
        return False
    return session.scalar(stmt) is not None


@dataclass(frozen=True)
class AssignmentRow:
    """One line of the assignment list, with what it needs to be shown."""

    assignment: Assignment
    course: Course | None
    path: LearningPath | None
    unit: OrgUnit | None
    province: Province | None
    listed: int
    people: int


def assignment_page(viewer: User, page: int, per_page: int) -> tuple[list[AssignmentRow], int]:
    """A page of the viewer's assignments, newest first, and their total, in a fixed number of queries."""
    stmt = visible_assignments(viewer)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    found = session.scalars(
        stmt.options(selectinload(Assignment.created_by))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return _rows(found), total


def _rows(found: list[Assignment]) -> list[AssignmentRow]:
    def by_id(model, ids, *options):
        ids = {i for i in ids if i is not None}
        if not ids:
            return {}
        return {o.id: o for o in session.scalars(select(model).where(model.id.in_(ids)).options(*options))}

    course_map = by_id(Course, (a.course_id for a in found), selectinload(Course.versions))
    paths = by_id(LearningPath, (a.learning_path_id for a in found))
    units = by_id(OrgUnit, (a.org_unit_id for a in found))
    provinces = by_id(Province, (a.province_id for a in found))
    ids = [a.id for a in found]
    listed = dict(
        session.execute(
            select(AssignmentUser.assignment_id, func.count())
            .where(AssignmentUser.assignment_id.in_(ids))
            .group_by(AssignmentUser.assignment_id)
        ).all()
    )
    people = expansion.covered_counts(ids)
    return [
        AssignmentRow(
            a,
            course_map.get(a.course_id),
            paths.get(a.learning_path_id),
            units.get(a.org_unit_id),
            provinces.get(a.province_id),
            listed.get(a.id, 0),
            people.get(a.id, 0),
        )
        for a in found
    ]


def assignable_courses() -> list[Course]:
    return [
        c for c in session.scalars(courses.published_courses().order_by(Course.slug)) if c.current_version
    ]


def assignable_paths() -> list[LearningPath]:
    return list(session.scalars(select(LearningPath).order_by(LearningPath.key)))


def units_for(actor: User) -> list[OrgUnit]:
    """The org units the actor may target: all for an admin, their scope's trees for HR."""
    scope = scope_of(actor)
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if not scope.everyone:
        stmt = stmt.where(OrgUnit.id.in_(scope.unit_ids or {-1}))
    return list(session.scalars(stmt))


def provinces_for(actor: User) -> list[Province]:
    scope = scope_of(actor)
    stmt = select(Province).order_by(Province.name_th)
    if not scope.everyone:
        stmt = stmt.where(Province.id.in_(scope.province_ids or {-1}))
    return list(session.scalars(stmt))


# The learner's side


class Required(NamedTuple):
    """A course the learner must complete, by when, and where they stand."""

    course: Course
    due_on: date
    status: str
    """'completed', 'in_progress' or 'not_started'."""
    is_overdue: bool
    enrolment: Enrolment | None


def required_for(user: User) -> list[Required]:
    """The learner's required courses: open ones first, soonest due first; completed ones last."""
    tree = selectinload(Course.versions).selectinload(CourseVersion.modules)
    rows = session.execute(
        select(RequiredCourse.due_on, Course, Enrolment)
        .join(Course, Course.id == RequiredCourse.course_id)
        .outerjoin(
            Enrolment, and_(Enrolment.user_id == RequiredCourse.user_id, Enrolment.course_id == Course.id)
        )
        .where(RequiredCourse.user_id == user.id, Course.is_published.is_(True))
        .options(tree)
    ).all()
    today = local_today()
    result = []
    for due_on, course, enrolment in rows:
        if course.current_version is None:
            continue
        if enrolment is not None and enrolment.completed_at is not None:
            status = "completed"
        elif enrolment is not None and enrolment.launched_at is not None:
            status = "in_progress"
        else:
            status = "not_started"
        result.append(Required(course, due_on, status, status != "completed" and due_on < today, enrolment))
    return sorted(result, key=lambda r: (r.status == "completed", r.due_on, r.course.slug))


def refresh_user(user: User) -> None:
    """Recompute one person's required courses and enrol them in any they are not yet in."""
    refresh_users([user])


def refresh_users(users: Iterable[User]) -> None:
    """Recompute these people's required courses, then enrol them where needed.

    Called when people are created or change (unit, province, staff group, active, roles or
    HR scope). When they made assignments themselves (an HR user whose scope changed), those
    assignments' courses are recomputed too. Enrolment happens at once for up to
    ``INLINE_ENROL_LIMIT`` pending (person, course) pairs; beyond that (a large staff import)
    it is left to the ``assignments.enrol`` job an administrator starts from the assignment
    list or with ``flask lms assignments enrol``.
    """
    session.flush()
    ids = sorted({user.id for user in users})
    if not ids or not _may_matter(ids):
        return
    for start in range(0, len(ids), USERS_PER_STATEMENT):
        expansion.recompute(user_ids=ids[start : start + USERS_PER_STATEMENT])
    made = session.scalars(
        select(Assignment).where(Assignment.created_by_id.in_(ids), Assignment.cancelled_at.is_(None))
    ).all()
    if made:
        expansion.recompute(course_ids={cid for a in made for cid in expansion.assignment_course_ids(a)})
    enrol_missing(ids, limit=INLINE_ENROL_LIMIT)


def _may_matter(user_ids: list[int]) -> bool:
    """Whether any assignment is active, or any of these people has a required course."""
    active = select(Assignment.id).where(Assignment.cancelled_at.is_(None)).limit(1)
    held = select(RequiredCourse.user_id).where(RequiredCourse.user_id.in_(user_ids)).limit(1)
    return session.scalar(active) is not None or session.scalar(held) is not None


@user_changed.connect
def on_user_changed(sender, users: list[User], **extra) -> None:
    """Receiver of :data:`lms.signals.user_changed`."""
    refresh_users(users)
