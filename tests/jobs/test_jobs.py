"""Background jobs: chunks counted exactly, on a thread (no Redis) and on real RQ workers."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from lms.accounts.models import OrgUnit
from lms.extensions import session
from lms.jobs import service
from lms.jobs.models import Job


def _plan(params):
    return service.chunked([f"{params['prefix']}-{n}" for n in range(params["count"])], size=3)


def _run_chunk(job, items):
    """Create one org unit per item; an item named in 'fail' raises and fails its chunk."""
    if job.params.get("fail") in items:
        raise ValueError(f"cannot handle {job.params['fail']}")
    for code in items:
        session.add(OrgUnit(code=code, name_th=code, name_en=code, kind="division"))
    session.commit()
    return len(items), 0


def _finish(job):
    job.result_file = f"{job.params['prefix']}.txt"


service.register(service.JobKind("test.units", _plan, _run_chunk, _finish))


def _wait(job_id: str, seconds: float = 20) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.expire_all()
        job = session.get(Job, job_id)
        if job.is_finished:
            return job
        time.sleep(0.05)
    pytest.fail(f"job {job_id} did not finish: {job!r}")


def _codes(prefix: str) -> set[str]:
    return set(session.scalars(select(OrgUnit.code).where(OrgUnit.code.like(f"{prefix}-%"))))


def test_a_job_without_redis_runs_on_a_thread_and_counts_every_item(app):
    job = service.start("test.units", {"prefix": "t", "count": 10})
    assert job.total == 10
    finished = _wait(job.id)
    assert (finished.status, finished.done, finished.failed, finished.percent) == ("done", 10, 0, 100)
    assert finished.result_file == "t.txt"
    assert finished.started_at is not None and finished.finished_at is not None
    assert _codes("t") == {f"t-{n}" for n in range(10)}


def test_a_failing_chunk_is_counted_as_failed_and_explained(app):
    job = service.start("test.units", {"prefix": "f", "count": 7, "fail": "f-4"})
    finished = _wait(job.id)
    assert (finished.status, finished.done, finished.failed) == ("failed", 4, 3)
    assert "cannot handle f-4" in finished.message
    assert _codes("f") == {"f-0", "f-1", "f-2", "f-6"}


def test_an_empty_job_is_done_at_once(app):
    job = service.start("test.units", {"prefix": "e", "count": 0})
    session.refresh(job)
    assert (job.status, job.total, job.percent) == ("done", 0, 100)


def test_with_redis_two_rq_workers_share_the_chunks(app_factory):
    from lms.jobs.worker import Worker

    queue_name = f"lms-test-{uuid.uuid4().hex[:8]}"
    rq_app = app_factory(LMS_REDIS_URL="redis://127.0.0.1:6379/14", LMS_JOBS_QUEUE=queue_name)
    with rq_app.app_context():
        job = service.start("test.units", {"prefix": "r", "count": 8})
        queue = service.rq_queue()
        assert queue.count == 3
        session.refresh(job)
        assert job.status == "queued" and job.done == 0
        # Two workers, each taking jobs until the queue is empty.
        for name in ("w1", "w2"):
            worker = Worker([queue], connection=queue.connection, name=f"{queue_name}-{name}")
            worker.work(burst=True, max_jobs=2)
        finished = _wait(job.id, seconds=5)
        assert (finished.status, finished.done, finished.total) == ("done", 8, 8)
        assert _codes("r") == {f"r-{n}" for n in range(8)}
        queue.delete(delete_jobs=True)
        session.remove()


def test_the_worker_command_needs_redis(runner):
    result = runner.invoke(args=["lms", "jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert "LMS_REDIS_URL" in result.output


def test_jobs_show_prints_progress_and_rejects_unknown_ids(app, runner):
    job = service.start("test.units", {"prefix": "s", "count": 2})
    _wait(job.id)
    assert (
        "test.units done: 2 done, 0 failed of 2" in runner.invoke(args=["lms", "jobs", "show", job.id]).output
    )
    result = runner.invoke(args=["lms", "jobs", "show", "nope"])
    assert result.exit_code == 1 and "no job has the id nope" in result.output


def test_jobs_show_says_a_job_without_a_recent_heartbeat_has_stopped(app, runner):
    from datetime import UTC, datetime

    job = Job(kind="test.units", params={}, status="running", total=4, done=1)
    job.heartbeat_at = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    session.add(job)
    session.commit()
    output = runner.invoke(args=["lms", "jobs", "show", job.id]).output
    assert "test.units stopped (no heartbeat since 2026-12-01 08:30 UTC" in output
    assert "1 done, 0 failed of 4" in output
