"""Benchmark 2: the lesson page (the player) next to a bare Flask "hello", both on gunicorn.

1. a temporary SQLite database, migrated with ``flask --app lms lms db upgrade``;
2. in an app context: the practitioner course of ``content/`` (6 modules x 3 lessons, each
   lesson's Markdown rendered to HTML with markdown-it-py, about 3,000 Thai characters), one
   learner with a password, enrolled with ``lms.courses.service.enrol``, committed;
3. gunicorn ``lms:create_app()`` (``--workers 2``); sign in through the real form (CSRF token),
   then GET ``/courses/practitioner-digital-skills/lessons/m1-l1`` a fixed number of times;
   every answer must be 200 and hold the lesson's ``<h1>`` title;
4. gunicorn ``bench/bare_app.py`` (same settings), the same load on ``/``. Both servers run
   side by side (the idle one costs nothing); after a warm-up of each, the measured requests
   alternate between them in four rounds (LMS first, then bare first...), so that noise from
   the rest of a shared machine falls on both; print req/s and the ratio.
"""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
from pathlib import Path

from harness import (
    COURSE_SLUG,
    BenchError,
    Server,
    bare_server,
    bench_app,
    build_course,
    get,
    lms_env,
    measure_alternating,
    print_http_results,
    report_logs,
    run_cli,
    sign_in,
)

EMAIL = "bench-lesson-learner@example.org"
PASSWORD = "bench-password-" + secrets.token_hex(4)
FIRST_NAME, LAST_NAME = "ผู้เรียน", "ทดสอบบทเรียน"
LESSON_KEY = "m1-l1"
PATH = f"/courses/{COURSE_SLUG}/lessons/{LESSON_KEY}"
ROUNDS = 4


def set_up(database_url: str) -> tuple[str, str, int]:
    """Course, learner and enrolment; the lesson's Thai title, a line of its body, its length."""
    from lms.accounts.models import Role
    from lms.accounts.service import create_user
    from lms.courses.service import enrol, find_lesson
    from lms.extensions import session

    app = bench_app(database_url)
    with app.app_context():
        try:
            course = build_course()
            user = create_user(
                email=EMAIL,
                first_name_th=FIRST_NAME,
                last_name_th=LAST_NAME,
                roles={Role.LEARNER.value},
                password=PASSWORD,
            )
            session.commit()
            enrol(user, course)
            session.commit()
            lesson = find_lesson(course, LESSON_KEY)
            first_heading = lesson.body_html.split("</h2>", 1)[0] + "</h2>"
            return lesson.title_th, first_heading, len(lesson.body_markdown)
        finally:
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def run(args) -> int:
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        workdir = Path(tmp)
        env = lms_env(workdir)
        try:
            run_cli(["lms", "db", "upgrade"], env)
            title, heading, chars = set_up(env["LMS_DATABASE_URL"])
            expect = f'<h1 id="lesson-title">{title}</h1>'.encode()

            lms = Server("lms", "lms:create_app()", env, workdir, args.workers)
            servers.append(lms)
            lms.wait_ready("/login")
            cookie = sign_in(lms.port, EMAIL, PASSWORD, FIRST_NAME)
            status, body = get(lms.port, PATH, {"Cookie": cookie})
            if status != 200 or expect not in body or heading.encode() not in body:
                raise BenchError(f"GET {PATH} is not the lesson page ({status})")
            page_bytes = len(body)

            bare = bare_server(env, workdir, args.workers)
            servers.append(bare)
            bare.wait_ready("/")
            lms_result, bare_result = measure_alternating(
                [(lms, PATH, {"Cookie": cookie}, expect), (bare, "/", {}, b"hello")], args, ROUNDS
            )
        except BenchError as exc:
            report_logs(servers)
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()

    print(f"page:     {PATH} ({chars:,} characters of Markdown, {page_bytes:,} bytes of HTML)")
    print(f"rounds:   LMS and bare alternate in {ROUNDS} rounds, both servers up")
    print()
    print_http_results([(lms_result, "LMS lesson page"), (bare_result, 'bare Flask "hello" /')])
    print()
    print(f"ratio LMS lesson page / bare hello: {lms_result.rate / bare_result.rate:.3f}")
    print(
        f"mean latency LMS {statistics.fmean(lms_result.latencies) * 1000:.1f} ms, "
        f"bare {statistics.fmean(bare_result.latencies) * 1000:.1f} ms"
    )
    print("every response was 200; every LMS response was the lesson page (its <h1> title)")
    return 0
