"""Token pages for HR and admins: create (the token is shown once), list and revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.models import Role
from lms.api import tokens
from lms.api.forms import RevokeTokenForm, TokenForm
from lms.api.models import ApiToken
from lms.extensions import get_or_404, session


@roles_required(Role.HR, Role.ADMIN)
def token_list():
    user = current_lms_user()
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            _token, created = tokens.create_token(user, form.name.data, days=form.days.data)
        except tokens.TokenError as exc:
            session.rollback()
            form.name.errors.append(str(exc))
        else:
            session.commit()
            form = TokenForm(formdata=None)
    status = 400 if form.errors else 200
    return render_template(
        "lms/api/tokens.html",
        form=form,
        revoke_form=RevokeTokenForm(),
        tokens=tokens.tokens_visible_to(user),
        created=created,
    ), status


@roles_required(Role.HR, Role.ADMIN)
def token_revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    user = current_lms_user()
    if not tokens.may_revoke(token, user):
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        try:
            tokens.revoke_token(token, user)
        except tokens.TokenError as exc:
            session.rollback()
            flash(str(exc), "error")
        else:
            session.commit()
            flash(_("The token has been revoked. Anything using it is now refused."), "success")
    return redirect(url_for("lms.api_tokens.token_list"))
