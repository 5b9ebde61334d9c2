"""``flask lms courses ...``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from lms.accounts.service import find_by_email
from lms.courses import service
from lms.extensions import session

courses_cli = AppGroup("courses", help="Courses and enrolments.")


@courses_cli.command("enrol")
@click.argument("course")
@click.argument("emails", nargs=-1, required=True)
@click.option("--assigned", is_flag=True, help="Record the enrolment as an HR assignment.")
def courses_enrol(course: str, emails: tuple[str, ...], assigned: bool) -> None:
    """Enrol users (by email) in COURSE (its slug)."""
    found = service.course_by_slug(course)
    if found is None:
        click.echo(f"Error: no published course has the slug {course}", err=True)
        sys.exit(1)
    users = {email: find_by_email(email) for email in emails}
    missing = [email for email, user in users.items() if user is None]
    if missing:
        click.echo(f"Error: no user has the email {', '.join(missing)}; nobody was enrolled", err=True)
        sys.exit(1)
    for user in users.values():
        service.enrol(user, found, source="assignment" if assigned else "self")
    session.commit()
    click.echo(f"{len(users)} enrolled in {found.slug}")
