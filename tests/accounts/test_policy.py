"""Authorization in one place: the policy's scopes, and every command that acts on someone's
behalf (``--by``) held to them: in scope it works; out of scope, or with the wrong role, it is
refused with the reason on stderr, a non-zero exit, and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts import policy
from lms.api import tokens
from lms.api.models import ApiToken
from lms.assignments.models import Assignment
from lms.assignments.service import local_today
from lms.audit.models import AuditEntry
from lms.courses import service as courses
from lms.extensions import session
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from tests.accounts.policy_world import World, build_world
from tests.conftest import make_course

OUT_OF_SCOPE_TH = "อยู่นอกขอบเขตงานบุคคลของคุณ"  # "... is outside your HR scope"


@pytest.fixture
def world(app) -> World:
    return build_world()


def test_scopes_by_unit_by_province_and_by_role(world):
    people = {key: world.ids[key] for key in ("inside", "outside", "northern")}
    reached = {
        actor: {key for key, uid in people.items() if policy.scope_of(world.user(actor)).includes(uid)}
        for actor in ("hr_unit", "hr_province", "admin", "learner")
    }
    assert reached == {
        "hr_unit": {"inside"},
        "hr_province": {"northern"},
        "admin": {"inside", "outside", "northern"},
        "learner": set(),
    }
    inside = world.ids["inside"]
    assert policy.may(world.user("hr_unit"), policy.MANAGE_CERTIFICATES, inside)
    assert not policy.may(world.user("learner"), policy.MANAGE_CERTIFICATES, inside)
    admin = world.user("admin")
    admin.is_active = False
    assert not policy.may(admin, policy.MANAGE_CERTIFICATES, inside)


def _statement_of(user_id: int) -> str:
    return session.scalar(
        select(StoredStatement.id).where(
            StoredStatement.user_id == user_id, StoredStatement.verb_id == VERBS["registered"]
        )
    )


def test_xapi_void_only_by_an_active_administrator(world, runner):
    course = make_course("policy-void", modules=1, lessons_per_module=1)
    courses.enrol(world.user("inside"), course)
    session.commit()
    target = _statement_of(world.ids["inside"])

    def void(by: str):
        return runner.invoke(args=["lms", "xapi", "void", target, "--reason", "ซ้ำ", "--by", World.email(by)])

    hr = void("hr_unit")
    assert hr.exit_code == 1 and "ผู้ดูแลระบบ" in hr.stderr  # "only an administrator"
    world.user("admin").is_active = False
    session.commit()
    inactive = void("admin")
    assert inactive.exit_code == 1 and World.email("admin") in inactive.stderr
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert not session.scalar(select(StoredStatement.is_voided).where(StoredStatement.id == target))
    world.user("admin").is_active = True
    session.commit()
    done = void("admin")
    assert done.exit_code == 0, done.output
    session.expire_all()
    assert session.scalar(select(StoredStatement.is_voided).where(StoredStatement.id == target))


def test_api_token_revoke_only_by_its_owner_or_an_administrator(world, runner):
    token, _plain = tokens.create_token(world.user("hr_unit"), "nightly")
    session.commit()
    token_id = str(token.id)

    def revoke(by: str):
        return runner.invoke(args=["lms", "api", "tokens", "revoke", token_id, "--by", World.email(by)])

    other_hr = revoke("hr_province")
    assert other_hr.exit_code == 1 and "may not revoke" in other_hr.stderr
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is None
    with pytest.raises(policy.NotAllowed):
        tokens.revoke_token(session.get(ApiToken, token.id), world.user("hr_province"))
    session.rollback()
    assert revoke("admin").exit_code == 0
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is not None


def _assignments() -> int:
    return session.scalar(select(func.count()).select_from(Assignment))


def test_assignments_create_within_the_scope_only(world, runner):
    make_course("policy-assign", modules=1, lessons_per_module=1)
    due = (local_today() + timedelta(days=30)).isoformat()

    def create(by: str, *target: str):
        args = ["lms", "assignments", "create", "--course", "policy-assign", *target]
        return runner.invoke(args=[*args, "--due", due, "--by", World.email(by)])

    refused = {
        "unit": create("hr_unit", "--unit", "U-OUT"),
        "province": create("hr_unit", "--province", "TH-50"),
        "people": create("hr_unit", "--users", World.email("outside")),
        "other province": create("hr_province", "--unit", "U-IN"),
    }
    for what, result in refused.items():
        assert result.exit_code == 1, what
        assert "ขอบเขตงานบุคคลของคุณ" in result.stderr, (what, result.stderr)
    learner = create("learner", "--unit", "U-IN")
    assert learner.exit_code == 1 and "is not an active HR user or administrator" in learner.stderr
    assert _assignments() == 0
    assert create("hr_unit", "--unit", "U-IN").exit_code == 0
    assert create("hr_province", "--province", "TH-50").exit_code == 0
    assert _assignments() == 2


def test_assignments_cancel_within_the_scope_only(world, runner):
    make_course("policy-cancel", modules=1, lessons_per_module=1)
    due = (local_today() + timedelta(days=30)).isoformat()
    args = ["lms", "assignments", "create", "--course", "policy-cancel", "--unit", "U-OUT", "--due", due]
    assert runner.invoke(args=[*args, "--by", World.email("admin")]).exit_code == 0
    assignment_id = session.scalar(select(Assignment.id))

    def cancel(by: str):
        return runner.invoke(
            args=["lms", "assignments", "cancel", str(assignment_id), "--by", World.email(by)]
        )

    hr = cancel("hr_unit")
    assert hr.exit_code == 1 and OUT_OF_SCOPE_TH in hr.stderr
    learner = cancel("learner")
    assert learner.exit_code == 1 and "is not an active HR user or administrator" in learner.stderr
    session.expire_all()
    assert session.get(Assignment, assignment_id).cancelled_at is None
    assert cancel("admin").exit_code == 0
    session.expire_all()
    assert session.get(Assignment, assignment_id).cancelled_at is not None
