"""``flask lms content check|import|export``."""

from sqlalchemy import func, select

from lms.content.models import Course, CourseVersion
from lms.extensions import session
from tests.packages.conftest import CONTENT, files_of


def run(runner, *args):
    return runner.invoke(args=["lms", "content", *map(str, args)])


def test_check_the_shipped_content(runner):
    result = run(runner, "check", CONTENT)
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 11 and all(": warning: the quiz allows 3 attempts" in w for w in warnings)
    assert result.stdout.splitlines() == [
        f"OK: {CONTENT} has no errors (11 warning(s))",
        "  exec-digital-leadership: 5 modules, 15 lessons, 5 quizzes, 0 media files",
        "  practitioner-digital-skills: 6 modules, 18 lessons, 6 quizzes, 0 media files",
        "  learning-paths.yaml: 2 paths",
    ]


def test_check_prints_every_problem_and_fails(runner, mini):
    (mini / "lessons" / "m1-l2.md").unlink()
    (mini / "media" / "spare.png").write_bytes(b"not a png")
    result = run(runner, "check", mini)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "course.yaml:14: lesson 'm1-l2' has no file: create lessons/m1-l2.md or fix the id",
        "media/spare.png: the file's content is not a PNG image; check the file or correct its extension",
        f"Error: 2 error(s) and 0 warning(s) in {mini}; fix the errors and check again",
    ]


def test_check_passes_with_warnings(runner, mini):
    (mini / "media" / "spare.png").write_bytes((mini / "media" / "diagram.png").read_bytes())
    result = run(runner, "check", mini)
    assert result.exit_code == 0
    assert "media/spare.png: warning: no lesson or quiz uses this file" in result.stderr
    assert "quizzes/m1-quiz.yaml:8: warning: the quiz allows 3 attempts but has no pool" in result.stderr
    assert result.stdout.startswith(f"OK: {mini} has no errors (2 warning(s))")


def test_import_then_reimport(runner, mini, media_store):
    first = run(runner, "import", mini)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "mini-course: created (version 1)\n"
    again = run(runner, "import", mini)
    assert again.stdout == "mini-course: unchanged (version 1)\n"
    assert session.scalar(select(func.count()).select_from(CourseVersion)) == 1


def test_import_of_a_bad_package_writes_nothing(runner, mini, media_store):
    (mini / "course.yaml").write_text("id: [", encoding="utf-8")
    result = run(runner, "import", mini)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("course.yaml:1: YAML syntax error:")
    assert lines[-1] == "Error: 1 error(s) found; nothing was imported"
    assert session.scalar(select(func.count()).select_from(Course)) == 0


def test_import_a_folder_and_export(runner, media_store, tmp_path):
    result = run(runner, "import", CONTENT)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "exec-digital-leadership: created (version 1)",
        "practitioner-digital-skills: created (version 1)",
        "learning path executive-digital-leadership: created",
        "learning path practitioner-digital-skills: created",
    ]
    exported = run(runner, "export", "exec-digital-leadership", tmp_path / "out")
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout == f"Exported exec-digital-leadership version 1 to {tmp_path / 'out'}\n"
    assert files_of(tmp_path / "out") == files_of(CONTENT / "exec-digital-leadership")


def test_export_of_an_unknown_course_fails(runner, tmp_path):
    result = run(runner, "export", "nope", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == "Error: no imported course has the slug or IRI nope\n"
