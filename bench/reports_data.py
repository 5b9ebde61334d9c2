"""The data of the reports benchmark: N learners of the demo's simulated ministry and what they
learnt, written in bulk straight into the tables the reports read.

``flask lms demo seed`` records every learner's statements through ``lms.xapi.service``, about a
hundred statements a second on the bench machine: hours for 100,000 learners. This module skips
the statement pipeline on purpose (the benchmark measures the reports, not the seeding) and
writes the projection's rows itself, in the shapes the projector writes them:

- the ministry's org units (``lms.demo.organisation.build``: 6 departments, their divisions and
  an office in each of the 77 provinces) and the demo's six HR assignments with their creator
  (``lms.demo.assignments.ensure``);
- the two courses of ``content/``, imported by the real package importer;
- N learners made by the demo's own ``make_person`` (staff group, unit, province, Thai names);
- per learner and course, an enrolment decided as the demo seeder decides it (covered by an
  assignment, or by chance; with ``--report-everyone``, every learner in every course), an
  outcome by the demo's ``pick_outcome`` (half complete), and
  the enrolment row, quiz outcomes (failed attempts, then a pass, scored by the demo's
  ``QuizShape.earned``) and, for a completion, a certificate row;
- the required courses: the assignment service's own expansion (``lms.demo.assignments.expand``);
- ``--report-statements`` rows of ``lms_statements`` per enrolment, made by one
  ``INSERT ... SELECT`` in the database (the reports never read them; they give the tables a
  realistic size).

On PostgreSQL the rows go in by ``COPY``, on SQLite by ``executemany``, in one transaction each
step. Lesson progress rows are not written (no report reads them). Everything is reproducible
from the seed.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from harness import REPO

SEED = 2569
HISTORY_DAYS = 548
#: A learner's time in a lesson, against the lesson's own minutes (illustrative).
PACE = (0.6, 1.6)


@dataclass
class Built:
    """What was written, and what the reports must find in it."""

    learners: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    #: (user id, course id) -> (assigned, enrolled_at, completed_at); every pair a report counts
    pairs: dict[tuple[int, int], tuple[bool, datetime | None, datetime | None]] = field(default_factory=dict)
    #: user id -> org unit id, for every active user (learners and the staff the bench adds)
    units: dict[int, int | None] = field(default_factory=dict)
    course_ids: dict[str, int] = field(default_factory=dict)
    certificates: dict[str, str] = field(default_factory=dict)


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _scalar_defaults(table: str, given: set[str]) -> dict[str, object]:
    """The Python-side defaults (``default=0``) of ``table``'s columns not in ``given``: a bulk
    insert skips the ORM, which would otherwise fill them (columns added since this module
    was written get their default)."""
    from lms.extensions import Base

    columns = Base.metadata.tables[table].columns
    return {
        column.name: column.default.arg
        for column in columns
        if column.name not in given and column.default is not None and column.default.is_scalar
    }


def bulk_insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write ``rows`` into ``table`` on the session's connection: COPY on PostgreSQL, one
    executemany on SQLite (datetimes as SQLAlchemy stores them there: UTC, microseconds)."""
    from lms.extensions import session

    if not rows:
        return
    defaults = _scalar_defaults(table, set(columns))
    if defaults:
        columns = (*columns, *defaults)
        rows = [(*row, *defaults.values()) for row in rows]
    connection = session.connection()
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (the bench's own names)
            [tuple(_sqlite_value(v) for v in row) for row in rows],
        )


def _course_plan(shapes):
    """Per course: lesson keys in order and the quizzes (key, QuizShape), from the database."""
    from lms.content.models import Course
    from lms.extensions import session

    plan = {}
    for shape in shapes:
        version = session.get(Course, shape.course_id).current_version
        lessons = [lesson.key for module in version.modules for lesson in module.lessons]
        minutes = [lesson.minutes for module in version.modules for lesson in module.lessons]
        quizzes = [
            (module.quiz_key, module_shape.quiz)
            for module, module_shape in zip(version.modules, shape.modules, strict=True)
            if module_shape.quiz is not None
        ]
        plan[shape.course_id] = (lessons, minutes, quizzes, version.certificate_template)
    return plan


def build(n: int, statements_per_enrolment: int, *, everyone: bool = False) -> Built:
    """Migrate, then write the whole data set for ``n`` learners (needs an app context).
    ``everyone``: every learner enrols in every course (the demo's chances are not drawn)."""
    from sqlalchemy import func, select, text

    from lms.accounts.models import Role
    from lms.core import migrations
    from lms.courses import service as courses
    from lms.demo import assignments, organisation
    from lms.demo.journeys import course_shapes, moment_between, pick_outcome
    from lms.demo.people import learner_random, make_person, new_uuid
    from lms.demo.seed import ENROL_CHANCE, ENROLLED_BEFORE_ASSIGNMENT
    from lms.extensions import session
    from lms.packages.importer import import_folder

    began = time.perf_counter()
    built = Built(n)
    migrations.upgrade()
    import_folder(REPO / "content")
    session.commit()
    published = [c for c in session.scalars(courses.published_courses()) if c.current_version]
    shapes = course_shapes(published)
    built.course_ids = {shape.slug: shape.course_id for shape in shapes}
    plan = _course_plan(shapes)
    end = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)
    start = end - timedelta(days=HISTORY_DAYS)
    org = organisation.build()
    active = assignments.ensure(shapes, org, end.date())
    session.commit()
    creator = assignments.creator(org, end.date())
    built.units[creator.id] = creator.org_unit_id

    first_id = (session.scalar(select(func.max(text("id"))).select_from(text("lms_users"))) or 0) + 1
    users, roles, enrolments, outcomes, certificates = [], [], [], [], []
    for index in range(1, n + 1):
        rng = learner_random(SEED, index)
        person = make_person(rng, SEED, index, org, start)
        user_id = first_id + index - 1
        users.append((user_id, person.row))
        roles.append((user_id, Role.LEARNER.value))
        built.units[user_id] = person.org_unit_id
        for shape in shapes:
            covering = [a for a in active if a.course_id == shape.course_id and a.covers(person)]
            if covering:
                built.pairs[(user_id, shape.course_id)] = (True, None, None)
                first = min(covering, key=lambda a: (a.created_at, a.id))
                if rng.random() < ENROLLED_BEFORE_ASSIGNMENT:
                    begin, source = moment_between(rng, start, first.created_at - timedelta(days=1)), "self"
                else:
                    begin, source = first.created_at + timedelta(seconds=rng.randint(60, 2400)), "assignment"
            else:
                reason = (
                    "audience"
                    if person.staff_group in shape.audience
                    else ("general" if person.staff_group == "general" else "other")
                )
                if not everyone and rng.random() >= ENROL_CHANCE[reason]:
                    continue
                begin, source = moment_between(rng, start, end - timedelta(days=1)), "self"
            outcome = pick_outcome(rng, 0.5)
            registration = new_uuid(rng)
            lessons, minutes, quizzes, template = plan[shape.course_id]
            row, taken = _enrolment(rng, outcome, begin, end, lessons, minutes, quizzes)
            enrolments.append((registration, user_id, shape.course_id, shape.version, source, begin, *row))
            completed_at = row[-1]
            built.pairs[(user_id, shape.course_id)] = (bool(covering), begin, completed_at)
            numbers: Counter = Counter()
            for quiz_key, quiz, passed, at in taken:
                numbers[quiz_key] += 1
                outcomes.append(
                    (
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        registration,
                        quiz_key,
                        numbers[quiz_key],
                        quiz.earned(rng, passed) / quiz.possible,
                        passed,
                        at,
                    )
                )
            if completed_at is not None:
                serial = f"BENCH-{len(certificates) + 1:07d}"
                certificates.append(
                    (
                        serial,
                        f"{rng.getrandbits(128):032x}",
                        registration,
                        1,
                        user_id,
                        shape.course_id,
                        template,
                        "{}",
                        completed_at,
                    )
                )
                built.certificates[registration] = serial

    user_columns = tuple(users[0][1]) if users else ()
    bulk_insert(
        "lms_users",
        ("id", *user_columns),
        [(user_id, *(row[c] for c in user_columns)) for user_id, row in users],
    )
    bulk_insert("lms_user_roles", ("user_id", "role"), roles)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('lms_users', 'id'), max(id)) FROM lms_users")
        )
    bulk_insert(
        "lms_enrolments",
        (
            "registration",
            "user_id",
            "course_id",
            "enrolled_version",
            "source",
            "enrolled_at",
            "launched_at",
            "last_activity_at",
            "last_lesson_key",
            "time_spent_seconds",
            "completed_at",
        ),
        enrolments,
    )
    bulk_insert(
        "lms_quiz_outcomes",
        ("attempt_id", "registration", "quiz_key", "attempt_number", "scaled", "is_passed", "completed_at"),
        outcomes,
    )
    bulk_insert(
        "lms_certificates",
        (
            "serial",
            "verification_code",
            "registration",
            "issue_number",
            "user_id",
            "course_id",
            "template",
            "data",
            "issued_at",
        ),
        certificates,
    )
    session.commit()
    assignments.expand(active)
    session.commit()
    _statements(statements_per_enrolment, courses.base_url())
    session.commit()
    built.counts = _counts()
    expected_required = sum(1 for assigned, *_ in built.pairs.values() if assigned)
    if built.counts["lms_required_courses"] != expected_required:
        from harness import BenchError

        raise BenchError(
            f"the expansion made {built.counts['lms_required_courses']} required courses, "
            f"{expected_required} expected"
        )
    built.seconds = time.perf_counter() - began
    return built


def _enrolment(rng: random.Random, outcome: str, begin: datetime, end: datetime, lessons, minutes, quizzes):
    """(launched_at, last_activity_at, last_lesson_key, time_spent_seconds, completed_at) and
    the quiz attempts [(quiz_key, QuizShape, passed, at)] of one enrolment."""
    from lms.demo.journeys import FAILED_ATTEMPTS

    if outcome == "enrolled":
        return (None, begin, None, 0, None), []
    launched = begin + timedelta(minutes=rng.randint(1, 600))
    done = (
        len(lessons)
        if outcome == "completed"
        else (0 if outcome == "launched" else rng.randint(1, len(lessons) - 1))
    )
    seconds = sum(int(m * 60 * rng.uniform(*PACE)) for m in minutes[:done])
    span = min(end - timedelta(minutes=1), launched + timedelta(days=rng.uniform(0.2, 60)))
    last = max(launched, span)
    # Quizzes follow their module's lessons: a learner who did a share of the lessons took
    # about that share of the quizzes.
    reached = len(quizzes) if outcome == "completed" else (len(quizzes) * done) // max(1, len(lessons))
    taken = []
    for quiz_key, quiz in quizzes[:reached]:
        fails = rng.choices([f for f, _w in FAILED_ATTEMPTS], [w for _f, w in FAILED_ATTEMPTS])[0]
        if quiz.attempts is not None:
            fails = min(fails, quiz.attempts - 1)
        for _ in range(fails):
            taken.append((quiz_key, quiz, False, last))
        taken.append((quiz_key, quiz, True, last))
    completed_at = last if outcome == "completed" else None
    lesson_key = lessons[done - 1] if done else None
    return (launched, last, lesson_key, seconds, completed_at), taken


def _statements(per_enrolment: int, home_page: str) -> None:
    """``per_enrolment`` statements for each enrolment, built in the database: 'registered'
    first, then 'experienced' with one of the course's lessons, an hour apart, each with its
    JSON text in ``raw``."""
    from sqlalchemy import text

    from lms.extensions import session

    if per_enrolment < 1:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                """
                INSERT INTO lms_statements
                    (id, actor_name, user_id, verb_id, object_id, registration, timestamp, stored_at,
                     is_voided, raw)
                SELECT s.id, s.actor, s.user_id, s.verb, s.object, s.registration, s.at, s.at, false,
                       json_build_object(
                           'id', s.id,
                           'actor', json_build_object('objectType', 'Agent', 'account',
                               json_build_object('homePage', CAST(:home AS text), 'name', s.actor)),
                           'verb', json_build_object('id', s.verb),
                           'object', json_build_object('objectType', 'Activity', 'id', s.object),
                           'context', json_build_object('registration', s.registration),
                           'timestamp', to_char(s.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           'version', '1.0.3')::text
                FROM (
                    SELECT gen_random_uuid()::text AS id, u.uuid AS actor, e.user_id, e.registration,
                           CASE WHEN g.n = 1 THEN 'http://adlnet.gov/expapi/verbs/registered'
                                ELSE 'http://adlnet.gov/expapi/verbs/experienced' END AS verb,
                           CASE WHEN g.n = 1 THEN c.iri ELSE c.iri || '/lessons/' || (g.n - 1) END AS object,
                           e.enrolled_at + (g.n - 1) * interval '1 hour' AS at
                    FROM lms_enrolments e
                    JOIN lms_users u ON u.id = e.user_id
                    JOIN lms_courses c ON c.id = e.course_id
                    CROSS JOIN generate_series(1, CAST(:k AS integer)) AS g(n)
                ) AS s
                """
            ),
            {"home": home_page, "k": per_enrolment},
        )
        return
    session.execute(
        text(
            """
            INSERT INTO lms_statements
                (id, actor_name, user_id, verb_id, object_id, registration, timestamp, stored_at,
                 is_voided, raw)
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :k)
            SELECT s.id, s.actor, s.user_id, s.verb, s.object, s.registration, s.at, s.at, 0,
                   json_object(
                       'id', s.id,
                       'actor', json_object('objectType', 'Agent', 'account',
                           json_object('homePage', :home, 'name', s.actor)),
                       'verb', json_object('id', s.verb),
                       'object', json_object('objectType', 'Activity', 'id', s.object),
                       'context', json_object('registration', s.registration),
                       'timestamp', replace(substr(s.at, 1, 19), ' ', 'T') || substr(s.at, 20) || 'Z',
                       'version', '1.0.3')
            FROM (
                SELECT lower(printf('%s-%s-4%s-a%s-%s', hex(randomblob(4)), hex(randomblob(2)),
                                    substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2),
                                    hex(randomblob(6)))) AS id,
                       u.uuid AS actor, e.user_id, e.registration,
                       CASE WHEN g.n = 1 THEN 'http://adlnet.gov/expapi/verbs/registered'
                            ELSE 'http://adlnet.gov/expapi/verbs/experienced' END AS verb,
                       CASE WHEN g.n = 1 THEN c.iri ELSE c.iri || '/lessons/' || (g.n - 1) END AS object,
                       strftime('%Y-%m-%d %H:%M:%f', e.enrolled_at, '+' || (g.n - 1) || ' hours')
                           || '000' AS at
                FROM lms_enrolments e
                JOIN lms_users u ON u.id = e.user_id
                JOIN lms_courses c ON c.id = e.course_id
                CROSS JOIN g
            ) AS s
            """
        ),
        {"home": home_page, "k": per_enrolment},
    )


TABLES = (
    "lms_users",
    "lms_enrolments",
    "lms_required_courses",
    "lms_quiz_outcomes",
    "lms_certificates",
    "lms_statements",
)


def _counts() -> dict[str, int]:
    from sqlalchemy import text

    from lms.extensions import session

    return {
        table: session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 (names of TABLES)
        for table in TABLES
    }
