from sqlalchemy import select

from lms.extensions import session
from lms.progress.models import Enrolment
from tests.conftest import make_course, make_user


def test_hr_assignment_enrols_and_is_marked_assigned(runner):
    make_course()
    make_user(email="a@example.org")
    make_user(email="b@example.org")
    result = runner.invoke(
        args=["lms", "courses", "enrol", "test-course", "a@example.org", "b@example.org", "--assigned"]
    )
    assert result.exit_code == 0, result.output
    assert "2 enrolled in test-course" in result.output
    assert set(session.scalars(select(Enrolment.source))) == {"assignment"}


def test_enrol_refuses_unknown_people_and_courses_and_writes_nothing(runner):
    make_course()
    make_user(email="a@example.org")
    missing = runner.invoke(
        args=["lms", "courses", "enrol", "test-course", "a@example.org", "ghost@example.org"]
    )
    assert missing.exit_code == 1 and "no user has the email ghost@example.org" in missing.stderr
    unknown = runner.invoke(args=["lms", "courses", "enrol", "nope", "a@example.org"])
    assert unknown.exit_code == 1 and "no published course has the slug nope" in unknown.stderr
    assert session.scalars(select(Enrolment)).all() == []
