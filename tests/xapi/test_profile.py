"""Every statement the LMS emits has exactly the shape documented in docs/xapi-profile.md.

The "shape" of a statement is its structure (keys and value types) plus what is fixed in the
profile: object types, activity types, interaction types, verb and other foreign IRIs, and the
form of our own IRIs (``{base}/xapi/activities/courses/{id}/quizzes/{id}/questions/{id}/{hash}``).
So a statement whose object moved to another kind of activity, lost its hash, or gained a
result or an extension no longer matches its documented example.
"""

import copy
import json
import re
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import Role
from lms.courses import service as courses
from lms.extensions import session
from lms.xapi.models import StoredStatement
from lms.xapi.validation import validate
from lms.xapi.voiding import void_statement
from tests.conftest import make_course, make_user

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "docs" / "xapi-profile.md"
PROFILE_BASE = "https://lms.example"  # the LMS_BASE_URL of the documented examples
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
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NAMED = re.compile(r"/(courses|modules|lessons|quizzes|questions|certificates)/[^/]+")
HASHED = re.compile(r"/questions/\{id\}/[0-9a-f]{12}$")
FIXED = {"objectType", "type", "interactionType", "language", "platform"}
#: Parts of a documented example a statement may lack: the page-view extension of
#: 'experienced' is there only when the page sent a (valid) stamp.
OPTIONAL = {("experienced", "lesson", None, False): ("context", "extensions")}


def iri_form(iri: str, base: str) -> str:
    """One of our IRIs with the base URL and the ids in it replaced: what form it has."""
    form = "{base}" + iri[len(base) :]
    form = NAMED.sub(lambda match: f"/{match.group(1)}/{{id}}", form)
    return HASHED.sub("/questions/{id}/{hash}", form)


def shape(value, base: str, key: str | None = None):
    """The structure of a JSON value and what the profile fixes in it, not the values that vary
    (ids, names, times, scores). ``base`` is the site's base URL the statement was made on."""
    if isinstance(value, dict):
        return {
            item_key.replace(base, "{base}"): shape(item, base, item_key) for item_key, item in value.items()
        }
    if isinstance(value, list):  # lists are homogeneous: the shape of one item stands for all
        return [shape(value[0], base, key)] if value else []
    if isinstance(value, str):
        if value == base:
            return "{base}"
        if value.startswith(base + "/"):
            return iri_form(value, base)
        if UUID.match(value):
            return "uuid"
        if key in FIXED or re.match(r"^https?://", value):
            return value
    return type(value).__name__


def kind(statement: dict, by_id: dict) -> tuple:
    """What tells one documented statement from another: verb, activity type, interaction type,
    and whether a result response is present; for a voiding statement, the kind it voids."""
    verb = statement["verb"]["display"]["en-US"]
    obj = statement["object"]
    if obj.get("objectType") == "StatementRef":
        return verb, kind(by_id[obj["id"]], by_id)
    definition = obj.get("definition", {})
    activity_type = definition.get("type", "").rsplit("/", 1)[-1]
    activity_type = {"assessment": "quiz", "cmi.interaction": "question"}.get(activity_type, activity_type)
    answered = "response" in statement.get("result", {})
    return verb, activity_type, definition.get("interactionType"), answered


def expected_shape(profile: dict, key: tuple, statement: dict, base: str):
    """The documented shape, without an optional part the statement does not have."""
    expected = profile[key]
    path = OPTIONAL.get(key)
    if path and path[-1] not in statement.get(path[0], {}):
        expected = copy.deepcopy(expected)
        expected[path[0]].pop(path[-1])
    return expected


def examples() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)\n```", PROFILE.read_text(encoding="utf-8"), re.S)
    return [json.loads(block) for block in blocks]


def documented() -> dict:
    statements = examples()
    by_id = {example["id"]: example for example in statements}
    for example in statements:
        validate(example)
    profile = {kind(example, by_id): shape(example, PROFILE_BASE) for example in statements}
    assert len(profile) == len(statements), "two examples in the profile are of the same kind"
    check_voiding(statements, by_id)
    return profile


def check_voiding(statements: list[dict], by_id: dict) -> dict:
    """Voiding, as the profile states it: an administrator (not the learner) voids a course
    completion, and the 'earned' statement of that completion is voided with the same actor.
    Returns the actor of the voiding statements."""
    voiding = [s for s in statements if s["verb"]["display"]["en-US"] == "voided"]
    targets = {kind(by_id[s["object"]["id"]], by_id)[:2]: s for s in voiding}
    assert set(targets) == {("completed", "course"), ("earned", "certificate")}, targets
    completion, earned = targets["completed", "course"], targets["earned", "certificate"]
    learner = by_id[completion["object"]["id"]]["actor"]
    assert completion["actor"] != learner
    assert earned["actor"] == completion["actor"]
    voided_earned = by_id[earned["object"]["id"]]
    assert voided_earned["actor"] == learner
    assert (
        voided_earned["context"]["registration"]
        == by_id[completion["object"]["id"]]["context"]["registration"]
    )
    return completion["actor"]


def emitted() -> list[dict]:
    return [json.loads(r.raw) for r in session.scalars(select(StoredStatement).order_by(StoredStatement.seq))]


def test_emitted_statements_match_the_profile(app, tmp_path):
    profile = documented()
    admin = walk(app, tmp_path)
    statements = emitted()
    by_id = {s["id"]: s for s in statements}
    base = current_app.config["LMS_BASE_URL"]
    assert {kind(s, by_id) for s in statements} == set(profile), (
        "the profile and the LMS disagree on which statements exist"
    )
    for statement in statements:
        key = kind(statement, by_id)
        assert shape(statement, base) == expected_shape(profile, key, statement, base), key
    assert check_voiding(statements, by_id) == {
        "objectType": "Agent",
        "account": {"homePage": base, "name": admin.uuid},
    }


def walk(app, tmp_path):
    """One learner's walk through a one-lesson course (and its certificate), the mini package's
    quiz failed and then passed, and an administrator voiding the course completion.
    Returns the administrator."""
    course = make_course("dg-basics", modules=1, lessons_per_module=1)
    learner = make_user()
    admin = make_user(Role.ADMIN)
    courses.enrol(learner, course)
    courses.launch(learner, course)
    lesson = courses.lessons_in_order(course)[0]
    courses.leave_lesson(learner, course, lesson, 30, complete=False)  # no (valid) stamp: no page view
    view = str(uuid.uuid4())
    courses.leave_lesson(learner, course, lesson, 40, view=view, complete=False)
    courses.leave_lesson(learner, course, lesson, 95, view=view, complete=True, terminate=True)
    session.commit()
    quiz_statements = take_the_mini_quiz(app, tmp_path, learner)
    assert [s["verb"]["display"]["en-US"] for s in quiz_statements] == (
        ["registered", "attempted", "answered", "failed", "attempted"] + ["answered"] * 7 + ["passed"]
    )  # the first attempt answers q1 only: the six questions left empty have no statement
    assert quiz_statements[2]["object"]["id"].split("/questions/")[1].split("/")[0] == "q1"
    completion = next(
        s
        for s in emitted()
        if s["verb"]["display"]["en-US"] == "completed" and s["object"]["id"].endswith("/courses/dg-basics")
    )
    void_statement(completion["id"], "Completed on another learner's account", admin)
    session.commit()
    return admin


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
