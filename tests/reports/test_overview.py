"""The completion overview of the hand-built organisation (tests/reports/conftest.py): every
expected number is worked out by hand from the table in that module's docstring."""

from __future__ import annotations

import pytest

from lms.reports import service
from lms.reports.filters import ReportFilters, parse_filters
from lms.reports.rows import Counts

COUNTED = ("learners", "assigned", "enrolled", "not_started", "in_progress", "completed", "passed", "overdue")


def counts(c: Counts) -> tuple:
    return tuple(getattr(c, name) for name in COUNTED)


def by_slug(overview) -> dict:
    return {course.slug: course for course in overview.courses}


def rows(course) -> list[tuple]:
    return [(row.key, row.depth, counts(row.counts)) for row in course.rows]


def test_admin_totals_per_course(shared):
    _app, org = shared
    overview = service.completion_overview(ReportFilters(), org.user("admin"))
    # Thai title order: "หลักสูตร data-101" before "หลักสูตร dg-basics".
    assert [c.slug for c in overview.courses] == ["data-101", "dg-basics"]
    basics, data = by_slug(overview)["dg-basics"], by_slug(overview)["data-101"]
    # a1 a2 a3 a4 b1 c1 c2 s1 (x1 is deactivated): 7 assigned (not b1), 6 enrolled (not a4, s1);
    # a3 never opened a lesson; a2 failed the quiz and c1 opened one lesson; a1, b1, c2 passed;
    # a2 and a4 are past their due date.
    assert counts(basics.total) == (8, 7, 6, 1, 2, 3, 3, 2)
    assert basics.total.completion_percent == pytest.approx(37.5)
    # Every graded attempt: a1 100, a2 50, b1 50 and 100, c2 75 -> 375 / 5.
    assert basics.total.average_score == pytest.approx(75.0)
    # Enrolled and completed within the same test run: well under a day.
    assert 0 <= basics.total.average_days < 0.01
    assert basics.hours == 2 and data.hours == 6
    # data-101: a1, a2, s2 completed (20, 10 and 15 days), c1 is in progress; no quiz.
    assert counts(data.total) == (4, 0, 4, 0, 1, 3, 3, 0)
    assert data.total.average_days == pytest.approx(15.0)
    assert data.total.average_score is None


def test_unit_breakdown_rolls_up_the_tree(shared):
    _app, org = shared
    overview = service.completion_overview(ReportFilters(breakdown="unit"), org.user("admin"))
    basics = by_slug(overview)["dg-basics"]
    assert rows(basics) == [
        ("T-MIN", 0, (8, 7, 6, 1, 2, 3, 3, 2)),
        ("T-DA", 1, (4, 4, 3, 1, 1, 1, 1, 2)),  # a4 sits in the department itself
        ("T-DA-1", 2, (2, 2, 2, 0, 1, 1, 1, 1)),
        ("T-DA-2", 2, (1, 1, 1, 1, 0, 0, 0, 0)),
        ("T-DB", 1, (1, 0, 1, 0, 0, 1, 1, 0)),
        ("T-DB-1", 2, (1, 0, 1, 0, 0, 1, 1, 0)),
        ("T-PCM", 1, (2, 2, 2, 0, 1, 1, 1, 0)),
        ("T-PSK", 1, (1, 1, 0, 0, 0, 0, 0, 0)),
    ]
    department = basics.rows[1]
    assert department.name_th == "กรมเอ" and department.counts.completion_percent == pytest.approx(25.0)
    data = by_slug(overview)["data-101"]
    assert [(key, c[0], c[5]) for key, _depth, c in rows(data)] == [
        ("T-MIN", 4, 3),
        ("T-DA", 2, 2),
        ("T-DA-1", 2, 2),
        ("T-PCM", 1, 0),
        ("T-PSK", 1, 1),
    ]


def test_province_staff_group_and_region_breakdowns(shared):
    _app, org = shared
    admin = org.user("admin")

    def learners_and_completed(breakdown):
        overview = service.completion_overview(
            ReportFilters(breakdown=breakdown, course_id=org.basics_id, course_slug="dg-basics"), admin
        )
        (course,) = overview.courses
        return [(row.key, row.counts.learners, row.counts.completed) for row in course.rows]

    # Provinces in Thai name order: กรุงเทพมหานคร, สงขลา (ส) before เชียงใหม่ (เ) in code-point order.
    assert sorted(learners_and_completed("province")) == [("TH-10", 5, 2), ("TH-50", 2, 1), ("TH-90", 1, 0)]
    assert learners_and_completed("staff_group") == [
        ("executive", 3, 2),  # a1, b1, s1
        ("practitioner", 3, 0),  # a2, a3, c1
        ("general", 2, 1),  # a4, c2
    ]
    assert learners_and_completed("region") == [("central", 5, 2), ("regional", 3, 1)]


def test_hr_sees_only_their_department(shared):
    _app, org = shared
    overview = service.completion_overview(ReportFilters(breakdown="unit"), org.user("hr_a"))
    basics, data = by_slug(overview)["dg-basics"], by_slug(overview)["data-101"]
    assert counts(basics.total) == (4, 4, 3, 1, 1, 1, 1, 2)
    assert basics.total.average_score == pytest.approx(75.0)  # a1 100, a2 50
    assert [(key, c[0]) for key, _d, c in rows(basics)] == [
        ("T-MIN", 4),
        ("T-DA", 4),
        ("T-DA-1", 2),
        ("T-DA-2", 1),
    ]
    assert counts(data.total) == (2, 0, 2, 0, 0, 2, 2, 0)
    assert data.total.average_days == pytest.approx(15.0)


def test_hr_of_a_province(shared):
    _app, org = shared
    overview = service.completion_overview(ReportFilters(), org.user("hr_cm"))
    basics, data = by_slug(overview)["dg-basics"], by_slug(overview)["data-101"]
    assert counts(basics.total) == (2, 2, 2, 0, 1, 1, 1, 0)
    assert basics.total.average_score == pytest.approx(75.0)  # c2's one attempt
    assert counts(data.total) == (1, 0, 1, 0, 1, 0, 0, 0)


@pytest.mark.parametrize(
    ("args", "expected", "days"),
    [
        # FY 2569 ends 1 Oct 2026 00:00 Bangkok: a1 completed at 30 Sep 23:59 (inside), a2 at
        # 1 Oct 00:00 (after: still in progress then); c1 enrolled later; s2 finished in 2568.
        ({"fy": "2569"}, (2, 0, 2, 0, 1, 1, 1, 0), 20.0),
        ({"fy": "2570"}, (2, 0, 2, 0, 1, 1, 1, 0), 10.0),  # a2 completed, c1 in progress
        ({"fy": "2568"}, (1, 0, 1, 0, 0, 1, 1, 0), 15.0),  # s2
        ({"from": "2026-09-30", "to": "2026-09-30"}, (2, 0, 2, 0, 1, 1, 1, 0), 20.0),
        ({"from": "2026-10-01", "to": "2026-10-01"}, (1, 0, 1, 0, 0, 1, 1, 0), 10.0),
    ],
)
def test_periods_on_data_101(shared, args, expected, days):
    _app, org = shared
    filters = parse_filters({"course": "data-101", **args})
    (course,) = service.completion_overview(filters, org.user("admin")).courses
    assert counts(course.total) == expected
    assert course.total.average_days == pytest.approx(days)


def test_a_period_before_anything_happened_is_empty(shared):
    _app, org = shared
    filters = parse_filters({"fy": "2560"})
    assert service.completion_overview(filters, org.user("admin")).courses == []


def test_charts_count_all_the_courses_together(shared):
    _app, org = shared
    overview = service.completion_overview(ReportFilters(), org.user("admin"), charts=("unit", "province"))
    units = {row.key: (row.counts.learners, row.counts.completed) for row in overview.charts["unit"]}
    # dg-basics + data-101 pairs: T-DA 4+2 (1+2 completed), T-PCM 2+1 (1+0), T-PSK 1+1 (0+1).
    assert units["T-DA"] == (6, 3) and units["T-PCM"] == (3, 1) and units["T-PSK"] == (2, 1)
    assert units["T-MIN"] == (12, 6) and units["T-DB"] == (1, 1)
    provinces = {row.key: (row.counts.learners, row.counts.completed) for row in overview.charts["province"]}
    assert provinces == {"TH-10": (7, 4), "TH-50": (3, 1), "TH-90": (2, 1)}
