"""Error pages in the visitor's language."""

from __future__ import annotations

import logging

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import session

log = logging.getLogger(__name__)

PAGES = (400, 403, 404, 409, 429, 500)


def render_error(error: HTTPException):
    code = error.code or 500
    if code not in PAGES:
        return error
    return render_template("lms/core/error.html", code=code, description=_describe(error)), code


def render_csrf_error(error: CSRFError):
    return render_template("lms/core/error.html", code=400, description="csrf"), 400


def render_server_error(error: Exception):
    if isinstance(error, HTTPException):
        return render_error(error)
    log.exception("unhandled error", exc_info=error)
    # The page reads the signed-in user; after a failed flush the session must be rolled back
    # first, or rendering it fails too (PendingRollbackError) and the visitor gets a bare 500.
    session.rollback()
    return render_error(InternalServerError())


def _describe(error: HTTPException) -> str | None:
    """A description given with abort(code, description) is shown; the stock one is not."""
    stock = type(error).description
    return error.description if error.description != stock else None


def register_error_pages(target) -> None:
    """Register the pages on an app (standalone) or on the LMS blueprint (plugin)."""
    for code in PAGES:
        target.register_error_handler(code, render_error)
    target.register_error_handler(CSRFError, render_csrf_error)
