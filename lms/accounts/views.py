from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from lms.accounts import service, sessions, throttle
from lms.accounts.access import current_lms_user, host_signs_in, lms_state, login_required, own_accounts_only
from lms.accounts.forms import ChangePasswordForm, ConfirmForm, LoginForm
from lms.core.redirects import safe_next
from lms.extensions import login_manager, session


@login_manager.user_loader
def load_user(user_uuid: str):
    from sqlalchemy import select

    from lms.accounts.models import User

    return session.scalar(select(User).where(User.uuid == user_uuid, User.is_active.is_(True)))


def login_rate_limit() -> str:
    return current_app.config["LMS_LOGIN_RATE_LIMIT"]


def login_rate_key() -> str:
    return f"lms-login:{get_remote_address()}"


def login():
    if lms_state().identity_loader is not None:
        abort(404)
    form = LoginForm()
    if form.validate_on_submit():
        refused = throttle.seconds_refused(form.email.data)
        if refused:
            return _login_refused(form, refused)
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            throttle.record_success(form.email.data)
            session.commit()
            sessions.start(user)
            return redirect(_after_login(user))
        throttle.record_failure(form.email.data)
        form.password.errors.append(_("The email or password is wrong, or the account is inactive."))
    return render_template("lms/accounts/login.html", form=form), 200 if not form.errors else 400


def _login_refused(form: LoginForm, seconds: int):
    form.password.errors.append(
        _("Too many failed sign-ins for this email. Try again in %(n)d seconds.", n=seconds)
    )
    page = render_template("lms/accounts/login.html", form=form)
    return page, 429, {"Retry-After": str(seconds)}


def _after_login(user) -> str:
    if user.must_change_password:
        flash(_("Your password was reset. Choose a new password to go on."), "info")
        return url_for("lms.accounts.change_password")
    return safe_next(request.args.get("next")) or url_for("lms.core.home")


def logout():
    if host_signs_in():
        return _host_logout()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_lms_user()
    if user is not None:
        service.end_sessions(user)
        session.commit()
    sessions.end()
    flash(_("You have signed out."), "info")
    return redirect(url_for("lms.accounts.login"))


def _host_logout():
    """Plugin mode: the host signs people out; the LMS sends them to its logout, clearing nothing.

    A logout that answers GET gets a 303. A POST-only one gets this same POST (307), whose
    ``csrf_token`` field a host using Flask-WTF accepts (one session, one secret key).
    """
    endpoint = lms_state().host_logout_endpoint
    if not endpoint:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    answers_get = any("GET" in (rule.methods or ()) for rule in current_app.url_map.iter_rules(endpoint))
    return redirect(url_for(endpoint), 303 if answers_get else 307)


@own_accounts_only
@login_required
def change_password():
    user = current_lms_user()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not service.authenticate(user.email, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            try:
                service.set_password(
                    user, form.new_password.data, current_app.config["LMS_PASSWORD_MIN_LENGTH"]
                )
            except service.AccountError as exc:
                form.new_password.errors.append(str(exc))
            else:
                session.commit()
                sessions.renew_epoch(user)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("lms.core.home"))
    status = 400 if form.errors else 200
    return render_template("lms/accounts/change_password.html", form=form), status
