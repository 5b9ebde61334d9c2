"""Importing packages: all or nothing, versions, the media store and learning paths."""

import hashlib
import shutil
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.content.models import Course, CourseVersion, LearningPath, Lesson, Module
from lms.extensions import session
from lms.packages.importer import ImportStatus, import_folder, import_package
from lms.packages.problems import PackageError
from tests.packages.conftest import CONTENT, FIXTURE, edit

MODELS = (Course, CourseVersion, Module, Lesson, LearningPath)


def counts() -> dict[str, int]:
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def empty() -> dict[str, int]:
    return dict.fromkeys((model.__name__ for model in MODELS), 0)


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_creates_the_course_tree(mini, media_store):
    result = import_package(mini)
    session.commit()
    assert result.status is ImportStatus.CREATED
    assert str(result) == "mini-course: created (version 1)"
    course = session.scalar(select(Course))
    assert (course.iri, course.slug) == ("https://dg-lms.example/course/mini-course", "mini-course")
    version = course.current_version
    assert (version.number, version.package_version, version.hours) == (1, "1", Decimal("1.5"))
    assert (version.title_th, version.title_en) == ("หลักสูตรทดสอบ", "Test course")
    assert version.audience == ["practitioner"]
    assert version.completion_rule == {"lessons": "required", "quizzes": "pass"}
    assert version.certificate_template == "formal-th"
    [module] = version.modules
    assert (module.key, module.quiz_key, [lesson.key for lesson in module.lessons]) == (
        "m1",
        "m1-quiz",
        ["m1-l1", "m1-l2"],
    )
    first, second = module.lessons
    assert (first.minutes, first.is_required, second.is_required) == (10, True, False)
    assert first.body_markdown.startswith("## ภาพรวม\n")
    png, mp4 = sha256_of(mini / "media/diagram.png"), sha256_of(mini / "media/clip.mp4")
    assert f'<img src="../media/{png}.png" alt="แผนภาพ">' in first.body_html
    assert f'src="../media/{mp4}.mp4"' in second.body_html
    assert sorted(p.name for p in media_store.iterdir()) == sorted([f"{png}.png", f"{mp4}.mp4"])
    assert set(version.package["files"]) == {
        "course.yaml",
        "lessons/m1-l1.md",
        "lessons/m1-l2.md",
        "quizzes/m1-quiz.yaml",
    }
    assert version.package["media"] == {"media/clip.mp4": mp4, "media/diagram.png": png}


def test_nothing_is_written_when_the_package_has_an_error(mini, media_store):
    edit(mini, "quizzes/m1-quiz.yaml", "    correct: a\n", "    correct: z\n")
    edit(mini, "lessons/m1-l2.md", "## วิดีโอ", "## วิดีโอ\n\n<script>alert(1)</script>")
    with pytest.raises(PackageError) as caught:
        import_package(mini)
    assert [str(p) for p in caught.value.problems] == [
        "lessons/m1-l2.md:9: raw HTML is not allowed (<script>); write Markdown instead",
        "quizzes/m1-quiz.yaml:19: question q1: the correct answer 'z' is not one of the choices (a, b)",
    ]
    assert str(caught.value) == "2 error(s) found; nothing was imported"
    session.rollback()
    assert counts() == empty()
    assert not media_store.exists()


def test_reimporting_the_same_package_changes_nothing(mini, media_store):
    first = import_package(mini)
    session.commit()
    before = counts()
    again = import_package(mini)
    session.commit()
    assert again.status is ImportStatus.UNCHANGED
    assert str(again) == "mini-course: unchanged (version 1)"
    assert again.version.id == first.version.id
    assert counts() == before


def test_a_changed_package_adds_version_2_and_keeps_version_1(mini, media_store):
    import_package(mini)
    session.commit()
    edit(mini, "lessons/m1-l1.md", "## ภาพรวม", "## ภาพรวมฉบับปรับปรุง")
    edit(mini, "course.yaml", "version: 1", "version: 1.1")
    result = import_package(mini)
    session.commit()
    assert result.status is ImportStatus.NEW_VERSION
    assert str(result) == "mini-course: new version (version 2)"
    session.expire_all()
    course = session.scalar(select(Course))
    assert [v.number for v in course.versions] == [1, 2]
    assert course.current_version.number == 2 and course.current_version.package_version == "1.1"
    old, new = (v.modules[0].lessons[0].body_markdown for v in course.versions)
    assert old.startswith("## ภาพรวม\n") and new.startswith("## ภาพรวมฉบับปรับปรุง\n")
    assert counts() == {"Course": 1, "CourseVersion": 2, "Module": 2, "Lesson": 4, "LearningPath": 0}


def test_a_slug_taken_by_another_course_is_refused(mini, media_store, tmp_path):
    import_package(mini)
    session.commit()
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    edit(other, "course.yaml", "course/mini-course", "course/other-course\nslug: mini-course")
    with pytest.raises(PackageError) as caught:
        import_package(other)
    assert [str(p) for p in caught.value.problems] == [
        "course.yaml:2: the slug 'mini-course' is taken by another course "
        "(https://dg-lms.example/course/mini-course); choose another"
    ]


def test_a_course_keeps_its_slug(mini, media_store):
    import_package(mini)
    session.commit()
    edit(mini, "course.yaml", "version: 1\n", "version: 1\nslug: renamed\n")
    with pytest.raises(PackageError) as caught:
        import_package(mini)
    assert [str(p) for p in caught.value.problems] == [
        "course.yaml:3: this course was imported with the slug 'mini-course', and a course's slug cannot "
        "change (its addresses would break); set slug: mini-course"
    ]


def test_the_shipped_content_imports_with_its_learning_paths(media_store):
    result = import_folder(CONTENT)
    session.commit()
    assert [str(r) for r in result.courses] == [
        "exec-digital-leadership: created (version 1)",
        "practitioner-digital-skills: created (version 1)",
    ]
    assert [(p.key, p.status) for p in result.paths] == [
        ("executive-digital-leadership", "created"),
        ("practitioner-digital-skills", "created"),
    ]
    paths = {p.key: p for p in session.scalars(select(LearningPath))}
    executive, practitioner = paths["executive-digital-leadership"], paths["practitioner-digital-skills"]
    assert (executive.staff_group, executive.course_slugs) == (
        "executive",
        ["exec-digital-leadership", "practitioner-digital-skills"],
    )
    assert (practitioner.staff_group, practitioner.course_slugs) == (
        "practitioner",
        ["practitioner-digital-skills", "exec-digital-leadership"],
    )
    assert counts() == {"Course": 2, "CourseVersion": 2, "Module": 11, "Lesson": 33, "LearningPath": 2}
    again = import_folder(CONTENT)
    assert [r.status for r in again.courses] == [ImportStatus.UNCHANGED] * 2
    assert [p.status for p in again.paths] == ["unchanged", "unchanged"]


def test_learning_paths_are_updated_by_key(media_store, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    import_folder(folder)
    session.commit()
    edit(
        folder,
        "learning-paths.yaml",
        "courses: [practitioner-digital-skills, exec-digital-leadership]",
        "courses: [practitioner-digital-skills]",
    )
    result = import_folder(folder)
    session.commit()
    assert [(p.key, p.status) for p in result.paths] == [
        ("executive-digital-leadership", "unchanged"),
        ("practitioner-digital-skills", "updated"),
    ]
    path = session.scalar(select(LearningPath).where(LearningPath.key == "practitioner-digital-skills"))
    assert path.course_slugs == ["practitioner-digital-skills"]


def test_a_folder_with_any_error_writes_nothing(mini, media_store, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE, folder / "good")
    shutil.copytree(FIXTURE, folder / "bad")
    edit(folder / "bad", "course.yaml", "course/mini-course", "course/bad-course")
    edit(folder / "bad", "quizzes/m1-quiz.yaml", "pass_mark: 70", "pass_mark: 101")
    (folder / "learning-paths.yaml").write_text(
        "paths:\n"
        "  - key: everyone\n"
        "    staff_group: general\n"
        "    title: {th: ทุกคน, en: Everyone}\n"
        "    courses: [mini-course, missing-course]\n",
        encoding="utf-8",
    )
    with pytest.raises(PackageError) as caught:
        import_folder(folder)
    assert [str(p) for p in caught.value.problems] == [
        "bad/quizzes/m1-quiz.yaml:3: pass_mark: 101 is out of range; it must be at most 100",
        "learning-paths.yaml:5: no package in this folder has the slug 'missing-course' "
        "(the folder has: bad-course, mini-course)",
    ]
    session.rollback()
    assert counts() == empty()
    assert not media_store.exists()


def test_two_packages_of_a_folder_may_not_share_a_course_id(media_store, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE, folder / "one")
    shutil.copytree(FIXTURE, folder / "two")
    with pytest.raises(PackageError) as caught:
        import_folder(folder)
    assert [str(p) for p in caught.value.problems] == [
        "two/course.yaml:1: the course id 'https://dg-lms.example/course/mini-course' is also used by one; "
        "each course needs its own",
        "two/course.yaml:1: the course slug 'mini-course' is also used by one; each course needs its own",
    ]
