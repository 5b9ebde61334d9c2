"""Export a course's newest version back to a package folder, byte for byte.

The version keeps every text file as imported and the hash of every media file; the media
come back from the store. The written folder is hashed again and must match the version's
content hash, so an export that differs in any byte is reported, not silently handed out.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path, PurePosixPath

from sqlalchemy import or_, select

from lms.content.models import Course, CourseVersion
from lms.extensions import session
from lms.packages.files import content_hash
from lms.packages.media import media_dir, stored_name

log = logging.getLogger(__name__)


class ExportError(ValueError):
    """The course cannot be exported; the message says why."""


def find_course(slug_or_iri: str) -> Course | None:
    return session.scalar(select(Course).where(or_(Course.slug == slug_or_iri, Course.iri == slug_or_iri)))


def export_course(slug_or_iri: str, target_dir: Path | str) -> CourseVersion:
    """Write the newest version of the course (by slug or IRI) into ``target_dir``, which must
    be empty or not exist yet. Returns the version written."""
    course = find_course(slug_or_iri)
    if course is None or course.current_version is None:
        raise ExportError(f"no imported course has the slug or IRI {slug_or_iri}")
    version = course.current_version
    target = Path(target_dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} is not an empty folder; export into a new or empty one")
    write_version(version, target)
    log.info("exported %s version %d to %s", course.slug, version.number, target)
    return version


def write_version(version: CourseVersion, target: Path) -> None:
    """Write ``version``'s package into the folder ``target`` (texts as imported, media from the
    store) and check that the folder hashes to the version's content hash. Shared by the CLI
    export and the browser's zip download."""
    files = version.package["files"]
    media = {relative: _stored(relative, sha256) for relative, sha256 in version.package["media"].items()}
    for relative, text in files.items():
        _write(target, relative).write_bytes(text.encode("utf-8"))
    for relative, source in media.items():
        shutil.copyfile(source, _write(target, relative))
    if content_hash(target) != version.content_hash:
        raise ExportError(f"the files written to {target} differ from version {version.number} as imported")


def _stored(relative: str, sha256: str) -> Path:
    path = media_dir() / stored_name(sha256, PurePosixPath(relative).suffix)
    if not path.is_file():
        raise ExportError(
            f"{relative} is missing from the media store (expected {path}); import the package again"
        )
    return path


def _write(target: Path, relative: str) -> Path:
    """The path to write ``relative`` to, inside ``target`` (refusing any path that leaves it)."""
    parts = PurePosixPath(relative).parts
    if not parts or any(part in ("", ".", "..") for part in parts) or PurePosixPath(relative).is_absolute():
        raise ExportError(f"refusing to write {relative!r}: it is not a plain path inside the package")
    path = target.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
