"""What the benchmarks share: gunicorn servers on loopback, a real sign-in, the load generator,
the machine description, and the course every benchmark uses.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import itertools
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE_ATTR = re.compile(r'\bvalue="([^"]+)"')
WELCOME = "ยินดีต้อนรับ".encode()

COURSE_DIR = REPO / "content" / "practitioner-digital-skills"
COURSE_SLUG = "practitioner-digital-skills"


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


def lms_env(workdir: Path) -> dict[str, str]:
    """The environment of the LMS's CLI and gunicorn: a SQLite database in ``workdir``."""
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "LMS_SECRET_KEY": secrets.token_hex(32),
        "LMS_SESSION_COOKIE_SECURE": "0",
        "LMS_LOGIN_RATE_LIMIT": "100000 per minute",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("LMS_REDIS_URL", None)
    return env


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


def bare_server(env: dict[str, str], workdir: Path, workers: int) -> Server:
    """The baseline: ``bench/bare_app.py`` (a Flask "hello") served the same way."""
    return Server("bare", "bare_app:app", env, workdir, workers, ["--pythonpath", str(BENCH)])


def report_logs(servers: list[Server]) -> None:
    for server in servers:
        server.stop()
        if server.log().strip():
            print(f"--- {server.name} log ---\n{server.log()}", file=sys.stderr)


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(port: int, email: str, password: str, first_name: str) -> str:
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
        form = urlencode({"csrf_token": token.group(1), "email": email, "password": password})
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
        if response.status != 200 or WELCOME not in body or first_name.encode() not in body:
            raise BenchError(f"the home page after sign-in is not the signed-in page ({response.status})")
        return cookie
    finally:
        conn.close()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET (for checks before a measurement): status and body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
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


def measure_alternating(
    targets: list[tuple[Server, str, dict[str, str], bytes]], args, rounds: int
) -> list[Result]:
    """Warm up every target, then load them in turn for ``rounds`` rounds (the order reversed
    every other round), ``args.requests`` in all for each: noise that comes and goes on a
    shared machine then falls on every target alike. One summed Result per target."""
    for server, path, headers, expect in targets:
        load(
            f"{server.name} warm-up",
            server.port,
            path,
            headers,
            args.warmup,
            args.threads,
            expect,
            args.time_cap,
        )
    shares = [args.requests // rounds + (1 if i < args.requests % rounds else 0) for i in range(rounds)]
    parts: dict[str, list[Result]] = {server.name: [] for server, *_ in targets}
    for number, share in enumerate(s for s in shares if s):
        for server, path, headers, expect in targets if number % 2 == 0 else targets[::-1]:
            parts[server.name].append(
                load(server.name, server.port, path, headers, share, args.threads, expect, args.time_cap)
            )
    return [
        Result(
            name,
            sum(r.requests for r in results),
            sum(r.seconds for r in results),
            [t for r in results for t in r.latencies],
        )
        for name, results in parts.items()
    ]


def print_http_results(rows: list[tuple[Result, str]]) -> None:
    print(
        f"{'app':<32} {'requests':>8} {'seconds':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    for result, label in rows:
        print(
            f"{label:<32} {result.requests:>8} {result.seconds:>8.2f} {result.rate:>8.0f} "
            f"{result.percentile(50):>7.1f} {result.percentile(95):>7.1f} "
            f"{max(result.latencies) * 1000:>7.1f}"
        )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --- the course every benchmark uses --------------------------------------------------------


def _front_matter(text: str) -> tuple[dict, str]:
    import yaml

    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def build_course():
    """The practitioner course of ``content/`` (6 modules of 3 lessons), written straight into
    the content tables as ``tests/conftest.make_course`` does, each lesson with its own Markdown
    rendered by markdown-it-py (CommonMark + tables + strikethrough, raw HTML off): about
    3,000 Thai characters per lesson. Needs an app context; commits.
    """
    import yaml
    from markdown_it import MarkdownIt

    from lms.content.models import Course, CourseVersion, Lesson, Module
    from lms.extensions import session

    renderer = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    spec = yaml.safe_load((COURSE_DIR / "course.yaml").read_text(encoding="utf-8"))
    course = Course(iri=spec["id"], slug=COURSE_SLUG)
    session.add(course)
    version = CourseVersion(
        course=course,
        number=1,
        package_version=str(spec["version"]),
        content_hash=f"bench-{COURSE_SLUG}",
        title_th=spec["title"]["th"],
        title_en=spec["title"]["en"],
        summary_th=spec["summary"]["th"],
        summary_en=spec["summary"]["en"],
        audience=list(spec["audience"]),
        hours=spec["hours"],
        completion_rule=dict(spec["completion"]),
        certificate_template=spec["certificate"],
        package={"files": {}, "media": {}},
    )
    session.add(version)
    for m, module_spec in enumerate(spec["modules"], start=1):
        module = Module(
            version=version,
            key=module_spec["id"],
            position=m,
            title_th=module_spec["title"]["th"],
            title_en=module_spec["title"]["en"],
            quiz_key=module_spec.get("quiz"),
        )
        for n, key in enumerate(module_spec["lessons"], start=1):
            meta, markdown = _front_matter((COURSE_DIR / "lessons" / f"{key}.md").read_text(encoding="utf-8"))
            module.lessons.append(
                Lesson(
                    key=key,
                    position=n,
                    title_th=meta["title"]["th"],
                    title_en=meta["title"]["en"],
                    minutes=meta["minutes"],
                    is_required=meta.get("required", True),
                    body_markdown=markdown,
                    body_html=renderer.render(markdown),
                )
            )
        session.add(module)
    session.commit()
    return course


def bench_app(database_url: str):
    """An in-process LMS app on ``database_url`` (for set-up and the xAPI benchmark)."""
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "LMS_SESSION_COOKIE_SECURE": False,
            "LMS_REDIS_URL": None,
            "LMS_XAPI_FORWARD_TO": (),
        }
    )
