"""When the database refuses a write for a moment (a deadlock between two POSTs that update the
same learners' enrolments, found by bench/lrs_ingest.py on PostgreSQL), the request is run again;
and a fault of ours still answers in JSON. The faults are injected at ``record_many``: a real
deadlock cannot be produced on demand."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from lms.xapi import service
from tests.lrs.test_statements_put_post import STATEMENTS, statement, stored_count


class Deadlock(Exception):
    sqlstate = "40P01"


def failing(times: int, error: Exception):
    real = service.record_many
    calls = {"n": 0}

    def record_many(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return real(*args, **kwargs)

    return record_many, calls


def test_a_deadlocked_post_is_run_again_and_stored_once(lrs, monkeypatch):
    patched, calls = failing(2, OperationalError("UPDATE lms_enrolments", {}, Deadlock()))
    monkeypatch.setattr(service, "record_many", patched)
    response = lrs.post(STATEMENTS, json=[statement(), statement()])
    assert response.status_code == 200, response.get_json()
    assert calls["n"] == 3
    assert stored_count() == 2


def test_a_store_that_stays_busy_answers_503_in_json_and_stores_nothing(lrs, monkeypatch):
    patched, _ = failing(10, OperationalError("UPDATE lms_enrolments", {}, Deadlock()))
    monkeypatch.setattr(service, "record_many", patched)
    response = lrs.post(STATEMENTS, json=statement())
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "send the request again" in response.get_json()["error"]
    assert stored_count() == 0


def test_an_unexpected_fault_is_a_json_500_not_the_html_page(lrs, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "record_many", broken)
    response = lrs.post(STATEMENTS, json=statement())
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert stored_count() == 0
