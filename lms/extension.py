"""The Flask extension that mounts the LMS into an app.

``LMS(app, url_prefix="/learn")`` or ``LMS().init_app(app)``. The extension keeps no
reference to an app; everything per app lives in ``app.extensions["lms"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from lms import config as lms_config
from lms.accounts.identity import Identity
from lms.accounts.throttle import warn_if_limits_in_memory
from lms.certificates.deployment import log_problems
from lms.core.i18n import init_i18n
from lms.extensions import limiter, login_manager
from lms.quizzes.types import QuestionTypeRegistry, default_registry
from lms.xapi.routing import ProjectorRouter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LMSState:
    """What the LMS knows about the app it is mounted in."""

    url_prefix: str
    identity_loader: Callable[[], Identity | None] | None
    host_login_endpoint: str | None
    host_logout_endpoint: str | None
    host_home_endpoint: str | None
    migrations_dir: Path
    question_types: QuestionTypeRegistry
    projectors: ProjectorRouter


def migrations_dir() -> Path:
    """The Alembic script folder: inside the package when installed, else the source tree's."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "migrations"
    return installed if (installed / "env.py").exists() else package_dir.parent / "migrations"


class LMS:
    """The learning-management system as a Flask extension."""

    def __init__(
        self,
        app: Flask | None = None,
        *,
        url_prefix: str | None = None,
        identity_loader: Callable[[], Identity | None] | None = None,
        host_login_endpoint: str | None = None,
        host_logout_endpoint: str | None = None,
        host_home_endpoint: str | None = None,
    ) -> None:
        if identity_loader is None and (host_login_endpoint or host_logout_endpoint):
            raise ValueError(
                "host_login_endpoint and host_logout_endpoint need identity_loader: without it the "
                "LMS signs people in and out itself."
            )
        self.url_prefix = url_prefix
        self.identity_loader = identity_loader
        self.host_login_endpoint = host_login_endpoint
        self.host_logout_endpoint = host_logout_endpoint
        self.host_home_endpoint = host_home_endpoint
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if "lms" in app.extensions:
            raise RuntimeError("The LMS is already registered on this app.")
        if "sqlalchemy" not in app.extensions:
            raise RuntimeError("Register Flask-SQLAlchemy on the app before the LMS: SQLAlchemy(app).")
        base_url_given = bool(app.config.get("LMS_BASE_URL"))
        lms_config.apply_defaults(app.config)
        log_problems(app.config, base_url_given=base_url_given)
        prefix = self.url_prefix if self.url_prefix is not None else app.config["LMS_URL_PREFIX"]
        prefix = prefix.rstrip("/")
        app.extensions["lms"] = LMSState(
            url_prefix=prefix,
            identity_loader=self.identity_loader,
            host_login_endpoint=self.host_login_endpoint,
            host_logout_endpoint=self.host_logout_endpoint,
            host_home_endpoint=self.host_home_endpoint,
            migrations_dir=migrations_dir(),
            question_types=default_registry(),
            projectors=_projectors(),
        )
        self._init_login(app)
        self._init_limiter(app)
        init_i18n(app)
        _enable_sqlite_pragmas(app)
        _register_blueprints(app, prefix)
        _register_cli(app)
        _connect_signals()

    def _init_login(self, app: Flask) -> None:
        if self.identity_loader is not None:
            return
        if getattr(app, "login_manager", None) is not None:
            raise RuntimeError(
                "The host app already uses Flask-Login. Pass identity_loader= to LMS() so the LMS "
                "uses the host's signed-in user instead of its own login."
            )
        login_manager.init_app(app)

    def _init_limiter(self, app: Flask) -> None:
        redis_url = app.config["LMS_REDIS_URL"]
        app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
        app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
        limiter.init_app(app)
        warn_if_limits_in_memory(app)


def _enable_sqlite_pragmas(app: Flask) -> None:
    """Foreign keys on, and WAL so readers never wait for a writer, for every SQLite engine."""
    with app.app_context():
        engines = app.extensions["sqlalchemy"].engines.values()
        for engine in engines:
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _register_blueprints(app: Flask, prefix: str) -> None:
    from lms.blueprint import lms_blueprint
    from lms.core.static import serve_static_without_session

    app.register_blueprint(lms_blueprint, url_prefix=prefix or None)
    serve_static_without_session(app)


def _projectors() -> ProjectorRouter:
    """The projectors ``xapi.record`` hands statements to: one router per app."""
    from lms.insights import projectors as insight_projectors
    from lms.progress import projectors
    from lms.progress.rebuild import rebuild

    router = ProjectorRouter()
    projectors.register(router)
    router.register_rederiver(rebuild)
    insight_projectors.register(router)
    return router


def _connect_signals() -> None:
    """Our own receivers; connecting the same function again is a no-op."""
    from lms.certificates.service import on_course_completed, on_statement_voided
    from lms.signals import course_completed, statement_voided

    course_completed.connect(on_course_completed)
    statement_voided.connect(on_statement_voided)


def _register_cli(app: Flask) -> None:
    from lms.cli import lms_cli

    app.cli.add_command(lms_cli)
