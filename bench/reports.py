"""Benchmark 7: the HR report pages at N learners, each next to its own SQL run alone.

For each database (``--report-dbs``: SQLite, a temporary file; PostgreSQL, a uniquely named
database on ``--postgres-url``, dropped afterwards) and each N (``--report-learners``):

1. the data (``reports_data.build``): migrations to head, the courses of ``content/``, the demo's
   ministry and assignments, N learners with their enrolments, quiz outcomes, certificates,
   required courses and ``--report-statements`` statements per enrolment, written in bulk
   (not through ``xapi.record``: see that module); ``ANALYZE`` on PostgreSQL;
2. two people sign in through the real form (CSRF token) on a Flask test client of the real
   app (in-process, no HTTP server): an administrator (the whole ministry) and an HR officer
   whose scope is one department (``SIM-DSV`` with its divisions);
3. for each of them, six pages: the completion report ``/reports`` (no period), the same for the
   current fiscal year by unit and by province, the drill-down of the biggest cell (every
   learner of the course with the most), the training-hours page and one learner's transcript;
4. each page is requested once (warm-up) while every SQL statement it runs is captured
   (``before_cursor_execute``); the answer is checked (200, and the numbers it shows equal
   those worked out from the generated data) or the benchmark stops with an error;
5. then, ``--report-repeats`` times, alternately: the page again (``client.get``, the body read),
   and its captured SQL alone, replayed on a raw driver connection (the same statements and
   parameters, every row fetched, in one transaction rolled back after); medians of both and
   their ratio are printed. The ratio is what the framework (routing, session, sign-in check,
   SQLAlchemy compiling and building rows, the report's Python, Jinja) adds to the database.
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from harness import CSRF_INPUT, VALUE_ATTR, BenchError
from reports_data import TABLES, Built, build
from xapi_record import _postgres_version, postgres_database

PASSWORD = "bench-reports-" + secrets.token_hex(8)
HR_DEPARTMENT = "SIM-DSV"
TOTAL_ROW = re.compile(r'<tr class="total">\s*<th[^>]*>.*?</th>\s*<td><a href="[^"]*">(\d+)</a>', re.S)
ROW_COUNT = re.compile(r'id="row-count">\D*([\d,]+)')
PEOPLE = re.compile(r'<dd id="people">(\d+)</dd>')


@dataclass
class Figure:
    backend: str
    learners: int
    actor: str
    page: str
    page_ms: float
    sql_ms: float
    statements: int

    @property
    def ratio(self) -> float:
        return self.page_ms / self.sql_ms if self.sql_ms else float("nan")


def _app(database_url: str, media_dir: str):
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "LMS_SESSION_COOKIE_SECURE": False,
            "LMS_REDIS_URL": None,
            "LMS_XAPI_FORWARD_TO": (),
            "LMS_MEDIA_DIR": media_dir,
            "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )


def _staff(built: Built, department_id: int):
    """The administrator and the HR officer who read the reports (with passwords)."""
    from lms.accounts import service as accounts
    from lms.accounts.models import Role
    from lms.extensions import session

    admin = accounts.create_user(
        email="admin.bench@example.org",
        first_name_th="ผู้ดูแล",
        last_name_th="ทดสอบ",
        roles={Role.LEARNER.value, Role.ADMIN.value},
        password=PASSWORD,
    )
    hr = accounts.create_user(
        email="hr.bench@example.org",
        first_name_th="เจ้าหน้าที่",
        last_name_th="บุคคล",
        roles={Role.LEARNER.value, Role.HR.value},
        password=PASSWORD,
    )
    accounts.set_scopes(hr, [department_id], [])
    session.commit()
    built.units[admin.id] = None
    built.units[hr.id] = None
    return admin, hr


def _sign_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    tag = CSRF_INPUT.search(page)
    token = tag and VALUE_ATTR.search(tag.group(0))
    if not token:
        raise BenchError("no csrf_token input on /login")
    answer = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    if answer.status_code != 302:
        raise BenchError(f"POST /login for {email} answered {answer.status_code}")


class Capture:
    """The SQL statements the engine runs while it is open."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _seen(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if executemany:
            raise BenchError("a report page ran an executemany")
        copied = dict(parameters) if isinstance(parameters, dict) else tuple(parameters or ())
        self.statements.append((statement, copied))

    def __enter__(self) -> Capture:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)


def replay(engine, statements: list[tuple[str, object]]) -> float:
    """Run the statements on a raw driver connection, every row fetched; seconds taken."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        seconds = time.perf_counter() - started
        cursor.close()
        raw.rollback()
        return seconds
    finally:
        raw.close()


def _expected(built: Built, in_scope: set[int], fy_start, fy_end) -> dict:
    """The numbers the pages must show for people ``in_scope``, worked out from the data."""
    all_time: dict[int, int] = {}
    in_year: dict[int, int] = {}
    for (user_id, course_id), (assigned, enrolled_at, completed_at) in built.pairs.items():
        if user_id not in in_scope:
            continue
        all_time[course_id] = all_time.get(course_id, 0) + 1
        began = assigned or (enrolled_at is not None and enrolled_at < fy_end)
        if began and (completed_at is None or completed_at >= fy_start):
            in_year[course_id] = in_year.get(course_id, 0) + 1
    return {"all_time": all_time, "in_year": in_year, "people": len(in_scope)}


def _check(name: str, response, expected: dict, course_id: int, person) -> None:
    if response.status_code != 200:
        raise BenchError(f"{name}: status {response.status_code}")
    page = response.get_data(as_text=True)
    if name.startswith("overview"):
        key = "all_time" if name == "overview" else "in_year"
        found = sorted(int(n) for n in TOTAL_ROW.findall(page))
        wanted = sorted(n for n in expected[key].values() if n)
        if found != wanted:
            raise BenchError(f"{name}: learners per course {found}, expected {wanted}")
    elif name == "drill-down":
        found = ROW_COUNT.search(page)
        wanted = expected["all_time"].get(course_id, 0)
        if not found or int(found.group(1).replace(",", "")) != wanted:
            raise BenchError(f"{name}: {found and found.group(1)} rows found, expected {wanted}")
    elif name == "hours":
        found = PEOPLE.search(page)
        if not found or int(found.group(1)) != expected["people"]:
            raise BenchError(f"{name}: {found and found.group(1)} people, expected {expected['people']}")
    elif name == "transcript":
        _uuid, name_th, courses, serials = person
        rows = page.count('<th scope="row">')
        if name_th not in page or rows != courses or any(s not in page for s in serials):
            raise BenchError(f"transcript: {rows} course rows (expected {courses}), name or serials missing")


def _person(built: Built, department_units: set[int]):
    """The learner of the department with the most courses (and a certificate, if any)."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.extensions import session
    from lms.progress.models import Enrolment

    courses: dict[int, int] = {}
    for user_id, _course_id in built.pairs:
        if built.units.get(user_id) in department_units:
            courses[user_id] = courses.get(user_id, 0) + 1
    registrations = dict(session.execute(select(Enrolment.registration, Enrolment.user_id)).all())
    certified = {registrations[r] for r in built.certificates}
    user_id = max(courses, key=lambda u: (courses[u], u in certified, -u))
    user = session.get(User, user_id)
    serials = [s for r, s in built.certificates.items() if registrations[r] == user_id]
    return user.uuid, f"{user.title_th}{user.first_name_th} {user.last_name_th}", courses[user_id], serials


def bench_database(label: str, database_url: str, n: int, args) -> tuple[list[Figure], str]:
    from sqlalchemy import select, text

    from lms.accounts.models import OrgUnit
    from lms.accounts.service import unit_and_descendant_ids
    from lms.extensions import session
    from lms.reports.fiscal import current_fiscal_year, fiscal_year_bounds

    with tempfile.TemporaryDirectory(prefix="lms-bench-media-") as media:
        app = _app(database_url, media)
        with app.app_context():
            engine = app.extensions["sqlalchemy"].engine
            try:
                built = build(n, args.report_statements, everyone=args.report_everyone)
                department_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == HR_DEPARTMENT))
                department_units = unit_and_descendant_ids([department_id])
                _staff(built, department_id)
                started = time.perf_counter()
                if engine.dialect.name == "postgresql":
                    session.execute(text("ANALYZE"))
                    session.commit()
                analyse = time.perf_counter() - started
                size = _size(engine, database_url)
                person = _person(built, department_units)
                biggest = max(built.course_ids, key=lambda slug: _course_total(built, slug))
                course_id = built.course_ids[biggest]
                fy = current_fiscal_year()
                fy_start, fy_end = fiscal_year_bounds(fy)
                scopes = {
                    "admin": set(built.units),
                    "HR (1 dept)": {u for u, unit in built.units.items() if unit in department_units},
                }
            finally:
                session.remove()
        counts = ", ".join(f"{table.removeprefix('lms_')} {built.counts[table]:,}" for table in TABLES)
        analysed = f", ANALYZE {analyse:.1f} s" if engine.dialect.name == "postgresql" else ""
        note = f"{label} N={n:,}: built in {built.seconds:.1f} s{analysed}; {size}; {counts}"
        print(note, flush=True)
        pages = [
            ("overview", "/reports"),
            ("overview FY by unit", f"/reports?{urlencode({'fy': fy, 'breakdown': 'unit'})}"),
            ("overview FY by province", f"/reports?{urlencode({'fy': fy, 'breakdown': 'province'})}"),
            ("drill-down", f"/reports/drilldown?{urlencode({'course': biggest})}"),
            ("hours", "/reports/hours"),
            ("transcript", f"/reports/learners/{person[0]}"),
        ]
        figures = []
        try:
            for actor, email in (
                ("admin", "admin.bench@example.org"),
                ("HR (1 dept)", "hr.bench@example.org"),
            ):
                expected = _expected(built, scopes[actor], fy_start, fy_end)
                client = app.test_client()
                _sign_in(client, email)
                for name, path in pages:
                    figures.append(
                        _measure(
                            label, n, actor, name, path, client, engine, expected, course_id, person, args
                        )
                    )
        finally:
            with app.app_context():
                session.remove()
                engine.dispose()
    if hasattr(os, "getloadavg"):
        note += "; load average {:.2f} {:.2f} {:.2f} after measuring (1, 5, 15 min)".format(*os.getloadavg())
    return figures, note


def _measure(label, n, actor, name, path, client, engine, expected, course_id, person, args) -> Figure:
    with Capture(engine) as capture:
        response = client.get(path)
    _check(name, response, expected, course_id, person)
    replay(engine, capture.statements)
    page_times, sql_times = [], []
    for number in range(args.report_repeats):
        steps = [("page", path), ("sql", None)]
        for step, _ in steps if number % 2 == 0 else steps[::-1]:
            if step == "page":
                started = time.perf_counter()
                answer = client.get(path)
                answer.get_data()
                page_times.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise BenchError(f"{name}: status {answer.status_code}")
            else:
                sql_times.append(replay(engine, capture.statements))
    figure = Figure(
        label,
        n,
        actor,
        name,
        statistics.median(page_times) * 1000,
        statistics.median(sql_times) * 1000,
        len(capture.statements),
    )
    print(
        f"  {label:<10} {n:>7,} {actor:<12} {name:<24} {figure.page_ms:>8.1f} {figure.sql_ms:>8.1f} "
        f"{figure.ratio:>6.2f}",
        flush=True,
    )
    return figure


def _course_total(built: Built, slug: str) -> int:
    course_id = built.course_ids[slug]
    return sum(1 for _user, course in built.pairs if course == course_id)


def _size(engine, database_url: str) -> str:
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        return f"database {size / 2**20:,.0f} MB"
    path = Path(database_url.removeprefix("sqlite:///"))
    return f"file {path.stat().st_size / 2**20:,.0f} MB"


def run(args) -> int:
    figures: list[Figure] = []
    notes: list[str] = []
    postgres = None
    print(
        f"load:     {', '.join(f'{n:,}' for n in args.report_learners)} learners on "
        f"{', '.join(args.report_dbs)}; {args.report_statements} statements per enrolment; "
        f"medians of {args.report_repeats} requests and {args.report_repeats} SQL replays, alternated, "
        "after one of each; Flask test client, in-process"
    )
    print(f"  {'backend':<10} {'N':>7} {'actor':<12} {'page':<24} {'page ms':>8} {'SQL ms':>8} {'ratio':>6}")
    try:
        for backend in args.report_dbs:
            if backend == "postgresql":
                postgres = _postgres_version(args.postgres_url) if args.postgres_url else None
                if not postgres:
                    print("PostgreSQL: SKIPPED")
                    continue
            for n in args.report_learners:
                if backend == "sqlite":
                    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
                        found = bench_database(
                            "SQLite", f"sqlite:///{Path(tmp) / 'reports.sqlite3'}", n, args
                        )
                else:
                    with postgres_database(args.postgres_url) as url:
                        found = bench_database("PostgreSQL", url, n, args)
                figures += found[0]
                notes.append(found[1])
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1

    if postgres:
        print(f"PostgreSQL {postgres}")
    for note in notes:
        print(note)
    print()
    header = f"{'backend':<10} {'N':>7} {'actor':<12} {'page':<24} {'page ms':>8} {'SQL ms':>8} {'ratio':>6}"
    print(f"{header} {'stmts':>5}")
    for f in figures:
        print(
            f"{f.backend:<10} {f.learners:>7,} {f.actor:<12} {f.page:<24} {f.page_ms:>8.1f} {f.sql_ms:>8.1f} "
            f"{f.ratio:>6.2f} {f.statements:>5}"
        )
    print("(page ms: median time of the page through the Flask test client; SQL ms: median time of the")
    print(
        " same page's SQL statements replayed on a raw driver connection, rows fetched; ratio = page / SQL)"
    )
    print("every page answered 200 and showed the numbers worked out from the generated data")
    return 0
