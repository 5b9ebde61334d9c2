"""Uploading package zips in the browser: a new course, a new version, loading into the draft,
refusals that write nothing, and who may use the package pages."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.authoring import drafts
from lms.authoring.models import CourseDraft, CourseOwner, DraftFile
from lms.content.models import Course, CourseVersion
from lms.extensions import session
from lms.packages.importer import import_package
from lms.packages.media import media_dir
from tests.conftest import csrf_token, login, make_user, post_form

EXEC = Path("content/exec-digital-leadership")
PRACTITIONER = Path("content/practitioner-digital-skills")
EXEC_IRI = "https://dg-lms.example/course/exec-digital-leadership"
IMPORT = "/authoring/import"


def folder_zip(
    folder: Path, top: str | None = "course", changes: dict[str, str | None] | None = None
) -> bytes:
    """A zip of the package folder (optionally in one top folder), with some files replaced
    (text) or left out (None)."""
    changes = changes or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if relative in changes:
                continue
            archive.writestr(f"{top}/{relative}" if top else relative, path.read_bytes())
        for relative, text in changes.items():
            if text is not None:
                archive.writestr(f"{top}/{relative}" if top else relative, text)
    return buffer.getvalue()


def upload(client, data: bytes, action: str = "publish", url: str = IMPORT, name: str = "course.zip"):
    return post_form(
        client,
        url,
        {"package": (io.BytesIO(data), name), "action": action},
        content_type="multipart/form-data",
    )


def counts() -> dict[str, int]:
    models = (Course, CourseVersion, CourseDraft, DraftFile, CourseOwner, AuditEntry)
    tally = {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}
    store = media_dir()
    tally["media"] = len(list(store.iterdir())) if store.is_dir() else 0
    return tally


@pytest.fixture
def trainer(app, client):
    user = make_user(Role.TRAINER)
    login(client, user.email)
    return user


@pytest.fixture
def owned(trainer):
    course = import_package(EXEC).course
    session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    session.commit()
    return course


def test_a_trainer_imports_both_content_packages_as_new_published_courses_they_own(client, trainer):
    for folder, top in ((EXEC, "exec-digital-leadership"), (PRACTITIONER, None)):
        response = upload(client, folder_zip(folder, top=top))
        assert response.status_code == 302, response.get_data(as_text=True)
        slug = folder.name
        course = session.scalar(select(Course).where(Course.slug == slug))
        assert course.is_published
        assert course.current_version.number == 1
        assert session.get(CourseOwner, (course.id, trainer.id)) is not None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "authoring.imported")).all()[-1]
        assert entry.details["file"] == "course.zip"
        assert entry.details["package_hash"] == course.current_version.content_hash
    assert client.get("/courses/exec-digital-leadership").status_code == 200


def test_the_same_course_gets_the_same_hash_as_the_command_line_import(app, client, trainer):
    upload(client, folder_zip(EXEC))
    uploaded = session.scalar(select(Course).where(Course.slug == "exec-digital-leadership"))
    from lms.packages.files import content_hash

    assert uploaded.current_version.content_hash == content_hash(EXEC)


def test_an_owner_uploads_a_new_version_on_the_course_package_page(client, owned):
    lesson = (EXEC / "lessons/m1-l1.md").read_text(encoding="utf-8") + "\nย่อหน้าใหม่จากการอัปโหลด\n"
    response = upload(
        client,
        folder_zip(EXEC, changes={"lessons/m1-l1.md": lesson}),
        url="/authoring/exec-digital-leadership/package",
    )
    assert response.status_code == 302
    session.expire_all()
    assert [v.number for v in owned.versions] == [1, 2]
    page = client.get("/authoring/exec-digital-leadership/package").get_data(as_text=True)
    assert "exec-digital-leadership-v2.zip" in page
    assert "exec-digital-leadership-v1.zip" in page


def test_load_into_the_draft_changes_the_draft_only(client, owned, trainer):
    lesson = (EXEC / "lessons/m2-l1.md").read_text(encoding="utf-8") + "\nร่างใหม่\n"
    before = counts()
    response = upload(client, folder_zip(EXEC, changes={"lessons/m2-l1.md": lesson}), action="draft")
    assert response.status_code == 302
    session.expire_all()
    assert [v.number for v in owned.versions] == [1]
    draft = drafts.existing_draft(owned)
    assert drafts.changed_paths(draft) == ["lessons/m2-l1.md"]
    assert drafts.text(draft, "lessons/m2-l1.md").endswith("ร่างใหม่\n")
    after = counts()
    assert after["CourseVersion"] == before["CourseVersion"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "authoring.loaded_into_draft"))


def test_a_new_course_loaded_into_a_draft_is_unpublished_and_owned(client, trainer):
    response = upload(client, folder_zip(PRACTITIONER), action="draft")
    assert response.status_code == 302
    course = session.scalar(select(Course).where(Course.slug == "practitioner-digital-skills"))
    assert not course.is_published
    assert course.versions == []
    assert session.get(CourseOwner, (course.id, trainer.id)) is not None
    assert "course.yaml" in drafts.files(drafts.existing_draft(course))


def refused(client, data: bytes, url: str = IMPORT, action: str = "publish"):
    before = counts()
    response = upload(client, data, url=url, action=action)
    assert response.status_code == 422, response.status_code
    session.expire_all()
    assert counts() == before
    return response.get_data(as_text=True)


def test_bad_yaml_in_course_yaml_names_the_file_and_line(client, trainer):
    text = (EXEC / "course.yaml").read_text(encoding="utf-8").replace("hours: 7", "hours: [7")
    page = refused(client, folder_zip(EXEC, changes={"course.yaml": text}))
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("hours"))
    assert "<code>course.yaml</code>" in page
    assert f"<td>{line}</td>" in page or f"<td>{line + 1}</td>" in page


def test_a_missing_lesson_is_refused_and_nothing_is_written(client, trainer):
    for action in ("publish", "draft"):
        page = refused(client, folder_zip(EXEC, changes={"lessons/m1-l2.md": None}), action=action)
        assert "m1-l2" in page


def test_a_zip_for_another_course_is_refused_on_the_package_page(client, owned):
    page = refused(client, folder_zip(PRACTITIONER), url="/authoring/exec-digital-leadership/package")
    assert EXEC_IRI in page


def test_a_trainer_who_does_not_own_the_course_cannot_upload_a_version_of_it(app, client):
    import_package(EXEC)
    session.commit()
    stranger = make_user(Role.TRAINER)
    login(client, stranger.email)
    before = counts()
    lesson = (EXEC / "lessons/m1-l1.md").read_text(encoding="utf-8") + "\nแก้\n"
    response = upload(client, folder_zip(EXEC, changes={"lessons/m1-l1.md": lesson}))
    assert response.status_code == 403
    assert "exec-digital-leadership" in response.get_data(as_text=True)
    assert counts() == before


def test_not_a_zip_and_an_empty_upload_are_refused(client, trainer):
    assert "zip" in refused(client, b"this is plain text, not a zip")
    assert "empty" in refused(client, b"") or "เลือก" in refused(client, b"")
    page = upload(client, folder_zip(EXEC), name="course.tar")
    assert page.status_code == 422


def raw_upload(client, payload: bytes):
    """Post a multipart body built here (the test client would spool a large one to a temporary
    file it never closes)."""
    token = csrf_token(client, IMPORT)
    head = (
        f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        '--B\r\nContent-Disposition: form-data; name="action"\r\n\r\npublish\r\n'
        '--B\r\nContent-Disposition: form-data; name="package"; filename="big.zip"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    )
    body = head.encode() + payload + b"\r\n--B--\r\n"
    return client.post(IMPORT, data=body, content_type="multipart/form-data; boundary=B")


def test_a_body_over_the_package_limit_gets_a_clear_page(app_factory):
    small = app_factory(LMS_PACKAGE_MAX_MB=1)
    with small.app_context():
        client = small.test_client()
        login(client, make_user(Role.TRAINER).email)
        response = raw_upload(client, b"PK" + b"x" * (2 * 1024 * 1024))
        assert response.status_code == 413
        assert "LMS_PACKAGE_MAX_MB" in response.get_data(as_text=True)
        assert session.scalar(select(func.count()).select_from(Course)) == 0


def test_a_small_zip_that_inflates_past_the_limit_is_refused_by_entry(app_factory):
    small = app_factory(LMS_PACKAGE_MAX_MB=1)
    data = folder_zip(EXEC, changes={"media/zeros.mp4": "\0" * (3 * 1024 * 1024)})
    assert len(data) < 1024 * 1024
    with small.app_context():
        client = small.test_client()
        login(client, make_user(Role.TRAINER).email)
        before = counts()
        response = upload(client, data)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "course/media/zeros.mp4" in page
        assert "LMS_PACKAGE_MAX_MB" in page
        assert counts() == before


def test_the_package_limit_not_the_app_wide_one_bounds_an_upload(app_factory):
    strict = app_factory(MAX_CONTENT_LENGTH=10_000, LMS_PACKAGE_MAX_MB=5)
    data = folder_zip(EXEC)
    assert len(data) > 10_000
    with strict.app_context():
        client = strict.test_client()
        login(client, make_user(Role.TRAINER).email)
        assert raw_upload(client, data).status_code == 302
        assert session.scalar(select(Course.slug)) == "exec-digital-leadership"


@pytest.mark.parametrize("role", [Role.LEARNER, Role.HR])
def test_learners_and_hr_may_not_import(client, users, role):
    login(client, users[role.value].email)
    assert client.get(IMPORT).status_code == 403


ROUTES = (
    "/authoring/exec-digital-leadership/package",
    "/authoring/exec-digital-leadership/versions/1.zip",
    "/authoring/exec-digital-leadership/draft.zip",
)


def test_only_authors_of_the_course_reach_its_package_routes(app, client, users):
    course = import_package(EXEC).course
    owner = make_user(Role.TRAINER)
    session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    session.commit()
    drafts.draft_of(owner, course)
    session.commit()
    stranger = make_user(Role.TRAINER)
    for user, expected in (
        (stranger, 403),
        (users["learner"], 403),
        (users["hr"], 403),
        (owner, 200),
        (users["admin"], 200),
    ):
        login(client, user.email)
        assert client.get(IMPORT).status_code == (200 if user is stranger else expected)
        for route in ROUTES:
            assert client.get(route).status_code == expected, (user.email, route)
        client.get("/logout")
        client.post("/logout")


def test_a_trainer_may_not_bring_certificate_templates_for_the_whole_site(app, client, trainer, tmp_path):
    from lms.certificates.render import BUILTIN_TEMPLATES_ROOT

    site = tmp_path / "site-templates"
    app.config["LMS_CERTIFICATE_TEMPLATES_DIR"] = str(site)
    changes = {
        f"certificates/ministry-seal/{p.name}": p.read_text(encoding="utf-8")
        for p in (BUILTIN_TEMPLATES_ROOT / "formal-th").iterdir()
        if p.is_file()
    }
    page = refused(client, folder_zip(EXEC, changes=changes))
    assert "certificates/ministry-seal/" in page
    assert "เฉพาะผู้ดูแลระบบ" in page
    assert not site.exists()
