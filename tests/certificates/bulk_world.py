"""The people the bulk-issue and HR-page tests share: two divisions (A, with a sub-unit A1,
and B), five learners who completed a course through the real xAPI path, one who did not,
an HR officer for each division and an admin."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from lms.accounts.models import OrgUnit, Role
from lms.accounts.service import set_scopes
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.jobs.models import Job
from tests.conftest import PASSWORD, make_course, make_user

SLUG = "bulk-course"
# key: (unit code, Thai first name, English first name)
LEARNERS = {
    "a1": ("UNIT-A", "อรุณี", "Arunee"),
    "a2": ("UNIT-A1", "อัมพร", "Amporn"),
    "a3": ("UNIT-A", "อนงค์", "Anong"),
    "b1": ("UNIT-B", "บุญมี", "Boonmee"),
    "b2": ("UNIT-B", "บัวขาว", "Buakhao"),
}
IN_A = {"a1", "a2", "a3"}


@dataclass(frozen=True)
class World:
    user_ids: dict[str, int]  # learner key -> user id
    unit_ids: dict[str, int]  # unit code -> id

    def serial(self, key: str) -> str:
        """The learner's current certificate serial."""
        return session.scalar(
            select(Certificate.serial).where(
                Certificate.user_id == self.user_ids[key], Certificate.superseded_by_id.is_(None)
            )
        )

    def certificate(self, key: str) -> Certificate:
        return session.scalar(
            select(Certificate).where(
                Certificate.user_id == self.user_ids[key], Certificate.superseded_by_id.is_(None)
            )
        )


def build_world() -> World:
    """Commit the units, the course, the learners (completed: certificate issued, not rendered)
    and the staff: hr-a@ (scope: A and its sub-units), hr-b@ (scope: B), admin@."""
    a = OrgUnit(code="UNIT-A", name_th="กองเอ", name_en="Division A", kind="division")
    a1 = OrgUnit(code="UNIT-A1", name_th="ฝ่ายเอหนึ่ง", name_en="Section A1", kind="division", parent=a)
    b = OrgUnit(code="UNIT-B", name_th="กองบี", name_en="Division B", kind="division")
    session.add_all([a, a1, b])
    session.commit()
    units = {u.code: u.id for u in (a, a1, b)}
    course = make_course(SLUG, modules=1, lessons_per_module=1)
    lesson = courses.lessons_in_order(course)[0]
    user_ids = {}
    for key, (unit, first_th, first_en) in LEARNERS.items():
        learner = make_user(
            email=f"{key}@example.org",
            first_name_th=first_th,
            last_name_th="ทดสอบ",
            first_name_en=first_en,
            last_name_en="Test",
            org_unit_id=units[unit],
            password=PASSWORD if key == "a1" else None,  # hashing takes time: only a1 signs in
        )
        courses.enrol(learner, course)
        courses.leave_lesson(learner, course, lesson, 60, complete=True)
        user_ids[key] = learner.id
    started = make_user(
        email="started@example.org", first_name_th="เริ่ม", org_unit_id=units["UNIT-A"], password=None
    )
    courses.enrol(started, course)
    for email, unit in (("hr-a@example.org", "UNIT-A"), ("hr-b@example.org", "UNIT-B")):
        set_scopes(make_user(Role.HR, email=email), [units[unit]], [])
    make_user(Role.ADMIN, email="admin@example.org")
    session.commit()
    return World(user_ids, units)


def certificates_per_registration() -> dict[str, int]:
    rows = session.execute(
        select(Certificate.registration, func.count()).group_by(Certificate.registration)
    ).all()
    return dict(rows)


def wait_for(job_id: str, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    job = None
    while time.monotonic() < deadline:
        session.expire_all()
        job = session.get(Job, job_id)
        if job.is_finished:
            return job
        time.sleep(0.05)
    pytest.fail(f"job {job_id} did not finish: {job!r}")
