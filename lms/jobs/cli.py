"""``flask lms jobs ...``: run RQ workers, and see a job's progress."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import session
from lms.jobs import service
from lms.jobs.models import Job

jobs_cli = AppGroup("jobs", help="Background jobs (bulk certificates, large exports).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run one RQ worker for the LMS queue; start several to share the work."""
    if not current_app.config["LMS_REDIS_URL"]:
        click.echo("Error: set LMS_REDIS_URL; without it jobs run inside the web process.", err=True)
        sys.exit(1)
    from lms.jobs.worker import Worker

    queue = service.rq_queue()
    Worker([queue], connection=queue.connection).work(burst=burst, logging_level="WARNING")


@jobs_cli.command("show")
@click.argument("job_id")
def show(job_id: str) -> None:
    """Print a job's status and progress."""
    job = session.get(Job, job_id)
    if job is None:
        click.echo(f"Error: no job has the id {job_id}", err=True)
        sys.exit(1)
    status = job.status
    if service.is_stopped(job):
        last = job.heartbeat_at or job.started_at or job.created_at
        status = f"stopped (no heartbeat since {last:%Y-%m-%d %H:%M} UTC; resume it from its page)"
    click.echo(f"{job.kind} {status}: {job.done} done, {job.failed} failed of {job.total}")
    if job.message:
        click.echo(job.message)
