"""HR assignments in the simulated ministry: a staff group, a department and a province must
complete a course by a due date, some of them already past.

The ``Assignment`` rows are written directly: the assignment service refuses a due date in the
past, and an overdue assignment is what the reports need to show. Their creator is a seeded HR
officer whose scope is the whole ministry, and their expansion into ``RequiredCourse`` is the
assignment service's own (``lms.assignments.expansion.recompute``), so a later recompute keeps
every row. The enrolments the assignment service would make are recorded by the journeys, at
the moment the assignment was created.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from lms.accounts import service as accounts
from lms.accounts.models import Province, Role, StaffGroup, User
from lms.accounts.service import unit_and_descendant_ids
from lms.assignments import expansion
from lms.assignments.models import Assignment, RequiredCourse
from lms.demo.journeys import CourseShape
from lms.demo.organisation import Organisation, ministry_code
from lms.demo.people import EMAIL_DOMAIN, Person
from lms.extensions import session

#: The HR officer who made the assignments; no password, so nobody signs in as them.
CREATOR = {
    "email": f"hr.officer@{EMAIL_DOMAIN}",
    "title_th": "นางสาว",
    "first_name_th": "เจ้าหน้าที่",
    "last_name_th": "ฝ่ายบุคคล (จำลอง)",
    "title_en": "Ms",
    "first_name_en": "HR",
    "last_name_en": "Officer (simulated)",
    "staff_group": StaffGroup.GENERAL.value,
    "position": "นักทรัพยากรบุคคล",
    "level": "ชำนาญการพิเศษ",
}
CREATOR_UNIT = "SIM-OPS-HR"
CREATOR_JOINED_DAYS_AGO = 400


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


def creator(org: Organisation, as_of: date) -> User:
    """The seeded HR officer, created (with the whole ministry as HR scope) on the first run."""
    user = accounts.find_by_email(CREATOR["email"])
    if user is None:
        joined = datetime.combine(as_of - timedelta(days=CREATOR_JOINED_DAYS_AGO), time(3), tzinfo=UTC)
        user = accounts.create_user(
            roles=[Role.LEARNER.value, Role.HR.value],
            uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, CREATOR["email"])),
            org_unit_id=org.ids[CREATOR_UNIT],
            province_id=org.bangkok_id,
            created_at=joined,
            updated_at=joined,
            **CREATOR,
        )
        accounts.set_scopes(user, [org.ids[ministry_code()]], [])
    return user


def ensure(shapes: list[CourseShape], org: Organisation, as_of: date) -> list[Active]:
    """The planned assignments, created where missing (a second run finds the first run's)."""
    provinces = dict(session.execute(select(Province.iso_code, Province.id)).all())
    made_by = creator(org, as_of)
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
                Assignment.created_by_id == made_by.id,
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
                created_by_id=made_by.id,
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
    """Bring the required courses of these assignments' courses up to date, with the assignment
    service's own expansion; how many rows that added."""
    before = session.scalar(select(func.count()).select_from(RequiredCourse))
    expansion.recompute(course_ids={a.course_id for a in active})
    return session.scalar(select(func.count()).select_from(RequiredCourse)) - before
