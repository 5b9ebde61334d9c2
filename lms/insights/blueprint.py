"""Trainer insights pages, under ``/insights``: a course's owners and administrators only.

A refusal from :mod:`lms.authoring.access` (``NotAllowed``) becomes a 403 page with its message.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import Forbidden

from lms.accounts.policy import NotAllowed
from lms.core.errors import render_error
from lms.insights import views

insights_blueprint = Blueprint("insights", __name__, template_folder="templates", url_prefix="/insights")
insights_blueprint.add_url_rule("/<slug>", "dashboard", views.dashboard)
insights_blueprint.add_url_rule("/<slug>/quizzes/<quiz_key>", "quiz_items", views.quiz_items)
insights_blueprint.add_url_rule("/<slug>/lessons", "dropoff", views.dropoff)


@insights_blueprint.errorhandler(NotAllowed)
def refuse(error: NotAllowed):
    return render_error(Forbidden(description=str(error)))
