"""Benchmark: ``GET /xapi/statements`` by ``activity=`` and by ``agent=`` over N stored statements.

On a temporary PostgreSQL database (``--postgres-url``):

1. migrate; the practitioner course of ``content/``; ``--query-statements`` (1,000,000)
   "experienced" statements of ``--query-learners`` (5,000) opaque learner accounts built as
   ``bench/xapi_record.py`` builds them, written by COPY into ``lms_statements`` with the LRS's
   rows beside them, built the way ``lms.xapi.lrs.statement_store`` builds them (``keys_of``
   with the LMS's authority: one ``lms_lrs_statement_meta`` row and about 8
   ``lms_lrs_statement_keys`` rows per statement); the secondary indexes are dropped for the
   load and created again afterwards, foreign-key triggers are off during it; then ANALYZE;
2. an ``all``-scoped credential; through the app (Flask test client, in-process): GET by a
   lesson's activity (about N/18 matches) and by one learner's agent (about N/5,000 matches),
   ``limit=100``, and the ``more`` page of each once; every answer checked (200, 100
   statements that match, the more page different); median of ``--query-repeats``;
3. the baseline: each request's SQL, captured while it ran, replayed alone on a raw driver
   connection (as ``bench/reports.py`` does), every row fetched.
"""

from __future__ import annotations

import base64
import json
import secrets
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from harness import BenchError, bench_app, build_course
from reports import Capture, replay
from xapi_record import Statements, _postgres_version, postgres_database

CHUNK = 50_000
LIMIT = 100
TABLES = ("lms_statements", "lms_lrs_statement_meta", "lms_lrs_statement_keys")
COLUMNS = ("seq", "id", "actor_name", "user_id", "verb_id", "object_id", "registration")
COLUMNS += ("timestamp", "stored_at", "is_voided", "raw")


@dataclass
class Figure:
    name: str
    page_ms: float
    sql_ms: float
    queries: int

    @property
    def ratio(self) -> float:
        return self.page_ms / self.sql_ms


def _secondary_indexes(conn) -> list[tuple[str, str]]:
    """The indexes of the three tables that back no constraint: dropped for the load."""
    cursor = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(TABLES),),
    )
    return cursor.fetchall()


def build(engine, maker: Statements, total: int, authority: dict) -> tuple[float, dict[str, int]]:
    """COPY ``total`` statements and their LRS rows; seconds taken and row counts."""
    authority_text = json.dumps(authority, ensure_ascii=False, separators=(",", ":"))
    started = time.perf_counter()
    raw = engine.raw_connection()
    conn = raw.driver_connection
    try:
        indexes = _secondary_indexes(conn)
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET session_replication_role = replica")
        counters = {"seq": 0, "key": 0}
        now = datetime.now(UTC)
        for offset in range(0, total, CHUNK):
            _copy_chunk(
                conn, maker.make(min(CHUNK, total - offset)), maker, counters, authority, authority_text, now
            )
            conn.commit()
        conn.execute("SET session_replication_role = origin")
        for _name, definition in indexes:
            conn.execute(definition)
        _reset_sequences(conn)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        conn.autocommit = False
    finally:
        raw.close()
    counts = dict(zip(TABLES, (counters["seq"], counters["seq"], counters["key"]), strict=True))
    return time.perf_counter() - started, counts


def _copy_chunk(
    conn, made: list[dict], maker: Statements, counters: dict, authority, authority_text, now
) -> None:
    """One chunk into the three tables, its rows as ``statement_store._write`` makes them."""
    from lms.xapi.lrs.statement_store import DEFAULT_VERSION, LMS_STORER, keys_of

    rows = maker.rows(made)
    for row in rows:
        counters["seq"] += 1
        row.update(seq=counters["seq"], stored_at=now, is_voided=False)
    with conn.cursor().copy(f"COPY lms_statements ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([r[name] for name in COLUMNS])
    meta = "COPY lms_lrs_statement_meta (seq, authority, version, stored_by, target_id) FROM STDIN"
    with conn.cursor().copy(meta) as copy:
        for row, statement in zip(rows, made, strict=True):
            version = statement.get("version") or DEFAULT_VERSION
            copy.write_row((row["seq"], authority_text, version, LMS_STORER, None))
    keys = "COPY lms_lrs_statement_keys (id, seq, kind, value, role, inherited) FROM STDIN"
    with conn.cursor().copy(keys) as copy:
        for row, statement in zip(rows, made, strict=True):
            for kind, value, role in dict.fromkeys(keys_of(statement, authority)):
                counters["key"] += 1
                copy.write_row((counters["key"], row["seq"], kind, value[:2048], role, False))


def _reset_sequences(conn) -> None:
    for table, column in (("lms_statements", "seq"), ("lms_lrs_statement_keys", "id")):
        top = conn.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
        conn.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", (table, column, top))


def _learners(count: int) -> list[tuple[str, None, str]]:
    return [(str(uuid.uuid4()), None, str(uuid.uuid4())) for _ in range(count)]


def _credential() -> str:
    from lms.extensions import session
    from lms.xapi.lrs.auth import digest
    from lms.xapi.lrs.models import LrsCredential

    key, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
    session.add(LrsCredential(name="bench", key=key, secret_sha256=digest(secret), scopes=["all"]))
    session.commit()
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def _get(client, path: str, headers: dict, matches, *, full: bool = True) -> tuple[list[dict], str]:
    """One page; the first must be full with a more link, the next hold at least one."""
    answer = client.get(path, headers=headers)
    if answer.status_code != 200:
        raise BenchError(f"GET {path[:80]} answered {answer.status_code}: {answer.get_data()[:300]!r}")
    document = answer.get_json()
    statements = document["statements"]
    wanted = len(statements) == LIMIT if full else 0 < len(statements) <= LIMIT
    if not wanted or not all(matches(s) for s in statements):
        raise BenchError(f"GET {path[:80]}: {len(statements)} statements, or some do not match")
    if full and not document.get("more"):
        raise BenchError(f"GET {path[:80]}: no more link")
    return statements, document["more"]


def measure(client, engine, name: str, path: str, headers: dict, matches, repeats: int) -> list[Figure]:
    """The first page and its more page: each timed through the app and as its SQL alone."""
    with Capture(engine) as first_sql:
        first, more = _get(client, path, headers, matches)
    with Capture(engine) as more_sql:
        second, _ = _get(client, more, headers, matches, full=False)
    if {s["id"] for s in first} & {s["id"] for s in second}:
        raise BenchError(f"{name}: the more page repeats statements of the first")
    figures = []
    for label, url, captured in (("first page", path, first_sql), ("more page", more, more_sql)):
        page_times, sql_times = [], []
        for number in range(repeats):
            steps = ("page", "sql") if number % 2 == 0 else ("sql", "page")
            for step in steps:
                if step == "page":
                    started = time.perf_counter()
                    client.get(url, headers=headers).get_data()
                    page_times.append(time.perf_counter() - started)
                else:
                    sql_times.append(replay(engine, captured.statements))
        figures.append(
            Figure(
                f"{name}, {label}",
                statistics.median(page_times) * 1000,
                statistics.median(sql_times) * 1000,
                len(captured.statements),
            )
        )
    return figures


def bench(database_url: str, args) -> tuple[list[Figure], str]:
    from sqlalchemy import text

    from lms.core import migrations
    from lms.courses import service
    from lms.extensions import session
    from lms.xapi.lrs.auth import lms_authority

    app = bench_app(database_url)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        try:
            migrations.upgrade()
            course = build_course()
            maker = Statements(course, _learners(args.query_learners))
            lesson = service.lesson_activity(course, service.lessons_in_order(course)[0])
            seconds, counts = build(engine, maker, args.query_statements, lms_authority())
            size = session.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
            authorization = _credential()
            actor = maker.make(1)[0]["actor"]
        finally:
            session.remove()
    note = f"built in {seconds:.0f} s (COPY, indexes after, VACUUM ANALYZE); database {size}; " + ", ".join(
        f"{t} {n:,}" for t, n in counts.items()
    )
    print(note, flush=True)
    headers = {"X-Experience-API-Version": "1.0.3", "Authorization": authorization}
    client = app.test_client()
    agent = json.dumps({"objectType": "Agent", "account": actor["account"]}, separators=(",", ":"))
    queries = (
        ("by activity", {"activity": lesson["id"]}, lambda s: s["object"]["id"] == lesson["id"]),
        ("by agent", {"agent": agent}, lambda s: s["actor"]["account"] == actor["account"]),
    )
    figures = []
    try:
        for name, params, matches in queries:
            path = f"/xapi/statements?{urlencode({**params, 'limit': LIMIT})}"
            figures += measure(client, engine, name, path, headers, matches, args.query_repeats)
    finally:
        with app.app_context():
            session.remove()
            engine.dispose()
    return figures, note


def run(args) -> int:
    postgres = _postgres_version(args.postgres_url) if args.postgres_url else None
    if not postgres:
        print("lrs_query: SKIPPED (PostgreSQL only; --postgres-url empty or unreachable)")
        return 0
    try:
        with postgres_database(args.postgres_url) as url:
            figures, _note = bench(url, args)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    print(f"PostgreSQL {postgres}")
    print(
        f"{args.query_statements:,} statements of {args.query_learners:,} learners over 18 lessons; "
        f"limit={LIMIT}; median of {args.query_repeats}; Flask test client in-process"
    )
    print(f"{'GET /xapi/statements':<28} {'app ms':>8} {'SQL ms':>8} {'ratio':>6} {'queries':>7}")
    for f in figures:
        print(f"{f.name:<28} {f.page_ms:>8.1f} {f.sql_ms:>8.1f} {f.ratio:>6.2f} {f.queries:>7}")
    print("every answer was 200 with matching statements (100 on the first page); the more page held others")
    return 0
