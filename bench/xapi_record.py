"""Benchmark 3: ``lms.xapi.service.record`` in statements/s, next to a raw insert of the same rows.

In-process (no server), on a temporary SQLite file and on a temporary PostgreSQL database
(created on the server at ``--postgres-url`` with a unique name and dropped afterwards):

1. migrate; the practitioner course of ``content/``; ``--learners`` learners, each enrolled
   with ``lms.courses.service.enrol``; committed;
2. statements built the way ``lms.courses.service.leave_lesson`` builds them: "experienced" a
   lesson, with a duration, parent module and grouping course, for an enrolled learner, so the
   projector updates the enrolment and inserts or updates a lesson-progress row;
3. for each batch size (1: a commit per statement, as a request does; 100: a bulk load):
   - record: ``record(statement)`` for each statement, ``session.commit()`` after each batch;
   - raw insert (the baseline): the same columns and the same raw JSON text that ``record``
     stores, prepared beforehand, ``session.execute(insert(StoredStatement), batch)`` and
     ``session.commit()`` after each batch, on the same engine and session;
   the two alternate in four rounds (record first, then raw first...) so that drift of a
   shared machine falls on both; each uses its own statements (ids are unique);
4. print statements/s for both and the ratio record / raw insert.

A short warm-up comes first; it also counts the SQL statements one ``record`` runs and times
``validate`` (lms/xapi/validation.py) alone, to show where the time goes.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import BenchError, bench_app, build_course

ROUNDS = 4
SERVER_SETTINGS = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
WARMUP = 50


@dataclass
class Measurement:
    backend: str
    batch: int
    statements: int
    record_seconds: float
    raw_seconds: float

    @property
    def record_rate(self) -> float:
        return self.statements / self.record_seconds

    @property
    def raw_rate(self) -> float:
        return self.statements / self.raw_seconds

    @property
    def ratio(self) -> float:
        return self.record_rate / self.raw_rate


@dataclass
class Breakdown:
    backend: str
    queries_per_record: float
    validate_rate: float


class Statements:
    """Makes "experienced" statements for the enrolled learners, in time order."""

    def __init__(self, course, learners, seed: int = 3) -> None:
        from lms.courses import service
        from lms.xapi import builder

        self.builder = builder
        self.base_url = service.base_url()
        self.learners = learners  # (user uuid, user id, registration)
        grouping = service.course_activity(course)
        self.lessons = [
            (
                service.lesson_activity(course, lesson),
                service.module_activity(course, lesson.module),
                grouping,
            )
            for lesson in service.lessons_in_order(course)
        ]
        self.random = random.Random(seed)
        self.clock = datetime.now(UTC) - timedelta(days=30)

    def make(self, count: int) -> list[dict]:
        made = []
        for _ in range(count):
            user_uuid, _user_id, registration = self.random.choice(self.learners)
            lesson, parent, grouping = self.random.choice(self.lessons)
            self.clock += timedelta(seconds=self.random.randint(1, 30))
            made.append(
                self.builder.statement(
                    self.base_url,
                    user_uuid,
                    "experienced",
                    lesson,
                    registration=registration,
                    parent=parent,
                    grouping=grouping,
                    result={"duration": self.builder.duration(self.random.randint(30, 1800))},
                    timestamp=self.clock,
                )
            )
        return made

    def rows(self, statements: list[dict]) -> list[dict]:
        """The lms_statements rows ``record`` would write, with the same raw JSON text."""
        user_ids = {user_uuid: user_id for user_uuid, user_id, _ in self.learners}
        return [
            {
                "id": s["id"],
                "actor_name": s["actor"]["account"]["name"],
                "user_id": user_ids[s["actor"]["account"]["name"]],
                "verb_id": s["verb"]["id"],
                "object_id": s["object"]["id"],
                "registration": s["context"]["registration"],
                "timestamp": datetime.fromisoformat(s["timestamp"]),
                "raw": json.dumps(s, ensure_ascii=False, separators=(",", ":")),
            }
            for s in statements
        ]


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _rounds(batches: list[list], rounds: int) -> list[list[list]]:
    per = -(-len(batches) // rounds)
    return [batches[i : i + per] for i in range(0, len(batches), per)]


def bench_backend(label: str, database_url: str, args) -> tuple[list[Measurement], Breakdown]:
    from sqlalchemy import event, func, insert, select

    from lms.accounts.models import Role
    from lms.accounts.service import create_user
    from lms.core import migrations
    from lms.courses.service import enrol
    from lms.extensions import session
    from lms.xapi.models import StoredStatement
    from lms.xapi.service import record
    from lms.xapi.validation import validate

    app = bench_app(database_url)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        try:
            migrations.upgrade()
            course = build_course()
            users = [
                create_user(
                    email=f"bench-xapi-{i}@example.org",
                    first_name_th="ผู้เรียน",
                    last_name_th=f"คนที่ {i}",
                    roles={Role.LEARNER.value},
                )
                for i in range(args.learners)
            ]
            session.commit()
            learners = [(user.uuid, user.id, enrol(user, course).registration) for user in users]
            session.commit()
            maker = Statements(course, learners)

            def do_record(batches: list[list[dict]]) -> float:
                started = time.perf_counter()
                for batch in batches:
                    for statement in batch:
                        record(statement)
                    session.commit()
                return time.perf_counter() - started

            def do_raw(batches: list[list[dict]]) -> float:
                started = time.perf_counter()
                for batch in batches:
                    session.execute(insert(StoredStatement), batch)
                    session.commit()
                return time.perf_counter() - started

            # Warm-up, counting the SQL statements of one record (a commit per statement).
            do_raw(_batches(maker.rows(maker.make(WARMUP)), 1))
            warm = _batches(maker.make(WARMUP), 1)
            queries = {"n": 0}

            def count(*_args) -> None:
                queries["n"] += 1

            event.listen(engine, "before_cursor_execute", count)
            try:
                do_record(warm)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            sample = maker.make(args.statements)
            started = time.perf_counter()
            for statement in sample:
                validate(statement)
            breakdown = Breakdown(label, queries["n"] / WARMUP, len(sample) / (time.perf_counter() - started))

            measurements = []
            for size in args.batch_sizes:
                recorded = _rounds(_batches(maker.make(args.statements), size), ROUNDS)
                raw = _rounds(_batches(maker.rows(maker.make(args.statements)), size), ROUNDS)
                record_seconds = raw_seconds = 0.0
                for number, (record_round, raw_round) in enumerate(zip(recorded, raw, strict=True)):
                    if number % 2 == 0:
                        record_seconds += do_record(record_round)
                        raw_seconds += do_raw(raw_round)
                    else:
                        raw_seconds += do_raw(raw_round)
                        record_seconds += do_record(record_round)
                measurements.append(Measurement(label, size, args.statements, record_seconds, raw_seconds))

            # enrolments + warm-up (raw and record) + both sides of every measurement
            expected = len(learners) + 2 * WARMUP + 2 * len(args.batch_sizes) * args.statements
            stored = session.scalar(select(func.count()).select_from(StoredStatement))
            if stored != expected:
                raise BenchError(f"{label}: {stored} statements stored, {expected} expected")
            return measurements, breakdown
        finally:
            session.remove()
            engine.dispose()


def postgres_database(admin_url: str):
    """A uniquely named database on the server (as tests/conftest.py makes), dropped afterwards."""
    from contextlib import contextmanager

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    @contextmanager
    def database():
        url = make_url(admin_url)
        name = f"lms_bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                yield url.set(database=name).render_as_string(hide_password=False)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    return database()


def _postgres_version(admin_url: str) -> str | None:
    """The server's version, or None (and why) when it cannot be reached."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            found = [conn.execute(text(f"SHOW {name}")).scalar() for name in SERVER_SETTINGS]
        return f"{found[0]} on {engine.url.host}, " + ", ".join(
            f"{name}={value}" for name, value in zip(SERVER_SETTINGS[1:], found[1:], strict=True)
        )
    except OperationalError as exc:
        print(f"PostgreSQL: SKIPPED, cannot connect to {admin_url}: {exc.orig}")
        return None
    finally:
        engine.dispose()


def run(args) -> int:
    results: list[Measurement] = []
    breakdowns: list[Breakdown] = []
    try:
        with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
            found = bench_backend("SQLite", f"sqlite:///{Path(tmp) / 'xapi.sqlite3'}", args)
            results += found[0]
            breakdowns.append(found[1])
        postgres = _postgres_version(args.postgres_url) if args.postgres_url else None
        if not args.postgres_url:
            print("PostgreSQL: SKIPPED (--postgres-url is empty)")
        if postgres:
            with postgres_database(args.postgres_url) as url:
                found = bench_backend("PostgreSQL", url, args)
                results += found[0]
                breakdowns.append(found[1])
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1

    print(
        f"load:     {args.statements:,} 'experienced' statements per measurement, {args.learners} enrolled "
        f"learners, 18 lessons; alternated in {ROUNDS} rounds; in-process, no HTTP"
    )
    if postgres:
        print(f"          PostgreSQL {postgres}")
    print()
    print(
        f"{'backend':<11} {'commit every':>12} {'record/s':>9} {'raw insert/s':>12} "
        f"{'record ms':>9} {'raw ms':>7} {'ratio record / raw':>18}"
    )
    for m in results:
        every = "statement" if m.batch == 1 else f"{m.batch} stmts"
        print(
            f"{m.backend:<11} {every:>12} {m.record_rate:>9.0f} {m.raw_rate:>12.0f} "
            f"{1000 / m.record_rate:>9.2f} {1000 / m.raw_rate:>7.2f} {m.ratio:>18.3f}"
        )
    print("(ms = milliseconds per statement, commit included)")
    print()
    for b in breakdowns:
        print(
            f"{b.backend}: one record runs {b.queries_per_record:.1f} SQL statements (raw insert: 1); "
            f"validate() alone: {b.validate_rate:,.0f} statements/s ({1000 / b.validate_rate:.2f} ms each)"
        )
    print("every statement was stored (row count checked)")
    return 0
