"""Rules of issue 12: a BOM before a lesson's front matter, ids unique across the course, no
HTML in titles, a media size limit; messages in Thai (the CLI's language) and English."""

from flask_babel import force_locale
from sqlalchemy import select

from lms.content.models import Lesson
from lms.extensions import session
from lms.packages.check import check_folder, check_package
from lms.packages.importer import import_package
from tests.packages.conftest import edit
from tests.packages.test_check import LESSON, NO_POOL, QUIZ, problems


def run(runner, *args):
    return runner.invoke(args=["lms", "content", *map(str, args)])


def english(package) -> list[str]:
    with force_locale("en"):
        return problems(package)


def test_a_lesson_saved_with_a_byte_order_mark_is_read(mini, media_store):
    path = mini / LESSON
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems(mini) == [NO_POOL]
    import_package(mini)
    session.commit()
    lesson = session.scalar(select(Lesson).where(Lesson.key == "m1-l1"))
    assert (lesson.title_th, lesson.minutes) == ("บทที่ 1", 10)
    assert lesson.body_markdown.startswith("## ภาพรวม")


def test_one_id_for_a_module_and_a_lesson_is_refused_with_both_lines(mini, runner):
    edit(mini, "course.yaml", "  - id: m1\n", "  - id: m1-l2\n")
    assert english(mini) == [
        "course.yaml:14: the lesson id 'm1-l2' is also the id of a module (line 12); module, lesson and "
        "quiz ids must be unique in the whole course: rename one"
    ]
    result = run(runner, "check", mini)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "course.yaml:14: รหัสบทเรียน 'm1-l2' ซ้ำกับรหัสของหน่วยการเรียน (บรรทัด 12) รหัสของหน่วยการเรียน "
        "บทเรียน และแบบทดสอบต้องไม่ซ้ำกันทั้งหลักสูตร: เปลี่ยนรหัสใดรหัสหนึ่ง"
    )


def test_a_quiz_id_that_is_a_lesson_id_is_refused(mini):
    (mini / QUIZ).rename(mini / "quizzes" / "m1-l1.yaml")
    edit(mini, "quizzes/m1-l1.yaml", "id: m1-quiz", "id: m1-l1")
    edit(mini, "course.yaml", "quiz: m1-quiz", "quiz: m1-l1")
    assert [p for p in problems(mini) if "unique" in p] == [
        "course.yaml:15: the quiz id 'm1-l1' is also the id of a lesson (line 14); module, lesson and "
        "quiz ids must be unique in the whole course: rename one"
    ]


def test_raw_html_in_titles_is_refused_with_file_line_and_field(mini, runner):
    edit(mini, "course.yaml", 'en: "Test course"}', 'en: "<b>Test</b> course"}')
    edit(mini, "course.yaml", 'summary: {th: "หลักสูตรสั้นสำหรับการทดสอบ"', 'summary: {th: "สั้น<br>มาก"')
    edit(mini, "course.yaml", '{th: "หน่วยที่ 1"', '{th: "<i onclick=x()>หน่วยที่ 1</i>"')
    edit(mini, LESSON, 'en: "Lesson 1"', 'en: "Lesson&nbsp;1"')
    edit(mini, QUIZ, 'th: "แบบทดสอบ"', 'th: "แบบทดสอบ <!-- draft -->"')
    assert english(mini) == [
        "course.yaml:3: title.en: raw HTML is not allowed in a title or summary (<b>); write plain text",
        "course.yaml:4: summary.th: raw HTML is not allowed in a title or summary (<br>); write plain text",
        "course.yaml:13: modules[1].title.th: raw HTML is not allowed in a title or summary (<i>); "
        "write plain text",
        "lessons/m1-l1.md:3: title.en: raw HTML is not allowed in a title or summary (&nbsp;); "
        "write plain text",
        "quizzes/m1-quiz.yaml:2: title.th: raw HTML is not allowed in a title or summary (<!--); "
        "write plain text",
    ]
    result = run(runner, "check", mini)
    assert "course.yaml:3: title.en: ไม่อนุญาตให้ใช้ HTML ในชื่อหรือคำอธิบาย (<b>) โปรดเขียนเป็นข้อความธรรมดา" in (
        result.stderr
    )


def test_a_less_than_sign_in_a_title_is_text(mini):
    edit(mini, "course.yaml", 'en: "Test course"}', 'en: "Staff aged < 60 and > 30"}')
    assert problems(mini) == [NO_POOL]


def test_media_larger_than_the_limit_is_refused_with_its_name_and_the_limit(app, runner, mini):
    app.config["LMS_MEDIA_MAX_MB"] = 1
    (mini / "media" / "lecture.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1_600_000))
    (mini / "media" / "small.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1_000_000))
    result = run(runner, "check", mini)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "media/lecture.mp4: ไฟล์มีขนาด 1.5 MB แต่ไฟล์สื่อต้องไม่เกิน 1 MB (LMS_MEDIA_MAX_MB) "
        "โปรดลดขนาดไฟล์ (เช่น ลดความละเอียดของวิดีโอ) หรือแบ่งเป็นหลายไฟล์"
    )
    assert "small.mp4" not in result.stderr.splitlines()[1]
    with force_locale("en"):
        found = [str(p) for p in check_package(mini).problems]
    assert found == [
        "media/lecture.mp4: the file is 1.5 MB; media files may be at most 1 MB (LMS_MEDIA_MAX_MB): make it "
        "smaller (e.g. a lower video resolution) or split it"
    ]


def test_raw_html_in_a_learning_path_title_is_refused(mini, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    mini.rename(folder / "mini-course")
    (folder / "learning-paths.yaml").write_text(
        "paths:\n  - key: p1\n    staff_group: general\n"
        '    title: {th: "เส้นทาง", en: "<em>Path</em>"}\n    courses: [mini-course]\n',
        encoding="utf-8",
    )
    with force_locale("en"):
        found = [str(p) for p in check_folder(folder).problems]
    assert found == [
        "learning-paths.yaml:4: paths[1].title.en: raw HTML is not allowed in a title or summary (<em>); "
        "write plain text"
    ]


def test_the_cli_prints_duplicate_ids_and_unexpected_files_in_thai(mini, runner):
    edit(mini, "course.yaml", "    lessons: [m1-l1, m1-l2]", "    lessons: [m1-l1, m1-l1]")
    (mini / "notes.txt").write_text("draft", encoding="utf-8")
    result = run(runner, "check", mini)
    lines = result.stderr.splitlines()
    assert "course.yaml:14: รหัสบทเรียน 'm1-l1' ซ้ำ (มีอยู่แล้วที่บรรทัด 14) ระบุแต่ละบทเรียนเพียงครั้งเดียว" in lines
    assert "notes.txt: ไฟล์ที่ไม่ควรมี: แพ็กเกจมีได้เฉพาะ course.yaml" in result.stderr
