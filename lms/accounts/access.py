"""Who is signed in, and the checks every LMS view makes.

Standalone, the LMS's own Flask-Login session says who is signed in. In plugin mode a host
may pass ``identity_loader``: a callable returning an :class:`~lms.accounts.service.Identity`
(or None), which is mapped to an LMS profile by external id on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from lms.accounts.models import User
from lms.accounts.service import profile_for_identity
from lms.extensions import session


def lms_state():
    return current_app.extensions["lms"]


def load_current_user() -> None:
    """Resolve the signed-in LMS user into ``g.lms_user`` (before each LMS request)."""
    loader = lms_state().identity_loader
    user = None
    if loader is not None:
        identity = loader()
        if identity is not None:
            user, changed = profile_for_identity(identity)
            if changed:
                session.commit()
    elif current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    g.lms_user = user if (user is not None and user.is_active) else None


def current_lms_user() -> User | None:
    return g.get("lms_user")


def login_url() -> str:
    state = lms_state()
    if state.identity_loader is not None and state.host_login_endpoint:
        return url_for(state.host_login_endpoint, next=request.full_path)
    return url_for("lms.accounts.login", next=request.full_path)


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_lms_user() is None:
            return redirect(login_url())
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
