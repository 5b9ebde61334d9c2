"""Benchmark: voiding one statement on a 100,000-learner ledger, next to one ordinary ``record``.

In-process (no server), on PostgreSQL only: a temporary database created on ``--postgres-url``
with a unique name and dropped afterwards (as ``xapi_record.py`` does).

1. migrate; the practitioner course of ``content/`` (``harness.build_course``: 6 modules of 3
   lessons); one administrator;
2. the ledger, written by set-based SQL in one transaction (``INSERT ... SELECT`` over
   ``generate_series`` and small temporary tables), not through ``record``: the bench measures
   voiding, not seeding. ``--void-learners`` learners (100,000), each enrolled in the course
   with the statements a learner makes: registered, launched, initialized, then for each of
   2 to 6 lessons (drawn per learner) experienced (with a duration and a page view), completed
   and progressed: 9 to 21 statements each, about 1.5 million in all. Every row's ``raw`` is a
   real statement: the JSON text of ``lms.xapi.builder.statement`` (built once per kind of
   step in Python, dumped as ``record`` dumps it, with markers for the id, actor,
   registration, timestamp, duration and page view that the SQL replaces). The rows are in
   time order across learners (``seq`` follows the timestamps, so one learner's statements
   are scattered over the table as in a real ledger). The projection (enrolments and lesson
   progress) is written the same way, in the values the projectors derive; then
   ``VACUUM ANALYZE``;
3. check, before anything is timed: for every registration the bench will touch, and for
   ``CHECKED`` more at random, every statement validates (ralph) and the seeded projection is
   exactly what ``lms.progress.rebuild.rebuild(registration)`` derives from those statements,
   row by row (rolled back afterwards); any difference stops the bench;
4. ``WARMUP`` untimed rounds, then ``ROUNDS`` rounds, alternating (void first, then record
   first, ...), each on learners of its own:
   - void: ``lms.xapi.voiding.void_statement`` of one of the learner's lesson 'completed'
     statements, by the administrator, and ``session.commit()``;
   - record: ``lms.xapi.service.record`` of an 'experienced' statement (built beforehand the
     way ``lms.courses.service.leave_lesson`` builds it), with ``user_id`` as the LMS's own
     callers give it, and ``session.commit()``;
5. print the medians, the ratio void / record, the statements each void replayed (the
   router's ``rederive`` is wrapped to count them), the SQL statements one void and one
   record run (an engine event counts them), and ``rebuild(registration)`` alone, timed in
   step 3. Afterwards
   every void must have marked its target, replayed the registration's other statements and
   left the voided lesson not completed, and every statement must be in the table.
"""

from __future__ import annotations

import json
import logging
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from harness import BenchError, bench_app, build_course
from xapi_record import _postgres_version, postgres_database

ROUNDS = 40
WARMUP = 5
CHECKED = 100
SEED = 17
MIN_LESSONS, MAX_LESSONS = 2, 6
EXTRA_SECONDS = 900  # a lesson's time: what its completion rule needs, plus up to this
VACUUMED = ("lms_users", "lms_user_roles", "lms_enrolments", "lms_lesson_progress", "lms_statements")


@dataclass
class Ledger:
    learners: int
    statements: int = 0
    lesson_rows: int = 0
    steps: dict[str, float] = field(default_factory=dict)
    size_mb: float = 0.0
    correlation: float = 0.0  # of seq with the heap's order (pg_stats)


@dataclass
class Learner:
    user_id: int
    uuid: str
    registration: str
    lessons: int  # lessons done


@dataclass
class Outcome:
    ledger: Ledger
    void_ms: list[float]
    record_ms: list[float]
    replayed: list[int]
    void_queries: list[int]
    record_queries: list[int]
    rebuild_ms: list[float]
    checked: int
    validated: int


def _templates(course, version) -> tuple[list[tuple], list[tuple]]:
    """One statement per kind of step, as JSON text with markers, and the lessons:
    [(step, verb_id, object_id, raw)], [(position, key, seconds needed)]."""
    from lms.content.activities import base_url, course_activity, lesson_activity, module_activity
    from lms.courses.service import lessons_in_order
    from lms.progress.completion import Progress, required_items, seconds_needed
    from lms.progress.projectors import SOURCE_EXTENSION, VERSION_EXTENSION, VIEW_EXTENSION
    from lms.xapi import builder
    from lms.xapi.vocabulary import PROGRESS_EXTENSION, VERBS, extension

    base = base_url()
    course_obj = course_activity(course)

    def template(step: int, verb: str, obj: dict, **kwargs) -> tuple:
        built = builder.statement(base, "@ACTOR@", verb, obj, registration="@REG@", **kwargs)
        built["id"] = "@ID@"
        built["timestamp"] = "@TS@"
        raw = json.dumps(built, ensure_ascii=False, separators=(",", ":"))
        return (step, VERBS[verb], obj["id"], raw)

    rows = [
        template(
            1,
            "registered",
            course_obj,
            extensions={
                extension(base, VERSION_EXTENSION): version.number,
                extension(base, SOURCE_EXTENSION): "self",
            },
        ),
        template(2, "launched", course_obj),
        template(3, "initialized", course_obj),
    ]
    lessons = lessons_in_order(course)
    items = required_items(version)
    positions = []
    for position, lesson in enumerate(lessons, start=1):
        lesson_obj = lesson_activity(course, lesson)
        parent = module_activity(course, lesson.module)
        done = {done.key for done in lessons[:position]}
        percent = Progress(done=done, items=items).percent
        rows += [
            template(
                3 * position + 1,
                "experienced",
                lesson_obj,
                parent=parent,
                grouping=course_obj,
                result={"duration": "@DUR@"},
                extensions={extension(base, VIEW_EXTENSION): "@VIEW@"},
            ),
            template(
                3 * position + 2,
                "completed",
                lesson_obj,
                parent=parent,
                grouping=course_obj,
                result={"completion": True},
            ),
            template(
                3 * position + 3,
                "progressed",
                course_obj,
                result={"extensions": {PROGRESS_EXTENSION: percent}},
            ),
        ]
        positions.append((position, lesson.key, seconds_needed(version, lesson)))
    return rows, positions


# The per-learner draws: lessons done, when they enrolled, how soon they launched, their pace.
LEARNERS_SQL = """
CREATE TEMPORARY TABLE bench_learners ON COMMIT DROP AS
SELECT user_id, uuid, registration, lessons, enrolled_at, enrolled_at + to_launch AS launched_at, span
FROM (
    SELECT id AS user_id, uuid, gen_random_uuid()::text AS registration,
           CAST(:low AS integer) + floor(random() * (CAST(:high AS integer) - CAST(:low AS integer) + 1))::int
               AS lessons,
           now() - interval '40 days' - random() * interval '360 days' AS enrolled_at,
           interval '1 minute' + random() * interval '10 hours' AS to_launch,
           interval '1 hour' + random() * interval '5 days' AS span
    FROM lms_users WHERE email LIKE 'bench-void-%'
) AS drawn
"""

# Lesson n of a learner is experienced in the n-th stretch of their pace after the launch
# (at least a tenth of a stretch after the previous lesson), completed 40 ms and progressed
# 80 ms after it, as one "Next" click records them.
LESSON_STEPS_SQL = """
CREATE TEMPORARY TABLE bench_lesson_steps ON COMMIT DROP AS
SELECT l.user_id, j.position,
       l.launched_at + interval '1 second' + (j.position - 1 + 0.9 * random()) * l.span AS at,
       j.needed + floor(random() * CAST(:extra AS integer))::int AS seconds,
       gen_random_uuid()::text AS view
FROM bench_learners l JOIN bench_lessons j ON j.position <= l.lessons
"""

# Every statement of the ledger, in time order: its seq, id, learner, step (the template) and
# values. The INSERT below reads it in that order (the other tables it joins are small and
# hashed), so the heap of lms_statements is in seq order, as a ledger written over time is.
PLAN_SQL = """
CREATE TEMPORARY TABLE bench_plan ON COMMIT DROP AS
SELECT CAST(:first AS bigint) + row_number() OVER (ORDER BY steps.at, steps.user_id, steps.step) - 1 AS seq,
       gen_random_uuid()::text AS id, steps.user_id, l.uuid, l.registration, steps.step, steps.at,
       steps.seconds, steps.view
FROM (
    SELECT user_id, 1 AS step, enrolled_at AS at, NULL::integer AS seconds, NULL::text AS view
        FROM bench_learners
    UNION ALL SELECT user_id, 2, launched_at, NULL, NULL FROM bench_learners
    UNION ALL SELECT user_id, 3, launched_at + interval '200 milliseconds', NULL, NULL FROM bench_learners
    UNION ALL SELECT user_id, 3 * position + 1, at, seconds, view FROM bench_lesson_steps
    UNION ALL SELECT user_id, 3 * position + 2, at + interval '40 milliseconds', NULL, NULL
        FROM bench_lesson_steps
    UNION ALL SELECT user_id, 3 * position + 3, at + interval '80 milliseconds', NULL, NULL
        FROM bench_lesson_steps
) AS steps
JOIN bench_learners l ON l.user_id = steps.user_id
"""

STATEMENTS_SQL = """
INSERT INTO lms_statements
    (seq, id, actor_name, user_id, verb_id, object_id, registration, timestamp, stored_at, is_voided, raw)
SELECT p.seq, p.id, p.uuid, p.user_id, t.verb_id, t.object_id, p.registration, p.at, p.at, false,
       replace(replace(replace(replace(replace(replace(t.raw,
           '@ID@', p.id),
           '@ACTOR@', p.uuid),
           '@REG@', p.registration),
           '@TS@', to_char(p.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00'),
           '@DUR@', coalesce(d.text, '')),
           '@VIEW@', coalesce(p.view, ''))
FROM bench_plan p
JOIN bench_templates t ON t.step = p.step
LEFT JOIN bench_durations d ON d.seconds = p.seconds
"""

ENROLMENTS_SQL = """
INSERT INTO lms_enrolments
    (registration, user_id, course_id, enrolled_version, source, enrolled_at, launched_at,
     last_activity_at, last_lesson_key, time_spent_seconds, completed_at)
SELECT l.registration, l.user_id, CAST(:course AS integer), CAST(:version AS integer), 'self',
       l.enrolled_at, l.launched_at, s.last_at, j.key, s.seconds, NULL
FROM bench_learners l
JOIN (
    SELECT user_id, max(at) + interval '80 milliseconds' AS last_at, sum(seconds) AS seconds,
           max(position) AS last
    FROM bench_lesson_steps GROUP BY user_id
) AS s ON s.user_id = l.user_id
JOIN bench_lessons j ON j.position = s.last
"""

LESSON_PROGRESS_SQL = """
INSERT INTO lms_lesson_progress
    (registration, lesson_key, first_viewed_at, last_viewed_at, time_spent_seconds, completed_at,
     last_view_id, last_view_seconds)
SELECT l.registration, j.key, s.at, s.at, s.seconds, s.at + interval '40 milliseconds', s.view, s.seconds
FROM bench_lesson_steps s
JOIN bench_learners l ON l.user_id = s.user_id
JOIN bench_lessons j ON j.position = s.position
"""


def build_ledger(n: int, course) -> Ledger:
    """Write the users, the projection and the ledger of ``n`` learners (one transaction)."""
    from sqlalchemy import text

    from lms.extensions import session
    from lms.xapi import builder

    version = course.current_version
    templates, lessons = _templates(course, version)
    ledger = Ledger(n)
    longest = max(needed for _p, _k, needed in lessons) + EXTRA_SECONDS

    def step(name: str, sql: str, params: dict | None = None) -> int:
        started = time.perf_counter()
        result = session.execute(text(sql), params or {})
        ledger.steps[name] = ledger.steps.get(name, 0.0) + time.perf_counter() - started
        return result.rowcount

    session.execute(text("SET LOCAL work_mem = '256MB'"))
    session.execute(text("SELECT setseed(:seed)"), {"seed": SEED / 100})
    step(
        "users",
        """
        INSERT INTO lms_users (uuid, email, title_th, first_name_th, last_name_th, title_en,
                               first_name_en, last_name_en, staff_group, position, level, is_active,
                               created_at, updated_at)
        SELECT gen_random_uuid()::text, 'bench-void-' || g || '@example.org', 'นาย', 'ผู้เรียน',
               'คนที่ ' || g, 'Mr', 'Learner', 'No. ' || g, 'practitioner', '', '', true, now(), now()
        FROM generate_series(1, CAST(:n AS integer)) AS g
        """,
        {"n": n},
    )
    step(
        "users",
        "INSERT INTO lms_user_roles (user_id, role) "
        "SELECT id, 'learner' FROM lms_users WHERE email LIKE 'bench-void-%'",
    )
    step("plan", LEARNERS_SQL, {"low": MIN_LESSONS, "high": MAX_LESSONS})
    session.execute(
        text(
            "CREATE TEMPORARY TABLE bench_lessons (position integer PRIMARY KEY, key text, "
            "needed integer) ON COMMIT DROP"
        )
    )
    session.execute(
        text("INSERT INTO bench_lessons VALUES (:p, :k, :n)"),
        [{"p": p, "k": k, "n": needed} for p, k, needed in lessons],
    )
    session.execute(
        text(
            "CREATE TEMPORARY TABLE bench_templates (step integer PRIMARY KEY, verb_id text, "
            "object_id text, raw text) ON COMMIT DROP"
        )
    )
    session.execute(
        text("INSERT INTO bench_templates VALUES (:s, :v, :o, :r)"),
        [{"s": s, "v": v, "o": o, "r": r} for s, v, o, r in templates],
    )
    session.execute(
        text("CREATE TEMPORARY TABLE bench_durations (seconds integer PRIMARY KEY, text text) ON COMMIT DROP")
    )
    session.execute(
        text("INSERT INTO bench_durations VALUES (:s, :t)"),
        [{"s": s, "t": builder.duration(s)} for s in range(longest + 1)],
    )
    step("plan", LESSON_STEPS_SQL, {"extra": EXTRA_SECONDS})
    first = session.scalar(text("SELECT coalesce(max(seq), 0) + 1 FROM lms_statements"))
    step("plan", PLAN_SQL, {"first": first})
    step("enrolments", ENROLMENTS_SQL, {"course": course.id, "version": version.number})
    ledger.lesson_rows = step("lesson progress", LESSON_PROGRESS_SQL)
    ledger.statements = step("statements", STATEMENTS_SQL)
    session.execute(
        text("SELECT setval(pg_get_serial_sequence('lms_statements', 'seq'), max(seq)) FROM lms_statements")
    )
    started = time.perf_counter()
    session.commit()
    ledger.steps["statements"] += time.perf_counter() - started

    engine = session.get_bind()
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in VACUUMED:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
        ledger.size_mb = conn.scalar(text("SELECT pg_total_relation_size('lms_statements')")) / 1024 / 1024
        ledger.correlation = conn.scalar(
            text("SELECT correlation FROM pg_stats WHERE tablename = 'lms_statements' AND attname = 'seq'")
        )
    ledger.steps["vacuum analyze"] = time.perf_counter() - started
    return ledger


def _learners(count: int, rng: random.Random) -> list[Learner]:
    """``count`` distinct learners drawn at random from the seeded ones."""
    from sqlalchemy import func, select

    from lms.accounts.models import User
    from lms.extensions import session
    from lms.progress.models import LessonProgress
    from lms.xapi.models import StoredStatement

    ids = session.scalars(select(User.id).where(User.email.like("bench-void-%"))).all()
    if len(ids) < count:
        raise BenchError(f"{len(ids)} learners seeded, the bench needs {count}")
    chosen = rng.sample(sorted(ids), count)
    rows = session.execute(
        select(User.id, User.uuid, StoredStatement.registration)
        .join(StoredStatement, StoredStatement.user_id == User.id)
        .where(User.id.in_(chosen))
        .distinct()
    ).all()
    done = dict(
        session.execute(
            select(LessonProgress.registration, func.count())
            .where(LessonProgress.registration.in_([r for _i, _u, r in rows]))
            .group_by(LessonProgress.registration)
        ).all()
    )
    by_id = {user_id: Learner(user_id, user_uuid, reg, done.get(reg, 0)) for user_id, user_uuid, reg in rows}
    if len(by_id) != count:
        raise BenchError(f"{len(by_id)} of the {count} chosen learners have one registration")
    return [by_id[user_id] for user_id in chosen]


def _snapshot(registrations: list[str]) -> tuple[list, list, list]:
    from sqlalchemy import select

    from lms.extensions import session
    from lms.progress.models import Enrolment, LessonProgress, QuizOutcome

    session.expire_all()
    enrolments = [
        (
            e.registration,
            e.user_id,
            e.course_id,
            e.enrolled_version,
            e.source,
            e.enrolled_at,
            e.launched_at,
            e.last_activity_at,
            e.last_lesson_key,
            e.time_spent_seconds,
            e.completed_at,
        )
        for e in session.scalars(
            select(Enrolment)
            .where(Enrolment.registration.in_(registrations))
            .order_by(Enrolment.registration)
        )
    ]
    lessons = [
        (
            p.registration,
            p.lesson_key,
            p.first_viewed_at,
            p.last_viewed_at,
            p.time_spent_seconds,
            p.completed_at,
            p.last_view_id,
            p.last_view_seconds,
        )
        for p in session.scalars(
            select(LessonProgress)
            .where(LessonProgress.registration.in_(registrations))
            .order_by(LessonProgress.registration, LessonProgress.lesson_key)
        )
    ]
    outcomes = [
        (o.attempt_id, o.registration, o.quiz_key, o.scaled, o.is_passed, o.completed_at)
        for o in session.scalars(
            select(QuizOutcome)
            .where(QuizOutcome.registration.in_(registrations))
            .order_by(QuizOutcome.attempt_id)
        )
    ]
    return enrolments, lessons, outcomes


def check_against_rebuild(learners: list[Learner]) -> tuple[list[float], int]:
    """Every statement of these learners validates, and their seeded projection equals what
    ``rebuild(registration)`` derives (rolled back). Returns the rebuild times and the number
    of statements validated."""
    from sqlalchemy import select

    from lms.extensions import session
    from lms.progress.rebuild import rebuild
    from lms.xapi.models import StoredStatement
    from lms.xapi.validation import StatementError, validate

    registrations = [learner.registration for learner in learners]
    validated = 0
    for raw, registration in session.execute(
        select(StoredStatement.raw, StoredStatement.registration).where(
            StoredStatement.registration.in_(registrations)
        )
    ):
        try:
            statement = json.loads(raw)
            validate(statement)
        except (StatementError, ValueError) as exc:
            raise BenchError(f"a seeded statement of {registration} is not valid: {exc}\n{raw}") from None
        if json.dumps(statement, ensure_ascii=False, separators=(",", ":")) != raw:
            raise BenchError(
                f"a seeded statement of {registration} is not stored as record stores it:\n{raw}"
            )
        validated += 1
    expected = sum(3 + 3 * learner.lessons for learner in learners)
    if validated != expected:
        raise BenchError(f"{validated} statements for the checked registrations, {expected} expected")
    seeded = _snapshot(registrations)
    if len(seeded[0]) != len(learners) or len(seeded[1]) != sum(learner.lessons for learner in learners):
        raise BenchError("the seeded projection lacks enrolments or lesson rows of the checked learners")
    times = []
    for learner in learners:
        started = time.perf_counter()
        count = rebuild(learner.registration)
        times.append((time.perf_counter() - started) * 1000)
        if count != 3 + 3 * learner.lessons:
            raise BenchError(f"rebuild({learner.registration}) replayed {count} statements")
    rebuilt = _snapshot(registrations)
    session.rollback()
    for name, before, after in zip(
        ("enrolments", "lesson progress", "quiz outcomes"), seeded, rebuilt, strict=True
    ):
        if before != after:
            diff = next(
                ((a, b) for a, b in zip(before, after, strict=False) if a != b), (len(before), len(after))
            )
            raise BenchError(f"the seeded {name} differ from a rebuild: seeded {diff[0]}, rebuilt {diff[1]}")
    return times, validated


def _experienced(course, learner: Learner, lesson) -> dict:
    from lms.content.activities import base_url, course_activity, lesson_activity, module_activity
    from lms.progress.projectors import VIEW_EXTENSION
    from lms.xapi import builder
    from lms.xapi.vocabulary import extension

    return builder.statement(
        base_url(),
        learner.uuid,
        "experienced",
        lesson_activity(course, lesson),
        registration=learner.registration,
        parent=module_activity(course, lesson.module),
        grouping=course_activity(course),
        result={"duration": builder.duration(300)},
        extensions={extension(base_url(), VIEW_EXTENSION): str(uuid.uuid4())},
        timestamp=datetime.now(UTC),
    )


def bench(database_url: str, args) -> Outcome:
    from sqlalchemy import event, func, select

    from lms.accounts.models import Role, User
    from lms.accounts.service import create_user
    from lms.core import migrations
    from lms.courses.service import lessons_in_order
    from lms.extensions import session
    from lms.progress.models import Enrolment, LessonProgress
    from lms.xapi.models import StoredStatement
    from lms.xapi.service import record
    from lms.xapi.vocabulary import VERBS
    from lms.xapi.voiding import void_statement

    rng = random.Random(SEED)
    app = bench_app(database_url)
    quiet = logging.getLogger("lms.xapi.voiding")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # one warning per void ("statement ... voided by ...")
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        try:
            migrations.upgrade()
            course = build_course()
            admin = create_user(
                email="bench-void-admin@example.org",
                first_name_th="ผู้ดูแล",
                last_name_th="ระบบ",
                roles={Role.ADMIN.value},
            )
            session.commit()
            admin_id = admin.id
            ledger = build_ledger(args.void_learners, course)
            print(
                f"ledger:   {args.void_learners:,} learners, {ledger.statements:,} statements, "
                f"{ledger.lesson_rows:,} lesson-progress rows; built in "
                + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in ledger.steps.items())
                + f"; lms_statements {ledger.size_mb:,.0f} MB with its indexes, "
                f"correlation of seq with the heap's order {ledger.correlation:.2f}",
                flush=True,
            )

            per_side = WARMUP + ROUNDS
            chosen = _learners(2 * per_side + CHECKED, rng)
            voiders, recorders = chosen[:per_side], chosen[per_side : 2 * per_side]
            rebuild_ms, validated = check_against_rebuild(chosen)
            print(
                f"check:    {len(chosen)} registrations ({validated:,} statements, each valid xAPI): "
                "the seeded projection equals rebuild(registration), row by row",
                flush=True,
            )

            completed = VERBS["completed"]
            targets = {}
            for learner in voiders:
                ids = session.scalars(
                    select(StoredStatement.id)
                    .where(
                        StoredStatement.registration == learner.registration,
                        StoredStatement.verb_id == completed,
                        StoredStatement.object_id.contains("/lessons/"),
                    )
                    .order_by(StoredStatement.seq)
                ).all()
                if len(ids) != learner.lessons:
                    raise BenchError(
                        f"{learner.registration}: {len(ids)} lesson completions, {learner.lessons} expected"
                    )
                targets[learner.registration] = rng.choice(ids)
            lessons = lessons_in_order(course)
            statements = {
                learner.registration: _experienced(course, learner, lessons[learner.lessons])
                for learner in recorders
            }
            before = session.scalar(select(func.count()).select_from(StoredStatement))
            session.commit()

            router = app.extensions["lms"].projectors
            rederive = router.rederive
            replayed: list[int] = []

            def counting(registration):
                found = rederive(registration)
                replayed.append(found)
                return found

            router.rederive = counting
            queries = {"n": 0}

            def count(*_args) -> None:
                queries["n"] += 1

            def do_void(learner: Learner) -> tuple[float, int]:
                admin = session.get(User, admin_id)
                _ = admin.roles, admin.uuid  # loaded before the clock, as a request's user is
                queries["n"] = 0
                started = time.perf_counter()
                void_statement(targets[learner.registration], "bench: recorded by mistake", admin)
                session.commit()
                return (time.perf_counter() - started) * 1000, queries["n"]

            def do_record(learner: Learner) -> tuple[float, int]:
                statement = statements[learner.registration]
                queries["n"] = 0
                started = time.perf_counter()
                record(statement, user_id=learner.user_id)
                session.commit()
                return (time.perf_counter() - started) * 1000, queries["n"]

            voids, records = [], []
            event.listen(engine, "before_cursor_execute", count)  # about 1 µs a statement
            try:
                for number, (voider, recorder) in enumerate(zip(voiders, recorders, strict=True)):
                    if number % 2 == WARMUP % 2:
                        void, recorded = do_void(voider), do_record(recorder)
                    else:
                        recorded = do_record(recorder)
                        void = do_void(voider)
                    if number >= WARMUP:
                        voids.append(void)
                        records.append(recorded)
            finally:
                event.remove(engine, "before_cursor_execute", count)
                router.rederive = rederive

            # Afterwards: every void marked its target and replayed the rest of its registration.
            session.expire_all()
            for learner, found in zip(voiders, replayed, strict=True):
                target = session.scalar(
                    select(StoredStatement).where(StoredStatement.id == targets[learner.registration])
                )
                if not target.is_voided:
                    raise BenchError(f"statement {target.id} is not marked voided")
                if found != 3 + 3 * learner.lessons - 1:
                    raise BenchError(f"the void of {target.id} replayed {found} statements")
                key = target.object_id.rsplit("/", 1)[-1]
                row = session.get(LessonProgress, (learner.registration, key))
                if row is None or row.completed_at is not None:
                    raise BenchError(f"lesson {key} of {learner.registration} still completed after the void")
            for learner in recorders:
                enrolment = session.get(Enrolment, learner.registration)
                if enrolment.last_lesson_key != lessons[learner.lessons].key:
                    raise BenchError(f"the recorded statement of {learner.registration} was not projected")
            stored = session.scalar(select(func.count()).select_from(StoredStatement))
            if stored != before + 2 * per_side:
                raise BenchError(f"{stored} statements stored, {before + 2 * per_side} expected")
            session.commit()
            return Outcome(
                ledger,
                [ms for ms, _n in voids],
                [ms for ms, _n in records],
                replayed[WARMUP:],
                [n for _ms, n in voids],
                [n for _ms, n in records],
                rebuild_ms,
                len(chosen),
                validated,
            )
        finally:
            quiet.setLevel(level)
            session.remove()
            engine.dispose()


def run(args) -> int:
    need = 2 * (WARMUP + ROUNDS) + CHECKED
    if args.void_learners < need:
        print(f"bench failed: --void-learners must be at least {need}", file=sys.stderr)
        return 1
    if not args.postgres_url:
        print("PostgreSQL: SKIPPED (--postgres-url is empty); this benchmark runs on PostgreSQL only")
        return 0
    postgres = _postgres_version(args.postgres_url)
    if not postgres:
        return 0
    print(f"          PostgreSQL {postgres}", flush=True)
    try:
        with postgres_database(args.postgres_url) as url:
            outcome = bench(url, args)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1

    void = statistics.median(outcome.void_ms)
    recorded = statistics.median(outcome.record_ms)
    print(
        f"rounds:   {ROUNDS} voids and {ROUNDS} records, alternated (void first, then record first, ...) "
        f"after {WARMUP} untimed of each; each on a learner of its own; in-process, no HTTP"
    )
    print()
    print(f"{'operation (commit included)':<44} {'median ms':>9} {'min ms':>7} {'max ms':>7}")
    for label, values in (
        ("void_statement of a lesson 'completed'", outcome.void_ms),
        ("record of an 'experienced'", outcome.record_ms),
    ):
        print(f"{label:<44} {statistics.median(values):>9.1f} {min(values):>7.1f} {max(values):>7.1f}")
    print(f"ratio void / record: {void / recorded:.2f}")
    print()
    print(
        f"one void replayed {statistics.median(outcome.replayed):.0f} statements (median; "
        f"{min(outcome.replayed)}-{max(outcome.replayed)}) of the {outcome.ledger.statements:,} in the "
        f"ledger and ran {statistics.median(outcome.void_queries):.0f} SQL statements "
        f"({min(outcome.void_queries)}-{max(outcome.void_queries)}); "
        f"one record ran {statistics.median(outcome.record_queries):.0f}"
    )
    print(
        f"rebuild(registration) alone, no commit, {outcome.checked} registrations: "
        f"median {statistics.median(outcome.rebuild_ms):.1f} ms"
    )
    print("every void marked its target, replayed its registration and left the lesson not completed;")
    print("every record was projected; every statement was stored (row count checked)")
    return 0
