"""The administrators' page of LRS credentials: list, create (the secret is shown once), revoke.

Its own small blueprint (for its templates), mounted in the xAPI admin blueprint under
``/admin/lrs/credentials``, so the LRS blueprint at ``/xapi/`` stays JSON only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.accounts import policy
from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.models import Role
from lms.extensions import get_or_404, session
from lms.xapi.lrs import credentials
from lms.xapi.lrs.credential_forms import SCOPE_HINTS, CredentialForm, RevokeCredentialForm
from lms.xapi.lrs.models import LrsCredential

credentials_blueprint = Blueprint("lrs_credentials", __name__, template_folder="templates")


@credentials_blueprint.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = CredentialForm()
    created = None
    if form.validate_on_submit():
        try:
            credential, secret = credentials.create_credential(
                form.name.data, form.scopes.data, current_lms_user()
            )
        except (credentials.CredentialError, policy.NotAllowed) as exc:
            session.rollback()
            form[getattr(exc, "field", "name")].errors.append(str(exc))
        else:
            session.commit()
            created = _shown_once(credential, secret)
            form = CredentialForm(formdata=None)
    return _page(form, created), 400 if form.errors else 200


@credentials_blueprint.route("/<int:credential_id>/revoke", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def revoke(credential_id: int):
    """GET asks to confirm; POST revokes."""
    credential = get_or_404(LrsCredential, credential_id)
    form = RevokeCredentialForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            abort(400)
        return render_template("lms/lrs/revoke_credential.html", credential=credential, form=form)
    try:
        credentials.revoke_credential(credential, current_lms_user())
    except (credentials.CredentialError, policy.NotAllowed) as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash(_("The credentials are revoked: tools using them are now refused."), "success")
    return redirect(url_for(".index"))


def _shown_once(credential: LrsCredential, secret: str) -> dict[str, str]:
    return {
        "name": credential.name,
        "key": credential.key,
        "secret": secret,
        "endpoint": credentials.endpoint_url(),
        "header": credentials.basic_header(credential.key, secret),
    }


def _page(form: CredentialForm, created: dict[str, str] | None):
    listed = credentials.all_credentials()
    return render_template(
        "lms/lrs/credentials.html",
        form=form,
        created=created,
        credentials=listed,
        creators=credentials.creators(listed),
        hints=SCOPE_HINTS,
        revoke_form=RevokeCredentialForm(),
        endpoint=credentials.endpoint_url(),
    )
