"""Every error under ``/api/v1`` is JSON: ``{"error": {"status": 404, "message": "..."}}``.

Three ways an error reaches a client, each answered here:

- an ``abort()`` or HTTP error in an API view or before-request hook: the blueprint's handlers,
  registered for each code (Flask prefers an app's or parent's handler for the code over our
  handler for the class) and for ``HTTPException``;
- an unexpected exception: the handler for ``Exception`` (logged, rolled back, a JSON 500);
- no route at all (an unknown path, a wrong method): Flask knows no blueprint then, so an
  app-wide before-request hook answers the routing error for paths under the API's prefix,
  and leaves every other path (the host's in plugin mode) to the app's own pages.
"""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import RequestRedirect

from lms.extensions import session

log = logging.getLogger(__name__)
CODES = (400, 401, 403, 404, 405, 409, 413, 429, 500)
API_PATH = "/api/v1"


def json_error(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lms"'
    return response


def _stock_message(error: HTTPException) -> str:
    """Our own words for Werkzeug's stock descriptions, in the client's language."""
    code = error.code or 500
    if code == 404:
        return _("No such address in the API. The paths are listed in /api/v1/openapi.json.")
    if code == 405:
        allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or ["GET"]))
        return _(
            "This address does not take %(method)s; use %(allowed)s.", method=request.method, allowed=allowed
        )
    if code == 413:
        return _("The request is too large.")
    if code == 429:
        return _("Too many requests (%(limit)s). Wait a minute and try again.", limit=error.description)
    if code >= 500:
        return _("Something went wrong on our side. The error has been logged; please try again later.")
    return _("The request could not be understood")


def handle_http_error(error: HTTPException):
    code = error.code or 500
    stock = type(error).description
    custom = error.description and error.description != stock and code != 429
    response = json_error(code, error.description if custom else _stock_message(error))
    for name, value in error.get_headers():  # e.g. Allow on a 405, Retry-After on a 429
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error in the API", exc_info=error)
    session.rollback()
    return handle_http_error(InternalServerError())


def is_api_path(path: str) -> bool:
    prefix = current_app.extensions["lms"].url_prefix + API_PATH
    return path == prefix or path.startswith(prefix + "/")


def answer_routing_error():
    """Before every request of the app: a JSON 404 or 405 for an API path that no route takes."""
    error = request.routing_exception
    if error is None or isinstance(error, RequestRedirect) or not is_api_path(request.path):
        return None
    return handle_http_error(error)


def register_api_errors(blueprint) -> None:
    for code in CODES:
        blueprint.register_error_handler(code, handle_http_error)
    blueprint.register_error_handler(HTTPException, handle_http_error)
    blueprint.register_error_handler(Exception, handle_unexpected_error)
    blueprint.before_app_request(answer_routing_error)
