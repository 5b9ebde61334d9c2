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
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, update

from lms.extensions import session
from lms.jobs.models import Job

log = logging.getLogger(__name__)
QUEUE_NAME = "lms"


@dataclass(frozen=True)
class JobKind:
    """One kind of job. ``run_chunk`` does a chunk and returns how many of its items were done
    and failed. A kind may give ``run_item`` instead (True: done, False: failed): its items
    are then counted one by one, so the progress page moves with each item. A ``resumable``
    kind's ``plan`` lists only what is not done yet: a stopped job can then be resumed."""

    name: str
    plan: Callable[[dict[str, Any]], list[list[Any]]]
    run_chunk: Callable[[Job, list[Any]], tuple[int, int]] | None = None
    finish: Callable[[Job], None] | None = None
    run_item: Callable[[Job, Any], bool] | None = None
    resumable: bool = False


KINDS: dict[str, JobKind] = {}


class JobError(ValueError):
    """A job that cannot be resumed; the message says why, in the visitor's language."""


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
    _dispatch(job.id, chunks, job.attempt)
    return job


def _dispatch(job_id: str, chunks: list[list[Any]], attempt: int) -> None:
    if not chunks:
        _finish(job_id)
    elif current_app.config["LMS_REDIS_URL"]:
        _enqueue(job_id, chunks, attempt)
    else:
        _run_in_thread(job_id, chunks, attempt)


def _enqueue(job_id: str, chunks: list[list[Any]], attempt: int) -> None:
    queue = rq_queue()
    for chunk in chunks:
        queue.enqueue(run_chunk, job_id, chunk, attempt, job_timeout=3600)


def rq_queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["LMS_REDIS_URL"])
    return Queue(current_app.config["LMS_JOBS_QUEUE"] or QUEUE_NAME, connection=connection)


def _run_in_thread(job_id: str, chunks: list[list[Any]], attempt: int) -> None:
    app = current_app._get_current_object()

    def work() -> None:
        with app.app_context():
            for chunk in chunks:
                run_chunk(job_id, chunk, attempt)
            session.remove()

    threading.Thread(target=work, name=f"lms-job-{job_id[:8]}", daemon=True).start()


def run_chunk(job_id: str, items: list[Any], attempt: int | None = None) -> None:
    """Do one chunk and count it; the count that brings the job to its total finishes it.

    A chunk queued by an earlier run of a resumed job (``attempt``) is dropped: the resume
    planned its items again.
    """
    job = session.get(Job, job_id)
    if job is None:
        log.warning("job %s is gone; chunk of %d dropped", job_id, len(items))
        return
    attempt = job.attempt if attempt is None else attempt
    if attempt != job.attempt:
        log.info("job %s: a chunk of run %d dropped (the job was resumed)", job_id, attempt)
        return
    _mark_running(job_id)
    definition = KINDS[job.kind]
    if definition.run_item is not None:
        _run_items(job, definition, items, attempt)
        return
    try:
        done, failed = definition.run_chunk(job, items)
    except Exception as exc:  # a chunk must not kill the worker; the job shows what failed
        session.rollback()
        log.exception("job %s: a chunk of %d failed", job_id, len(items))
        done, failed = 0, len(items)
        _note(job_id, f"{type(exc).__name__}: {exc}")
    if _count(job_id, attempt, done, failed):
        _finish(job_id)


def _run_items(job: Job, definition: JobKind, items: list[Any], attempt: int) -> None:
    """Do and count the items one by one (each count is a heartbeat)."""
    job_id = job.id
    for item in items:
        try:
            ok = definition.run_item(session.get(Job, job_id), item)
        except Exception as exc:  # an item must not kill the worker; the job shows what failed
            session.rollback()
            log.exception("job %s: an item failed", job_id)
            ok = False
            _note(job_id, f"{type(exc).__name__}: {exc}")
        completes = _count(job_id, attempt, int(ok), int(not ok))
        if completes is None:
            log.info("job %s was resumed elsewhere: this run of it stops", job_id)
            return
        if completes:
            _finish(job_id)


def _mark_running(job_id: str) -> None:
    now = datetime.now(UTC)
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=func.coalesce(Job.started_at, now))
    )
    session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=now))
    session.commit()


def _count(job_id: str, attempt: int, done: int, failed: int) -> bool | None:
    """Add to the counters atomically and beat the heart; True for the one count that
    completes the job, None when the job has been resumed since (this run must stop)."""
    row = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempt == attempt)
        .values(done=Job.done + done, failed=Job.failed + failed, heartbeat_at=datetime.now(UTC))
        .returning(Job.done, Job.failed, Job.total)
    ).one_or_none()
    session.commit()
    if row is None:
        return None
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


def is_stopped(job: Job, now: datetime | None = None) -> bool:
    """A job not finished whose last sign of life (heartbeat, else its start or creation) is
    older than LMS_JOBS_STALE_AFTER seconds: its workers died or were stopped."""
    if job.is_finished:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    stale_after = timedelta(seconds=current_app.config["LMS_JOBS_STALE_AFTER"])
    return (now or datetime.now(UTC)) - last > stale_after


def may_resume(job: Job) -> bool:
    return KINDS[job.kind].resumable and is_stopped(job)


def resume(job_id: str) -> Job:
    """Start a stopped job's next run with only what is not done yet (committed).

    Its kind plans again (a resumable kind's plan skips what is done); what failed is tried
    again. Chunks of the earlier run still queued are dropped when a worker takes them.
    """
    job = session.get(Job, job_id)
    if not may_resume(job):
        raise JobError(_("This job is not stopped: it is still running or has finished."))
    chunks = [chunk for chunk in KINDS[job.kind].plan(job.params) if chunk]
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempt == job.attempt)
        .values(
            attempt=Job.attempt + 1,
            status="queued",
            total=Job.done + sum(len(c) for c in chunks),
            failed=0,
            message="",
            heartbeat_at=datetime.now(UTC),
        )
    ).rowcount
    session.commit()
    if not claimed:
        raise JobError(_("This job has just been resumed by someone else."))
    session.refresh(job)
    log.warning("job %s resumed (run %d): %d item(s) left", job_id, job.attempt, job.total - job.done)
    _dispatch(job_id, chunks, job.attempt)
    return job


def visible_to(job: Job, user) -> bool:
    """A job's progress and result are for the person who started it, and for admins."""
    return job.created_by_id == user.id or user.has_role("admin")
