"""Absolute URLs of LMS pages, built on ``LMS_BASE_URL``, never on the request's Host header.

A client chooses the Host header it sends, so a URL built from it (``url_for(...,
_external=True)`` in a request) can point anywhere: a forged Host would put the attacker's
site into the API's ``next`` links or the OpenAPI ``servers``. These URLs take the scheme,
host, port (and path, when the app is served below one) of ``LMS_BASE_URL`` and the LMS's own
URL rules (its mount prefix included), in a request or outside one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """``endpoint``'s absolute URL on ``LMS_BASE_URL``; extra ``values`` become the query."""
    base = urlsplit(current_app.config["LMS_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
