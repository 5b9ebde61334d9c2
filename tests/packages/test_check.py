"""The checker: each kind of problem, with its file, line and message."""

import os
import shutil

import pytest
from jsonschema import Draft202012Validator

from lms.packages import schema
from lms.packages.check import check_folder, check_package
from lms.packages.importer import import_package
from tests.packages.conftest import CONTENT, edit

QUIZ = "quizzes/m1-quiz.yaml"
LESSON = "lessons/m1-l1.md"
#: The fixture's quiz allows 3 attempts and asks all 7 questions each time: a warning only.
NO_POOL = (
    "quizzes/m1-quiz.yaml:8: warning: the quiz allows 3 attempts but has no pool (draw is null): every "
    "attempt asks the same 7 question(s), so a later attempt can be passed from memory; add questions "
    "and set draw below their number, so that each attempt draws other ones"
)


def problems(package) -> list[str]:
    return [str(problem) for problem in check_package(package).problems]


def test_the_fixture_package_has_no_errors_only_the_no_pool_warning(mini):
    assert problems(mini) == [NO_POOL]
    assert check_package(mini).ok


@pytest.mark.parametrize("name", [schema.COURSE, schema.LESSON, schema.QUIZ, schema.LEARNING_PATHS])
def test_the_shipped_schemas_are_valid_json_schemas(name):
    Draft202012Validator.check_schema(schema.load_schema(name))


def test_the_shipped_content_has_no_errors():
    folder = check_folder(CONTENT)
    assert folder.ok
    # Every shipped quiz allows 3 attempts without a pool: the trainers are told, the import goes on.
    quizzes = sorted(f"{p.root.name}/{file}" for p in folder.packages for file in p.files.quizzes().values())
    assert len(quizzes) == 11
    assert [(p.file, p.line, p.is_warning) for p in folder.problems] == [(q, 8, True) for q in quizzes]
    assert all("has no pool (draw is null)" in p.message for p in folder.problems)
    assert {p.slug for p in folder.packages} == {"exec-digital-leadership", "practitioner-digital-skills"}
    assert [p["key"] for p in folder.paths] == ["executive-digital-leadership", "practitioner-digital-skills"]


def test_missing_course_yaml(mini):
    (mini / "course.yaml").unlink()
    assert problems(mini) == ["course.yaml: missing course.yaml: every package needs one at its top level"]


def test_yaml_syntax_error_names_its_line(mini):
    edit(mini, "course.yaml", 'en: "Test course"}', 'en: "Test course"')
    assert problems(mini) == [
        "course.yaml:4: YAML syntax error: expected ',' or '}', but got '<scalar>' "
        "(a flow mapping that starts on line 3); check the indentation, colons and quotes"
    ]


def test_yaml_syntax_error_in_front_matter_counts_file_lines(mini):
    edit(mini, LESSON, "minutes: 10\n", "minutes: 10\n  oops: [\n")
    [problem] = problems(mini)
    assert problem.startswith("lessons/m1-l1.md:5: YAML syntax error: mapping values are not allowed here")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("hours: 1.5", "hours: -1", "course.yaml:6: hours: -1 is out of range; it must be more than 0"),
        ("hours: 1.5\n", "", "course.yaml: required field 'hours' is missing; add it"),
        (
            '    title: {th: "หน่วยที่ 1", en: "Module 1"}\n',
            "",
            "course.yaml:12: modules[1]: required field 'title' is missing; add it",
        ),
        (
            'en: "Module 1"}',
            'en: ""}',
            "course.yaml:13: modules[1].title.en: must not be empty",
        ),
        (
            "certificate: formal-th",
            "certificate: formal-th\ncertifcate: x",
            "course.yaml:8: unknown field 'certifcate'; check the spelling (allowed: id, slug, version, "
            "title, summary, audience, hours, completion, certificate, modules)",
        ),
        (
            "lessons: required",
            "lessons: some",
            "course.yaml:9: completion.lessons: 'some' is not allowed; use one of: required, all, none",
        ),
        (
            "id: https://dg-lms.example/course/mini-course",
            "id: mini-course",
            "course.yaml:1: id: 'mini-course' is not valid; use an absolute IRI such as "
            "https://dg-lms.example/course/<slug>",
        ),
        (
            "version: 1\n",
            "version: 1\nslug: Mini_Course\n",
            "course.yaml:3: slug: 'Mini_Course' is not valid; use lower-case letters a-z, digits and '-', "
            "starting with a letter or digit",
        ),
        (
            "course/mini-course",
            "course/Mini_Course",
            "course.yaml:1: the id ends in 'Mini_Course', which cannot be the course's slug; add slug: "
            "with lower-case letters a-z, digits and '-'",
        ),
        ("modules:\n", "modules: []\nx:\n", "course.yaml:11: modules: must list at least 1 item"),
        (
            "hours: 1.5",
            "hours: 1.25",
            "course.yaml:6: hours 1.25 has more than one decimal place; round it, e.g. to 1.2",
        ),
        (
            "hours: 1.5",
            "hours: 1.5\nhours: 2",
            "course.yaml:7: the key 'hours' appears twice in one block (first on line 6); keep one",
        ),
    ],
)
def test_a_bad_or_missing_course_field_names_the_line_of_its_key(mini, old, new, expected):
    edit(mini, "course.yaml", old, new)
    assert expected in problems(mini)


def test_unknown_staff_group(mini):
    edit(mini, "course.yaml", "audience: [practitioner]", "audience: [practitioner, executives]")
    assert problems(mini) == [
        "course.yaml:5: audience[2]: 'executives' is not a staff group; "
        "use one of: executive, practitioner, general"
    ]


def test_missing_lesson_and_quiz_files(mini):
    (mini / "lessons" / "m1-l2.md").unlink()
    (mini / QUIZ).unlink()
    assert problems(mini) == [
        "course.yaml:14: lesson 'm1-l2' has no file: create lessons/m1-l2.md or fix the id",
        "course.yaml:15: quiz 'm1-quiz' has no file: create quizzes/m1-quiz.yaml or fix the id",
    ]


def test_a_lesson_file_not_listed_in_course_yaml_is_an_error(mini):
    (mini / "lessons" / "m1-l3.md").write_text(
        (mini / LESSON).read_text(encoding="utf-8").replace("id: m1-l1", "id: m1-l3"), encoding="utf-8"
    )
    assert problems(mini) == [
        "lessons/m1-l3.md: lesson m1-l3 is not listed in course.yaml; add it to a module's lessons or "
        "delete the file"
    ]
    assert not check_package(mini).ok


def test_duplicate_lesson_and_module_ids(mini):
    edit(
        mini,
        "course.yaml",
        "    quiz: m1-quiz\n",
        '    quiz: m1-quiz\n  - id: m1\n    title: {th: "ซ้ำ", en: "Again"}\n    lessons: [m1-l1]\n',
    )
    assert problems(mini) == [
        "course.yaml:16: duplicate module id 'm1' (also on line 12); list each module once",
        "course.yaml:18: duplicate lesson id 'm1-l1' (also on line 14); list each lesson once",
    ]


def test_duplicate_question_and_choice_ids(mini):
    edit(mini, QUIZ, "  - id: q2", "  - id: q1")
    edit(mini, QUIZ, '{id: b, text: "สอง"}', '{id: a, text: "สอง"}')
    assert problems(mini) == [
        "quizzes/m1-quiz.yaml:20: duplicate question id 'q1' (also on line 12)",
        "quizzes/m1-quiz.yaml:27: question q1: duplicate choice id 'a' (also on line 26)",
    ]


def test_front_matter_id_must_match_the_file_name(mini):
    edit(mini, LESSON, "id: m1-l1", "id: m1-l9")
    assert problems(mini) == [
        "lessons/m1-l1.md:2: the front-matter id 'm1-l9' differs from the file name; "
        "use id: m1-l1 or rename the file"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "minutes: 10",
            "minutes: 0",
            "lessons/m1-l1.md:4: minutes: 0 is out of range; it must be at least 1",
        ),
        ("minutes: 10", "minutes: ten", "lessons/m1-l1.md:4: minutes: expected a whole number, got 'ten'"),
        (
            "required: true",
            "required: maybe",
            "lessons/m1-l1.md:5: required: expected true or false, got 'maybe'",
        ),
        (
            "---\nid",
            "id",
            "lessons/m1-l1.md:1: a lesson must start with front matter: a '---' line, the lesson's "
            "fields, then '---'",
        ),
    ],
)
def test_bad_front_matter(mini, old, new, expected):
    edit(mini, LESSON, old, new)
    assert expected in problems(mini)


def test_broken_media_link(mini):
    edit(mini, LESSON, "media/diagram.png", "media/diagam.png")
    assert problems(mini) == [
        "lessons/m1-l1.md:11: image media/diagam.png not found: add the file under media/ or fix the path",
    ]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "<script>alert(1)</script>",
            "lessons/m1-l1.md:13: raw HTML is not allowed (<script>); write Markdown instead",
        ),
        (
            'ดูวิดีโอ\n<iframe src="https://www.youtube.com/embed/x"></iframe>',
            "lessons/m1-l1.md:14: raw HTML is not allowed (<iframe>); write Markdown instead",
        ),
        (
            "ภาพ <img src=x onerror=alert(1)> ท้าย",
            "lessons/m1-l1.md:13: raw HTML is not allowed (<img> with an onerror= handler); write "
            "Markdown instead",
        ),
        (
            "<!-- note -->",
            "lessons/m1-l1.md:13: raw HTML is not allowed (an HTML comment <!-- -->); write Markdown instead",
        ),
        (
            "[คลิก](javascript:alert(1))",
            "lessons/m1-l1.md:13: links may use http, https or mailto only, not javascript: "
            "(javascript:alert(1))",
        ),
        (
            "![ภาพ](https://example.org/x.png)",
            "lessons/m1-l1.md:13: images and video must be files under media/, not "
            "https://example.org/x.png; "
            "the LMS does not load media from other sites",
        ),
    ],
)
def test_raw_html_and_unsafe_links_in_a_lesson(mini, markdown, expected):
    with (mini / LESSON).open("a", encoding="utf-8") as lesson:
        lesson.write(f"\n{markdown}\n")
    assert problems(mini) == [expected]


def test_html_inside_code_is_just_code(mini):
    with (mini / LESSON).open("a", encoding="utf-8") as lesson:
        lesson.write("\nใช้ `<script>` ได้ในโค้ด\n\n```html\n<iframe></iframe>\n```\n")
    assert problems(mini) == [NO_POOL]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    correct: a\n",
            "    correct: e\n",
            "quizzes/m1-quiz.yaml:19: question q1: the correct answer 'e' is not one of the choices (a, b)",
        ),
        (
            "correct: [a, c]",
            "correct: [a, d]",
            "quizzes/m1-quiz.yaml:29: question q2: the correct answer 'd' is not one of the choices (a, "
            "b, c)",
        ),
        (
            "correct: [a, c]",
            "correct: []",
            "quizzes/m1-quiz.yaml:29: questions[2].correct: must list at least 1 item",
        ),
        (
            "pass_mark: 70",
            "pass_mark: 170",
            "quizzes/m1-quiz.yaml:3: pass_mark: 170 is out of range; it must be at most 100",
        ),
        (
            "draw: null",
            "draw: 8",
            "quizzes/m1-quiz.yaml:8: draw is 8 but the pool has only 7 question(s); lower draw or add "
            "questions",
        ),
        (
            "attempts: 3",
            "attempts: 0",
            "quizzes/m1-quiz.yaml:4: attempts: 0 is not valid; use a whole number of 1 or more, or "
            '"unlimited"',
        ),
        (
            "time_limit_minutes: null",
            "time_limit_minutes: 0",
            "quizzes/m1-quiz.yaml:5: time_limit_minutes: 0 is not valid; use null (no limit) or a whole "
            "number of minutes of 1 or more",
        ),
        (
            "show_feedback: after_attempt",
            "show_feedback: always",
            "quizzes/m1-quiz.yaml:9: show_feedback: 'always' is not allowed; use one of: never, "
            "after_attempt, after_pass_or_last_attempt, after_last_attempt",
        ),
        (
            "correct: {s1: t1, s2: t2}",
            "correct: {s1: t1}",
            "quizzes/m1-quiz.yaml:52: question q6: source 's2' has no target in correct; add s2: <target id>",
        ),
        (
            "correct: {s1: t1, s2: t2}",
            "correct: {s1: t1, s2: t9}",
            "quizzes/m1-quiz.yaml:52: question q6: s2 is matched to 't9', which is not one of the "
            "targets (t1, t2)",
        ),
        (
            ', {id: i2, text: "หลัง"}]',
            "]",
            "quizzes/m1-quiz.yaml:57: questions[7].items: must list at least 2 items",
        ),
        (
            "max: 31",
            "max: 3",
            "quizzes/m1-quiz.yaml:45: question q5: min (28) is greater than max (3); swap them",
        ),
        (
            "    range: {min: 28, max: 31}",
            "    correct: 30\n    range: {min: 28, max: 31}",
            "quizzes/m1-quiz.yaml:41: questions[5]: use either correct: <number> or range: {min: "
            "<number>, max: <number>}, not both",
        ),
        (
            'accepted: ["สพร.", "สพร"]',
            "accepted: []",
            "quizzes/m1-quiz.yaml:39: questions[4].accepted: must list at least 1 item",
        ),
        (
            "type: true_false",
            "type: yes_no",
            "quizzes/m1-quiz.yaml:31: questions[3].type: 'yes_no' is not allowed; use one of: "
            "single_choice, multiple_response, true_false, fill_in, numeric, matching, sequencing",
        ),
        (
            'prompt: "จริงหรือไม่"',
            'prompt: "จริง <b>หรือ</b> ไม่"',
            "quizzes/m1-quiz.yaml:32: questions[3].prompt: raw HTML is not allowed (<b>); write "
            "Markdown instead",
        ),
        (
            "id: m1-quiz",
            "id: m2-quiz",
            "quizzes/m1-quiz.yaml:1: the quiz id 'm2-quiz' differs from the file name; use id: m1-quiz "
            "or rename the file",
        ),
    ],
)
def test_quiz_problems(mini, old, new, expected):
    edit(mini, QUIZ, old, new)
    assert expected in problems(mini)


def test_media_files_are_checked(mini):
    (mini / "media" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    (mini / "media" / "fake.png").write_text("<html>not a picture</html>")
    (mini / "media" / "notes.txt").write_text("notes")
    (mini / "README.md").write_text("notes")
    edit(mini, LESSON, "![แผนภาพ](media/diagram.png)", "![แผนภาพ](media/diagram.png) ![a](media/fake.png)")
    assert problems(mini) == [
        "README.md: unexpected file: a package holds only course.yaml, lessons/<id>.md, quizzes/<id>.yaml, "
        "files under media/ and certificate templates under certificates/<name>/; move or delete it",
        "media/fake.png: the file's content is not a PNG image; check the file or correct its extension",
        "media/logo.svg: SVG files are refused: they can carry scripts that would run on the LMS's own site; "
        "export the picture as PNG or WebP",
        "media/notes.txt: .txt is not accepted as media; use one of: gif, jpeg, jpg, mp3, mp4, pdf, "
        "png, webm, webp",
    ]


def test_unused_media_is_only_a_warning(mini):
    (mini / "media" / "spare.png").write_bytes((mini / "media" / "diagram.png").read_bytes())
    package = check_package(mini)
    assert [str(p) for p in package.problems] == [
        "media/spare.png: warning: no lesson or quiz uses this file; link to it or delete it",
        NO_POOL,
    ]
    assert package.ok


def test_hidden_files_are_ignored_and_symlinks_refused(mini, tmp_path):
    (mini / ".DS_Store").write_bytes(b"\0\1")
    (mini / "lessons" / ".m1-l1.md.swp").write_bytes(b"\0\1")
    assert problems(mini) == [NO_POOL]
    outside = tmp_path / "secret.png"
    outside.write_bytes((mini / "media" / "diagram.png").read_bytes())
    os.symlink(outside, mini / "media" / "linked.png")
    assert problems(mini) == ["media/linked.png: symbolic links are not allowed; copy the file in instead"]


def test_a_file_that_is_not_utf8(mini):
    (mini / LESSON).write_bytes(b"---\nid: m1-l1\n" + "บทที่".encode("cp874"))
    assert problems(mini) == ["lessons/m1-l1.md:3: the file is not UTF-8 text (byte 14); save it as UTF-8"]


def test_folder_problems_name_the_package_folder(mini, tmp_path):
    edit(mini, "course.yaml", "hours: 1.5", "hours: 0")
    (tmp_path / "learning-paths.yaml").write_text(
        "paths:\n"
        "  - key: p1\n"
        "    staff_group: managers\n"
        "    title: {th: ก, en: A}\n"
        "    courses: [mini-course, no-such-course]\n",
        encoding="utf-8",
    )
    folder = check_folder(tmp_path)
    assert [str(p) for p in folder.problems] == [
        "learning-paths.yaml:3: paths[1].staff_group: 'managers' is not a staff group; "
        "use one of: executive, practitioner, general",
        "learning-paths.yaml:5: no package in this folder has the slug 'no-such-course' (the folder "
        "has: mini-course)",
        "mini-course/course.yaml:6: hours: 0 is out of range; it must be more than 0",
    ]


def test_yaml_aliases_are_refused(mini):
    edit(mini, "course.yaml", 'title: {th: "หลักสูตรทดสอบ"', 'title: &t {th: "หลักสูตรทดสอบ"')
    edit(mini, "course.yaml", '    title: {th: "หน่วยที่ 1", en: "Module 1"}', "    title: *t")
    [problem] = problems(mini)
    assert problem.startswith("course.yaml:13: YAML syntax error: aliases (*name) are not allowed")


# Quizzes that measure learning -------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("draw: null", "draw: 5", []),
        ("attempts: 3", "attempts: 1", []),
        (
            "draw: null",
            "draw: 7",
            [
                "quizzes/m1-quiz.yaml:8: warning: the quiz allows 3 attempts but has no pool (draw is 7, the "
                "whole pool): every attempt asks the same 7 question(s), so a later attempt can be passed "
                "from memory; add questions and set draw below their number, so that each attempt draws "
                "other ones"
            ],
        ),
        (
            "attempts: 3",
            'attempts: "unlimited"',
            [
                "quizzes/m1-quiz.yaml:8: warning: the quiz allows unlimited attempts but has no pool "
                "(draw is null): every attempt asks the same 7 question(s), so a later attempt can be passed "
                "from memory; add questions and set draw below their number, so that each attempt draws "
                "other ones"
            ],
        ),
    ],
)
def test_a_quiz_taken_again_without_a_pool_is_a_warning(mini, old, new, expected):
    edit(mini, QUIZ, old, new)
    package = check_package(mini)
    assert [str(p) for p in package.problems] == expected
    assert package.ok


def test_the_no_pool_warning_waits_for_the_errors_to_be_fixed(mini):
    edit(mini, QUIZ, "pass_mark: 70", "pass_mark: 170")
    assert problems(mini) == [
        "quizzes/m1-quiz.yaml:3: pass_mark: 170 is out of range; it must be at most 100"
    ]


def test_a_folder_with_an_error_shows_no_warnings(mini, tmp_path):
    shutil.copytree(mini, tmp_path / "content" / "good")
    shutil.copytree(mini, tmp_path / "content" / "bad")
    edit(tmp_path / "content" / "bad", "course.yaml", "course/mini-course", "course/bad-course")
    edit(tmp_path / "content" / "bad", "course.yaml", "hours: 1.5", "hours: 0")
    assert [str(p) for p in check_folder(tmp_path / "content").problems] == [
        "bad/course.yaml:6: hours: 0 is out of range; it must be more than 0"
    ]
    edit(tmp_path / "content" / "bad", "course.yaml", "hours: 0", "hours: 1")
    assert [p.file for p in check_folder(tmp_path / "content").problems] == [
        "bad/quizzes/m1-quiz.yaml",
        "good/quizzes/m1-quiz.yaml",
    ]


def test_a_package_with_the_no_pool_warning_still_imports(mini, media_store):
    course = import_package(mini)
    assert course.status == "created"
    assert str(course) == "mini-course: created (version 1)"


def test_show_feedback_may_be_left_out(mini):
    edit(mini, QUIZ, "show_feedback: after_attempt\n", "")
    assert problems(mini) == [NO_POOL]


def test_show_feedback_after_pass_or_last_attempt_is_allowed(mini):
    edit(mini, QUIZ, "show_feedback: after_attempt", "show_feedback: after_pass_or_last_attempt")
    assert problems(mini) == [NO_POOL]


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("\\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\\u200c\\u200d", "U+200C ZERO WIDTH NON-JOINER, U+200D ZERO WIDTH JOINER"),
        ("\\u2060\\ufeff", "U+2060 WORD JOINER, U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        (" \\u200b ", "U+0020 SPACE, U+200B ZERO WIDTH SPACE"),
        ("\\u00ad", "U+00AD SOFT HYPHEN"),
        (
            "\\u200e\\u200f\\u2061\\u3164",
            "U+200E LEFT-TO-RIGHT MARK, U+200F RIGHT-TO-LEFT MARK, U+2061 FUNCTION APPLICATION, ...",
        ),
    ],
)
def test_an_accepted_answer_of_invisible_characters_is_an_error(mini, written, named):
    edit(mini, QUIZ, 'accepted: ["สพร.", "สพร"]', f'accepted: ["สพร.", "{written}"]')
    assert problems(mini) == [
        f"quizzes/m1-quiz.yaml:39: question q4: accepted answer 2 is made only of invisible characters "
        f"({named}); write the answer in visible letters or delete it"
    ]
    assert not check_package(mini).ok


def test_an_accepted_answer_of_spaces_is_reported_once(mini):
    edit(mini, QUIZ, 'accepted: ["สพร.", "สพร"]', 'accepted: ["  \\t"]')
    assert problems(mini) == ["quizzes/m1-quiz.yaml:39: questions[4].accepted[1]: must not be empty"]


def test_visible_accepted_answers_with_zero_width_characters_inside_are_fine(mini):
    edit(mini, QUIZ, 'accepted: ["สพร.", "สพร"]', 'accepted: ["สพร.", "ส\\u200bพร"]')
    assert problems(mini) == [NO_POOL]
