"""Bearer-token authentication for ``/api/v1``.

The API accepts only ``Authorization: Bearer <token>``; a browser session cookie is ignored,
so no API call can be made on a signed-in visitor's behalf by another site.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from lms.api.errors import json_error
from lms.api.tokens import user_for_token


def authenticate() -> None:
    """Before each API request: the token's user becomes the current LMS user."""
    g.lms_user = None
    if request.endpoint and request.endpoint.endswith(".openapi"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return json_error(401, _("Send an API token: 'Authorization: Bearer <token>'."))
    user = user_for_token(token.strip())
    if user is None:
        return json_error(
            401, _("The API token is unknown, revoked or expired, or its user may not use the API.")
        )
    g.lms_user = user
    return None
