"""The HR pages (list, create, cancel) and the learner's My learning, through real requests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.assignments import service
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.extensions import session
from lms.jobs.models import Job
from lms.progress.models import Enrolment
from lms.xapi.models import StoredStatement
from tests.assignments.conftest import people_for, required, wait_for_jobs
from tests.conftest import csrf_token, post_form

DUE = date(2099, 6, 30)


def counts():
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Assignment, AssignmentUser, RequiredCourse, Job)
    )


def form(**values):
    data = {"what": "course:c1", "target_kind": "org_unit", "org_unit": "DEP-A", "due_on": DUE.isoformat()}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def make(org, by, kind, target, course="c1", due=DUE):
    assignment = service.create_assignment(
        org.user(by), due_on=due, target_kind=kind, target=target, course_slug=course
    )
    session.commit()
    return assignment


def test_hr_assigns_a_unit_and_its_people_are_enrolled(org, courses, sign_in):
    client = sign_in("hr_a")
    response = post_form(client, "/assignments/new", form())
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Assigned. People being enrolled: 3." in page
    (job,) = wait_for_jobs()
    assert (job.kind, job.status, job.done, job.total) == ("assignments.enrol", "done", 3, 3)
    assert people_for(org, "c1") == {"a_exec", "a1_prac", "a2_gen"}
    enrolled = session.execute(
        select(Enrolment.user_id, Enrolment.source).where(Enrolment.course_id == courses["c1"].id)
    ).all()
    assert sorted(enrolled) == sorted((org.user(k).id, "assignment") for k in ("a_exec", "a1_prac", "a2_gen"))
    registered = session.scalar(
        select(func.count())
        .select_from(StoredStatement)
        .where(StoredStatement.verb_id == "http://adlnet.gov/expapi/verbs/registered")
    )
    assert registered == 3
    assignment = session.scalar(select(Assignment))
    assert assignment.created_by_id == org.user("hr_a").id and assignment.created_at is not None


def test_the_list_shows_what_who_when_and_how_many(org, courses, sign_in):
    make(org, "hr_a", "org_unit", "DEP-A")
    make(org, "hr_a", "staff_group", "executive", course="c2")
    make(org, "admin", "province", "TH-10", course="c3")
    make(org, "hr_cm", "province", "TH-50", course="c3")
    page = sign_in("hr_a").get("/assignments").get_data(as_text=True)
    assert "Assignments: 2." in page
    assert "Unit DEP-A and its sub-units" in page and "Staff group: Senior executive" in page
    assert "Course c1" in page and "Course c2" in page and "Course c3" not in page
    assert "30 June 2099" in page
    cells = [line.strip() for line in page.splitlines() if line.strip().startswith("<td>")]
    # DEP-A covers three people; HR's executive assignment only the one in their scope.
    assert "<td>3</td>" in cells and "<td>1</td>" in cells


def test_an_admin_sees_every_assignment(org, courses, sign_in):
    make(org, "hr_a", "org_unit", "DEP-A")
    make(org, "hr_cm", "province", "TH-50", course="c2")
    page = sign_in("admin").get("/assignments").get_data(as_text=True)
    assert "Assignments: 2." in page and "Province: Chiang Mai" in page


def test_the_list_takes_a_fixed_number_of_queries(org, courses, sign_in, count_queries):
    client = sign_in("admin")
    one_of_each = [
        ("org_unit", "DEP-A"),
        ("province", "TH-10"),
        ("staff_group", "general"),
        ("users", ["b1_prac@example.org"]),
    ]
    for kind, target in one_of_each:
        make(org, "admin", kind, target)
    with count_queries() as few:
        client.get("/assignments")
    for kind, target in one_of_each:
        make(org, "admin", kind, target, course="c2")
    with count_queries() as more:
        page = client.get("/assignments").get_data(as_text=True)
    assert "Assignments: 8." in page
    assert more["n"] == few["n"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"due_on": "2001-02-03"}, "The due date 2001-02-03 is in the past"),
        ({"due_on": ""}, "Give a due date."),
        ({"target_kind": None}, "Choose who it is for"),
        ({"target_kind": "org_unit", "org_unit": ""}, "Choose an org unit."),
        ({"target_kind": "org_unit", "org_unit": "DEP-B"}, "The org unit DEP-B is outside your HR scope."),
        ({"target_kind": "province", "province": "TH-10"}, "The province TH-10 is outside your HR scope."),
        (
            {"target_kind": "users", "emails": "a1_prac@example.org\nghost@example.org, b_exec@example.org"},
            "No active user in your HR scope has the email(s): ghost@example.org, b_exec@example.org.",
        ),
        ({"what": ""}, "Choose one course or one learning path."),
        ({"what": "course:missing"}, "No published course has the slug missing."),
    ],
)
def test_form_errors_name_the_problem_and_write_nothing(org, courses, sign_in, values, message):
    client = sign_in("hr_a")
    response = post_form(client, "/assignments/new", form(**values))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0, 0, 0)


def test_the_form_offers_only_what_is_in_scope(org, courses, sign_in):
    page = sign_in("hr_a").get("/assignments/new").get_data(as_text=True)
    for code in ("DEP-A", "DIV-A1", "DIV-A2"):
        assert f'value="{code}"' in page
    for code in ("MIN", "DEP-B", "DIV-B1", "PO-CM", "TH-10", "TH-50"):
        assert f'value="{code}"' not in page
    assert 'value="path:path-12"' in page and 'value="course:c3"' in page


def test_posts_without_the_csrf_token_are_refused(org, courses, sign_in):
    client = sign_in("hr_a")
    assert client.post("/assignments/new", data=form()).status_code == 400
    assert counts() == (0, 0, 0, 0)
    assignment = make(org, "hr_a", "org_unit", "DEP-A")
    assert client.post(f"/assignments/{assignment.id}/cancel").status_code == 400
    session.refresh(assignment)
    assert assignment.cancelled_at is None


def test_hr_cancels_in_scope_but_not_outside_it(org, courses, sign_in):
    mine = make(org, "hr_a", "org_unit", "DIV-A1")
    theirs = make(org, "hr_cm", "province", "TH-50", course="c2")
    client = sign_in("hr_a")
    token = csrf_token(client, "/assignments")
    assert client.post(f"/assignments/{theirs.id}/cancel", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/assignments/{mine.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert f"Assignment {mine.id} is cancelled." in client.get("/assignments").get_data(as_text=True)
    assert set(required(org)) == {("a2_gen", "c2"), ("cm_prac", "c2")}
    session.refresh(mine)
    assert mine.cancelled_by_id == org.user("hr_a").id


def test_learners_may_not_use_the_hr_pages(org, sign_in):
    client = sign_in("a_exec")
    assert client.get("/assignments").status_code == 403
    assert client.get("/assignments/new").status_code == 403


def test_a_bad_page_number_is_a_400(org, sign_in):
    response = sign_in("admin").get("/assignments?page=two")
    assert response.status_code == 400
    assert "The page number must be a whole number from 1." in response.get_data(as_text=True)


def test_a_page_number_too_big_for_the_database_is_a_400(org, sign_in):
    response = sign_in("admin").get("/assignments?page=99999999999999999999")
    assert response.status_code == 400
    assert "The page number must be a whole number from 1." in response.get_data(as_text=True)


def test_my_learning_shows_required_courses_first_with_due_date_and_overdue(org, courses, sign_in):
    late = make(org, "admin", "users", ["a_exec@example.org"], course="c2")
    make(org, "admin", "users", ["a_exec@example.org"], course="c1")
    late.due_on = date.today() - timedelta(days=400)  # made long ago, now past due
    session.flush()
    service.expansion.recompute(course_ids=[courses["c2"].id])
    session.commit()
    client = sign_in("a_exec")
    page = client.get("/learning").get_data(as_text=True)
    required_part, rest = page.split('id="progress-heading"')
    assert (
        required_part.index("Course c2") < required_part.index("Overdue") < required_part.index("Course c1")
    )
    assert required_part.count("Overdue") == 1
    assert "Due on 30 June 2099" in required_part
    assert "Course c1" not in rest and "Course c2" not in rest
    client.set_cookie("lms_lang", "th")
    thai = client.get("/learning").get_data(as_text=True)
    assert "30 มิถุนายน พ.ศ. 2642" in thai


def test_a_completed_required_course_is_not_overdue(org, courses, sign_in):
    from lms.courses import service as learning

    assignment = make(org, "admin", "users", ["a1_prac@example.org"], course="c1")
    learner = org.user("a1_prac")
    course = learning.course_by_slug("c1")
    learning.enrol(learner, course)
    learning.launch(learner, course)
    for lesson in learning.lessons_in_order(course):
        learning.leave_lesson(learner, course, lesson, 60, complete=True)
    assignment.due_on = date.today() - timedelta(days=1)
    session.flush()
    service.expansion.recompute(course_ids=[course.id])
    session.commit()
    page = sign_in("a1_prac").get("/learning").get_data(as_text=True)
    assert "Completed on" in page and "Overdue" not in page
