from flask import Blueprint

from lms.accounts import admin_views, import_views, views
from lms.extensions import limiter

accounts_blueprint = Blueprint("accounts", __name__, template_folder="templates")
login_view = limiter.limit(lambda: views.login_rate_limit(), methods=["POST"], key_func=views.login_rate_key)(
    views.login
)
accounts_blueprint.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
accounts_blueprint.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
accounts_blueprint.add_url_rule(
    "/account/password", "change_password", views.change_password, methods=["GET", "POST"]
)

admin_blueprint = Blueprint("admin", __name__, template_folder="templates")
admin_blueprint.add_url_rule("/users", "users", admin_views.user_list)
admin_blueprint.add_url_rule("/users/new", "user_new", admin_views.user_new, methods=["GET", "POST"])
admin_blueprint.add_url_rule(
    "/users/<int:user_id>", "user_edit", admin_views.user_edit, methods=["GET", "POST"]
)
admin_blueprint.add_url_rule(
    "/users/<int:user_id>/reset-password",
    "user_reset_password",
    admin_views.user_reset_password,
    methods=["POST"],
)
admin_blueprint.add_url_rule(
    "/users/import", "user_import", import_views.user_import, methods=["GET", "POST"]
)
admin_blueprint.add_url_rule("/users/import/jobs/<job_id>", "user_import_job", import_views.user_import_job)
