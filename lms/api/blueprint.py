"""Routes of the JSON API (``/api/v1``, token only) and of the token pages (signed-in HR)."""

from flask import Blueprint

from lms.api import auth, endpoints, views
from lms.api.errors import register_api_errors

api_blueprint = Blueprint("api", __name__)
api_blueprint.before_request(auth.authenticate)
register_api_errors(api_blueprint)
api_blueprint.add_url_rule("/openapi.json", "openapi", endpoints.openapi)
api_blueprint.add_url_rule("/me", "me", endpoints.me)
for rule, name, view in endpoints.REPORT_ROUTES:
    api_blueprint.add_url_rule(rule, name, view)

tokens_blueprint = Blueprint("api_tokens", __name__, template_folder="templates")
tokens_blueprint.add_url_rule("/account/api-tokens", "token_list", views.token_list, methods=["GET", "POST"])
tokens_blueprint.add_url_rule(
    "/account/api-tokens/<int:token_id>/revoke", "token_revoke", views.token_revoke, methods=["POST"]
)
