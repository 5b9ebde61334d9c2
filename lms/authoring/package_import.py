"""Uploading a package zip in the browser: load it into the course's draft, or import and publish.

The zip is unpacked into a temporary folder (:mod:`lms.authoring.package_zip`) and checked with
the same ``check_package`` as ``flask lms content import``; on any error nothing is written and
the problems come back by file and line. The package's course ``id`` decides which course it
is: a known course must be one the actor may author, an unknown one becomes a new course the
actor owns.

Flushes, never commits: the view commits once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.audit.service import audit
from lms.authoring import drafts
from lms.authoring.access import is_owner, require_author, require_may_create
from lms.authoring.models import CourseOwner
from lms.authoring.package_zip import ZipLimits, ZipRefused, unpacked
from lms.content.models import Course, CourseVersion
from lms.extensions import session
from lms.packages.check import CheckedPackage, check_package
from lms.packages.files import CERTIFICATES_FOLDER, COURSE_FILE
from lms.packages.importer import ImportStatus, _refuse_database_clashes, import_package
from lms.packages.media import store
from lms.packages.problems import PackageError, Problem


class UploadAction(enum.StrEnum):
    DRAFT = "draft"
    PUBLISH = "publish"


@dataclass
class UploadResult:
    course: Course
    action: UploadAction
    version: CourseVersion | None = None
    status: ImportStatus | None = None
    """For a publish: created, new version or unchanged."""
    warnings: list[Problem] = field(default_factory=list)


def upload_package(
    actor: User,
    stream: IO[bytes],
    filename: str,
    action: UploadAction,
    course: Course | None = None,
    limits: ZipLimits | None = None,
) -> UploadResult:
    """Check the zip in ``stream`` and load it into a draft or publish it. With ``course``, the
    zip must be that course's package. Raises :class:`PackageError` (the problems, nothing
    written) or ``NotAllowed``."""
    require_may_create(actor)
    if course is not None:
        require_author(actor, course)
    try:
        with unpacked(stream, limits or ZipLimits.from_config()) as root:
            package = check_package(root)
            if not package.ok:
                raise PackageError(package.problems)
            _refuse_templates(actor, package)
            target = _target_course(actor, package, course)
            if action is UploadAction.PUBLISH:
                return _publish(actor, package, target, filename)
            return _load_into_draft(actor, package, target, filename)
    except ZipRefused as refused:
        raise PackageError([Problem(refused.entry or filename, None, str(refused))]) from refused


def _refuse_templates(actor: User, package: CheckedPackage) -> None:
    """Certificate templates a package ships are installed for the whole site, replacing one of
    the same name that other courses may use: in the browser only an administrator may."""
    if not package.files.certificates or actor.has_role(Role.ADMIN):
        return
    raise PackageError(
        [
            Problem(
                f"{CERTIFICATES_FOLDER}/{name}/",
                None,
                _(
                    "a package's certificate templates are installed for the whole site, so only an "
                    "administrator may upload them; remove the folder, or make the template under "
                    "Certificate templates"
                ),
            )
            for name in sorted(package.files.certificates)
        ]
    )


def _target_course(actor: User, package: CheckedPackage, course: Course | None) -> Course | None:
    """The existing course the package belongs to (checked the actor may author it), or None
    for a new course."""
    existing = session.scalar(select(Course).where(Course.iri == package.iri))
    if course is not None and existing is not course:
        doc = package.course_doc
        raise PackageError(
            [
                Problem(
                    COURSE_FILE,
                    doc.line(["id"]) if doc else None,
                    _(
                        "the package's id is %(iri)s, but this is the course %(course)s (%(expected)s); "
                        "upload this course's package, or use Import a package for another course",
                        iri=package.iri,
                        course=course.slug,
                        expected=course.iri,
                    ),
                )
            ]
        )
    if existing is not None:
        require_author(actor, existing)
    _refuse_database_clashes([package], in_folder=False)
    return existing


def _publish(actor: User, package: CheckedPackage, course: Course | None, filename: str) -> UploadResult:
    result = import_package(package.root)
    result.course.is_published = True
    if course is None:
        _add_owner(actor, result.course)
    audit(
        actor,
        "authoring.imported",
        f"course:{result.course.slug}",
        version=result.version.number,
        status=str(result.status),
        file=filename,
        package_hash=result.version.content_hash,
    )
    session.flush()
    return UploadResult(
        result.course, UploadAction.PUBLISH, result.version, result.status, _warnings(package)
    )


def _load_into_draft(
    actor: User, package: CheckedPackage, course: Course | None, filename: str
) -> UploadResult:
    if course is None:
        course = Course(iri=package.iri, slug=package.slug, is_published=False)
        session.add(course)
        session.flush()
        _add_owner(actor, course)
    for media in package.files.media.values():
        store(media)
    draft = drafts.draft_of(actor, course)
    data = drafts.Snapshot(
        dict(package.files.texts), {path: media.sha256 for path, media in package.files.media.items()}
    )
    drafts.load_snapshot(draft, data, actor)
    audit(
        actor,
        "authoring.loaded_into_draft",
        f"course:{course.slug}",
        file=filename,
        package_hash=package.files.content_hash,
        changed=drafts.changed_paths(draft),
    )
    session.flush()
    warnings = _warnings(package) + [
        Problem(
            f"{CERTIFICATES_FOLDER}/{name}/",
            None,
            _("certificate templates are not kept in a draft; import and publish to install them"),
            is_warning=True,
        )
        for name in sorted(package.files.certificates)
    ]
    return UploadResult(course, UploadAction.DRAFT, warnings=warnings)


def _add_owner(actor: User, course: Course) -> None:
    """A new course is owned by whoever brought it in (an administrator too, so it is listed as
    theirs); an existing one keeps its owners."""
    if not is_owner(actor, course):
        session.add(CourseOwner(course_id=course.id, user_id=actor.id))
        session.flush()


def _warnings(package: CheckedPackage) -> list[Problem]:
    return [p for p in package.problems if p.is_warning]
