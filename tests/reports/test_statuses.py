"""Statuses at their edges: optional quizzes (passed is not completed), a course opened but
no lesson read (not started), the day a course falls due (overdue from the next day)."""

from __future__ import annotations

from datetime import date, timedelta

from lms.courses import service as courses
from lms.extensions import session
from lms.reports import service
from lms.reports.filters import ReportFilters
from tests.conftest import make_course, make_user
from tests.reports.conftest import HALF, RIGHT, assign, bangkok, study


def totals(actor, **filters):
    (course,) = service.completion_overview(ReportFilters(**filters), actor).courses
    return course.total


def test_with_optional_quizzes_passed_counts_only_those_who_passed_them(app):
    course = make_course("optional-quiz", modules=1, lessons_per_module=1, quizzes=True)
    course.versions[0].completion_rule = {"lessons": "required", "quizzes": "none"}
    session.commit()
    admin = make_user("admin")
    skipped, failed, passed = (make_user(email=f"{k}@example.org") for k in ("skipped", "failed", "passed"))
    study(skipped, course, lessons=1)  # completes on the lesson alone
    # A completed course takes no new quiz attempts: the quiz first, then the lesson.
    for learner, answers in ((failed, HALF), (passed, RIGHT)):
        study(learner, course, lessons=0, quiz=[answers])
        study(learner, course, lessons=1)
    total = totals(admin)
    assert (total.completed, total.passed) == (3, 1)
    assert total.average_score == 75.0  # 50 and 100
    listed = service.drilldown(ReportFilters(status="passed"), admin)
    assert [r.user_uuid for r in listed.rows] == [passed.uuid]
    statuses = {r.user_uuid: r.status for r in service.drilldown(ReportFilters(), admin).rows}
    assert statuses == {skipped.uuid: "completed", failed.uuid: "completed", passed.uuid: "passed"}


def test_opening_the_course_alone_is_not_starting_it(app):
    course = make_course("opened", modules=1, lessons_per_module=2)
    admin, learner, reader = (
        make_user("admin"),
        make_user(email="l@example.org"),
        make_user(email="r@example.org"),
    )
    courses.enrol(learner, course)
    courses.launch(learner, course)
    courses.enrol(reader, course)
    courses.launch(reader, course)
    courses.leave_lesson(reader, course, courses.lessons_in_order(course)[0], 30, complete=False)
    session.commit()
    total = totals(admin)
    assert (total.enrolled, total.not_started, total.in_progress, total.completed) == (2, 1, 1, 0)


def test_overdue_from_the_day_after_the_due_date(app):
    course = make_course("due", modules=1, lessons_per_module=1)
    admin, learner = make_user("admin"), make_user(email="due@example.org")
    due = date(2026, 9, 30)
    assign(course, {"due": due}, {"due": learner}, admin, at=bangkok("2026-09-01 09:00"))
    assert totals(admin, today=due).overdue == 0
    assert totals(admin, today=due + timedelta(days=1)).overdue == 1
    # A period that ends the day before the due date: not overdue yet at its end; a period
    # whose last day is the due date: overdue at its end (the due day is over).
    later = due + timedelta(days=30)
    assert totals(admin, today=later, date_to=due - timedelta(days=1)).overdue == 0
    assert totals(admin, today=later, date_to=due).overdue == 1
    assert totals(admin, today=later, fiscal_year=2569).overdue == 1
