"""Exports read back: CSV (UTF-8 with BOM, Thai intact, streamed in batches) and XLSX (typed
cells, header, frozen panes), and a large XLSX prepared in the background."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from lms.reports.exports import Column, csv_stream
from tests.conftest import login
from tests.reports.test_drilldown import NAMES

DRILLDOWN_HEADER = [
    "Name",
    "Staff group",
    "Org unit",
    "Province",
    "Course",
    "Status",
    "Due date",
    "Enrolled",
    "Completed",
    "Score (percent)",
    "Days to complete",
    "Minutes spent",
]


@pytest.fixture
def client_for(shared):
    app, org = shared

    def signed_in(key: str, language: str | None = None):
        client = app.test_client()
        if language:
            client.set_cookie("lms_lang", language)
        assert login(client, org.email(key)).status_code == 302
        return client

    return signed_in


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)).active


def test_drilldown_csv_in_english_and_in_thai(client_for):
    rows = read_csv(client_for("admin", "en").get("/reports/drilldown.csv?course=data-101"))
    assert rows[0] == DRILLDOWN_HEADER
    # Name order: A1 (อรุณ) sorts after ชไมพร and สุดา by Thai name; find a1 by English name.
    a1 = next(r for r in rows if r[0] == "A1 Tester")
    assert a1[1:6] == ["Senior executive", "Division A1", "Bangkok", "Course data-101", "Passed"]
    # Bangkok time: enrolled 10 Sep 23:59, completed 30 Sep 23:59, 20 days; no quiz, no time.
    assert a1[6:] == ["", "2026-09-10 23:59", "2026-09-30 23:59", "", "20.0", "0"]
    assert len(rows) == 5
    thai = read_csv(client_for("admin").get("/reports/drilldown.csv?course=data-101"))
    a1_th = next(r for r in thai if r[0] == NAMES["a1"])
    assert a1_th[2:5] == ["กองเอหนึ่ง", "กรุงเทพมหานคร", "หลักสูตร data-101"]


def test_overview_csv_has_the_totals_and_breakdown(client_for):
    rows = read_csv(client_for("admin", "en").get("/reports/overview.csv?breakdown=region"))
    assert rows[0][:4] == ["Course", "Course id", "Breakdown", "Group"]
    assert rows[0][4:] == [
        "Learners",
        "Assigned",
        "Enrolled",
        "Not started",
        "In progress",
        "Completed",
        "Passed",
        "Overdue",
        "Completion (percent)",
        "Average score (percent)",
        "Average days to complete",
    ]
    basics = [r for r in rows if r[1] == "dg-basics"]
    assert basics[0][2:12] == ["", "", "8", "7", "6", "1", "2", "3", "3", "2"]
    assert basics[0][12:14] == ["37.5", "75.0"]
    assert [r[2:5] for r in basics[1:]] == [
        ["region", "Central offices", "5"],
        ["region", "Regional offices", "3"],
    ]


def test_drilldown_xlsx_is_typed(client_for):
    sheet = read_xlsx(client_for("admin", "en").get("/reports/drilldown.xlsx?course=data-101&sort=completed"))
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == DRILLDOWN_HEADER
    assert all(cell.font.bold for cell in sheet[1])
    a1 = next(r for r in rows if r[0] == "A1 Tester")
    assert a1[7] == datetime(2026, 9, 10, 23, 59) and a1[8] == datetime(2026, 9, 30, 23, 59)
    assert a1[10] == 20 and a1[11] == 0
    row_number = next(i for i, r in enumerate(rows, start=1) if r[0] == "A1 Tester")
    # Numbers are numbers (n), dates are dates (d), text is text (s).
    assert [sheet.cell(row_number, c).data_type for c in (1, 8, 9, 11, 12)] == ["s", "d", "d", "n", "n"]
    assert sheet.cell(row_number, 8).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(row_number, 11).number_format == "0.0"


def test_dg_basics_xlsx_in_thai_with_scores_and_due_dates(client_for, shared):
    _app, org = shared
    sheet = read_xlsx(client_for("admin").get("/reports/drilldown.xlsx?course=dg-basics"))
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {NAMES[k] for k in ("a1", "a2", "a3", "a4", "b1", "c1", "c2", "s1")}
    a2 = rows[NAMES["a2"]]
    assert a2[2:5] == ("กองเอหนึ่ง", "กรุงเทพมหานคร", "หลักสูตร dg-basics")
    assert a2[9] == 50.0 and a2[8] is None
    # Due dates are dates: a2 was due ten days before the organisation was built.
    assert a2[6].date() == date.fromordinal(org.today.toordinal() - 10)
    assert rows[NAMES["b1"]][9] == 75.0


def test_hours_xlsx_and_transcript_csv(client_for, shared):
    _app, org = shared
    sheet = read_xlsx(client_for("admin", "en").get("/reports/hours.xlsx?fy=2569"))
    header, *people = list(sheet.iter_rows(values_only=True))
    assert header == (
        "Name",
        "Staff group",
        "Org unit",
        "Province",
        "Courses completed",
        "Certified hours",
        "Time spent (h:mm)",
        "Target hours",
        "Target met",
    )
    assert len(people) == 13
    a1 = next(p for p in people if p[0] == "A1 Tester")
    # data-101 was recorded through statements alone: 6 certified hours, no lesson time.
    assert a1[4:] == (1, 6.0, timedelta(0), 12.0, "No")
    assert sum(p[5] for p in people) == 6.0
    rows = read_csv(client_for("hr_a", "en").get(f"/reports/learners/{org.uuid('a1')}.csv"))
    assert rows[0][:4] == ["Name", "Course", "Certified hours", "Time spent (h:mm)"]
    # a1 read the two lessons of dg-basics for 60 seconds each.
    assert [r[1:5] for r in rows[1:]] == [
        ["Course dg-basics", "2.0", "0:02", "Passed"],
        ["Course data-101", "6.0", "0:00", "Passed"],
    ]


def test_csv_is_produced_a_batch_at_a_time():
    columns = [Column("ชื่อ"), Column("n", "int")]
    rows = ((f"คนที่ {i}", i) for i in range(1200))
    chunks = list(csv_stream(columns, rows))
    # BOM and header with the first 500 rows, the next 500, then the last 200.
    assert len(chunks) == 3
    text = b"".join(chunks).decode("utf-8-sig")
    assert text.splitlines()[0] == "ชื่อ,n" and text.splitlines()[-1] == "คนที่ 1199,1199"


def _wait_until_ready(client, status_url: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = client.get(status_url).get_data(as_text=True)
        if 'id="download"' in text or 'role="alert"' in text:
            return text
        assert '<meta http-equiv="refresh"' in text
        time.sleep(0.1)
    pytest.fail(f"the export at {status_url} was not ready in {seconds} s")


@pytest.fixture
def background(shared, tmp_path):
    """Exports of more than 5 rows go to the background, in chunks of 3 rows."""
    app, _org = shared
    saved = {
        k: app.config[k] for k in ("LMS_EXPORT_BACKGROUND_ROWS", "LMS_EXPORT_CHUNK_ROWS", "LMS_EXPORT_DIR")
    }
    app.config.update(LMS_EXPORT_BACKGROUND_ROWS=5, LMS_EXPORT_CHUNK_ROWS=3, LMS_EXPORT_DIR=str(tmp_path))
    yield tmp_path
    app.config.update(saved)


def _start(client, url: str) -> str:
    prepare = client.get(url)
    assert prepare.status_code == 200
    text = prepare.get_data(as_text=True)
    action = (
        re.search(r'<form method="post" action="(/reports/exports/[^"]+)"', text)
        .group(1)
        .replace("&amp;", "&")
    )
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    started = client.post(action, data={"csrf_token": token})
    assert started.status_code == 303, (action, started.location)
    return started.location


def test_a_large_xlsx_is_prepared_in_the_background(client_for, background):
    client = client_for("admin", "en")
    status_url = _start(client, "/reports/drilldown.xlsx")
    page = _wait_until_ready(client, status_url)
    assert 'id="download"' in page and list(background.glob("*.parts")) == []
    download = client.get(re.search(r'id="download" href="([^"]+)"', page).group(1))
    sheet = read_xlsx(download)
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    # Twelve person-course rows in four chunks of three, in name order, none twice.
    assert list(rows[0]) == DRILLDOWN_HEADER and len(rows) == 13
    a1_data = next(r for r in rows if r[0] == "A1 Tester" and r[4] == "Course data-101")
    assert a1_data[8] == datetime(2026, 9, 30, 23, 59) and a1_data[10] == pytest.approx(20.0)
    csv_rows = read_csv(client.get("/reports/drilldown.csv"))
    assert [list(r[:6]) for r in rows[1:]] == [r[:6] for r in csv_rows[1:]]


def test_background_exports_keep_the_scope_and_belong_to_their_creator(client_for, background):
    hr_a = client_for("hr_a", "en")
    # The whole ministry asked for, but only a1-a4 are in scope: 6 person-course rows.
    status_url = _start(hr_a, "/reports/drilldown.xlsx?unit=T-MIN")
    page = _wait_until_ready(hr_a, status_url)
    sheet = read_xlsx(hr_a.get(re.search(r'id="download" href="([^"]+)"', page).group(1)))
    names = {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"A1 Tester", "A2 Tester", "A3 Tester", "A4 Tester"}
    other = client_for("hr_cm", "en")
    assert other.get(status_url).status_code == 404
    assert other.get(status_url.replace("/status", "/download")).status_code == 404
    assert client_for("admin").get(status_url).status_code == 200
    bad = hr_a.post("/reports/exports/drilldown?fy=abc")
    assert bad.status_code == 400
