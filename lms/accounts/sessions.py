"""The LMS's own sign-in session (standalone mode): its epoch, idle timeout and lifetime.

At sign-in the session records the user's ``session_epoch``, when it began and when it was
last used. On every request :func:`check` ends a session whose epoch is no longer the user's
(signed out, password changed or reset, account deactivated), that has been idle longer than
``LMS_SESSION_IDLE_MINUTES`` or that began more than ``LMS_SESSION_MAX_HOURS`` ago (ADR 0029).
Remember-me cookies are not used: a session without an epoch is not accepted.
"""

from __future__ import annotations

import time

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from lms.accounts.models import User

EPOCH = "lms_epoch"
SIGNED_IN_AT = "lms_signed_in_at"
SEEN_AT = "lms_seen_at"
SEEN_RESOLUTION_SECONDS = 60


def start(user: User) -> None:
    """Sign the user in for this browser, in the user's current epoch."""
    login_user(user, remember=False)
    now = int(time.time())
    session.permanent = True
    session[EPOCH] = user.session_epoch
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def renew_epoch(user: User) -> None:
    """Keep this session signed in after the user's epoch was raised (a password change)."""
    session[EPOCH] = user.session_epoch


def end() -> None:
    logout_user()
    for key in (EPOCH, SIGNED_IN_AT, SEEN_AT):
        session.pop(key, None)


def check(user: User) -> User | None:
    """The user if this session is still theirs; else end it and say why, and answer None."""
    reason = _expired_because(user)
    if reason is None:
        now = int(time.time())
        if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now  # to the minute: the cookie is not re-sent on every request
        return user
    end()
    if reason:
        flash(reason, "info")
    return None


def _expired_because(user: User) -> str | None:
    """Why the session has ended ('' for no message to show), or None while it holds."""
    if EPOCH not in session:
        return ""
    if session[EPOCH] != user.session_epoch:
        return _("Your session has ended. Please sign in again.")
    config = current_app.config
    now = time.time()
    idle_minutes = config["LMS_SESSION_IDLE_MINUTES"]
    if now - session.get(SEEN_AT, 0) > idle_minutes * 60:
        return _("You were signed out after %(n)d minutes without activity.", n=idle_minutes)
    max_hours = config["LMS_SESSION_MAX_HOURS"]
    if now - session.get(SIGNED_IN_AT, 0) > max_hours * 3600:
        return _("You were signed out %(n)d hours after signing in. Please sign in again.", n=max_hours)
    return None
