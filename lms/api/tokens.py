"""API tokens: created by (or for) an HR or admin user, shown once, stored as a SHA-256 hash.

A token acts as its user, with that user's roles and HR scope at the time of each call, so
changing a person's scope changes what their tokens reach. A revoked or expired token, or a
token whose user is inactive or no longer HR/admin, is refused.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import policy
from lms.accounts.models import Role, User
from lms.api.models import ApiToken
from lms.extensions import session

log = logging.getLogger(__name__)
TOKEN_PREFIX = "lms_"  # noqa: S105 (a marker, not a secret)
API_ROLES = (Role.HR.value, Role.ADMIN.value)
MAX_NAME = 100
MAX_DAYS = 3650


class TokenError(ValueError):
    """A token that cannot be created or revoked; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, *, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for USER; returns the row and the plain token, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, e.g. the system that will use it.")
    if len(name) > MAX_NAME:
        raise TokenError(f"The name is too long: at most {MAX_NAME} characters.")
    if not user.has_role(*API_ROLES):
        raise TokenError(f"{user.email} is not an HR or admin user; only they may have API tokens.")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(f"A token lasts between 1 and {MAX_DAYS} days.")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_digest(plain),
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    log.info("API token %s (%s) created for user %s", token.id, token.prefix, user.id)
    return token, plain


def revoke_token(token: ApiToken, by: User) -> None:
    """Revoke it; only its owner or an administrator may (``policy.NotAllowed`` otherwise)."""
    policy.require_owner_or_admin(
        by,
        token.user_id,
        _("Only the owner of token %(prefix)s… or an administrator may revoke it.", prefix=token.prefix),
    )
    if token.revoked_at is not None:
        raise TokenError(f"Token {token.prefix}… is already revoked.")
    token.revoked_at = datetime.now(UTC)
    session.flush()
    log.warning("API token %s (%s) revoked by user %s", token.id, token.prefix, by.id)


def user_for_token(plain: str) -> User | None:
    """The active HR/admin user a presented token acts as, or None."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    now = datetime.now(UTC)
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    user = token.user
    if not user.is_active or not user.has_role(*API_ROLES):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now  # at most one write a minute per token
        session.commit()
    return user


def tokens_visible_to(user: User) -> list[ApiToken]:
    """An admin sees every token; anyone else their own."""
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc())
    if not user.has_role(Role.ADMIN):
        stmt = stmt.where(ApiToken.user_id == user.id)
    return list(session.scalars(stmt))


def may_revoke(token: ApiToken, user: User) -> bool:
    return policy.is_owner_or_admin(user, token.user_id)
