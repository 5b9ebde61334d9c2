"""The learners behind each count, the transcript and the training hours, for the hand-built
organisation (tests/reports/conftest.py); every expectation is worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.reports import service
from lms.reports.filters import HOURS_SORTS, ReportFilters, parse_filters

NAMES = {
    "a1": "อรุณ แสงทอง",
    "a2": "อารี มีสุข",
    "a3": "อำไพ ใจงาม",
    "a4": "อดุลย์ ศรีสุข",
    "b1": "บุญชัย ทองดี",
    "c1": "ชไมพร เชียงคำ",
    "c2": "ชาตรี ดอยสูง",
    "s1": "สมศักดิ์ ทะเลงาม",
    "s2": "สุดา หาดใหญ่",
}


def names(page) -> set[str]:
    return {row.name_th for row in page.rows}


def expect(*keys: str) -> set[str]:
    return {NAMES[k] for k in keys}


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        ({"status": "overdue"}, ("a2", "a4")),
        ({"status": "not_started"}, ("a3",)),
        ({"status": "in_progress"}, ("a2", "c1")),
        ({"status": "completed"}, ("a1", "b1", "c2")),
        ({"status": "passed"}, ("a1", "b1", "c2")),
        ({"status": "assigned"}, ("a1", "a2", "a3", "a4", "c1", "c2", "s1")),
        ({"status": "enrolled"}, ("a1", "a2", "a3", "b1", "c1", "c2")),
        ({}, ("a1", "a2", "a3", "a4", "b1", "c1", "c2", "s1")),
        # The cells of the unit breakdown: a department's row includes its divisions.
        ({"status": "completed", "unit": "T-DA"}, ("a1",)),
        ({"status": "learners", "unit": "T-DA"}, ("a1", "a2", "a3", "a4")),
        ({"status": "overdue", "unit": "T-DA-1"}, ("a2",)),
        ({"province": "TH-50"}, ("c1", "c2")),
        ({"staff_group": "executive"}, ("a1", "b1", "s1")),
        ({"region": "regional", "status": "completed"}, ("c2",)),
    ],
)
def test_each_cell_lists_its_learners(shared, args, keys):
    _app, org = shared
    filters = parse_filters({"course": "dg-basics", **args})
    page = service.drilldown(filters, org.user("admin"))
    assert names(page) == expect(*keys)
    assert page.total == len(keys)


def test_rows_carry_status_dates_and_score(shared):
    _app, org = shared
    page = service.drilldown(parse_filters({"course": "data-101", "sort": "completed"}), org.user("admin"))
    first = page.rows[0]
    # s2 completed first (30 Sep 2025 12:00 Bangkok = 05:00 UTC), 15 days after enrolling.
    assert first.name_th == NAMES["s2"]
    assert first.completed_at == datetime(2025, 9, 30, 5, 0, tzinfo=UTC)
    assert first.days == pytest.approx(15.0)
    assert (first.status, first.unit_code, first.province_code) == ("passed", "T-PSK", "TH-90")
    assert first.unit_th == "สำนักงานจังหวัดสงขลา" and first.province_th == "สงขลา"
    assert [row.name_th for row in page.rows] == [NAMES[k] for k in ("s2", "a1", "a2", "c1")]
    assert page.rows[-1].completed_at is None and page.rows[-1].status == "in_progress"


def test_sorting_by_score_and_paging(shared):
    _app, org = shared
    admin = org.user("admin")
    filters = parse_filters({"course": "dg-basics", "sort": "-score"})
    page = service.drilldown(filters, admin, per_page=3)
    # a1 100; c2 75 and b1 75 (tie: by name, ช before บ); a2 50; then the unscored.
    assert [(r.name_th, r.score) for r in page.rows] == [
        (NAMES["a1"], 100.0),
        (NAMES["c2"], 75.0),
        (NAMES["b1"], 75.0),
    ]
    assert (page.total, page.pages) == (8, 3)
    second = service.drilldown(
        parse_filters({"course": "dg-basics", "sort": "-score", "page": "2"}), admin, per_page=3
    )
    assert second.rows[0].name_th == NAMES["a2"] and second.rows[0].score == 50.0
    assert {r.score for r in second.rows[1:]} == {None}
    last = service.drilldown(
        parse_filters({"course": "dg-basics", "sort": "-score", "page": "3"}), admin, per_page=3
    )
    assert len(last.rows) == 2 and last.total == 8
    beyond = service.drilldown(parse_filters({"course": "dg-basics", "page": "9"}), admin, per_page=3)
    assert beyond.rows == [] and beyond.total == 8
    by_status = service.drilldown(parse_filters({"course": "dg-basics", "sort": "status"}), admin)
    assert [r.status for r in by_status.rows[:2]] == ["overdue", "overdue"]
    assert by_status.rows[-1].status == "passed"


def test_export_slices_share_no_row_and_lose_none(shared):
    _app, org = shared
    admin, filters = org.user("admin"), ReportFilters()
    keys = service.drilldown_keys(filters, admin, every=5)
    assert len(keys) == 3  # 12 person-course rows: 5 + 5 + 2
    slices = [
        list(service.iter_drilldown(filters, admin, start=start, stop=stop))
        for start, stop in zip(keys, [*keys[1:], None], strict=True)
    ]
    assert [len(s) for s in slices] == [5, 5, 2]
    whole = list(service.iter_drilldown(filters, admin))
    assert [r for s in slices for r in s] == whole
    assert service.drilldown_count(filters, admin) == 12


def test_transcript_of_a_learner(shared):
    _app, org = shared
    transcript = service.learner_transcript(org.user("admin"), org.uuid("a1"))
    assert transcript.name_th == NAMES["a1"] and transcript.unit_th == "กองเอหนึ่ง"
    # Newest completion first: dg-basics (completed during the test run), then data-101.
    assert [(r.course_slug, r.status, r.hours) for r in transcript.rows] == [
        ("dg-basics", "passed", 2.0),
        ("data-101", "passed", 6.0),
    ]
    basics, data = transcript.rows
    assert (
        basics.score == 100.0
        and basics.is_assigned
        and basics.due_on == org.today.fromordinal(org.today.toordinal() - 10)
    )
    assert data.completed_at == datetime(2026, 9, 30, 16, 59, tzinfo=UTC)
    assert basics.certificate_serial and data.certificate_serial
    assert {basics.certificate_status, data.certificate_status} == {"valid"}
    assert transcript.hours_total == 8.0
    # Only dg-basics was completed in the current fiscal year (data-101 in FY 2569).
    assert transcript.hours_in_fiscal_year == 2.0


def test_transcript_of_someone_assigned_but_not_enrolled_and_of_a_deactivated_account(shared):
    _app, org = shared
    a4 = service.learner_transcript(org.user("admin"), org.uuid("a4"))
    assert [(r.course_slug, r.status, r.enrolled_at, r.certificate_serial) for r in a4.rows] == [
        ("dg-basics", "overdue", None, None)
    ]
    x1 = service.learner_transcript(org.user("admin"), org.uuid("x1"))
    assert [(r.course_slug, r.status) for r in x1.rows] == [("dg-basics", "not_started")]


def test_who_may_read_a_transcript(shared):
    _app, org = shared
    assert service.learner_transcript(org.user("a1"), org.uuid("a1")) is not None
    assert service.learner_transcript(org.user("a1"), org.uuid("a2")) is None
    assert service.learner_transcript(org.user("hr_a"), org.uuid("a3")) is not None
    assert service.learner_transcript(org.user("hr_a"), org.uuid("c1")) is None
    assert service.learner_transcript(org.user("hr_cm"), org.uuid("c1")) is not None
    assert service.learner_transcript(org.user("hr_cm"), org.uuid("a1")) is None
    # HR outside their own scope may still read their own transcript.
    assert service.learner_transcript(org.user("hr_a"), org.uuid("hr_a")) is not None
    assert service.learner_transcript(org.user("admin"), "no-such-uuid") is None


def hours_filters(args: dict) -> ReportFilters:
    return parse_filters(args, sorts=HOURS_SORTS)


def test_training_hours_in_fiscal_year_2569(shared):
    _app, org = shared
    report = service.training_hours(
        hours_filters({"fy": "2569", "sort": "-hours"}), org.user("admin"), target=12
    )
    summary = report.summary
    # 10 active people, the administrator and the two HR officers; only a1's data-101 (6 h,
    # completed 30 Sep 2026 23:59 Bangkok) falls in FY 2569.
    assert (summary.fiscal_year, summary.people, summary.meeting_target) == (2569, 13, 0)
    assert summary.total_hours == 6.0 and summary.average_hours == pytest.approx(6 / 13)
    top = report.page.rows[0]
    assert (top.name_th, top.courses, top.hours, top.meets_target) == (NAMES["a1"], 1, 6.0, False)
    assert {row.hours for row in report.page.rows[1:]} == {0.0}
    lower = service.training_hours(hours_filters({"fy": "2569"}), org.user("admin"), target=6)
    assert lower.summary.meeting_target == 1


@pytest.mark.parametrize(
    ("args", "who", "total"),
    [
        ({"fy": "2568", "course": "data-101"}, "s2", 6.0),  # 30 Sep 2025 12:00
        ({"fy": "2570", "course": "data-101"}, "a2", 6.0),  # 1 Oct 2026 00:00: the next year
    ],
)
def test_hours_fall_in_the_fiscal_year_of_their_completion(shared, args, who, total):
    _app, org = shared
    report = service.training_hours(hours_filters({**args, "sort": "-hours"}), org.user("admin"), target=12)
    assert report.summary.total_hours == total
    assert report.page.rows[0].name_th == NAMES[who] and report.page.rows[0].hours == total


def test_hours_default_to_the_current_fiscal_year_and_follow_scope(shared):
    _app, org = shared
    today = org.today
    current = today.year + 543 + (1 if today.month >= 10 else 0)
    report = service.training_hours(hours_filters({"course": "dg-basics"}), org.user("admin"), target=12)
    # a1, b1 and c2 completed dg-basics (2 h) during the test run.
    assert report.summary.fiscal_year == current and report.summary.total_hours == 6.0
    hr = service.training_hours(hours_filters({"fy": "2569"}), org.user("hr_a"), target=12)
    assert (hr.summary.people, hr.summary.total_hours) == (4, 6.0)
    assert {row.name_th for row in hr.page.rows} == expect("a1", "a2", "a3", "a4")
