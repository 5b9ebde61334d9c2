"""Routes of the JSON API (``/api/v1``, token only) and of the token pages (signed-in HR)."""

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from lms.api import auth, endpoints, views

api_blueprint = Blueprint("api", __name__)
api_blueprint.before_request(auth.authenticate)
# By code as well: Flask prefers a parent's handler for the code over our class handler.
for code in (400, 401, 403, 404, 405, 409, 429, 500):
    api_blueprint.register_error_handler(code, auth.handle_http_error)
api_blueprint.register_error_handler(HTTPException, auth.handle_http_error)
api_blueprint.add_url_rule("/openapi.json", "openapi", endpoints.openapi)
api_blueprint.add_url_rule("/me", "me", endpoints.me)
for rule, name, view in endpoints.REPORT_ROUTES:
    api_blueprint.add_url_rule(rule, name, view)

tokens_blueprint = Blueprint("api_tokens", __name__, template_folder="templates")
tokens_blueprint.add_url_rule("/account/api-tokens", "token_list", views.token_list, methods=["GET", "POST"])
tokens_blueprint.add_url_rule(
    "/account/api-tokens/<int:token_id>/revoke", "token_revoke", views.token_revoke, methods=["POST"]
)
