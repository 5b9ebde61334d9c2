"""Benchmark 1: the LMS's signed-in home page next to a bare Flask "hello", both on gunicorn.

1. a temporary SQLite database, migrated with ``flask --app lms lms db upgrade``, and one
   learner created with ``flask --app lms lms users create``;
2. gunicorn ``lms:create_app()`` (``--workers 2``) on a free loopback port; sign in once with
   a real CSRF-token login (GET /login, POST the form), keep the session cookie, warm up, then
   load the signed-in home page ``/`` a fixed number of times from a few client threads;
3. gunicorn ``bench/bare_app.py`` (same settings), the same load on its ``/``;
4. print req/s and latency for both and the ratio LMS / bare.
"""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
from pathlib import Path

from harness import (
    WELCOME,
    BenchError,
    Server,
    bare_server,
    lms_env,
    measure,
    print_http_results,
    report_logs,
    run_cli,
    sign_in,
)

EMAIL = "bench-learner@example.org"
PASSWORD = "bench-password-" + secrets.token_hex(4)
FIRST_NAME, LAST_NAME = "ทดสอบ", "ความเร็ว"


def run(args) -> int:
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        workdir = Path(tmp)
        env = lms_env(workdir)
        try:
            run_cli(["lms", "db", "upgrade"], env)
            run_cli(
                [
                    "lms",
                    "users",
                    "create",
                    "--email",
                    EMAIL,
                    "--first-name",
                    FIRST_NAME,
                    "--last-name",
                    LAST_NAME,
                    "--role",
                    "learner",
                    "--password",
                    PASSWORD,
                ],
                env,
            )

            lms = Server("lms", "lms:create_app()", env, workdir, args.workers)
            servers.append(lms)
            lms.wait_ready("/login")
            cookie = sign_in(lms.port, EMAIL, PASSWORD, FIRST_NAME)
            lms_result = measure(lms, "/", {"Cookie": cookie}, WELCOME, args)
            lms.stop()

            bare = bare_server(env, workdir, args.workers)
            servers.append(bare)
            bare.wait_ready("/")
            bare_result = measure(bare, "/", {}, b"hello", args)
            bare.stop()
        except BenchError as exc:
            report_logs(servers)
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()

    print()
    print_http_results([(lms_result, "LMS signed-in home /"), (bare_result, 'bare Flask "hello" /')])
    print()
    print(f"ratio LMS home / bare hello: {lms_result.rate / bare_result.rate:.3f}")
    print(
        f"mean latency LMS {statistics.fmean(lms_result.latencies) * 1000:.1f} ms, "
        f"bare {statistics.fmean(bare_result.latencies) * 1000:.1f} ms"
    )
    print("every response was 200; every LMS response was the signed-in home page")
    return 0
