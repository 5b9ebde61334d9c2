"""``flask lms certificates ...``: revoke and re-issue (audited with who did it)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts.models import OrgUnit
from lms.accounts.service import find_by_email, unit_and_descendant_ids
from lms.certificates import service, store
from lms.courses import service as courses
from lms.courses.models import Enrolment
from lms.extensions import session

certificates_cli = AppGroup("certificates", help="Issued certificates.")


def _fail(message: str) -> None:
    session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _load(serial: str, by_email: str):
    certificate = service.by_serial(serial)
    if certificate is None:
        _fail(f"no certificate has the serial {serial}")
    actor = find_by_email(by_email)
    if actor is None or not actor.has_role("admin", "hr"):
        _fail(f"{by_email} is not an admin or HR user")
    return certificate, actor


@certificates_cli.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True)
@click.option("--by", "by_email", required=True, help="Email of the admin or HR user who revokes it.")
def revoke(serial: str, reason: str, by_email: str) -> None:
    """Revoke a certificate; it then verifies as revoked, with the date and reason."""
    certificate, actor = _load(serial, by_email)
    try:
        service.revoke(certificate, reason, actor)
    except service.CertificateActionError as exc:
        _fail(str(exc))
    session.commit()
    click.echo(f"{serial} revoked")


@certificates_cli.command("reissue")
@click.argument("serial")
@click.option("--by", "by_email", required=True, help="Email of the admin or HR user who re-issues it.")
def reissue(serial: str, by_email: str) -> None:
    """Re-issue a certificate with corrected data (e.g. a new name); the old one is superseded."""
    certificate, actor = _load(serial, by_email)
    try:
        new = service.reissue(certificate, actor)
    except service.CertificateActionError as exc:
        _fail(str(exc))
    session.commit()
    click.echo(f"{serial} superseded by {new.serial}")


@certificates_cli.command("issue")
@click.option("--course", "slug", required=True, help="The course's slug.")
@click.option("--unit", "unit_code", help="Only people in this org unit (and its sub-units).")
def issue(slug: str, unit_code: str | None) -> None:
    """Issue and render the certificate of everyone who completed COURSE.

    Each certificate is committed on its own, so a run stopped half-way is resumed by running
    it again: what exists is skipped, and nothing is issued twice.
    """
    course = courses.course_by_slug(slug)
    if course is None:
        _fail(f"no published course has the slug {slug}")
    unit_ids = None
    if unit_code:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            _fail(f"no org unit has the code {unit_code}")
        unit_ids = unit_and_descendant_ids([unit.id])
    registrations = list(
        session.scalars(
            service.completed_enrolments(course, unit_ids).with_only_columns(Enrolment.registration)
        )
    )
    done = 0
    with click.progressbar(registrations, label=f"Certificates for {slug}", file=sys.stderr) as bar:
        for registration in bar:
            certificate = service.issue(session.get(Enrolment, registration))
            store.pdf_path(certificate)
            session.commit()
            done += 1
    click.echo(f"{done} certificate(s) for {slug} issued and rendered")
