"""``flask lms certificates ...``: bulk issue, revoke and re-issue (audited with who did it)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import policy
from lms.accounts.models import OrgUnit
from lms.accounts.service import find_by_email
from lms.certificates import bulk, deployment, service, signing
from lms.core.cli import fail
from lms.courses import service as courses
from lms.extensions import session
from lms.jobs import service as jobs

certificates_cli = AppGroup("certificates", help="Issued certificates.")


def _load(serial: str, by_email: str):
    certificate = service.by_serial(serial)
    if certificate is None:
        fail(f"no certificate has the serial {serial}")
    actor = find_by_email(by_email)
    if actor is None or not policy.may(actor, policy.MANAGE_CERTIFICATES):
        fail(f"{by_email} is not an admin or HR user")
    return certificate, actor


@certificates_cli.command("signing-check")
def signing_check() -> None:
    """Load the signing key and certificate as downloads will, and show whose they are; warn
    about what certificates would lack (an issuer, a signatory)."""
    try:
        signer = signing.signer()
    except signing.SigningConfigError as exc:
        fail(str(exc))
    for warning in deployment.certificate_warnings(current_app.config):
        click.echo(f"Warning: {warning}", err=True)
    if signer is None:
        click.echo(f"Signing is not configured: certificate PDFs are stored unsigned ({signing.KEY}).")
        return
    click.echo(f"Signer:    {signer.subject}")
    click.echo(f"Issued by: {signer.issuer}")
    click.echo(f"Valid:     {signer.valid_from:%Y-%m-%d %H:%M} to {signer.valid_until:%Y-%m-%d %H:%M} UTC")
    click.echo(f"Key:       {signer.key_type}, matches the certificate")
    click.echo(f"Chain:     {', '.join(c.subject.rfc4514_string() for c in signer.chain) or 'none'}")
    for note in signer.notes():
        click.echo(f"Note: {note}", err=True)


@certificates_cli.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True)
@click.option("--by", "by_email", required=True, help="Email of the admin or HR user who revokes it.")
def revoke(serial: str, reason: str, by_email: str) -> None:
    """Revoke a certificate; it then verifies as revoked, with the date and reason."""
    certificate, actor = _load(serial, by_email)
    try:
        service.revoke(certificate, reason, actor)
    except (policy.NotAllowed, service.CertificateActionError) as exc:
        fail(str(exc))
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
    except (policy.NotAllowed, service.CertificateActionError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"{serial} superseded by {new.serial}")


@certificates_cli.command("issue")
@click.option("--course", "slug", required=True, help="The course's slug.")
@click.option("--unit", "unit_code", help="Only people in this org unit (and its sub-units).")
@click.option(
    "--background",
    is_flag=True,
    help="Hand the work to the RQ workers (needs LMS_REDIS_URL) and print the job id.",
)
def issue(slug: str, unit_code: str | None, background: bool) -> None:
    """Issue and render the certificate of everyone who completed COURSE.

    Only certificates not rendered yet are done, each committed on its own, so a run stopped
    half-way is resumed by running it again, and nothing is issued twice. In the foreground a
    progress bar shows the work; with --background, ``flask lms jobs worker`` processes do it
    and ``flask lms jobs show ID`` shows its progress.
    """
    course = courses.course_by_slug(slug)
    if course is None:
        fail(f"no published course has the slug {slug}")
    unit = None
    if unit_code:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            fail(f"no org unit has the code {unit_code}")
    selection = bulk.Selection(course, unit)
    if background:
        _start_in_background(selection)
        return
    registrations, errors = bulk.to_do(selection), []
    with click.progressbar(
        length=len(registrations), label=f"Certificates for {slug}", file=sys.stderr
    ) as bar:
        for chunk in jobs.chunked(registrations):
            errors += bulk.issue_and_render(chunk)[1]
            bar.update(len(chunk))
    rendered = bulk.counts(selection).rendered
    click.echo(
        f"{rendered} certificate(s) for {slug} issued and rendered ({len(registrations) - len(errors)} now)"
    )
    if errors:
        fail(f"{len(errors)} could not be issued; correct the cause and run again:\n" + "\n".join(errors))


def _start_in_background(selection: bulk.Selection) -> None:
    if not current_app.config["LMS_REDIS_URL"]:
        fail("--background needs LMS_REDIS_URL: without workers nothing would run the job after this command")
    job = jobs.start(bulk.KIND, selection.params)
    click.echo(f"job {job.id} started: {job.total} certificate(s) to issue and render")
    click.echo(f"follow it with: flask lms jobs show {job.id}")
