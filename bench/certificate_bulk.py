"""Benchmark 6: bulk issue (``certificates.bulk``) in certificates/s with 1 and with 2 RQ worker
processes, next to bare WeasyPrint renders/s of the same HTML in one process.

On a temporary PostgreSQL database (SQLite serialises writers, so it cannot show workers
sharing the work), created on ``--postgres-url`` and dropped afterwards, with Redis at
``--redis-url`` (a queue of its own, deleted afterwards) and a temporary certificate store:

1. migrate; the practitioner course of ``content/``; two org units, each with ``--count``
   learners whose enrolments are written as completed straight into ``lms_enrolments`` (the
   projection, as ``harness.build_course`` writes content: the benchmark measures issuing, not
   learning), with no certificate yet;
2. for each unit in turn, 1 worker then 2: ``lms.certificates.bulk.start`` plans the job and
   enqueues its chunks (``--chunk-size`` certificates each), then that many
   ``flask lms jobs worker --burst`` processes are started and run until the queue is empty.
   Each certificate is issued (row, serial, the 'earned' xAPI statement), rendered (PDF/A-3b
   with ``certificate.json``), stored by its hash and committed on its own, as in production.
   The time is the job's own, from ``started_at`` (the first chunk begins: process start-up is
   left out) to ``finished_at`` (the last chunk is counted);
3. checks before any figure is printed: the job is done with every certificate and no
   failure; each enrolment holds exactly one certificate, rendered, and its file is in the
   store; one PDF per unit carries ``certificate.json`` equal to the certificate's data;
4. the baseline, in this process: bare ``weasyprint.HTML(string=...).write_pdf()`` of the HTML
   of one of those certificates, stylesheets inlined (as ``certificate.py``'s "bare"), timed over
   ``--bulk-baseline`` renders after a warm-up of 3.

Only 127.0.0.1 is contacted. Worker processes are stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from harness import COURSE_SLUG, REPO, BenchError, build_course
from xapi_record import _postgres_version, postgres_database

UNITS = ("BENCH-ONE", "BENCH-TWO")
WORKERS = (1, 2)
WORKER_TIMEOUT = 1800


@dataclass
class Run:
    workers: int
    certificates: int
    seconds: float
    load: tuple[float, float]  # 1-minute load average before and after
    cpu_seconds: float  # user + system time of the worker processes, start-up included

    @property
    def rate(self) -> float:
        return self.certificates / self.seconds


def _app(database_url: str, store: Path, args, queue: str):
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "LMS_REDIS_URL": args.redis_url,
            "LMS_JOBS_QUEUE": queue,
            "LMS_JOBS_CHUNK_SIZE": args.chunk_size,
            "LMS_CERTIFICATE_DIR": str(store),
            "LMS_XAPI_FORWARD_TO": (),
        }
    )


def _completed_learners(course, count: int) -> None:
    """Two org units of ``count`` learners each, every one with a completed enrolment."""
    from sqlalchemy import insert

    from lms.accounts.models import OrgUnit, User
    from lms.extensions import session
    from lms.progress.models import Enrolment

    now = datetime.now(UTC)
    for code in UNITS:
        unit = OrgUnit(code=code, name_th=f"หน่วยทดสอบ {code}", name_en=code, kind="division")
        session.add(unit)
        session.flush()
        users = [
            {
                "uuid": str(uuid.uuid4()),
                "email": f"{code.lower()}-{n}@example.org",
                "title_th": "นางสาว",
                "first_name_th": "ปิ่นมณี",
                "last_name_th": f"รุ่งเรืองศรี {n}",
                "org_unit_id": unit.id,
            }
            for n in range(count)
        ]
        ids = session.scalars(insert(User).returning(User.id), users).all()
        session.execute(
            insert(Enrolment),
            [
                {
                    "registration": str(uuid.uuid4()),
                    "user_id": user_id,
                    "course_id": course.id,
                    "enrolled_version": 1,
                    "source": "self",
                    "enrolled_at": now - timedelta(days=30),
                    "completed_at": now - timedelta(days=1),
                }
                for user_id in ids
            ],
        )
    session.commit()


def _worker_env(database_url: str, store: Path, args, queue: str) -> dict[str, str]:
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": secrets.token_hex(32),
        "LMS_REDIS_URL": args.redis_url,
        "LMS_JOBS_QUEUE": queue,
        "LMS_JOBS_CHUNK_SIZE": str(args.chunk_size),
        "LMS_CERTIFICATE_DIR": str(store),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("LMS_XAPI_FORWARD_TO", None)
    return env


def _run_workers(count: int, env: dict[str, str], logs: Path) -> float:
    """Run ``count`` burst workers to the end; the CPU seconds they used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "flask", "--app", "lms", "lms", "jobs", "worker", "--burst"]
    procs = []
    try:
        for number in range(count):
            with open(logs / f"worker-{count}-{number}.log", "wb") as log:
                procs.append(
                    subprocess.Popen(
                        command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
                    )
                )
        for proc in procs:
            proc.wait(timeout=WORKER_TIMEOUT)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=15)
    failed = [p for p in procs if p.returncode != 0]
    if failed:
        log_text = "\n".join(
            path.read_text(errors="replace") for path in sorted(logs.glob(f"worker-{count}-*"))
        )
        raise BenchError(f"{len(failed)} worker(s) exited with an error:\n{log_text}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _check(unit_code: str, job, count: int, store: Path) -> None:
    from pypdf import PdfReader
    from sqlalchemy import func, select

    from lms.accounts.models import OrgUnit, User
    from lms.certificates.models import Certificate
    from lms.certificates.render import ATTACHMENT_NAME
    from lms.extensions import session

    if (job.status, job.done, job.failed, job.total) != ("done", count, 0, count):
        raise BenchError(
            f"{unit_code}: job {job.status}, {job.done} done, {job.failed} failed of {job.total}"
        )
    in_unit = select(User.id).join(OrgUnit, OrgUnit.id == User.org_unit_id).where(OrgUnit.code == unit_code)
    rows = session.execute(
        select(Certificate.registration, func.count(), func.min(Certificate.pdf_sha256))
        .where(Certificate.user_id.in_(in_unit))
        .group_by(Certificate.registration)
    ).all()
    if len(rows) != count or any(n != 1 or not digest for _, n, digest in rows):
        raise BenchError(f"{unit_code}: {len(rows)} enrolments with certificates; some twice or unrendered")
    missing = [digest for _, _, digest in rows if not (store / f"{digest}.pdf").exists()]
    if missing:
        raise BenchError(f"{unit_code}: {len(missing)} rendered certificate(s) missing from the store")
    sample = session.scalar(select(Certificate).where(Certificate.user_id.in_(in_unit)).limit(1))
    (attached,) = PdfReader(store / f"{sample.pdf_sha256}.pdf").attachments[ATTACHMENT_NAME]
    if json.loads(attached) != sample.data:
        raise BenchError(f"{unit_code}: certificate.json of {sample.serial} is not the certificate's data")


def _bulk_run(unit_code: str, workers: int, env: dict[str, str], logs: Path, args, store: Path) -> Run:
    from lms.accounts.service import find_by_email
    from lms.certificates import bulk
    from lms.extensions import session
    from lms.jobs.models import Job

    admin = find_by_email("bench-admin@example.org")
    load_before = os.getloadavg()[0]
    job = bulk.start(bulk.resolve(COURSE_SLUG, unit_code, admin), admin)
    if job.total != args.count:
        raise BenchError(f"{unit_code}: the plan has {job.total} certificates, {args.count} expected")
    cpu_seconds = _run_workers(workers, env, logs)
    session.expire_all()
    job = session.get(Job, job.id)
    _check(unit_code, job, args.count, store)
    seconds = (job.finished_at - job.started_at).total_seconds()
    return Run(workers, job.total, seconds, (load_before, os.getloadavg()[0]), cpu_seconds)


def _baseline(renderer, template: str, data: dict, renders: int) -> float:
    """Bare WeasyPrint renders/s of the certificate's HTML, stylesheets inlined (certificate.py)."""
    import weasyprint
    from certificate import standalone_html
    from pypdf import PdfReader

    html, base_url = standalone_html(renderer, template, data)
    pdf = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    if len(PdfReader(BytesIO(pdf)).pages) != 1:
        raise BenchError("the bare render is not one page")
    for _ in range(2):
        weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    started = time.perf_counter()
    for _ in range(renders):
        weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    return renders / (time.perf_counter() - started)


def _bench(database_url: str, args) -> tuple[list[Run], float, str]:
    from importlib.metadata import version

    from sqlalchemy import select

    from lms.accounts.models import Role
    from lms.accounts.service import create_user
    from lms.certificates import store as certificate_store
    from lms.certificates.models import Certificate
    from lms.core import migrations
    from lms.extensions import session
    from lms.jobs import service as jobs

    queue = f"lms-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="lms-bench-bulk-") as tmp:
        store, logs = Path(tmp) / "store", Path(tmp)
        app = _app(database_url, store, args, queue)
        with app.app_context():
            try:
                migrations.upgrade()
                course = build_course()
                _completed_learners(course, args.count)
                create_user(
                    email="bench-admin@example.org",
                    first_name_th="ผู้ดูแล",
                    last_name_th="ระบบ",
                    roles={Role.LEARNER.value, Role.ADMIN.value},
                )
                session.commit()
                env = _worker_env(database_url, store, args, queue)
                runs = [
                    _bulk_run(unit, workers, env, logs, args, store)
                    for unit, workers in zip(UNITS, WORKERS, strict=True)
                ]
                sample = session.scalar(select(Certificate).limit(1))
                rate = _baseline(
                    certificate_store.renderer(), sample.template, sample.data, args.bulk_baseline
                )
                software = (
                    f"WeasyPrint {version('weasyprint')}, rq {version('rq')}, redis-py {version('redis')}; "
                    f"template {sample.template}"
                )
                return runs, rate, software
            finally:
                try:
                    jobs.rq_queue().delete(delete_jobs=True)
                finally:
                    session.remove()
                    app.extensions["sqlalchemy"].engine.dispose()


def run(args) -> int:
    if not args.postgres_url:
        print("bulk: SKIPPED (--postgres-url is empty; SQLite serialises writers)")
        return 0
    postgres = _postgres_version(args.postgres_url)
    if not postgres:
        return 0
    try:
        with postgres_database(args.postgres_url) as url:
            runs, baseline, software = _bench(url, args)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1

    print(
        f"load:     {args.count:,} completed enrolments per run, chunks of {args.chunk_size}, "
        f"`flask lms jobs worker --burst` processes; PostgreSQL {postgres}"
    )
    print(f"software: {software}; Redis at {args.redis_url}")
    print()
    one = runs[0]
    print(
        f"{'workers':>7} {'certificates':>12} {'seconds':>8} {'certs/s':>8} {'ms each':>8} "
        f"{'speed-up':>8} {'vs bare 1 process':>17} {'CPU ms each':>11} {'load before/after':>17}"
    )
    for item in runs:
        print(
            f"{item.workers:>7} {item.certificates:>12} {item.seconds:>8.1f} {item.rate:>8.2f} "
            f"{1000 / item.rate:>8.1f} {item.rate / one.rate:>8.2f} {item.rate / baseline:>17.3f} "
            f"{1000 * item.cpu_seconds / item.certificates:>11.1f} {item.load[0]:>8.2f} {item.load[1]:>8.2f}"
        )
    print(f"{'bare':>7} {args.bulk_baseline:>12} {'':>8} {baseline:>8.2f} {1000 / baseline:>8.1f}")
    print(
        "(CPU ms each: user + system time of the worker processes per certificate, their start-up\n"
        " included, PostgreSQL's own not: a figure the machine's other load does not change much)"
    )
    print(
        "(seconds: the job's started_at to finished_at; each certificate issued, rendered, stored\n"
        " and committed on its own. bare = weasyprint.HTML(string=...).write_pdf() of the same HTML,\n"
        " stylesheets inlined, in this process: no issue, no PDF/A, no attachment, no database)"
    )
    print("every certificate was checked: one per enrolment, rendered, its file stored; one PDF per run read")
    return 0
