"""A course made in the browser's draft round-trips through a package zip, and a package zip
round-trips through the draft: the browser and the package files are two views of one course."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.authoring import drafts, package_zip, yaml_text
from lms.authoring.models import CourseOwner
from lms.authoring.package_import import UploadAction, upload_package
from lms.content.models import Course
from lms.core import migrations
from lms.extensions import session
from lms.packages.files import content_hash
from lms.packages.importer import import_package
from lms.packages.problems import PackageError
from tests.conftest import make_app, make_user

EXEC = Path("content/exec-digital-leadership")
IRI = "https://dg-lms.example/course/round-trip"


def png() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
        + chunk(b"IEND", b"")
    )


COURSE = {
    "id": IRI,
    "version": 1,
    "title": {"th": "หลักสูตรทดสอบไปกลับ", "en": "Round-trip course"},
    "summary": {"th": "สรุปของหลักสูตร", "en": "The course's summary"},
    "audience": ["practitioner"],
    "hours": 1,
    "certificate": "formal-th",
    "completion": {"lessons": "required", "quizzes": "pass"},
    "modules": [
        {
            "id": "m1",
            "title": {"th": "หน่วยที่ 1", "en": "Module 1"},
            "lessons": ["m1-l1", "m1-l2"],
            "quiz": "m1-quiz",
        },
        {"id": "m2", "title": {"th": "หน่วยที่ 2", "en": "Module 2"}, "lessons": ["m2-l1"]},
    ],
}
QUIZ = {
    "id": "m1-quiz",
    "title": {"th": "แบบทดสอบหน่วยที่ 1", "en": "Module 1 quiz"},
    "pass_mark": 50,
    "attempts": 2,
    "time_limit_minutes": None,
    "shuffle_questions": False,
    "shuffle_choices": False,
    "draw": None,
    "attempt_counts": "best",
    "questions": [
        {
            "id": "q1",
            "type": "single_choice",
            "prompt": "ข้อใดถูก",
            "points": 1,
            "choices": [{"id": "a", "text": "ข้อ ก"}, {"id": "b", "text": "ข้อ ข"}],
            "correct": "a",
        }
    ],
}


def lesson(key: str, body: str) -> str:
    meta = {
        "id": key,
        "title": {"th": f"บทเรียน {key}", "en": f"Lesson {key}"},
        "minutes": 10,
        "required": True,
    }
    return f"---\n{yaml_text.dump(meta)}---\n{body}"


def author_course(owner, tmp_path: Path) -> Course:
    """A new course, written file by file through the draft service, then published."""
    course = Course(iri=IRI, slug="round-trip", is_published=False)
    session.add(course)
    session.flush()
    session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    draft = drafts.draft_of(owner, course)
    picture = tmp_path / "diagram.png"
    picture.write_bytes(png())
    drafts.save_media(draft, owner, "media/diagram.png", picture, 0)
    files = {
        "course.yaml": yaml_text.dump(COURSE),
        "lessons/m1-l1.md": lesson("m1-l1", "## หัวข้อ\n\nเนื้อหา **สำคัญ**\n\n![แผนภาพ](media/diagram.png)\n"),
        "lessons/m1-l2.md": lesson("m1-l2", "- ข้อหนึ่ง\n- ข้อสอง\n"),
        "lessons/m2-l1.md": lesson("m2-l1", "ย่อหน้าเดียว\n"),
        "quizzes/m1-quiz.yaml": yaml_text.dump(QUIZ),
    }
    for path, text in files.items():
        drafts.save_text(draft, owner, path, text, 0)
    folder = tmp_path / "draft"
    drafts.write_to(draft, folder)
    try:
        result = import_package(folder)
    except PackageError as error:
        raise AssertionError([str(p) for p in error.problems]) from error
    session.commit()
    return result.course


def shape(course: Course) -> dict:
    """What a learner would see of the newest version: modules, lessons (with rendered HTML)
    and quizzes."""
    version = course.current_version
    return {
        "hash": version.content_hash,
        "title": (version.title_th, version.title_en),
        "modules": [
            (
                m.key,
                m.title_th,
                m.quiz_key,
                [(lsn.key, lsn.title_th, lsn.minutes, lsn.body_html) for lsn in m.lessons],
            )
            for m in version.modules
        ],
        "quizzes": {p: t for p, t in version.package["files"].items() if p.startswith("quizzes/")},
        "media": version.package["media"],
    }


@pytest.fixture
def elsewhere(tmp_path):
    """A second LMS: a fresh SQLite database and a media store of its own."""
    other = make_app(
        f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}", LMS_MEDIA_DIR=str(tmp_path / "media-elsewhere")
    )
    with other.app_context():
        migrations.upgrade()
    yield other
    with other.app_context():
        session.remove()
        other.extensions["sqlalchemy"].engine.dispose()


def test_a_course_authored_in_the_draft_imports_elsewhere_as_the_same_course(app, tmp_path, elsewhere):
    owner = make_user(Role.TRAINER)
    course = author_course(owner, tmp_path)
    here = shape(course)
    assert [m[0] for m in here["modules"]] == ["m1", "m2"]
    assert "<strong>สำคัญ</strong>" in here["modules"][0][3][0][3]
    assert "<img" in here["modules"][0][3][0][3]
    data = package_zip.version_zip(course.current_version)

    with elsewhere.app_context():
        trainer = make_user(Role.TRAINER)
        result = upload_package(trainer, io.BytesIO(data), "round-trip-v1.zip", UploadAction.PUBLISH)
        session.commit()
        there = shape(session.scalar(select(Course).where(Course.iri == IRI)))
        assert result.course.is_published
        stored = list((tmp_path / "media-elsewhere").iterdir())
        assert [f.read_bytes() for f in stored] == [png()]
    assert there == here


def test_an_uploaded_package_comes_back_unchanged_from_the_draft(app, tmp_path):
    trainer = make_user(Role.TRAINER)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in EXEC.rglob("*") if p.is_file()):
            archive.writestr(path.relative_to(EXEC).as_posix(), path.read_bytes())
    buffer.seek(0)
    result = upload_package(trainer, buffer, "exec.zip", UploadAction.DRAFT)
    session.commit()
    exported = package_zip.draft_zip(drafts.existing_draft(result.course))
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        archive.extractall(tmp_path)
    back = tmp_path / "exec-digital-leadership"
    originals = sorted(p.relative_to(EXEC).as_posix() for p in EXEC.rglob("*") if p.is_file())
    assert sorted(p.relative_to(back).as_posix() for p in back.rglob("*") if p.is_file()) == originals
    for relative in originals:
        assert (back / relative).read_bytes() == (EXEC / relative).read_bytes(), relative
    assert content_hash(back) == content_hash(EXEC)
