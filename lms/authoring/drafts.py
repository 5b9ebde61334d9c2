"""A course's draft: its package files, read and saved one at a time with optimistic locking.

The draft starts as a copy of the newest published version's files (``CourseVersion.package``)
and is changed only through :func:`save_text`, :func:`save_media` and :func:`delete`. Each of
them names the file's revision the editor started from; if another save came in between, it
raises :class:`StaleEdit` and writes nothing, so two trainers never silently overwrite each
other (ADR 0036). Every change is audited with its diff.

Services here flush and never commit; the view commits once.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User, utcnow
from lms.audit.service import audit
from lms.authoring.access import require_author
from lms.authoring.models import CourseDraft, DraftFile
from lms.content.models import Course, CourseVersion
from lms.extensions import session
from lms.packages.files import MediaFile, kind_of
from lms.packages.media import media_dir, store, stored_name

DIFF_LIMIT = 20_000
"""Longest diff kept in the audit log (characters); a longer one is cut and says so."""


class StaleEdit(Exception):
    """Another save of the same file came in after the editor opened it."""

    def __init__(self, file: DraftFile, base_revision: int) -> None:
        self.file = file
        self.base_revision = base_revision
        who = file.updated_by.full_name() if file.updated_by else _("someone")
        super().__init__(
            _(
                "%(path)s was changed by %(who)s at %(at)s after you opened it (your copy is revision "
                "%(base)d, the draft is at %(current)d). Your changes were not saved: see the other "
                "change, then apply yours to the current text.",
                path=file.path,
                who=who,
                at=file.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
                base=base_revision,
                current=file.revision,
            )
        )


class DraftPathError(ValueError):
    """A path that has no place in a course package."""


@dataclass(frozen=True)
class Snapshot:
    """A draft's files as plain data: what the checker and the zip writer read."""

    texts: dict[str, str]
    media: dict[str, str]
    """Media paths and their sha256 in the media store."""


def draft_of(actor: User, course: Course) -> CourseDraft:
    """The course's draft, made from its newest version on first use. Refuses non-authors."""
    require_author(actor, course)
    draft = session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))
    if draft is None:
        draft = _new_draft(actor, course, course.current_version)
    return draft


def existing_draft(course: Course) -> CourseDraft | None:
    return session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))


def _new_draft(actor: User, course: Course, version: CourseVersion | None) -> CourseDraft:
    draft = CourseDraft(
        course=course,
        base_version_number=version.number if version else None,
        created_by_id=actor.id,
    )
    session.add(draft)
    if version is not None:
        load_version(draft, version, actor)
    session.flush()
    return draft


def load_version(draft: CourseDraft, version: CourseVersion, actor: User) -> None:
    """Make the draft's files those of ``version`` (a new draft, a reset or a rollback)."""
    package = version.package
    load_snapshot(draft, Snapshot(dict(package["files"]), dict(package["media"])), actor)
    draft.base_version_number = version.number


def load_snapshot(draft: CourseDraft, data: Snapshot, actor: User) -> None:
    """Make the draft's files exactly ``data`` (media already in the store), whatever their
    revisions: for loading a version or an uploaded package, not for an editor's save.

    A text file the draft already had is audited as a save or a deletion, as an editor's would
    be: its new revision makes an open editor's save stale, and the page that refusal links to
    (``file_changes``) lists these entries."""
    wanted: dict[str, tuple[str | None, str | None]] = {p: (t, None) for p, t in data.texts.items()}
    wanted.update({p: (None, sha) for p, sha in data.media.items()})
    by_path = {f.path: f for f in draft.files}
    for path, (content, sha256) in wanted.items():
        current = by_path.get(path)
        if current is not None and (current.text, current.media_sha256) == (content, sha256):
            continue
        before = current.text if current is not None else None
        size = _stored_size(path, sha256) if sha256 else None
        _put(draft, current, path, actor, text=content, media_sha256=sha256, media_size=size)
        if current is not None and content is not None:  # a text file an editor may have open
            _audit(actor, draft, "authoring.file_saved", path, before, content)
    for path, current in by_path.items():
        if path not in wanted and current.exists:
            before = current.text
            _put(draft, current, path, actor)
            if before is not None:
                _audit(actor, draft, "authoring.file_deleted", path, before, None)
    draft.updated_at = utcnow()


def files(draft: CourseDraft) -> dict[str, DraftFile]:
    """The draft's existing files by path."""
    return {f.path: f for f in draft.files if f.exists}


def file(draft: CourseDraft, path: str) -> DraftFile | None:
    """The file at ``path`` (also a deleted one, which holds the revision to start from)."""
    return next((f for f in draft.files if f.path == path), None)


def revision(draft: CourseDraft, path: str) -> int:
    """The revision an editor opening ``path`` starts from (0: never saved)."""
    found = file(draft, path)
    return found.revision if found else 0


def text(draft: CourseDraft, path: str) -> str | None:
    found = file(draft, path)
    return found.text if found else None


def snapshot(draft: CourseDraft) -> Snapshot:
    existing = files(draft).values()
    return Snapshot(
        texts={f.path: f.text for f in existing if f.text is not None},
        media={f.path: f.media_sha256 for f in existing if f.media_sha256 is not None},
    )


def save_text(draft: CourseDraft, actor: User, path: str, new_text: str, base_revision: int) -> DraftFile:
    """Save a text file (course.yaml, a lesson or a quiz). Raises :class:`StaleEdit` if the file
    moved past ``base_revision``. Saving the same text again changes nothing."""
    require_author(actor, draft.course)
    _check_path(path, "text")
    current = _current(draft, path, base_revision)
    if current is not None and current.text == new_text:
        return current
    before = current.text if current else None
    saved = _put(draft, current, path, actor, text=new_text)
    _audit(actor, draft, "authoring.file_saved", path, before, new_text)
    return saved


def save_media(draft: CourseDraft, actor: User, path: str, source: Path, base_revision: int) -> DraftFile:
    """Add or replace a media file from ``source`` (already checked by the caller); the bytes go
    to the content-addressed media store and the draft keeps their hash."""
    require_author(actor, draft.course)
    _check_path(path, "media")
    current = _current(draft, path, base_revision)
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    size = source.stat().st_size
    store(MediaFile(source, sha256, size))
    saved = _put(draft, current, path, actor, media_sha256=sha256, media_size=size)
    audit(actor, "authoring.media_saved", _subject(draft), path=path, sha256=sha256, size=size)
    return saved


def delete(draft: CourseDraft, actor: User, path: str, base_revision: int) -> None:
    require_author(actor, draft.course)
    current = _current(draft, path, base_revision)
    if current is None or not current.exists:
        return
    before = current.text
    _put(draft, current, path, actor)
    _audit(actor, draft, "authoring.file_deleted", path, before, None)


def discard(draft: CourseDraft, actor: User) -> None:
    """Throw the draft away (the next edit starts again from the newest version)."""
    require_author(actor, draft.course)
    audit(actor, "authoring.draft_discarded", _subject(draft), base_version=draft.base_version_number)
    session.delete(draft)
    session.flush()


def changed_paths(draft: CourseDraft) -> list[str]:
    """Files that differ from the version the draft started from (what publishing would change)."""
    version = _base_version(draft)
    base = Snapshot(version.package["files"], version.package["media"]) if version else Snapshot({}, {})
    now = snapshot(draft)
    paths = set(base.texts) | set(base.media) | set(now.texts) | set(now.media)
    return sorted(
        p for p in paths if (base.texts.get(p), base.media.get(p)) != (now.texts.get(p), now.media.get(p))
    )


def media_path(sha256: str, path: str) -> Path:
    """Where the store keeps a draft's media file."""
    return media_dir() / stored_name(sha256, PurePosixPath(path).suffix)


def write_to(draft: CourseDraft, folder: Path) -> None:
    """Write the draft out as a package folder (for the checker, the importer or a zip)."""
    write_snapshot(snapshot(draft), folder)


def write_snapshot(data: Snapshot, folder: Path) -> None:
    for path, content in data.texts.items():
        target = _inside(folder, path)
        target.write_bytes(content.encode("utf-8"))
    for path, sha256 in data.media.items():
        target = _inside(folder, path)
        target.write_bytes(media_path(sha256, path).read_bytes())


def _inside(folder: Path, path: str) -> Path:
    target = folder.joinpath(*PurePosixPath(path).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _base_version(draft: CourseDraft) -> CourseVersion | None:
    if draft.base_version_number is None:
        return None
    return next((v for v in draft.course.versions if v.number == draft.base_version_number), None)


def check_revision(draft: CourseDraft, path: str, base_revision: int) -> None:
    """Raise :class:`StaleEdit` unless ``path`` is still at ``base_revision``."""
    _current(draft, path, base_revision)


def _current(draft: CourseDraft, path: str, base_revision: int) -> DraftFile | None:
    current = file(draft, path)
    if (current.revision if current else 0) != base_revision:
        if current is None:
            raise DraftPathError(_("%(path)s is not in the draft; reload the page.", path=path))
        raise StaleEdit(current, base_revision)
    return current


def _put(
    draft: CourseDraft,
    current: DraftFile | None,
    path: str,
    actor: User,
    *,
    text: str | None = None,
    media_sha256: str | None = None,
    media_size: int | None = None,
) -> DraftFile:
    now: datetime = utcnow()
    if current is None:
        current = DraftFile(path=path, revision=1)
        draft.files.append(current)
    else:
        current.revision += 1
    current.text, current.media_sha256, current.media_size = text, media_sha256, media_size
    current.updated_at, current.updated_by_id = now, actor.id
    current.updated_by = actor
    draft.updated_at = now
    session.flush()
    return current


def _check_path(path: str, kind: str) -> None:
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise DraftPathError(_("%(path)s is not a plain path inside the package.", path=path))
    if kind_of(path) != kind:
        raise DraftPathError(_("%(path)s has no place in a course package.", path=path))


def _stored_size(path: str, sha256: str) -> int | None:
    stored = media_path(sha256, path)
    return stored.stat().st_size if stored.is_file() else None


def _subject(draft: CourseDraft) -> str:
    return f"course:{draft.course.slug}"


def _audit(
    actor: User, draft: CourseDraft, action: str, path: str, before: str | None, after: str | None
) -> None:
    diff = "".join(
        difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )
    if len(diff) > DIFF_LIMIT:
        diff = diff[:DIFF_LIMIT] + f"\n[... diff cut at {DIFF_LIMIT} characters]\n"
    current = file(draft, path)
    audit(actor, action, _subject(draft), path=path, revision=current.revision if current else 0, diff=diff)
