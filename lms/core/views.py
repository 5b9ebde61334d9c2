from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.forms import ConfirmForm
from lms.core.i18n import LANG_COOKIE
from lms.core.redirects import safe_next
from lms.courses.service import courses_by_slug, learning_paths
from lms.progress.service import my_enrolments

ONE_YEAR = 365 * 24 * 3600


@login_required
def home():
    user = current_lms_user()
    return render_template(
        "lms/core/home.html",
        user=user,
        enrolments=my_enrolments(user),
        recommended=_recommended_paths(user),
    )


def _recommended_paths(user):
    """The learning paths of the user's staff group, each with its published courses."""
    paths = [p for p in learning_paths(user) if p.staff_group == user.staff_group]
    courses = courses_by_slug([slug for p in paths for slug in p.course_slugs])
    return [(p, [courses[s] for s in p.course_slugs if s in courses]) for p in paths]


def set_language(code: str):
    """Remember the chosen language in a cookie and go back where the visitor was."""
    if code not in current_app.config["LMS_LOCALES"]:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    response = redirect(safe_next(request.form.get("next")) or url_for("lms.core.home"))
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response
