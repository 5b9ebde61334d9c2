"""``flask lms users ...`` and ``flask lms demo ...``: thin wrappers over the services."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.accounts import demo, service, staff_import
from lms.accounts.models import Role, StaffGroup
from lms.core.cli import fail
from lms.demo import parallel, seed
from lms.extensions import session
from lms.xapi.validation import StatementError

users_cli = AppGroup("users", help="Users and the staff-list import.")
demo_cli = AppGroup("demo", help="Demo data for trying the LMS.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--first-name", "first_name_th", required=True, help="First name in Thai.")
@click.option("--last-name", "last_name_th", required=True, help="Last name in Thai.")
@click.option("--title", "title_th", default="", help="Title prefix in Thai, e.g. นาย.")
@click.option("--staff-group", type=click.Choice([g.value for g in StaffGroup]), default="general")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    default=["learner"],
    show_default=True,
)
@click.password_option(help="Prompted for when not given.")
def users_create(email, first_name_th, last_name_th, title_th, staff_group, roles, password):
    """Create a user who can sign in with a password."""
    try:
        user = service.create_user(
            email=email,
            first_name_th=first_name_th,
            last_name_th=last_name_th,
            title_th=title_th,
            staff_group=staff_group,
            roles=roles,
            password=password,
            min_password_length=current_app.config["LMS_PASSWORD_MIN_LENGTH"],
        )
    except service.AccountError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Created user {user.id}: {user.email} ({', '.join(sorted(user.roles))})")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option()
def users_set_password(email, password):
    """Set a user's password."""
    user = service.find_by_email(email)
    if user is None:
        fail(f"no user has the email {email}")
    try:
        service.set_password(user, password, current_app.config["LMS_PASSWORD_MIN_LENGTH"])
    except service.AccountError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Password set for {user.email}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--remove", is_flag=True, help="Take the role away instead of giving it.")
def users_set_role(email, role, remove):
    """Give a user a role (e.g. make the first admin), or take it away with --remove."""
    user = service.find_by_email(email)
    if user is None:
        fail(
            f"no user has the email {email} (with a host app's sign-in, a profile exists once "
            "the person has opened the LMS)"
        )
    changed = service.change_role(user, role, remove=remove)
    session.commit()
    roles = ", ".join(sorted(user.roles)) or "none"
    if changed:
        click.echo(f"{user.email}: role {role} {'removed' if remove else 'added'}; roles: {roles}")
    else:
        state = "absent" if remove else "held"
        click.echo(f"{user.email}: nothing to change (role {role} {state}); roles: {roles}")


@users_cli.command("reset-password")
@click.argument("email")
def users_reset_password(email):
    """Give a user a new random password and print it once."""
    user = service.find_by_email(email)
    if user is None:
        fail(f"no user has the email {email}")
    password = service.reset_password(user)
    session.commit()
    click.echo(f"{user.email}  new password: {password}")


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def users_import(file: Path):
    """Import HR's staff list (.csv or .xlsx): all of it, or nothing if any row is bad."""
    try:
        report = staff_import.import_staff(
            file.name, file.read_bytes(), current_app.config["LMS_IMPORT_MAX_ROWS"]
        )
    except staff_import.ImportFileError as exc:
        fail(str(exc))
    if not report.ok:
        session.rollback()
        for error in report.errors:
            click.echo(f"{file.name}: {error}", err=True)
        fail(f"{len(report.errors)} problem(s) found; nothing was imported.")
    session.commit()
    click.echo(
        f"{file.name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    )


@demo_cli.command("load")
def demo_load():
    """Load the demo organisation and one account per role (passwords are printed once)."""
    accounts = demo.load_demo(current_app.config["LMS_PASSWORD_MIN_LENGTH"])
    session.commit()
    click.echo("Demo accounts (sign in at /login):")
    for email, password in accounts:
        if password:
            click.echo(f"  {email:28} password: {password}")
        else:
            click.echo(f"  {email:28} exists already: flask --app lms lms users reset-password {email}")


@demo_cli.command("seed")
@click.option(
    "--learners",
    type=click.IntRange(1, seed.MAX_LEARNERS),
    required=True,
    help="How many learners to generate (1 to 1,000,000).",
)
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=seed.DEFAULT_SEED,
    show_default=True,
    help="Random seed: the same seed (and --as-of) gives the same data.",
)
@click.option(
    "--completion-rate",
    type=click.FloatRange(0, 1),
    default=seed.DEFAULT_COMPLETION_RATE,
    show_default=True,
    help="Share of enrolments that end completed (0 to 1).",
)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the history (default: today).")
@click.option("--append", is_flag=True, help="Add learners to demo data that exists already.")
@click.option(
    "--workers",
    type=click.IntRange(1, seed.MAX_WORKERS),
    default=1,
    show_default=True,
    help="Processes recording at once (PostgreSQL only; up to the number of CPU cores helps).",
)
def demo_seed(learners, seed_value, completion_rate, as_of, append, workers):
    """Generate a simulated ministry with LEARNERS fictional learners and their learning."""
    options = seed.SeedOptions(learners, seed_value, completion_rate, as_of and as_of.date(), append, workers)
    try:
        seeder = seed.Seeder(options)
        seeder.prepare()
        session.commit()
        batches = parallel.run(seeder, workers) if workers > 1 else seeder.chunks()
        with click.progressbar(length=learners, label="Seeding learners", file=sys.stderr) as bar:
            for done in batches:
                session.commit()
                bar.update(done)
        summary = seeder.finish()
    except (seed.SeedError, StatementError) as exc:
        fail(str(exc))
    session.commit()
    click.echo("\n".join(summary.lines()))
