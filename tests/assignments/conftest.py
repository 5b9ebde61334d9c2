"""A small hand-built organisation for the assignment tests.

    MIN (ministry)                     provinces: TH-10 Bangkok, TH-50 Chiang Mai, TH-90 Songkhla
    ├── DEP-A ── DIV-A1, DIV-A2
    └── DEP-B ── DIV-B1
    PO-CM (provincial office, a root of its own)

People (all active learners unless said otherwise):

    key        unit    staff group   province
    a_exec     DEP-A   executive     TH-10
    a1_prac    DIV-A1  practitioner  TH-10
    a2_gen     DIV-A2  general       TH-50
    b_exec     DEP-B   executive     TH-10
    b1_prac    DIV-B1  practitioner  TH-90
    cm_prac    PO-CM   practitioner  TH-50
    free_exec  -       executive     TH-90
    gone_exec  DIV-A1  executive     TH-10   (inactive)

HR users (no unit, no province, staff group general): hr_a (scope DEP-A and its sub-units),
hr_cm (scope province TH-50), hr_none (no scope); and an administrator.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit, Province, User
from lms.assignments.models import RequiredCourse
from lms.content.models import Course, LearningPath
from lms.extensions import session
from lms.jobs.models import Job
from tests.conftest import PASSWORD, login, make_course, make_user

UNITS = [
    ("MIN", None, "ministry"),
    ("DEP-A", "MIN", "department"),
    ("DIV-A1", "DEP-A", "division"),
    ("DIV-A2", "DEP-A", "division"),
    ("DEP-B", "MIN", "department"),
    ("DIV-B1", "DEP-B", "division"),
    ("PO-CM", None, "provincial_office"),
]
PEOPLE = {
    "a_exec": ("DEP-A", "executive", "TH-10"),
    "a1_prac": ("DIV-A1", "practitioner", "TH-10"),
    "a2_gen": ("DIV-A2", "general", "TH-50"),
    "b_exec": ("DEP-B", "executive", "TH-10"),
    "b1_prac": ("DIV-B1", "practitioner", "TH-90"),
    "cm_prac": ("PO-CM", "practitioner", "TH-50"),
    "free_exec": (None, "executive", "TH-90"),
    "gone_exec": ("DIV-A1", "executive", "TH-10"),
}


@dataclass
class Org:
    units: dict[str, int] = field(default_factory=dict)
    provinces: dict[str, int] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)

    def email(self, key: str) -> str:
        return f"{key}@example.org"

    def user(self, key: str) -> User:
        return session.scalar(select(User).where(User.email == self.email(key)))


def province_id(code: str) -> int:
    return session.scalar(select(Province.id).where(Province.iso_code == code))


@pytest.fixture
def org(app) -> Org:
    built = Org()
    for code, parent, kind in UNITS:
        unit = OrgUnit(
            code=code,
            name_th=f"หน่วย {code}",
            name_en=f"Unit {code}",
            kind=kind,
            parent_id=built.units.get(parent),
        )
        session.add(unit)
        session.flush()
        built.units[code] = unit.id
    built.provinces = {code: province_id(code) for code in ("TH-10", "TH-50", "TH-90")}
    session.commit()
    for key, (unit, group, province) in PEOPLE.items():
        built.people[key] = make_user(
            email=built.email(key),
            password=None,
            staff_group=group,
            org_unit_id=built.units.get(unit),
            province_id=built.provinces[province],
            is_active=key != "gone_exec",
        )
    for key, units, provinces in (
        ("hr_a", ["DEP-A"], []),
        ("hr_cm", [], ["TH-50"]),
        ("hr_none", [], []),
    ):
        hr = make_user("hr", email=built.email(key), password=None)
        accounts.set_scopes(hr, [built.units[u] for u in units], [built.provinces[p] for p in provinces])
        built.people[key] = hr
    built.people["admin"] = make_user("admin", email=built.email("admin"), password=None)
    session.commit()
    return built


@pytest.fixture(autouse=True)
def english(app):
    """Messages in English (the Thai catalogue may translate them); pages get the lms_lang cookie."""
    with force_locale("en"):
        yield


@pytest.fixture
def sign_in(client, org):
    """Sign the test client in as one of the org's people (a password is set only when needed)."""

    def as_person(key: str):
        accounts.set_password(org.user(key), PASSWORD, 10)
        session.commit()
        client.set_cookie("lms_lang", "en")
        response = login(client, org.email(key))
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_person


@pytest.fixture
def courses(app) -> dict[str, Course]:
    """Three published courses and a path of two of them (plus a slug that does not exist)."""
    made = {slug: make_course(slug) for slug in ("c1", "c2", "c3")}
    session.add(
        LearningPath(
            key="path-12",
            staff_group="practitioner",
            title_th="เส้นทาง 1-2",
            title_en="Path 1-2",
            course_slugs=["c1", "no-such-course", "c2"],
        )
    )
    session.commit()
    return made


def wait_for_jobs() -> list[Job]:
    """Wait for the job threads (no Redis in tests) to end; every job must then be finished."""
    for thread in threading.enumerate():
        if thread.name.startswith("lms-job-"):
            thread.join(timeout=30)
    session.expire_all()
    jobs = session.scalars(select(Job)).all()
    if not all(job.is_finished for job in jobs):
        pytest.fail(f"jobs did not finish: {jobs!r}")
    return jobs


def required(org: Org) -> dict[tuple[str, str], tuple[str, int]]:
    """Every required course: (person key, or email for others, course slug) -> (due date ISO,
    assignment id)."""
    keys = {org.email(k): k for k in org.people}
    rows = session.execute(
        select(User.email, Course.slug, RequiredCourse.due_on, RequiredCourse.assignment_id)
        .join(User, User.id == RequiredCourse.user_id)
        .join(Course, Course.id == RequiredCourse.course_id)
    )
    return {(keys.get(email, email), slug): (due.isoformat(), aid) for email, slug, due, aid in rows}


def people_for(org: Org, slug: str) -> set[str]:
    return {person for (person, course), _v in required(org).items() if course == slug}
