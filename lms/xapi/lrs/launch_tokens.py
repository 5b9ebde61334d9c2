"""Launch tokens: the LRS access the LMS gives to content it launches, for one learner.

When we launch content (cmi5's fetch URL, the cmi5 issue), the content gets a token that is
random, short-lived (``LMS_LRS_LAUNCH_TOKEN_MINUTES``) and kept only as a SHA-256 hash. The
content sends ``Authorization: Basic base64(token + ":")`` (cmi5's ``auth-token`` is that
base64 value). ``lms.xapi.lrs.auth`` turns a valid token into a ``Principal`` of kind
``launch`` with the learner's actor and the launch's registration: it may write statements
about that learner only, read that learner's statements, and keep that learner's state.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.extensions import session
from lms.xapi.lrs.launch_models import LrsLaunchToken

TOKEN_PREFIX = "lt_"  # noqa: S105 (a marker telling launch tokens from credential keys)
MAX_MINUTES = 7 * 24 * 60


class LaunchTokenError(ValueError):
    """A launch token that cannot be issued; the message says why."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_launch_token(
    user: User, activity_id: str, registration: str | None = None, minutes: int | None = None
) -> str:
    """A new token for ``user``'s launch of ``activity_id``; returns the plain token (not stored).

    The caller commits. ``registration`` (a UUID) binds the token's statements to that attempt.
    """
    if user is None or not user.is_active:
        raise LaunchTokenError("Launch tokens are only for active users.")
    activity_id = (activity_id or "").strip()
    if ":" not in activity_id:
        raise LaunchTokenError(f"{activity_id!r} is not an activity id (an IRI).")
    minutes = current_app.config["LMS_LRS_LAUNCH_TOKEN_MINUTES"] if minutes is None else minutes
    if not 1 <= int(minutes) <= MAX_MINUTES:
        raise LaunchTokenError(f"A launch token lasts between 1 and {MAX_MINUTES} minutes.")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(
        LrsLaunchToken(
            token_sha256=digest(plain),
            user_id=user.id,
            activity_id=activity_id,
            registration=_registration(registration),
            created_at=now,
            expires_at=now + timedelta(minutes=int(minutes)),
        )
    )
    session.flush()
    return plain


def auth_token(plain: str) -> str:
    """The value content puts after ``Basic `` (cmi5's fetch URL answers ``{"auth-token": ...}``)."""
    return base64.b64encode(f"{plain}:".encode()).decode("ascii")


def authorization(plain: str) -> str:
    """The whole ``Authorization`` header value for this token."""
    return "Basic " + auth_token(plain)


def is_launch_token(key: str) -> bool:
    return key.startswith(TOKEN_PREFIX)


def valid_token(plain: str) -> LrsLaunchToken | None:
    """The stored token for ``plain`` if it is unexpired, unrevoked and its learner active."""
    token = session.scalar(select(LrsLaunchToken).where(LrsLaunchToken.token_sha256 == digest(plain)))
    if token is None or not token.is_valid(datetime.now(UTC)) or not token.user.is_active:
        return None
    return token


def revoke_launch_token(plain: str) -> bool:
    """Revoke one token (e.g. when its session ends); whether there was one to revoke."""
    done = session.execute(
        update(LrsLaunchToken)
        .where(LrsLaunchToken.token_sha256 == digest(plain), LrsLaunchToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return done.rowcount > 0


def revoke_launch_tokens(user_id: int, registration: str | None = None) -> int:
    """Revoke a learner's tokens (of one registration, if given); how many were revoked."""
    stmt = update(LrsLaunchToken).where(
        LrsLaunchToken.user_id == user_id, LrsLaunchToken.revoked_at.is_(None)
    )
    if registration is not None:
        stmt = stmt.where(LrsLaunchToken.registration == _registration(registration))
    return session.execute(stmt.values(revoked_at=datetime.now(UTC))).rowcount


def _registration(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise LaunchTokenError(f"{value!r} is not a registration (a UUID).") from None
