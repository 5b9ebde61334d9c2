"""Package zips in the browser: upload one (a new course or a new version) and download any
version, or the draft, as a zip. The work is in :mod:`lms.authoring.package_import` and
:mod:`lms.authoring.package_zip`."""

from __future__ import annotations

import tempfile

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from lms.accounts.access import current_lms_user, roles_required
from lms.accounts.models import Role
from lms.authoring import drafts, package_zip
from lms.authoring.access import require_author, require_may_create
from lms.authoring.package_forms import PackageUploadForm
from lms.authoring.package_import import UploadAction, UploadResult, upload_package
from lms.content.models import Course
from lms.extensions import session
from lms.packages.importer import ImportStatus
from lms.packages.media import MEGABYTE
from lms.packages.problems import PackageError

UPLOAD_ENDPOINTS = ("lms.authoring.package_import", "lms.authoring.package")
FORM_ALLOWANCE = 64 * 1024
"""Bytes of the request body beyond the zip itself: the form's other fields and boundaries."""


def register(bp) -> None:
    bp.add_url_rule("/import", "package_import", package_import, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/package", "package", package, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/versions/<int:number>.zip", "version_zip", version_zip)
    bp.add_url_rule("/<slug>/draft.zip", "draft_zip", draft_zip)
    bp.url_value_preprocessor(_allow_package_uploads)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)


def _allow_package_uploads(endpoint: str | None, _values: dict | None) -> None:
    """Let the upload pages take a body as large as LMS_PACKAGE_MAX_MB. This runs before the
    CSRF check reads the form, so the app-wide MAX_CONTENT_LENGTH does not cut the upload off."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = _upload_limit()


def _upload_limit() -> int:
    return int(float(current_app.config["LMS_PACKAGE_MAX_MB"]) * MEGABYTE) + FORM_ALLOWANCE


def _too_large(_error: RequestEntityTooLarge):
    """The package pages show the upload form again with the limit; any other authoring page
    (a media upload on a site without LMS_MEDIA_MAX_MB) gets the error page with the reason."""
    if request.endpoint not in UPLOAD_ENDPOINTS:
        message = _("The upload is too large, so it was not read and nothing was changed.")
        return render_template("lms/core/error.html", code=413, description=message), 413
    message = _(
        "The upload is larger than %(limit)s MB (LMS_PACKAGE_MAX_MB), so it was not read and "
        "nothing was changed. Make the media smaller, or ask an administrator to raise the limit.",
        limit=current_app.config["LMS_PACKAGE_MAX_MB"],
    )
    return render_template(
        "lms/authoring/package_import.html", form=PackageUploadForm(formdata=None), refusal=message
    ), 413


@roles_required(Role.TRAINER, Role.ADMIN)
def package_import():
    actor = current_lms_user()
    require_may_create(actor)
    form = PackageUploadForm()
    problems, status = [], 200
    if form.validate_on_submit():
        result, problems = _upload(actor, form)
        if result is not None:
            return _after_upload(result)
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("lms/authoring/package_import.html", form=form, problems=problems), status


@roles_required(Role.TRAINER, Role.ADMIN)
def package(slug: str):
    actor = current_lms_user()
    course = _course(slug)
    require_author(actor, course)
    form = PackageUploadForm()
    problems, status = [], 200
    if form.validate_on_submit():
        result, problems = _upload(actor, form, course)
        if result is not None:
            return _after_upload(result)
        status = 422
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "lms/authoring/package.html",
            course=course,
            draft=drafts.existing_draft(course),
            tab="package",
            form=form,
            problems=problems,
        ),
        status,
    )


@roles_required(Role.TRAINER, Role.ADMIN)
def version_zip(slug: str, number: int):
    course = _course(slug)
    require_author(current_lms_user(), course)
    version = next((v for v in course.versions if v.number == number), None)
    if version is None:
        abort(404, _("The course %(slug)s has no version %(n)d.", slug=slug, n=number))
    return _zip_response(
        lambda out: package_zip.write_version_zip(version, out), package_zip.download_name(slug, number)
    )


@roles_required(Role.TRAINER, Role.ADMIN)
def draft_zip(slug: str):
    course = _course(slug)
    require_author(current_lms_user(), course)
    draft = drafts.existing_draft(course)
    if draft is None:
        abort(404, _("The course %(slug)s has no draft; download a version instead.", slug=slug))
    return _zip_response(
        lambda out: package_zip.write_draft_zip(draft, out), package_zip.download_name(slug, None)
    )


def _course(slug: str) -> Course:
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


def _upload(actor, form: PackageUploadForm, course: Course | None = None):
    """Run the upload; on refusal roll back and return its problems (nothing was written)."""
    upload = form.package.data
    try:
        result = upload_package(actor, upload.stream, upload.filename or "", form.chosen, course)
        session.commit()
        return result, []
    except PackageError as error:
        session.rollback()
        return None, error.problems


def _after_upload(result: UploadResult):
    slug = result.course.slug
    if result.action is UploadAction.DRAFT:
        flash(
            _(
                "The package was checked and loaded into the draft of %(slug)s. Preview it, then publish.",
                slug=slug,
            )
        )
        endpoint = "preview" if "lms.authoring.preview" in current_app.view_functions else "package"
    elif result.status is ImportStatus.UNCHANGED:
        flash(_("The package is the same as version %(n)d; nothing changed.", n=result.version.number))
        endpoint = "package"
    else:
        flash(_("Published %(slug)s version %(n)d.", slug=slug, n=result.version.number))
        endpoint = "package"
    for warning in result.warnings:
        flash(str(warning), "warning")
    return redirect(url_for(f"lms.authoring.{endpoint}", slug=slug))


def _zip_response(write, name: str):
    """Write the zip into a temporary file and send it (send_file closes the file when the
    response is done, and a TemporaryFile is then gone)."""
    archive = tempfile.TemporaryFile(prefix="lms-download-", suffix=".zip")  # noqa: SIM115
    write(archive)
    archive.seek(0)
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
