"""``flask lms progress ...``: re-derive the projection from the ledger."""

from __future__ import annotations

import uuid

import click
from flask.cli import AppGroup

from lms.core.cli import fail
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.progress.rebuild import rebuild

progress_cli = AppGroup("progress", help="The progress projection.")


@progress_cli.command("rebuild")
@click.option("--registration", help="Rebuild only this enrolment (its registration UUID).")
def progress_rebuild(registration: str | None) -> None:
    """Re-derive enrolments, lesson progress and quiz outcomes from the statement store."""
    if registration is not None:
        try:
            registration = str(uuid.UUID(registration))
        except ValueError:
            fail(f"{registration!r} is not a UUID; give an enrolment's registration.")
        if session.get(Enrolment, registration) is None:
            fail(f"No enrolment has the registration {registration}.")
    count = rebuild(registration)
    session.commit()
    scope = f" of enrolment {registration}" if registration else ""
    click.echo(f"Progress{scope} rebuilt from {count} statements.")
