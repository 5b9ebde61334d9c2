"""Publishing a draft, rolling back, the versions page: learners keep what they completed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.authoring import drafts
from lms.authoring.models import CourseOwner
from lms.content.models import Course, CourseVersion
from lms.courses import service as courses
from lms.extensions import session
from lms.packages.importer import import_package
from tests.conftest import login, make_user, post_form

SLUG = "draft-course"

COURSE_YAML = """\
id: https://dg-lms.example/course/draft-course
version: 1
title: {th: "หลักสูตรทดลองร่าง", en: "Draft trial course"}
summary: {th: "สรุปหลักสูตร", en: "Course summary"}
audience: [practitioner]
hours: 2
certificate: formal-th
completion: {lessons: required, quizzes: none, min_time_ratio: 0}
modules:
  - id: m1
    title: {th: "โมดูลแรก", en: "First module"}
    lessons: [m1-l1, m1-l2]
  - id: m2
    title: {th: "โมดูลสอง", en: "Second module"}
    lessons: [m2-l1]
"""


def lesson_md(key: str, title: str, body: str) -> str:
    front = f'id: {key}\ntitle: {{th: "{title}", en: "{key} in English"}}\nminutes: 5\nrequired: true\n'
    return f"---\n{front}---\n{body}\n"


LESSONS = {
    "m1-l1": lesson_md("m1-l1", "บทแรก", "เนื้อหาฉบับเผยแพร่ของบทแรก"),
    "m1-l2": lesson_md("m1-l2", "บทที่สอง", "เนื้อหาบทที่สอง"),
    "m2-l1": lesson_md("m2-l1", "บทของโมดูลสอง", "เนื้อหาโมดูลสอง"),
}


def write_package(folder: Path) -> Path:
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    for key, text in LESSONS.items():
        (folder / "lessons" / f"{key}.md").write_text(text, encoding="utf-8")
    return folder


def published_course(tmp_path: Path) -> Course:
    result = import_package(write_package(tmp_path / "package"))
    session.commit()
    return result.course


def add_owner(course: Course, role: str = Role.TRAINER):
    trainer = make_user(role)
    session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    session.commit()
    return trainer


def save(draft, actor, path: str, text: str) -> None:
    drafts.save_text(draft, actor, path, text, drafts.revision(draft, path))


def add_lesson_after_first(draft, actor) -> None:
    """Edit lesson m1-l1 and add m1-new after it (course.yaml lists it)."""
    save(draft, actor, "lessons/m1-l1.md", lesson_md("m1-l1", "บทแรก", "เนื้อหาแก้ไขใหม่ของบทแรก"))
    save(draft, actor, "lessons/m1-new.md", lesson_md("m1-new", "บทใหม่ที่เพิ่ม", "เนื้อหาบทใหม่"))
    course_yaml = drafts.text(draft, "course.yaml").replace("[m1-l1, m1-l2]", "[m1-l1, m1-new, m1-l2]")
    save(draft, actor, "course.yaml", course_yaml)


@pytest.fixture
def course(app, tmp_path):
    return published_course(tmp_path)


@pytest.fixture
def owner(course):
    return add_owner(course)


@pytest.fixture
def learner_midway(course):
    """A learner who enrolled and completed the first lesson."""
    learner = make_user(Role.LEARNER, email="midway@example.org")
    courses.enrol(learner, course)
    first = courses.find_lesson(course, "m1-l1")
    left = courses.leave_lesson(learner, course, first, 60, complete=True)
    assert left.completed
    session.commit()
    return learner


def versions(course: Course) -> list[int]:
    return [v.number for v in session.query(CourseVersion).filter_by(course_id=course.id).order_by("number")]


def publish_as(client, who, slug: str = SLUG):
    login(client, who.email)
    return post_form(client, f"/authoring/{slug}/publish")


def test_publish_keeps_the_learners_progress_and_shows_the_new_lesson(client, course, owner, learner_midway):
    draft = drafts.draft_of(owner, course)
    add_lesson_after_first(draft, owner)
    session.commit()
    response = publish_as(client, owner)
    assert response.status_code == 302
    assert versions(course) == [1, 2]

    login(client, learner_midway.email)
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "บทใหม่ที่เพิ่ม" in page
    assert 'value="25"' in page  # one of four required lessons done
    outline = page[page.index('<ol class="modules">') :]
    first, new = outline.index("บทแรก"), outline.index("บทใหม่ที่เพิ่ม")
    assert "เรียนแล้ว" in outline[first:new]
    assert "เรียนแล้ว" not in outline[new:]
    launched = post_form(client, f"/courses/{SLUG}/launch", page=f"/courses/{SLUG}")
    assert launched.headers["Location"].endswith(f"/courses/{SLUG}/lessons/m1-new")
    lesson = client.get(f"/courses/{SLUG}/lessons/m1-l1").get_data(as_text=True)
    assert "เนื้อหาแก้ไขใหม่ของบทแรก" in lesson
    assert "เนื้อหาฉบับเผยแพร่ของบทแรก" not in lesson


def test_publish_numbers_the_version_label_and_audits_who_and_what(client, course, owner):
    draft = drafts.draft_of(owner, course)
    add_lesson_after_first(draft, owner)
    session.commit()
    publish_as(client, owner)
    newest = session.get(Course, course.id).current_version
    assert newest.package_version == "2"
    entry = session.query(AuditEntry).filter_by(action="authoring.published").one()
    assert entry.actor_id == owner.id
    assert entry.details["version"] == 2
    assert sorted(entry.details["paths"]) == ["course.yaml", "lessons/m1-l1.md", "lessons/m1-new.md"]
    draft = drafts.existing_draft(session.get(Course, course.id))
    assert draft.base_version_number == 2
    assert drafts.changed_paths(draft) == []


def test_publish_with_checker_errors_is_refused_and_writes_nothing(client, course, owner):
    draft = drafts.draft_of(owner, course)
    broken = "---\nid: m1-l2\ntitle: {th: บทเสีย\nminutes: ห้า\n---\n"
    save(draft, owner, "lessons/m1-l2.md", broken)
    session.commit()
    before = drafts.snapshot(draft)

    login(client, owner.email)
    page = client.get(f"/authoring/{SLUG}/publish").get_data(as_text=True)
    assert "lessons/m1-l2.md" in page
    assert re.search(r"<button[^>]*disabled[^>]*>\s*(Publish|เผยแพร่)", page)

    response = post_form(client, f"/authoring/{SLUG}/publish")
    assert response.status_code == 400
    assert "lessons/m1-l2.md" in response.get_data(as_text=True)
    session.expire_all()
    assert versions(course) == [1]
    assert drafts.snapshot(drafts.existing_draft(course)) == before
    assert session.query(AuditEntry).filter_by(action="authoring.published").count() == 0


def test_each_problem_links_to_the_editor_of_its_file(client, course, owner):
    """The checker names the file; the page links to the page that edits it (it used to name it
    only, so the trainer had to find the lesson through the tabs)."""
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "lessons/m1-l2.md", "---\nid: m1-l2\ntitle: {th: บทเสีย\nminutes: ห้า\n---\n")
    save(draft, owner, "course.yaml", COURSE_YAML.replace("hours: 2", "hours: ไม่ทราบ"))
    session.commit()
    login(client, owner.email)
    page = client.get(f"/authoring/{SLUG}/publish").get_data(as_text=True)
    lesson = f"/authoring/{SLUG}/lessons/m1-l2"
    assert f'<a href="{lesson}"><code>lessons/m1-l2.md</code></a>' in page
    assert f'<a href="/authoring/{SLUG}/structure"><code>course.yaml</code></a>' in page
    assert client.get(lesson).status_code == 200  # the editor opens a lesson it cannot read


def test_publish_without_changes_makes_no_version(client, course, owner):
    drafts.draft_of(owner, course)
    session.commit()
    response = publish_as(client, owner)
    assert response.status_code == 200
    assert versions(course) == [1]
    assert session.query(AuditEntry).filter_by(action="authoring.published").count() == 0


def test_publish_page_shows_each_changed_file_with_its_diff(client, course, owner):
    draft = drafts.draft_of(owner, course)
    add_lesson_after_first(draft, owner)
    session.commit()
    login(client, owner.email)
    page = client.get(f"/authoring/{SLUG}/publish").get_data(as_text=True)
    assert "lessons/m1-new.md" in page
    assert "+เนื้อหาแก้ไขใหม่ของบทแรก" in page
    assert "-เนื้อหาฉบับเผยแพร่ของบทแรก" in page


def test_discard_needs_the_box_ticked_then_throws_the_draft_away(client, course, owner):
    draft = drafts.draft_of(owner, course)
    add_lesson_after_first(draft, owner)
    session.commit()
    login(client, owner.email)
    refused = post_form(client, f"/authoring/{SLUG}/discard", page=f"/authoring/{SLUG}/publish")
    assert refused.status_code == 400
    assert drafts.existing_draft(course) is not None
    done = post_form(
        client, f"/authoring/{SLUG}/discard", {"confirm": "y"}, page=f"/authoring/{SLUG}/publish"
    )
    assert done.status_code == 302
    session.expire_all()
    assert drafts.existing_draft(course) is None
    assert versions(course) == [1]


def test_rollback_makes_a_new_version_equal_to_the_old_one_and_progress_stays(
    client, course, owner, learner_midway
):
    draft = drafts.draft_of(owner, course)
    add_lesson_after_first(draft, owner)
    session.commit()
    publish_as(client, owner)
    first = session.query(CourseVersion).filter_by(course_id=course.id, number=1).one()

    response = post_form(client, f"/authoring/{SLUG}/versions/1/rollback", page=f"/authoring/{SLUG}/versions")
    assert response.status_code == 302
    session.expire_all()
    assert versions(course) == [1, 2, 3]
    third = session.query(CourseVersion).filter_by(course_id=course.id, number=3).one()
    assert third.content_hash == first.content_hash
    assert third.package == first.package
    assert drafts.snapshot(drafts.existing_draft(course)).texts == first.package["files"]
    assert session.query(AuditEntry).filter_by(action="authoring.rolled_back").one().details["version"] == 3

    login(client, learner_midway.email)
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "บทใหม่ที่เพิ่ม" not in page
    assert 'value="33"' in page  # one of three lessons, still done


def test_rollback_to_the_newest_version_is_refused(client, course, owner):
    login(client, owner.email)
    response = post_form(
        client,
        f"/authoring/{SLUG}/versions/1/rollback",
        page=f"/authoring/{SLUG}/versions",
        follow_redirects=True,
    )
    assert versions(course) == [1]
    text = response.get_data(as_text=True)
    assert "already the newest" in text or "ล่าสุดอยู่แล้ว" in text


def test_history_shows_who_published_each_version(client, course, owner):
    draft = drafts.draft_of(owner, course)
    add_lesson_after_first(draft, owner)
    session.commit()
    publish_as(client, owner)
    page = client.get(f"/authoring/{SLUG}/versions").get_data(as_text=True)
    rows = page.split("<tr>")[2:]
    assert owner.full_name() in rows[0]
    assert "imported from files" in rows[1] or "นำเข้าจากไฟล์" in rows[1]
    assert f"/authoring/{SLUG}/versions/1/rollback" in page
    assert f"/authoring/{SLUG}/versions/2/rollback" not in page
    assert f"/authoring/{SLUG}/versions/1.zip" in page


def signed_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def test_only_owners_and_admins_may_publish_or_roll_back(app, course, owner, users):
    pages = [f"/authoring/{SLUG}/{page}" for page in ("publish", "versions")]
    forms = [f"/authoring/{SLUG}/{form}" for form in ("publish", "discard", "versions/1/rollback")]
    for user in (make_user(Role.TRAINER), users["learner"], users["hr"]):
        client = signed_in(app, user)
        for url in pages:
            assert client.get(url).status_code == 403, (user.email, url)
        for url in forms:
            # a refused user cannot open the page with the form: the token comes from any page
            assert post_form(client, url, page="/courses").status_code == 403, (user.email, url)
    assert versions(course) == [1]
    assert drafts.existing_draft(course) is None
    for user in (owner, users["admin"]):
        client = signed_in(app, user)
        for url in pages:
            assert client.get(url).status_code == 200, (user.email, url)


def test_a_course_made_in_the_browser_is_published_as_version_1(app, client):
    course = Course(iri="https://dg-lms.example/course/draft-course", slug=SLUG, is_published=False)
    session.add(course)
    session.commit()
    owner = add_owner(course)
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "course.yaml", COURSE_YAML)
    for key, text in LESSONS.items():
        save(draft, owner, f"lessons/{key}.md", text)
    session.commit()
    learner = make_user(Role.LEARNER)
    login(client, learner.email)
    assert client.get(f"/courses/{SLUG}").status_code == 404

    assert publish_as(client, owner).status_code == 302
    assert versions(course) == [1]
    login(client, learner.email)
    assert "บทแรก" in client.get(f"/courses/{SLUG}").get_data(as_text=True)


def test_a_draft_may_not_become_another_course(client, course, owner):
    draft = drafts.draft_of(owner, course)
    other = drafts.text(draft, "course.yaml").replace("course/draft-course", "course/someone-else")
    save(draft, owner, "course.yaml", other)
    session.commit()
    response = publish_as(client, owner)
    assert "https://dg-lms.example/course/draft-course" in response.get_data(as_text=True)
    assert session.query(Course).count() == 1
    assert versions(course) == [1]


def test_a_draft_older_than_the_newest_version_is_not_published_over_it(client, course, owner, tmp_path):
    """Version 2 arrives (a zip upload, the CLI) while a trainer's draft still starts from version
    1: publishing the draft would silently undo version 2, so it is refused until confirmed."""
    draft = drafts.draft_of(owner, course)
    save(draft, owner, "lessons/m1-l2.md", lesson_md("m1-l2", "บทที่สอง", "แก้ในฉบับร่าง"))
    session.commit()
    newer = write_package(tmp_path / "newer")
    (newer / "lessons" / "m2-l1.md").write_text(lesson_md("m2-l1", "บทของโมดูลสอง", "รุ่นสองจากไฟล์"), "utf-8")
    import_package(newer)
    session.commit()

    login(client, owner.email)
    refused = post_form(client, f"/authoring/{SLUG}/publish")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "version 2 was published since" in page or "รุ่นที่ 2" in page
    assert 'name="replace_newer"' in page
    session.expire_all()
    assert [v.number for v in session.get(Course, course.id).versions] == [1, 2]

    done = post_form(client, f"/authoring/{SLUG}/publish", {"replace_newer": "y"})
    assert done.status_code == 302
    session.expire_all()
    newest = session.get(Course, course.id).current_version
    assert newest.number == 3
    assert "แก้ในฉบับร่าง" in newest.package["files"]["lessons/m1-l2.md"]
