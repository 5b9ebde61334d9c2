"""The audit log for administrators, and the page showing another trainer's change to a file."""

from __future__ import annotations

import html
import re

import pytest

from lms.accounts.models import Role
from lms.audit.service import audit
from lms.authoring import drafts, publishing
from lms.extensions import session
from tests.authoring.test_publishing import SLUG, add_owner, lesson_md, published_course, save
from tests.conftest import login, make_user, post_form

PATH = "lessons/m1-l1.md"


@pytest.fixture
def course(app, tmp_path):
    return published_course(tmp_path)


@pytest.fixture
def owner(course):
    return add_owner(course)


@pytest.fixture
def other(course):
    return add_owner(course)


def signed_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def test_file_changes_shows_the_other_trainers_diff_and_the_current_text(app, course, owner, other):
    draft = drafts.draft_of(owner, course)
    opened_at = drafts.revision(draft, PATH)
    save(draft, other, PATH, lesson_md("m1-l1", "บทแรก", "ข้อความ <b>ของผู้สอนอีกคน</b>"))
    session.commit()
    page = signed_in(app, owner).get(f"/authoring/{SLUG}/changes?path={PATH}&since={opened_at}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert other.full_name() in text
    assert "+ข้อความ &lt;b&gt;ของผู้สอนอีกคน&lt;/b&gt;" in text  # the diff, escaped
    assert "-เนื้อหาฉบับเผยแพร่ของบทแรก" in text
    assert "<b>ของผู้สอนอีกคน</b>" not in text


def test_file_changes_leaves_out_saves_the_editor_had_already_seen(app, course, owner, other):
    draft = drafts.draft_of(owner, course)
    save(draft, other, PATH, lesson_md("m1-l1", "บทแรก", "การแก้ครั้งแรก"))
    seen = drafts.revision(draft, PATH)
    save(draft, other, PATH, lesson_md("m1-l1", "บทแรก", "การแก้ครั้งที่สอง"))
    session.commit()
    text = (
        signed_in(app, owner)
        .get(f"/authoring/{SLUG}/changes?path={PATH}&since={seen}")
        .get_data(as_text=True)
    )
    assert "+การแก้ครั้งที่สอง" in text
    assert "+การแก้ครั้งแรก" not in text


def test_a_stale_save_after_publishing_or_a_rollback_links_to_what_changed_the_file(
    app, course, owner, other
):
    """Publishing renumbers course.yaml in the draft and a rollback rewrites the draft's files:
    each is a new revision, so an editor's open page is stale, and the page its refusal links
    to shows that change, who made it and its diff (it used to say nobody had saved the file)."""
    other.first_name_th = "ผู้เผยแพร่"
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "lessons/m1-l2.md", lesson_md("m1-l2", "บทที่สอง", "แก้ก่อนเผยแพร่"))
    session.commit()
    client = signed_in(app, owner)
    page = client.get(f"/authoring/{SLUG}/structure").get_data(as_text=True)
    opened = re.search(r'name="revision" value="(\d+)"', page).group(1)
    publishing.publish(other, course)
    session.commit()
    refused = post_form(
        client,
        f"/authoring/{SLUG}/structure/modules",
        {"revision": opened, "key": "m9"},
        page=f"/authoring/{SLUG}/structure",
    )
    assert refused.status_code == 409
    link = html.unescape(re.search(r'href="([^"]*/changes\?[^"]*)"', refused.get_data(as_text=True)).group(1))
    assert link == f"/authoring/{SLUG}/changes?path=course.yaml&since={opened}"
    text = client.get(link).get_data(as_text=True)
    assert other.full_name() in text
    assert "-version: 1" in text and "+version: 2" in text

    seen = drafts.revision(drafts.draft_of(owner, course), "lessons/m1-l2.md")
    publishing.rollback(other, course, 1)
    session.commit()
    text = client.get(f"/authoring/{SLUG}/changes?path=lessons/m1-l2.md&since={seen}").get_data(as_text=True)
    assert other.full_name() in text and "-แก้ก่อนเผยแพร่" in text


def test_file_changes_links_back_to_the_editor_of_the_file(app, course, owner):
    client = signed_in(app, owner)
    drafts.draft_of(owner, course)
    session.commit()
    page = client.get(f"/authoring/{SLUG}/changes?path={PATH}&since=0").get_data(as_text=True)
    assert f'<a href="/authoring/{SLUG}/lessons/m1-l1">กลับไปแก้ไข {PATH}</a>' in page
    page = client.get(f"/authoring/{SLUG}/changes?path=course.yaml&since=0").get_data(as_text=True)
    assert f'<a href="/authoring/{SLUG}/structure">กลับไปแก้ไข course.yaml</a>' in page
    page = client.get(f"/authoring/{SLUG}/changes?path=lessons/gone.md&since=0").get_data(as_text=True)
    assert "กลับไปแก้ไข" not in page  # no such file in the draft: no editor to go back to


def test_file_changes_refuses_a_bad_revision_with_a_message(app, course, owner):
    response = signed_in(app, owner).get(f"/authoring/{SLUG}/changes?path={PATH}&since=abc")
    assert response.status_code == 400


def test_file_changes_is_for_owners_and_admins(app, course, owner, users):
    url = f"/authoring/{SLUG}/changes?path={PATH}&since=0"
    for user, status in (
        (make_user(Role.TRAINER), 403),
        (users["learner"], 403),
        (users["hr"], 403),
        (owner, 200),
        (users["admin"], 200),
    ):
        assert signed_in(app, user).get(url).status_code == status, user.email


@pytest.fixture
def entries(course, owner, users):
    draft = drafts.draft_of(owner, course)
    save(draft, owner, PATH, lesson_md("m1-l1", "บทแรก", "แก้ไขโดยเจ้าของ"))
    audit(users["admin"], "xapi.voided", "statement:abc", reason="บันทึกผิดพลาด")
    session.commit()


def test_the_admin_sees_every_entry_newest_first(app, entries, owner, users):
    text = signed_in(app, users["admin"]).get("/authoring/audit").get_data(as_text=True)
    assert "xapi.voided" in text and "authoring.file_saved" in text
    assert text.index("xapi.voided") < text.index("authoring.file_saved")
    assert "บันทึกผิดพลาด" in text
    assert "<details>" in text and "+แก้ไขโดยเจ้าของ" in text


def test_the_admin_filters_by_action_and_subject(app, entries, users):
    client = signed_in(app, users["admin"])
    for query, shown, hidden in (
        ("action=authoring.", "authoring.file_saved", "xapi.voided"),
        ("action=AUTHORING.FILE", "authoring.file_saved", "xapi.voided"),
        ("subject=STATEMENT:", "xapi.voided", "authoring.file_saved"),
        ("subject=%25", None, "authoring.file_saved"),  # a typed % is not a wildcard
    ):
        text = client.get(f"/authoring/audit?{query}").get_data(as_text=True)
        if shown:
            assert shown in text, query
        assert hidden not in text, query


def test_the_admin_filters_by_who(app, entries, owner, users):
    text = signed_in(app, users["admin"]).get(f"/authoring/audit?actor={owner.email}").get_data(as_text=True)
    assert "authoring.file_saved" in text
    assert "xapi.voided" not in text


def test_the_log_is_paged(app, entries, users):
    app.config["LMS_AUDIT_PER_PAGE"] = 1
    client = signed_in(app, users["admin"])
    first = client.get("/authoring/audit").get_data(as_text=True)
    second = client.get("/authoring/audit?page=2").get_data(as_text=True)
    assert "xapi.voided" in first and "xapi.voided" not in second
    assert client.get("/authoring/audit?page=x").status_code == 400


def test_only_administrators_read_the_audit_log(app, entries, owner, users):
    for user in (owner, users["learner"], users["hr"]):
        assert signed_in(app, user).get("/authoring/audit").status_code == 403, user.email
