"""Publishing a draft and rolling a course back: both go through the package importer.

Publishing writes the draft out as a package folder and imports it exactly as
``flask lms content import`` does (ADR 0036), so the browser cannot make a course the checker
would refuse. A rollback imports an older version's stored package again, as a new version:
versions are immutable and learners' progress is keyed by lesson id (ADR 0007), so nobody
loses what they completed. Both are audited; the draft follows the new version.

Services here flush and never commit; the view commits once.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.audit.service import audit
from lms.authoring import drafts
from lms.authoring.access import require_author
from lms.authoring.models import CourseDraft
from lms.content.models import Course, CourseVersion
from lms.packages.check import check_package
from lms.packages.files import COURSE_FILE
from lms.packages.importer import ImportResult, ImportStatus, import_package
from lms.packages.problems import PackageError, Problem, errors

VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)


class OutdatedDraft(ValueError):
    """The draft began from an older version than the newest published one."""


class NothingToDo(ValueError):
    """A publish or rollback that would change nothing; the message says why."""


@dataclass(frozen=True)
class Change:
    """One file the draft changes against the published version."""

    path: str
    status: str  # "added", "changed" or "deleted"
    diff: str
    is_media: bool


@dataclass
class Review:
    """What publishing the draft would do: its changes and the checker's problems."""

    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def ok(self) -> bool:
        return not self.errors


def review(actor: User, course: Course) -> Review:
    """The draft's changes and problems, without writing anything (no draft is made)."""
    require_author(actor, course)
    draft = drafts.existing_draft(course)
    if draft is None:
        return Review()
    with tempfile.TemporaryDirectory() as folder:
        drafts.write_to(draft, Path(folder))
        problems = _problems(course, Path(folder))
    return Review(changes(draft), problems)


def changes(draft: CourseDraft) -> list[Change]:
    version = _base_version(draft)
    base = version.package if version else {"files": {}, "media": {}}
    now = drafts.snapshot(draft)
    found = []
    for path in drafts.changed_paths(draft):
        before = base["files"].get(path) if path in base["files"] else base["media"].get(path)
        after = now.texts.get(path) if path in now.texts else now.media.get(path)
        status = "added" if before is None else "deleted" if after is None else "changed"
        is_media = path in base["media"] or path in now.media
        found.append(Change(path, status, "" if is_media else _diff(path, before, after), is_media))
    return found


def publish(actor: User, course: Course, *, replace_newer: bool = False) -> ImportResult:
    """Import the draft as the course's next version and publish the course.

    Raises :class:`PackageError` (every problem, by file and line) having written nothing,
    :class:`NothingToDo` when the draft equals the published version, and
    :class:`OutdatedDraft` when a newer version was published after the draft began (a zip
    upload, say), unless ``replace_newer``: publishing would silently undo that version.
    """
    require_author(actor, course)
    draft = drafts.draft_of(actor, course)
    changed = drafts.changed_paths(draft)
    newest = course.current_version
    if is_outdated(draft) and not replace_newer:
        raise OutdatedDraft(
            _(
                "Not published: the draft started from version %(base)s, and version %(newest)d was "
                "published since. Publishing would undo what version %(newest)d changed: tick "
                '"Replace the newer version with this draft" to publish anyway, or discard the '
                "draft and start again from version %(newest)d.",
                base=draft.base_version_number,
                newest=newest.number,
            )
        )
    if newest is not None and not changed:
        if course.is_published:
            raise NothingToDo(
                _("The draft has no changes: version %(n)d is already published.", n=newest.number)
            )
        return _make_visible(actor, course, newest)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        drafts.write_to(draft, folder)
        _number_version(folder, newest)
        problems = _problems(course, folder)
        if errors(problems):
            raise PackageError(problems)
        result = import_package(folder)
    course.is_published = True
    drafts.load_version(draft, result.version, actor)
    audit(actor, "authoring.published", _subject(course), version=result.version.number, paths=changed)
    return result


def is_outdated(draft: CourseDraft) -> bool:
    """Whether a version newer than the one the draft started from has been published."""
    newest = draft.course.current_version
    return (
        newest is not None
        and draft.base_version_number is not None
        and draft.base_version_number != newest.number
    )


def rollback(actor: User, course: Course, number: int) -> ImportResult:
    """A new version with the files of version ``number``; the draft becomes that version."""
    require_author(actor, course)
    version = version_of(course, number)
    newest = course.current_version
    if version is None:
        raise NothingToDo(_("The course has no version %(n)d.", n=number))
    if version is newest:
        raise NothingToDo(_("Version %(n)d is already the newest: there is nothing to roll back.", n=number))
    with tempfile.TemporaryDirectory() as name:
        package = version.package
        drafts.write_snapshot(drafts.Snapshot(dict(package["files"]), dict(package["media"])), Path(name))
        result = import_package(name)
    if result.status == ImportStatus.UNCHANGED:
        raise NothingToDo(
            _("Version %(n)d has the same content as the newest version: nothing to roll back.", n=number)
        )
    draft = drafts.existing_draft(course)
    if draft is not None:
        drafts.load_version(draft, result.version, actor)
    audit(
        actor,
        "authoring.rolled_back",
        _subject(course),
        version=result.version.number,
        from_version=number,
    )
    return result


def version_of(course: Course, number: int) -> CourseVersion | None:
    return next((v for v in course.versions if v.number == number), None)


def _make_visible(actor: User, course: Course, newest: CourseVersion) -> ImportResult:
    """A course whose newest version was never published (or was hidden): show it."""
    course.is_published = True
    audit(actor, "authoring.published", _subject(course), version=newest.number, paths=[])
    return ImportResult(course, newest, ImportStatus.UNCHANGED)


def _problems(course: Course, folder: Path) -> list[Problem]:
    """The checker's problems, and one more if the package is not this course's any more."""
    package = check_package(folder)
    problems = list(package.problems)
    if package.course and package.iri and package.iri != course.iri:
        doc = package.course_doc
        problems.append(
            Problem(
                COURSE_FILE,
                doc.line(["id"]) if doc else None,
                _("the id must stay %(iri)s: a draft cannot become another course", iri=course.iri),
            )
        )
    return problems


def _number_version(folder: Path, newest: CourseVersion | None) -> None:
    """Set course.yaml's ``version:`` label to the next version number, when the trainer left the
    published label as it was and it is a plain number (a label such as "2024.2" is theirs)."""
    if newest is None:
        return
    path = folder / COURSE_FILE
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    match = VERSION_LINE.search(text)
    if match is None:
        return
    label = match.group(0).split(":", 1)[1].strip().strip("'\"")
    if label != newest.package_version or not label.isascii() or not label.isdigit():
        return
    path.write_text(VERSION_LINE.sub(f"version: {newest.number + 1}", text, count=1), encoding="utf-8")


def _base_version(draft: CourseDraft) -> CourseVersion | None:
    if draft.base_version_number is None:
        return None
    return version_of(draft.course, draft.base_version_number)


def _diff(path: str, before: str | None, after: str | None) -> str:
    return "".join(
        difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def _subject(course: Course) -> str:
    return f"course:{course.slug}"
