"""A scoped HR officer, not an administrator, walks every report page and downloads every
export linked on them: each file opens and holds the people of their scope, all of them, and
nobody else (the organisation of ``tests/reports/conftest.py``)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import login
from tests.reports.server_client import crawl, download, prepared, server_client, table

PEOPLE = {
    # The active people of each scope, by English name; x1 (T-DA-2) is deactivated.
    "hr_a": {"A1 Tester", "A2 Tester", "A3 Tester", "A4 Tester"},  # unit T-DA and its divisions
    "hr_cm": {"C1 Tester", "C2 Tester"},  # province TH-50
}
OWN_NAME = {"hr_a": "บุคคล กรมเอ", "hr_cm": "บุคคล เชียงใหม่"}  # no English name: the Thai one
# Learners per course in each scope: dg-basics a1-a4 assigned, data-101 a1, a2 (and c1).
LEARNERS = {"hr_a": {"dg-basics": "4", "data-101": "2"}, "hr_cm": {"dg-basics": "2", "data-101": "1"}}


@pytest.fixture
def background_xlsx(shared, tmp_path):
    """Every drill-down and hours XLSX of more than one row is prepared in the background."""
    app, _org = shared
    keys = ("LMS_EXPORT_BACKGROUND_ROWS", "LMS_EXPORT_CHUNK_ROWS", "LMS_EXPORT_DIR")
    saved = {key: app.config[key] for key in keys}
    app.config.update(LMS_EXPORT_BACKGROUND_ROWS=1, LMS_EXPORT_CHUNK_ROWS=1, LMS_EXPORT_DIR=str(tmp_path))
    yield
    app.config.update(saved)


def walk(shared, hr: str) -> dict[str, list[list]]:
    app, org = shared
    client = server_client(app)
    assert login(client, org.email(hr)).status_code == 302
    pages, exports = crawl(client)
    visited = {urlsplit(url).path for url in pages}
    assert {"/reports", "/reports/drilldown", "/reports/hours"} <= visited
    assert any(path.startswith("/reports/learners/") for path in visited)
    kinds = {tuple(urlsplit(url).path.split("/")[2].split(".")) for url in exports}
    assert {("overview", "csv"), ("drilldown", "csv"), ("hours", "csv"), ("overview", "xlsx")} <= kinds
    return {url: table(download(client, url)) for url in exports}


def names(rows: list[list]) -> set[str]:
    column = rows[0].index("Name")
    return {row[column] for row in rows[1:]}


def check_files(files: dict[str, list[list]], hr: str) -> None:
    in_scope = PEOPLE[hr]
    for url, rows in files.items():
        path = urlsplit(url).path
        if path.startswith("/reports/overview"):
            totals = {row[1]: str(row[4]) for row in rows[1:] if row[2] in ("", None)}
            assert totals == LEARNERS[hr], url
        elif path.startswith("/reports/learners/"):
            assert names(rows) <= in_scope | {OWN_NAME[hr]}, url
        elif urlsplit(url).query == "":
            assert names(rows) == in_scope, url  # the whole scope, and only it
        else:
            assert names(rows) <= in_scope, url
    transcripts = {name for url, rows in files.items() if "/learners/" in url for name in names(rows)}
    assert transcripts & in_scope, "no transcript of anyone in scope was downloaded"


def test_an_hr_officer_scoped_to_a_unit_downloads_every_export(shared):
    files = walk(shared, "hr_a")
    check_files(files, "hr_a")
    assert any(url.startswith("/reports/drilldown.xlsx") for url in files)


def test_an_hr_officer_scoped_to_a_province_downloads_every_export(shared, background_xlsx):
    files = walk(shared, "hr_cm")
    check_files(files, "hr_cm")
    assert any(url.startswith("/reports/hours.xlsx") for url in files)


def test_a_background_export_with_no_rows_holds_the_header_only(shared, background_xlsx):
    """Started from the form of a large export, for filters that match nobody (the rows may
    also be gone by the time the job runs): a workbook with its header row, not an error."""
    app, org = shared
    client = server_client(app)
    assert login(client, org.email("hr_cm")).status_code == 302
    page = client.get("/reports/drilldown.xlsx").get_data(as_text=True)
    assert "/reports/exports/drilldown" in page  # three rows: prepared in the background
    # Nobody in Chiang Mai is overdue in data-101 (c1 is in progress, with no due date).
    rows = table(prepared(client, "/reports/exports/drilldown?course=data-101&status=overdue", page))
    assert rows[0][0] == "Name" and rows[1:] == []
