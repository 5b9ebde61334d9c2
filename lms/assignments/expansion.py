"""Who an assignment covers, and keeping ``lms_required_courses`` equal to it, in set-based SQL.

An active assignment covers the active users its target names (a staff group; an org unit and
every unit below it; a province; or a list of people), limited to its creator's HR scope at the
time of expansion unless the creator is an administrator. A creator who no longer exists has no
scope, so their assignments cover nobody: an assignment never reaches further than what its
maker may see. A learning path stands for each of its published courses.

``lms_required_courses`` holds, for each (person, course) covered by at least one active
assignment, the earliest due date (ties: the oldest assignment). :func:`recompute` re-derives a
region of it (some courses, some people, or everything) with one upsert and one delete, whatever
the number of people: no Python loop over users.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, literal, or_, select, tuple_, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select

from lms.accounts.models import HRScope, OrgUnit, Role, User, UserRole
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.content.models import Course, LearningPath
from lms.extensions import UTCDateTime, session

log = logging.getLogger(__name__)


def unit_tree():
    """Every (root, unit) pair where unit is root or lies below it: the org tree's closure."""
    tree = select(OrgUnit.id.label("root_id"), OrgUnit.id.label("unit_id")).cte(
        "lms_unit_tree", recursive=True
    )
    return tree.union_all(select(tree.c.root_id, OrgUnit.id).where(OrgUnit.parent_id == tree.c.unit_id))


def _within_creator_scope(tree):
    """The covered user is inside the assignment creator's HR scope, or the creator is an admin."""
    admins = select(UserRole.user_id).where(UserRole.role == Role.ADMIN.value)
    scope_units = select(HRScope.user_id, tree.c.unit_id).join(tree, tree.c.root_id == HRScope.org_unit_id)
    scope_provinces = select(HRScope.user_id, HRScope.province_id).where(HRScope.province_id.is_not(None))
    return or_(
        Assignment.created_by_id.in_(admins),
        tuple_(Assignment.created_by_id, User.org_unit_id).in_(scope_units),
        tuple_(Assignment.created_by_id, User.province_id).in_(scope_provinces),
    )


def matches(
    tree, user_ids: Collection[int] | None = None, assignment_ids: Collection[int] | None = None
) -> Select:
    """(assignment_id, user_id) for every active assignment and each person it covers now."""

    def branch(stmt: Select) -> Select:
        stmt = stmt.where(
            Assignment.cancelled_at.is_(None), User.is_active.is_(True), _within_creator_scope(tree)
        )
        if user_ids is not None:
            stmt = stmt.where(User.id.in_(list(user_ids)))
        if assignment_ids is not None:
            stmt = stmt.where(Assignment.id.in_(list(assignment_ids)))
        return stmt

    def pairs():
        return select(Assignment.id.label("assignment_id"), User.id.label("user_id")).select_from(Assignment)

    by_group = pairs().join(
        User, and_(Assignment.target_kind == "staff_group", User.staff_group == Assignment.staff_group)
    )
    by_province = pairs().join(
        User, and_(Assignment.target_kind == "province", User.province_id == Assignment.province_id)
    )
    by_unit = (
        pairs()
        .join(tree, and_(Assignment.target_kind == "org_unit", tree.c.root_id == Assignment.org_unit_id))
        .join(User, User.org_unit_id == tree.c.unit_id)
    )
    by_list = (
        pairs()
        .join(
            AssignmentUser,
            and_(Assignment.target_kind == "users", AssignmentUser.assignment_id == Assignment.id),
        )
        .join(User, User.id == AssignmentUser.user_id)
    )
    return union_all(*(branch(s) for s in (by_group, by_province, by_unit, by_list)))


def path_course_ids(paths: Collection[LearningPath]) -> dict[int, list[int]]:
    """The published courses of each learning path, in the path's order."""
    slugs = {slug for path in paths for slug in path.course_slugs}
    if not slugs:
        return {path.id: [] for path in paths}
    rows = session.execute(
        select(Course.slug, Course.id).where(Course.slug.in_(slugs), Course.is_published.is_(True))
    )
    ids = dict(rows.all())
    return {path.id: [ids[s] for s in path.course_slugs if s in ids] for path in paths}


def assignment_course_ids(assignment: Assignment) -> list[int]:
    """The course the assignment names, or its learning path's published courses."""
    if assignment.course_id is not None:
        return [assignment.course_id]
    path = session.get(LearningPath, assignment.learning_path_id)
    return path_course_ids([path])[path.id]


def assignment_courses(course_ids: Collection[int] | None = None) -> Select:
    """(assignment_id, course_id) for every active assignment: its course, or its path's courses."""
    direct = select(Assignment.id.label("assignment_id"), Assignment.course_id.label("course_id")).where(
        Assignment.cancelled_at.is_(None), Assignment.course_id.is_not(None)
    )
    if course_ids is not None:
        direct = direct.where(Assignment.course_id.in_(list(course_ids)))
    used_paths = select(Assignment.learning_path_id).where(
        Assignment.cancelled_at.is_(None), Assignment.learning_path_id.is_not(None)
    )
    paths = session.scalars(select(LearningPath).where(LearningPath.id.in_(used_paths))).all()
    pairs = sorted(
        (path_id, course_id)
        for path_id, ids in path_course_ids(paths).items()
        for course_id in ids
        if course_ids is None or course_id in course_ids
    )
    if not pairs:
        return direct
    via_path = (
        select(Assignment.id, Course.id)
        .select_from(Assignment)
        .join(Course, tuple_(Assignment.learning_path_id, Course.id).in_(pairs))
        .where(Assignment.cancelled_at.is_(None))
    )
    return union_all(direct, via_path)


def _region(stmt, course_ids, user_ids):
    if course_ids is not None:
        stmt = stmt.where(RequiredCourse.course_id.in_(list(course_ids)))
    if user_ids is not None:
        stmt = stmt.where(RequiredCourse.user_id.in_(list(user_ids)))
    return stmt


def desired(course_ids: set[int] | None, user_ids: set[int] | None) -> tuple[Select, Select]:
    """Two selects over the region: the rows it should hold (user, course, assignment, due date,
    now), one per person and course; and every covered (user, course) pair."""
    tree = unit_tree()
    covered = matches(tree, user_ids).subquery("covered")
    courses = assignment_courses(course_ids).subquery("courses")
    ranked = (
        select(
            covered.c.user_id,
            courses.c.course_id,
            Assignment.id.label("assignment_id"),
            Assignment.due_on,
            func.row_number()
            .over(
                partition_by=(covered.c.user_id, courses.c.course_id),
                order_by=(Assignment.due_on, Assignment.id),
            )
            .label("rank"),
        )
        .select_from(covered)
        .join(courses, courses.c.assignment_id == covered.c.assignment_id)
        .join(Assignment, Assignment.id == covered.c.assignment_id)
        .subquery("ranked")
    )
    now = literal(datetime.now(UTC), UTCDateTime())
    best = select(ranked.c.user_id, ranked.c.course_id, ranked.c.assignment_id, ranked.c.due_on, now).where(
        ranked.c.rank == 1
    )  # the WHERE also settles SQLite's INSERT ... SELECT ... ON CONFLICT parse
    wanted = select(covered.c.user_id, courses.c.course_id).join(
        courses, courses.c.assignment_id == covered.c.assignment_id
    )
    return best, wanted


def recompute(course_ids: Collection[int] | None = None, user_ids: Collection[int] | None = None) -> None:
    """Make the required courses of these courses and people (None: all) match the assignments.

    Rows that stay keep their ``assigned_at``; a row changes only when its due date or its
    deciding assignment does.
    """
    course_ids = None if course_ids is None else set(course_ids)
    user_ids = None if user_ids is None else set(user_ids)
    if course_ids == set() or user_ids == set():
        return
    best, wanted = desired(course_ids, user_ids)
    _upsert(best)
    _delete_unwanted(wanted, course_ids, user_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, RequiredCourse):
            session.expire(obj)
    log.info(
        "required courses recomputed for %s course(s), %s user(s)",
        "all" if course_ids is None else len(course_ids),
        "all" if user_ids is None else len(user_ids),
    )


def _dialect() -> str:
    return session.get_bind().dialect.name


def _upsert(best: Select) -> None:
    insert = postgresql.insert if _dialect() == "postgresql" else sqlite.insert
    stmt = insert(RequiredCourse).from_select(
        ["user_id", "course_id", "assignment_id", "due_on", "assigned_at"], best
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[RequiredCourse.user_id, RequiredCourse.course_id],
        set_={"due_on": stmt.excluded.due_on, "assignment_id": stmt.excluded.assignment_id},
        where=or_(
            RequiredCourse.due_on != stmt.excluded.due_on,
            RequiredCourse.assignment_id != stmt.excluded.assignment_id,
        ),
    )
    session.execute(stmt, execution_options={"synchronize_session": False})


def _delete_unwanted(wanted: Select, course_ids, user_ids) -> None:
    """Delete the region's rows no active assignment covers any more.

    Written as ``IN (region EXCEPT wanted)``: a set difference is sorted or hashed on both
    databases whatever the planner's estimates, where an anti-join (NOT EXISTS, NOT IN) can
    become a nested loop over two 100,000-row sets when statistics are stale (just after a
    bulk import, for instance).
    """
    held = _region(select(RequiredCourse.user_id, RequiredCourse.course_id), course_ids, user_ids)
    gone = held.except_(wanted)
    stmt = _region(delete(RequiredCourse), course_ids, user_ids).where(
        tuple_(RequiredCourse.user_id, RequiredCourse.course_id).in_(gone)
    )
    session.execute(stmt, execution_options={"synchronize_session": False})


def covered_counts(assignment_ids: Collection[int]) -> dict[int, int]:
    """How many people each of these assignments covers now (0 once cancelled)."""
    if not assignment_ids:
        return {}
    covered = matches(unit_tree(), assignment_ids=assignment_ids).subquery("covered")
    rows = session.execute(
        select(covered.c.assignment_id, func.count(func.distinct(covered.c.user_id))).group_by(
            covered.c.assignment_id
        )
    )
    return dict(rows.all())
