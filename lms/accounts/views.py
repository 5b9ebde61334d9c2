from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import login_user, logout_user

from lms.accounts import service
from lms.accounts.access import current_lms_user, lms_state, login_required
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
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("lms.core.home"))
        form.password.errors.append(_("The email or password is wrong, or the account is inactive."))
    return render_template("lms/accounts/login.html", form=form), 200 if not form.errors else 400


def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("lms.accounts.login"))


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
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("lms.core.home"))
    status = 400 if form.errors else 200
    return render_template("lms/accounts/change_password.html", form=form), status
