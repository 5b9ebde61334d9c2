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

PROFILE = Path(__file__).resolve().parents[2] / "docs" / "xapi-profile.md"


OUR_EXTENSION = re.compile(r"^https?://[^/]+(?=/xapi/extensions/)")


def shape(value):
    """The structure of a JSON value: keys and types, not the values (nor the site's base URL)."""
    if isinstance(value, dict):
        return {OUR_EXTENSION.sub("{base}", key): shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def kind(statement) -> tuple[str, str]:
    target = parse_activity(statement["object"]["id"]) or {}
    level = "lesson" if target.get("lesson") else "module" if target.get("module") else "course"
    return statement["verb"]["display"]["en-US"], level


def documented() -> dict:
    blocks = re.findall(r"```json\n(.*?)\n```", PROFILE.read_text(encoding="utf-8"), re.S)
    examples = [json.loads(block) for block in blocks]
    for example in examples:
        validate(example)
    return {kind(example): shape(example) for example in examples}


def test_emitted_statements_match_the_profile(app):
    profile = documented()
    course = make_course("dg-basics", modules=1, lessons_per_module=1)
    learner = make_user()
    courses.enrol(learner, course)
    courses.launch(learner, course)
    courses.leave_lesson(
        learner, course, courses.lessons_in_order(course)[0], 95, complete=True, terminate=True
    )
    session.commit()
    emitted = [
        json.loads(r.raw) for r in session.scalars(select(StoredStatement).order_by(StoredStatement.seq))
    ]
    assert {kind(s) for s in emitted} == set(profile), (
        "the profile and the player disagree on which statements exist"
    )
    for statement in emitted:
        assert shape(statement) == profile[kind(statement)], kind(statement)
