from __future__ import annotations

import json
import re

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.forms import STAFF_GROUP_LABELS, ConfirmForm
from lms.assignments.service import required_for
from lms.core.conflicts import commit_once
from lms.core.i18n import current_language
from lms.courses import service
from lms.courses.forms import CatalogFilterForm, LeaveLessonForm
from lms.courses.timing import opened_stamp, read_stamp
from lms.extensions import session
from lms.packages.media import media_dir
from lms.progress.service import my_enrolments
from lms.xapi.labels import VERB_LABELS
from lms.xapi.ledger import statements_of

LEAVE_ACTIONS = {"previous", "next", "complete", "exit", "outline"}
MEDIA_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpe?g|gif|webp|mp4|webm|mp3|pdf)$")


def _course_or_404(slug: str):
    course = service.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


@login_required
def catalog():
    form = CatalogFilterForm(request.args)
    group = form.group.data or None
    if group and group not in STAFF_GROUP_LABELS:
        abort(400, _("Unknown staff group %(group)s.", group=group))
    courses = service.catalog(current_lms_user(), group, form.q.data or "")
    return render_template(
        "lms/courses/catalog.html",
        form=form,
        courses=courses,
        group_choices=form.group_choices(STAFF_GROUP_LABELS),
        group=group,
        paths=_paths_with_progress(current_lms_user()),
    )


def _paths_with_progress(user):
    paths = service.learning_paths(user)
    courses = service.courses_by_slug([slug for p in paths for slug in p.course_slugs])
    enrolments = {course.slug: (enrolment, progress) for enrolment, course, progress in my_enrolments(user)}
    return [
        (path, [(courses[s], enrolments.get(s)) for s in path.course_slugs if s in courses]) for path in paths
    ]


@login_required
def course_detail(slug: str):
    course = _course_or_404(slug)
    enrolment = service.enrolment_for(current_lms_user(), course)
    return render_template(
        "lms/courses/course.html",
        course=course,
        version=course.current_version,
        enrolment=enrolment,
        progress=service.progress(course, enrolment),
        form=ConfirmForm(),
    )


@login_required
def enrol(slug: str):
    course = _course_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    lesson = commit_once(lambda: service.enrol_and_launch(current_lms_user(), course))
    flash(_("You are enrolled. Enjoy the course!"), "success")
    return redirect(url_for("lms.courses.lesson", slug=slug, key=lesson.key))


@login_required
def launch(slug: str):
    course = _course_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    enrolment = service.enrolment_for(current_lms_user(), course)
    if enrolment is None or enrolment.completed_at is not None:
        return redirect(url_for("lms.courses.course", slug=slug))
    lesson = service.launch(current_lms_user(), course)
    session.commit()
    return redirect(url_for("lms.courses.lesson", slug=slug, key=lesson.key))


@login_required
def lesson(slug: str, key: str):
    course = _course_or_404(slug)
    enrolment = service.enrolment_for(current_lms_user(), course)
    if enrolment is None:
        flash(_("Enrol in the course to read its lessons."), "info")
        return redirect(url_for("lms.courses.course", slug=slug))
    current = service.find_lesson(course, key) or abort(404)
    previous, following = service.neighbours(course, current)
    form = LeaveLessonForm(opened=opened_stamp(current.key))
    return render_template(
        "lms/courses/lesson.html",
        course=course,
        version=course.current_version,
        lesson=current,
        previous=previous,
        following=following,
        form=form,
        progress=service.progress(course, enrolment),
        time=service.lesson_time(course, enrolment, current),
    )


@login_required
def lesson_opened(slug: str, key: str):
    """A fresh stamp for a lesson page shown again after the learner left it (the player's
    script asks), so the time away from the page is not counted."""
    course = _course_or_404(slug)
    current = service.find_lesson(course, key) or abort(404)
    if service.enrolment_for(current_lms_user(), course) is None:
        abort(403)
    response = jsonify(opened=opened_stamp(current.key))
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
def leave_lesson(slug: str, key: str):
    course = _course_or_404(slug)
    current = service.find_lesson(course, key) or abort(404)
    form = LeaveLessonForm()
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in LEAVE_ACTIONS:
        abort(400)
    opened = read_stamp(form.opened.data, current.key)
    try:
        left = service.leave_lesson(
            current_lms_user(),
            course,
            current,
            opened.seconds,
            view=opened.view,
            complete=action in {"next", "complete"},
            terminate=action == "exit",
        )
    except service.CourseError:
        abort(403)
    session.commit()
    if request.headers.get("Sec-Fetch-Dest") == "empty":
        return "", 204  # the player's save on leave (a beacon): nobody will see a page
    if action in {"next", "complete"} and not left.completed:
        flash(_not_yet_complete(current, left.time), "info")
    return redirect(_after_leaving(course, current, action))


def _not_yet_complete(lesson, time) -> str:
    return _(
        "“%(title)s” is not complete yet: spend about %(n)d more minutes on it, then choose Next "
        "or Mark as complete. The time you spent is saved.",
        title=lesson.title(current_language()),
        n=time.minutes_still_needed,
    )


def _after_leaving(course, current, action: str) -> str:
    previous, following = service.neighbours(course, current)
    module = current.module
    if action == "next" and module.quiz_key and current is module.lessons[-1]:
        return url_for("lms.quizzes.overview", slug=course.slug, key=module.quiz_key)
    if action == "previous" and previous:
        return url_for("lms.courses.lesson", slug=course.slug, key=previous.key)
    if action == "next" and following:
        return url_for("lms.courses.lesson", slug=course.slug, key=following.key)
    if action == "exit":
        return url_for("lms.courses.my_learning")
    if action == "complete":
        return url_for("lms.courses.lesson", slug=course.slug, key=current.key)
    return url_for("lms.courses.course", slug=course.slug)


@login_required
def media(slug: str, filename: str):
    """A lesson's image or video from the content-addressed store (names are hashes)."""
    _course_or_404(slug)
    if not MEDIA_NAME.match(filename):
        abort(404)
    response = send_from_directory(media_dir(), filename, max_age=365 * 24 * 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_learning():
    user = current_lms_user()
    enrolments = my_enrolments(user)
    required = required_for(user)
    required_ids = {r.course.id for r in required}
    rows = [r for r in enrolments if r[1].id not in required_ids]
    return render_template(
        "lms/courses/my_learning.html",
        required=required,
        progress_by_course={course.id: progress for _e, course, progress in enrolments},
        in_progress=[r for r in rows if r[0].completed_at is None],
        completed=[r for r in rows if r[0].completed_at is not None],
        paths=_paths_with_progress(user),
    )


@login_required
def my_record():
    recorded = statements_of(current_lms_user(), limit=200)
    return render_template("lms/courses/record.html", recorded=recorded, verb_labels=VERB_LABELS)


@login_required
def my_record_json():
    """Every statement the learner made, each with whether it has been voided since."""
    entries = [{"voided": r.is_voided, "statement": r.statement} for r in statements_of(current_lms_user())]
    return Response(
        json.dumps(entries, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-learning-record.json"},
    )
