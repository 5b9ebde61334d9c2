"""The LMS's benchmarks, each measured against a baseline in the same run.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``); ``--only`` picks some. They print
figures; they are not pass/fail tests, but each stops with an error if any response or row is
not what it should be, since its figures would then be meaningless. Nothing is written anywhere
except temporary directories and temporary PostgreSQL databases, removed at the end.

- home (``home_page.py``): the signed-in home page ``/`` on gunicorn ``--workers 2``, in req/s,
  against a bare Flask "hello" (``bare_app.py``) served the same way;
- lesson (``lesson_page.py``): the lesson page, a 3,000-character Thai lesson, for an enrolled
  learner, the same way and against the same baseline;
- xapi (``xapi_record.py``): ``lms.xapi.service.record`` in statements/s on SQLite and on
  PostgreSQL, against a raw insert of the same rows into ``lms_statements``, with a commit per
  statement and with a commit per 100;
- quiz (``quiz.py``): grading through the question-type registry (``parse`` + ``grade``) in
  grades/s, in-process, against a plain equality check of the same answers; and quiz
  submission (POST ``.../attempts/<id>/submit``, every answer right) on gunicorn in
  submissions/s, against the same bare Flask "hello";
- certificate (``certificate.py``): one certificate PDF through ``CertificateRenderer.render``
  in ms, in-process, against a bare ``weasyprint.HTML(string=...).write_pdf()`` of the same
  HTML with its stylesheets inlined;
- certificate_bulk (``certificate_bulk.py``): the bulk-issue job on PostgreSQL in
  certificates/s with 1 and with 2 ``flask lms jobs worker --burst`` processes (RQ on Redis),
  against bare WeasyPrint renders/s of the same HTML in one process;
- reports (``reports.py``): the HR report pages (completion overview, drill-down, training hours,
  transcript) in ms at N learners on SQLite and PostgreSQL, for an administrator and an HR officer,
  against the same pages' SQL replayed alone on a raw driver connection;
- insights (``insights.py``): the trainer insights pages (course dashboard, lesson drop-off, quiz
  item analysis) in ms for the owning trainer, N learners in one course on PostgreSQL, against
  the same pages' SQL replayed alone;
- lrs_ingest (``lrs_ingest.py``): ``POST /xapi/statements`` on gunicorn in statements/s (1 and 4
  clients, batches of 100) on SQLite and PostgreSQL, against Ralph 5.1 and a raw insert; the
  heartbeat load (200 clients, 170 statements/s) p95 against a bare Flask POST;
- lrs_query (``lrs_query.py``): ``GET /xapi/statements`` by activity and by agent over N stored
  statements on PostgreSQL, in ms, against the same SQL replayed alone;
- void (``void.py``): ``lms.xapi.voiding.void_statement`` of a lesson completion on PostgreSQL
  with a ledger of N learners (100,000: about 1.5 million statements, written in bulk), in ms,
  against one ``xapi.record`` of an 'experienced' statement on the same ledger;
- validation (``validation.py``): ``lms.xapi.validation.validate`` in statements/s, in-process,
  against ralph's pydantic ``BaseXapiStatement`` on the same set (``--statements``).

Only 127.0.0.1 is ever contacted. Servers are stopped and databases dropped whatever happens.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from importlib.metadata import version

import certificate
import certificate_bulk
import home_page
import insights
import lesson_page
import lrs_ingest
import lrs_query
import quiz
import reports
import slow_link
import startup
import validation
import void
import xapi_record
from harness import cpu_model

BENCHMARKS = {
    "home": ("signed-in home page vs bare Flask hello (gunicorn)", home_page.run),
    "lesson": ("lesson page vs bare Flask hello (gunicorn)", lesson_page.run),
    "xapi": ("xapi.record vs raw insert into lms_statements", xapi_record.run),
    "quiz": ("quiz grading vs equality check; quiz submit vs bare Flask hello (gunicorn)", quiz.run),
    "certificate": (
        "CertificateRenderer.render vs bare WeasyPrint write_pdf of the same HTML",
        certificate.run,
    ),
    "certificate_bulk": (
        "bulk issue job, 1 vs 2 RQ worker processes (PostgreSQL) vs bare WeasyPrint in one process",
        certificate_bulk.run,
    ),
    "reports": ("HR report pages at N learners vs their SQL alone (SQLite, PostgreSQL)", reports.run),
    "insights": ("trainer insights pages at N learners vs their SQL alone (PostgreSQL)", insights.run),
    "void": ("void_statement on an N-learner ledger vs one xapi.record (PostgreSQL)", void.run),
    "lrs_ingest": (
        "POST /xapi/statements (gunicorn) vs Ralph 5.1 vs raw insert; the heartbeat load (PostgreSQL)",
        lrs_ingest.run,
    ),
    "lrs_query": (
        "GET /xapi/statements by activity and agent over N statements vs its SQL alone",
        lrs_query.run,
    ),
    "startup": ("flask lms command and create_app start-up vs a bare Flask CLI", startup.run),
    "slow_link": ("cold lesson and report page loads over a slow link vs a bare Flask page", slow_link.run),
    "validation": ("statement validation, ours vs ralph's pydantic model, in statements/s", validation.run),
}
DATABASES = ("sqlite", "postgresql")
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/13"


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = set(names) - set(BENCHMARKS)
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BENCHMARKS)}")
    return names


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of whole numbers") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("batch sizes must be at least 1")
    return sizes


def _databases(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or set(names) - set(DATABASES):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(DATABASES)}")
    return names


def _templates(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("at least one template name")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        type=_names,
        default=list(BENCHMARKS),
        help=f"comma-separated: {','.join(BENCHMARKS)} (all)",
    )
    web = parser.add_argument_group("home and lesson pages (and the quiz's bare baseline)")
    web.add_argument("--requests", type=int, default=2000, help="measured requests per app")
    web.add_argument("--warmup", type=int, default=200, help="unmeasured requests first")
    web.add_argument("--threads", type=int, default=4, help="client threads")
    web.add_argument("--workers", type=int, default=2, help="gunicorn workers per app")
    web.add_argument("--time-cap", type=float, default=180.0, help="seconds allowed per phase")
    xapi = parser.add_argument_group("xapi")
    xapi.add_argument("--statements", type=int, default=2000, help="statements per measurement")
    xapi.add_argument(
        "--batch-sizes", type=_sizes, default=[1, 100], help="statements per commit, e.g. 1,100"
    )
    xapi.add_argument("--learners", type=int, default=50, help="enrolled learners")
    xapi.add_argument(
        "--postgres-url",
        default=os.environ.get("LMS_BENCH_POSTGRES_URL", POSTGRES_URL),
        help="server to create a temporary database on; empty skips PostgreSQL "
        "(default: $LMS_BENCH_POSTGRES_URL or %(default)s)",
    )
    quizzes = parser.add_argument_group("quiz")
    quizzes.add_argument("--grades", type=int, default=200_000, help="parse + grade calls per loop")
    quizzes.add_argument("--quiz-learners", type=int, default=50, help="signed-in learners taking the quiz")
    quizzes.add_argument("--submissions", type=int, default=400, help="measured quiz submissions")
    certificates = parser.add_argument_group("certificate")
    certificates.add_argument(
        "--certificates", type=int, default=60, help="measured renders per variant and template"
    )
    certificates.add_argument("--cert-warmup", type=int, default=5, help="unmeasured renders of each first")
    certificates.add_argument(
        "--cert-templates",
        type=_templates,
        default=["formal-th", "bilingual"],
        help="comma-separated built-in certificate templates (formal-th,bilingual)",
    )
    bulk = parser.add_argument_group("certificate_bulk (PostgreSQL: --postgres-url)")
    bulk.add_argument(
        "--count", type=int, default=1000, help="certificates per run (one run per worker count)"
    )
    bulk.add_argument(
        "--chunk-size", type=int, default=50, help="certificates per chunk (LMS_JOBS_CHUNK_SIZE)"
    )
    bulk.add_argument("--bulk-baseline", type=int, default=50, help="bare WeasyPrint renders timed")
    bulk.add_argument(
        "--redis-url",
        default=os.environ.get("LMS_BENCH_REDIS_URL", REDIS_URL),
        help="Redis for the job queue (default: $LMS_BENCH_REDIS_URL or %(default)s)",
    )
    report = parser.add_argument_group("reports (PostgreSQL: --postgres-url)")
    report.add_argument(
        "--report-learners", type=_sizes, default=[10_000], help="learners per data set, e.g. 10000,100000"
    )
    report.add_argument(
        "--report-dbs", type=_databases, default=list(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    report.add_argument("--report-repeats", type=int, default=5, help="measured requests per page")
    report.add_argument("--report-statements", type=int, default=20, help="lms_statements rows per enrolment")
    report.add_argument(
        "--report-everyone",
        action="store_true",
        help="every learner enrols in every course (default: the demo seed's chances)",
    )
    insight = parser.add_argument_group("insights (PostgreSQL: --postgres-url; --report-repeats)")
    insight.add_argument(
        "--insights-learners", type=int, default=100_000, help="learners enrolled in the course"
    )
    voids = parser.add_argument_group("void (PostgreSQL: --postgres-url)")
    voids.add_argument(
        "--void-learners", type=int, default=100_000, help="learners in the ledger (at least 190)"
    )
    lrs = parser.add_argument_group("lrs_ingest and lrs_query (--workers, --learners, --postgres-url)")
    lrs.add_argument("--lrs-statements", type=int, default=2000, help="statements per ingest measurement")
    lrs.add_argument("--lrs-batch", type=int, default=100, help="statements per POST")
    lrs.add_argument("--lrs-clients", type=int, default=4, help="clients at once in the second measurement")
    lrs.add_argument("--heartbeat-clients", type=int, default=200, help="keep-alive heartbeat clients")
    lrs.add_argument("--heartbeat-rate", type=float, default=170.0, help="heartbeat statements/s in all")
    lrs.add_argument("--heartbeat-seconds", type=float, default=30.0, help="heartbeat duration")
    lrs.add_argument(
        "--query-statements", type=int, default=1_000_000, help="statements stored for lrs_query"
    )
    lrs.add_argument("--query-learners", type=int, default=5000, help="learner accounts for lrs_query")
    lrs.add_argument("--query-repeats", type=int, default=10, help="timed GETs per query")
    starts = parser.add_argument_group("startup and slow_link")
    starts.add_argument("--startup-runs", type=int, default=5, help="timed runs of each start-up command")
    starts.add_argument("--slow-learners", type=int, default=2000, help="learners in the slow-link data set")
    args = parser.parse_args(argv)
    counts = (args.requests, args.threads, args.workers, args.statements, args.learners)
    quiz_counts = (args.grades, args.quiz_learners, args.submissions)
    bulk_counts = (args.count, args.chunk_size, args.bulk_baseline)
    if (
        min(*counts, *quiz_counts, *bulk_counts, args.certificates, args.report_repeats) < 1
        or args.report_statements < 0
        or args.warmup < 0
        or args.cert_warmup < 0
    ):
        parser.error(
            "--requests, --threads, --workers, --statements, --learners, --grades, --quiz-learners, "
            "--submissions, --certificates, --count, --chunk-size, --bulk-baseline and --report-repeats "
            "must be at least 1, --report-statements at least 0"
        )

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"date:     {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine:  {cores} cores ({usable} usable), {cpu_model()}, {platform.system()} {platform.release()}"
    )
    print(
        f"software: Python {platform.python_version()}, gunicorn {version('gunicorn')}, "
        f"Flask {version('flask')}, SQLAlchemy {version('sqlalchemy')}, SQLite {sqlite3.sqlite_version}, "
        f"psycopg {version('psycopg')}, ralph {version('ralph-malph')}"
    )
    if hasattr(os, "getloadavg"):
        print(
            "busy:     load average {:.2f} {:.2f} {:.2f} before the run (1, 5, 15 min)".format(
                *os.getloadavg()
            )
        )
    if {"home", "lesson"} & set(args.only):
        print(
            f"load:     {args.requests} requests per app after {args.warmup} warm-up, "
            f"{args.threads} client threads, gunicorn --workers {args.workers} (sync), loopback HTTP/1.1"
        )

    failed = []
    for name in args.only:
        title, bench = BENCHMARKS[name]
        print(f"\n=== {name}: {title} ===", flush=True)
        if bench(args) != 0:
            failed.append(name)
        sys.stdout.flush()
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
