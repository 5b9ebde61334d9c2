"""The draft service: a published version's files, saved one at a time, stale saves refused."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from lms.accounts.policy import NotAllowed
from lms.audit.models import AuditEntry
from lms.authoring import drafts
from lms.authoring.models import CourseOwner
from lms.extensions import session
from tests.conftest import make_user


def test_a_new_draft_holds_the_published_files(course, owner):
    draft = drafts.draft_of(owner, course)
    snap = drafts.snapshot(draft)
    assert snap.texts == course.current_version.package["files"]
    assert drafts.changed_paths(draft) == []


def test_a_save_from_an_old_revision_is_refused_and_writes_nothing(course, owner):
    other = make_user(Role.TRAINER)
    session.add(CourseOwner(course_id=course.id, user_id=other.id))
    draft = drafts.draft_of(owner, course)
    path = "lessons/m1-l1.md"
    start = drafts.revision(draft, path)
    original = drafts.text(draft, path)
    drafts.save_text(draft, other, path, original + "\nเพิ่มโดยผู้สอนอีกคน\n", start)
    with pytest.raises(drafts.StaleEdit) as refused:
        drafts.save_text(draft, owner, path, original + "\nของฉัน\n", start)
    assert "ของฉัน" not in drafts.text(draft, path)
    assert "เพิ่มโดยผู้สอนอีกคน" in drafts.text(draft, path)
    assert refused.value.file.revision == start + 1
    assert drafts.changed_paths(draft) == [path]


def test_every_save_is_audited_with_its_diff(course, owner):
    draft = drafts.draft_of(owner, course)
    path = "lessons/m1-l2.md"
    drafts.save_text(
        draft, owner, path, drafts.text(draft, path) + "บรรทัดใหม่\n", drafts.revision(draft, path)
    )
    session.commit()
    entry = session.query(AuditEntry).filter_by(action="authoring.file_saved").one()
    assert entry.actor_id == owner.id
    assert entry.details["path"] == path
    assert "+บรรทัดใหม่" in entry.details["diff"]


def test_a_trainer_who_does_not_own_the_course_is_refused(course):
    stranger = make_user(Role.TRAINER)
    with pytest.raises(NotAllowed):
        drafts.draft_of(stranger, course)


def test_a_path_outside_the_package_format_is_refused(course, owner):
    draft = drafts.draft_of(owner, course)
    for path in ("../etc/passwd", "notes.txt", "lessons/../../x.md", "/lessons/a.md"):
        with pytest.raises(drafts.DraftPathError):
            drafts.save_text(draft, owner, path, "x", 0)
