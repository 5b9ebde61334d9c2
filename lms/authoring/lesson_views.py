"""The lesson editor: a lesson's fields and Markdown, its live preview, media uploads and the
draft's media as the author's browser loads them."""

from __future__ import annotations

from pathlib import PurePosixPath

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from lms.accounts.access import current_lms_user, login_required
from lms.authoring import drafts, lessons, uploads
from lms.authoring.access import require_author
from lms.authoring.lesson_forms import LessonForm, UploadForm
from lms.content.models import Course
from lms.core.conflicts import commit_once
from lms.extensions import session
from lms.packages.media import MEGABYTE

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".pdf": "application/pdf",
}
TEMPLATE = "lms/authoring/lesson_edit.html"
FORM_ALLOWANCE = 64 * 1024
"""Bytes of an upload request beyond the file itself: the CSRF token and the boundaries."""


def register(bp) -> None:
    bp.add_url_rule("/<slug>/lessons/<key>", "lesson_edit", lesson_edit, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/lessons/<key>/preview", "lesson_preview", lesson_preview, methods=["POST"])
    bp.add_url_rule("/<slug>/lessons/<key>/media", "lesson_upload", lesson_upload, methods=["POST"])
    bp.add_url_rule("/<slug>/media/<path:filename>", "draft_media", draft_media)
    bp.url_value_preprocessor(_limit_media_uploads)
    bp.register_error_handler(UploadTooLarge, too_large)


class UploadTooLarge(RequestEntityTooLarge):
    """A media upload over LMS_MEDIA_MAX_MB: its own class, so that its handler (the editor
    page with the error) is found before the blueprint's general 413 handler."""


def _limit_media_uploads(endpoint: str | None, _values: dict | None) -> None:
    """Let a media upload be as large as LMS_MEDIA_MAX_MB (not the app-wide MAX_CONTENT_LENGTH),
    and refuse a larger one before anything reads it. This runs before the CSRF check reads the
    form."""
    limit = upload_limit_bytes()
    if endpoint != "lms.authoring.lesson_upload" or limit is None:
        return  # no media limit: the app-wide MAX_CONTENT_LENGTH still holds
    request.max_content_length = limit
    if (request.content_length or 0) > limit:
        raise UploadTooLarge()


def _course(slug: str) -> Course:
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


def _open(slug: str, key: str):
    """The signed-in author, the course, its draft (made and committed on first use) and the
    lesson; 403 for a non-author, 404 for a lesson the draft does not have."""
    actor = current_lms_user()
    course = _course(slug)
    draft = commit_once(lambda: drafts.draft_of(actor, course))
    lesson = lessons.open_lesson(draft, key)
    if lesson is None:
        abort(404, description=_("The draft has no lesson %(key)s.", key=key))
    return actor, course, draft, lesson


def media_urls(course: Course, draft) -> dict[str, str]:
    """The draft's media paths mapped to the authoring URLs that serve them."""
    return {
        path: url_for("lms.authoring.draft_media", slug=course.slug, filename=path.removeprefix("media/"))
        for path in sorted(lessons.media_paths(draft))
    }


def upload_limit_mb() -> float:
    return float(current_app.config.get("LMS_MEDIA_MAX_MB") or 0)


def upload_limit_bytes() -> int | None:
    """The largest upload request: the media file plus the form's other fields (None: no limit)."""
    limit = upload_limit_mb()
    return int(limit * MEGABYTE) + FORM_ALLOWANCE if limit else None


@login_required
def lesson_edit(slug: str, key: str):
    actor, course, draft, lesson = _open(slug, key)
    form = LessonForm()
    if not form.is_submitted():
        form.fill(lesson)
        return _page(course, draft, lesson, form)
    if form.preview.data:
        html, problems = lessons.preview(
            draft, actor, lesson, form.body.data or "", media_urls(course, draft)
        )
        return _page(course, draft, lesson, form, preview_html=html, problems=problems)
    if not form.validate():
        return _page(course, draft, lesson, form), 400
    return _save(actor, course, draft, lesson, form)


def _save(actor, course, draft, lesson, form: LessonForm):
    base = form.base_revision()
    if base is None:
        form.form_errors.append(_("The form has lost the lesson's revision; reload the page."))
        return _page(course, draft, lesson, form), 400
    try:
        commit_once(lambda: lessons.save_lesson(draft, actor, lesson, form.fields(), base))
    except drafts.StaleEdit as stale:
        session.rollback()
        return _page(course, draft, lesson, form, stale=str(stale), stale_since=base), 409
    except lessons.LessonProblems as refused:
        session.rollback()
        return _page(course, draft, lesson, form, problems=refused.problems, refused=True), 400
    flash(_("The lesson was saved to the draft."), "success")
    return redirect(url_for("lms.authoring.lesson_edit", slug=course.slug, key=lesson.key))


@login_required
def lesson_preview(slug: str, key: str):
    """JSON ``{"body": ...}`` or a form field ``body`` in; the learner's HTML and the
    checker's problems out. Writes nothing."""
    actor, course, draft, lesson = _open(slug, key)
    if request.is_json:
        data = request.get_json(silent=True)
        body = data.get("body") if isinstance(data, dict) else None
    else:
        body = request.form.get("body")
    if not isinstance(body, str):
        return jsonify(error=_("Send the lesson text as 'body'.")), 400
    html, problems = lessons.preview(draft, actor, lesson, body, media_urls(course, draft))
    return jsonify(html=html, problems=problems)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@login_required
def lesson_upload(slug: str, key: str):
    actor, course, draft, lesson = _open(slug, key)
    form = UploadForm()
    storage = form.file.data if form.validate_on_submit() else None
    try:
        if storage is None or not storage.filename:
            raise uploads.UploadError(_("Choose a file to upload."))
        done = commit_once(lambda: uploads.upload(draft, actor, storage.filename, storage.stream))
    except uploads.UploadError as refused:
        session.rollback()
        return _upload_refused(course, draft, lesson, str(refused), 400)
    if _wants_json():
        return jsonify(path=done.path, markdown=done.markdown, message=_uploaded_message(done))
    flash(_uploaded_message(done), "success")
    return redirect(
        url_for("lms.authoring.lesson_edit", slug=course.slug, key=lesson.key, uploaded=done.path)
    )


def _uploaded_message(done: uploads.Uploaded) -> str:
    if done.replaced:
        return _("%(path)s was replaced in the draft.", path=done.path)
    return _("%(path)s was added to the draft.", path=done.path)


def _upload_refused(course, draft, lesson, message: str, status: int):
    if _wants_json():
        return jsonify(error=message), status
    form = LessonForm(formdata=None)
    form.fill(lesson)
    upload_form = UploadForm(formdata=None)
    upload_form.file.errors = [message]
    return _page(course, draft, lesson, form, upload_form=upload_form), status


def too_large(_error: UploadTooLarge):
    """A media upload over the limit, refused before anything (even the sign-in) was read: the
    error, then back to the editor, which checks who is asking as usual."""
    message = _(
        "The file is larger than %(limit)s MB (LMS_MEDIA_MAX_MB), so it was not read and nothing "
        "was changed; make it smaller (e.g. a lower video resolution) or split it.",
        limit=f"{upload_limit_mb():g}",
    )
    if _wants_json():
        return jsonify(error=message), 413
    flash(message, "error")
    args = request.view_args or {}
    return redirect(url_for("lms.authoring.lesson_edit", slug=args.get("slug"), key=args.get("key")), 303)


@login_required
def draft_media(slug: str, filename: str):
    """A media file of the draft (also one no published version has), for its authors only."""
    course = _course(slug)
    require_author(current_lms_user(), course)
    draft = drafts.existing_draft(course)
    found = drafts.files(draft).get(f"media/{filename}") if draft else None
    suffix = PurePosixPath(filename).suffix.lower()
    if found is None or found.media_sha256 is None or suffix not in MEDIA_TYPES:
        abort(404)
    stored = drafts.media_path(found.media_sha256, found.path)
    if not stored.is_file():
        abort(404)
    response = send_file(
        stored,
        mimetype=MEDIA_TYPES[suffix],
        as_attachment=suffix not in uploads.EMBEDDED,
        download_name=PurePosixPath(filename).name,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _servable(urls: dict[str, str]) -> dict[str, str]:
    """The links of the media ``draft_media`` serves (it answers 404 for any other kind)."""
    return {path: url for path, url in urls.items() if PurePosixPath(path).suffix.lower() in MEDIA_TYPES}


def _page(course, draft, lesson, form, *, upload_form=None, **extra):
    uploaded = request.args.get("uploaded")
    if uploaded not in lessons.media_paths(draft):
        uploaded = None
    return render_template(
        TEMPLATE,
        course=course,
        draft=draft,
        tab="structure",
        lesson=lesson,
        form=form,
        upload_form=upload_form or UploadForm(formdata=None),
        uploaded=uploaded,
        uploaded_markdown=uploads.snippet(uploaded) if uploaded else None,
        media=sorted(lessons.media_paths(draft)),
        media_links=_servable(media_urls(course, draft)),
        upload_max_mb=upload_limit_mb(),
        has_file_changes="lms.authoring.file_changes" in current_app.view_functions,
        **extra,
    )
