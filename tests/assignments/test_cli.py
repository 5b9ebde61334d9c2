"""``flask lms assignments create|list|cancel|refresh``, and enrolment on real RQ workers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from lms.accounts.models import OrgUnit
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.extensions import session
from lms.jobs.models import Job
from lms.progress.models import Enrolment
from tests.assignments.conftest import people_for, required

DUE = "2099-06-30"


def run(runner, *args):
    return runner.invoke(args=["lms", "assignments", *args])


def counts():
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Assignment, AssignmentUser, RequiredCourse, Job)
    )


def enrolled(org, course_id: int) -> set[str]:
    keys = {org.user(k).id: k for k in org.people}
    return {
        keys[uid]
        for uid in session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course_id))
    }


def test_create_for_a_unit_enrols_its_people_and_waits_for_the_job(org, courses, runner):
    result = run(
        runner, "create", "--course", "c1", "--unit", "DEP-A", "--due", DUE, "--by", "hr_a@example.org"
    )
    assert result.exit_code == 0, result.output
    assert "enrolling 3 people" in result.output
    assert "enrolment done: 3 done, 0 failed of 3" in result.output
    session.expire_all()
    assert people_for(org, "c1") == {"a_exec", "a1_prac", "a2_gen"}
    assert enrolled(org, courses["c1"].id) == {"a_exec", "a1_prac", "a2_gen"}


def test_create_a_path_for_listed_people_and_a_staff_group(org, courses, runner):
    result = run(
        runner,
        "create",
        "--path",
        "path-12",
        "--users",
        "b1_prac@example.org,cm_prac@example.org",
        "--due",
        DUE,
        "--by",
        "admin@example.org",
    )
    assert result.exit_code == 0, result.output
    result = run(
        runner,
        "create",
        "--course",
        "c3",
        "--staff-group",
        "executive",
        "--due",
        DUE,
        "--by",
        "hr_cm@example.org",
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert set(required(org)) == {
        ("b1_prac", "c1"),
        ("b1_prac", "c2"),
        ("cm_prac", "c1"),
        ("cm_prac", "c2"),
    }  # hr_cm's scope (TH-50) holds no executive


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--course", "c1", "--due", DUE, "--by", "admin@example.org"], "give exactly one of"),
        (
            [
                "--course",
                "c1",
                "--unit",
                "DEP-A",
                "--province",
                "TH-10",
                "--due",
                DUE,
                "--by",
                "admin@example.org",
            ],
            "give exactly one of",
        ),
        (
            ["--course", "c1", "--unit", "DEP-A", "--due", DUE, "--by", "a_exec@example.org"],
            "is not an active HR",
        ),
        (
            ["--course", "c1", "--unit", "DEP-A", "--due", DUE, "--by", "who@example.org"],
            "is not an active HR",
        ),
        (
            ["--course", "c1", "--unit", "DEP-A", "--due", "30/06/2099", "--by", "admin@example.org"],
            "YYYY-MM-DD",
        ),
        (
            ["--course", "c1", "--unit", "DEP-A", "--due", "2001-01-01", "--by", "admin@example.org"],
            "in the past",
        ),
        (
            ["--course", "c1", "--unit", "DEP-B", "--due", DUE, "--by", "hr_a@example.org"],
            "The org unit DEP-B is outside your HR scope.",
        ),
        (
            [
                "--course",
                "c1",
                "--users",
                "a1_prac@example.org,cm_prac@example.org",
                "--due",
                DUE,
                "--by",
                "hr_a@example.org",
            ],
            "No active user in your HR scope has the email(s): cm_prac@example.org.",
        ),
        (
            ["--path", "nope", "--unit", "DEP-A", "--due", DUE, "--by", "admin@example.org"],
            "No learning path",
        ),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(org, courses, runner, args, message):
    result = run(runner, "create", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert counts() == (0, 0, 0, 0)


def test_list_and_cancel(org, courses, runner):
    run(runner, "create", "--course", "c1", "--unit", "DEP-A", "--due", DUE, "--by", "hr_a@example.org")
    run(runner, "create", "--course", "c2", "--province", "TH-50", "--due", DUE, "--by", "hr_cm@example.org")
    session.expire_all()
    first, second = session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
    listing = run(runner, "list").output
    assert (
        f"{first}\tcourse c1\tunit DEP-A and sub-units\tdue 2099-06-30\t3 people\tby hr_a@example.org"
        in listing
    )
    assert f"{second}\tcourse c2\tprovince TH-50\tdue 2099-06-30\t2 people\tby hr_cm@example.org" in listing
    refused = run(runner, "cancel", str(second), "--by", "hr_a@example.org")
    assert refused.exit_code == 1 and f"Assignment {second} is outside your HR scope." in refused.output
    assert (
        run(runner, "cancel", "999", "--by", "admin@example.org").output.strip()
        == "Error: no assignment has the id 999"
    )
    done = run(runner, "cancel", str(second), "--by", "hr_cm@example.org")
    assert done.exit_code == 0 and f"assignment {second} cancelled" in done.output
    session.expire_all()
    assert people_for(org, "c2") == set()
    assert f"{second}\t" not in run(runner, "list").output
    assert (
        f"{second}\tcourse c2\tprovince TH-50\tdue 2099-06-30\tcancelled"
        in run(runner, "list", "--all").output
    )


def test_refresh_follows_a_change_of_the_org_tree(org, courses, runner):
    run(runner, "create", "--course", "c1", "--unit", "DEP-A", "--due", DUE, "--by", "admin@example.org")
    session.get(OrgUnit, org.units["DEP-B"]).parent_id = org.units["DEP-A"]
    session.commit()
    assert run(runner, "refresh").exit_code == 0
    session.expire_all()
    assert people_for(org, "c1") == {"a_exec", "a1_prac", "a2_gen", "b_exec", "b1_prac"}


def test_with_redis_the_enrolment_runs_on_an_rq_worker(org, courses, app_factory):
    from lms.jobs import service as jobs
    from lms.jobs.worker import Worker

    c2 = courses["c2"].id  # read here: the fixtures' objects belong to the other app's session
    queue_name = f"lms-test-{uuid.uuid4().hex[:8]}"
    rq_app = app_factory(LMS_REDIS_URL="redis://127.0.0.1:6379/14", LMS_JOBS_QUEUE=queue_name)
    with rq_app.app_context():
        result = rq_app.test_cli_runner().invoke(
            args=[
                "lms",
                "assignments",
                "create",
                "--course",
                "c2",
                "--province",
                "TH-10",
                "--due",
                DUE,
                "--by",
                "admin@example.org",
            ]
        )
        assert result.exit_code == 0, result.output
        assert "enrolling 3 people" in result.output and "enrolment done" not in result.output
        queue = jobs.rq_queue()
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 0
        Worker([queue], connection=queue.connection, name=f"{queue_name}-w").work(burst=True)
        session.expire_all()
        job = session.scalar(select(Job))
        assert (job.status, job.done, job.total) == ("done", 3, 3)
        assert enrolled(org, c2) == {"a_exec", "a1_prac", "b_exec"}
        queue.delete(delete_jobs=True)
        session.remove()
