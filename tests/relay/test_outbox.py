"""Queueing: an outbox row per matching target in the statement's transaction, any URL length,
filters, voiding, the deprecated setting, and the backfill of statements recorded before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lms.config import from_environ
from lms.extensions import session
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.relay.targets import TargetError, load
from lms.xapi.service import record, record_many
from lms.xapi.vocabulary import VERBS
from tests.relay.conftest import LESSON, a_statement, target

LONG_URL = "https://lrs.ministry.example.go.th/" + "very-long-path-segment/" * 12 + "xAPI/statements"


def queued() -> list[tuple[str, str]]:
    return sorted(
        tuple(row) for row in session.execute(select(OutboxEntry.statement_id, OutboxEntry.lrs_name))
    )


def test_a_forwarding_url_over_100_characters_does_not_break_recording(app_factory):
    """Regression: lrs_name was varchar(100) and every statement insert failed (PostgreSQL)."""
    assert len(LONG_URL) > 250
    forwarding = app_factory(
        LMS_XAPI_FORWARD_TO=(LONG_URL,), LMS_XAPI_FORWARD=(target(LONG_URL, name=LONG_URL + "x"),)
    )
    with forwarding.app_context():
        row = record(a_statement())
        session.commit()
        assert queued() == sorted([(row.id, LONG_URL), (row.id, LONG_URL + "x")])


def test_each_statement_is_queued_per_matching_target_in_the_same_transaction(app_factory):
    forwarding = app_factory(
        LMS_XAPI_FORWARD=(
            target("http://all.test/xapi"),
            target(
                "http://completions.test/xapi", name="completions", filter={"verbs": [VERBS["completed"]]}
            ),
            target(
                "http://python.test/xapi",
                name="python",
                filter={"activities": ["https://lms.example/courses/python/"]},
            ),
        )
    )
    with forwarding.app_context():
        lesson = record(a_statement())
        done = record(a_statement("completed", "https://lms.example/courses/go/lessons/1"))
        session.rollback()
        assert queued() == [] and session.scalars(select(StoredStatement)).all() == []
        lesson = record(a_statement())
        done = record(a_statement("completed", "https://lms.example/courses/go/lessons/1"))
        session.commit()
        assert queued() == sorted(
            [(lesson.id, "ministry"), (lesson.id, "python"), (done.id, "ministry"), (done.id, "completions")]
        )


def test_a_voiding_statement_follows_the_statement_it_voids(app_factory):
    forwarding = app_factory(
        LMS_XAPI_FORWARD=(
            target(
                "http://completions.test/xapi", name="completions", filter={"verbs": [VERBS["completed"]]}
            ),
        )
    )
    with forwarding.app_context():
        done = record(a_statement("completed"))
        other = record(a_statement())
        session.commit()
        void_done = record(_voiding(done.id))
        void_other = record(_voiding(other.id))
        session.commit()
        assert queued() == sorted([(done.id, "completions"), (void_done.id, "completions")])
        assert void_other.id not in {sid for sid, _ in queued()}


def _voiding(statement_id: str) -> dict:
    statement = a_statement()
    statement["verb"] = {"id": VERBS["voided"], "display": {"en-US": "voided"}}
    statement["object"] = {"objectType": "StatementRef", "id": statement_id}
    statement.pop("context", None)
    statement.pop("result", None)
    return statement


def test_record_many_queues_every_statement_for_every_target(app_factory):
    forwarding = app_factory(
        LMS_XAPI_FORWARD=(target("http://a.test/xapi", name="a"), target("http://b.test/xapi", name="b"))
    )
    with forwarding.app_context():
        rows = record_many([a_statement() for _ in range(20)])
        session.commit()
        assert len(queued()) == 40 and {sid for sid, _ in queued()} == {row.id for row in rows}


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (({"name": "x"},), "an http\\(s\\) endpoint"),
        (({"name": "x", "endpoint": "http://a.test/", "passwd": "p"},), "unknown field"),
        (({"name": "x", "endpoint": "http://a.test/", "filter": {"verb": []}},), "filter takes only"),
        ((target("http://a.test/"), target("http://b.test/")), "more than one target is named"),
    ],
)
def test_a_bad_target_is_refused_with_a_message(targets, message):
    with pytest.raises(TargetError, match=message):
        load({"LMS_XAPI_FORWARD": targets})


def test_the_deprecated_setting_still_works_and_names_targets_by_url():
    (old,) = load({"LMS_XAPI_FORWARD_TO": ("http://127.0.0.1:8100/xAPI/statements",)})
    assert old.name == "http://127.0.0.1:8100/xAPI/statements"
    assert old.statements_url == "http://127.0.0.1:8100/xAPI/statements"
    assert old.about_url == "http://127.0.0.1:8100/xAPI/about" and old.username is None


def test_the_setting_is_read_from_the_environment_as_json():
    found = from_environ({"LMS_XAPI_FORWARD": '[{"name": "m", "endpoint": "https://lrs.test/xapi/"}]'})
    assert load(found)[0].statements_url == "https://lrs.test/xapi/statements"


def test_backfill_queues_what_was_recorded_before_the_target_was_added(app, app_factory):
    old, recent = record(a_statement()).id, record(a_statement("completed")).id
    session.commit()
    session.execute(
        update(StoredStatement)
        .where(StoredStatement.id == old)
        .values(stored_at=datetime.now(UTC) - timedelta(days=40))
    )
    session.commit()
    forwarding = app_factory(
        LMS_XAPI_FORWARD=(
            target("http://a.test/xapi", name="a"),
            target("http://b.test/xapi", name="b", filter={"activities": [LESSON]}),
        )
    )
    with forwarding.app_context():
        runner = forwarding.test_cli_runner()
        since = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
        result = runner.invoke(args=["lms", "xapi", "relay", "backfill", "a", "--since", since])
        assert result.exit_code == 0, result.output
        assert "1 statement(s) queued for a." in result.output
        assert queued() == [(recent, "a")]
        again = runner.invoke(args=["lms", "xapi", "relay", "backfill", "a"])
        assert "1 statement(s) queued for a." in again.output
        runner.invoke(args=["lms", "xapi", "relay", "backfill", "b"])
        assert queued() == sorted([(old, "a"), (recent, "a"), (old, "b"), (recent, "b")])
        unknown = runner.invoke(args=["lms", "xapi", "relay", "backfill", "nobody"])
        assert unknown.exit_code == 1 and "No target named 'nobody'" in unknown.output


def test_the_deprecated_setting_logs_a_warning(caplog):
    load({"LMS_XAPI_FORWARD_TO": ("http://lrs.test/xAPI/statements",)})
    assert "LMS_XAPI_FORWARD_TO is deprecated: use LMS_XAPI_FORWARD" in caplog.text


def test_a_bad_setting_queues_nothing_but_learning_goes_on(app_factory, caplog):
    broken = app_factory(LMS_XAPI_FORWARD=({"name": "typo", "endpoint": "lrs.example/xapi"},))
    with broken.app_context():
        row = record(a_statement())
        session.commit()
        assert session.get(StoredStatement, row.seq) is not None and queued() == []
        assert "Nothing is queued for external LRSs until it is fixed." in caplog.text
        result = broken.test_cli_runner().invoke(args=["lms", "xapi", "relay", "--once"])
        assert result.exit_code == 1 and "an http(s) endpoint" in result.output
