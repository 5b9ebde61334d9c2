"""The staff-list import page, and the page of an import run as a background job."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for

from lms.accounts import import_jobs, staff_import
from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.forms import ImportForm
from lms.accounts.models import Role
from lms.core.conflicts import commit_once
from lms.core.i18n import current_language
from lms.extensions import get_or_404
from lms.jobs.models import Job
from lms.jobs.service import is_stopped, visible_to


@roles_required(Role.ADMIN)
def user_import():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            outcome = _import_upload(form.file.data)
        except staff_import.ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            if isinstance(outcome, Job):
                return redirect(url_for("lms.admin.user_import_job", job_id=outcome.id), 303)
            report = outcome
    status = 400 if form.errors or (report and not report.ok) else 200
    return render_template(
        "lms/accounts/admin/import.html", form=form, report=report, columns=staff_import.COLUMNS
    ), status


def _import_upload(upload) -> staff_import.ImportReport | Job:
    """Import a small file now (committed); hand a large one to a background job."""
    data = upload.read()
    table = staff_import.read(upload.filename, data)
    rows = len(table.rows) + len(table.errors)
    config = current_app.config
    if config["LMS_IMPORT_BACKGROUND_ROWS"] < rows <= config["LMS_IMPORT_MAX_ROWS"]:
        return import_jobs.start_import(upload.filename, data, current_lms_user(), current_language())
    return commit_once(
        lambda: staff_import.import_table(upload.filename, table, config["LMS_IMPORT_MAX_ROWS"])
    )


@roles_required(Role.ADMIN)
def user_import_job(job_id: str):
    job = get_or_404(Job, job_id)
    if job.kind != import_jobs.KIND or not visible_to(job, current_lms_user()):
        abort(404)
    return render_template(
        "lms/accounts/admin/import_job.html",
        job=job,
        stopped=is_stopped(job),
        outcome=import_jobs.result(job),
        columns=staff_import.COLUMNS,
    )
