"""Shared fixtures: an app per test on a migrated database, on SQLite and (when
LMS_TEST_POSTGRES_URL is set) on PostgreSQL, plus clients, users by role and helpers."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.accounts import passwords, service
from lms.accounts.models import Role
from lms.core import migrations
from lms.extensions import Base, session

PG_URL = os.environ.get("LMS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct-horse-battery"
REFERENCE_TABLES = {"lms_provinces"}

# The suite hashes thousands of passwords. In-process tests use argon2id at its lowest cost: the
# same algorithm, format and checks in about a millisecond instead of about 80 ms. The app keeps
# argon2-cffi's recommended parameters, which the servers the E2E tests start still use.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def pytest_configure(config):
    if os.environ.get("CI") == "true" and not PG_URL:
        raise pytest.UsageError(
            "CI=true but LMS_TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped."
        )


@contextmanager
def postgres_database():
    """A uniquely named database on the shared server, dropped afterwards."""
    admin_url = make_url(PG_URL)
    name = f"lms_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def empty_database(backend: str, tmp_path_factory):
    if backend == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'lms.sqlite3'}"


class RequestIsolatedClient(FlaskClient):
    """Runs every request in its own app context, as a real server does.

    The tests hold an app context open; without this, requests would share its ``g`` (the
    signed-in user, the CSRF token) and its database session.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read the whole body, closing files as a server would
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_SESSION_COOKIE_SECURE": False,
        # Most tests read a lesson and move on at once; the minimum-time rule has its own tests
        # (tests/progress/test_lesson_time.py), which set the ratio back.
        "LMS_MIN_LESSON_TIME_RATIO": 0,
        # Apps on Redis share one server with the other pytest worker: a prefix of their own keeps
        # one worker's sign-ins from using up the other's limits (Flask-Limiter keeps the first
        # prefix it sees for the whole process; the per-account counters use each app's own).
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}:",
    }
    config.update(extra)
    app = create_app(config)
    app.test_client_class = RequestIsolatedClient
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database for the whole run, one per backend."""
    with empty_database(request.param, tmp_path_factory) as url:
        app = make_app(url)
        with app.app_context():
            migrations.upgrade()
            app.extensions["sqlalchemy"].engine.dispose()
        yield url


@pytest.fixture
def app_factory(database_url, app):
    """Build more apps on the test's database (cleaned up with it), e.g. with other settings."""
    built = []

    def build(**extra):
        other = make_app(database_url, **extra)
        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
            other.extensions["sqlalchemy"].session.remove()
            other.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def backend(database_url) -> str:
    return make_url(database_url).get_backend_name()


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        yield app
        session.remove()
        _clear_tables()
        app.extensions["sqlalchemy"].engine.dispose()


@contextmanager
def shared_app(database_url: str, build=None, **extra):
    """An app for a whole module of tests, with what ``build()`` made once (built once per module
    instead of once per test); the tests must not change it. Its tables are emptied afterwards."""
    app = make_app(database_url, **extra)
    with app.app_context():
        built = build() if build is not None else None
        session.remove()
    try:
        yield app, built
    finally:
        with app.app_context():
            session.remove()
            _clear_tables()
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def _clear_tables() -> None:
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            session.execute(table.delete())
    session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """Post a form the way a browser does: with the CSRF token from the page that shows it."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, page or url)
    return client.post(url, data=data, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


def make_user(role: str = Role.LEARNER, email: str | None = None, password: str | None = PASSWORD, **fields):
    fields.setdefault("first_name_th", "ทดสอบ")
    fields.setdefault("last_name_th", role)
    user = service.create_user(
        email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
        roles={Role.LEARNER.value, str(role)},
        password=password,
        **fields,
    )
    session.commit()
    return user


@pytest.fixture
def users(app):
    """One signed-up user per role, each with the password PASSWORD."""
    return {role.value: make_user(role, email=f"{role.value}@example.org") for role in Role}


@pytest.fixture
def as_role(client, users):
    """Sign the test client in as the given role: ``as_role("admin")``."""

    def sign_in(role: str):
        response = login(client, users[role].email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""

    @contextmanager
    def counting():
        counter = {"n": 0}
        engine = app.extensions["sqlalchemy"].engine

        def before(*_args, **_kwargs):
            counter["n"] += 1

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


QUIZ_QUESTIONS = [
    {
        "id": "q1",
        "type": "single_choice",
        "prompt": "ข้อใดถูก",
        "points": 1,
        "feedback": "FEEDBACK-Q1",
        "choices": [{"id": "a", "text": "ตัวเลือก ก", "feedback": "WHY-A"}, {"id": "b", "text": "ตัวเลือก ข"}],
        "correct": "b",
    },
    {
        "id": "q2",
        "type": "true_false",
        "prompt": "ข้อมูลส่วนบุคคลเปิดเผยได้เสมอ",
        "points": 1,
        "correct": False,
        "feedback": "FEEDBACK-Q2",
    },
    {
        "id": "q3",
        "type": "fill_in",
        "prompt": "เมืองหลวงของไทย",
        "points": 2,
        "accepted": ["กรุงเทพมหานคร"],
        "case_sensitive": False,
    },
]
QUIZ_SETTINGS = {
    "pass_mark": 75,
    "attempts": 3,
    "time_limit_minutes": None,
    "shuffle_questions": False,
    "shuffle_choices": False,
    "draw": None,
    "show_feedback": "after_attempt",
    "attempt_counts": "best",
}


def quiz_yaml(key: str, **settings) -> str:
    """A quiz file in the package format: three questions worth 4 points, pass mark 75%."""
    import yaml

    questions = settings.pop("questions", QUIZ_QUESTIONS)
    data = {
        "id": key,
        "title": {"th": f"แบบทดสอบ {key}", "en": f"Quiz {key}"},
        **QUIZ_SETTINGS,
        **settings,
        "questions": questions,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _hash(*parts) -> str:
    """A content hash that differs when the test course's content differs (quiz settings too)."""
    import hashlib

    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _quiz_files(modules: int, settings: dict | None) -> dict[str, str]:
    return {
        f"quizzes/m{m}-quiz.yaml": quiz_yaml(f"m{m}-quiz", **(settings or {})) for m in range(1, modules + 1)
    }


def make_course(
    slug: str = "test-course",
    *,
    modules: int = 2,
    lessons_per_module: int = 2,
    audience=("practitioner",),
    quizzes: bool = False,
    number: int = 1,
    course=None,
    quiz_settings: dict | None = None,
):
    """A small course written straight into the content tables (the importer has its own tests)."""
    from lms.content.models import Course, CourseVersion, Lesson, Module

    if course is None:
        course = Course(iri=f"https://dg-lms.example/course/{slug}", slug=slug)
        session.add(course)
    version = CourseVersion(
        course=course,
        number=number,
        package_version=str(number),
        content_hash=_hash(slug, number, quizzes, quiz_settings),
        title_th=f"หลักสูตร {slug}",
        title_en=f"Course {slug}",
        summary_th="สรุป",
        summary_en="Summary",
        audience=list(audience),
        hours=2,
        completion_rule={"lessons": "required", "quizzes": "pass" if quizzes else "none"},
        certificate_template="formal-th",
        package={"files": _quiz_files(modules, quiz_settings) if quizzes else {}, "media": {}},
    )
    session.add(version)
    for m in range(1, modules + 1):
        module = Module(
            version=version,
            key=f"m{m}",
            position=m,
            title_th=f"โมดูล {m}",
            title_en=f"Module {m}",
            quiz_key=f"m{m}-quiz" if quizzes else None,
        )
        for n in range(1, lessons_per_module + 1):
            module.lessons.append(
                Lesson(
                    key=f"m{m}-l{n}",
                    position=n,
                    title_th=f"บทที่ {m}.{n}",
                    title_en=f"Lesson {m}.{n}",
                    minutes=10,
                    is_required=True,
                    body_markdown="เนื้อหา",
                    body_html=f"<p>เนื้อหาบทที่ {m}.{n}</p>",
                )
            )
        session.add(module)
    session.commit()
    return course


def head_revision() -> str:
    """The newest migration, read from the script folder (not from a database)."""
    from alembic.script import ScriptDirectory

    from lms.extension import migrations_dir

    return ScriptDirectory(str(migrations_dir())).get_current_head()
