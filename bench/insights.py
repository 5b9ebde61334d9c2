"""Benchmark: the trainer insights pages at N learners on PostgreSQL, each next to its SQL alone.

1. the data, in a uniquely named database on ``--postgres-url`` (dropped afterwards): migrations
   to head, the course ``content/exec-digital-leadership`` imported by the real importer, the
   demo ministry's org units, and ``--insights-learners`` learners (the demo's ``make_person``:
   staff group, unit, province), every one enrolled in the course; per learner a number of
   lessons reached in course order (lesson progress with time spent), a completion for some, a
   required course with a past due date for a third of them, and, for those who reached a
   lesson, one submitted attempt at the first quiz: its graded outcome, one answer row per
   question and the choices picked. All written in bulk (COPY), not through ``xapi.record``
   (the benchmark measures the pages, not the seeding); ``ANALYZE`` afterwards;
2. the course's owner (a trainer) signs in through the real form on a Flask test client of the
   real app (in-process);
3. the three pages (dashboard, lesson drop-off, quiz item analysis) are each requested once
   while their SQL is captured, and checked against figures worked out while generating the
   data (or the benchmark stops with an error); then ``--report-repeats`` times, alternately,
   the page and its SQL replayed alone on a raw driver connection; medians and the ratio
   page/SQL are printed, with the target: under 1 s per page.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from harness import REPO, BenchError
from reports import PASSWORD, Capture, _app, _sign_in, replay
from reports_data import bulk_insert
from xapi_record import _postgres_version, postgres_database

SEED = 2569
COURSE = "exec-digital-leadership"
TARGET_MS = 1000
CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")
TOTAL_ROW = re.compile(r'<tr class="total">\s*<th[^>]*>[^<]*</th>\s*<td>([\d,]+)</td>', re.S)
FIRST_CELL = r'<tr id="{prefix}-{key}">\s*<th[^>]*>.*?</th>\s*<td>([\d,]+)</td>'


def _new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _answer(rng: random.Random, spec: dict, right: bool) -> tuple[bool, list[str]]:
    """Whether the answer is right and the choices it picks (none for other types)."""
    kind = spec["type"]
    if kind == "true_false":
        value = bool(spec["correct"]) if right else not spec["correct"]
        return right, ["true" if value else "false"]
    if kind == "single_choice":
        others = [c["id"] for c in spec["choices"] if c["id"] != spec["correct"]]
        return right, [spec["correct"] if right else rng.choice(others)]
    if kind == "multiple_response":
        ids = [c["id"] for c in spec["choices"]]
        picked = sorted(spec["correct"]) if right else sorted(rng.sample(ids, rng.randint(1, len(ids))))
        return sorted(spec["correct"]) == picked, picked
    return right, []


class Expected:
    """The figures the pages must show, counted while the data is made."""

    def __init__(self) -> None:
        self.enrolled = 0
        self.reached: dict[str, int] = {}
        self.answered: dict[str, int] = {}


def build(n: int):
    """Migrate and write the data set (needs an app context); returns (owner email, quiz key, Expected)."""
    from sqlalchemy import select, text

    from lms.accounts import service as accounts
    from lms.accounts.models import Role
    from lms.assignments.models import Assignment
    from lms.authoring.models import CourseOwner
    from lms.content.models import Course
    from lms.content.quizzes import load_quiz
    from lms.core import migrations
    from lms.demo import organisation
    from lms.demo.people import learner_random, make_person
    from lms.extensions import session
    from lms.packages.importer import import_package

    migrations.upgrade()
    import_package(REPO / "content" / COURSE)
    session.commit()
    course = session.scalar(select(Course).where(Course.slug == COURSE))
    version = course.current_version
    lessons = [(lesson.key, lesson.minutes) for lesson in version.lessons]
    quiz = load_quiz(version, next(m.quiz_key for m in version.modules if m.quiz_key))
    owner = accounts.create_user(
        email="trainer.bench@example.org",
        first_name_th="วิทยากร",
        last_name_th="ทดสอบ",
        roles={Role.LEARNER.value, Role.TRAINER.value},
        password=PASSWORD,
    )
    session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    end = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)
    start = end - timedelta(days=365)
    org = organisation.build()
    assignment = Assignment(course_id=course.id, target_kind="users", due_on=date(2024, 9, 30))
    session.add(assignment)
    session.commit()
    first_id = (session.scalar(text("SELECT max(id) FROM lms_users")) or 0) + 1
    rows = {name: [] for name in ("users", "roles", "enrolments", "lessons", "required", "outcomes")}
    rows.update(answers=[], choices=[])
    expected = Expected()
    for index in range(1, n + 1):
        rng = learner_random(SEED, index)
        person = make_person(rng, SEED, index, org, start)
        user_id = first_id + index - 1
        rows["users"].append((user_id, person.row))
        rows["roles"].append((user_id, Role.LEARNER.value))
        _learner(rng, user_id, course.id, lessons, quiz, start, rows, expected)
        if rng.random() < 1 / 3:
            rows["required"].append((user_id, course.id, assignment.id, date(2024, 9, 30), start))
    _write(rows, session, text)
    session.execute(text("ANALYZE"))
    session.commit()
    return owner.email, quiz.key, expected


def _learner(rng, user_id, course_id, lessons, quiz, start, rows, expected) -> None:
    registration = _new_uuid(rng)
    enrolled_at = start + timedelta(minutes=rng.randint(0, 500_000))
    reached = rng.choice(range(len(lessons) + 1))
    at = enrolled_at
    spent = 0
    for key, minutes in lessons[:reached]:
        seconds = int(minutes * 60 * rng.uniform(0.3, 1.8))
        at += timedelta(seconds=seconds + rng.randint(60, 86_400))
        rows["lessons"].append((registration, key, at, at, seconds, at))
        expected.reached[key] = expected.reached.get(key, 0) + 1
        spent += seconds
    completed = at if reached == len(lessons) and rng.random() < 0.7 else None
    last = lessons[reached - 1][0] if reached else None
    rows["enrolments"].append(
        (
            registration,
            user_id,
            course_id,
            1,
            "self",
            enrolled_at,
            enrolled_at if reached else None,
            at,
            last,
            spent,
            completed,
        )
    )
    expected.enrolled += 1
    if reached:
        _attempt(rng, registration, course_id, quiz, at, rows, expected)


def _attempt(rng, registration, course_id, quiz, at, rows, expected) -> None:
    attempt = _new_uuid(rng)
    ability = rng.random()
    earned = possible = 0.0
    for spec in quiz.questions:
        right, picked = _answer(rng, spec, rng.random() < 0.3 + 0.6 * ability)
        points = float(spec.get("points", 1))
        earned, possible = earned + (points if right else 0), possible + points
        statement = _new_uuid(rng)
        rows["answers"].append(
            (
                statement,
                registration,
                attempt,
                course_id,
                quiz.key,
                spec["id"],
                right,
                1.0 if right else 0.0,
                at,
            )
        )
        rows["choices"] += [(statement, choice, course_id, quiz.key, spec["id"]) for choice in picked]
        expected.answered[spec["id"]] = expected.answered.get(spec["id"], 0) + 1
    scaled = earned / possible if possible else 0
    rows["outcomes"].append(
        (attempt, registration, quiz.key, 1, scaled, earned, possible, scaled >= 0.75, at)
    )


def _write(rows, session, text) -> None:
    columns = tuple(rows["users"][0][1])
    bulk_insert("lms_users", ("id", *columns), [(i, *(row[c] for c in columns)) for i, row in rows["users"]])
    bulk_insert("lms_user_roles", ("user_id", "role"), rows["roles"])
    session.execute(text("SELECT setval(pg_get_serial_sequence('lms_users', 'id'), max(id)) FROM lms_users"))
    enrolment = (
        "registration", "user_id", "course_id", "enrolled_version", "source", "enrolled_at",
        "launched_at", "last_activity_at", "last_lesson_key", "time_spent_seconds", "completed_at",
    )  # fmt: skip
    bulk_insert("lms_enrolments", enrolment, rows["enrolments"])
    lesson = (
        "registration",
        "lesson_key",
        "first_viewed_at",
        "last_viewed_at",
        "time_spent_seconds",
        "completed_at",
    )
    bulk_insert("lms_lesson_progress", lesson, rows["lessons"])
    bulk_insert(
        "lms_required_courses",
        ("user_id", "course_id", "assignment_id", "due_on", "assigned_at"),
        rows["required"],
    )
    outcome = (
        "attempt_id", "registration", "quiz_key", "attempt_number", "scaled", "earned", "possible",
        "is_passed", "completed_at",
    )  # fmt: skip
    bulk_insert("lms_quiz_outcomes", outcome, rows["outcomes"])
    answer = (
        "statement_id", "registration", "attempt_id", "course_id", "quiz_key", "question_id",
        "is_correct", "scaled", "answered_at",
    )  # fmt: skip
    bulk_insert("lms_question_answers", answer, rows["answers"])
    choice = ("statement_id", "choice_id", "course_id", "quiz_key", "question_id")
    bulk_insert("lms_question_answer_choices", choice, rows["choices"])
    session.commit()


def _check(name: str, page: str, expected: Expected) -> None:
    def first_cell(prefix: str, key: str) -> int | None:
        found = re.search(FIRST_CELL.format(prefix=prefix, key=re.escape(key)), page, re.S)
        return int(found.group(1).replace(",", "")) if found else None

    if name == "dashboard":
        found = TOTAL_ROW.search(page)
        if not found or int(found.group(1).replace(",", "")) != expected.enrolled:
            raise BenchError(f"dashboard: {found and found.group(1)} enrolled, expected {expected.enrolled}")
    elif name == "lesson drop-off":
        for key, count in expected.reached.items():
            if first_cell("lesson", key) != count:
                raise BenchError(
                    f"drop-off: lesson {key} reached by {first_cell('lesson', key)}, expected {count}"
                )
    else:
        for key, count in expected.answered.items():
            if first_cell("item", key) != count:
                raise BenchError(
                    f"items: question {key} answered {first_cell('item', key)}, expected {count}"
                )


def _measure(
    client, engine, name: str, path: str, expected: Expected, repeats: int
) -> tuple[float, float, int]:
    with Capture(engine) as capture:
        response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"{name}: status {response.status_code}")
    _check(name, response.get_data(as_text=True), expected)
    replay(engine, capture.statements)
    pages, sqls = [], []
    for number in range(repeats):
        for step in ("page", "sql") if number % 2 == 0 else ("sql", "page"):
            started = time.perf_counter()
            if step == "page":
                client.get(path).get_data()
                pages.append(time.perf_counter() - started)
            else:
                sqls.append(replay(engine, capture.statements))
    return statistics.median(pages) * 1000, statistics.median(sqls) * 1000, len(capture.statements)


def bench(database_url: str, n: int, repeats: int) -> list[tuple]:
    from lms.extensions import session

    with tempfile.TemporaryDirectory(prefix="lms-bench-media-") as media:
        app = _app(database_url, media)
        with app.app_context():
            engine = app.extensions["sqlalchemy"].engine
            started = time.perf_counter()
            try:
                email, quiz_key, expected = build(n)
            finally:
                session.remove()
            print(f"PostgreSQL N={n:,}: built in {time.perf_counter() - started:.1f} s", flush=True)
        pages = [
            ("dashboard", f"/insights/{COURSE}"),
            ("lesson drop-off", f"/insights/{COURSE}/lessons"),
            ("quiz items", f"/insights/{COURSE}/quizzes/{quiz_key}"),
        ]
        client = app.test_client()
        _sign_in(client, email)
        figures = []
        try:
            for name, path in pages:
                page_ms, sql_ms, statements = _measure(client, engine, name, path, expected, repeats)
                figures.append((name, page_ms, sql_ms, statements))
                print(
                    f"  {name:<16} {page_ms:>8.1f} {sql_ms:>8.1f} {page_ms / sql_ms:>6.2f} {statements:>5}",
                    flush=True,
                )
        finally:
            with app.app_context():
                session.remove()
                engine.dispose()
    return figures


def run(args) -> int:
    n = args.insights_learners
    postgres = _postgres_version(args.postgres_url) if args.postgres_url else None
    if not postgres:
        print("PostgreSQL: SKIPPED (the insights bench needs --postgres-url)")
        return 0
    print(
        f"load:     {n:,} learners in one course on PostgreSQL {postgres}; medians of {args.report_repeats} "
    )
    print(f"  {'page':<16} {'page ms':>8} {'SQL ms':>8} {'ratio':>6} {'stmts':>5}")
    try:
        with postgres_database(args.postgres_url) as url:
            figures = bench(url, n, args.report_repeats)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    slowest = max(page_ms for _name, page_ms, _sql, _count in figures)
    verdict = "met" if slowest < TARGET_MS else "NOT met"
    print(f"target: every page under {TARGET_MS} ms: {verdict} (slowest {slowest:.0f} ms)")
    print("(page ms: median through the Flask test client, signed in as the owning trainer; SQL ms: the")
    print(" page's captured SQL replayed on a raw driver connection, rows fetched; ratio = page / SQL)")
    return 0
