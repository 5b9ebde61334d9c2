"""Import course packages: check everything first, then write all of it or nothing.

A course is identified by its IRI. A package whose content hash equals the newest version's
changes nothing; a changed package adds a version numbered one higher, and the older
versions stay. Learners' progress is keyed by lesson id, so it carries over by itself.

Media are copied into the content-addressed store (:mod:`lms.packages.media`) before the
database rows are flushed; certificate templates the package ships are copied into the site's
templates folder after them (:mod:`lms.packages.certificates`). If the transaction is later
rolled back, the copied media are simply unused: each is named by its hash and may be shared by
other versions anyway; a copied template stays installed, as its check passed.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import or_, select

from lms.content.models import Course, CourseVersion, Lesson, Module
from lms.extensions import session
from lms.packages import certificates
from lms.packages.check import CheckedPackage, check_folder, check_package
from lms.packages.files import COURSE_FILE
from lms.packages.markdown import render_lesson
from lms.packages.media import lesson_media_url, store
from lms.packages.paths import PathResult, upsert_learning_paths
from lms.packages.problems import PackageError, Problem

log = logging.getLogger(__name__)


class ImportStatus(enum.StrEnum):
    CREATED = "created"
    NEW_VERSION = "new version"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportResult:
    course: Course
    version: CourseVersion
    status: ImportStatus
    templates: tuple[str, ...] = ()
    """Names of the certificate templates the package brought and installed."""

    def __str__(self) -> str:
        return f"{self.course.slug}: {self.status} (version {self.version.number})"


@dataclass
class FolderImportResult:
    courses: list[ImportResult] = field(default_factory=list)
    paths: list[PathResult] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    """Names of the certificate templates installed."""


def import_package(path: Path | str) -> ImportResult:
    """Check the package at ``path`` and import it. Raises :class:`PackageError` with every
    problem, having written nothing, when it has any error. Flushes; does not commit."""
    package = check_package(path)
    if not package.ok:
        raise PackageError(package.problems)
    _refuse_database_clashes([package], in_folder=False)
    result = _write(package)
    return replace(result, templates=tuple(certificates.install(package.files.certificates)))


def import_folder(path: Path | str) -> FolderImportResult:
    """Check every package in the folder at ``path`` and its learning-paths.yaml, then import
    them all; if any has an error, raise :class:`PackageError` and write nothing."""
    folder = check_folder(path)
    if not folder.ok:
        raise PackageError(folder.problems)
    _refuse_database_clashes(folder.packages, in_folder=True)
    result = FolderImportResult([_write(package) for package in folder.packages])
    result.paths = upsert_learning_paths(folder.paths)
    for templates in [folder.certificates, *(package.files.certificates for package in folder.packages)]:
        result.templates += certificates.install(templates)
    return result


def _refuse_database_clashes(packages: list[CheckedPackage], in_folder: bool) -> None:
    """A package may not take another course's slug, nor change its own course's slug (the
    course's addresses, and the learning paths naming it, would break)."""
    known = session.scalars(
        select(Course).where(
            or_(Course.iri.in_([p.iri for p in packages]), Course.slug.in_([p.slug for p in packages]))
        )
    ).all()
    by_iri = {course.iri: course for course in known}
    by_slug = {course.slug: course for course in known}
    problems = []
    for package in packages:
        file = f"{package.root.name}/{COURSE_FILE}" if in_folder else COURSE_FILE
        doc = package.course_doc
        line = (doc.line(["slug"]) or doc.line(["id"])) if doc else None
        same = by_iri.get(package.iri)
        other = by_slug.get(package.slug)
        if same is not None and same.slug != package.slug:
            problems.append(
                Problem(
                    file,
                    line,
                    f"this course was imported with the slug '{same.slug}', and a course's slug cannot "
                    f"change (its addresses would break); set slug: {same.slug}",
                )
            )
        elif other is not None and other.iri != package.iri:
            problems.append(
                Problem(
                    file,
                    line,
                    f"the slug '{package.slug}' is taken by another course ({other.iri}); choose another",
                )
            )
    if problems:
        raise PackageError(problems)


def _write(package: CheckedPackage) -> ImportResult:
    course = session.scalar(select(Course).where(Course.iri == package.iri))
    newest = course.current_version if course else None
    if newest is not None and newest.content_hash == package.files.content_hash:
        log.info("course %s unchanged (version %d)", course.slug, newest.number)
        return ImportResult(course, newest, ImportStatus.UNCHANGED)
    if course is None:
        course = Course(iri=package.iri, slug=package.slug)
        session.add(course)
    version = _new_version(package, course, 1 if newest is None else newest.number + 1)
    session.flush()
    status = ImportStatus.CREATED if newest is None else ImportStatus.NEW_VERSION
    log.info("course %s %s: version %d from %s", course.slug, status, version.number, package.root)
    return ImportResult(course, version, status)


def _new_version(package: CheckedPackage, course: Course, number: int) -> CourseVersion:
    data = package.course
    media_urls = {}
    for relative, media in package.files.media.items():
        store(media)
        media_urls[relative] = lesson_media_url(media.sha256, media.suffix)
    version = CourseVersion(
        course=course,
        number=number,
        package_version=str(data["version"]),
        content_hash=package.files.content_hash,
        title_th=data["title"]["th"],
        title_en=data["title"]["en"],
        summary_th=data["summary"]["th"],
        summary_en=data["summary"]["en"],
        audience=list(data["audience"]),
        hours=Decimal(str(data["hours"])),
        completion_rule=dict(data["completion"]),
        certificate_template=data["certificate"],
        package={
            "files": dict(package.files.texts),
            "media": {relative: media.sha256 for relative, media in package.files.media.items()},
        },
    )
    for position, module in enumerate(data["modules"], start=1):
        version.modules.append(_module(package, module, position, media_urls))
    session.add(version)
    return version


def _module(package: CheckedPackage, data: dict, position: int, media_urls: dict[str, str]) -> Module:
    module = Module(
        key=data["id"],
        position=position,
        title_th=data["title"]["th"],
        title_en=data["title"]["en"],
        quiz_key=data.get("quiz"),
    )
    for number, key in enumerate(data["lessons"], start=1):
        lesson = package.lessons[key]
        module.lessons.append(
            Lesson(
                key=key,
                position=number,
                title_th=lesson.meta["title"]["th"],
                title_en=lesson.meta["title"]["en"],
                minutes=int(lesson.meta["minutes"]),
                is_required=lesson.meta["required"],
                body_markdown=lesson.body,
                body_html=render_lesson(lesson.body, media_urls),
            )
        )
    return module
