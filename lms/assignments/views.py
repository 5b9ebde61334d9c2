"""HR and administrators: list, create and cancel assignments, each limited to their scope."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role
from lms.assignments import service
from lms.assignments.enrolment import pending_count, start_enrolment, start_pending_enrolment
from lms.assignments.forms import AssignmentForm
from lms.assignments.models import Assignment
from lms.core.i18n import current_language
from lms.core.paging import page_count, requested_page
from lms.extensions import get_or_404, session

PER_PAGE = 50


@roles_required(Role.HR, Role.ADMIN)
def index():
    page = requested_page()
    if page is None:
        abort(400, _("The page number must be a whole number from 1."))
    viewer = current_lms_user()
    rows, total = service.assignment_page(viewer, page, PER_PAGE)
    return render_template(
        "lms/assignments/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
        pending=pending_count() if viewer.has_role(Role.ADMIN) else 0,
    )


def _form(actor) -> AssignmentForm:
    form = AssignmentForm()
    form.set_choices(
        service.assignable_courses(),
        service.assignable_paths(),
        service.units_for(actor),
        service.provinces_for(actor),
        current_language(),
    )
    return form


@roles_required(Role.HR, Role.ADMIN)
def new():
    actor = current_lms_user()
    form = _form(actor)
    if form.validate_on_submit():
        try:
            assignment = service.create_assignment(actor, **form.service_arguments())
        except service.AssignmentError as exc:
            session.rollback()
            form.show_error(exc.field, str(exc))
        else:
            session.commit()
            return _enrol_and_go_back(assignment, actor)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("lms/assignments/form.html", form=form), status


def _enrol_and_go_back(assignment: Assignment, actor):
    """Start enrolling its people (off-request) and say how many."""
    job = start_enrolment(assignment, actor)
    message = _("Assigned. People being enrolled: %(n)d.", n=job.total)
    flash(message, "success")
    return redirect(url_for("lms.assignments.index"))


@roles_required(Role.HR, Role.ADMIN)
def cancel(assignment_id: int):
    actor = current_lms_user()
    assignment = get_or_404(Assignment, assignment_id)
    if not service.may_manage(actor, assignment):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, _("The form has expired. Reload the page and try again."))
    try:
        service.cancel_assignment(assignment, actor)
    except service.AssignmentError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash(_("Assignment %(id)d is cancelled.", id=assignment_id), "success")
    return redirect(url_for("lms.assignments.index"))


@roles_required(Role.ADMIN)
def enrol_pending():
    """Enrol everyone in the required courses they are not in yet (after a large staff import)."""
    if not ConfirmForm().validate_on_submit():
        abort(400, _("The form has expired. Reload the page and try again."))
    job = start_pending_enrolment(current_lms_user())
    message = _("Enrolments being made: %(n)d.", n=job.total)
    flash(message, "success")
    return redirect(url_for("lms.assignments.index"))
