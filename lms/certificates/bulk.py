"""Bulk issue: issue and render the certificate of everyone who completed a course.

The work is a background job of kind ``certificates.bulk`` (``lms.jobs``): RQ workers when
``LMS_REDIS_URL`` is set, a thread of the web process otherwise. The CLI runs the same plan
and the same chunks in the foreground. The plan lists only the completed enrolments whose
current certificate is not rendered yet, and each certificate is issued (exactly once, by
``service.issue``), rendered, committed and counted on its own (the progress page moves with
each certificate, and each count is the job's heartbeat). A job whose workers died shows as
stopped and is resumed from its page (``jobs.resume``: only what is not done is queued again);
nothing is issued twice.

HR sees only people in their scope: a selection made by an HR user carries that user, and
every query of it is limited to ``users_in_scope``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP_STORED, ZipFile

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from lms.accounts import policy
from lms.accounts.models import OrgUnit, User
from lms.accounts.service import unit_and_descendant_ids, users_in_scope
from lms.certificates import service, store
from lms.certificates.models import Certificate
from lms.content.models import Course
from lms.core.search import contains
from lms.courses import service as courses
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from lms.progress.models import Enrolment

log = logging.getLogger(__name__)
KIND = "certificates.bulk"
MESSAGE_LIMIT = 2000


class BulkError(ValueError):
    """A selection that cannot be used; the message says why, in the visitor's language."""


class OutOfScope(BulkError):
    """An HR user asked for people outside their scope."""


@dataclass(frozen=True)
class Selection:
    """Whose certificates: a course, optionally an org unit (with its sub-units), and the HR
    user whose scope limits it (None: everyone, for admins and the CLI)."""

    course: Course
    unit: OrgUnit | None = None
    hr_user: User | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {
            "course": self.course.slug,
            "unit": self.unit.code if self.unit else None,
            "scope_user_id": self.hr_user.id if self.hr_user else None,
        }


def scope_unit_ids(hr_user: User) -> set[int]:
    return unit_and_descendant_ids(s.org_unit_id for s in hr_user.scopes if s.org_unit_id)


def units_for(user: User) -> list[OrgUnit]:
    """The org units a user may choose: all for an admin, those in scope for HR."""
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if not user.has_role("admin"):
        stmt = stmt.where(OrgUnit.id.in_(scope_unit_ids(user)))
    return list(session.scalars(stmt))


def resolve(slug: str, unit_code: str | None, user: User) -> Selection:
    """The selection a person asked for, checked: the course exists, the unit too, in scope."""
    course = courses.course_by_slug(slug or "")
    if course is None:
        raise BulkError(_("No published course has the slug %(slug)s.", slug=slug))
    unit = None
    if unit_code:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            raise BulkError(_("No org unit has the code %(code)s.", code=unit_code))
    hr_user = None if user.has_role("admin") else user
    if hr_user is not None and unit is not None and unit.id not in scope_unit_ids(hr_user):
        raise OutOfScope(_("The org unit %(code)s is not in your scope.", code=unit_code))
    return Selection(course, unit, hr_user)


def from_params(params: dict[str, Any]) -> Selection:
    """The selection a job was started with (its scope user reloaded)."""
    course = courses.course_by_slug(params["course"])
    if course is None:
        raise BulkError(f"no published course has the slug {params['course']}")
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == params["unit"])) if params["unit"] else None
    hr_user = session.get(User, params["scope_user_id"]) if params.get("scope_user_id") else None
    if params.get("scope_user_id") and hr_user is None:
        raise BulkError("the HR user who started the job no longer exists")
    return Selection(course, unit, hr_user)


def _people(stmt: Select, selection: Selection, user_id_column) -> Select:
    """Limit a select to the selection's unit tree and to the HR user's scope (the subqueries
    are not correlated: the outer select may join the users too)."""
    if selection.unit is not None:
        unit_ids = unit_and_descendant_ids([selection.unit.id])
        stmt = stmt.where(
            user_id_column.in_(select(User.id).where(User.org_unit_id.in_(unit_ids)).correlate(None))
        )
    if selection.hr_user is not None:
        in_scope = users_in_scope(selection.hr_user).with_only_columns(User.id).correlate(None)
        stmt = stmt.where(user_id_column.in_(in_scope))
    return stmt


def completed(selection: Selection) -> Select:
    """A select of the selection's completed enrolments."""
    return _people(service.completed_enrolments(selection.course), selection, Enrolment.user_id)


def _with_current_certificate(stmt: Select) -> Select:
    """Outer-join each enrolment's current certificate (the one not superseded)."""
    current = and_(Certificate.registration == Enrolment.registration, Certificate.superseded_by_id.is_(None))
    return stmt.outerjoin(Certificate, current)


def to_do(selection: Selection) -> list[str]:
    """Registrations still needing their certificate issued or rendered (revoked ones excepted)."""
    missing = or_(
        Certificate.id.is_(None), and_(Certificate.pdf_sha256.is_(None), Certificate.revoked_at.is_(None))
    )
    stmt = _with_current_certificate(completed(selection)).where(missing)
    return list(session.scalars(stmt.with_only_columns(Enrolment.registration)))


@dataclass(frozen=True)
class Counts:
    completed: int
    issued: int
    rendered: int
    revoked: int

    @property
    def to_do(self) -> int:
        return self.completed - self.rendered - self.revoked


def counts(selection: Selection) -> Counts:
    """How many completed, hold a certificate, have it rendered (and valid), had it revoked."""
    valid_rendered = and_(Certificate.pdf_sha256.is_not(None), Certificate.revoked_at.is_(None))
    row = session.execute(
        _with_current_certificate(completed(selection))
        .with_only_columns(
            func.count(Enrolment.registration),
            func.count(Certificate.id),
            func.count(case((valid_rendered, 1))),
            func.count(Certificate.revoked_at),
        )
        .order_by(None)
    ).one()
    return Counts(*row)


def issue_and_render(registrations: list[str]) -> tuple[int, list[str]]:
    """Issue (if need be) and render each enrolment's current certificate, committing each.

    Returns how many were done and a line per failure; a failure is rolled back and does not
    stop the others.
    """
    done, errors = 0, []
    for registration in registrations:
        try:
            certificate = _current(registration) or service.issue(session.get(Enrolment, registration))
            if certificate.revoked_at is None:
                store.pdf_path(certificate)
            session.commit()
            done += 1
        except Exception as exc:  # one bad certificate must not stop the others
            session.rollback()
            log.exception("certificate of registration %s could not be issued", registration)
            errors.append(f"{_learner_name(registration)}: {type(exc).__name__}: {exc}")
    return done, errors


def _current(registration: str) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.registration == registration, Certificate.superseded_by_id.is_(None)
        )
    )


def _learner_name(registration: str) -> str:
    user = session.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.registration == registration)
    )
    return user.full_name() if user else registration


def _plan(params: dict[str, Any]) -> list[list[str]]:
    return jobs.chunked(to_do(from_params(params)))


def _run_item(job: Job, registration: str) -> bool:
    """One certificate, committed; a failure is noted on the job (the job counts each one)."""
    job_id = job.id
    done, errors = issue_and_render([registration])
    if errors:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(message=func.substr(Job.message + errors[0] + "\n", 1, MESSAGE_LIMIT))
        )
        session.commit()
    return bool(done)


def _finish(job: Job) -> None:
    log.info("bulk certificates job %s: %d done, %d failed of %d", job.id, job.done, job.failed, job.total)


jobs.register(jobs.JobKind(KIND, _plan, finish=_finish, run_item=_run_item, resumable=True))


def start(selection: Selection, started_by: User) -> Job:
    """Start the background job for the selection (committed; the work runs elsewhere)."""
    return jobs.start(KIND, selection.params, created_by_id=started_by.id)


def recent_jobs(user: User, limit: int = 10) -> list[Job]:
    """The newest bulk jobs the user may follow: their own, or everyone's for an admin."""
    stmt = select(Job).where(Job.kind == KIND).order_by(Job.created_at.desc()).limit(limit)
    if not user.has_role("admin"):
        stmt = stmt.where(Job.created_by_id == user.id)
    return list(session.scalars(stmt))


# --- the ZIP, the list and one certificate ---------------------------------------------------


def zip_entries(selection: Selection) -> list[tuple[str, Path]]:
    """The valid, rendered certificates of the selection: ``(<serial>.pdf, stored file)``."""
    stmt = (
        select(Certificate.serial, Certificate.pdf_sha256)
        .where(
            Certificate.registration.in_(completed(selection).with_only_columns(Enrolment.registration)),
            Certificate.superseded_by_id.is_(None),
            Certificate.revoked_at.is_(None),
            Certificate.pdf_sha256.is_not(None),
        )
        .order_by(Certificate.serial)
    )
    folder = store.store_dir()
    entries = [(f"{serial}.pdf", folder / f"{digest}.pdf") for serial, digest in session.execute(stmt)]
    return [(name, path) for name, path in entries if path.exists()]


def write_zip(entries: list[tuple[str, Path]], target: IO[bytes]) -> None:
    """Stored, not deflated: PDFs are compressed already, so this is a plain copy."""
    with ZipFile(target, "w", compression=ZIP_STORED) as archive:
        for name, path in entries:
            archive.write(path, name)


def search(selection: Selection, query: str, page: int, per_page: int) -> tuple[list[tuple], int]:
    """A page of the course's certificates in the selection (revoked and superseded ones too),
    matching the query in the serial or a name: ``(certificate, revoked by)`` rows, and the total."""
    stmt = _people(
        select(Certificate).where(Certificate.course_id == selection.course.id),
        selection,
        Certificate.user_id,
    )
    words = query.strip().lower()
    if words:
        names = (
            select(User.id)
            .where(
                or_(
                    contains(User.first_name_th, words),
                    contains(User.last_name_th, words),
                    contains(User.first_name_en, words),
                    contains(User.last_name_en, words),
                )
            )
            .correlate(None)
        )
        stmt = stmt.where(or_(contains(Certificate.serial, words), Certificate.user_id.in_(names)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    revoker = aliased(User)
    rows = session.execute(
        stmt.join(User, User.id == Certificate.user_id)
        .outerjoin(revoker, revoker.id == Certificate.revoked_by_id)
        .add_columns(revoker)
        .options(
            selectinload(Certificate.user).selectinload(User.org_unit),
            selectinload(Certificate.superseded_by),
        )
        .order_by(User.first_name_th, User.last_name_th, Certificate.issue_number)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [tuple(row) for row in rows], total


def may_manage(user: User, certificate: Certificate) -> bool:
    """Admins manage every certificate; HR those of people in their scope (the policy's rule)."""
    return policy.may(user, policy.MANAGE_CERTIFICATES, certificate.user_id)


def replaced(certificate: Certificate) -> Certificate | None:
    """The certificate this one superseded, if it is a re-issue."""
    return session.scalar(select(Certificate).where(Certificate.superseded_by_id == certificate.id))
