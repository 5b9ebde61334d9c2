"""The xAPI activity objects of our content: course, module, lesson and quiz."""

from __future__ import annotations

from typing import Any

from flask import current_app

from lms.content.models import Course, Lesson, Module
from lms.content.quizzes import QuizDefinition
from lms.xapi import builder


def base_url() -> str:
    return current_app.config["LMS_BASE_URL"]


def course_activity(course: Course) -> dict[str, Any]:
    version = course.current_version
    return builder.activity(
        builder.course_iri(base_url(), course.slug), "course", version.title_th, version.title_en
    )


def module_activity(course: Course, module: Module) -> dict[str, Any]:
    return builder.activity(
        builder.module_iri(base_url(), course.slug, module.key), "module", module.title_th, module.title_en
    )


def lesson_activity(course: Course, lesson: Lesson) -> dict[str, Any]:
    return builder.activity(
        builder.lesson_iri(base_url(), course.slug, lesson.key), "lesson", lesson.title_th, lesson.title_en
    )


def quiz_activity(course: Course, quiz: QuizDefinition) -> dict[str, Any]:
    iri = f"{builder.course_iri(base_url(), course.slug)}/quizzes/{quiz.key}"
    return builder.activity(iri, "assessment", quiz.title_th, quiz.title_en)
