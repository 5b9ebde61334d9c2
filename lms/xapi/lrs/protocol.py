"""One LRS request as the resources read it, whatever syntax it came in.

xAPI 1.0.3 (Communication, 1.3 "Alternate Request Syntax") lets a browser send any request as a
form POST: ``POST /xapi/statements?method=PUT`` with the headers, the query parameters and the
body (``content``) as form fields. :func:`read_request` folds both syntaxes into one
:class:`LrsRequest`, so a resource never looks at ``flask.request`` directly.

Headers sent as real headers count too; a form field of the same name wins (the suite's
clients send ``Authorization`` and the version both ways).

Every response names the version (``X-Experience-API-Version: 1.0.3``); a request must name one
of the 1.0.x versions, except for ``/about``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Request, g, request
from werkzeug.datastructures import Headers, MultiDict

from lms.xapi.lrs.errors import BadRequest

VERSION = "1.0.3"
SUPPORTED_VERSIONS = frozenset({"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0"})
ALTERNATE_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "HEAD"})
FORM_HEADERS = (
    "Authorization",
    "X-Experience-API-Version",
    "Content-Type",
    "Content-Length",
    "If-Match",
    "If-None-Match",
)
VERSIONLESS_ENDPOINTS = frozenset({"lms.lrs.about"})


@dataclass
class LrsRequest:
    """The method, parameters, headers and body a resource acts on."""

    method: str
    args: MultiDict
    headers: Headers
    body: bytes
    alternate: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def version(self) -> str | None:
        return self.headers.get("X-Experience-API-Version")


def current() -> LrsRequest:
    """The request being answered (read once per request)."""
    found = g.get("lrs_request")
    if found is None:
        found = g.lrs_request = read_request(request)
    return found


def read_request(req: Request) -> LrsRequest:
    method = req.method.upper()
    if method == "POST" and "method" in req.args:
        return _alternate(req)
    return LrsRequest(method, MultiDict(req.args), Headers(req.headers), req.get_data(cache=True))


def _alternate(req: Request) -> LrsRequest:
    method = req.args.get("method", "").upper()
    if method not in ALTERNATE_METHODS:
        raise BadRequest(f"method={req.args.get('method')!r} is not one of GET, PUT, POST, DELETE, HEAD.")
    if len(req.args) != 1 or len(req.args.getlist("method")) != 1:
        raise BadRequest("With the alternate request syntax, 'method' must be the only query parameter.")
    if (req.mimetype or "") != "application/x-www-form-urlencoded":
        raise BadRequest(
            "The alternate request syntax needs Content-Type: application/x-www-form-urlencoded."
        )
    form = MultiDict(req.form)
    headers = Headers(req.headers)
    headers.remove("Content-Type")
    headers.remove("Content-Length")
    for name in FORM_HEADERS:
        for key in [k for k in form if k.lower() == name.lower()]:
            headers[name] = form.pop(key)
    if "Content-Type" not in headers and "content" in form:
        headers["Content-Type"] = "application/json"
    body = form.pop("content", "").encode("utf-8")
    return LrsRequest(method, form, headers, body, alternate=True)


def check_version(lrs: LrsRequest, endpoint: str | None) -> None:
    if endpoint in VERSIONLESS_ENDPOINTS:
        return
    if lrs.version is None:
        raise BadRequest("The X-Experience-API-Version header is required (this LRS speaks 1.0.3).")
    if lrs.version.strip() not in SUPPORTED_VERSIONS:
        raise BadRequest(f"X-Experience-API-Version {lrs.version!r} is not supported; use 1.0.3.")
