from flask import Blueprint

from lms.xapi import views
from lms.xapi.lrs.credential_views import credentials_blueprint
from lms.xapi.relay import views as relay_views

xapi_admin_blueprint = Blueprint("xapi_admin", __name__, template_folder="templates")
xapi_admin_blueprint.add_url_rule("/users/<int:user_id>/record", "learner_record", views.learner_record)
xapi_admin_blueprint.add_url_rule("/users/<int:user_id>/record/void", "void", views.void, methods=["POST"])
xapi_admin_blueprint.register_blueprint(credentials_blueprint, url_prefix="/lrs/credentials")
xapi_admin_blueprint.add_url_rule("/xapi/relay", "relay", relay_views.relay_page)
xapi_admin_blueprint.add_url_rule(
    "/xapi/relay/test", "relay_test", relay_views.test_connection, methods=["POST"]
)
