"""Preview, publish, versions and rollback, and the other trainer's change to a file.

Thin views: the services (:mod:`lms.authoring.publishing`, :mod:`lms.authoring.preview`) check
who may act and raise ``NotAllowed``, which the blueprint turns into a 403 page.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import DataRequired

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.forms import ConfirmForm
from lms.accounts.models import User
from lms.audit.models import AuditEntry
from lms.authoring import audit_views, drafts, preview, publishing
from lms.authoring.access import require_author
from lms.content.models import Course
from lms.core.conflicts import commit_once
from lms.core.paging import whole_number
from lms.courses.forms import LeaveLessonForm
from lms.courses.timing import opened_stamp
from lms.extensions import session
from lms.packages.problems import PackageError

PUBLISHERS = ("authoring.published", "authoring.rolled_back", "authoring.imported")
FILE_CHANGES = ("authoring.file_saved", "authoring.file_deleted")


class DiscardForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, throw away every change in the draft"),
        validators=[DataRequired(_l("Tick the box to confirm that the draft's changes will be lost."))],
    )


class PublishForm(FlaskForm):
    replace_newer = BooleanField(_l("Replace the newer version with this draft"))


def register(bp) -> None:
    bp.add_url_rule("/<slug>/preview", "preview", course_preview)
    bp.add_url_rule("/<slug>/preview/lessons/<key>", "preview_lesson", lesson_preview)
    bp.add_url_rule("/<slug>/preview/start", "preview_start", preview_start, methods=["POST"])
    bp.add_url_rule("/<slug>/preview/lessons/<key>/leave", "preview_leave", preview_leave, methods=["POST"])
    bp.add_url_rule("/<slug>/publish", "publish", publish, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/discard", "discard", discard, methods=["POST"])
    bp.add_url_rule("/<slug>/versions", "history", history)
    bp.add_url_rule("/<slug>/versions/<int:number>/rollback", "rollback", rollback, methods=["POST"])
    bp.add_url_rule("/<slug>/changes", "file_changes", file_changes)
    audit_views.register(bp)


def _course(slug: str) -> Course:
    return session.scalar(select(Course).where(Course.slug == slug)) or abort(404)


def _layout(course: Course, tab: str, **context) -> dict:
    return dict(course=course, draft=drafts.existing_draft(course), tab=tab, **context)


@login_required
def course_preview(slug: str):
    course = _course(slug)
    built = preview.build(current_lms_user(), course)
    return render_template(
        "lms/authoring/preview.html",
        course=course,
        version=built.version,
        enrolment=SimpleNamespace(completed_at=None),
        progress=preview.fresh_progress(built.version),
        form=ConfirmForm(),
        problems=built.problems,
        url_for=preview.preview_url_for(course),
    )


@login_required
def lesson_preview(slug: str, key: str):
    course = _course(slug)
    built = preview.build(current_lms_user(), course)
    lesson = built.lesson(key) or abort(404)
    previous, following = preview.neighbours(built.version, lesson)
    return render_template(
        "lms/authoring/preview_lesson.html",
        course=course,
        version=built.version,
        lesson=lesson,
        previous=previous,
        following=following,
        form=LeaveLessonForm(opened=opened_stamp(lesson.key)),
        progress=preview.fresh_progress(built.version),
        time=preview.time_needed(built.version, lesson),
        problems=built.problems_of(f"lessons/{key}.md"),
        url_for=preview.preview_url_for(course),
    )


@login_required
def preview_start(slug: str):
    """The learner's "Start learning" in the preview: the first lesson, nothing recorded."""
    course = _course(slug)
    built = preview.build(current_lms_user(), course)
    lessons = built.version.lessons
    if not lessons:
        return redirect(url_for("lms.authoring.preview", slug=slug))
    return redirect(url_for("lms.authoring.preview_lesson", slug=slug, key=lessons[0].key))


@login_required
def preview_leave(slug: str, key: str):
    """The player's buttons in the preview: move as a learner would, recording nothing."""
    course = _course(slug)
    built = preview.build(current_lms_user(), course)
    lesson = built.lesson(key) or abort(404)
    if request.headers.get("Sec-Fetch-Dest") == "empty":
        return "", 204
    previous, following = preview.neighbours(built.version, lesson)
    action = request.form.get("action")
    target = {"previous": previous, "next": following, "complete": lesson}.get(action)
    if target is None:
        return redirect(url_for("lms.authoring.preview", slug=slug))
    return redirect(url_for("lms.authoring.preview_lesson", slug=slug, key=target.key))


@login_required
def publish(slug: str):
    course = _course(slug)
    actor = current_lms_user()
    form = PublishForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        replace = form.replace_newer.data
        try:
            result = commit_once(lambda: publishing.publish(actor, course, replace_newer=replace))
        except publishing.NothingToDo as refused:
            flash(str(refused), "info")
        except publishing.OutdatedDraft as refused:
            session.rollback()
            flash(str(refused), "error")
            status = 409
        except PackageError as error:
            session.rollback()
            flash(_("Not published: %(n)d problem(s) must be fixed first.", n=len(error.problems)), "error")
            status = 400
        else:
            flash(_("Published as version %(n)d.", n=result.version.number), "success")
            return redirect(url_for("lms.authoring.history", slug=slug))
    found = publishing.review(actor, course)
    page = _layout(
        course, "publish", review=found, form=form, discard_form=DiscardForm(), outdated=_outdated(course)
    )
    return render_template("lms/authoring/publish.html", **page), status


def _outdated(course: Course) -> bool:
    draft = drafts.existing_draft(course)
    return draft is not None and publishing.is_outdated(draft)


@login_required
def discard(slug: str):
    course = _course(slug)
    actor = current_lms_user()
    require_author(actor, course)
    form = DiscardForm()
    if not form.validate_on_submit():
        found = publishing.review(actor, course)
        page = _layout(
            course, "publish", review=found, form=PublishForm(), discard_form=form, outdated=_outdated(course)
        )
        return render_template("lms/authoring/publish.html", **page), 400
    draft = drafts.existing_draft(course)
    if draft is not None:
        commit_once(lambda: drafts.discard(draft, actor))
    flash(_("The draft was discarded; the next edit starts from the published version."), "success")
    return redirect(url_for("lms.authoring.publish", slug=slug))


@login_required
def history(slug: str):
    course = _course(slug)
    require_author(current_lms_user(), course)
    return render_template(
        "lms/authoring/history.html",
        **_layout(
            course,
            "history",
            versions=list(reversed(course.versions)),
            publishers=_publishers(course),
            form=ConfirmForm(),
        ),
    )


def _publishers(course: Course) -> dict[int, tuple[AuditEntry, User | None]]:
    """The audit entry (and its actor) that made each version, by version number."""
    rows = session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.subject == f"course:{course.slug}", AuditEntry.action.in_(PUBLISHERS))
        .order_by(AuditEntry.id)
    ).all()
    found: dict[int, tuple[AuditEntry, User | None]] = {}
    for entry, actor in rows:
        number = (entry.details or {}).get("version")
        if isinstance(number, int):
            found.setdefault(number, (entry, actor))
    return found


@login_required
def rollback(slug: str, number: int):
    course = _course(slug)
    actor = current_lms_user()
    require_author(actor, course)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = commit_once(lambda: publishing.rollback(actor, course, number))
    except publishing.NothingToDo as refused:
        flash(str(refused), "error")
    except PackageError as error:
        session.rollback()
        flash(
            _("Version %(n)d cannot be imported again: %(problem)s", n=number, problem=error.problems[0]),
            "error",
        )
    else:
        flash(
            _(
                "Version %(new)d now holds the content of version %(old)d.",
                new=result.version.number,
                old=number,
            ),
            "success",
        )
    return redirect(url_for("lms.authoring.history", slug=slug))


@login_required
def file_changes(slug: str):
    """The changes other editors saved to one file: the page a refused (stale) save links to."""
    course = _course(slug)
    require_author(current_lms_user(), course)
    path = request.args.get("path", "")
    since = whole_number(request.args.get("since", "0"))
    if not path:
        abort(400, _("Name the file: ?path=lessons/<id>.md"))
    if since is None:
        abort(400, _("The revision must be a whole number (0 or more)."))
    draft = drafts.existing_draft(course)
    return render_template(
        "lms/authoring/file_changes.html",
        **_layout(
            course,
            "structure",
            path=path,
            since=since,
            entries=_file_entries(course, path, since),
            current=drafts.file(draft, path) if draft else None,
        ),
    )


def _file_entries(course: Course, path: str, since: int) -> list[tuple[AuditEntry, User | None]]:
    rows = session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.subject == f"course:{course.slug}", AuditEntry.action.in_(FILE_CHANGES))
        .order_by(AuditEntry.id)
    ).all()
    return [
        (entry, actor)
        for entry, actor in rows
        if (entry.details or {}).get("path") == path and _revision(entry) > since
    ]


def _revision(entry: AuditEntry) -> int:
    value = (entry.details or {}).get("revision")
    return value if isinstance(value, int) else 0
