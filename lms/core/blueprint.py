from flask import Blueprint

from lms.core import views

core_blueprint = Blueprint("core", __name__, template_folder="templates")
core_blueprint.add_url_rule("/", "home", views.home)
core_blueprint.add_url_rule("/language/<code>", "set_language", views.set_language, methods=["POST"])
