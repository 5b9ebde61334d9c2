"""Benchmark: statements validated per second by ralph's pydantic model and by ours.

In-process, no database. The set (``--statements``, default 2,000 per round):

- our builder's statements (``lms.xapi.builder.statement``), as the pages record them: a course
  registered, a lesson experienced with a duration, a quiz passed with a score, and an
  ``answered`` statement for each interaction type the quizzes use (choice, true-false,
  fill-in, numeric, matching, sequencing), with their definitions;
- statements shaped like the examples of ADL's conformance suite (``test/v1_0_3/templates``):
  an mbox agent, a context with an instructor Agent, statement and contextActivities, a
  result with every property, an attachment, a StatementRef object, a SubStatement.

Both validators see the same statements, in the same order, alternating in four rounds.
Only statements both accept are timed (ralph refuses some valid ones; those are counted and
printed, then left out). The ratio printed is ours / ralph's in statements per second.
Ralph's first-import time is measured in a fresh interpreter.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import BenchError

ROUNDS = 4
BASE = "https://lms.example"
COURSE = f"{BASE}/xapi/activities/courses/practitioner"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
# (interactionType, correctResponsesPattern, response, component lists)
INTERACTIONS = [
    ("choice", ["b"], "b", {"choices": ["a", "b", "c", "d"]}),
    ("choice", ["a[,]c"], "a[,]c", {"choices": ["a", "b", "c", "d"]}),
    ("true-false", ["false"], "false", {}),
    ("fill-in", ["กรุงเทพมหานคร", "Bangkok"], "กรุงเทพมหานคร", {}),
    ("numeric", ["2555[:]2565.5"], "2560", {}),
    (
        "matching",
        ["tax[.]rd[,]id-card[.]dopa"],
        "tax[.]rd[,]id-card[.]dopa",
        {
            "source": ["tax", "id-card"],
            "target": ["rd", "dopa"],
        },
    ),
    ("sequencing", ["login[,]fill[,]send"], "login[,]fill[,]send", {"choices": ["login", "fill", "send"]}),
]


def _thai(text: str) -> dict[str, str]:
    return {"th-TH": text, "en-US": text}


def _interaction(kind: str, patterns: list[str], lists: dict[str, list[str]]) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "type": INTERACTION,
        "name": _thai("คำถาม"),
        "interactionType": kind,
        "correctResponsesPattern": patterns,
    }
    for name, ids in lists.items():
        definition[name] = [{"id": i, "description": _thai(i)} for i in ids]
    return definition


def builder_statements(rng: random.Random) -> list[dict[str, Any]]:
    """One learner's statements, built as the pages build them."""
    from lms.xapi import builder

    user, registration = str(uuid.uuid4()), str(uuid.uuid4())
    when = datetime(2026, 12, 1, 9, tzinfo=UTC) + timedelta(minutes=rng.randrange(10_000))
    course = builder.activity(COURSE, "course", "หลักสูตร", "Course")
    lesson = builder.activity(f"{COURSE}/lessons/l{rng.randrange(9)}", "lesson", "บทเรียน", "Lesson")
    quiz = builder.activity(f"{COURSE}/quizzes/q1", "assessment", "แบบทดสอบ", "Quiz")
    made = [
        builder.statement(BASE, user, "registered", course, registration=registration, timestamp=when),
        builder.statement(
            BASE,
            user,
            "experienced",
            lesson,
            registration=registration,
            parent=course,
            grouping=course,
            result={"duration": builder.duration(rng.randrange(30, 4000))},
            timestamp=when,
        ),
        builder.statement(
            BASE,
            user,
            "passed",
            quiz,
            registration=registration,
            parent=course,
            result={"score": {"raw": 8, "min": 0, "max": 10, "scaled": 0.8}, "success": True},
            timestamp=when,
        ),
    ]
    for index, (kind, patterns, response, lists) in enumerate(INTERACTIONS):
        question = {
            "objectType": "Activity",
            "id": f"{COURSE}/quizzes/q1/questions/q{index}",
            "definition": _interaction(kind, patterns, lists),
        }
        made.append(
            builder.statement(
                BASE,
                user,
                "answered",
                question,
                registration=registration,
                parent=quiz,
                result={"response": response, "success": True, "score": {"raw": 1, "min": 0, "max": 1}},
                timestamp=when,
            )
        )
    return made


def suite_statements() -> list[dict[str, Any]]:
    """Statements shaped like the conformance suite's templates (all valid 1.0.3)."""
    agent = {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"}
    verb = {
        "id": "http://adlnet.gov/expapi/verbs/attended",
        "display": {"en-GB": "attended", "en-US": "attended"},
    }
    activity = {
        "objectType": "Activity",
        "id": "http://www.example.com/meetings/occurances/34534",
        "definition": {
            "name": {"en-GB": "example meeting", "en-US": "example meeting"},
            "description": {"en-GB": "An example meeting.", "en-US": "An example meeting."},
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "moreInfo": "http://virtualmeeting.example.com/345256",
            "extensions": {
                "http://example.com/profiles/meetings/extension/location": "X:\\meetings\\minutes"
            },
        },
    }
    context = {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "instructor": {"objectType": "Agent", "name": "instructor", "mbox": "mailto:instructor@example.com"},
        "contextActivities": {
            "parent": [{"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}],
            "category": [{"id": "http://www.example.com/meetings/categories/teammeeting"}],
            "other": [{"id": "http://www.example.com/meetings/occurances/34257"}],
        },
        "revision": "Fix #1",
        "platform": "Example virtual meeting software",
        "language": "tlh",
        "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
        "extensions": {"http://example.com/profiles/meetings/contextextensions/airline": "example.com"},
    }
    result = {
        "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
        "success": True,
        "completion": True,
        "response": "We agreed on some example actions.",
        "duration": "PT1H0M0S",
        "extensions": {"http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:\\m"},
    }
    attachment = {
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": {"en-US": "Signature"},
        "description": {"en-US": "A test signature"},
        "contentType": "application/octet-stream",
        "length": 4235,
        "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
    }
    group = {"objectType": "Group", "name": "team", "member": [agent]}
    base = {"actor": agent, "verb": verb, "object": activity, "timestamp": "2013-05-18T05:32:34.804Z"}
    return [
        # Valid 1.0.3 that ralph 5.1.0 refuses (so they are counted, not timed).
        {**base, "context": {"instructor": group, "team": group}},
        {**base, "object": {"objectType": "SubStatement", "actor": agent, "verb": verb, "object": agent}},
        {**base, "object": {"id": activity["id"], "definition": {}}},
        {**base, "version": "1.0"},
        base,
        {**base, "context": context, "result": result},
        {**base, "attachments": [attachment]},
        {**base, "object": {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}},
        {
            **base,
            "object": {"objectType": "SubStatement", "actor": agent, "verb": verb, "object": activity},
        },
    ]


def the_set(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    made: list[dict[str, Any]] = []
    suite = suite_statements()
    while len(made) < count:
        made += builder_statements(rng)
        made += copy.deepcopy(suite)
    return made[:count]


def ralph_validator() -> Callable[[dict[str, Any]], None]:
    from ralph.models.xapi.base.statements import BaseXapiStatement

    return BaseXapiStatement.model_validate


def ours() -> Callable[[dict[str, Any]], None]:
    from lms.xapi.validation import validate

    return validate


def accepted(check: Callable[[dict[str, Any]], None], statements: list[dict[str, Any]]) -> list[bool]:
    answers = []
    for statement in statements:
        try:
            check(statement)
            answers.append(True)
        except Exception:  # any refusal counts, whatever its class
            answers.append(False)
    return answers


def timed(check: Callable[[dict[str, Any]], None], statements: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for statement in statements:
        check(statement)
    return time.perf_counter() - start


def import_seconds(module: str, after: str = "time") -> float:
    """Seconds to import ``module`` in a fresh interpreter that has imported ``after``."""
    code = f"import time, {after}; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def run(args) -> int:
    statements = the_set(args.statements)
    validators = {"ralph BaseXapiStatement": ralph_validator(), "ours (lms.xapi.validation)": ours()}
    verdicts = {name: accepted(check, statements) for name, check in validators.items()}
    ralph_ok, ours_ok = verdicts.values()
    if not all(ours_ok):
        print(f"bench failed: our validator refused {ours_ok.count(False)} valid statements", file=sys.stderr)
        return 1
    both = [s for s, r in zip(statements, ralph_ok, strict=True) if r]
    if not both:
        raise BenchError("ralph refused every statement")
    seconds = dict.fromkeys(validators, 0.0)
    for round_ in range(ROUNDS):
        order = list(validators) if round_ % 2 == 0 else list(reversed(validators))
        for name in order:
            seconds[name] += timed(validators[name], both)
    measured = len(both) * ROUNDS
    print(f"set:      {len(statements)} statements (builder's and suite-shaped), {ROUNDS} rounds alternating")
    print(f"refused:  ralph {ralph_ok.count(False)} of them (valid 1.0.3: left out of the timing), ours 0")
    print()
    print(f"{'validator':<30} {'statements':>10} {'seconds':>8} {'statements/s':>13} {'us each':>8}")
    rates = {}
    for name, spent in seconds.items():
        rates[name] = measured / spent
        print(f"{name:<30} {measured:>10,} {spent:>8.2f} {rates[name]:>13,.0f} {1e6 / rates[name]:>8.1f}")
    ralph_rate, our_rate = rates.values()
    print()
    print(f"ratio ours / ralph: {our_rate / ralph_rate:.2f}")
    ralph_import = import_seconds("ralph.models.xapi.base.statements")
    our_import = import_seconds("lms.xapi.validation", after="lms")
    print(
        f"first import: ralph.models.xapi.base.statements {ralph_import:.3f} s,"
        f" lms.xapi.validation {our_import:.3f} s (after import lms)"
    )
    return 0
