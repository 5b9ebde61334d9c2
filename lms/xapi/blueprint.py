from flask import Blueprint

from lms.xapi import views

xapi_admin_blueprint = Blueprint("xapi_admin", __name__, template_folder="templates")
xapi_admin_blueprint.add_url_rule("/users/<int:user_id>/record", "learner_record", views.learner_record)
xapi_admin_blueprint.add_url_rule("/users/<int:user_id>/record/void", "void", views.void, methods=["POST"])
