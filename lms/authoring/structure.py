"""Modules and lessons of a draft: add, rename, delete and reorder them in course.yaml.

Every change names the course.yaml revision the page was opened at (``drafts.StaleEdit`` if
another save came in between) and is refused with a :class:`StructureError` before anything is
written when its input is bad. Module, lesson and quiz ids share one namespace, the course, as
the package checker requires (``lms.packages.check``). Services flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.authoring import course_file, drafts, yaml_text
from lms.authoring.courses import placeholder_body
from lms.authoring.models import CourseDraft
from lms.packages.check import KEY
from lms.packages.files import COURSE_FILE

KEY_LENGTH = 100
TITLE_LENGTH = 300


class StructureError(ValueError):
    """Input a structure change refuses; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class LessonRow:
    key: str
    title: dict[str, str]
    minutes: object
    has_file: bool


@dataclass(frozen=True)
class ModuleRow:
    key: str
    title: dict[str, str]
    quiz: str | None
    lessons: list[LessonRow] = field(default_factory=list)


def lesson_path(key: str) -> str:
    return f"lessons/{key}.md"


def outline(draft: CourseDraft) -> list[ModuleRow]:
    """The modules in order, each with its lessons (titles read from the lesson files)."""
    data, _revision = course_file.read(draft)
    rows = []
    for module in course_file.modules(data):
        if not isinstance(module, dict):
            continue
        lessons = [_lesson_row(draft, key) for key in _lessons(module) if isinstance(key, str)]
        quiz = module.get("quiz") if isinstance(module.get("quiz"), str) else None
        rows.append(ModuleRow(str(module.get("id", "")), _title(module.get("title")), quiz, lessons))
    return rows


def _lesson_row(draft: CourseDraft, key: str) -> LessonRow:
    text = drafts.text(draft, lesson_path(key))
    meta: dict[str, Any] = {}
    if text is not None:
        try:
            meta, _body = yaml_text.split_lesson(text)
        except (ValueError, yaml.YAMLError):
            meta = {}
    meta = meta if isinstance(meta, dict) else {}
    return LessonRow(key, _title(meta.get("title")), meta.get("minutes"), text is not None)


def _title(value: object) -> dict[str, str]:
    return {k: str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _lessons(module: dict) -> list:
    found = module.get("lessons")
    if not isinstance(found, list):
        found = module["lessons"] = []
    return found


def _module(data: dict, key: str) -> dict:
    module = course_file.find_module(data, key)
    if module is None:
        raise StructureError(_("The module %(id)s is not in the course any more; reload the page.", id=key))
    return module


def _module_of_lesson(data: dict, key: str) -> dict:
    for module in course_file.modules(data):
        if isinstance(module, dict) and key in _lessons(module):
            return module
    raise StructureError(_("The lesson %(id)s is not in the course any more; reload the page.", id=key))


def used_ids(draft: CourseDraft, data: dict) -> set[str]:
    """Every module, lesson and quiz id of the course, listed or only present as a file."""
    found = set()
    for module in course_file.modules(data):
        if not isinstance(module, dict):
            continue
        found.add(module.get("id"))
        found.update(_lessons(module))
        found.add(module.get("quiz"))
    for path in drafts.files(draft):
        for folder, suffix in (("lessons/", ".md"), ("quizzes/", ".yaml")):
            if path.startswith(folder) and path.endswith(suffix) and "/" not in path[len(folder) :]:
                found.add(path[len(folder) : -len(suffix)])
    return {key for key in found if isinstance(key, str)}


def check_new_id(draft: CourseDraft, data: dict, key: str) -> str:
    key = (key or "").strip()
    if not KEY.match(key) or len(key) > KEY_LENGTH:
        raise StructureError(
            _(
                "An id is lower-case letters a-z, digits 0-9 and '-', starting with a letter or digit, "
                "at most 100 characters (e.g. m2-l1)."
            ),
            "key",
        )
    if key in used_ids(draft, data):
        raise StructureError(
            _(
                "The id %(id)s is already used in this course; module, lesson and quiz ids must be "
                "unique in the whole course.",
                id=key,
            ),
            "key",
        )
    return key


def check_title(title_th: str, title_en: str) -> dict[str, str]:
    title = {"th": (title_th or "").strip(), "en": (title_en or "").strip()}
    for language, value in title.items():
        if not value:
            raise StructureError(_("Give a title in Thai and in English."), f"title_{language}")
        if len(value) > TITLE_LENGTH:
            raise StructureError(_("A title may be at most 300 characters."), f"title_{language}")
    return title


def add_module(
    actor: User, draft: CourseDraft, base_revision: int, key: str, title_th: str, title_en: str
) -> str:
    """Append a module (no lessons yet: the checker wants one before publishing)."""
    drafts.check_revision(draft, COURSE_FILE, base_revision)
    data, _revision = course_file.read(draft)
    key = check_new_id(draft, data, key)
    title = check_title(title_th, title_en)
    course_file.update(
        draft,
        actor,
        base_revision,
        lambda d: course_file.modules(d).append({"id": key, "title": title, "lessons": []}),
    )
    return key


def rename_module(
    actor: User, draft: CourseDraft, base_revision: int, key: str, title_th: str, title_en: str
) -> None:
    title = check_title(title_th, title_en)
    course_file.update(draft, actor, base_revision, lambda d: _module(d, key).__setitem__("title", title))


def delete_module(actor: User, draft: CourseDraft, base_revision: int, key: str) -> None:
    """Remove a module and its lesson files; its quiz file stays, attached to no module."""
    drafts.check_revision(draft, COURSE_FILE, base_revision)
    data, _revision = course_file.read(draft)
    module = _module(data, key)
    for lesson in _lessons(module):
        if isinstance(lesson, str):
            _delete_lesson_file(draft, actor, lesson)
    course_file.update(draft, actor, base_revision, lambda d: course_file.modules(d).remove(_module(d, key)))


def move_module(actor: User, draft: CourseDraft, base_revision: int, key: str, step: int) -> None:
    """Move a module one place up (``step`` -1) or down (+1)."""

    def change(data: dict) -> None:
        modules = course_file.modules(data)
        index = modules.index(_module(data, key))
        target = index + step
        if step not in (-1, 1) or not 0 <= target < len(modules):
            raise StructureError(_("The module %(id)s cannot move further that way.", id=key))
        modules[index], modules[target] = modules[target], modules[index]

    course_file.update(draft, actor, base_revision, change)


def add_lesson(
    actor: User,
    draft: CourseDraft,
    base_revision: int,
    module_key: str,
    key: str,
    title_th: str,
    title_en: str,
    minutes: int | None,
) -> str:
    """Make ``lessons/<key>.md`` with a placeholder text and list it at the end of the module."""
    drafts.check_revision(draft, COURSE_FILE, base_revision)
    data, _revision = course_file.read(draft)
    _module(data, module_key)
    key = check_new_id(draft, data, key)
    title = check_title(title_th, title_en)
    if minutes is None or not 1 <= minutes <= 10000:
        raise StructureError(_("Minutes must be a whole number from 1 to 10000."), "minutes")
    meta = {"id": key, "title": title, "minutes": minutes, "required": True}
    path = lesson_path(key)
    drafts.save_text(
        draft, actor, path, yaml_text.join_lesson(meta, placeholder_body()), drafts.revision(draft, path)
    )
    course_file.update(draft, actor, base_revision, lambda d: _lessons(_module(d, module_key)).append(key))
    return key


def delete_lesson(actor: User, draft: CourseDraft, base_revision: int, key: str) -> None:
    drafts.check_revision(draft, COURSE_FILE, base_revision)
    data, _revision = course_file.read(draft)
    _module_of_lesson(data, key)
    _delete_lesson_file(draft, actor, key)
    course_file.update(draft, actor, base_revision, lambda d: _lessons(_module_of_lesson(d, key)).remove(key))


def _delete_lesson_file(draft: CourseDraft, actor: User, key: str) -> None:
    path = lesson_path(key)
    if drafts.text(draft, path) is not None:
        drafts.delete(draft, actor, path, drafts.revision(draft, path))


def move_lesson(actor: User, draft: CourseDraft, base_revision: int, key: str, step: int) -> str:
    """Move a lesson one place up (-1) or down (+1); from the first or last place of its module
    it goes to the end of the previous module or the start of the next. Returns the module id
    the lesson is in afterwards."""
    moved_to: list[str] = []

    def change(data: dict) -> None:
        modules = [m for m in course_file.modules(data) if isinstance(m, dict)]
        module = _module_of_lesson(data, key)
        lessons, number = _lessons(module), modules.index(module)
        index, target = lessons.index(key), lessons.index(key) + step
        if step not in (-1, 1):
            raise StructureError(_("The lesson %(id)s cannot move further that way.", id=key))
        if 0 <= target < len(lessons):
            lessons[index], lessons[target] = lessons[target], lessons[index]
            moved_to.append(str(module.get("id")))
            return
        if not 0 <= number + step < len(modules):
            raise StructureError(_("The lesson %(id)s cannot move further that way.", id=key))
        other = modules[number + step]
        lessons.remove(key)
        if step < 0:
            _lessons(other).append(key)
        else:
            _lessons(other).insert(0, key)
        moved_to.append(str(other.get("id")))

    course_file.update(draft, actor, base_revision, change)
    return moved_to[0]
