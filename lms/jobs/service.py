"""Background jobs: start one, run its chunks, count progress.

A job kind says how to split its work into chunks of items (``plan``), how to do one chunk
(``run_chunk``) and what to do once every item is counted (``finish``). With
``LMS_REDIS_URL`` set, each chunk is an RQ job, so any number of ``flask lms jobs worker``
processes share the work; otherwise one thread of this process runs the chunks in turn.
Either way the request that starts a job returns at once and a progress page reads the row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, update

from lms.extensions import session
from lms.jobs.models import Job

log = logging.getLogger(__name__)
QUEUE_NAME = "lms"


@dataclass(frozen=True)
class JobKind:
    """One kind of job. ``run_chunk`` returns how many of its items were done and failed."""

    name: str
    plan: Callable[[dict[str, Any]], list[list[Any]]]
    run_chunk: Callable[[Job, list[Any]], tuple[int, int]]
    finish: Callable[[Job], None] | None = None


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def chunked(items: list[Any], size: int | None = None) -> list[list[Any]]:
    size = size or current_app.config["LMS_JOBS_CHUNK_SIZE"]
    return [items[i : i + size] for i in range(0, len(items), size)]


def start(kind: str, params: dict[str, Any], *, created_by_id: int | None = None) -> Job:
    """Plan the job, save it, and hand its chunks to the workers (or to a thread)."""
    definition = KINDS[kind]
    chunks = [chunk for chunk in definition.plan(params) if chunk]
    job = Job(kind=kind, params=params, total=sum(len(c) for c in chunks), created_by_id=created_by_id)
    session.add(job)
    session.commit()
    if not chunks:
        _finish(job.id)
    elif current_app.config["LMS_REDIS_URL"]:
        _enqueue(job.id, chunks)
    else:
        _run_in_thread(job.id, chunks)
    return job


def _enqueue(job_id: str, chunks: list[list[Any]]) -> None:
    queue = rq_queue()
    for chunk in chunks:
        queue.enqueue(run_chunk, job_id, chunk, job_timeout=3600)


def rq_queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["LMS_REDIS_URL"])
    return Queue(current_app.config["LMS_JOBS_QUEUE"] or QUEUE_NAME, connection=connection)


def _run_in_thread(job_id: str, chunks: list[list[Any]]) -> None:
    app = current_app._get_current_object()

    def work() -> None:
        with app.app_context():
            for chunk in chunks:
                run_chunk(job_id, chunk)
            session.remove()

    threading.Thread(target=work, name=f"lms-job-{job_id[:8]}", daemon=True).start()


def run_chunk(job_id: str, items: list[Any]) -> None:
    """Do one chunk and count it; the chunk that brings the count to the total finishes the job."""
    job = session.get(Job, job_id)
    if job is None:
        log.warning("job %s is gone; chunk of %d dropped", job_id, len(items))
        return
    _mark_running(job_id)
    try:
        done, failed = KINDS[job.kind].run_chunk(job, items)
    except Exception as exc:  # a chunk must not kill the worker; the job shows what failed
        session.rollback()
        log.exception("job %s: a chunk of %d failed", job_id, len(items))
        done, failed = 0, len(items)
        _note(job_id, f"{type(exc).__name__}: {exc}")
    if _count(job_id, done, failed):
        _finish(job_id)


def _mark_running(job_id: str) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=datetime.now(UTC))
    )
    session.commit()


def _count(job_id: str, done: int, failed: int) -> bool:
    """Add to the counters atomically; True for the one chunk that completes the job."""
    row = session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(done=Job.done + done, failed=Job.failed + failed)
        .returning(Job.done, Job.failed, Job.total)
    ).one()
    session.commit()
    return bool(done or failed) and row.done + row.failed == row.total


def _note(job_id: str, message: str) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(message=func.substr(message, 1, 2000)))
    session.commit()


def _finish(job_id: str) -> None:
    job = session.get(Job, job_id)
    session.refresh(job)
    definition = KINDS[job.kind]
    try:
        if definition.finish is not None:
            definition.finish(job)
        job.status = "failed" if job.failed else "done"
    except Exception as exc:
        session.rollback()
        job = session.get(Job, job_id)
        log.exception("job %s could not finish", job_id)
        job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"
    job.finished_at = datetime.now(UTC)
    session.commit()


def visible_to(job: Job, user) -> bool:
    """A job's progress and result are for the person who started it, and for admins."""
    return job.created_by_id == user.id or user.has_role("admin")
