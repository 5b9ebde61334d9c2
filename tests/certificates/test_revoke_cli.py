"""Revoking and re-issuing on someone's behalf: held to the HR scope on the command line as in
the browser, and two revocations at once cannot overwrite each other's reason and author."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.certificates import service
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from tests.accounts.policy_world import World, build_world
from tests.conftest import PASSWORD, login, make_course, post_form


@pytest.fixture
def world(app) -> World:
    return build_world(password=PASSWORD)


def certify(world: World, key: str, slug: str) -> str:
    """Complete a one-lesson course as ``key``; the serial of the certificate it issues."""
    user = world.user(key)
    course = make_course(slug, modules=1, lessons_per_module=1)
    courses.enrol(user, course)
    courses.leave_lesson(user, course, courses.lessons_in_order(course)[0], 60, complete=True)
    session.commit()
    return session.scalar(select(Certificate.serial).where(Certificate.user_id == user.id))


def stored(serial: str) -> Certificate:
    session.expire_all()
    return service.by_serial(serial)


def test_revoke_on_the_command_line_within_the_hr_scope_only(world, runner):
    inside, outside = certify(world, "inside", "rv-in"), certify(world, "outside", "rv-out")

    def revoke(serial: str, by: str):
        args = ["lms", "certificates", "revoke", serial, "--reason", "ชื่อสะกดผิด", "--by", World.email(by)]
        return runner.invoke(args=args)

    out_of_scope = revoke(outside, "hr_unit")
    assert out_of_scope.exit_code == 1
    assert outside in out_of_scope.stderr and "นอกขอบเขตงานบุคคลของคุณ" in out_of_scope.stderr
    other_hr = revoke(inside, "hr_province")
    assert other_hr.exit_code == 1 and "นอกขอบเขตงานบุคคลของคุณ" in other_hr.stderr
    learner = revoke(inside, "learner")
    assert learner.exit_code == 1 and "is not an admin or HR user" in learner.stderr
    assert stored(outside).revoked_at is None and stored(inside).revoked_at is None

    done = revoke(inside, "hr_unit")
    assert done.exit_code == 0, done.output
    revoked = stored(inside)
    assert (revoked.revoked_reason, revoked.revoked_by_id) == ("ชื่อสะกดผิด", world.ids["hr_unit"])
    again = revoke(inside, "admin")
    assert again.exit_code == 1 and "ถูกเพิกถอนไปแล้ว" in again.stderr  # already revoked
    assert stored(inside).revoked_by_id == world.ids["hr_unit"]


def test_reissue_on_the_command_line_within_the_hr_scope_only(world, runner):
    serial = certify(world, "northern", "ri-north")

    def reissue(by: str):
        return runner.invoke(args=["lms", "certificates", "reissue", serial, "--by", World.email(by)])

    refused = reissue("hr_unit")
    assert refused.exit_code == 1 and serial in refused.stderr
    assert "นอกขอบเขตงานบุคคลของคุณ" in refused.stderr
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert stored(serial).superseded_by_id is None
    done = reissue("hr_province")
    assert done.exit_code == 0, done.output
    new_serial = done.output.split()[-1]
    assert stored(serial).superseded_by_id == service.by_serial(new_serial).id
    assert reissue("admin").exit_code == 1  # already re-issued


def test_two_simultaneous_revocations_keep_the_first_reason_and_author(app, world):
    """Both load the live certificate, then write; the second waits on the first's row lock
    and must then find it revoked, not overwrite it."""
    serial = certify(world, "inside", "rv-race")
    session.commit()
    loaded, first_wrote = threading.Barrier(2, timeout=10), threading.Event()
    outcome: dict[str, str] = {}

    def revoke(key: str, reason: str) -> None:
        with app.app_context():
            certificate, actor = service.by_serial(serial), session.get(User, world.ids[key])
            loaded.wait()
            if key == "admin":
                first_wrote.wait(10)
            try:
                service.revoke(certificate, reason, actor)
                if key == "hr_unit":
                    first_wrote.set()
                    threading.Event().wait(0.5)  # hold the row while the other tries
                session.commit()
                outcome[key] = "revoked"
            except service.AlreadyRevoked as exc:
                session.rollback()
                outcome[key] = str(exc)
            finally:
                first_wrote.set()
                session.remove()

    threads = [
        threading.Thread(target=revoke, args=("hr_unit", "ชื่อผิด")),
        threading.Thread(target=revoke, args=("admin", "หลักสูตรผิด")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["hr_unit"] == "revoked"
    assert outcome["admin"] == f"เกียรติบัตร {serial} ถูกเพิกถอนไปแล้ว"
    revoked = stored(serial)
    assert (revoked.revoked_reason, revoked.revoked_by_id) == ("ชื่อผิด", world.ids["hr_unit"])


def test_a_second_revocation_in_the_browser_is_a_conflict(app, world):
    serial = certify(world, "inside", "rv-page")
    page = f"/certificates/manage/{serial}"
    first, second = app.test_client(), app.test_client()
    for client, key in ((first, "hr_unit"), (second, "admin")):
        assert login(client, World.email(key)).status_code == 302
    forms = [client.get(page).get_data(as_text=True) for client in (first, second)]
    assert all('id="revoke-submit"' in form for form in forms)  # both pages offer it
    done = post_form(first, f"{page}/revoke", {"reason": "ชื่อผิด"}, page=page)
    assert done.status_code == 302
    late = post_form(second, f"{page}/revoke", {"reason": "ซ้ำ"}, page=page)
    assert late.status_code == 409 and "ถูกเพิกถอนไปแล้ว" in late.get_data(as_text=True)
    revoked = stored(serial)
    assert (revoked.revoked_reason, revoked.revoked_by_id) == ("ชื่อผิด", world.ids["hr_unit"])
    outsider = app.test_client()
    assert login(outsider, World.email("hr_province")).status_code == 302
    assert outsider.get(page).status_code == 404
