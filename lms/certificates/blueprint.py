from flask import Blueprint, current_app

from lms.certificates import views
from lms.extensions import limiter


def verify_limit() -> str:
    return current_app.config["LMS_VERIFY_RATE_LIMIT"]


certificates_blueprint = Blueprint("certificates", __name__, template_folder="templates")
certificates_blueprint.add_url_rule("/verify/<serial>", "verify", limiter.limit(verify_limit)(views.verify))
certificates_blueprint.add_url_rule(
    "/verify/<serial>.json", "verify_json", limiter.limit(verify_limit)(views.verify_json)
)
certificates_blueprint.add_url_rule("/learning/certificates", "mine", views.my_certificates)
certificates_blueprint.add_url_rule("/certificates/<serial>.pdf", "download", views.download)
