"""With LMS_REDIS_URL set, a commit that queued outbox rows queues one RQ drain job, which a
``flask lms jobs worker`` runs: the statements reach the external LRS."""

from __future__ import annotations

import uuid

from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.worker import Worker
from lms.xapi.service import record, record_many
from tests.relay.conftest import a_statement, target


def test_a_commit_queues_one_drain_job_that_a_worker_runs(app_factory, fake_lrs):
    queue_name = f"lms-test-relay-{uuid.uuid4().hex[:8]}"
    made = app_factory(
        LMS_REDIS_URL="redis://127.0.0.1:6379/14",
        LMS_JOBS_QUEUE=queue_name,
        LMS_XAPI_FORWARD=(target(fake_lrs.url),),
        LMS_XAPI_RELAY_POLL=0.05,
    )
    with made.app_context():
        queue = jobs.rq_queue()
        try:
            rows = record_many([a_statement() for _ in range(5)])
            assert queue.count == 0, "nothing is queued before the commit"
            session.commit()
            rows.append(record(a_statement()))
            session.commit()
            assert queue.count == 1, "one waiting drain job, however many commits"
            Worker([queue], connection=queue.connection, name=f"{queue_name}-w").work(burst=True)
            assert set(fake_lrs.stored) == {row.id for row in rows}
        finally:
            queue.delete(delete_jobs=True)
            queue.connection.delete(f"lms:xapi:relay:queued:{queue_name}")
            session.remove()
