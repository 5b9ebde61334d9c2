"""``flask lms authoring ...``: course owners, publishing a draft and rolling back, from a shell.

Each command acts as the person named by ``--by`` and is held to the browser's rules
(:mod:`lms.authoring.access`): an administrator, or a trainer who owns the course.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.accounts import policy
from lms.accounts.service import find_by_email
from lms.authoring import courses, publishing
from lms.core.cli import fail
from lms.extensions import session
from lms.packages.problems import PackageError

authoring_cli = AppGroup("authoring", help="Course owners, publishing and rollback.")
BY = click.option("--by", "by_email", required=True, help="Email of the administrator or owning trainer.")


def _load(slug: str, by_email: str):
    course = courses.course_by_slug(slug)
    if course is None:
        fail(f"no course has the slug {slug}")
    actor = find_by_email(by_email)
    if actor is None:
        fail(f"no user has the email {by_email}")
    return course, actor


@authoring_cli.command("owners")
@click.argument("slug")
def owners(slug: str) -> None:
    """List the owners of the course SLUG."""
    course = courses.course_by_slug(slug)
    if course is None:
        fail(f"no course has the slug {slug}")
    for owner in courses.owners(course):
        click.echo(owner.user.email)


@authoring_cli.command("add-owner")
@click.argument("slug")
@click.argument("email")
@BY
def add_owner(slug: str, email: str, by_email: str) -> None:
    """Make the trainer EMAIL an owner of SLUG (nothing to do if they are one already)."""
    course, actor = _load(slug, by_email)
    if any(o.user.email.lower() == email.strip().lower() for o in courses.owners(course)):
        click.echo(f"{email} already owns {slug}")
        return
    try:
        courses.add_owner(actor, course, email)
    except (policy.NotAllowed, courses.CourseError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"{email} now owns {slug}")


@authoring_cli.command("remove-owner")
@click.argument("slug")
@click.argument("email")
@BY
def remove_owner(slug: str, email: str, by_email: str) -> None:
    """Remove EMAIL from the owners of SLUG (never the last owner)."""
    course, actor = _load(slug, by_email)
    person = find_by_email(email)
    try:
        courses.remove_owner(actor, course, person.id if person else None)
    except (policy.NotAllowed, courses.CourseError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"{email} no longer owns {slug}")


@authoring_cli.command("publish")
@click.argument("slug")
@BY
@click.option(
    "--replace-newer", is_flag=True, help="Publish even if a newer version came after the draft began."
)
def publish(slug: str, by_email: str, replace_newer: bool) -> None:
    """Check the draft of SLUG and publish it as the next version: all of it, or nothing."""
    course, actor = _load(slug, by_email)
    try:
        result = publishing.publish(actor, course, replace_newer=replace_newer)
    except PackageError as exc:
        session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(str(exc))
    except (policy.NotAllowed, publishing.NothingToDo, publishing.OutdatedDraft) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"{slug}: published version {result.version.number}")


@authoring_cli.command("rollback")
@click.argument("slug")
@click.argument("number", type=click.IntRange(min=1))
@BY
def rollback(slug: str, number: int, by_email: str) -> None:
    """Publish a new version of SLUG equal to version NUMBER (learners keep their progress)."""
    course, actor = _load(slug, by_email)
    try:
        result = publishing.rollback(actor, course, number)
    except (policy.NotAllowed, publishing.NothingToDo) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"{slug}: version {result.version.number} now equals version {number}")
