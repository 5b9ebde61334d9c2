"""An administrator's view of one learner's record, with voiding."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.models import Role, User
from lms.extensions import get_or_404, session
from lms.xapi.forms import VoidStatementForm
from lms.xapi.labels import VERB_LABELS
from lms.xapi.ledger import statements_of
from lms.xapi.voiding import VoidError, void_statement

RECORD_ROWS = 500


@roles_required(Role.ADMIN)
def learner_record(user_id: int):
    learner = get_or_404(User, user_id)
    return _page(learner, VoidStatementForm())


@roles_required(Role.ADMIN)
def void(user_id: int):
    learner = get_or_404(User, user_id)
    form = VoidStatementForm()
    if form.validate_on_submit():
        try:
            void_statement(form.statement_id.data, form.reason.data, current_lms_user())
        except VoidError as exc:
            session.rollback()
            form.reason.errors = [str(exc)]
        else:
            session.commit()
            flash(_("The statement is voided; the learner's progress has been re-derived."), "success")
            return redirect(url_for("lms.xapi_admin.learner_record", user_id=learner.id))
    return _page(learner, form), 400


def _page(learner: User, form: VoidStatementForm):
    return render_template(
        "lms/xapi/learner_record.html",
        learner=learner,
        recorded=statements_of(learner, limit=RECORD_ROWS),
        form=form,
        verb_labels=VERB_LABELS,
        limit=RECORD_ROWS,
    )
