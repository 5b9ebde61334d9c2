"""The draft as a learner would see it, built from its files without writing anything.

The draft is written to a temporary folder and read by the package checker, as publishing
would; from what it parsed we build *unsaved* ``CourseVersion``, ``Module`` and ``Lesson``
objects (never added to the session) for the learner templates. A draft with problems still
previews what it can: a lesson whose front matter cannot be read shows its file's text.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from markupsafe import escape

from lms.accounts.models import User
from lms.authoring import drafts
from lms.authoring.access import require_author
from lms.content.models import Course, CourseVersion, Lesson, Module
from lms.courses.service import LessonTime
from lms.packages.check import CheckedPackage, check_package
from lms.packages.markdown import render_lesson
from lms.packages.media import stored_name
from lms.packages.problems import Problem
from lms.progress.completion import Progress, required_items, seconds_needed


@dataclass
class DraftPreview:
    course: Course
    version: CourseVersion
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, key: str) -> Lesson | None:
        return next((lesson for lesson in self.version.lessons if lesson.key == key), None)

    def problems_of(self, file: str) -> list[Problem]:
        return [p for p in self.problems if p.file == file]


LEARNER_PAGES = {
    "lms.courses.course": "lms.authoring.preview",
    "lms.courses.lesson": "lms.authoring.preview_lesson",
    "lms.courses.lesson_opened": "lms.authoring.preview_lesson",
    "lms.courses.enrol": "lms.authoring.preview_start",
    "lms.courses.launch": "lms.authoring.preview_start",
    "lms.courses.leave_lesson": "lms.authoring.preview_leave",
    "lms.quizzes.overview": "lms.authoring.preview",
}
"""The learner pages of a course and the preview page standing in for each."""


def preview_url_for(course: Course):
    """A ``url_for`` for the learner templates that keeps the course's links in the preview.

    Passed to ``render_template`` as ``url_for``, it shadows the template global for that page
    only, so the learner templates render unchanged and no button records anything.
    """

    def link(endpoint: str, **values: Any) -> str:
        target = LEARNER_PAGES.get(endpoint)
        if target is None or values.get("slug") != course.slug:
            return url_for(endpoint, **values)
        if target != "lms.authoring.preview_lesson" and target != "lms.authoring.preview_leave":
            values.pop("key", None)
        return url_for(target, **values)

    return link


def fresh_progress(version: CourseVersion) -> Progress:
    """Where a learner who has just enrolled stands: nothing done yet."""
    return Progress(items=required_items(version))


def time_needed(version: CourseVersion, lesson: Lesson) -> LessonTime:
    return LessonTime(0, seconds_needed(version, lesson))


def neighbours(version: CourseVersion, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    lessons = version.lessons
    index = lessons.index(lesson)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


def build(actor: User, course: Course) -> DraftPreview:
    """The preview of the course's draft (of its newest version when it has no draft)."""
    require_author(actor, course)
    draft = drafts.existing_draft(course)
    data = drafts.snapshot(draft) if draft is not None else _version_snapshot(course)
    with tempfile.TemporaryDirectory() as folder:
        drafts.write_snapshot(data, Path(folder))
        package = check_package(folder)
        version = _version(package, _media_urls(course, package, draft is not None))
    return DraftPreview(course, version, package.problems)


def _version_snapshot(course: Course) -> drafts.Snapshot:
    version = course.current_version
    if version is None:
        return drafts.Snapshot({}, {})
    return drafts.Snapshot(dict(version.package["files"]), dict(version.package["media"]))


def _media_urls(course: Course, package: CheckedPackage, has_draft: bool) -> dict[str, str]:
    """Where each media file is served: a draft's from the draft's media page (a course never
    published has no learner media page), the published version's from the learner's."""
    if has_draft and "lms.authoring.draft_media" in current_app.view_functions:
        return {
            relative: url_for(
                "lms.authoring.draft_media", slug=course.slug, filename=relative.removeprefix("media/")
            )
            for relative in package.files.media
        }
    return {
        relative: url_for(
            "lms.courses.media", slug=course.slug, filename=stored_name(media.sha256, media.suffix)
        )
        for relative, media in package.files.media.items()
    }


def _version(package: CheckedPackage, media_urls: dict[str, str]) -> CourseVersion:
    data = package.course
    version = CourseVersion(
        number=0,
        package_version=str(data.get("version", "")),
        title_th=_text(data.get("title"), "th") or package.slug,
        title_en=_text(data.get("title"), "en"),
        summary_th=_text(data.get("summary"), "th"),
        summary_en=_text(data.get("summary"), "en"),
        audience=[g for g in _list(data.get("audience")) if isinstance(g, str)],
        hours=_hours(data.get("hours")),
        completion_rule=data.get("completion") if isinstance(data.get("completion"), dict) else {},
        certificate_template=str(data.get("certificate", "")),
    )
    for position, module in enumerate(_list(data.get("modules")), start=1):
        if isinstance(module, dict):
            version.modules.append(_module(package, module, position, media_urls))
    return version


def _module(package: CheckedPackage, data: dict, position: int, media_urls: dict[str, str]) -> Module:
    key = str(data.get("id", f"module-{position}"))
    module = Module(
        key=key,
        position=position,
        title_th=_text(data.get("title"), "th") or key,
        title_en=_text(data.get("title"), "en"),
        quiz_key=data.get("quiz") if isinstance(data.get("quiz"), str) else None,
    )
    keys = [k for k in _list(data.get("lessons")) if isinstance(k, str)]
    for number, lesson_key in enumerate(keys, start=1):
        module.lessons.append(_lesson(package, lesson_key, number, media_urls))
    return module


def _lesson(package: CheckedPackage, key: str, position: int, media_urls: dict[str, str]) -> Lesson:
    source = package.lessons.get(key)
    meta = source.meta if source else {}
    if source is not None:
        body_html = render_lesson(source.body, media_urls)
    else:
        raw = package.files.texts.get(f"lessons/{key}.md", "")
        body_html = f'<pre class="draft-source">{escape(raw)}</pre>'
    minutes = meta.get("minutes")
    return Lesson(
        key=key,
        position=position,
        title_th=_text(meta.get("title"), "th") or key,
        title_en=_text(meta.get("title"), "en"),
        minutes=minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0 else 1,
        is_required=meta.get("required") is not False,
        body_markdown=source.body if source else "",
        body_html=body_html,
    )


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict) and isinstance(value.get(language), str):
        return value[language]
    return ""


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _hours(value: Any) -> Decimal:
    if isinstance(value, bool):
        return Decimal(0)
    try:
        return Decimal(str(value)) if isinstance(value, int | float) else Decimal(0)
    except InvalidOperation:
        return Decimal(0)
