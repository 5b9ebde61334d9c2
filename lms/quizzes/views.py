from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.forms import ConfirmForm
from lms.content.quizzes import media_names
from lms.core.conflicts import commit_once
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.service import enrolment_for
from lms.quizzes import service


def _context(slug: str, key: str) -> service.QuizContext:
    course = courses.course_by_slug(slug) or abort(404)
    return service.find_quiz(course, key) or abort(404)


def _media_urls(ctx: service.QuizContext) -> dict[str, str]:
    """Absolute URLs of the package's media, for pictures in prompts and feedback."""
    names = media_names(ctx.course.current_version)
    return {
        path: url_for("lms.courses.media", slug=ctx.course.slug, filename=name)
        for path, name in names.items()
    }


def _fail(error: service.QuizError):
    session.rollback()
    abort(error.status, str(error))


@login_required
def overview(slug: str, key: str):
    ctx = _context(slug, key)
    enrolment = enrolment_for(current_lms_user(), ctx.course)
    if enrolment is None:
        flash(_("Enrol in the course to take its quizzes."), "info")
        return redirect(url_for("lms.courses.course", slug=slug))
    attempts = service.attempts(enrolment, key)
    return render_template(
        "lms/quizzes/overview.html",
        ctx=ctx,
        attempts=attempts,
        form=ConfirmForm(),
        left=service.attempts_left(ctx.quiz, len(attempts)),
        course_completed=enrolment.completed_at is not None,
    )


@login_required
def start(slug: str, key: str):
    ctx = _context(slug, key)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt = commit_once(lambda: service.start(current_lms_user(), ctx))
    except service.QuizError as error:
        _fail(error)
    return redirect(url_for("lms.quizzes.attempt", slug=slug, key=key, attempt_id=attempt.id))


@login_required
def attempt(slug: str, key: str, attempt_id: str):
    ctx = _context(slug, key)
    try:
        current = service.owned_attempt(current_lms_user(), ctx, attempt_id)
    except service.QuizError as error:
        _fail(error)
    if current.submitted_at is not None:
        return _result(ctx, current)
    return render_template(
        "lms/quizzes/attempt.html",
        ctx=ctx,
        attempt=current,
        form=ConfirmForm(),
        questions=service.public_questions(ctx, current, _media_urls(ctx)),
    )


def _result(ctx, current):
    enrolment = enrolment_for(current_lms_user(), ctx.course)
    used = len(service.attempts(enrolment, ctx.quiz.key))
    allowed = service.may_review(ctx.quiz, current)
    review = service.review(ctx, current, _media_urls(ctx)) if allowed else None
    return render_template(
        "lms/quizzes/result.html",
        ctx=ctx,
        attempt=current,
        review=review,
        left=service.attempts_left(ctx.quiz, used),
        course_completed=enrolment.completed_at is not None,
        form=ConfirmForm(),
    )


def _answer(action):
    @login_required
    def view(slug: str, key: str, attempt_id: str):
        ctx = _context(slug, key)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            revision = int(request.form.get("revision", ""))
        except ValueError:
            abort(400, _("The form is missing its revision; reload the attempt."))
        try:
            current = service.owned_attempt(current_lms_user(), ctx, attempt_id)
            action(current_lms_user(), ctx, current, request.form.to_dict(flat=False), revision)
        except service.QuizError as error:
            _fail(error)
        session.commit()
        if action is service.save:
            flash(_("Your answers are saved."), "success")
        return redirect(url_for("lms.quizzes.attempt", slug=slug, key=key, attempt_id=attempt_id))

    view.__name__ = f"{action.__name__}_answers"
    return view


save = _answer(service.save)
submit = _answer(service.submit)
