"""Learning Locker's xAPI validator on the statements our own pages emit.

A second opinion besides our own validator (``lms/xapi/validation.py``): the library Learning
Locker checks every incoming statement with, ``@learninglocker/xapi-validation``, run in Node on
each statement that a learner's lesson, quiz (every question type, failed then passed) and
course completion, and an administrator's voiding, leave in ``lms_statements``: as stored, and
as ``GET /xapi/statements`` serves them. The package is installed once per session with npm
into a temporary folder; without npm or the registry the test fails, it never skips
(``scripts/system-deps.sh`` installs Node and npm).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.extensions import session
from lms.xapi.models import StoredStatement
from tests.conftest import login, make_course, make_user, post_form
from tests.quizzes.samples import ALL, RIGHT_FORMS, WRONG_FORMS

PACKAGE = "@learninglocker/xapi-validation@4.0.0"
COURSE = "/courses/test-course"
QUIZ = f"{COURSE}/quizzes/m1-quiz"

# Reads a JSON array of statements on stdin; prints, per statement, its warnings without stacks.
VALIDATE_JS = """
const validate = require("@learninglocker/xapi-validation").default;
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((statement) =>
    validate(statement).map((w) => ({ path: w.path.join("."), name: w.name, data: w.data }))
  );
  process.stdout.write(JSON.stringify(out));
});
"""


@pytest.fixture(scope="session")
def ll_validate(tmp_path_factory):
    """A function: statements -> one list of Learning Locker warnings per statement."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        pytest.fail("Node and npm are needed for Learning Locker's validator: run scripts/system-deps.sh")
    folder = tmp_path_factory.mktemp("ll-validation")
    install = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--no-save", PACKAGE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if install.returncode != 0:
        pytest.fail(f"npm install {PACKAGE} failed (is the npm registry reachable?):\n{install.stderr}")
    script = folder / "validate.js"
    script.write_text(VALIDATE_JS)

    def run(statements: list[dict]) -> list[list[dict]]:
        done = subprocess.run(
            [node, str(script)],
            input=json.dumps(statements),
            capture_output=True,
            text=True,
            timeout=60,
            cwd=folder,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def stored() -> list[dict]:
    rows = session.scalars(select(StoredStatement).order_by(StoredStatement.seq))
    return [json.loads(row.raw) for row in rows]


def verb_names(statements: list[dict]) -> set[str]:
    return {s["verb"]["id"].rsplit("/", 1)[-1] for s in statements}


def take_quiz(client, answers: dict) -> None:
    attempt = post_form(client, f"{QUIZ}/start", page=QUIZ).location
    revision = re.search(r'name="revision" value="(\d+)"', client.get(attempt).get_data(as_text=True))
    form = {"revision": revision.group(1)}
    for spec in ALL:
        form.update(answers[spec["id"]])
    response = post_form(client, f"{attempt}/submit", form, page=attempt)
    assert response.status_code == 302, response.get_data(as_text=True)


def learn_and_void(client) -> None:
    """A learner's whole journey through the pages, then an administrator voids one statement."""
    make_course(modules=1, lessons_per_module=2, quizzes=True, quiz_settings={"questions": ALL})
    learner = make_user(email="ll-learner@example.org")
    admin = make_user(Role.ADMIN, email="ll-admin@example.org")
    login(client, learner.email)
    post_form(client, f"{COURSE}/enrol", page=COURSE)
    for key, action in (("m1-l1", "next"), ("m1-l2", "complete")):
        post_form(client, f"{COURSE}/lessons/{key}/leave", {"action": action}, page=f"{COURSE}/lessons/{key}")
    take_quiz(client, WRONG_FORMS)
    take_quiz(client, RIGHT_FORMS)
    post_form(client, f"{COURSE}/launch", page=COURSE)
    post_form(client, f"{COURSE}/lessons/m1-l1/leave", {"action": "exit"}, page=f"{COURSE}/lessons/m1-l1")
    experienced = next(s for s in stored() if s["verb"]["id"].endswith("/experienced"))
    result = client.application.test_cli_runner().invoke(
        args=["lms", "xapi", "void", experienced["id"], "--reason", "test", "--by", admin.email]
    )
    assert result.exit_code == 0, result.output


def test_the_validator_reports_what_is_wrong(ll_validate):
    """The harness is not vacuous: a broken statement gets warnings, a minimal one none."""
    good = {
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://x.org/v"},
        "object": {"id": "http://x.org/o"},
    }
    bad = {**good, "actor": {"mbox": "a@example.org"}, "timestamp": "yesterday"}
    warnings = ll_validate([good, bad])
    assert warnings[0] == []
    assert {w["path"] for w in warnings[1]} == {"statement.actor.mbox", "statement.timestamp"}


def warned(statements: list[dict], ll_validate) -> dict[str, list[dict]]:
    return {
        f"{s['verb']['id']} {s['object'].get('id')}": w
        for s, w in zip(statements, ll_validate(statements), strict=True)
        if w
    }


def served(lrs) -> list[dict]:
    """Every statement as ``GET /xapi/statements`` serves it (with stored, authority, version)."""
    found, url = [], "/xapi/statements?limit=20"
    while url:
        page = lrs.get(url)
        assert page.status_code == 200, page.get_data(as_text=True)
        found += page.get_json()["statements"]
        url = page.get_json().get("more")
    return found


def test_every_statement_our_pages_emit_passes_learning_lockers_validator(app, client, lrs, ll_validate):
    learn_and_void(client)
    statements = stored()
    expected = {"registered", "launched", "initialized", "experienced", "completed", "progressed"}
    expected |= {"attempted", "answered", "failed", "passed", "earned", "terminated", "voided"}
    assert expected <= verb_names(statements)
    assert len({s["id"] for s in statements}) == len(statements) > 20
    assert warned(statements, ll_validate) == {}
    from_the_lrs = served(lrs)
    assert len(from_the_lrs) == len(statements) - 1  # the voided one is left out
    assert warned(from_the_lrs, ll_validate) == {}
