"""A bulk issue whose worker stops half-way: its progress moves with each certificate, it shows
as stopped once its heartbeat is old, and the HR officer who started it resumes it from its page
(with the CSRF token); the resume queues only what is not done and nobody gets two certificates."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, text, update

from lms.accounts.service import find_by_email
from lms.certificates import bulk
from lms.certificates.models import Certificate
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from tests.certificates.bulk_world import IN_A, SLUG, build_world, certificates_per_registration
from tests.conftest import login, post_form

REDIS = "redis://127.0.0.1:6379/14"
MANAGE = "/certificates/manage"


@pytest.fixture
def rq_app(app_factory, tmp_path):
    """Real RQ workers on Redis db 14, a queue of its own, chunks of two certificates."""
    built = app_factory(
        LMS_CERTIFICATE_DIR=str(tmp_path / "store"),
        LMS_REDIS_URL=REDIS,
        LMS_JOBS_QUEUE=f"lms-test-{uuid.uuid4().hex[:8]}",
        LMS_JOBS_CHUNK_SIZE=2,
    )
    with built.app_context():
        yield built
        jobs.rq_queue().delete(delete_jobs=True)
        session.remove()


def work(max_jobs: int | None = None) -> None:
    """One real RQ worker on the queue until it is empty, or stopped after ``max_jobs`` chunks."""
    from lms.jobs.worker import Worker

    queue = jobs.rq_queue()
    Worker([queue], connection=queue.connection).work(burst=True, max_jobs=max_jobs)


class DoneWatcher:
    """Reads the job's 'done' counter from its own connection while a worker runs, as the
    progress page does, and keeps every value seen."""

    def __init__(self, database_url: str, job_id: str):
        self.engine = create_engine(database_url)
        self.job_id, self.seen, self.stop = job_id, set(), threading.Event()
        self.thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        with self.engine.connect() as connection:
            while not self.stop.is_set():
                self._read(connection)
                time.sleep(0.005)
            self._read(connection)  # once more after the worker stopped: its last count too

    def _read(self, connection) -> None:
        query = text("SELECT done FROM lms_jobs WHERE id = :id")
        self.seen.add(connection.execute(query, {"id": self.job_id}).scalar())
        connection.rollback()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)
        self.engine.dispose()


def job_row(job_id: str) -> Job:
    session.expire_all()
    return session.get(Job, job_id)


def test_a_stopped_bulk_issue_is_shown_stopped_and_resumed_without_duplicates(rq_app, database_url):
    world = build_world()
    # The division's certificates are not issued yet: the job issues and renders all three.
    session.execute(delete(Certificate).where(Certificate.user_id.in_([world.user_ids[k] for k in IN_A])))
    session.commit()
    hr = rq_app.test_client()
    login(hr, "hr-a@example.org")
    page = f"{MANAGE}?course={SLUG}&unit="
    started = post_form(hr, f"{MANAGE}/issue", {"course": SLUG, "unit": ""}, page=page)
    job_url = started.headers["Location"]
    job_id = job_url.rsplit("/", 1)[1]
    assert job_row(job_id).total == 3

    # A real worker takes the first chunk (two certificates) and then stops: the last chunk waits.
    with DoneWatcher(database_url, job_id) as watcher:
        work(max_jobs=1)
    assert {1, 2} <= watcher.seen  # counted per certificate, not once per chunk of two
    job = job_row(job_id)
    assert (job.status, job.done, job.failed, job.heartbeat_at is not None) == ("running", 2, 0, True)

    fresh = hr.get(job_url).get_data(as_text=True)
    assert "หยุดทำงาน" not in fresh and "/resume" not in fresh and 'http-equiv="refresh"' in fresh
    early = post_form(hr, f"{job_url}/resume", page=job_url)
    assert early.status_code == 409  # not stopped: its heartbeat is recent

    # Ten minutes without a heartbeat: the workers are gone.
    session.execute(
        update(Job).where(Job.id == job_id).values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=10))
    )
    session.commit()
    stopped = hr.get(job_url).get_data(as_text=True)
    assert "หยุดทำงาน" in stopped and "ดำเนินการต่อ" in stopped
    assert 'http-equiv="refresh"' not in stopped and '<dd id="job-done">2</dd>' in stopped
    assert "หยุดทำงาน" in hr.get(MANAGE).get_data(as_text=True)  # the list of recent jobs too

    other_hr = rq_app.test_client()
    login(other_hr, "hr-b@example.org")
    assert other_hr.get(job_url).status_code == 404
    assert post_form(other_hr, f"{job_url}/resume", page=MANAGE).status_code == 404
    assert hr.post(f"{job_url}/resume").status_code == 400  # no CSRF token
    assert job_row(job_id).attempt == 1

    resumed = post_form(hr, f"{job_url}/resume", page=job_url)
    assert resumed.status_code == 302 and resumed.headers["Location"] == job_url
    job = job_row(job_id)
    assert (job.attempt, job.status, job.done, job.total) == (2, "queued", 2, 3)

    # The stopped run's last chunk is still queued, and so is the resumed run's: the old one is
    # dropped, so the last certificate is counted once.
    work()
    job = job_row(job_id)
    assert (job.status, job.done, job.failed, job.total) == ("done", 3, 0, 3)
    finished = hr.get(job_url).get_data(as_text=True)
    assert "หยุดทำงาน" not in finished and '<dd id="job-done">3</dd>' in finished
    selection = bulk.resolve(SLUG, "", find_by_email("hr-a@example.org"))
    assert bulk.counts(selection) == bulk.Counts(completed=3, issued=3, rendered=3, revoked=0)
    issued = certificates_per_registration()
    assert len(issued) == 5 and set(issued.values()) == {1}


def test_only_an_unfinished_job_without_a_recent_heartbeat_is_stopped(app):
    long_ago = datetime.now(UTC) - timedelta(seconds=app.config["LMS_JOBS_STALE_AFTER"] + 1)
    rows = {
        status: Job(kind=bulk.KIND, params={}, status=status, heartbeat_at=long_ago)
        for status in ("queued", "running", "done", "failed")
    }
    recent = Job(kind=bulk.KIND, params={}, status="running", heartbeat_at=datetime.now(UTC))
    session.add_all([*rows.values(), recent])
    session.commit()
    assert {status for status, job in rows.items() if jobs.is_stopped(job)} == {"queued", "running"}
    assert not jobs.is_stopped(recent)
    with pytest.raises(jobs.JobError, match="ยังทำงานอยู่หรือเสร็จแล้ว"):
        jobs.resume(rows["done"].id)
