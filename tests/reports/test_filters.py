"""Bad filter values: a 400 with a message saying what to fix (an HTML page, or plain text for
a download), never a 500; good values are read as they were meant."""

from __future__ import annotations

import html
from datetime import date

import pytest

from lms.reports.filters import ReportError, parse_filters
from tests.conftest import login

BAD = [
    ("course=no-such-course", "No course has the slug no-such-course."),
    ("staff_group=astronaut", "Unknown staff group: astronaut."),
    ("unit=NOPE", "No org unit has the code NOPE."),
    ("province=TH-99", "No province has the code TH-99"),
    ("province=Bangkok", "No province has the code Bangkok"),
    ("region=north", "Unknown region: north."),
    ("from=2026-13-01", "The date from=2026-13-01 is not a date"),
    ("to=yesterday", "The date to=yesterday is not a date"),
    ("from=1%2F10%2F2026", "The date from=1/10/2026 is not a date"),
    ("from=2026-10-02&to=2026-10-01", "The start date (from) is after the end date (to)."),
    ("fy=69", "The fiscal year 69 is not a Buddhist Era year such as 2569."),
    ("fy=2026", "The fiscal year 2026 is not a Buddhist Era year"),
    ("fy=%E0%B9%92%E0%B9%95%E0%B9%96%E0%B9%99", "The fiscal year ๒๕๖๙ is not a Buddhist Era year"),
    ("fy=2569&from=2026-01-01", "Give either a fiscal year or a date range (from/to), not both."),
    ("breakdown=city", "Unknown breakdown: city."),
    ("status=done", "Unknown status: done."),
    ("sort=age", "Unknown sort: age."),
    ("page=0", "The page must be a whole number from 1, not 0."),
    ("page=-1", "The page must be a whole number from 1, not -1."),
    ("page=abc", "The page must be a whole number from 1, not abc."),
    ("page=99999999999", "The page must be a whole number from 1"),
]


@pytest.fixture
def admin_client(shared):
    app, org = shared
    client = app.test_client()
    client.set_cookie("lms_lang", "en")
    assert login(client, org.email("admin")).status_code == 302
    return client


@pytest.mark.parametrize(("query", "message"), BAD)
@pytest.mark.parametrize("path", ["/reports", "/reports/drilldown"])
def test_bad_values_on_pages_are_a_400_with_the_reason(admin_client, path, query, message):
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("query", "message"), BAD)
@pytest.mark.parametrize("path", ["/reports/drilldown.csv", "/reports/overview.xlsx"])
def test_bad_values_on_downloads_are_a_plain_400(admin_client, path, query, message):
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["sort=score", "sort=-due", "fy=abc"])
def test_hours_have_their_own_sorts(admin_client, query):
    for path in ("/reports/hours", "/reports/hours.csv"):
        assert admin_client.get(f"{path}?{query}").status_code == 400
    assert admin_client.get("/reports/hours?sort=-hours").status_code == 200


def test_unknown_downloads_are_not_found(admin_client, shared):
    _app, org = shared
    for path in ("/reports/secrets.csv", "/reports/drilldown.pdf", f"/reports/learners/{org.uuid('a1')}.pdf"):
        assert admin_client.get(path).status_code == 404


def test_good_values(shared):
    _app, org = shared
    filters = parse_filters(
        {
            "course": "dg-basics",
            "staff_group": "executive",
            "unit": "T-DA",
            "province": "th-10",
            "region": "central",
            "from": "2026-01-01",
            "to": "2026-12-31",
            "breakdown": "province",
            "status": "overdue",
            "sort": "-completed",
            "page": "2",
            "lang": "ignored",
        },
        today=date(2026, 11, 1),
    )
    assert (filters.course_id, filters.unit_id, filters.province_code) == (
        org.basics_id,
        org.units["T-DA"],
        "TH-10",
    )
    assert (filters.date_from, filters.date_to, filters.page, filters.sort) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        2,
        "-completed",
    )
    # Links keep every filter (and drop the defaults).
    assert parse_filters({"": "", "status": "", "page": ""}).query_args() == {}
    assert filters.query_args(page=None)["province"] == "TH-10"
    assert parse_filters(filters.query_args(), today=date(2026, 11, 1)) == filters
    with pytest.raises(ReportError):
        parse_filters({"fy": "2569", "to": "2026-01-01"})
