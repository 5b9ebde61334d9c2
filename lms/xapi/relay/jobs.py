"""The relay as an RQ job, when ``LMS_REDIS_URL`` is set.

A commit that queued outbox rows queues one ``drain`` job (a Redis flag keeps it to one waiting
job at a time; the job clears the flag as it starts, so rows queued while it runs queue the
next). The job sends what is due, then, while rows are still waiting out their backoff, passes
again every LMS_XAPI_RELAY_POLL seconds for up to ``JOB_SECONDS`` and queues itself again if
any are left. It runs on ``flask lms jobs worker`` like every LMS job. A dedicated
``flask lms xapi relay`` process does the same without holding a worker.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import event

from lms.extensions import session
from lms.jobs import service as jobs
from lms.xapi.relay import outbox
from lms.xapi.relay.runner import Relay

log = logging.getLogger(__name__)
FLAG = "lms:xapi:relay:queued"
SESSION_KEY = "lms_relay_kick"
JOB_SECONDS = 300


def kick_after_commit() -> None:
    """Queue a drain job once the caller's transaction commits (no-op without Redis)."""
    if not current_app.config["LMS_REDIS_URL"]:
        return
    target = session()
    if target.info.get(SESSION_KEY):
        return
    target.info[SESSION_KEY] = True
    event.listen(target, "after_commit", _after_commit, once=True)


def _after_commit(target) -> None:
    target.info.pop(SESSION_KEY, None)
    try:
        enqueue()
    except Exception:  # Redis down must not undo a learning action; the next commit tries again
        log.exception("xAPI relay: the drain job could not be queued")


def enqueue() -> bool:
    """Queue a drain job unless one is waiting already; True when one was queued."""
    queue = jobs.rq_queue()
    if not queue.connection.set(_flag(), "1", nx=True, ex=JOB_SECONDS * 2):
        return False
    queue.enqueue(drain, job_timeout=JOB_SECONDS * 2)
    return True


def _flag() -> str:
    return f"{FLAG}:{current_app.config['LMS_JOBS_QUEUE']}"


def drain() -> int:
    """The RQ job: relay until nothing is due or left, for at most JOB_SECONDS."""
    jobs.rq_queue().connection.delete(_flag())
    relay = Relay()
    deadline = time.monotonic() + JOB_SECONDS
    sent = 0
    try:
        while True:
            sent += relay.run_once()
            if not _waiting(relay) or time.monotonic() >= deadline:
                break
            time.sleep(float(current_app.config["LMS_XAPI_RELAY_POLL"]))
    finally:
        relay.close()
    if _waiting(relay):
        enqueue()
    return sent


def _waiting(relay: Relay) -> bool:
    return any(outbox.backlog(target.name).pending for target in relay.targets)
