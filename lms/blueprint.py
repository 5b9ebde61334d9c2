"""The LMS blueprint: every area's blueprint is nested in it, under one URL prefix."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_wtf.csrf import generate_csrf

from lms.accounts.access import current_lms_user, header_links, load_current_user
from lms.accounts.blueprint import accounts_blueprint, admin_blueprint
from lms.accounts.forms import ROLE_LABELS, STAFF_GROUP_LABELS
from lms.api.blueprint import api_blueprint, tokens_blueprint
from lms.assignments.blueprint import assignments_blueprint
from lms.authoring.blueprint import authoring_blueprint
from lms.certificates.blueprint import certificates_blueprint
from lms.core.blueprint import core_blueprint
from lms.core.errors import register_error_pages
from lms.core.i18n import current_language, format_date, format_datetime
from lms.core.input_guard import refuse_control_characters
from lms.core.security import add_security_headers
from lms.core.static import StaticBlueprint
from lms.courses.blueprint import courses_blueprint
from lms.insights.blueprint import insights_blueprint
from lms.quizzes.blueprint import quizzes_blueprint
from lms.reports.blueprint import reports_blueprint
from lms.xapi.blueprint import xapi_admin_blueprint
from lms.xapi.lrs.blueprint import lrs_blueprint

lms_blueprint = StaticBlueprint(
    "lms",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
lms_blueprint.before_request(load_current_user)
lms_blueprint.before_request(refuse_control_characters)
lms_blueprint.after_request(add_security_headers)
lms_blueprint.url_defaults(lms_blueprint.add_fingerprint)
register_error_pages(lms_blueprint)
lms_blueprint.register_blueprint(core_blueprint)
lms_blueprint.register_blueprint(accounts_blueprint)
lms_blueprint.register_blueprint(admin_blueprint, url_prefix="/admin")
lms_blueprint.register_blueprint(xapi_admin_blueprint, url_prefix="/admin")
lms_blueprint.register_blueprint(courses_blueprint)
lms_blueprint.register_blueprint(quizzes_blueprint)
lms_blueprint.register_blueprint(certificates_blueprint)
lms_blueprint.register_blueprint(reports_blueprint)
lms_blueprint.register_blueprint(api_blueprint, url_prefix="/api/v1")
lms_blueprint.register_blueprint(tokens_blueprint)
lms_blueprint.register_blueprint(assignments_blueprint)
lms_blueprint.register_blueprint(authoring_blueprint)
lms_blueprint.register_blueprint(lrs_blueprint)
lms_blueprint.register_blueprint(insights_blueprint)


@lms_blueprint.app_context_processor
def lms_template_context():
    return {
        "lms_user": current_lms_user(),
        "lms_language": current_language(),
        "lms_base_template": current_app.config["LMS_BASE_TEMPLATE"],
        "lms_locales": current_app.config["LMS_LOCALES"],
        "lms_site_name": current_app.config["LMS_SITE_NAME"],
        "lms_csrf_token": generate_csrf,
        "lms_header_links": header_links,
        "staff_group_label": lambda value: STAFF_GROUP_LABELS.get(value, value),
        "role_label": lambda value: ROLE_LABELS.get(value, value),
    }


@lms_blueprint.app_template_filter("lms_date")
def lms_date_filter(value):
    return format_date(value)


@lms_blueprint.app_template_filter("lms_iso_date")
def lms_iso_date_filter(value: str):
    return format_date(date.fromisoformat(value))


@lms_blueprint.app_template_filter("lms_datetime")
def lms_datetime_filter(value):
    return format_datetime(value)
