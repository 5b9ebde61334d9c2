"""The LRS blueprint, at ``/xapi/`` under the LMS's prefix: JSON errors, versions, CORS.

Each resource module has ``register(bp)``. CSRF tokens do not apply (xAPI clients send none):
credentials come in the Authorization header, and a session-authenticated request must come
from our own pages (CORS never allows credentials from other origins).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException

from lms.extensions import csrf, session
from lms.xapi.lrs import about, documents, protocol, statements
from lms.xapi.lrs.errors import LrsError

log = logging.getLogger(__name__)
lrs_blueprint = Blueprint("lrs", __name__, url_prefix="/xapi")
csrf.exempt(lrs_blueprint)
for module in (about, statements, documents):
    module.register(lrs_blueprint)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, If-Match, If-None-Match, X-Experience-API-Version, "
        "X-Experience-API-Consistent-Through"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"
    ),
}


@lrs_blueprint.before_request
def read_and_check():
    if request.method == "OPTIONS":
        return current_app.response_class(status=204)
    protocol.check_version(protocol.current(), request.endpoint)
    return None


@lrs_blueprint.after_request
def add_headers(response):
    response.headers["X-Experience-API-Version"] = protocol.VERSION
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@lrs_blueprint.errorhandler(LrsError)
def lrs_error(error: LrsError):
    return error.response()


@lrs_blueprint.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Werkzeug's errors (404, 405, 413...) in the LRS's JSON, with the spec's codes."""
    return LrsError(error.description or error.name, status=error.code or 500).response()


@lrs_blueprint.errorhandler(Exception)
def unexpected_error(error: Exception):
    """A fault of ours still answers in the LRS's JSON (a client cannot read the HTML page)."""
    if isinstance(error, HTTPException):
        return http_error(error)
    log.exception("LRS: unhandled error", exc_info=error)
    session.rollback()
    return LrsError(
        "The LRS failed to answer; nothing was stored. The error has been logged.", 500
    ).response()
