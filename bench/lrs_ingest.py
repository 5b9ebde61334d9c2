"""Benchmark: the LRS endpoint ``POST /xapi/statements`` under load, against Ralph and a raw insert.

On a temporary SQLite file and a temporary PostgreSQL database (``--postgres-url``):

1. migrate; the practitioner course of ``content/``; ``--learners`` learners enrolled; an
   ``all``-scoped LRS credential (its secret stored as ``lms.xapi.lrs.auth.digest``);
2. "experienced" statements built the way ``bench/xapi_record.py`` builds them (a learner's
   opaque account actor, a lesson activity, a duration, parent module and grouping course);
3. gunicorn ``lms:create_app()`` (``--workers``, sync) serves the LMS; one keep-alive client
   POSTs batches of ``--lrs-batch`` statements, then ``--lrs-clients`` clients at once; every
   answer must be 200 with one id per statement, and every statement is counted afterwards;
4. the same load against Ralph 5.1 (filesystem backend, APPEND: the launcher of
   ``tests/relay/test_ralph.py``) on 127.0.0.1: the ratio ours / Ralph;
5. the raw insert of the same rows into ``lms_statements`` (prepared, a commit per batch, as
   ``bench/xapi_record.py`` does), in-process: the ratio ours / raw, the physical limit;
6. on PostgreSQL, the heartbeat load: ``--heartbeat-clients`` keep-alive clients sending one
   statement each at a steady ``--heartbeat-rate`` statements/s in all for
   ``--heartbeat-seconds``; p50/p95/p99 latency (from the moment each was due, so a late send
   counts), against a bare Flask app answering the same POST under the same server settings,
   which shows the client is not the bottleneck;
7. a cProfile of the ingest path in-process (Flask test client, batches of 100), top items.

The aims of issue 14: at least 3,000 statements/s, at least 0.5 of the raw insert, and the
heartbeat's p95 under 300 ms; each is printed as met or not.
"""

from __future__ import annotations

import base64
import cProfile
import http.client
import io
import itertools
import json
import pstats
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from harness import HOST, REPO, REQUEST_TIMEOUT, BenchError, Result, Server, bench_app, build_course, lms_env
from xapi_record import Statements, _postgres_version, postgres_database

AIM_RATE = 3000
AIM_RAW_SHARE = 0.5
AIM_P95_MS = 300
VERSION = {"X-Experience-API-Version": "1.0.3"}
PROFILE_BATCHES = 10


@dataclass
class Prepared:
    authorization: str
    maker: Statements
    enrolments: int


@dataclass
class Load:
    result: Result
    refused: list[str]


@dataclass
class Figures:
    backend: str
    one: Result
    many: Result
    ralph_one: Result
    ralph_many: Result
    raw: Result
    stored: int
    mixed: Load


def bare_post_app():
    """The heartbeat's baseline: a Flask app that answers a POST of statements with their ids."""
    from flask import Flask, request

    app = Flask("bare_post")

    @app.post("/xapi/statements")
    def statements():
        found = request.get_json()
        found = found if isinstance(found, list) else [found]
        return json.dumps([s["id"] for s in found]), 200, {"Content-Type": "application/json"}

    return app


def prepare(database_url: str, learners: int) -> Prepared:
    """Migrate, the course, enrolled learners and an ``all`` credential; committed."""
    from lms.accounts.models import Role
    from lms.accounts.service import create_user
    from lms.core import migrations
    from lms.courses.service import enrol
    from lms.extensions import session
    from lms.xapi.lrs.auth import digest
    from lms.xapi.lrs.models import LrsCredential

    app = bench_app(database_url)
    with app.app_context():
        try:
            migrations.upgrade()
            course = build_course()
            users = [
                create_user(
                    email=f"bench-lrs-{i}@example.org",
                    first_name_th="ผู้เรียน",
                    last_name_th=f"คนที่ {i}",
                    roles={Role.LEARNER.value},
                )
                for i in range(learners)
            ]
            session.commit()
            enrolled = [(user.uuid, user.id, enrol(user, course).registration) for user in users]
            key, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
            session.add(LrsCredential(name="bench", key=key, secret_sha256=digest(secret), scopes=["all"]))
            session.commit()
            maker = Statements(course, enrolled)
            authorization = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
            return Prepared(authorization, maker, len(enrolled))
        finally:
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def make_bodies(app, maker: Statements, statements: int, batch: int, clients: int = 1, *, split: bool = True):
    """Per client, its POST bodies (JSON, count). With ``split``, each client sends the
    statements of its own learners (as separate tools would); without, all learners are mixed."""
    with app.app_context():
        made = maker.make(statements)
    owner = {registration: i for i, (_u, _id, registration) in enumerate(maker.learners)}
    shares: list[list[dict]] = [[] for _ in range(clients)]
    for number, statement in enumerate(made):
        who = owner[statement["context"]["registration"]] if split else number
        shares[who % clients].append(statement)
    return [
        [
            (json.dumps(share[i : i + batch], ensure_ascii=False).encode(), len(share[i : i + batch]))
            for i in range(0, len(share), batch)
        ]
        for share in shares
    ]


def post_load(
    name: str, port: int, path: str, headers: dict[str, str], queues, *, tolerate: bool = False
) -> Load:
    """Each client (one per queue, its own keep-alive connection) POSTs its bodies in turn; each
    answer must be 200 with one id per statement sent, or, with ``tolerate``, refusals are
    counted. Result.requests counts the statements stored."""
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    refused: list[str] = []
    sent = itertools.count()
    headers = {**headers, "Content-Type": "application/json"}

    def worker(queue) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT * 6)
        mine = []
        try:
            for body, count in queue:
                if failures:
                    break
                started = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    break
                mine.append(time.perf_counter() - started)
                if response.status != 200 or len(json.loads(answer)) != count:
                    (refused if tolerate else failures).append(f"status {response.status}: {answer[:300]!r}")
                    conn.close()
                    continue
                for _ in range(count):
                    next(sent)
                if response.will_close:
                    conn.close()
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(queue,)) for queue in queues]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchError(f"{name}: {failures[0]} ({len(failures)} failure(s))")
    return Load(Result(name, next(sent), seconds, latencies), refused)


def heartbeat(name: str, port: int, headers: dict[str, str], bodies: list[bytes], args) -> Result:
    """``args.heartbeat_clients`` keep-alive clients, one statement per POST, due at a steady
    total rate; the latency of each is from when it was due to its answer."""
    clients, rate = args.heartbeat_clients, args.heartbeat_rate
    total = min(len(bodies), round(rate * args.heartbeat_seconds))
    headers = {**headers, "Content-Type": "application/json"}
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def worker(number: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT * 3)
        mine = []
        try:
            for index in range(number, total, clients):
                due = start + index / rate
                time.sleep(max(0.0, due - time.perf_counter()))
                try:
                    conn.request("POST", "/xapi/statements", body=bodies[index], headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    return
                mine.append(time.perf_counter() - due)
                if response.status != 200:
                    failures.append(f"status {response.status}")
                    return
                if response.will_close:
                    conn.close()
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise BenchError(f"{name}: {failures[0]} ({len(failures)} failure(s))")
    return Result(name, len(latencies), seconds, latencies)


def raw_insert(app, maker: Statements, statements: int, batch: int) -> Result:
    """The same rows into ``lms_statements``, prepared beforehand, a commit per batch."""
    from sqlalchemy import insert

    from lms.extensions import session
    from lms.xapi.models import StoredStatement

    with app.app_context():
        rows = maker.rows(maker.make(statements))
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            session.execute(insert(StoredStatement), rows[i : i + batch])
            session.commit()
        seconds = time.perf_counter() - started
        session.remove()
    return Result("raw insert", len(rows), seconds, [])


def count_stored(app) -> int:
    from sqlalchemy import func, select

    from lms.extensions import session
    from lms.xapi.models import StoredStatement

    with app.app_context():
        found = session.scalar(select(func.count()).select_from(StoredStatement))
        session.remove()
    return found


def profile(app, maker: Statements, authorization: str, batch: int) -> str:
    """cProfile of ``PROFILE_BATCHES`` POSTs through the Flask test client: the top items."""
    bodies = make_bodies(app, maker, batch * (PROFILE_BATCHES + 1), batch)[0]
    headers = {**VERSION, "Authorization": authorization, "Content-Type": "application/json"}
    client = app.test_client()
    client.post("/xapi/statements", data=bodies[0][0], headers=headers)  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    for body, _count in bodies[1:]:
        answer = client.post("/xapi/statements", data=body, headers=headers)
        if answer.status_code != 200:
            raise BenchError(f"profile: POST answered {answer.status_code}: {answer.get_data()[:300]!r}")
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"lms/|ralph/|pydantic|sqlalchemy/orm/session", 25)
    stats.sort_stats("tottime").print_stats(12)
    return out.getvalue()


def with_ralph(tmp: Path, action):
    """Run ``action(port, headers)`` against a Ralph started the way tests/relay/test_ralph.py does."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.relay.test_ralph import PASSWORD, USER, Ralph

    folder = tmp / "ralph"
    folder.mkdir(parents=True)
    ralph = Ralph(folder)
    try:
        ralph.start()
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return action(ralph.port, {**VERSION, "Authorization": f"Basic {token}"})
    finally:
        ralph.stop()


def bench_backend(label: str, database_url: str, tmp: Path, args, with_heartbeat: bool):
    prepared = prepare(database_url, args.learners)
    app = bench_app(database_url)
    n, batch, clients = args.lrs_statements, args.lrs_batch, args.lrs_clients
    maker = prepared.maker
    warm_bodies = make_bodies(app, maker, 5 * batch, batch)
    one_bodies = make_bodies(app, maker, n, batch)
    many_bodies = make_bodies(app, maker, n, batch, clients)
    mixed_bodies = make_bodies(app, maker, n, batch, clients, split=False)
    env = {**lms_env(tmp), "LMS_DATABASE_URL": database_url}
    headers = {**VERSION, "Authorization": prepared.authorization}
    server = Server(f"lms-{label}", "lms:create_app()", env, tmp, args.workers)
    path = "/xapi/statements"
    beat = bare = None
    try:
        server.wait_ready("/xapi/about")
        warm = post_load("warm-up", server.port, path, headers, warm_bodies)
        one = post_load(f"{label} 1 client", server.port, path, headers, one_bodies)
        many = post_load(f"{label} {clients} clients", server.port, path, headers, many_bodies)
        mixed = post_load(f"{label} {clients} mixed", server.port, path, headers, mixed_bodies, tolerate=True)
        if with_heartbeat:
            beat, bare = heartbeats(app, maker, server, headers, tmp, args)
    except BenchError:
        server.stop()
        print(f"--- {server.name} log ---\n{server.log()}", file=sys.stderr)
        raise
    finally:
        server.stop()
    loads = (warm, one, many, mixed)
    beats = len(beat.latencies) if beat else 0
    stored = count_stored(app)
    expected = prepared.enrolments + sum(load.result.requests for load in loads) + beats
    if stored != expected:
        raise BenchError(f"{label}: {stored} statements stored, {expected} expected")
    ralph = with_ralph(tmp / label, lambda port, h: ralph_loads(app, maker, port, h, args))
    raw = raw_insert(app, maker, n, batch)
    figures = Figures(label, one.result, many.result, ralph[0], ralph[1], raw, stored, mixed)
    profiled = profile(app, maker, prepared.authorization, batch) if with_heartbeat else ""
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    return figures, beat, bare, profiled


def ralph_loads(app, maker: Statements, port: int, headers, args) -> tuple[Result, Result]:
    n, batch, clients = args.lrs_statements, args.lrs_batch, args.lrs_clients
    path = "/xAPI/statements"
    post_load("ralph warm-up", port, path, headers, make_bodies(app, maker, 5 * batch, batch))
    one = post_load("ralph 1 client", port, path, headers, make_bodies(app, maker, n, batch))
    many = post_load(
        f"ralph {clients} clients", port, path, headers, make_bodies(app, maker, n, batch, clients)
    )
    return one.result, many.result


def heartbeats(app, maker, server: Server, headers, tmp: Path, args) -> tuple[Result, Result]:
    total = round(args.heartbeat_rate * args.heartbeat_seconds)
    with app.app_context():
        singles = [json.dumps(s, ensure_ascii=False).encode() for s in maker.make(total)]
    beat = heartbeat("heartbeat LMS", server.port, headers, singles, args)
    bare = Server(
        "bare-post",
        "lrs_ingest:bare_post_app()",
        lms_env(tmp),
        tmp,
        args.workers,
        ["--pythonpath", str(REPO / "bench")],
    )
    try:
        bare.wait_ready("/")
        base = heartbeat("heartbeat bare", bare.port, headers, singles, args)
    finally:
        bare.stop()
    return beat, base


def _met(flag: bool) -> str:
    return "MET" if flag else "NOT MET"


def print_figures(figures: list[Figures], args) -> None:
    print(
        f"load:     POST /xapi/statements, batches of {args.lrs_batch}, {args.lrs_statements:,} statements "
        f"per measurement, gunicorn --workers {args.workers} (sync), {args.learners} enrolled learners"
    )
    print()
    print(
        f"{'backend':<11} {'clients':>7} {'LMS st/s':>9} {'Ralph st/s':>10} {'raw st/s':>9} "
        f"{'LMS/Ralph':>9} {'LMS/raw':>8} {'p50 ms/batch':>12} {'p95':>6}"
    )
    for f in figures:
        for clients, ours, ralph in ((1, f.one, f.ralph_one), (args.lrs_clients, f.many, f.ralph_many)):
            print(
                f"{f.backend:<11} {clients:>7} {ours.rate:>9.0f} {ralph.rate:>10.0f} {f.raw.rate:>9.0f} "
                f"{ours.rate / ralph.rate:>9.2f} {ours.rate / f.raw.rate:>8.3f} "
                f"{ours.percentile(50):>12.0f} {ours.percentile(95):>6.0f}"
            )
    print(f"({args.lrs_clients} clients: each sends its own learners' statements, as separate tools would)")
    for f in figures:
        posts = len(f.mixed.result.latencies)
        first = f.mixed.refused[0][:160] if f.mixed.refused else ""
        print(
            f"{f.backend}: {args.lrs_clients} clients with the learners mixed across them: "
            f"{len(f.mixed.refused)} of {posts} POSTs refused, {f.mixed.result.rate:.0f} statements/s stored "
            f"{first}"
        )
    best = max(max(f.one.rate, f.many.rate) for f in figures)
    share = max(max(f.one.rate, f.many.rate) / f.raw.rate for f in figures)
    print()
    print(f"aim >= {AIM_RATE:,} statements/s: {_met(best >= AIM_RATE)} (best {best:,.0f}/s)")
    print(f"aim >= {AIM_RAW_SHARE} of the raw insert: {_met(share >= AIM_RAW_SHARE)} (best {share:.3f})")


def print_heartbeat(beat: Result, bare: Result, args) -> None:
    print()
    print(
        f"heartbeat (PostgreSQL): {args.heartbeat_clients} keep-alive clients, one statement per POST, "
        f"{args.heartbeat_rate}/s in all for {args.heartbeat_seconds:.0f} s; latency from when each was due"
    )
    print(
        f"{'target':<16} {'sent':>6} {'achieved/s':>10} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for r in (beat, bare):
        print(
            f"{r.name:<16} {r.requests:>6} {r.rate:>10.0f} {r.percentile(50):>7.1f} {r.percentile(95):>7.1f} "
            f"{r.percentile(99):>7.1f} {max(r.latencies) * 1000:>7.1f}"
        )
    print(f"aim p95 < {AIM_P95_MS} ms: {_met(beat.percentile(95) < AIM_P95_MS)}")


def run(args) -> int:
    figures: list[Figures] = []
    beat = bare = None
    profiled = ""
    try:
        with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
            found = bench_backend("SQLite", f"sqlite:///{Path(tmp) / 'lrs.sqlite3'}", Path(tmp), args, False)
            figures.append(found[0])
            postgres = _postgres_version(args.postgres_url) if args.postgres_url else None
            if postgres:
                with postgres_database(args.postgres_url) as url:
                    found = bench_backend("PostgreSQL", url, Path(tmp), args, True)
                    figures.append(found[0])
                    _, beat, bare, profiled = found
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    if postgres:
        print(f"          PostgreSQL {postgres}")
    print_figures(figures, args)
    if beat:
        print_heartbeat(beat, bare, args)
    print("every answer was 200 with one id per statement; every statement counted in lms_statements")
    if profiled:
        print(f"\ncProfile of {PROFILE_BATCHES} POSTs of {args.lrs_batch} in-process (PostgreSQL):")
        print(profiled)
    return 0
