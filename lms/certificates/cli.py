"""``flask lms certificates ...``: revoke and re-issue (audited with who did it)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from lms.accounts.service import find_by_email
from lms.certificates import service
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
