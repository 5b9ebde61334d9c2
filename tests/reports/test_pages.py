"""The report pages as HR and administrators see them, and who may open them."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import login
from tests.reports.test_drilldown import NAMES


@pytest.fixture
def client_for(shared):
    app, org = shared

    def signed_in(key: str, language: str | None = "en"):
        client = app.test_client()
        if language:
            client.set_cookie("lms_lang", language)
        assert login(client, org.email(key)).status_code == 302
        return client

    return signed_in


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return html.unescape(response.get_data(as_text=True))


def links(text: str) -> dict[str, str]:
    """Link text -> href for the drill-down links of a page."""
    found = re.findall(r'<a href="(/reports/drilldown\?[^"]*)">(\d+)</a>', text)
    return {href: count for href, count in found}


def query(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def test_overview_counts_link_to_their_learners(client_for, shared):
    _app, _org = shared
    text = page(client_for("admin"), "/reports?breakdown=unit")
    counts = {
        (q.get("course"), q.get("unit"), q.get("status", "learners")): n
        for q, n in ((query(href), n) for href, n in links(text).items())
    }
    assert counts[("dg-basics", None, "learners")] == "8"
    assert counts[("dg-basics", None, "overdue")] == "2"
    assert counts[("dg-basics", "T-DA", "completed")] == "1"
    assert counts[("dg-basics", "T-DA", "overdue")] == "2"
    assert counts[("dg-basics", "T-PSK", "assigned")] == "1"
    assert counts[("data-101", "T-MIN", "completed")] == "3"
    assert "37.5" in text and "75.0" in text  # completion % and average score of dg-basics
    # Following a link lists exactly the people behind the number.
    href = next(
        h
        for h, _n in links(text).items()
        if query(h) == {"course": "dg-basics", "unit": "T-DA", "status": "overdue"}
    )
    listed = page(client_for("admin", None), href)
    assert NAMES["a2"] in listed and NAMES["a4"] in listed
    assert NAMES["a1"] not in listed and NAMES["c1"] not in listed


def test_overview_shows_charts_with_their_data_tables(client_for):
    text = page(client_for("admin"), "/reports")
    assert "<script" not in text
    for chart in ("chart-unit", "chart-province"):
        svg = re.search(rf'<svg[^>]*id="{chart}"[^>]*>.*?</svg>', text, re.S).group(0)
        assert 'role="img"' in svg and f'aria-labelledby="{chart}-title {chart}-desc"' in svg
        assert f'<title id="{chart}-title">' in svg and f'<desc id="{chart}-desc">' in svg
        assert f'id="{chart}-data"' in text
    unit_svg = re.search(r'<svg[^>]*id="chart-unit".*?</svg>', text, re.S).group(0)
    # Departments and provincial offices (the first level with two or more units), both courses.
    assert unit_svg.count("<rect") == 4
    assert "50.0% (3/6)" in unit_svg and "100.0% (1/1)" in unit_svg and "33.3% (1/3)" in unit_svg
    table = re.search(r'<table id="chart-unit-data">.*?</table>', text, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, re.S)]
    assert cells[4:8] == ["Department A", "6", "3", "50.0"]
    province_table = re.search(r'<table id="chart-province-data">.*?</table>', text, re.S).group(0)
    assert "Bangkok" in province_table and ">57.1<" in province_table  # 4 of 7


def test_fiscal_year_is_labelled_in_the_buddhist_era(client_for):
    thai = page(client_for("admin", None), "/reports?fy=2569")
    assert "ปีงบประมาณ พ.ศ. 2569" in thai
    english = page(client_for("admin"), "/reports?fy=2569")
    assert "Fiscal year 2026 (BE 2569)" in english


def test_drilldown_page_sorts_and_pages(client_for, shared):
    app, _org = shared
    client = client_for("admin", None)
    text = page(client, "/reports/drilldown?course=dg-basics&sort=-score")
    order = [text.index(NAMES[k]) for k in ("a1", "c2", "b1", "a2")]
    assert order == sorted(order)
    assert "8" in re.search(r'id="row-count">([^<]*)<', text).group(1)
    app.config["LMS_REPORT_ROWS_PER_PAGE"] = 3
    try:
        first = page(client, "/reports/drilldown?course=dg-basics&sort=-score")
        assert NAMES["a2"] not in first
        assert 'rel="next"' in first and "sort=-score" in re.search(
            r'href="([^"]*)" rel="next"', first
        ).group(1)
        second = page(client, "/reports/drilldown?course=dg-basics&sort=-score&page=2")
        assert NAMES["a2"] in second and NAMES["a1"] not in second
    finally:
        app.config["LMS_REPORT_ROWS_PER_PAGE"] = 50


def test_hours_page(client_for):
    text = page(client_for("admin"), "/reports/hours?fy=2569&sort=-hours")
    assert "Fiscal year 2026 (BE 2569)" in text
    assert re.search(r'id="people">13<', text) and re.search(r'id="meeting">0<', text)
    assert re.search(r'id="total-hours">6.0<', text)
    assert text.index("A1 Tester") < text.index("A2 Tester")


def test_transcripts_for_hr_admin_and_the_learner(client_for, shared):
    _app, org = shared
    text = page(client_for("hr_a", None), f"/reports/learners/{org.uuid('a1')}")
    assert NAMES["a1"] in text and "หลักสูตร dg-basics" in text and "หลักสูตร data-101" in text
    assert re.search(r'id="hours-total">8.0<', text)
    learner = client_for("a1", None)
    own = learner.get("/reports/me")
    assert own.status_code == 302 and own.location.endswith(f"/reports/learners/{org.uuid('a1')}")
    assert NAMES["a1"] in page(learner, own.location)
    page(learner, f"/reports/learners/{org.uuid('a2')}", 404)
    page(learner, f"/reports/learners/{org.uuid('a2')}.csv", 404)
    assert learner.get(f"/reports/learners/{org.uuid('a1')}.csv").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/reports", "/reports/drilldown", "/reports/hours", "/reports/drilldown.csv", "/reports/overview.xlsx"],
)
def test_learners_may_not_open_reports(client_for, url):
    assert client_for("a1").get(url).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(shared):
    app, org = shared
    client = app.test_client()
    for url in ("/reports", f"/reports/learners/{org.uuid('a1')}", "/reports/me"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_nav_links(client_for):
    assert 'href="/reports"' in page(client_for("hr_a"), "/")
    learner_home = page(client_for("a1"), "/")
    assert 'href="/reports"' not in learner_home and 'href="/reports/me"' in learner_home
