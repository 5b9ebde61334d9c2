from flask import Blueprint

from lms.reports import views

reports_blueprint = Blueprint("reports", __name__, template_folder="templates")
reports_blueprint.add_url_rule("/reports", "overview", views.overview)
reports_blueprint.add_url_rule("/reports/drilldown", "drilldown", views.drilldown)
reports_blueprint.add_url_rule("/reports/hours", "hours", views.hours)
reports_blueprint.add_url_rule("/reports/me", "my_transcript", views.my_transcript)
reports_blueprint.add_url_rule("/reports/learners/<user_uuid>", "transcript", views.transcript)
reports_blueprint.add_url_rule(
    "/reports/learners/<user_uuid>.<fmt>", "transcript_export", views.transcript_export
)
reports_blueprint.add_url_rule("/reports/<report>.<fmt>", "export", views.export)
reports_blueprint.add_url_rule(
    "/reports/exports/<report>", "export_start", views.export_start, methods=["POST"]
)
reports_blueprint.add_url_rule("/reports/exports/<job_id>/status", "export_status", views.export_status)
reports_blueprint.add_url_rule("/reports/exports/<job_id>/download", "export_download", views.export_download)
