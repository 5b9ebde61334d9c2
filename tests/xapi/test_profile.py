"""Every statement the player emits has exactly the shape documented in docs/xapi-profile.md."""

import json
import re
from pathlib import Path

from sqlalchemy import select

from lms.courses import service as courses
from lms.extensions import session
from lms.xapi.builder import parse_activity
from lms.xapi.models import StoredStatement
from lms.xapi.validation import validate
from tests.conftest import make_course, make_user

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "docs" / "xapi-profile.md"
MINI = ROOT / "tests" / "packages" / "fixtures" / "mini"
RIGHT_ANSWERS = {
    "q.q1": ["a"],
    "q.q2": ["a", "c"],
    "q.q3": ["true"],
    "q.q4": ["สพร."],
    "q.q5": ["30"],
    "q.q6.s1": ["t1"],
    "q.q6.s2": ["t2"],
    "q.q7.i1": ["1"],
    "q.q7.i2": ["2"],
}


OUR_EXTENSION = re.compile(r"^https?://[^/]+(?=/xapi/extensions/)")


def shape(value):
    """The structure of a JSON value: keys and types, not the values (nor the site's base URL)."""
    if isinstance(value, dict):
        return {OUR_EXTENSION.sub("{base}", key): shape(item) for key, item in value.items()}
    if isinstance(value, list):  # lists are homogeneous: the shape of one item stands for all
        return [shape(value[0])] if value else []
    return type(value).__name__


def kind(statement) -> tuple:
    """What tells one documented statement from another: verb, activity level, interaction
    type, and whether a result response is present (an unanswered question has none)."""
    target = parse_activity(statement["object"]["id"]) or {}
    interaction = statement["object"].get("definition", {}).get("interactionType")
    answered = "response" in statement.get("result", {})
    if interaction and not answered:
        interaction = "any"  # one example of an unanswered question stands for every type
    return statement["verb"]["display"]["en-US"], target.get("level"), interaction, answered


def expected_shape(profile: dict, statement: dict):
    """The documented shape; an unanswered question takes its definition from the answered
    example of its own interaction type."""
    key = kind(statement)
    if key[2] != "any":
        return profile[key]
    interaction = statement["object"]["definition"]["interactionType"]
    empty = json.loads(json.dumps(profile[key]))
    empty["object"]["definition"] = profile[("answered", "question", interaction, True)]["object"][
        "definition"
    ]
    return empty


def documented() -> dict:
    blocks = re.findall(r"```json\n(.*?)\n```", PROFILE.read_text(encoding="utf-8"), re.S)
    examples = [json.loads(block) for block in blocks]
    for example in examples:
        validate(example)
    return {kind(example): shape(example) for example in examples}


def emitted() -> list[dict]:
    return [json.loads(r.raw) for r in session.scalars(select(StoredStatement).order_by(StoredStatement.seq))]


def test_emitted_statements_match_the_profile(app, tmp_path):
    profile = documented()
    course = make_course("dg-basics", modules=1, lessons_per_module=1)
    learner = make_user()
    courses.enrol(learner, course)
    courses.launch(learner, course)
    courses.leave_lesson(
        learner, course, courses.lessons_in_order(course)[0], 95, complete=True, terminate=True
    )
    session.commit()
    quiz_statements = take_the_mini_quiz(app, tmp_path, learner)
    statements = emitted()
    assert {kind(s) for s in statements} == set(profile), (
        "the profile and the LMS disagree on which statements exist"
    )
    assert (
        len(quiz_statements) == 1 + 1 + 7 + 1 + 1 + 7 + 1
    )  # registered; 2 x (attempted, 7 answered, outcome)
    for statement in statements:
        assert shape(statement) == expected_shape(profile, statement), kind(statement)


def take_the_mini_quiz(app, tmp_path, learner) -> list[dict]:
    """Fail the mini package's quiz (one wrong answer), then pass it with every type answered."""
    from lms.packages.importer import import_package
    from lms.quizzes import service as quizzes

    app.config["LMS_MEDIA_DIR"] = str(tmp_path)
    import_package(MINI)
    session.commit()
    course = courses.course_by_slug("mini-course")
    before = len(emitted())
    courses.enrol(learner, course)
    ctx = quizzes.find_quiz(course, "m1-quiz")
    first = quizzes.start(learner, ctx)
    quizzes.submit(learner, ctx, first, {"q.q1": ["b"]}, first.revision)
    second = quizzes.start(learner, ctx)
    quizzes.submit(learner, ctx, second, RIGHT_ANSWERS, second.revision)
    session.commit()
    return emitted()[before:]
