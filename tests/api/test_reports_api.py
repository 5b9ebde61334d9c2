"""The reports API: the same numbers as the reports, only in the token user's scope, paginated,
with 400s that say what is wrong, and described by a valid OpenAPI document.

The organisation is tests/reports/conftest.py's (its docstring lists who did what); HR user
``hr_a`` sees department T-DA with its divisions: a1, a2, a3 and a4 (x1 there is deactivated).
"""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from lms.api import tokens
from lms.extensions import session

IN_DA = {"a1", "a2", "a3", "a4"}


@pytest.fixture
def org(shared):
    return shared[1]


@pytest.fixture
def client(shared):
    return shared[0].test_client()


@pytest.fixture
def call(client, org):
    """GET an API path as one of the org's HR users (by key), returning the response."""
    plain_tokens = {}

    def get(path: str, as_user: str = "hr_a", **params):
        if as_user not in plain_tokens:
            _row, plain_tokens[as_user] = tokens.create_token(org.user(as_user), f"test {as_user}")
            session.commit()
        headers = {"Authorization": f"Bearer {plain_tokens[as_user]}"}
        return client.get(path, query_string=params or None, headers=headers)

    return get


def _keys(org, items) -> set[str]:
    by_uuid = {org.uuid(key): key for key in org.ids}
    return {by_uuid.get(item["user_uuid"], item["user_uuid"]) for item in items}


def test_completion_counts_for_hr_are_those_of_their_department(call, org):
    body = call("/api/v1/reports/completion", course="dg-basics").get_json()
    [course] = body["courses"]
    assert course["slug"] == "dg-basics" and course["hours"] == 2
    counts = course["total"]
    # a1 completed and passed; a2 failed the quiz and is past due; a3 only enrolled;
    # a4 assigned, past due, never enrolled.
    expected = {
        "learners": 4,
        "assigned": 4,
        "enrolled": 3,
        "not_started": 1,
        "in_progress": 1,
        "completed": 1,
        "passed": 1,
        "overdue": 2,
    }
    assert {key: counts[key] for key in expected} == expected
    assert counts["completion_percent"] == 25


def test_a_breakdown_by_province_shows_only_the_provinces_in_scope(call, org):
    body = call(
        "/api/v1/reports/completion", as_user="hr_cm", course="dg-basics", breakdown="province"
    ).get_json()
    [course] = body["courses"]
    assert [row["key"] for row in course["rows"]] == ["TH-50"]
    # c1 opened a lesson (in progress), c2 completed with 75 %; both assigned.
    assert course["rows"][0]["counts"]["completed"] == 1
    assert course["rows"][0]["counts"]["in_progress"] == 1


def test_the_learner_list_is_paginated_with_links(call, org):
    first = call("/api/v1/reports/learners", course="dg-basics", per_page=3).get_json()
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (4, 2, 1, 3)
    assert first["previous"] is None and "page=2" in first["next"]
    second = call(first["next"]).get_json()
    assert second["page"] == 2 and len(second["items"]) == 1 and second["next"] is None
    assert _keys(org, first["items"]) | _keys(org, second["items"]) == IN_DA


def test_a_drilldown_by_status_lists_the_people_behind_the_count(call, org):
    overdue = call("/api/v1/reports/learners", course="dg-basics", status="overdue").get_json()
    assert _keys(org, overdue["items"]) == {"a2", "a4"}
    assert all(item["status"] != "completed" and item["due_on"] for item in overdue["items"])


SCOPE_PROBES = [
    {"unit": "T-DB"},
    {"unit": "T-DB-1"},
    {"province": "TH-50"},
    {"province": "TH-90"},
    {"region": "regional"},
    {"staff_group": "executive"},
    {"course": "data-101", "fy": "2568"},
    {},
]


def test_no_parameter_reaches_people_outside_the_scope(call, org):
    for params in SCOPE_PROBES:
        body = call("/api/v1/reports/learners", per_page=1000, **params).get_json()
        assert _keys(org, body["items"]) <= IN_DA, params
        completion = call("/api/v1/reports/completion", **params).get_json()
        assert all(course["total"]["learners"] <= len(IN_DA) for course in completion["courses"]), params
        hours = call("/api/v1/reports/hours", per_page=1000, **params).get_json()
        assert _keys(org, hours["items"]) <= IN_DA, params


def test_a_transcript_is_given_in_scope_and_is_404_outside_it(call, org):
    mine = call(f"/api/v1/reports/learners/{org.uuid('a1')}")
    assert mine.status_code == 200
    rows = {row["course_slug"]: row for row in mine.get_json()["rows"]}
    assert rows["dg-basics"]["status"] == "passed"
    assert rows["dg-basics"]["certificate_status"] == "valid"
    assert rows["dg-basics"]["certificate_serial"]
    for key in ("b1", "c1", "s2"):
        response = call(f"/api/v1/reports/learners/{org.uuid(key)}")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "ไม่มีบุคคลที่มีรหัสนี้ในขอบเขตของคุณ"
    assert call("/api/v1/reports/learners/not-a-uuid").status_code == 404


def test_hours_in_the_current_fiscal_year(call, org):
    body = call("/api/v1/reports/hours", fy="2570", per_page=1000).get_json()
    hours = {
        key: item["hours"]
        for key, item in zip(_keys_in_order(org, body["items"]), body["items"], strict=True)
    }
    # FY 2570 began on 1 Oct 2026: a1 completed dg-basics (2 h) today; a2 completed data-101
    # (6 h) at 00:00 on 1 Oct 2026; a1's data-101 completion (30 Sep 2026 23:59) is FY 2569.
    assert hours["a1"] == 2
    assert hours["a2"] == 6
    assert set(hours) <= IN_DA


def _keys_in_order(org, items) -> list[str]:
    by_uuid = {org.uuid(key): key for key in org.ids}
    return [by_uuid[item["user_uuid"]] for item in items]


@pytest.mark.parametrize(
    ("path", "params", "fragment"),
    [
        ("/api/v1/reports/completion", {"fy": "two thousand"}, "two thousand"),
        ("/api/v1/reports/completion", {"unit": "NO-SUCH-UNIT"}, "NO-SUCH-UNIT"),
        ("/api/v1/reports/completion", {"from": "2026-13-01"}, "2026-13-01"),
        ("/api/v1/reports/completion", {"breakdown": "colour"}, "colour"),
        ("/api/v1/reports/learners", {"per_page": "0"}, "per_page"),
        ("/api/v1/reports/learners", {"per_page": "100000"}, "per_page"),
        ("/api/v1/reports/learners", {"status": "asleep"}, "asleep"),
        ("/api/v1/reports/hours", {"sort": "shoe-size"}, "shoe-size"),
    ],
)
def test_bad_parameters_are_a_400_that_names_them(call, path, params, fragment):
    response = call(path, **params)
    assert response.status_code == 400
    assert fragment.lower() in response.get_json()["error"]["message"].lower()


def test_the_openapi_document_is_valid_and_describes_every_route(shared, client):
    app = shared[0]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<user_uuid>", "{user_uuid}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
    }
    assert set(spec["paths"]) == routes
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
