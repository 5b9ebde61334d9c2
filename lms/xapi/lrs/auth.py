"""Who is asking the LRS, with which xAPI scopes, and as which authority.

Three ways in:
- HTTP Basic with an LRS credential an administrator made (``lms_lrs_credentials``): the
  credential's scopes; its authority is an Agent naming the credential;
- a signed-in LMS user's session (our own pages' scripts): they write and read their own
  statements and state; the authority is the LMS itself;
- a short-lived launch token for content we launch (``launch_tokens``; cmi5's fetch URL), sent
  as HTTP Basic ``base64(token + ":")``: the learner's statements and state; authority the LMS.

Session and launch principals carry the learner's ``actor`` (and a launch its ``registration``):
``check_statement`` refuses a statement about anyone else, ``owns_agent`` tells whether a
document's agent is theirs, and for them "mine" (``statements/read/mine``) means the statements
whose actor is ``actor``, since their authority is the LMS itself, shared with every learner.

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
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from flask import g
from sqlalchemy import select, update

from lms.accounts.access import current_lms_user
from lms.extensions import session
from lms.xapi.lrs import launch_tokens, protocol
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
LAUNCH_SCOPES = SESSION_SCOPES
LAST_USED_EVERY = timedelta(minutes=1)
CHALLENGE = {"WWW-Authenticate": 'Basic realm="xAPI"'}


@dataclass(frozen=True)
class Principal:
    """The one asking: how they signed in, their scopes and the authority their statements get."""

    kind: str
    scopes: frozenset[str]
    authority: dict[str, Any]
    user_id: int | None = None
    credential_id: int | None = None
    actor: dict[str, Any] | None = None  # session and launch: the only agent they act as
    registration: str | None = None  # launch: the registration its statements must carry
    activity_id: str | None = None  # launch: the activity that was launched

    def has(self, scope: str) -> bool:
        return scope in self.scopes or any(scope in IMPLIED.get(s, ()) for s in self.scopes)

    def owns_agent(self, agent: Any) -> bool:
        """Whether ``agent`` (a statement's actor, a document's agent) is one this principal may
        act as: anyone for a credential, only the learner's own account for a session or launch."""
        return self.actor is None or same_account(agent, self.actor)

    def check_statement(self, statement: dict[str, Any]) -> None:
        """Refuse (403) a statement this principal may not send: about another learner, or, from
        a launch, outside its registration. Call it for each statement before storing any."""
        if not self.owns_agent(statement.get("actor")):
            raise Forbidden("These credentials may only send statements whose actor is their own learner.")
        if self.registration is not None:
            context = statement.get("context")
            found = context.get("registration") if isinstance(context, dict) else None
            if str(found).lower() != self.registration:
                raise Forbidden(f"Statements of this launch must have the registration {self.registration}.")

    @property
    def reads_only_own(self) -> bool:
        """Whether statement reads are limited to this principal's own: for a credential, those
        its authority stored; for a session or launch (``actor`` set), those about ``actor``."""
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
        return Principal(
            "session", SESSION_SCOPES, lms_authority(), user_id=user.id, actor=learner_actor(user)
        )
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


def learner_actor(user) -> dict[str, Any]:
    """The learner as our own statements name them: an opaque account (lms.xapi.builder.actor)."""
    from flask import current_app

    from lms.xapi.builder import actor

    return actor(current_app.config["LMS_BASE_URL"], user.uuid)


def same_account(agent: Any, actor: dict[str, Any]) -> bool:
    """Whether ``agent`` is the Agent with ``actor``'s account (homePage and name)."""
    if not isinstance(agent, dict) or agent.get("objectType", "Agent") != "Agent":
        return False
    account, wanted = agent.get("account"), actor["account"]
    return (
        isinstance(account, dict)
        and account.get("homePage") == wanted["homePage"]
        and account.get("name") == wanted["name"]
    )


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
    if launch_tokens.is_launch_token(key):
        if secret:
            raise Unauthorized("A launch token is sent as Basic base64(token + ':').", headers=CHALLENGE)
        return launch_principal(key)
    credential = session.scalar(select(LrsCredential).where(LrsCredential.key == key))
    if (
        credential is None
        or not credential.is_active
        or not hmac.compare_digest(credential.secret_sha256, digest(secret))
    ):
        raise Unauthorized("These LRS credentials are unknown or revoked.", headers=CHALLENGE)
    _note_use(credential)
    return Principal(
        "credential",
        frozenset(credential.scopes),
        credential_authority(credential),
        credential_id=credential.id,
    )


def launch_principal(token: str) -> Principal:
    """The principal of a launch token: its learner's actor and registration; 401 if invalid."""
    found = launch_tokens.valid_token(token)
    if found is None:
        raise Unauthorized("This launch token is unknown, expired or revoked.", headers=CHALLENGE)
    return Principal(
        "launch",
        LAUNCH_SCOPES,
        lms_authority(),
        user_id=found.user_id,
        actor=learner_actor(found.user),
        registration=found.registration,
        activity_id=found.activity_id,
    )


def _note_use(credential: LrsCredential) -> None:
    """Keep ``last_used_at`` to the minute: one write per credential per minute, not per request.

    It is committed at once, before the request writes anything (so nothing else is in the
    transaction); the conditional UPDATE lets only one of several concurrent requests write."""
    now = datetime.now(UTC)
    if credential.last_used_at is not None and now - credential.last_used_at < LAST_USED_EVERY:
        return
    stale = LrsCredential.last_used_at.is_(None) | (LrsCredential.last_used_at < now - LAST_USED_EVERY)
    session.execute(
        update(LrsCredential).where(LrsCredential.id == credential.id, stale).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )
    session.commit()
