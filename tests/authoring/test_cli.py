"""``flask lms authoring ...``: owners, publish and rollback from a shell, held to the browser's rules."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.authoring import drafts
from lms.content.models import Course
from lms.extensions import session
from tests.authoring.test_publishing import SLUG, add_owner, lesson_md, published_course, save
from tests.conftest import make_user


@pytest.fixture
def course(app, tmp_path):
    return published_course(tmp_path)


def run(runner, *args):
    return runner.invoke(args=["lms", "authoring", *args])


def test_an_admin_makes_a_trainer_an_owner_once(runner, course):
    admin = make_user(Role.ADMIN)
    trainer = make_user(Role.TRAINER)
    first = run(runner, "add-owner", SLUG, trainer.email, "--by", admin.email)
    assert first.exit_code == 0, first.output
    again = run(runner, "add-owner", SLUG, trainer.email, "--by", admin.email)
    assert again.exit_code == 0 and "already owns" in again.output
    listed = run(runner, "owners", SLUG)
    assert listed.output.split() == [trainer.email]
    assert session.query(AuditEntry).filter_by(action="authoring.owner_added").count() == 1


def test_a_learner_cannot_be_made_an_owner_and_a_stranger_cannot_add_one(runner, course):
    admin = make_user(Role.ADMIN)
    learner = make_user(Role.LEARNER)
    refused = run(runner, "add-owner", SLUG, learner.email, "--by", admin.email)
    assert refused.exit_code == 1 and f"{learner.email} ไม่ใช่ผู้สอนที่ใช้งานอยู่" in refused.output
    stranger = make_user(Role.TRAINER)
    other = make_user(Role.TRAINER)
    refused = run(runner, "add-owner", SLUG, other.email, "--by", stranger.email)
    assert refused.exit_code == 1 and "ไม่ใช่เจ้าของหลักสูตร draft-course" in refused.output
    assert run(runner, "owners", SLUG).output.strip() == ""


def test_the_owner_publishes_the_draft_and_rolls_back(runner, course):
    owner = add_owner(course)
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "lessons/m1-l1.md", lesson_md("m1-l1", "บทแรก", "แก้จากเชลล์"))
    session.commit()
    published = run(runner, "publish", SLUG, "--by", owner.email)
    assert published.exit_code == 0, published.output
    assert "published version 2" in published.output
    rolled = run(runner, "rollback", SLUG, "1", "--by", owner.email)
    assert rolled.exit_code == 0, rolled.output
    session.expire_all()
    versions = session.get(Course, course.id).versions
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].content_hash == versions[0].content_hash


def test_a_draft_with_errors_is_not_published_and_the_problems_are_printed(runner, course):
    owner = add_owner(course)
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "lessons/m1-l1.md", "no front matter\n")
    session.commit()
    refused = run(runner, "publish", SLUG, "--by", owner.email)
    assert refused.exit_code == 1
    assert "lessons/m1-l1.md" in refused.output
    session.expire_all()
    assert [v.number for v in session.get(Course, course.id).versions] == [1]


def test_a_trainer_who_does_not_own_the_course_cannot_publish(runner, course):
    stranger = make_user(Role.TRAINER)
    refused = run(runner, "publish", SLUG, "--by", stranger.email)
    assert refused.exit_code == 1 and "ไม่ใช่เจ้าของหลักสูตร draft-course" in refused.output
