from flask import Blueprint, current_app

from lms.certificates import hr_views, views
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

# HR and admins: bulk issue, its progress and ZIP; a course's certificates; revoke, re-issue.
certificates_blueprint.add_url_rule("/certificates/manage", "manage", hr_views.manage)
certificates_blueprint.add_url_rule(
    "/certificates/manage/issue", "start_bulk", hr_views.start_bulk, methods=["POST"]
)
certificates_blueprint.add_url_rule("/certificates/jobs/<job_id>", "job", hr_views.job_progress)
certificates_blueprint.add_url_rule("/certificates/jobs/<job_id>.zip", "job_zip", hr_views.job_zip)
certificates_blueprint.add_url_rule(
    "/certificates/jobs/<job_id>/resume", "resume_job", hr_views.resume_job, methods=["POST"]
)
certificates_blueprint.add_url_rule("/certificates/courses/<slug>", "course_list", hr_views.course_list)
certificates_blueprint.add_url_rule("/certificates/courses/<slug>.zip", "course_zip", hr_views.course_zip)
certificates_blueprint.add_url_rule(
    "/certificates/manage/<serial>", "manage_certificate", hr_views.certificate
)
certificates_blueprint.add_url_rule(
    "/certificates/manage/<serial>/revoke", "revoke", hr_views.revoke, methods=["POST"]
)
certificates_blueprint.add_url_rule(
    "/certificates/manage/<serial>/reissue", "reissue", hr_views.reissue, methods=["POST"]
)
