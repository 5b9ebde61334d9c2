"""The lesson editor's service: a lesson file of a draft read into fields, checked and saved.

The body is checked with the package checker's own Markdown check
(:func:`lms.packages.lessons.check_markdown`, against the draft's media), so a save the
checker would refuse at publishing is refused here, with the line of the file it is on. The
preview is the HTML a learner would get: :func:`lms.packages.markdown.render_lesson`.

Services flush and never commit; the view commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.authoring import drafts, yaml_text
from lms.authoring.access import require_author
from lms.authoring.models import CourseDraft, DraftFile
from lms.packages.lessons import FrontMatterError, check_markdown, split_front_matter
from lms.packages.markdown import render_lesson


@dataclass
class Lesson:
    """A lesson file as the editor shows it."""

    key: str
    meta: dict
    body: str
    revision: int

    @property
    def path(self) -> str:
        return lesson_path(self.key)


@dataclass(frozen=True)
class LessonFields:
    """What the trainer edits: the front matter's title, minutes and required flag, and the body."""

    title_th: str
    title_en: str
    minutes: int
    required: bool
    body: str


class LessonProblems(ValueError):
    """The body has problems the package checker would report; nothing was saved."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def lesson_path(key: str) -> str:
    return f"lessons/{key}.md"


def open_lesson(draft: CourseDraft, key: str) -> Lesson | None:
    """The draft's lesson ``key``, or None when the draft has no such lesson."""
    found = drafts.files(draft).get(lesson_path(key))
    if found is None or found.text is None or PurePosixPath(key).name != key:
        return None
    try:
        meta, body = yaml_text.split_lesson(found.text)
    except (FrontMatterError, yaml.YAMLError):
        meta, body = {}, found.text  # a hand-written file the checker would refuse: start afresh
    return Lesson(key, meta if isinstance(meta, dict) else {}, body, found.revision)


def media_paths(draft: CourseDraft) -> set[str]:
    """The draft's files under media/ (what a lesson may link to or show)."""
    return {path for path, f in drafts.files(draft).items() if f.media_sha256 is not None}


def body_problems(draft: CourseDraft, body: str, first_line: int) -> list[str]:
    """The checker's problems with a lesson body starting at file line ``first_line``, each
    as "line N: ..." (translated), in the order of the text."""
    if not body.strip():
        return [
            _("line %(line)d: the lesson has no text; write the lesson below the fields", line=first_line)
        ]
    findings = check_markdown(body, first_line, media_paths(draft))
    return [_line_message(line, message) for line, message in findings.problems]


def _line_message(line: int | None, message: str) -> str:
    if line is None:
        return message
    return _("line %(line)d: %(problem)s", line=line, problem=message)


def preview(
    draft: CourseDraft, actor: User, lesson: Lesson, body: str, media_urls: Mapping[str, str]
) -> tuple[str, list[str]]:
    """The sanitized HTML a learner would see for ``body`` and the checker's problems, with
    the line numbers the file would have. ``media_urls`` maps the draft's media paths to URLs
    the author's browser can load."""
    require_author(actor, draft.course)
    saved = split_front_matter(lesson_text(lesson, _fields_of(lesson, body)))
    return render_lesson(saved.body, media_urls), body_problems(draft, saved.body, saved.body_line)


def _fields_of(lesson: Lesson, body: str) -> LessonFields:
    title = lesson.meta.get("title") if isinstance(lesson.meta.get("title"), dict) else {}
    return LessonFields(
        title_th=str(title.get("th") or "-"),
        title_en=str(title.get("en") or "-"),
        minutes=lesson.meta.get("minutes") or 1,
        required=bool(lesson.meta.get("required")),
        body=body,
    )


def save_lesson(
    draft: CourseDraft, actor: User, lesson: Lesson, fields: LessonFields, base_revision: int
) -> DraftFile:
    """Write the lesson's fields and body to its file. Raises :class:`LessonProblems` (the
    checker's problems with the body, with file line numbers) or ``drafts.StaleEdit``; either
    way nothing is written."""
    require_author(actor, draft.course)
    drafts.check_revision(draft, lesson.path, base_revision)
    new_text = lesson_text(lesson, fields)
    saved = split_front_matter(new_text)
    problems = body_problems(draft, saved.body, saved.body_line)
    if problems:
        raise LessonProblems(problems)
    return drafts.save_text(draft, actor, lesson.path, new_text, base_revision)


def lesson_text(lesson: Lesson, fields: LessonFields) -> str:
    """The file for ``fields``: other front-matter keys kept, the id always the file's name."""
    meta = {"id": lesson.key, **{k: v for k, v in lesson.meta.items() if k != "id"}}
    meta["title"] = {"th": fields.title_th.strip(), "en": fields.title_en.strip()}
    meta["minutes"] = fields.minutes
    meta["required"] = fields.required
    body = fields.body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return yaml_text.join_lesson(meta, body)
