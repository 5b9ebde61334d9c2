"""People who join or move through the staff import get (or lose) their required courses."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms.accounts import staff_import
from lms.assignments import service
from lms.extensions import session
from lms.progress.models import Enrolment
from tests.assignments.conftest import people_for, wait_for_jobs
from tests.conftest import post_form

DUE = date(2099, 6, 30)
HEADER = "email,first_name_th,last_name_th,staff_group,org_unit_code,province_code\n"


def import_rows(rows: str):
    report = staff_import.import_staff("staff.csv", (HEADER + rows).encode(), 20000)
    assert report.ok, report.errors
    session.commit()
    return report


def enrolments() -> int:
    return session.scalar(select(func.count()).select_from(Enrolment))


def test_an_import_adds_the_newcomer_enrols_them_and_moves_the_mover(org, courses):
    service.create_assignment(
        org.user("admin"), due_on=DUE, target_kind="org_unit", target="DEP-A", course_slug="c1"
    )
    session.commit()
    import_rows(
        "new@example.org,ใหม่,มาก,general,DIV-A2,TH-10\n"
        "a1_prac@example.org,ทดสอบ,ย้าย,practitioner,DIV-B1,TH-10\n"
    )
    # new@ joins DIV-A2 (in DEP-A); a1_prac moves out to DIV-B1.
    assert people_for(org, "c1") == {"a_exec", "a2_gen", "new@example.org"}
    enrolled = session.scalars(select(Enrolment.user_id)).all()
    assert enrolled == [staff_import.find_by_email("new@example.org").id]


def test_a_large_import_leaves_enrolment_to_a_job_an_admin_starts(org, courses, sign_in):
    service.create_assignment(
        org.user("admin"), due_on=DUE, target_kind="org_unit", target="DIV-B1", course_slug="c1"
    )
    session.commit()
    newcomers = service.INLINE_ENROL_LIMIT + 1
    import_rows("".join(f"n{i}@example.org,ใหม่,{i},general,DIV-B1,TH-90\n" for i in range(newcomers)))
    covered = session.scalar(
        select(func.count()).select_from(service.RequiredCourse).where(service.RequiredCourse.due_on == DUE)
    )
    assert covered == newcomers + 1  # and b1_prac, who was there before
    assert enrolments() == 0
    client = sign_in("admin")
    page = client.get("/assignments").get_data(as_text=True)
    assert (
        f"Enrolments required but not made yet (for example after a large staff import): {newcomers + 1}."
        in page
    )
    response = post_form(client, "/assignments/enrol-pending", page="/assignments")
    assert response.status_code == 302
    (job,) = wait_for_jobs()
    assert (job.status, job.done, job.total) == ("done", newcomers + 1, newcomers + 1)
    assert enrolments() == newcomers + 1
    assert "Enrolments required but not made yet" not in client.get("/assignments").get_data(as_text=True)


def test_only_admins_start_the_pending_enrolment(org, sign_in):
    client = sign_in("hr_a")
    token_page = client.get("/assignments")
    assert token_page.status_code == 200
    response = post_form(client, "/assignments/enrol-pending", page="/assignments/new")
    assert response.status_code == 403
