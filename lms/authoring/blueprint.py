"""Authoring pages, under ``/authoring``: every view module adds its routes here.

A refusal from :mod:`lms.authoring.access` (``NotAllowed``) becomes a 403 page with its
message, so views need not catch it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, url_for
from werkzeug.exceptions import Forbidden

from lms.accounts.policy import NotAllowed
from lms.authoring import (
    course_views,
    drafts,
    lesson_views,
    package_views,
    publish_views,
    quiz_views,
    template_views,
)
from lms.core.errors import render_error
from lms.packages.files import COURSE_FILE

authoring_blueprint = Blueprint("authoring", __name__, template_folder="templates", url_prefix="/authoring")
for module in (course_views, lesson_views, quiz_views, publish_views, package_views, template_views):
    module.register(authoring_blueprint)


@authoring_blueprint.errorhandler(NotAllowed)
def refuse(error: NotAllowed):
    # Rendered, not abort()ed: an exception raised inside an error handler is not handled again,
    # and would reach the visitor as a 500.
    return render_error(Forbidden(description=str(error)))


@authoring_blueprint.app_template_global("authoring_has")
def authoring_has(endpoint: str) -> bool:
    """Whether a page exists (the course tabs name only the pages that do)."""
    return f"lms.authoring.{endpoint}" in current_app.view_functions


@authoring_blueprint.app_template_global("authoring_has_insights")
def authoring_has_insights() -> bool:
    return "lms.insights.dashboard" in current_app.view_functions


@authoring_blueprint.app_template_global("authoring_editor_url")
def authoring_editor_url(draft, path: str) -> str | None:
    """The page that edits a file of the draft (None for a file no page edits, or that the draft
    does not have), so the pages that name a file (the checker's problems, the changes to a
    file) link to its editor."""
    if draft is None or not path or path not in drafts.files(draft):
        return None
    slug = draft.course.slug
    folder, _, name = path.partition("/")
    if path == COURSE_FILE:
        endpoint, values = "structure", {}
    elif folder == "lessons" and name.endswith(".md") and "/" not in name:
        endpoint, values = "lesson_edit", {"key": name.removesuffix(".md")}
    elif folder == "quizzes" and name.endswith(".yaml") and "/" not in name:
        endpoint, values = "quiz_edit", {"key": name.removesuffix(".yaml")}
    else:
        return None
    if not authoring_has(endpoint) or values.get("key") == "":
        return None
    return url_for(f"lms.authoring.{endpoint}", slug=slug, **values)
