"""Thin views of the insights pages: find the course, ask ``require_author``, render."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select

from lms.accounts.access import current_lms_user, login_required
from lms.authoring.access import require_author
from lms.authoring.drafts import existing_draft
from lms.content.models import Course
from lms.core.i18n import current_language
from lms.extensions import session
from lms.insights import dashboard as dashboard_service
from lms.insights import dropoff as dropoff_service
from lms.insights import items
from lms.insights.labels import FLAG_LABELS


def _course(slug: str) -> Course:
    """The course, if the signed-in user owns it or is an administrator (else 403; 404 if none)."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    require_author(current_lms_user(), course)
    return course


def _render(template: str, course: Course, page: str, **context):
    return render_template(
        template,
        course=course,
        draft=existing_draft(course),
        tab="insights",
        page=page,
        quizzes=items.course_quizzes(course),
        **context,
    )


@login_required
def dashboard(slug: str):
    course = _course(slug)
    figures = dashboard_service.dashboard(course, current_language())
    return _render("lms/insights/dashboard.html", course, "dashboard", figures=figures)


@login_required
def quiz_items(slug: str, quiz_key: str):
    course = _course(slug)
    quiz = items.find_quiz(course, quiz_key)
    if quiz is None:
        abort(404)
    stats = items.item_analysis(course, quiz)
    return _render(
        "lms/insights/quiz_items.html",
        course,
        f"quiz:{quiz.key}",
        quiz=quiz,
        stats=stats,
        flag_labels=FLAG_LABELS,
    )


@login_required
def dropoff(slug: str):
    course = _course(slug)
    rows = dropoff_service.dropoff(course)
    return _render("lms/insights/dropoff.html", course, "dropoff", rows=rows)
