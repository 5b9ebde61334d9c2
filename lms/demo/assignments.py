"""HR assignments in the simulated ministry: a staff group, a department and a province must
complete a course by a due date, some of them already past.

The seeder writes these rows itself, because the assignment service is being written at the
same time: the ``Assignment`` rows, then their expansion into ``RequiredCourse`` (one row per
person and course, earliest due date first) with one set-based INSERT ... SELECT each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, and_, func, insert, literal, select

from lms.accounts.models import Province, User
from lms.accounts.service import unit_and_descendant_ids
from lms.assignments.models import Assignment, RequiredCourse
from lms.demo.journeys import CourseShape
from lms.demo.organisation import Organisation
from lms.demo.people import Person
from lms.extensions import UTCDateTime, session


@dataclass(frozen=True)
class Planned:
    """An assignment of the first course (by slug) meant for ``for_group`` to a target."""

    target_kind: str
    target: str
    for_group: str
    created_days_ago: int
    due_in_days: int


PLAN = (
    Planned("staff_group", "executive", "executive", 300, -45),
    Planned("staff_group", "practitioner", "practitioner", 150, 60),
    Planned("org_unit", "SIM-DSV", "practitioner", 240, -20),
    Planned("org_unit", "SIM-DAT", "practitioner", 100, 120),
    Planned("province", "TH-50", "practitioner", 90, 30),
    Planned("province", "TH-40", "practitioner", 210, -10),
)


@dataclass(frozen=True)
class Active:
    """A seeded assignment, with what the generator needs to know who it covers."""

    id: int
    course_id: int
    target_kind: str
    staff_group: str | None
    unit_ids: frozenset[int]
    province_id: int | None
    created_at: datetime
    due_on: date

    def covers(self, person: Person) -> bool:
        if self.target_kind == "staff_group":
            return person.staff_group == self.staff_group
        if self.target_kind == "org_unit":
            return person.org_unit_id in self.unit_ids
        return person.province_id == self.province_id

    def condition(self):
        if self.target_kind == "staff_group":
            return User.staff_group == self.staff_group
        if self.target_kind == "org_unit":
            return User.org_unit_id.in_(sorted(self.unit_ids))
        return User.province_id == self.province_id


def ensure(shapes: list[CourseShape], org: Organisation, as_of: date) -> list[Active]:
    """The planned assignments, created where missing (a second run finds the first run's)."""
    provinces = dict(session.execute(select(Province.iso_code, Province.id)).all())
    active = []
    for planned in PLAN:
        shape = next((s for s in shapes if planned.for_group in s.audience), shapes[0])
        target = {
            "staff_group": planned.target if planned.target_kind == "staff_group" else None,
            "org_unit_id": org.ids[planned.target] if planned.target_kind == "org_unit" else None,
            "province_id": provinces[planned.target] if planned.target_kind == "province" else None,
        }
        row = session.scalar(
            select(Assignment).where(
                Assignment.course_id == shape.course_id,
                Assignment.target_kind == planned.target_kind,
                Assignment.created_by_id.is_(None),
                Assignment.cancelled_at.is_(None),
                *(getattr(Assignment, name) == value for name, value in target.items()),
            )
        )
        if row is None:
            created = datetime.combine(as_of - timedelta(days=planned.created_days_ago), time(3), tzinfo=UTC)
            row = Assignment(
                course_id=shape.course_id,
                target_kind=planned.target_kind,
                due_on=as_of + timedelta(days=planned.due_in_days),
                created_at=created,
                **target,
            )
            session.add(row)
            session.flush()
        unit_ids = frozenset(unit_and_descendant_ids([row.org_unit_id]) if row.org_unit_id else ())
        active.append(
            Active(
                row.id,
                row.course_id,
                row.target_kind,
                row.staff_group,
                unit_ids,
                row.province_id,
                row.created_at,
                row.due_on,
            )
        )
    return active


def expand(active: list[Active]) -> int:
    """Write the required courses of these assignments for everyone they cover; how many rows.

    Earliest due date first, and nobody gets a course twice, so each person keeps the earliest
    due date of the assignments naming the course.
    """
    table = RequiredCourse.__table__
    before = session.scalar(select(func.count()).select_from(table))
    for assignment in sorted(active, key=lambda a: (a.due_on, a.id)):
        already = (
            select(table.c.user_id)
            .where(and_(table.c.user_id == User.id, table.c.course_id == assignment.course_id))
            .exists()
        )
        people = select(
            User.id,
            literal(assignment.course_id),
            literal(assignment.id),
            literal(assignment.due_on, Date),
            literal(assignment.created_at, UTCDateTime()),
        ).where(User.is_active.is_(True), assignment.condition(), ~already)
        columns = ["user_id", "course_id", "assignment_id", "due_on", "assigned_at"]
        session.execute(insert(table).from_select(columns, people))
    return session.scalar(select(func.count()).select_from(table)) - before
