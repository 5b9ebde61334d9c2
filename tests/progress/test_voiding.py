"""Voiding a statement: only its registration is re-derived; a voided course completion takes
back its certificate; administrators void from the learner's record page and the CLI."""

import json

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.audit.models import AuditEntry
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.vocabulary import VERBS
from lms.xapi.voiding import VoidError, void_statement
from tests.conftest import login, make_course, make_user, post_form


def statement_of(user, verb: str, object_suffix: str) -> StoredStatement:
    return session.scalar(
        select(StoredStatement).where(
            StoredStatement.user_id == user.id,
            StoredStatement.verb_id == VERBS[verb],
            StoredStatement.object_id.endswith(object_suffix),
        )
    )


@pytest.fixture
def world(app, users):
    """Two learners who each completed the one-lesson course (and got a certificate)."""
    course = make_course("void-course", modules=1, lessons_per_module=2)
    learners = [make_user(email=f"v{i}@example.org") for i in range(2)]
    for learner in learners:
        courses.enrol(learner, course)
        for lesson in courses.lessons_in_order(course):
            courses.leave_lesson(learner, course, lesson, 120, complete=True)
    session.commit()
    return course, learners, users["admin"]


def test_voiding_a_lesson_completion_rederives_only_that_enrolment(world, count_queries):
    course, (pat, sam), admin = world
    target = statement_of(pat, "completed", "/lessons/m1-l1")
    sams_before = session.get(Enrolment, courses.enrolment_for(sam, course).registration).completed_at
    void_statement(target.id, "Recorded by mistake", admin)
    session.commit()
    session.expire_all()
    pats = courses.enrolment_for(pat, course)
    row = session.get(LessonProgress, (pats.registration, "m1-l1"))
    assert row.completed_at is None and row.time_spent_seconds == 120  # the time stays: it was not voided
    assert courses.progress(course, pats).percent == 50
    assert courses.enrolment_for(sam, course).completed_at == sams_before
    assert session.get(
        LessonProgress, (courses.enrolment_for(sam, course).registration, "m1-l1")
    ).completed_at


def test_voiding_a_course_completion_revokes_its_certificate_and_voids_earned(world):
    course, (pat, _sam), admin = world
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == pat.id))
    assert certificate is not None and certificate.revoked_at is None
    completed = statement_of(pat, "completed", "/courses/void-course")
    void_statement(completed.id, "Completed on another learner's account", admin)
    session.commit()
    session.expire_all()
    certificate = session.get(Certificate, certificate.id)
    assert certificate.revoked_at is not None and certificate.revoked_reason == "voided"
    assert certificate.revoked_by_id == admin.id
    earned = statement_of(pat, "earned", f"/certificates/{certificate.serial}")
    assert earned.is_voided
    voiding = session.scalars(
        select(StoredStatement)
        .where(StoredStatement.verb_id == VERBS["voided"])
        .order_by(StoredStatement.seq)
    ).all()
    assert [json.loads(v.raw)["object"]["id"] for v in voiding] == [completed.id, earned.id]
    assert {json.loads(v.raw)["actor"]["account"]["name"] for v in voiding} == {admin.uuid}
    assert courses.enrolment_for(pat, course).completed_at is None
    entry = session.scalar(select(AuditEntry))
    assert (entry.actor_id, entry.action, entry.subject) == (
        admin.id,
        "statement.void",
        f"statement:{completed.id}",
    )
    assert entry.reason == "Completed on another learner's account"


def test_re_completing_after_a_voided_completion_issues_a_new_certificate(world):
    course, (pat, _sam), admin = world
    first = session.scalar(select(Certificate).where(Certificate.user_id == pat.id))
    void_statement(statement_of(pat, "completed", "/courses/void-course").id, "Wrong course", admin)
    void_statement(statement_of(pat, "completed", "/lessons/m1-l2").id, "Wrong course", admin)
    session.commit()
    courses.leave_lesson(pat, course, courses.lessons_in_order(course)[1], 60, complete=True)
    session.commit()
    certificates = session.scalars(
        select(Certificate).where(Certificate.user_id == pat.id).order_by(Certificate.issue_number)
    ).all()
    assert [c.issue_number for c in certificates] == [1, 2]
    assert certificates[0].serial == first.serial and certificates[0].revoked_at is not None
    assert certificates[1].serial != first.serial and certificates[1].status == "valid"
    assert courses.enrolment_for(pat, course).completed_at is not None


def test_only_an_administrator_may_void_and_bad_requests_change_nothing(world, users):
    _course, (pat, _sam), admin = world
    target = statement_of(pat, "completed", "/lessons/m1-l1")
    before = session.scalar(select(func.count()).select_from(StoredStatement))
    for role in ("learner", "trainer", "hr"):
        with pytest.raises(VoidError, match="ผู้ดูแลระบบ"):
            void_statement(target.id, "reason", users[role])
    with pytest.raises(VoidError, match="เหตุผล"):
        void_statement(target.id, "   ", admin)
    with pytest.raises(VoidError, match="ไม่ใช่รหัสของรายการ"):
        void_statement("not-a-uuid", "reason", admin)
    with pytest.raises(VoidError, match="ไม่มีรายการ"):
        void_statement("0b7e3b4e-5d6c-4f4e-9a55-3b9b1d2c8e11", "reason", admin)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StoredStatement)) == before
    void_statement(target.id, "reason", admin)
    with pytest.raises(VoidError, match="ถูกยกเลิกแล้ว"):
        void_statement(target.id, "again", admin)
    voiding = statement_of(admin, "voided", "")
    with pytest.raises(VoidError, match="ยกเลิกรายการที่เป็นการยกเลิก"):
        void_statement(voiding.id, "reason", admin)


def test_admin_voids_from_the_learners_record_page(world, client, users, app):
    _course, (pat, _sam), admin = world
    target = statement_of(pat, "completed", "/lessons/m1-l1")
    page_url = f"/admin/users/{pat.id}/record"
    for role in ("learner", "trainer", "hr"):
        other = app.test_client()
        login(other, users[role].email)
        assert other.get(page_url).status_code == 403
        # A valid CSRF token (from a page they may see) does not help: the role check refuses.
        forged = post_form(other, f"{page_url}/void", {"statement_id": target.id, "reason": "x"}, page="/")
        assert forged.status_code == 403
    login(client, admin.email)
    page = client.get(page_url).get_data(as_text=True)
    assert target.id in page and "ยกเลิกรายการ" in page
    missing_reason = post_form(
        client, f"{page_url}/void", {"statement_id": target.id, "reason": ""}, page=page_url
    )
    assert missing_reason.status_code == 400 and "ระบุเหตุผล" in missing_reason.get_data(as_text=True)
    no_csrf = client.post(f"{page_url}/void", data={"statement_id": target.id, "reason": "x"})
    assert no_csrf.status_code == 400
    session.expire_all()
    assert not session.get(StoredStatement, target.seq).is_voided
    done = post_form(
        client, f"{page_url}/void", {"statement_id": target.id, "reason": "Mistake"}, page=page_url
    )
    assert done.status_code == 302
    after = client.get(page_url).get_data(as_text=True)
    assert "ถูกยกเลิก" in after
    session.expire_all()
    assert session.get(StoredStatement, target.seq).is_voided
    # The learner sees it marked in their own record, page and JSON.
    learner_client = app.test_client()
    login(learner_client, pat.email)
    assert "ถูกยกเลิก" in learner_client.get("/learning/record").get_data(as_text=True)
    entries = json.loads(learner_client.get("/learning/record.json").data)
    assert [e["voided"] for e in entries if e["statement"]["id"] == target.id] == [True]
    assert not any(e["voided"] for e in entries if e["statement"]["id"] != target.id)


def test_cli_voids_with_a_reason_and_refuses_bad_input(world, runner):
    _course, (pat, _sam), admin = world
    target = statement_of(pat, "completed", "/lessons/m1-l1")
    no_reason = runner.invoke(args=["lms", "xapi", "void", target.id, "--by", admin.email])
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    nobody = runner.invoke(args=["lms", "xapi", "void", target.id, "--reason", "x", "--by", "no@example.org"])
    assert nobody.exit_code == 1 and "no@example.org" in nobody.output
    not_admin = runner.invoke(args=["lms", "xapi", "void", target.id, "--reason", "x", "--by", pat.email])
    assert not_admin.exit_code == 1 and "ผู้ดูแลระบบ" in not_admin.output
    unknown = runner.invoke(
        args=[
            "lms",
            "xapi",
            "void",
            "0b7e3b4e-5d6c-4f4e-9a55-3b9b1d2c8e11",
            "--reason",
            "x",
            "--by",
            admin.email,
        ]
    )
    assert unknown.exit_code == 1
    session.expire_all()
    assert not session.get(StoredStatement, target.seq).is_voided
    done = runner.invoke(
        args=["lms", "xapi", "void", target.id, "--reason", "Duplicate", "--by", admin.email]
    )
    assert done.exit_code == 0, done.output
    assert f"Statement {target.id} voided" in done.output
    session.expire_all()
    assert session.get(StoredStatement, target.seq).is_voided
    assert session.scalar(select(AuditEntry.reason)) == "Duplicate"


def test_external_lrss_receive_the_voids_in_ledger_order(world, app_factory):
    """The admin's void is queued before the void of 'earned' it sets off."""
    _course, (pat, _sam), admin = world
    completed_id = statement_of(pat, "completed", "/courses/void-course").id
    admin_id = admin.id
    forwarding = app_factory(LMS_XAPI_FORWARD_TO=("https://lrs.example/xapi/statements",))
    with forwarding.app_context():
        void_statement(completed_id, "Wrong learner", session.get(User, admin_id))
        session.commit()
        queued = session.scalars(select(OutboxEntry.statement_id).order_by(OutboxEntry.id)).all()
        objects = [
            json.loads(session.scalar(select(StoredStatement.raw).where(StoredStatement.id == sid)))["object"]
            for sid in queued
        ]
        session.remove()
    assert [o["objectType"] for o in objects] == ["StatementRef", "StatementRef"]
    assert objects[0]["id"] == completed_id
