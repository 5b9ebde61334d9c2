"""A small hand-built organisation whose report numbers the tests work out by hand.

Org tree (codes):

    T-MIN  ministry (central)
    ├── T-DA   department (central)     ├── T-DA-1 division   └── T-DA-2 division
    ├── T-DB   department (central)     └── T-DB-1 division
    ├── T-PCM  provincial office, Chiang Mai (TH-50, regional)
    └── T-PSK  provincial office, Songkhla (TH-90, regional)

People (staff group, unit, province):

    a1 อรุณ แสงทอง      executive     T-DA-1  TH-10
    a2 อารี มีสุข         practitioner  T-DA-1  TH-10
    a3 อำไพ ใจงาม        practitioner  T-DA-2  TH-10
    a4 อดุลย์ ศรีสุข       general       T-DA    TH-10
    b1 บุญชัย ทองดี       executive     T-DB-1  TH-10
    b2 บงกช รักไทย       practitioner  T-DB-1  TH-10
    c1 ชไมพร เชียงคำ      practitioner  T-PCM   TH-50
    c2 ชาตรี ดอยสูง       general       T-PCM   TH-50
    s1 สมศักดิ์ ทะเลงาม    executive     T-PSK   TH-90
    s2 สุดา หาดใหญ่       practitioner  T-PSK   TH-90
    x1 ปิติ ลาออก         practitioner  T-DA-2  TH-10  (deactivated)

HR: ``hr_a`` sees T-DA (with its divisions); ``hr_cm`` sees province TH-50.

Course ``dg-basics`` (1 module, 2 lessons, a quiz the completion rule requires; 2 hours),
learnt "now" through the real services:

    a1 assigned (due 10 days ago)   lessons done, quiz 100%      -> completed, passed
    a2 assigned (due 10 days ago)   lessons done, quiz 50% (fail) -> in progress, overdue
    a3 assigned (due in 30 days)    enrolled only                 -> not started
    a4 assigned (due 10 days ago)   not enrolled                  -> overdue
    b1 not assigned                 quiz 50% then 100%, completed -> completed, passed
    c1 assigned (due in 30 days)    first lesson opened           -> in progress
    c2 assigned (due 10 days ago)   quiz 75%, completed            -> completed, passed
    s1 assigned (due in 30 days)    not enrolled                  -> assigned
    x1 (deactivated)                enrolled                      -> never counted

Course ``data-101`` (no quiz; 6 hours), recorded through ``xapi.record`` at set moments
(Bangkok time):

    a1 registered 2026-09-10 23:59, completed 2026-09-30 23:59  (FY 2569, 20 days)
    a2 registered 2026-09-21 00:00, completed 2026-10-01 00:00  (FY 2570, 10 days)
    c1 registered 2026-10-05 09:00, opened a lesson              (in progress)
    s2 registered 2025-09-15 12:00, completed 2025-09-30 12:00  (FY 2568, 15 days)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit, Province, User
from lms.assignments.models import Assignment, RequiredCourse
from lms.content.models import Course
from lms.courses import service as courses
from lms.extensions import session
from lms.quizzes import service as quizzes
from lms.reports.fiscal import bangkok_today
from lms.xapi import builder
from lms.xapi.service import record
from lms.xapi.vocabulary import extension
from tests.conftest import make_course, make_user, shared_app

BANGKOK = ZoneInfo("Asia/Bangkok")
RIGHT = {"q.q1": ["b"], "q.q2": ["false"], "q.q3": ["กรุงเทพมหานคร"]}  # 4/4 points
THREE_QUARTERS = {"q.q1": ["a"], "q.q2": ["false"], "q.q3": ["กรุงเทพมหานคร"]}  # 3/4
HALF = {"q.q1": ["b"], "q.q2": ["false"], "q.q3": ["เชียงใหม่"]}  # 2/4

UNITS = [
    # code, Thai name, English name, kind, parent, central, province
    ("T-MIN", "กระทรวงทดสอบ", "Test Ministry", "ministry", None, True, None),
    ("T-DA", "กรมเอ", "Department A", "department", "T-MIN", True, None),
    ("T-DA-1", "กองเอหนึ่ง", "Division A1", "division", "T-DA", True, None),
    ("T-DA-2", "กองเอสอง", "Division A2", "division", "T-DA", True, None),
    ("T-DB", "กรมบี", "Department B", "department", "T-MIN", True, None),
    ("T-DB-1", "กองบีหนึ่ง", "Division B1", "division", "T-DB", True, None),
    ("T-PCM", "สำนักงานจังหวัดเชียงใหม่", "Chiang Mai Office", "provincial_office", "T-MIN", False, "TH-50"),
    ("T-PSK", "สำนักงานจังหวัดสงขลา", "Songkhla Office", "provincial_office", "T-MIN", False, "TH-90"),
]
PEOPLE = [
    # key, first, last, staff group, unit, province
    ("a1", "อรุณ", "แสงทอง", "executive", "T-DA-1", "TH-10"),
    ("a2", "อารี", "มีสุข", "practitioner", "T-DA-1", "TH-10"),
    ("a3", "อำไพ", "ใจงาม", "practitioner", "T-DA-2", "TH-10"),
    ("a4", "อดุลย์", "ศรีสุข", "general", "T-DA", "TH-10"),
    ("b1", "บุญชัย", "ทองดี", "executive", "T-DB-1", "TH-10"),
    ("b2", "บงกช", "รักไทย", "practitioner", "T-DB-1", "TH-10"),
    ("c1", "ชไมพร", "เชียงคำ", "practitioner", "T-PCM", "TH-50"),
    ("c2", "ชาตรี", "ดอยสูง", "general", "T-PCM", "TH-50"),
    ("s1", "สมศักดิ์", "ทะเลงาม", "executive", "T-PSK", "TH-90"),
    ("s2", "สุดา", "หาดใหญ่", "practitioner", "T-PSK", "TH-90"),
    ("x1", "ปิติ", "ลาออก", "practitioner", "T-DA-2", "TH-10"),
]


def bangkok(text: str) -> datetime:
    """A moment written in Bangkok time: ``bangkok("2026-09-30 23:59")``."""
    return datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


@dataclass
class Org:
    """What the tests need of the organisation: ids, so it outlives the session that built it."""

    ids: dict[str, int]
    units: dict[str, int]
    basics_id: int
    data_id: int
    today: date

    def user(self, key: str) -> User:
        return session.get(User, self.ids[key])

    def uuid(self, key: str) -> str:
        return self.user(key).uuid

    def name(self, key: str) -> str:
        return self.user(key).full_name("th")

    def email(self, key: str) -> str:
        return f"{key}@example.org"


def province_id(code: str) -> int:
    return session.scalar(select(Province.id).where(Province.iso_code == code))


def _units() -> dict[str, int]:
    ids: dict[str, int] = {}
    for code, name_th, name_en, kind, parent, central, province in UNITS:
        unit = OrgUnit(
            code=code,
            name_th=name_th,
            name_en=name_en,
            kind=kind,
            parent_id=ids.get(parent),
            is_central=central,
            province_id=province_id(province) if province else None,
        )
        session.add(unit)
        session.flush()
        ids[code] = unit.id
    session.commit()
    return ids


def _people(units: dict[str, int]) -> dict[str, User]:
    people = {}
    for key, first, last, group, unit, province in PEOPLE:
        people[key] = make_user(
            email=f"{key}@example.org",
            first_name_th=first,
            last_name_th=last,
            first_name_en=key.upper(),
            last_name_en="Tester",
            staff_group=group,
            org_unit_id=units[unit],
            province_id=province_id(province),
        )
    people["x1"].is_active = False
    session.commit()
    return people


def assign(
    course: Course, due: dict[str, date], people: dict[str, User], by: User, at: datetime | None = None
) -> None:
    """Required-course rows written directly (the assignments area fills them in the app),
    assigned now or ``at``."""
    assignment = Assignment(
        course_id=course.id, target_kind="users", due_on=min(due.values()), created_by_id=by.id
    )
    session.add(assignment)
    session.flush()
    for key, due_on in due.items():
        session.add(
            RequiredCourse(
                user_id=people[key].id,
                course_id=course.id,
                assignment_id=assignment.id,
                due_on=due_on,
                **({"assigned_at": at} if at else {}),
            )
        )
    session.commit()


def take_quiz(user: User, course: Course, answers: dict) -> None:
    ctx = quizzes.find_quiz(course, "m1-quiz")
    attempt = quizzes.start(user, ctx)
    quizzes.submit(user, ctx, attempt, answers, attempt.revision)
    session.commit()


def study(user: User, course: Course, *, lessons: int, quiz: list[dict] = ()) -> None:
    """Enrol, launch, complete the first ``lessons`` lessons, then take the quiz attempts given."""
    courses.enrol(user, course)
    session.commit()
    if lessons == 0 and not quiz:
        return
    courses.launch(user, course)
    for lesson in courses.lessons_in_order(course)[:lessons]:
        courses.leave_lesson(user, course, lesson, 60, complete=True)
    session.commit()
    for answers in quiz:
        take_quiz(user, course, answers)


def open_first_lesson(user: User, course: Course) -> None:
    courses.enrol(user, course)
    courses.launch(user, course)
    courses.leave_lesson(user, course, courses.lessons_in_order(course)[0], 120, complete=False)
    session.commit()


def record_at(user: User, course: Course, verb: str, at: datetime, registration: str, **kwargs) -> None:
    base = courses.base_url()
    record(
        builder.statement(
            base,
            user.uuid,
            verb,
            courses.course_activity(course),
            registration=registration,
            timestamp=at,
            **kwargs,
        ),
        user_id=user.id,
    )


def enrol_at(user: User, course: Course, at: datetime) -> str:
    registration = str(uuid.uuid4())
    base = courses.base_url()
    extensions = {extension(base, "course-version"): 1, extension(base, "enrolment-source"): "self"}
    record_at(user, course, "registered", at, registration, extensions=extensions)
    return registration


def complete_at(user: User, course: Course, registration: str, at: datetime) -> None:
    record_at(user, course, "completed", at, registration, result={"completion": True})


def lesson_at(user: User, course: Course, registration: str, at: datetime) -> None:
    lesson = courses.lessons_in_order(course)[0]
    record(
        builder.statement(
            courses.base_url(),
            user.uuid,
            "experienced",
            courses.lesson_activity(course, lesson),
            registration=registration,
            timestamp=at,
            result={"duration": "PT5M"},
        ),
        user_id=user.id,
    )


def build_org() -> Org:
    units = _units()
    people = _people(units)
    admin = make_user("admin", email="admin@example.org", first_name_th="ผู้ดูแล", last_name_th="ระบบ")
    hr_a = make_user("hr", email="hr_a@example.org", first_name_th="บุคคล", last_name_th="กรมเอ")
    hr_cm = make_user("hr", email="hr_cm@example.org", first_name_th="บุคคล", last_name_th="เชียงใหม่")
    accounts.set_scopes(hr_a, [units["T-DA"]], [])
    accounts.set_scopes(hr_cm, [], [province_id("TH-50")])
    session.commit()

    basics = make_course("dg-basics", modules=1, lessons_per_module=2, quizzes=True)
    data = make_course("data-101", modules=1, lessons_per_module=2)
    data.versions[0].hours = 6
    session.commit()

    today = bangkok_today()
    past, future = today - timedelta(days=10), today + timedelta(days=30)
    assign(
        basics,
        {"a1": past, "a2": past, "a3": future, "a4": past, "c1": future, "c2": past, "s1": future},
        people,
        admin,
    )
    study(people["a1"], basics, lessons=2, quiz=[RIGHT])
    study(people["a2"], basics, lessons=2, quiz=[HALF])
    study(people["a3"], basics, lessons=0)
    study(people["b1"], basics, lessons=2, quiz=[HALF, RIGHT])
    open_first_lesson(people["c1"], basics)
    study(people["c2"], basics, lessons=2, quiz=[THREE_QUARTERS])
    study(people["x1"], basics, lessons=0)

    p = people
    reg = enrol_at(p["a1"], data, bangkok("2026-09-10 23:59"))
    complete_at(p["a1"], data, reg, bangkok("2026-09-30 23:59"))
    reg = enrol_at(p["a2"], data, bangkok("2026-09-21 00:00"))
    complete_at(p["a2"], data, reg, bangkok("2026-10-01 00:00"))
    reg = enrol_at(p["c1"], data, bangkok("2026-10-05 09:00"))
    lesson_at(p["c1"], data, reg, bangkok("2026-10-05 09:30"))
    reg = enrol_at(p["s2"], data, bangkok("2025-09-15 12:00"))
    complete_at(p["s2"], data, reg, bangkok("2025-09-30 12:00"))
    session.commit()
    ids = {key: user.id for key, user in people.items()}
    ids.update(admin=admin.id, hr_a=hr_a.id, hr_cm=hr_cm.id)
    return Org(ids, units, basics.id, data.id, today)


@pytest.fixture
def org(app) -> Org:
    """The organisation, built for one test (for tests that change it)."""
    return build_org()


@pytest.fixture(scope="module")
def built(database_url):
    """The organisation, built once for a whole module of read-only tests, on each database.

    Building it takes the real learning path (statements, quiz attempts, certificates): once
    per module instead of once per test. Tests using it must not change it.
    """
    with shared_app(database_url, build_org, LMS_LOGIN_RATE_LIMIT="1000 per minute") as (app, org):
        yield app, org


@pytest.fixture
def shared(built):
    """(app, org) of the module's organisation, inside an app context for this test."""
    app, org = built
    with app.app_context():
        yield app, org
        session.rollback()
        session.remove()
