"""The standalone app: Flask, a database and the LMS, and nothing else."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import config as lms_config
from lms.certificates.deployment import require_base_url
from lms.core.compression import init_compression
from lms.core.errors import register_error_pages, render_server_error
from lms.core.migrate_cli import register_migrate_commands
from lms.core.security import add_security_headers, untrusted_host
from lms.extension import LMS, migrations_dir
from lms.extensions import csrf, db


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask("lms", instance_relative_config=True, static_folder=None)
    app.config.update(lms_config.from_environ())
    app.config.update(test_config or {})
    require_base_url(app.config)  # production (LMS_ENV) needs it: ADR 0022
    _configure(app, test_config or {})
    db.init_app(app)
    register_migrate_commands(app, str(migrations_dir()))
    csrf.init_app(app)
    LMS().init_app(app)
    _trust_proxies(app)
    register_error_pages(app)
    app.register_error_handler(Exception, render_server_error)
    app.register_error_handler(SecurityError, untrusted_host)
    app.after_request(add_security_headers)
    init_compression(app)
    return app


def _configure(app: Flask, given: dict[str, Any]) -> None:
    """Derive Flask's own settings from the LMS ones; keys given explicitly are kept."""
    config = app.config
    secure = config.get("LMS_SESSION_COOKIE_SECURE", lms_config.SETTINGS["LMS_SESSION_COOKIE_SECURE"].default)
    derived = {
        "SQLALCHEMY_DATABASE_URI": lambda: config.get("LMS_DATABASE_URL") or _default_database(app),
        "SECRET_KEY": lambda: config.get("LMS_SECRET_KEY") or _instance_secret_key(app),
        "SESSION_COOKIE_SECURE": lambda: secure,
        "REMEMBER_COOKIE_SECURE": lambda: secure,
        "SESSION_COOKIE_HTTPONLY": lambda: True,
        "SESSION_COOKIE_SAMESITE": lambda: "Lax",
        "REMEMBER_COOKIE_HTTPONLY": lambda: True,
        "REMEMBER_COOKIE_SAMESITE": lambda: "Lax",
        "MAX_CONTENT_LENGTH": lambda: 20 * 1024 * 1024,
        "TRUSTED_HOSTS": lambda: list(_setting(config, "LMS_TRUSTED_HOSTS")) or None,
        "PERMANENT_SESSION_LIFETIME": lambda: timedelta(hours=_setting(config, "LMS_SESSION_MAX_HOURS")),
    }
    for key, value in derived.items():
        if key not in given:
            config[key] = value()


def _setting(config, key: str) -> Any:
    return config.get(key, lms_config.SETTINGS[key].default)


def _trust_proxies(app: Flask) -> None:
    """Behind LMS_TRUSTED_PROXIES reverse proxies, take the client's address and scheme from them."""
    proxies = app.config["LMS_TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _default_database(app: Flask) -> str:
    os.makedirs(app.instance_path, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'lms.sqlite3'}"


def _instance_secret_key(app: Flask) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first run."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        os.makedirs(app.instance_path, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
