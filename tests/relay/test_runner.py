"""The relay against a real local HTTP server: batches, keep-alive and credentials, 409 as
delivered, 400 parked (the batch split to find it), backoff on failures, two relays at once."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.models import OutboxEntry, RelayTargetState, StoredStatement
from lms.xapi.relay import outbox
from lms.xapi.relay.runner import Relay, drain_all
from lms.xapi.service import record_many
from tests.relay.conftest import a_statement, target


def recorded(n: int) -> list[str]:
    rows = record_many([a_statement() for _ in range(n)])
    session.commit()
    return [row.id for row in rows]


def entries() -> dict[str, OutboxEntry]:
    session.expire_all()
    return {e.statement_id: e for e in session.scalars(select(OutboxEntry))}


def test_statements_go_in_batches_of_n_on_one_connection_with_credentials(relaying, fake_lrs):
    ids = recorded(25)
    assert drain_all() == 25
    assert [len(batch) for batch in fake_lrs.posts] == [10, 10, 5]
    assert [s["id"] for batch in fake_lrs.posts for s in batch] == ids
    headers = fake_lrs.requests[0]["headers"]
    assert headers["X-Experience-API-Version"] == "1.0.3" and headers["Authorization"].startswith("Basic ")
    assert all(e.sent_at is not None and e.attempts == 1 for e in entries().values())
    assert drain_all() == 0 and len(fake_lrs.posts) == 3


def test_the_statement_is_sent_as_stored(relaying, fake_lrs):
    (statement_id,) = recorded(1)
    drain_all()
    stored = session.scalar(select(StoredStatement.raw).where(StoredStatement.id == statement_id))
    assert fake_lrs.posts[0] == [json.loads(stored)]


def test_a_409_for_an_id_already_sent_counts_as_delivered(relaying, fake_lrs):
    ids = recorded(3)
    fake_lrs.stored[ids[1]] = {"id": ids[1]}
    fake_lrs.answer = lambda batch: (409, "{}") if len(batch) > 1 else fake_lrs.store(batch)
    assert drain_all() == 3
    assert all(e.sent_at is not None and e.parked_at is None for e in entries().values())


def test_a_statement_refused_with_400_is_parked_and_the_rest_flows(relaying, fake_lrs):
    ids = recorded(10)
    poison = ids[6]

    def answer(batch):
        if any(s["id"] == poison for s in batch):
            return 400, '{"error": "bad statement for this LRS"}'
        return fake_lrs.store(batch)

    fake_lrs.answer = answer
    assert drain_all() == 9
    assert set(fake_lrs.stored) == set(ids) - {poison}
    rows = entries()
    assert rows[poison].parked_at is not None and rows[poison].sent_at is None
    assert "HTTP 400" in rows[poison].last_error and "bad statement" in rows[poison].last_error
    assert outbox.backlog("ministry").parked == 1 and outbox.backlog("ministry").pending == 0
    assert drain_all() == 0, "a parked statement is not retried"
    assert len(fake_lrs.posts) < 10, "the batch is split in halves, not sent one by one"


def test_a_failing_target_puts_rows_off_with_backoff_then_delivers(relaying, fake_lrs):
    ids = recorded(15)
    fake_lrs.answer = lambda batch: (503, "down for maintenance")
    assert drain_all() == 0
    assert len(fake_lrs.posts) == 1, "a failing target is left alone for the rest of the pass"
    rows = entries()
    failed = [rows[i] for i in ids[:10]]
    assert all(
        e.attempts == 1 and e.next_attempt_at > datetime.now(UTC).replace(microsecond=0) for e in failed
    )
    assert all("HTTP 503" in e.last_error for e in failed)
    state = session.get(RelayTargetState, "ministry")
    assert state.failures == 1 and "down for maintenance" in state.last_error
    fake_lrs.answer = fake_lrs.store
    stop = threading.Event()
    relay = Relay()
    worker = threading.Thread(target=_run_until_done, args=(relaying, relay, stop))
    worker.start()
    worker.join(10)
    stop.set()
    assert set(fake_lrs.stored) == set(ids)
    session.expire_all()
    assert session.get(RelayTargetState, "ministry").failures == 0


def _run_until_done(app, relay: Relay, stop: threading.Event) -> None:
    with app.app_context():
        try:
            while not stop.is_set() and session.scalar(
                select(func.count()).where(OutboxEntry.sent_at.is_(None))
            ):
                relay.run_once(stop)
                stop.wait(0.02)
        finally:
            relay.close()
            session.remove()


def test_backoff_doubles_with_jitter_up_to_the_maximum(app_factory):
    made = app_factory(LMS_XAPI_RELAY_RETRY_BASE=2.0, LMS_XAPI_RELAY_RETRY_MAX=60.0)
    with made.app_context():
        for attempts, (low, high) in {1: (1, 2), 2: (2, 4), 3: (4, 8), 10: (30, 60)}.items():
            delays = {outbox.backoff(attempts) for _ in range(50)}
            assert all(low <= d <= high for d in delays) and len(delays) > 1


def test_no_answer_is_a_failed_attempt(app_factory):
    made = app_factory(
        LMS_XAPI_FORWARD=({"name": "gone", "endpoint": "http://127.0.0.1:9/xapi/"},),
        LMS_XAPI_RELAY_TIMEOUT=1.0,
    )
    with made.app_context():
        (statement_id,) = recorded(1)
        assert drain_all() == 0
        entry = entries()[statement_id]
        assert entry.attempts == 1 and entry.next_attempt_at is not None and "no answer" in entry.last_error


def test_two_relays_at_once_send_each_statement_once(relaying, fake_lrs):
    ids = recorded(200)
    seen: list[str] = []
    original = fake_lrs.store

    def slow_store(batch):
        seen.extend(s["id"] for s in batch)
        return original(batch)

    fake_lrs.answer = slow_store
    workers = [threading.Thread(target=_drain_in, args=(relaying,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(seen) == sorted(ids), "every statement sent exactly once"
    assert all(e.sent_at is not None for e in entries().values())


def _drain_in(app) -> None:
    with app.app_context():
        drain_all()
        session.remove()


def test_the_cli_drains_once_and_reports(relaying, fake_lrs):
    recorded(3)
    result = relaying.test_cli_runner().invoke(args=["lms", "xapi", "relay", "--once"])
    assert result.exit_code == 0, result.output
    assert "3 statement(s) delivered." in result.output and "ministry: 0 pending" in result.output


def test_an_lrs_slower_than_the_timeout_is_a_failed_attempt(app_factory, fake_lrs):
    made = app_factory(LMS_XAPI_FORWARD=(target(fake_lrs.url),), LMS_XAPI_RELAY_TIMEOUT=0.2)
    fake_lrs.answer = lambda batch: (time.sleep(0.5), fake_lrs.store(batch))[1]
    with made.app_context():
        (statement_id,) = recorded(1)
        assert drain_all() == 0
        entry = entries()[statement_id]
        assert entry.sent_at is None and entry.attempts == 1 and "Timeout" in entry.last_error
