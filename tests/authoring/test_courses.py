"""Courses made in the browser: the list, a new course, its details and its owners."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.authoring import course_file, drafts
from lms.authoring.models import CourseOwner
from lms.content.models import Course
from lms.extensions import session
from lms.packages.check import check_package
from lms.packages.problems import errors
from tests.conftest import login, make_user, post_form

NEW = {
    "slug": "digital-basics",
    "title_th": "พื้นฐานดิจิทัล",
    "title_en": "Digital basics",
    "summary_th": "หลักสูตรพื้นฐาน",
    "summary_en": "A first course",
    "audience": ["general", "practitioner"],
    "hours": "1.5",
}


def create(client, **changes):
    return post_form(client, "/authoring/new", {**NEW, **changes})


def course_named(slug: str) -> Course:
    return session.scalar(select(Course).where(Course.slug == slug))


def course_count() -> int:
    return session.scalar(select(func.count(Course.id)))


def package_errors(course: Course, owner, folder) -> list:
    drafts.write_to(drafts.draft_of(owner, course), folder)
    return errors(check_package(folder).problems)


@pytest.fixture
def owner_client(client, users):
    """The client signed in as the trainer who created digital-basics."""
    login(client, users["trainer"].email)
    assert create(client).status_code == 302
    return client


def test_a_trainer_creates_an_unpublished_course_that_passes_the_checker(client, users, tmp_path):
    login(client, users["trainer"].email)
    response = create(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/authoring/digital-basics/structure")
    course = course_named("digital-basics")
    assert course.is_published is False
    assert course.iri == "https://dg-lms.example/course/digital-basics"
    assert (
        session.scalar(select(CourseOwner.user_id).where(CourseOwner.course_id == course.id))
        == users["trainer"].id
    )
    text = drafts.text(drafts.existing_draft(course), "course.yaml")
    assert "title:\n  th: พื้นฐานดิจิทัล\n  en: Digital basics" in text
    assert "hours: 1.5" in text
    assert "audience: [general, practitioner]" in text
    assert package_errors(course, users["trainer"], tmp_path) == []
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "authoring.course_created"))
    assert entry.actor_id == users["trainer"].id and entry.subject == "course:digital-basics"
    page = client.get("/authoring/").get_data(as_text=True)
    assert "พื้นฐานดิจิทัล" in page and "ยังไม่เผยแพร่" in page


BAD_NEW = [
    ({"slug": "ab"}, "3 ถึง 60 ตัวอักษร"),
    ({"slug": "a" * 61}, "ยาวได้ไม่เกิน 60 ตัวอักษร"),
    ({"title_th": "ก" * 301}, "ยาวได้ไม่เกิน 300 ตัวอักษร"),
    ({"slug": "Digital-Basics"}, "3 ถึง 60 ตัวอักษร"),
    ({"slug": "หลักสูตร-ไทย"}, "3 ถึง 60 ตัวอักษร"),
    ({"slug": "-starts-with-dash"}, "3 ถึง 60 ตัวอักษร"),
    ({"title_en": "  "}, "โปรดระบุชื่อหลักสูตรทั้งภาษาไทยและภาษาอังกฤษ"),
    ({"title_th": ""}, "ต้องกรอกช่องนี้"),
    ({"audience": []}, "เลือกกลุ่มบุคลากรอย่างน้อยหนึ่งกลุ่ม"),
    ({"hours": "abc"}, "ตัวเลข 0-9"),
    ({"hours": "๑๒"}, "ตัวเลข 0-9"),
    ({"hours": "0"}, "ตัวเลข 0-9"),
    ({"hours": "1.25"}, "ตัวเลข 0-9"),
    ({"hours": "10000"}, "ตัวเลข 0-9"),
]


def test_bad_input_for_a_new_course_says_what_is_wrong_and_writes_nothing(as_role):
    client = as_role("trainer")
    for changes, message in BAD_NEW:
        response = create(client, **changes)
        assert response.status_code == 400, changes
        assert message in response.get_data(as_text=True), changes
        assert course_count() == 0, changes


def test_a_taken_short_name_is_refused(owner_client):
    response = create(owner_client, title_en="Another")
    assert response.status_code == 400
    assert "digital-basics ถูกใช้โดยหลักสูตรอื่นแล้ว" in response.get_data(as_text=True)
    assert course_count() == 1


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learners_and_hr_may_not_author(as_role, role):
    client = as_role(role)
    assert client.get("/authoring/").status_code == 403
    assert client.get("/authoring/new").status_code == 403
    assert post_form(client, "/authoring/new", NEW, page="/").status_code == 403
    assert course_count() == 0


def test_the_list_shows_a_trainer_only_the_courses_they_own(owner_client, client, users):
    admin_client = client.application.test_client()
    login(admin_client, users["admin"].email)
    assert create(admin_client, slug="admin-course", title_th="ของผู้ดูแล").status_code == 302
    mine = owner_client.get("/authoring/").get_data(as_text=True)
    assert "พื้นฐานดิจิทัล" in mine and "ของผู้ดูแล" not in mine
    everything = admin_client.get("/authoring/").get_data(as_text=True)
    assert "พื้นฐานดิจิทัล" in everything and "ของผู้ดูแล" in everything


def details_form(**changes):
    data = {
        "title_th": "พื้นฐานดิจิทัล ฉบับปรับปรุง",
        "title_en": "Digital basics, revised",
        "summary_th": "สรุปใหม่",
        "summary_en": "New summary",
        "audience": ["executive"],
        "hours": "3",
        "lessons_rule": "all",
        "quizzes_rule": "none",
        "certificate": "bilingual",
    }
    data.update(changes)
    return data


def yaml_revision(slug: str) -> int:
    return drafts.revision(drafts.existing_draft(course_named(slug)), "course.yaml")


def set_time_ratio(data: dict) -> None:
    """What a trainer might write by hand in course.yaml: the form keeps it."""
    data["completion"]["min_time_ratio"] = 0.5


def test_the_details_page_saves_course_yaml(owner_client, users, tmp_path):
    url = "/authoring/digital-basics/details"
    page = owner_client.get(url).get_data(as_text=True)
    assert 'value="พื้นฐานดิจิทัล"' in page and 'value="1.5"' in page
    course = course_named("digital-basics")
    course_file.update(
        drafts.existing_draft(course), users["trainer"], yaml_revision("digital-basics"), set_time_ratio
    )
    session.commit()
    response = post_form(owner_client, url, details_form(revision=yaml_revision("digital-basics")))
    assert response.status_code == 302
    course = course_named("digital-basics")
    data, _revision = course_file.read(drafts.existing_draft(course))
    assert data["title"] == {"th": "พื้นฐานดิจิทัล ฉบับปรับปรุง", "en": "Digital basics, revised"}
    assert data["audience"] == ["executive"] and data["hours"] == 3
    assert data["completion"] == {"lessons": "all", "quizzes": "none", "min_time_ratio": 0.5}
    assert data["certificate"] == "bilingual"
    assert package_errors(course, users["trainer"], tmp_path) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours": "ten"}, "ตัวเลข 0-9"),
        ({"summary_th": ""}, "ต้องกรอกช่องนี้"),
        ({"certificate": "no-such-template"}, "เลือกแม่แบบวุฒิบัตรจากรายการ"),
        ({"lessons_rule": "some"}, "เลือกว่าผู้เรียนต้องเรียนบทเรียนใดให้จบ"),
    ],
)
def test_bad_details_write_nothing(owner_client, changes, message):
    before = yaml_revision("digital-basics")
    response = post_form(
        owner_client, "/authoring/digital-basics/details", details_form(revision=before, **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert yaml_revision("digital-basics") == before


def test_a_stale_details_form_is_refused_and_keeps_what_was_typed(owner_client, users):
    course = course_named("digital-basics")
    other = make_user(Role.TRAINER)
    session.add(CourseOwner(course_id=course.id, user_id=other.id))
    opened = yaml_revision("digital-basics")
    draft = drafts.existing_draft(course)
    course_file.update(draft, other, opened, lambda data: data.update(hours=2))
    session.commit()
    response = post_form(
        owner_client,
        "/authoring/digital-basics/details",
        details_form(revision=opened, title_th="ชื่อที่ไม่ได้บันทึก"),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "flash-error" in page and "course.yaml" in page and "ไม่ได้บันทึก" in page
    assert 'value="ชื่อที่ไม่ได้บันทึก"' in page
    assert f"/authoring/digital-basics/changes?path=course.yaml&amp;since={opened}" in page
    session.expire_all()
    text = drafts.text(drafts.existing_draft(course_named("digital-basics")), "course.yaml")
    assert "ชื่อที่ไม่ได้บันทึก" not in text and "hours: 2" in text
    shown = re.search(r'name="revision" type="hidden" value="(\d+)"|name="revision" value="(\d+)"', page)
    again = details_form(revision=shown.group(1) or shown.group(2), title_th="ชื่อที่ไม่ได้บันทึก")
    assert post_form(owner_client, "/authoring/digital-basics/details", again).status_code == 302


def add_owner(client, email: str):
    return post_form(
        client, "/authoring/digital-basics/owners", {"email": email}, page="/authoring/digital-basics/details"
    )


def owner_ids() -> set[int]:
    course = course_named("digital-basics")
    return set(session.scalars(select(CourseOwner.user_id).where(CourseOwner.course_id == course.id)))


def test_owners_are_added_by_email_and_removed_but_never_the_last(owner_client, users):
    colleague = make_user(Role.TRAINER, email="colleague@example.org")
    response = add_owner(owner_client, " Colleague@Example.org ")
    assert response.status_code == 302
    assert owner_ids() == {users["trainer"].id, colleague.id}
    page = owner_client.get("/authoring/digital-basics/details").get_data(as_text=True)
    assert "colleague@example.org" in page
    removed = post_form(
        owner_client,
        "/authoring/digital-basics/owners/remove",
        {"user_id": str(colleague.id)},
        page="/authoring/digital-basics/details",
    )
    assert removed.status_code == 302
    assert owner_ids() == {users["trainer"].id}
    last = post_form(
        owner_client,
        "/authoring/digital-basics/owners/remove",
        {"user_id": str(users["trainer"].id)},
        page="/authoring/digital-basics/details",
        follow_redirects=True,
    )
    assert "ต้องมีเจ้าของอย่างน้อยหนึ่งคน" in last.get_data(as_text=True)
    assert owner_ids() == {users["trainer"].id}
    actions = list(
        session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("authoring.owner_%")))
    )
    assert sorted(actions) == ["authoring.owner_added", "authoring.owner_removed"]


def test_an_owner_must_be_an_active_trainer(owner_client, users):
    make_user(Role.TRAINER, email="gone@example.org", is_active=False)
    cases = [
        ("nobody@example.org", "ไม่มีผู้ใช้ที่มีอีเมล nobody@example.org"),
        (users["learner"].email, "ไม่ใช่ผู้สอนที่ใช้งานอยู่"),
        (users["hr"].email, "ไม่ใช่ผู้สอนที่ใช้งานอยู่"),
        ("gone@example.org", "ไม่ใช่ผู้สอนที่ใช้งานอยู่"),
        (users["trainer"].email, "เป็นเจ้าของหลักสูตรนี้อยู่แล้ว"),
        ("", "ต้องกรอกช่องนี้"),
    ]
    for email, message in cases:
        response = add_owner(owner_client, email)
        assert response.status_code == 400, email
        assert message in response.get_data(as_text=True), email
    assert owner_ids() == {users["trainer"].id}


def test_an_administrator_manages_any_course(owner_client, client, users):
    admin_client = client.application.test_client()
    login(admin_client, users["admin"].email)
    assert admin_client.get("/authoring/digital-basics/details").status_code == 200
    assert admin_client.get("/authoring/digital-basics/structure").status_code == 200
    colleague = make_user(Role.TRAINER)
    assert add_owner(admin_client, colleague.email).status_code == 302
    assert colleague.id in owner_ids()


ROUTES = [
    ("get", "/authoring/digital-basics/details", None),
    ("post", "/authoring/digital-basics/details", details_form(revision="1")),
    ("post", "/authoring/digital-basics/owners", {"email": "x@example.org"}),
    ("post", "/authoring/digital-basics/owners/remove", {"user_id": "1"}),
    ("get", "/authoring/digital-basics/structure", None),
    ("post", "/authoring/digital-basics/structure/modules", {"key": "m9", "title_th": "ก", "title_en": "A"}),
    ("post", "/authoring/digital-basics/structure/modules/m1/rename", {"title_th": "ก", "title_en": "A"}),
    ("post", "/authoring/digital-basics/structure/modules/m1/delete", {}),
    ("post", "/authoring/digital-basics/structure/modules/m1/move", {"direction": "down"}),
    (
        "post",
        "/authoring/digital-basics/structure/modules/m1/lessons",
        {"key": "z", "title_th": "ก", "title_en": "A", "minutes": "5"},
    ),
    ("post", "/authoring/digital-basics/structure/lessons/m1-l1/delete", {}),
    ("post", "/authoring/digital-basics/structure/lessons/m1-l1/move", {"direction": "down"}),
]


@pytest.mark.parametrize("who", ["other trainer", "learner", "hr"])
def test_everyone_but_owners_and_administrators_is_refused_on_every_page(owner_client, client, users, who):
    course = course_named("digital-basics")
    before = drafts.snapshot(drafts.existing_draft(course))
    stranger = client.application.test_client()
    user = make_user(Role.TRAINER) if who == "other trainer" else users[who]
    login(stranger, user.email)
    for method, url, data in ROUTES:
        if method == "get":
            response = stranger.get(url)
        else:
            response = post_form(stranger, url, {**(data or {}), "revision": "1"}, page="/")
        assert response.status_code == 403, (who, url)
    session.expire_all()
    assert drafts.snapshot(drafts.existing_draft(course_named("digital-basics"))) == before
    assert owner_ids() == {users["trainer"].id}


def test_the_menu_links_to_authoring_for_trainers_and_administrators_only(client, users):
    for role, shown in [("trainer", True), ("admin", True), ("learner", False), ("hr", False)]:
        browser = client.application.test_client()
        login(browser, users[role].email)
        page = browser.get("/").get_data(as_text=True)
        assert ('href="/authoring/"' in page) is shown, role
