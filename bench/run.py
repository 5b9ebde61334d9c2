"""Throughput of the LMS's signed-in home page next to a bare Flask "hello", both on gunicorn.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It prints figures; it is not a
pass/fail test, but it stops with an error if any response is not what it should be (a
non-200, or a home page that is not the signed-in one), since its figures would then be
meaningless. Nothing is written anywhere except a temporary directory, removed at the end.

Steps:

1. a temporary SQLite database, migrated with ``flask --app lms lms db upgrade``, and one
   learner created with ``flask --app lms lms users create``;
2. gunicorn ``lms:create_app()`` (``--workers 2``) on a free loopback port; sign in once with
   a real CSRF-token login (GET /login, POST the form), keep the session cookie, warm up, then
   load the signed-in home page ``/`` a fixed number of times from a few client threads;
3. gunicorn ``bench/bare_app.py`` (same settings), the same load on its ``/``;
4. print req/s and latency for both and the ratio LMS / bare, plus the machine's core count.

Only 127.0.0.1 is ever contacted. Both servers are stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import platform
import re
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"
EMAIL = "bench-learner@example.org"
PASSWORD = "bench-password-" + secrets.token_hex(4)
FIRST_NAME, LAST_NAME = "ทดสอบ", "ความเร็ว"
WELCOME = "ยินดีต้อนรับ".encode()
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE_ATTR = re.compile(r'\bvalue="([^"]+)"')


class BenchError(RuntimeError):
    pass


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float] = field(repr=False)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lms", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"flask {' '.join(args[:3])} failed:\n{done.stdout}{done.stderr}")


class Server:
    """A gunicorn on a free loopback port, its output in a log file."""

    def __init__(
        self,
        name: str,
        app: str,
        env: dict[str, str],
        workdir: Path,
        workers: int,
        extra: list[str] | None = None,
    ):
        self.name = name
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
            *(extra or []),
            app,
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                conn.request("GET", path)
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
            finally:
                conn.close()
        self.stop()
        raise BenchError(f"{self.name} did not start (exit {self.proc.returncode}):\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(port: int) -> str:
    """Sign in through the real form (with its CSRF token); the Cookie header to send."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        if response.status != 200:
            raise BenchError(f"GET /login answered {response.status}")
        _cookies(response, jar)
        tag = CSRF_INPUT.search(page)
        token = tag and VALUE_ATTR.search(tag.group(0))
        if not token:
            raise BenchError("no csrf_token input on /login")
        form = urlencode({"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD})
        conn.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)},
        )
        response = conn.getresponse()
        response.read()
        if response.status != 302 or response.getheader("Location", "").rstrip("?") not in {"/", ""}:
            raise BenchError(f"POST /login answered {response.status} -> {response.getheader('Location')}")
        _cookies(response, jar)
        cookie = _cookie_header(jar)
        conn.request("GET", "/", headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or WELCOME not in body or FIRST_NAME.encode() not in body:
            raise BenchError(f"the home page after sign-in is not the signed-in page ({response.status})")
        return cookie
    finally:
        conn.close()


def load(
    name: str,
    port: int,
    path: str,
    headers: dict[str, str],
    total: int,
    threads: int,
    expect: bytes,
    time_cap: float,
) -> Result:
    """GET ``path`` ``total`` times from ``threads`` client threads; every answer is checked."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + time_cap

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        mine = []
        try:
            while next(counter) < total and not failures:
                if time.monotonic() > deadline:
                    failures.append(f"time cap of {time_cap:.0f}s reached")
                    break
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    break
                mine.append(time.perf_counter() - started)
                if response.status != 200 or expect not in body:
                    failures.append(f"status {response.status}, expected text found: {expect in body}")
                    break
                if response.will_close:
                    conn.close()  # gunicorn's sync workers close; http.client reopens next time
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=worker, name=f"{name}-{i}") for i in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchError(f"{name}: {failures[0]} ({len(failures)} failure(s))")
    if len(latencies) != total:
        raise BenchError(f"{name}: {len(latencies)} of {total} requests done")
    return Result(name, total, seconds, latencies)


def measure(server: Server, path: str, headers: dict[str, str], expect: bytes, args) -> Result:
    load(
        f"{server.name} warm-up", server.port, path, headers, args.warmup, args.threads, expect, args.time_cap
    )
    return load(server.name, server.port, path, headers, args.requests, args.threads, expect, args.time_cap)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per app")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app")
    parser.add_argument("--time-cap", type=float, default=180.0, help="seconds allowed per phase")
    args = parser.parse_args(argv)
    if min(args.requests, args.threads, args.workers) < 1 or args.warmup < 0:
        parser.error("--requests, --threads and --workers must be at least 1")

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"date:     {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine:  {cores} cores ({usable} usable), {cpu_model()}, {platform.system()} {platform.release()}"
    )
    print(
        f"software: Python {platform.python_version()}, gunicorn {version('gunicorn')}, "
        f"Flask {version('flask')}, SQLAlchemy {version('sqlalchemy')}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"load:     {args.requests} requests per app after {args.warmup} warm-up, "
        f"{args.threads} client threads, gunicorn --workers {args.workers} (sync), loopback HTTP/1.1"
    )

    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "LMS_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "LMS_SECRET_KEY": secrets.token_hex(32),
            "LMS_SESSION_COOKIE_SECURE": "0",
            "LMS_LOGIN_RATE_LIMIT": "100000 per minute",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("LMS_REDIS_URL", None)
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
            cookie = sign_in(lms.port)
            lms_result = measure(lms, "/", {"Cookie": cookie}, WELCOME, args)
            lms.stop()

            bare = Server("bare", "bare_app:app", env, workdir, args.workers, ["--pythonpath", str(BENCH)])
            servers.append(bare)
            bare.wait_ready("/")
            bare_result = measure(bare, "/", {}, b"hello", args)
            bare.stop()
        except BenchError as exc:
            for server in servers:
                server.stop()
                if server.log().strip():
                    print(f"--- {server.name} log ---\n{server.log()}", file=sys.stderr)
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()

    print()
    print(
        f"{'app':<32} {'requests':>8} {'seconds':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    for result, label in ((lms_result, "LMS signed-in home /"), (bare_result, 'bare Flask "hello" /')):
        print(
            f"{label:<32} {result.requests:>8} {result.seconds:>8.2f} {result.rate:>8.0f} "
            f"{result.percentile(50):>7.1f} {result.percentile(95):>7.1f} "
            f"{max(result.latencies) * 1000:>7.1f}"
        )
    print()
    print(f"ratio LMS home / bare hello: {lms_result.rate / bare_result.rate:.3f}")
    print(
        f"mean latency LMS {statistics.fmean(lms_result.latencies) * 1000:.1f} ms, "
        f"bare {statistics.fmean(bare_result.latencies) * 1000:.1f} ms"
    )
    print("every response was 200; every LMS response was the signed-in home page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
