"""Issuing certificates: once per enrolment, the moment its course completes.

The receiver of ``course_completed`` runs inside the recording transaction, so the
certificate row, its serial and the 'earned' statement commit with the completion. A unique
constraint on (registration, issue number) makes concurrent completions issue exactly once.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.accounts import policy
from lms.accounts.models import User
from lms.accounts.names import printed_name
from lms.certificates.models import Certificate
from lms.content import activities
from lms.content.models import Course
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.signals import certificate_issued
from lms.xapi import builder
from lms.xapi.builder import parse_activity
from lms.xapi.models import StoredStatement
from lms.xapi.service import record
from lms.xapi.vocabulary import VERBS, activity_type

log = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper


def verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def verify_url(serial: str, code: str) -> str:
    """The certificate's public verification page, built at render time from the app's own URL
    rules: the scheme and host (and path, if the app is served below one) of LMS_BASE_URL, then
    the LMS's mount prefix. Works outside a request (bulk jobs, the CLI); never stored."""
    base = urlsplit(current_app.config["LMS_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build("lms.certificates.verify", {"serial": serial, "c": code}, force_external=True)


def render_data(certificate: Certificate) -> dict[str, Any]:
    """The stored data with the verification URL of today's settings (a URL stored by an
    older version is ignored): what the PDF is rendered, signed and attached from."""
    stored = {key: value for key, value in certificate.data.items() if key != "verify_url"}
    return {**stored, "verify_url": verify_url(certificate.serial, certificate.verification_code)}


def issue(enrolment: Enrolment, *, issue_number: int = 1) -> Certificate:
    """Issue the enrolment's certificate; a second call (or a concurrent one) returns the first."""
    if not _insert_once(enrolment, issue_number):
        return _find(enrolment, issue_number)
    certificate = _find(enrolment, issue_number)
    _assign_serial(certificate)
    _record_earned(enrolment, certificate)
    certificate_issued.send(certificate)
    log.info("certificate %s issued to user %s", certificate.serial, enrolment.user_id)
    return certificate


def _find(enrolment: Enrolment, issue_number: int) -> Certificate:
    return session.scalar(
        select(Certificate).where(
            Certificate.registration == enrolment.registration, Certificate.issue_number == issue_number
        )
    )


def _insert_once(enrolment: Enrolment, issue_number: int) -> bool:
    """Insert the certificate row unless it exists; True if this call inserted it.

    ``INSERT ... ON CONFLICT DO NOTHING`` on the (registration, issue number) key: a concurrent
    issue waits for the first to commit and then inserts nothing. (A savepoint would do on
    PostgreSQL, but pysqlite commits an outermost savepoint when it is released.)
    """
    course = session.get(Course, enrolment.course_id)
    values = {
        "registration": enrolment.registration,
        "issue_number": issue_number,
        "user_id": enrolment.user_id,
        "course_id": course.id,
        "template": course.current_version.certificate_template or "formal-th",
        "verification_code": verification_code(),
        "issued_at": datetime.now(UTC),
        "data": {},
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Certificate)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["registration", "issue_number"])
        .returning(Certificate.id)
    )
    return session.execute(statement).scalar() is not None


def _assign_serial(certificate: Certificate) -> None:
    """The serial follows LMS_CERTIFICATE_SERIAL, e.g. DG-2569-000123 (the sequence is the row id)."""
    config = current_app.config
    issued = certificate.issued_at.astimezone(ZoneInfo(config["LMS_TIMEZONE"]))
    certificate.serial = config["LMS_CERTIFICATE_SERIAL"].format(
        prefix=config["LMS_CERTIFICATE_PREFIX"],
        BE_year=issued.year + 543,
        year=issued.year,
        seq=certificate.id,
    )
    certificate.data = certificate_data(certificate)
    session.flush()


def certificate_data(certificate: Certificate) -> dict[str, Any]:
    """The plain dict a certificate template renders, and that is attached to the PDF."""
    config = current_app.config
    enrolment = session.get(Enrolment, certificate.registration)
    user, course = session.get(User, certificate.user_id), session.get(Course, certificate.course_id)
    version = course.current_version
    completed = (enrolment.completed_at or certificate.issued_at).astimezone(ZoneInfo(config["LMS_TIMEZONE"]))
    return {
        "serial": certificate.serial,
        "verification_code": certificate.verification_code,
        "learner": {
            "title_th": user.title_th,
            "first_name_th": user.first_name_th,
            "last_name_th": user.last_name_th,
            "title_en": user.title_en,
            "first_name_en": user.first_name_en,
            "last_name_en": user.last_name_en,
            "full_name_th": printed_name(user.title_th, user.first_name_th, user.last_name_th),
            "full_name_en": printed_name(user.title_en, user.first_name_en, user.last_name_en),
        },
        "course": {"title_th": version.title_th, "title_en": version.title_en, "hours": float(version.hours)},
        "completed_on": completed.date().isoformat(),
        "issued_at": certificate.issued_at.isoformat(),
        "signatories": list(config["LMS_CERTIFICATE_SIGNATORIES"]),
        "issuer": {
            "name_th": config["LMS_CERTIFICATE_ISSUER_TH"],
            "name_en": config["LMS_CERTIFICATE_ISSUER_EN"],
        },
    }


def certificate_iri(serial: str) -> str:
    """The certificate as an xAPI activity: its serial only. The verification code, which
    shows the holder's name to whoever has it, never goes into a statement (PDPA)."""
    return f"{activities.base_url()}/xapi/activities/certificates/{serial}"


def certificate_activity(certificate: Certificate, course: Course) -> dict[str, Any]:
    version = course.current_version
    return {
        "objectType": "Activity",
        "id": certificate_iri(certificate.serial),
        "definition": {
            "type": activity_type(activities.base_url(), "certificate"),
            "name": {"th-TH": f"เกียรติบัตร {version.title_th}", "en-US": f"Certificate: {version.title_en}"},
        },
    }


def _record_earned(enrolment: Enrolment, certificate: Certificate) -> None:
    user = session.get(User, enrolment.user_id)
    course = session.get(Course, enrolment.course_id)
    statement = builder.statement(
        activities.base_url(),
        user.uuid,
        "earned",
        certificate_activity(certificate, course),
        registration=enrolment.registration,
        grouping=activities.course_activity(course),
    )
    record(statement, user_id=user.id)


def on_course_completed(enrolment: Enrolment, **_kwargs) -> None:
    """Receiver of ``course_completed``: issue the certificate in the same transaction.

    The enrolment's live certificate if it has one (exactly once); after a revoked one (its
    completion was voided), the next issue number.
    """
    latest = session.scalar(
        select(Certificate)
        .where(Certificate.registration == enrolment.registration)
        .order_by(Certificate.issue_number.desc())
        .limit(1)
    )
    if latest is None:
        issue(enrolment)
    elif latest.revoked_at is not None:
        issue(enrolment, issue_number=latest.issue_number + 1)


VOIDED_REASON = "voided"


def on_statement_voided(_sender, target: StoredStatement, voiding: dict[str, Any], voided_by, **_kw) -> None:
    """Receiver of ``statement_voided``: a voided course completion takes back its certificate.

    The enrolment's live certificates are revoked with the reason "voided" and their 'earned'
    statements voided too, by the same actor as the voiding statement.
    """
    target_activity = parse_activity(target.object_id)
    if target.verb_id != VERBS["completed"] or not target_activity or target_activity["level"] != "course":
        return
    live = session.scalars(
        select(Certificate).where(
            Certificate.registration == target.registration,
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
        )
    ).all()
    for certificate in live:
        if not mark_revoked(certificate, VOIDED_REASON, voided_by):
            continue
        log.warning(
            "certificate %s revoked: its course completion %s was voided", certificate.serial, target.id
        )
        _void_earned(certificate, voiding["actor"])


def _void_earned(certificate: Certificate, actor: dict[str, Any]) -> None:
    earned = session.scalars(
        select(StoredStatement.id).where(
            StoredStatement.registration == certificate.registration,
            StoredStatement.verb_id == VERBS["earned"],
            StoredStatement.object_id == certificate_iri(certificate.serial),
            StoredStatement.is_voided.is_(False),
        )
    ).all()
    for statement_id in earned:
        record({**builder.voiding(activities.base_url(), "", statement_id), "actor": actor})


def my_certificates(user: User) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.superseded_by_id.is_(None))
            .order_by(Certificate.issued_at.desc())
        )
    )


def is_plain(text: str) -> bool:
    """Printable ASCII only: what every serial and code is made of. Anything else (Thai
    letters, a NUL byte, which PostgreSQL refuses in text) matches nothing, without a query."""
    return text.isascii() and text.isprintable()


def normalise_code(code: str) -> str:
    """The code as stored: spaces and hyphens dropped, upper case (``7kq2-m9xp 4t`` -> ``7KQ2M9XP4T``)."""
    return "".join(code.split()).replace("-", "").upper()


def find_for_verification(serial: str, code: str | None) -> Certificate | None:
    """The certificate only when the code printed on it matches: serials alone reveal nothing.
    The code may be typed with hyphens or spaces, in either case."""
    if not code or not is_plain(code):
        return None
    certificate = by_serial(serial)
    if certificate is None or not secrets.compare_digest(certificate.verification_code, normalise_code(code)):
        return None
    return certificate


class CertificateActionError(ValueError):
    """A revocation or re-issue that cannot be done; the message says why."""


class AlreadyRevoked(CertificateActionError):
    """Someone revoked the certificate first: a second, concurrent revocation changes nothing."""


def _require_manager(certificate: Certificate, by: User) -> None:
    """Administrators, and HR officers whose scope holds the owner (``policy.NotAllowed``)."""
    policy.require_person(
        by,
        policy.MANAGE_CERTIFICATES,
        certificate.user_id,
        _("Certificate %(serial)s belongs to someone outside your HR scope.", serial=certificate.serial),
    )


def mark_revoked(certificate: Certificate, reason: str, by_id: int | None) -> bool:
    """Revoke the row unless it is revoked already; True if this call revoked it.

    One conditional ``UPDATE ... WHERE revoked_at IS NULL``: of two concurrent revocations the
    second waits for the first to commit, then matches no row, so the first reason and author
    stay. The object is reloaded with what the row now holds.
    """
    result = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC), revoked_reason=reason, revoked_by_id=by_id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(certificate)
    return result.rowcount == 1


def revoke(certificate: Certificate, reason: str, by: User) -> None:
    """Revoke with a reason; who and when are kept with it (the audit) and logged.

    Refused (``policy.NotAllowed``) outside the actor's scope; :class:`AlreadyRevoked` when
    it is revoked already, concurrently too. Nothing is written when refused.
    """
    _require_manager(certificate, by)
    reason = reason.strip()
    if not reason:
        raise CertificateActionError(_("Give the reason for the revocation."))
    if not mark_revoked(certificate, reason, by.id):
        raise AlreadyRevoked(_("Certificate %(serial)s is already revoked.", serial=certificate.serial))
    log.warning("certificate %s revoked by user %s: %s", certificate.serial, by.id, reason)


def reissue(certificate: Certificate, by: User) -> Certificate:
    """Issue a corrected certificate (current names and course data); the old one is superseded.

    Refused (``policy.NotAllowed``) outside the actor's scope. The old row is marked only
    while nothing supersedes it, so a concurrent second re-issue is refused too.
    """
    _require_manager(certificate, by)
    already = _("Certificate %(serial)s was already re-issued.", serial=certificate.serial)
    if certificate.superseded_by_id is not None:
        raise CertificateActionError(already)
    enrolment = session.get(Enrolment, certificate.registration)
    new = issue(enrolment, issue_number=certificate.issue_number + 1)
    marked = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.superseded_by_id.is_(None))
        .values(superseded_by_id=new.id)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        raise CertificateActionError(already)
    session.refresh(certificate)
    log.warning("certificate %s re-issued as %s by user %s", certificate.serial, new.serial, by.id)
    return new


def by_serial(serial: str) -> Certificate | None:
    if not is_plain(serial):
        return None
    return session.scalar(select(Certificate).where(Certificate.serial == serial))


def completed_enrolments(course: Course, unit_ids: set[int] | None = None):
    """A select of the course's completed enrolments, optionally of people in these units."""
    stmt = select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.completed_at.is_not(None))
    if unit_ids is not None:
        stmt = stmt.join(User, User.id == Enrolment.user_id).where(User.org_unit_id.in_(unit_ids))
    return stmt.order_by(Enrolment.registration)
