"""Authoring pages, under ``/authoring``: every view module adds its routes here.

A refusal from :mod:`lms.authoring.access` (``NotAllowed``) becomes a 403 page with its
message, so views need not catch it.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app

from lms.accounts.policy import NotAllowed
from lms.authoring import (
    course_views,
    lesson_views,
    package_views,
    publish_views,
    quiz_views,
    template_views,
)

authoring_blueprint = Blueprint("authoring", __name__, template_folder="templates", url_prefix="/authoring")
for module in (course_views, lesson_views, quiz_views, publish_views, package_views, template_views):
    module.register(authoring_blueprint)


@authoring_blueprint.errorhandler(NotAllowed)
def refuse(error: NotAllowed):
    abort(403, description=str(error))


@authoring_blueprint.app_template_global("authoring_has")
def authoring_has(endpoint: str) -> bool:
    """Whether a page exists (the course tabs name only the pages that do)."""
    return f"lms.authoring.{endpoint}" in current_app.view_functions


@authoring_blueprint.app_template_global("authoring_has_insights")
def authoring_has_insights() -> bool:
    return "lms.insights.dashboard" in current_app.view_functions
