"""``flask lms ...``: one click group; each area adds its commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.accounts.cli import demo_cli, users_cli
from lms.api.cli import api_cli
from lms.assignments.cli import assignments_cli
from lms.authoring.cli import authoring_cli
from lms.certificates.cli import certificates_cli
from lms.core import migrations
from lms.courses.cli import courses_cli
from lms.jobs.cli import jobs_cli
from lms.packages.cli import content_cli
from lms.progress.cli import progress_cli
from lms.xapi.cli import xapi_cli

lms_cli = AppGroup("lms", help="The learning-management system.")
db_cli = AppGroup("db", help="The LMS's own database migrations (version table lms_alembic_version).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the LMS tables to REVISION (default: the newest)."""
    migrations.upgrade(revision)
    click.echo(f"LMS database at: {migrations.current() or 'empty'}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Downgrade the LMS tables to REVISION (default: one step back; 'base' removes them all)."""
    migrations.downgrade(revision)
    click.echo(f"LMS database at: {migrations.current() or 'empty'}")


@db_cli.command("current")
def db_current() -> None:
    """Show the LMS tables' current revision."""
    click.echo(migrations.current() or "empty: run 'flask lms db upgrade'")


lms_cli.add_command(db_cli)
lms_cli.add_command(users_cli)
lms_cli.add_command(demo_cli)
lms_cli.add_command(progress_cli)
lms_cli.add_command(courses_cli)
lms_cli.add_command(certificates_cli)
lms_cli.add_command(content_cli)
lms_cli.add_command(jobs_cli)
lms_cli.add_command(api_cli)
lms_cli.add_command(assignments_cli)
lms_cli.add_command(xapi_cli)
lms_cli.add_command(authoring_cli)
