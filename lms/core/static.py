"""Fingerprinted static files: cached for a year by browsers, never revalidated.

``url_for("lms.static", filename="css/lms.css")`` gets ``?v=<fingerprint>``: the first 12 hex
digits of the SHA-256 of the file, computed once per file per process. A request whose ``v``
matches the file's fingerprint is answered with ``Cache-Control: public, max-age=31536000,
immutable``; any other (no ``v``, or an old one) with ``no-cache``, so a browser revalidates it.
A changed file gets a new URL, so a cached copy is never stale. See ADR 0033.

The stylesheet names its fonts with the same fingerprint (``scripts/build_fonts.py`` writes it);
``tests/core/test_headers.py`` checks that it is the current one.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, request
from flask.sessions import SessionInterface

FINGERPRINT_ARG = "v"
STATIC_ENDPOINT = "lms.static"
ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"


@lru_cache(maxsize=256)
def fingerprint(folder: str | Path, filename: str) -> str | None:
    """The file's content fingerprint; ``None`` if there is no such file in ``folder``.

    Cached whole, path checks included: ``url_for`` asks for it several times on every page."""
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return None


class StaticBlueprint(Blueprint):
    """A blueprint whose static URLs carry a fingerprint and whose static files are served
    immutable when the fingerprint in the URL is the file's."""

    def send_static_file(self, filename: str) -> Response:
        response = super().send_static_file(filename)
        wanted = request.args.get(FINGERPRINT_ARG)
        if wanted and wanted == fingerprint(self.static_folder, filename) and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
            response.expires = None
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response

    def add_fingerprint(self, endpoint: str, values: dict[str, Any]) -> None:
        """A URL default: the fingerprint of a static file, unless the caller gave one."""
        if endpoint != f"{self.name}.static" or FINGERPRINT_ARG in values or "filename" not in values:
            return
        found = fingerprint(self.static_folder, values["filename"])
        if found:
            values[FINGERPRINT_ARG] = found


class SessionlessStaticFiles(SessionInterface):
    """The app's session interface, except that a response of the LMS's static files never
    saves the session: no ``Set-Cookie`` and no ``Vary: Cookie`` on a public, immutable file.

    Flask adds ``Vary: Cookie`` to any response of a request that touched the session, and
    Flask-Login touches it on every request. The session cookie changes on every page view (the
    idle time is kept in it), so a browser would revalidate every cached file it has after each
    page. Wraps whatever interface the app (or a host app) has.
    """

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def open_session(self, app, request):
        return self.inner.open_session(app, request)

    def make_null_session(self, app):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj: object) -> bool:
        return self.inner.is_null_session(obj)

    def save_session(self, app, session, response) -> None:
        if request.endpoint == STATIC_ENDPOINT:
            return
        self.inner.save_session(app, session, response)


def serve_static_without_session(app: Flask) -> None:
    if not isinstance(app.session_interface, SessionlessStaticFiles):
        app.session_interface = SessionlessStaticFiles(app.session_interface)
