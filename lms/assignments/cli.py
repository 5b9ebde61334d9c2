"""``flask lms assignments ...``: assign, list and cancel from the command line.

``--by`` names the HR user or administrator acting; an HR user's scope applies as in the browser.
"""

from __future__ import annotations

import sys
import threading
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from lms.accounts import policy
from lms.accounts.models import OrgUnit, Province
from lms.accounts.service import find_by_email
from lms.assignments import service
from lms.assignments.enrolment import start_enrolment, start_pending_enrolment
from lms.assignments.models import Assignment, AssignmentUser
from lms.content.models import Course, LearningPath
from lms.core.cli import fail
from lms.extensions import session
from lms.jobs.models import Job

assignments_cli = AppGroup("assignments", help="Required courses: assign, list, cancel.")


def _actor(email: str):
    actor = find_by_email(email)
    if actor is None or not policy.may(actor, policy.ASSIGN_COURSES):
        fail(f"{email} is not an active HR user or administrator")
    return actor


def _due(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--due {value} is not a date; write it as YYYY-MM-DD, e.g. 2025-09-30")


@assignments_cli.command("create")
@click.option("--course", "course_slug", help="The course's slug.")
@click.option("--path", "path_key", help="A learning path's key (each of its courses is required).")
@click.option("--staff-group", help="executive, practitioner or general.")
@click.option("--unit", "unit_code", help="An org unit's code (its sub-units are included).")
@click.option("--province", "province_code", help="A province's ISO 3166-2 code, e.g. TH-50.")
@click.option("--users", "emails", help="Comma-separated emails.")
@click.option("--due", required=True, help="Due date, YYYY-MM-DD.")
@click.option("--by", "by_email", required=True, help="Email of the HR user or administrator assigning it.")
def create(course_slug, path_key, staff_group, unit_code, province_code, emails, due, by_email) -> None:
    """Make a course or learning path required for a group, and enrol its people."""
    targets = {"staff_group": staff_group, "org_unit": unit_code, "province": province_code, "users": emails}
    given = {kind: value for kind, value in targets.items() if value is not None}
    if len(given) != 1:
        fail("give exactly one of --staff-group, --unit, --province, --users")
    ((kind, target),) = given.items()
    actor = _actor(by_email)
    try:
        assignment = service.create_assignment(
            actor,
            due_on=_due(due),
            target_kind=kind,
            target=target,
            course_slug=course_slug,
            path_key=path_key,
        )
    except service.AssignmentError as exc:
        fail(str(exc))
    session.commit()
    job = start_enrolment(assignment, actor)
    click.echo(f"assignment {assignment.id} created; enrolling {job.total} people (job {job.id})")
    if not current_app.config["LMS_REDIS_URL"]:
        _wait(job.id)


def _wait(job_id: str) -> None:
    """Without Redis the job runs on a thread of this process: stay until it is done."""
    for thread in threading.enumerate():
        if thread.name == f"lms-job-{job_id[:8]}":  # the name lms.jobs gives its thread
            thread.join()
    session.expire_all()
    job = session.get(Job, job_id)
    click.echo(f"enrolment {job.status}: {job.done} done, {job.failed} failed of {job.total}")
    if job.status != "done":
        sys.exit(1)


def _describe(assignment: Assignment, names: dict) -> tuple[str, str]:
    what = (
        f"course {names['courses'][assignment.course_id]}"
        if assignment.course_id
        else (f"path {names['paths'][assignment.learning_path_id]}")
    )
    target = {
        "staff_group": lambda: f"staff group {assignment.staff_group}",
        "org_unit": lambda: f"unit {names['units'].get(assignment.org_unit_id)} and sub-units",
        "province": lambda: f"province {names['provinces'].get(assignment.province_id)}",
        "users": lambda: f"{names['listed'].get(assignment.id, 0)} listed people",
    }[assignment.target_kind]()
    return what, target


@assignments_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include cancelled assignments.")
def list_assignments(show_all: bool) -> None:
    """Print every assignment: id, what, target, due date, people covered, maker and date."""
    stmt = select(Assignment).order_by(Assignment.id)
    if not show_all:
        stmt = stmt.where(Assignment.cancelled_at.is_(None))
    found = session.scalars(stmt).all()
    names = {
        "courses": dict(session.execute(select(Course.id, Course.slug)).all()),
        "paths": dict(session.execute(select(LearningPath.id, LearningPath.key)).all()),
        "units": dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all()),
        "provinces": dict(session.execute(select(Province.id, Province.iso_code)).all()),
        "listed": dict(
            session.execute(
                select(AssignmentUser.assignment_id, func.count()).group_by(AssignmentUser.assignment_id)
            ).all()
        ),
    }
    people = service.expansion.covered_counts([a.id for a in found])
    for a in found:
        what, target = _describe(a, names)
        maker = a.created_by.email if a.created_by else "-"
        status = f"cancelled {a.cancelled_at:%Y-%m-%d}" if a.cancelled_at else f"{people.get(a.id, 0)} people"
        click.echo(
            f"{a.id}\t{what}\t{target}\tdue {a.due_on}\t{status}\tby {maker} on {a.created_at:%Y-%m-%d}"
        )
    if not found:
        click.echo("no assignments")


@assignments_cli.command("cancel")
@click.argument("assignment_id", type=int)
@click.option("--by", "by_email", required=True, help="Email of the HR user or administrator cancelling it.")
def cancel(assignment_id: int, by_email: str) -> None:
    """Cancel an assignment; required courses are recomputed from the remaining ones."""
    actor = _actor(by_email)
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        fail(f"no assignment has the id {assignment_id}")
    try:
        service.cancel_assignment(assignment, actor)
    except service.AssignmentError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"assignment {assignment_id} cancelled")


@assignments_cli.command("enrol")
def enrol() -> None:
    """Enrol everyone in the required courses they are not in yet (after a large staff import)."""
    job = start_pending_enrolment(None)
    click.echo(f"enrolling {job.total} (job {job.id})")
    if not current_app.config["LMS_REDIS_URL"]:
        _wait(job.id)


@assignments_cli.command("refresh")
def refresh() -> None:
    """Recompute every required course from the active assignments.

    Run it after the org tree or a learning path changed (people's own changes are followed
    automatically).
    """
    service.expansion.recompute()
    session.commit()
    click.echo("required courses recomputed")
