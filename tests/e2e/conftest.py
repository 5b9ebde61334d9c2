"""End-to-end fixtures: the real app served by ``flask run`` in a subprocess, on the test
database (SQLite, and PostgreSQL when LMS_TEST_POSTGRES_URL is set), driven by one headless
Chromium per module.

Chromium is Debian's (/usr/bin/chromium): Playwright cannot download its own browsers here.
The server only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from lms.accounts import service
from lms.accounts.models import Role, StaffGroup
from lms.extensions import session
from tests.conftest import PASSWORD, _clear_tables, make_app

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("LMS_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Person:
    """A user of the running app, as a test sees them."""

    key: str
    email: str
    roles: tuple[str, ...]
    staff_group: str
    first_name_th: str
    last_name_th: str
    first_name_en: str
    last_name_en: str
    password: str = PASSWORD

    @property
    def name_th(self) -> str:
        return f"{self.first_name_th} {self.last_name_th}"

    @property
    def name_en(self) -> str:
        return f"{self.first_name_en} {self.last_name_en}"

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles


PEOPLE = {
    "learner": Person(
        "learner", "learner@example.org", ("learner",), "general", "สมชาย", "ใจดี", "Somchai", "Jaidee"
    ),
    "executive": Person(
        "executive",
        "executive@example.org",
        ("learner",),
        StaffGroup.EXECUTIVE.value,
        "วิภา",
        "ผู้บริหาร",
        "Wipa",
        "Executive",
    ),
    "trainer": Person(
        "trainer",
        "trainer@example.org",
        ("learner", "trainer"),
        "general",
        "ประยุทธ",
        "ผู้สอน",
        "Prayut",
        "Trainer",
    ),
    "hr": Person("hr", "hr@example.org", ("learner", "hr"), "general", "มาลี", "บุคคล", "Malee", "Personnel"),
    "admin": Person(
        "admin",
        "admin@example.org",
        ("learner", "admin"),
        "general",
        "อนันต์",
        "ผู้ดูแล",
        "Anan",
        "Admin",
    ),
}


@dataclass
class LiveServer:
    url: str
    backend: str
    people: dict[str, Person]
    log_path: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/login")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def app_on(database_url: str) -> Iterator:
    """An app context on the test database, for writing what a browser test then reads; its
    connections are closed afterwards so that the served app and the cleanup are not blocked."""
    app = make_app(database_url)
    with app.app_context():
        try:
            yield app
        finally:
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def sign_in(page, email: str, password: str = PASSWORD, button: str = "เข้าสู่ระบบ") -> None:
    """Sign in through the login form, as a person does (``button``: its label in the page's language)."""
    page.goto("/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name=button, exact=True).click()


def _create_people(database_url: str) -> None:
    with app_on(database_url):
        for person in PEOPLE.values():
            service.create_user(
                email=person.email,
                roles=person.roles,
                password=person.password,
                staff_group=person.staff_group,
                first_name_th=person.first_name_th,
                last_name_th=person.last_name_th,
                first_name_en=person.first_name_en,
                last_name_en=person.last_name_en,
            )
        session.commit()


def _clear_database(database_url: str) -> None:
    with app_on(database_url):
        _clear_tables()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(database_url, tmp_path_factory):
    """The real app in a subprocess on the test database, with one user per role."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    backend = make_url(database_url).get_backend_name()
    _create_people(database_url)
    port = free_port()
    log_path = tmp_path_factory.mktemp("e2e-server") / "server.log"
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": secrets.token_hex(32),
        "LMS_SESSION_COOKIE_SECURE": "0",
        "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
        # As make_app: journeys read a lesson and move on at once (a module may set it back).
        "LMS_MIN_LESSON_TIME_RATIO": os.environ.get("LMS_MIN_LESSON_TIME_RATIO", "0"),
        "FLASK_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "lms",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-reload",
        "--no-debugger",
    ]
    try:
        with open(log_path, "wb") as log:
            # The log is a file, not a pipe: nothing has to drain it while tests run.
            proc = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not _answers(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    _stop(proc)
                    pytest.fail(
                        f"the app did not start on port {port} (exit code {proc.returncode}):\n"
                        + log_path.read_text(errors="replace"),
                        pytrace=False,
                    )
                time.sleep(0.1)
            yield LiveServer(f"http://127.0.0.1:{port}", backend, PEOPLE, log_path)
        finally:
            _stop(proc)
    finally:
        _clear_database(database_url)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Console:
    """What the page wrote to its console, and the scripts errors it threw."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.page_errors: list[str] = []

    def csp_violations(self) -> list[str]:
        return [
            text
            for kind, text in self.messages
            if "Content Security Policy" in text or "Content-Security-Policy" in text
        ]


@pytest.fixture
def browser_context(chromium, live_server):
    """A fresh browser profile (no cookies) for one test; narrow viewports make their own."""
    contexts = []

    def new(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def page(browser_context, console):
    """A page in a fresh context; every test also checks that no CSP violation was logged."""
    page = browser_context().new_page()
    page.on("console", lambda msg: console.messages.append((msg.type, msg.text)))
    page.on("pageerror", lambda exc: console.page_errors.append(str(exc)))
    yield page
    assert not console.csp_violations(), console.csp_violations()


def import_content(database_url: str, path: Path | str, **env: str) -> None:
    """Import course packages into the test database with the real CLI, as a trainer would."""
    full_env = {**os.environ, "LMS_DATABASE_URL": database_url, "LMS_SECRET_KEY": "e2e-import", **env}
    command = [sys.executable, "-m", "flask", "--app", "lms", "lms", "content", "import", str(path)]
    result = subprocess.run(command, cwd=REPO_ROOT, env=full_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def create_learner(database_url: str, email: str, first_name_th: str, last_name_th: str) -> None:
    """A practitioner who signs in with PASSWORD."""
    with app_on(database_url):
        service.create_user(
            email=email,
            first_name_th=first_name_th,
            last_name_th=last_name_th,
            staff_group="practitioner",
            password=PASSWORD,
        )
        session.commit()
