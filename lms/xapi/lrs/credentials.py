"""LRS credentials: an administrator makes, lists and revokes the keys tools use at ``/xapi/``.

The admin pages and ``flask lms xapi credentials ...`` call these functions, so both are held to
the same rule (administrators only, ADR 0023) and both leave the same audit entries. The secret
is returned once, at creation, and only its SHA-256 hash is kept.
"""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.routing import BuildError

from lms.accounts import policy
from lms.accounts.models import Role, User
from lms.audit.service import audit
from lms.core.urls import public_url
from lms.extensions import session
from lms.xapi.lrs.auth import SCOPES, digest
from lms.xapi.lrs.models import LrsCredential

log = logging.getLogger(__name__)
MAX_NAME = 200
MANAGE_LRS_CREDENTIALS = policy.Permission(
    (Role.ADMIN,), _l("Only an administrator may manage LRS credentials."), scoped=False
)


class CredentialError(ValueError):
    """A credential that cannot be made or revoked; the message says why, ``field`` about what."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


def create_credential(name: str, scopes: list[str], by: User | None) -> tuple[LrsCredential, str]:
    """A new credential; returns the row and its plain secret, which is never stored."""
    policy.require(by, MANAGE_LRS_CREDENTIALS)
    name = (name or "").strip()
    if not name:
        raise CredentialError(_("Give the credentials a name, e.g. the tool that will use them."))
    if len(name) > MAX_NAME:
        raise CredentialError(_("The name is too long: at most %(n)d characters.", n=MAX_NAME))
    chosen = _checked_scopes(scopes)
    secret = secrets.token_urlsafe(32)
    credential = LrsCredential(
        name=name,
        key=secrets.token_hex(12),
        secret_sha256=digest(secret),
        scopes=chosen,
        created_at=datetime.now(UTC),
        created_by_id=by.id,
    )
    session.add(credential)
    session.flush()
    audit(by, "lrs_credential.create", f"lrs_credential:{credential.key}", name=name, scopes=chosen)
    log.info("LRS credential %s (%s) created by user %s", credential.key, name, by.id)
    return credential, secret


def revoke_credential(credential: LrsCredential, by: User | None) -> None:
    """Revoke it: requests with it are refused (401) from now on."""
    policy.require(by, MANAGE_LRS_CREDENTIALS)
    if not credential.is_active:
        raise CredentialError(_("The credentials %(key)s are already revoked.", key=credential.key))
    credential.revoked_at = datetime.now(UTC)
    session.flush()
    audit(by, "lrs_credential.revoke", f"lrs_credential:{credential.key}", name=credential.name)
    log.warning("LRS credential %s (%s) revoked by user %s", credential.key, credential.name, by.id)


def all_credentials() -> list[LrsCredential]:
    """Every credential, newest first (revoked ones too: the list is their history)."""
    return list(session.scalars(select(LrsCredential).order_by(LrsCredential.id.desc())))


def find_by_key(key: str) -> LrsCredential | None:
    return session.scalar(select(LrsCredential).where(LrsCredential.key == (key or "").strip()))


def creators(credentials: list[LrsCredential]) -> dict[int, User]:
    """The users who made these credentials, by id (one query for the list page)."""
    ids = {c.created_by_id for c in credentials if c.created_by_id}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def endpoint_url() -> str:
    """The LRS endpoint a tool is configured with (``.../xapi/``), built on ``LMS_BASE_URL``."""
    try:
        about = public_url("lms.lrs.about")
    except BuildError:  # the About resource is not registered: the LMS's root plus xapi/
        return public_url("lms.core.home").rstrip("/") + "/xapi/"
    return about.removesuffix("about")


def basic_header(key: str, secret: str) -> str:
    """The ``Authorization`` header value a tool sends with these credentials."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")


def _checked_scopes(scopes: list[str]) -> list[str]:
    chosen = [s.strip() for s in scopes or () if s and s.strip()]
    unknown = sorted(set(chosen) - set(SCOPES))
    if unknown:
        raise CredentialError(_("Unknown scope: %(scopes)s.", scopes=", ".join(unknown)), "scopes")
    if not chosen:
        raise CredentialError(_("Choose at least one scope."), "scopes")
    return [s for s in SCOPES if s in chosen]
