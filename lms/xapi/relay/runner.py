"""The relay loop: claim a batch, POST it, mark what became of each statement.

Per target, one ``Sender`` (one keep-alive session). A batch the target takes (2xx) is
delivered. A 409 for a single statement is delivered too: the target already holds that id,
sent by us earlier. A batch refused with 400 (or 413, or a 409 for a batch) is split in halves
and sent again, down to single statements, so only the statement the target refuses is parked
(poison) and the rest flows. Anything else (no answer, a timeout, 5xx, 401) is a failed
attempt: the batch's rows are put off with backoff and jitter, and the target is left alone
for this pass. Several relays may run at once: each sends only the rows it has leased.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.extensions import session
from lms.xapi.models import RelayTargetState
from lms.xapi.relay import outbox
from lms.xapi.relay.outbox import Claimed
from lms.xapi.relay.sender import Answer, Sender
from lms.xapi.relay.targets import Target, configured

log = logging.getLogger(__name__)


def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class Relay:
    """Sends the outbox of some targets (all configured ones by default)."""

    def __init__(self, targets: list[Target] | None = None) -> None:
        config = current_app.config
        self.targets = configured() if targets is None else targets
        self.batch = max(1, int(config["LMS_XAPI_RELAY_BATCH"]))
        timeout = float(config["LMS_XAPI_RELAY_TIMEOUT"])
        self.lease_seconds = max(60.0, 20 * timeout)
        self.owner = new_owner()
        self.senders = {target.name: Sender(target, timeout) for target in self.targets}

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()

    def run_once(self, stop: threading.Event | None = None) -> int:
        """One pass: each target's due rows until none is left or the target fails. Returns
        how many statements were delivered."""
        return sum(self.drain(target, stop) for target in self.targets)

    def run(self, stop: threading.Event, poll: float | None = None) -> None:
        """Pass after pass until ``stop`` is set; waits ``poll`` seconds after an idle pass."""
        poll = float(current_app.config["LMS_XAPI_RELAY_POLL"] if poll is None else poll)
        while not stop.is_set():
            try:
                sent = self.run_once(stop)
            except Exception:  # a database hiccup must not end the relay; it tries again
                session.rollback()
                log.exception("xAPI relay: a pass failed")
                sent = 0
            if not sent:
                stop.wait(poll)

    def drain(self, target: Target, stop: threading.Event | None = None) -> int:
        sender = self.senders[target.name]
        sent = 0
        while stop is None or not stop.is_set():
            rows = outbox.claim(target.name, self.owner, self.batch, self.lease_seconds)
            if not rows:
                break
            delivered, failure = self._deliver(sender, rows)
            sent += delivered
            _note(target.name, failure)
            if failure is not None:
                log.warning("xAPI relay to %s: %s", target.name, failure)
                break
        return sent

    def _deliver(self, sender: Sender, rows: list[Claimed]) -> tuple[int, str | None]:
        """Send leased rows; (statements delivered, the failure that stopped it or None)."""
        answer = sender.post([row.raw for row in rows])
        if answer.delivered and (answer.status != 409 or len(rows) == 1):
            outbox.delivered(self.owner, rows)
            return len(rows), None
        if answer.refused or answer.status == 409:
            return self._split(sender, rows, answer)
        outbox.retry_later(self.owner, rows, answer.describe())
        return 0, answer.describe()

    def _split(self, sender: Sender, rows: list[Claimed], answer: Answer) -> tuple[int, str | None]:
        if len(rows) == 1:
            log.warning(
                "xAPI relay to %s parks %s: %s", sender.target.name, rows[0].statement_id, answer.describe()
            )
            outbox.park(self.owner, rows[0], answer.describe())
            return 0, None
        middle = len(rows) // 2
        done, failure = self._deliver(sender, rows[:middle])
        if failure is not None:
            outbox.release(self.owner, rows[middle:])
            return done, failure
        more, failure = self._deliver(sender, rows[middle:])
        return done + more, failure


def _note(name: str, failure: str | None) -> None:
    """Keep the target's last attempt, success and error for the admin page (committed)."""
    at = outbox.now()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(RelayTargetState).values(name=name, failures=0).on_conflict_do_nothing())
    values: dict = {"last_attempt_at": at}
    if failure is None:
        values.update(last_success_at=at, failures=0)
    else:
        values.update(
            last_error=failure[: outbox.ERROR_LENGTH],
            last_error_at=at,
            failures=RelayTargetState.failures + 1,
        )
    session.execute(update(RelayTargetState).where(RelayTargetState.name == name).values(**values))
    session.commit()


def drain_all(targets: list[Target] | None = None) -> int:
    """Run one pass with a fresh relay and close it: ``--once`` and the RQ job."""
    relay = Relay(targets)
    try:
        return relay.run_once()
    finally:
        relay.close()
