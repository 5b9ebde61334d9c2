"""Who is signed in, and the checks every LMS view makes.

Standalone, the LMS's own Flask-Login session says who is signed in. In plugin mode a host
may pass ``identity_loader``: a callable returning an :class:`~lms.accounts.identity.Identity`
(or None), which is mapped to an LMS profile by external id on every request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from lms.accounts import sessions
from lms.accounts.identity import profile_for_identity
from lms.accounts.models import User
from lms.accounts.service import AccountError
from lms.extensions import session

log = logging.getLogger(__name__)


def lms_state():
    return current_app.extensions["lms"]


#: The pages a user whose password was reset may still open before changing it.
OPEN_WHILE_PASSWORD_MUST_CHANGE = {
    "lms.accounts.change_password",
    "lms.accounts.logout",
    "lms.core.set_language",
    "lms.static",
}


def load_current_user():
    """Resolve the signed-in LMS user into ``g.lms_user`` (before each LMS request).

    Standalone, the session must still be valid (its epoch, idle time and age: see
    ``sessions.check``), and a user whose password was reset is sent to change it first.
    """
    if (request.endpoint or "").endswith(".static"):
        return None  # the same file for everyone: no session read, no Vary: Cookie (ADR 0033)
    loader = lms_state().identity_loader
    user = None
    if loader is not None:
        user = _host_profile(loader)
    elif current_user and current_user.is_authenticated:
        user = sessions.check(current_user._get_current_object())
    g.lms_user = user if (user is not None and user.is_active) else None
    if loader is None and g.lms_user is not None and g.lms_user.must_change_password:
        return _password_change_first()
    return None


def _host_profile(loader: Callable) -> User | None:
    """The profile of the host's signed-in user. One the LMS cannot give them (deactivated, or
    its email held by another host identity) is a 403: the host's login would send them back."""
    identity = loader()
    if identity is None:
        return None
    try:
        user, changed = profile_for_identity(identity)
    except AccountError as exc:
        session.rollback()
        log.warning("host identity %s refused: %s", identity.external_id, exc)
        abort(403)
    if changed:
        session.commit()
    if not user.is_active:
        abort(403)
    return user


def _password_change_first():
    if request.endpoint in OPEN_WHILE_PASSWORD_MUST_CHANGE or (request.blueprint or "") == "lms.api":
        return None
    return redirect(url_for("lms.accounts.change_password"))


def host_signs_in() -> bool:
    """Plugin mode with ``identity_loader``: the host signs people in and out, not the LMS."""
    return lms_state().identity_loader is not None


@dataclass(frozen=True)
class HeaderLinks:
    """The header's links that depend on who signs people in (see ``base.html``)."""

    host_home_url: str | None
    sign_out: bool
    own_password: bool


def header_links() -> HeaderLinks:
    """Standalone: the LMS's sign-out and password pages. With ``identity_loader``: sign-out
    only when the host gave ``host_logout_endpoint``, no password page; a link back to the host
    wherever ``host_home_endpoint`` is set."""
    state = lms_state()
    host = host_signs_in()
    return HeaderLinks(
        host_home_url=url_for(state.host_home_endpoint) if state.host_home_endpoint else None,
        sign_out=not host or bool(state.host_logout_endpoint),
        own_password=not host,
    )


def current_lms_user() -> User | None:
    return g.get("lms_user")


def _here() -> str:
    """This page's path and query string, without the bare ``?`` of an empty query."""
    return request.full_path.removesuffix("?")


def login_url() -> str:
    state = lms_state()
    if state.identity_loader is not None and state.host_login_endpoint:
        return url_for(state.host_login_endpoint, next=_here())
    return url_for("lms.accounts.login", next=_here())


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_lms_user() is None:
            return redirect(login_url())
        return view(*args, **kwargs)

    return wrapped


def own_accounts_only(view: Callable) -> Callable:
    """A page of the LMS's own accounts (password change): not found when the host signs in."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if host_signs_in():
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: str) -> Callable:
    """Only a signed-in user holding one of these roles may use the view; others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_lms_user()
            if user is None:
                return redirect(login_url())
            if not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
