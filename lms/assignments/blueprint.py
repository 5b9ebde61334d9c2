from flask import Blueprint

from lms.assignments import views

assignments_blueprint = Blueprint("assignments", __name__, template_folder="templates")
assignments_blueprint.add_url_rule("/assignments", "index", views.index)
assignments_blueprint.add_url_rule("/assignments/new", "new", views.new, methods=["GET", "POST"])
assignments_blueprint.add_url_rule(
    "/assignments/enrol-pending", "enrol_pending", views.enrol_pending, methods=["POST"]
)
assignments_blueprint.add_url_rule(
    "/assignments/<int:assignment_id>/cancel", "cancel", views.cancel, methods=["POST"]
)
