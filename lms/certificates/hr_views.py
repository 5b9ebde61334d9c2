"""Certificate pages for HR and admins: bulk issue with its progress page and ZIP, the list of
a course's certificates, and revoking or re-issuing one. HR sees only people in their scope."""

from __future__ import annotations

import tempfile

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from lms.accounts import policy
from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.models import Role, User
from lms.certificates import bulk, service
from lms.certificates.forms import ReissueForm, ResumeJobForm, RevokeForm, SelectionForm, StartBulkForm
from lms.content.models import Course
from lms.core.i18n import current_language
from lms.core.paging import MAX_PAGE, page_count, requested_page
from lms.courses.service import published_courses
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from lms.jobs.service import visible_to

PER_PAGE = 50


def _selection_form() -> SelectionForm:
    user, language = current_lms_user(), current_language()
    form = SelectionForm(formdata=request.args if "course" in request.args else None)
    courses = [c for c in session.scalars(published_courses()) if c.current_version]
    form.course.choices = [(c.slug, c.current_version.title(language)) for c in courses]
    everyone = _("Everyone") if user.has_role(Role.ADMIN) else _("Everyone in my scope")
    form.unit.choices = [("", everyone)] + [
        (u.code, u.name_en if language == "en" else u.name_th) for u in bulk.units_for(user)
    ]
    return form


def _resolve(slug: str | None, unit_code: str | None) -> bulk.Selection:
    """The selection asked for, or the error page: 403 outside the HR scope, 400 otherwise."""
    try:
        return bulk.resolve(slug or "", unit_code or None, current_lms_user())
    except bulk.OutOfScope as exc:
        abort(403, str(exc))
    except bulk.BulkError as exc:
        abort(400, str(exc))


def _page_number() -> int:
    page = requested_page()
    if page is None:
        abort(400, _("The page number must be a whole number from 1 to %(max)d.", max=MAX_PAGE))
    return page


@roles_required(Role.HR, Role.ADMIN)
def manage():
    form = _selection_form()
    selection = counts = None
    if form.course.data and not form.validate():
        return render_template("lms/certificates/manage.html", form=form, jobs=[]), 400
    if form.course.data:
        selection = _resolve(form.course.data, form.unit.data)
        counts = bulk.counts(selection)
    start_form = StartBulkForm(formdata=None, course=form.course.data, unit=form.unit.data or "")
    return render_template(
        "lms/certificates/manage.html",
        form=form,
        selection=selection,
        counts=counts,
        start_form=start_form,
        jobs=bulk.recent_jobs(current_lms_user()),
        is_stopped=jobs.is_stopped,
    )


@roles_required(Role.HR, Role.ADMIN)
def start_bulk():
    form = StartBulkForm()
    if not form.validate_on_submit():
        abort(400, _("The form could not be read. Reload the page and try again."))
    selection = _resolve(form.course.data, form.unit.data)
    job = bulk.start(selection, current_lms_user())
    return redirect(url_for("lms.certificates.job", job_id=job.id))


def _job_or_404(job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.kind != bulk.KIND or not visible_to(job, current_lms_user()):
        abort(404)
    return job


@roles_required(Role.HR, Role.ADMIN)
def job_progress(job_id: str):
    job = _job_or_404(job_id)
    try:
        selection = bulk.from_params(job.params)
    except bulk.BulkError:
        selection = None
    return render_template(
        "lms/certificates/job.html",
        job=job,
        selection=selection,
        stopped=jobs.is_stopped(job),
        resume_form=ResumeJobForm(formdata=None),
    )


@roles_required(Role.HR, Role.ADMIN)
def resume_job(job_id: str):
    job = _job_or_404(job_id)
    if not ResumeJobForm().validate_on_submit():
        abort(400, _("The form could not be read. Reload the page and try again."))
    try:
        jobs.resume(job.id)
    except jobs.JobError as exc:
        session.rollback()
        abort(409, str(exc))
    flash(_("The bulk issue is resumed with the certificates not done yet."), "success")
    return redirect(url_for("lms.certificates.job", job_id=job_id))


def _send_zip(selection: bulk.Selection):
    """Copy the stored PDFs into a temporary file (no compression: a quick copy), then send it."""
    entries = bulk.zip_entries(selection)
    if not entries:
        abort(404, _("No certificate of this selection has been rendered yet. Issue them first."))
    # send_file closes the file when the response is done, and a TemporaryFile is then gone.
    archive = tempfile.TemporaryFile(prefix="lms-certificates-", suffix=".zip")  # noqa: SIM115
    bulk.write_zip(entries, archive)
    archive.seek(0)
    name = "-".join(
        filter(None, ["certificates", selection.course.slug, selection.unit and selection.unit.code])
    )
    return send_file(
        archive, mimetype="application/zip", as_attachment=True, download_name=f"{name}.zip", max_age=0
    )


@roles_required(Role.HR, Role.ADMIN)
def job_zip(job_id: str):
    job = _job_or_404(job_id)
    try:
        selection = bulk.from_params(job.params)
    except bulk.BulkError:
        abort(404)
    return _send_zip(selection)


@roles_required(Role.HR, Role.ADMIN)
def course_zip(slug: str):
    return _send_zip(_resolve(slug, request.args.get("unit")))


@roles_required(Role.HR, Role.ADMIN)
def course_list(slug: str):
    unit, query, page = request.args.get("unit", ""), request.args.get("q", ""), _page_number()
    selection = _resolve(slug, unit)
    rows, total = bulk.search(selection, query, page, PER_PAGE)
    return render_template(
        "lms/certificates/list.html",
        selection=selection,
        rows=rows,
        total=total,
        q=query,
        unit=unit,
        page=page,
        pages=page_count(total, PER_PAGE),
    )


def _certificate_or_404(serial: str):
    certificate = service.by_serial(serial)
    if certificate is None or not bulk.may_manage(current_lms_user(), certificate):
        abort(404)
    return certificate


def _detail(certificate, revoke_form=None, reissue_form=None, status: int = 200):
    return render_template(
        "lms/certificates/manage_certificate.html",
        certificate=certificate,
        course=session.get(Course, certificate.course_id),
        revoked_by=session.get(User, certificate.revoked_by_id) if certificate.revoked_by_id else None,
        replaced=bulk.replaced(certificate),
        revoke_form=revoke_form or RevokeForm(formdata=None),
        reissue_form=reissue_form or ReissueForm(formdata=None),
    ), status


@roles_required(Role.HR, Role.ADMIN)
def certificate(serial: str):
    return _detail(_certificate_or_404(serial))


@roles_required(Role.HR, Role.ADMIN)
def revoke(serial: str):
    certificate = _certificate_or_404(serial)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail(certificate, revoke_form=form, status=400)
    try:
        service.revoke(certificate, form.reason.data, current_lms_user())
    except policy.NotAllowed as exc:
        session.rollback()
        abort(403, str(exc))
    except service.CertificateActionError as exc:
        session.rollback()
        abort(409, str(exc))
    session.commit()
    flash(_("Certificate %(serial)s has been revoked.", serial=serial), "success")
    return redirect(url_for("lms.certificates.manage_certificate", serial=serial))


@roles_required(Role.HR, Role.ADMIN)
def reissue(serial: str):
    certificate = _certificate_or_404(serial)
    if not ReissueForm().validate_on_submit():
        abort(400, _("The form could not be read. Reload the page and try again."))
    try:
        new = service.reissue(certificate, current_lms_user())
    except policy.NotAllowed as exc:
        session.rollback()
        abort(403, str(exc))
    except service.CertificateActionError as exc:
        session.rollback()
        abort(409, str(exc))
    session.commit()
    bulk.issue_and_render([new.registration])  # rendered now for the ZIP; a failure is logged
    flash(_("Certificate %(old)s is replaced by %(new)s.", old=serial, new=new.serial), "success")
    return redirect(url_for("lms.certificates.manage_certificate", serial=new.serial))
