"""Admin pages: list, search, create and edit users; reset passwords (the staff import: import_views)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.accounts import service
from lms.accounts.access import roles_required
from lms.accounts.forms import ConfirmForm, UserForm
from lms.accounts.models import Role, User
from lms.core.conflicts import commit_once
from lms.core.i18n import current_language
from lms.core.paging import MAX_PAGE, page_count, requested_page
from lms.extensions import get_or_404, session


@roles_required(Role.ADMIN)
def user_list():
    query = request.args.get("q", "")
    page = requested_page()
    if page is None:
        abort(400, _("The page number must be a whole number from 1 to %(max)d.", max=MAX_PAGE))
    per_page = current_app.config["LMS_USERS_PER_PAGE"]
    users, total = service.search_users(query, page, per_page)
    return render_template(
        "lms/accounts/admin/users.html",
        users=users,
        total=total,
        q=query,
        page=page,
        pages=page_count(total, per_page),
    )


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.set_choices(service.all_units(), service.all_provinces(), current_language())
    if user is not None and request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.org_unit_id.data = user.org_unit_id or 0
        form.province_id.data = user.province_id or 0
        form.scope_units.data = [s.org_unit_id for s in user.scopes if s.org_unit_id]
        form.scope_provinces.data = [s.province_id for s in user.scopes if s.province_id]
    return form


def _form_values(form: UserForm) -> dict:
    values = {name: form[name].data for name in UserForm.PROFILE_FIELDS}
    values["org_unit_id"] = form.org_unit_id.data or None
    values["province_id"] = form.province_id.data or None
    return values


@roles_required(Role.ADMIN)
def user_new():
    form = _user_form()
    if request.method == "GET":
        form.roles.data = [Role.LEARNER.value]
    status = 200
    if form.validate_on_submit():
        try:
            user = commit_once(lambda: _create_user(form))
        except service.AccountError as exc:
            session.rollback()
            form.email.errors.append(str(exc))
            status = 409 if isinstance(exc, service.EmailTaken) else 400
        else:
            flash(_("The user has been created. Reset the password to give them one."), "success")
            return redirect(url_for("lms.admin.user_edit", user_id=user.id))
    elif form.errors:
        status = 400
    return render_template("lms/accounts/admin/user_form.html", form=form, user=None), status


def _create_user(form: UserForm) -> User:
    """The new user with the form's profile, roles and scope (a double submit finds the email taken)."""
    user = service.create_user(roles=form.roles.data, **_form_values(form))
    service.update_user(user, {}, form.roles.data, form.scope_units.data, form.scope_provinces.data)
    return user


@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            service.update_user(
                user, _form_values(form), form.roles.data, form.scope_units.data, form.scope_provinces.data
            )
        except service.AccountError as exc:
            session.rollback()
            form.email.errors.append(str(exc))
        else:
            session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("lms.admin.user_edit", user_id=user.id))
    return render_template(
        "lms/accounts/admin/user_form.html", form=form, user=user, reset_form=ConfirmForm()
    ), 400 if form.errors else 200


@roles_required(Role.ADMIN)
def user_reset_password(user_id: int):
    user = get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return render_template("lms/core/error.html", code=400, description="csrf"), 400
    password = service.reset_password(user)
    session.commit()
    return render_template("lms/accounts/admin/password_reset.html", user=user, password=password)
