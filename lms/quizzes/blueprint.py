from flask import Blueprint

from lms.quizzes import views

quizzes_blueprint = Blueprint("quizzes", __name__, template_folder="templates")
base = "/courses/<slug>/quizzes/<key>"
quizzes_blueprint.add_url_rule(base, "overview", views.overview)
quizzes_blueprint.add_url_rule(f"{base}/start", "start", views.start, methods=["POST"])
quizzes_blueprint.add_url_rule(f"{base}/attempts/<attempt_id>", "attempt", views.attempt)
quizzes_blueprint.add_url_rule(f"{base}/attempts/<attempt_id>/save", "save", views.save, methods=["POST"])
quizzes_blueprint.add_url_rule(
    f"{base}/attempts/<attempt_id>/submit", "submit", views.submit, methods=["POST"]
)
