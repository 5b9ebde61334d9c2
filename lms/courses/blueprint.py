from flask import Blueprint

from lms.courses import views

courses_blueprint = Blueprint("courses", __name__, template_folder="templates")
courses_blueprint.add_url_rule("/courses", "catalog", views.catalog)
courses_blueprint.add_url_rule("/courses/<slug>", "course", views.course_detail)
courses_blueprint.add_url_rule("/courses/<slug>/enrol", "enrol", views.enrol, methods=["POST"])
courses_blueprint.add_url_rule("/courses/<slug>/launch", "launch", views.launch, methods=["POST"])
courses_blueprint.add_url_rule("/courses/<slug>/lessons/<key>", "lesson", views.lesson)
courses_blueprint.add_url_rule(
    "/courses/<slug>/lessons/<key>/leave", "leave_lesson", views.leave_lesson, methods=["POST"]
)
courses_blueprint.add_url_rule("/courses/<slug>/lessons/<key>/opened", "lesson_opened", views.lesson_opened)
courses_blueprint.add_url_rule("/courses/<slug>/media/<filename>", "media", views.media)
courses_blueprint.add_url_rule("/learning", "my_learning", views.my_learning)
courses_blueprint.add_url_rule("/learning/record", "my_record", views.my_record)
courses_blueprint.add_url_rule("/learning/record.json", "my_record_json", views.my_record_json)
