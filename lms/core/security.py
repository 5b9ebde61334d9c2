"""Security and caching headers on every LMS response.

- The headers of :data:`HEADERS` (Content-Security-Policy and friends), unless already set;
- ``Strict-Transport-Security`` on responses served over HTTPS (``LMS_HSTS_MAX_AGE``; 0 sends
  none). Behind a reverse proxy that terminates TLS, ``LMS_TRUSTED_PROXIES`` lets the app see
  that a request came over HTTPS;
- the caching rule of ADR 0033: a static file keeps what :mod:`lms.core.static` set
  (fingerprinted: public and immutable); a response whose view chose a lifetime (a positive
  ``max-age``, e.g. a course's content-addressed media) keeps it but only for the browser
  (``private``); every other response (pages, reports, exports, transcripts, records,
  certificates, the API) is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from flask import Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "frame-src 'none'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
NO_STORE = "no-store"


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    _add_hsts(response)
    _apply_cache_rule(response)
    return response


def _add_hsts(response: Response) -> None:
    max_age = current_app.config.get("LMS_HSTS_MAX_AGE", 0)
    if request.is_secure and max_age:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(max_age)}")


def _apply_cache_rule(response: Response) -> None:
    if _is_static_file():
        return
    cache = response.cache_control
    if cache.max_age and not cache.no_store:
        cache.public = False
        cache.private = True
        return
    response.headers["Cache-Control"] = NO_STORE
    response.headers.pop("Expires", None)


def _is_static_file() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def untrusted_host(_error: Exception) -> Response:
    """A request for a Host not in ``LMS_TRUSTED_HOSTS``: a plain 400 (no page is built, since
    URLs cannot be built for a host the app does not serve)."""
    body = "ไม่รู้จักชื่อโฮสต์นี้ (Host) / This host name is not served here.\n"
    response = Response(body, 400, mimetype="text/plain")
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Cache-Control"] = NO_STORE
    return response
