"""Who an assignment makes a course required for, worked out by hand on the org in conftest."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts import service as accounts
from lms.assignments import service
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.xapi.models import StoredStatement
from tests.assignments.conftest import people_for, required
from tests.conftest import make_user

DUE = date(2099, 6, 30)
EARLIER = date(2099, 3, 31)


def assign(org, by: str, kind: str, target, due=DUE, course="c1", path=None):
    assignment = service.create_assignment(
        org.user(by),
        due_on=due,
        target_kind=kind,
        target=target,
        course_slug=None if path else course,
        path_key=path,
    )
    session.commit()
    return assignment


def counts():
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Assignment, AssignmentUser, RequiredCourse)
    )


@pytest.mark.parametrize(
    ("kind", "target", "expected"),
    [
        # gone_exec is an executive too, but inactive.
        ("staff_group", "executive", {"a_exec", "b_exec", "free_exec"}),
        ("org_unit", "DEP-A", {"a_exec", "a1_prac", "a2_gen"}),
        ("org_unit", "MIN", {"a_exec", "a1_prac", "a2_gen", "b_exec", "b1_prac"}),
        ("org_unit", "DIV-B1", {"b1_prac"}),
        ("province", "TH-10", {"a_exec", "a1_prac", "b_exec"}),
        ("province", "TH-50", {"a2_gen", "cm_prac"}),
        ("users", ["b1_prac@example.org", "CM_PRAC@example.org "], {"b1_prac", "cm_prac"}),
    ],
)
def test_each_target_kind_covers_exactly_its_people(org, courses, kind, target, expected):
    assignment = assign(org, "admin", kind, target)
    assert people_for(org, "c1") == expected
    assert {v for v in required(org).values()} == {(DUE.isoformat(), assignment.id)}
    assert people_for(org, "c2") == set()


def test_a_learning_path_requires_each_of_its_published_courses(org, courses):
    assign(org, "admin", "users", ["a_exec@example.org"], path="path-12")
    assert set(required(org)) == {("a_exec", "c1"), ("a_exec", "c2")}


def test_the_earliest_due_date_wins_whatever_the_order(org, courses):
    later = assign(org, "admin", "org_unit", "DEP-A", due=DUE)
    earlier = assign(org, "admin", "province", "TH-10", due=EARLIER)
    assign(org, "admin", "staff_group", "executive", due=DUE + timedelta(days=10))
    rows = required(org)
    # TH-10 people in DEP-A take the earlier date; a2_gen (TH-50) keeps DEP-A's.
    assert rows[("a_exec", "c1")] == (EARLIER.isoformat(), earlier.id)
    assert rows[("a1_prac", "c1")] == (EARLIER.isoformat(), earlier.id)
    assert rows[("b_exec", "c1")] == (EARLIER.isoformat(), earlier.id)
    assert rows[("a2_gen", "c1")] == (DUE.isoformat(), later.id)
    assert rows[("free_exec", "c1")] == ((DUE + timedelta(days=10)).isoformat(), rows[("free_exec", "c1")][1])
    assert len(rows) == 5


def test_cancelling_recomputes_from_the_remaining_assignments(org, courses):
    by_unit = assign(org, "admin", "org_unit", "DEP-A", due=DUE)
    by_province = assign(org, "admin", "province", "TH-10", due=EARLIER)
    first_seen = session.scalar(
        select(RequiredCourse.assigned_at).where(RequiredCourse.user_id == org.user("a2_gen").id)
    )
    service.cancel_assignment(by_province, org.user("admin"))
    session.commit()
    rows = required(org)
    # b_exec was covered only by the province; DEP-A's people fall back to DEP-A's date.
    assert rows == {
        ("a_exec", "c1"): (DUE.isoformat(), by_unit.id),
        ("a1_prac", "c1"): (DUE.isoformat(), by_unit.id),
        ("a2_gen", "c1"): (DUE.isoformat(), by_unit.id),
    }
    kept = session.scalar(
        select(RequiredCourse.assigned_at).where(RequiredCourse.user_id == org.user("a2_gen").id)
    )
    assert kept == first_seen
    session.refresh(by_province)
    assert by_province.cancelled_by_id == org.user("admin").id and by_province.cancelled_at is not None
    service.cancel_assignment(by_unit, org.user("admin"))
    session.commit()
    assert required(org) == {}
    with pytest.raises(service.AssignmentError, match="already cancelled"):
        service.cancel_assignment(by_unit, org.user("admin"))


def test_a_person_created_later_gets_the_course_and_is_enrolled(org, courses):
    assign(org, "admin", "org_unit", "DEP-A")
    newcomer = make_user(email="new@example.org", org_unit_id=org.units["DIV-A2"])
    outsider = make_user(email="out@example.org", org_unit_id=org.units["DIV-B1"])
    assert session.scalar(select(RequiredCourse.due_on).where(RequiredCourse.user_id == newcomer.id)) == DUE
    assert session.scalar(select(RequiredCourse.due_on).where(RequiredCourse.user_id == outsider.id)) is None
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == newcomer.id))
    assert enrolment is not None and enrolment.source == "assignment"
    statement = session.scalar(
        select(StoredStatement).where(
            StoredStatement.user_id == newcomer.id,
            StoredStatement.verb_id == "http://adlnet.gov/expapi/verbs/registered",
        )
    )
    assert statement is not None and statement.object_id.endswith("/c1")
    assert session.scalar(select(Enrolment).where(Enrolment.user_id == outsider.id)) is None


def test_a_person_who_moves_gains_and_loses_required_courses(org, courses):
    assign(org, "admin", "org_unit", "DEP-A", course="c1")
    assign(org, "admin", "org_unit", "DEP-B", course="c2")
    mover = org.user("a1_prac")
    accounts.update_user(mover, {"org_unit_id": org.units["DIV-B1"]}, mover.roles)
    session.commit()
    assert {c for (p, c) in required(org) if p == "a1_prac"} == {"c2"}
    # Deactivated: nothing required any more; reactivated: back.
    accounts.update_user(mover, {"is_active": False}, mover.roles)
    session.commit()
    assert {c for (p, c) in required(org) if p == "a1_prac"} == set()
    accounts.update_user(mover, {"is_active": True, "staff_group": "executive"}, mover.roles)
    session.commit()
    assert {c for (p, c) in required(org) if p == "a1_prac"} == {"c2"}


def test_a_staff_group_assignment_by_hr_covers_only_their_scope(org, courses):
    assign(org, "hr_a", "staff_group", "executive")
    assert people_for(org, "c1") == {"a_exec"}
    assign(org, "hr_cm", "staff_group", "practitioner", course="c2")
    assert people_for(org, "c2") == {"cm_prac"}


def test_hr_may_target_inside_their_scope(org, courses):
    assign(org, "hr_a", "org_unit", "DIV-A1")
    assign(org, "hr_cm", "province", "TH-50", course="c2")
    assign(org, "hr_a", "users", ["a2_gen@example.org"], course="c3")
    assert people_for(org, "c1") == {"a1_prac"}
    assert people_for(org, "c2") == {"a2_gen", "cm_prac"}
    assert people_for(org, "c3") == {"a2_gen"}


@pytest.mark.parametrize(
    ("by", "kind", "target", "message"),
    [
        ("hr_a", "org_unit", "DEP-B", "The org unit DEP-B is outside your HR scope."),
        ("hr_a", "org_unit", "MIN", "The org unit MIN is outside your HR scope."),
        ("hr_a", "province", "TH-10", "The province TH-10 is outside your HR scope."),
        (
            "hr_a",
            "users",
            ["a1_prac@example.org", "b_exec@example.org", "nobody@example.org"],
            "No active user in your HR scope has the email(s): b_exec@example.org, nobody@example.org.",
        ),
        ("hr_none", "staff_group", "executive", "Your HR scope is empty"),
        ("a_exec", "staff_group", "executive", "Only HR users and administrators can assign courses."),
        (
            "admin",
            "users",
            ["gone_exec@example.org"],
            "No active user has the email(s): gone_exec@example.org.",
        ),
        ("admin", "org_unit", "NOPE", "No org unit has the code NOPE."),
        ("admin", "province", "TH-99", "TH-99 is not a province code"),
        ("admin", "staff_group", "astronaut", "Unknown staff group astronaut."),
        ("admin", "org_unit", "", "Choose an org unit."),
        ("admin", "users", [], "List at least one email."),
        ("admin", None, None, "Choose who it is for"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_written(org, courses, by, kind, target, message):
    with pytest.raises(service.AssignmentError) as error:
        service.create_assignment(org.user(by), due_on=DUE, target_kind=kind, target=target, course_slug="c1")
    assert message in str(error.value)
    session.rollback()
    assert counts() == (0, 0, 0)


def test_course_path_and_due_date_are_checked(org, courses):
    admin = org.user("admin")
    cases = [
        ({"course_slug": "nope"}, DUE, "No published course has the slug nope."),
        ({"path_key": "nope"}, DUE, "No learning path has the key nope."),
        ({"course_slug": "c1", "path_key": "path-12"}, DUE, "Choose one course or one learning path."),
        ({}, DUE, "Choose one course or one learning path."),
        ({"course_slug": "c1"}, date(2000, 1, 1), "The due date 2000-01-01 is in the past"),
        ({"course_slug": "c1"}, None, "Give a due date."),
    ]
    for what, due, message in cases:
        with pytest.raises(service.AssignmentError, match=re.escape(message)):
            service.create_assignment(admin, due_on=due, target_kind="province", target="TH-10", **what)
        session.rollback()
    courses["c3"].is_published = False
    session.commit()
    with pytest.raises(service.AssignmentError, match=re.escape("No published course has the slug c3.")):
        service.create_assignment(admin, due_on=DUE, target_kind="province", target="TH-10", course_slug="c3")
    assert counts() == (0, 0, 0)


def test_hr_scope_change_follows_the_assignments_they_made(org, courses):
    assign(org, "hr_a", "staff_group", "executive")
    hr = org.user("hr_a")
    accounts.update_user(hr, {}, hr.roles, [org.units["MIN"]], [])
    session.commit()
    assert people_for(org, "c1") == {"a_exec", "b_exec"}


def test_required_for_lists_due_dates_status_and_overdue(org, courses):
    late = assign(org, "admin", "users", ["a_exec@example.org"], course="c2")
    assign(org, "admin", "users", ["a_exec@example.org"], course="c1")
    late.due_on = date(2020, 1, 31)  # time has passed since it was made
    session.flush()
    service.expansion.recompute(course_ids=[courses["c2"].id])
    session.commit()
    listed = service.required_for(org.user("a_exec"))
    assert [(r.course.slug, r.due_on, r.status, r.is_overdue) for r in listed] == [
        ("c2", date(2020, 1, 31), "not_started", True),
        ("c1", DUE, "not_started", False),
    ]
