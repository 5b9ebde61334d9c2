"""The audit log for administrators: every audited action of every area, newest first."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import Length

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.models import User
from lms.accounts.policy import require
from lms.audit.models import AuditEntry
from lms.authoring.access import VIEW_AUDIT_LOG
from lms.core.paging import MAX_PAGE, page_count, requested_page
from lms.core.search import LIKE_ESCAPE, contains
from lms.extensions import session


class AuditFilterForm(FlaskForm):
    """The log's GET filters (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    action = StringField(_l("Action starts with"), validators=[Length(max=64)])
    subject = StringField(_l("Subject contains"), validators=[Length(max=255)])
    actor = StringField(_l("Who (email contains)"), validators=[Length(max=255)])


def register(bp) -> None:
    bp.add_url_rule("/audit", "audit_log", audit_log)


@login_required
def audit_log():
    require(current_lms_user(), VIEW_AUDIT_LOG)
    form = AuditFilterForm(request.args)
    page = requested_page()
    if page is None:
        abort(400, _("The page number must be a whole number from 1 to %(max)d.", max=MAX_PAGE))
    if not form.validate():
        abort(400, _("A filter is too long."))
    per_page = current_app.config["LMS_AUDIT_PER_PAGE"]
    query = _filtered(form)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return render_template(
        "lms/authoring/audit_log.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, per_page),
        args={name: form[name].data for name in ("action", "subject", "actor") if form[name].data},
    )


def _filtered(form: AuditFilterForm):
    query = select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
    action = (form.action.data or "").strip().lower()
    if action:
        query = query.where(func.lower(AuditEntry.action).like(_prefix(action), escape=LIKE_ESCAPE))
    subject = (form.subject.data or "").strip().lower()
    if subject:
        query = query.where(contains(AuditEntry.subject, subject))
    actor = (form.actor.data or "").strip().lower()
    if actor:
        query = query.where(contains(User.email, actor))
    return query


def _prefix(words: str) -> str:
    """A LIKE pattern for text starting with ``words`` (wildcards escaped, as in search.py)."""
    escaped = words.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")
    return f"{escaped}%"
