"""Who is asking the LRS, with which xAPI scopes, and as which authority.

Three ways in:
- HTTP Basic with an LRS credential an administrator made (``lms_lrs_credentials``): the
  credential's scopes; its authority is an Agent naming the credential;
- a signed-in LMS user's session (our own pages' scripts): they write and read their own
  statements and state; the authority is the LMS itself;
- (later) short-lived launch tokens for content we launch (the cmi5 issue).

Scopes are xAPI's (Communication 4.2): ``statements/write``, ``statements/read/mine``,
``statements/read``, ``state``, ``define``, ``profile``, ``all/read``, ``all``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import g
from sqlalchemy import select

from lms.accounts.access import current_lms_user
from lms.extensions import session
from lms.xapi.lrs import protocol
from lms.xapi.lrs.errors import Forbidden, Unauthorized
from lms.xapi.lrs.models import LrsCredential

SCOPES = (
    "statements/write",
    "statements/read/mine",
    "statements/read",
    "state",
    "define",
    "profile",
    "all/read",
    "all",
)
IMPLIED = {
    "all": set(SCOPES),
    "all/read": {"statements/read", "statements/read/mine"},
    "statements/read": {"statements/read/mine"},
}
SESSION_SCOPES = frozenset({"statements/write", "statements/read/mine", "state"})
CHALLENGE = {"WWW-Authenticate": 'Basic realm="xAPI"'}


@dataclass(frozen=True)
class Principal:
    """The one asking: how they signed in, their scopes and the authority their statements get."""

    kind: str
    scopes: frozenset[str]
    authority: dict[str, Any]
    user_id: int | None = None
    credential_id: int | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes or any(scope in IMPLIED.get(s, ()) for s in self.scopes)

    @property
    def reads_only_own(self) -> bool:
        """Whether statement reads are limited to those this principal's authority stored."""
        return not self.has("statements/read")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def current_principal() -> Principal:
    found = g.get("lrs_principal")
    if found is None:
        found = g.lrs_principal = authenticate(protocol.current())
    return found


def authenticate(lrs: protocol.LrsRequest) -> Principal:
    header = lrs.headers.get("Authorization")
    if header:
        return _basic(header)
    user = current_lms_user()
    if user is not None:
        return Principal("session", SESSION_SCOPES, lms_authority(), user_id=user.id)
    raise Unauthorized("Authentication is required: HTTP Basic with LRS credentials.", headers=CHALLENGE)


def require(*scopes: str) -> Callable:
    """Let the view run only for a principal holding one of ``scopes``."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if not any(principal.has(scope) for scope in scopes):
                raise Forbidden(f"These credentials lack the scope for this request ({' or '.join(scopes)}).")
            return view(*args, **kwargs)

        return guarded

    return decorate


def lms_authority() -> dict[str, Any]:
    """The authority of statements our own pages send: the LMS itself, as an account."""
    from flask import current_app

    home = current_app.config.get("LMS_BASE_URL") or "http://127.0.0.1:5000"
    return {"objectType": "Agent", "account": {"homePage": home, "name": "lms"}}


def credential_authority(credential: LrsCredential) -> dict[str, Any]:
    from flask import current_app

    home = current_app.config.get("LMS_BASE_URL") or "http://127.0.0.1:5000"
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": f"{home.rstrip('/')}/xapi/credentials", "name": credential.key},
    }


def _basic(header: str) -> Principal:
    kind, _, value = header.partition(" ")
    if kind.lower() != "basic" or not value:
        raise Unauthorized("Use HTTP Basic authentication with LRS credentials.", headers=CHALLENGE)
    try:
        key, _, secret = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("The Authorization header is not valid HTTP Basic.", headers=CHALLENGE) from None
    credential = session.scalar(select(LrsCredential).where(LrsCredential.key == key))
    if (
        credential is None
        or not credential.is_active
        or not hmac.compare_digest(credential.secret_sha256, digest(secret))
    ):
        raise Unauthorized("These LRS credentials are unknown or revoked.", headers=CHALLENGE)
    return Principal(
        "credential",
        frozenset(credential.scopes),
        credential_authority(credential),
        credential_id=credential.id,
    )
