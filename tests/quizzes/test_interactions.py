"""Answers as xAPI 1.0.3 cmi.interaction activities: patterns, responses, valid statements."""

import random
import uuid

import pytest

from lms.quizzes.types import default_registry
from lms.xapi import builder
from lms.xapi.validation import StatementError, validate
from tests.quizzes.samples import (
    ALL,
    BY_ID,
    FILL_IN,
    FILL_IN_CASE,
    MATCHING,
    MULTIPLE,
    RIGHT_FORMS,
    SEQUENCING,
    SINGLE,
    WRONG_FORMS,
)

REGISTRY = default_registry()
BASE = "https://lms.example"
QUIZ_IRI = f"{BASE}/xapi/activities/courses/c/quizzes/q"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"


def thai(text: str) -> dict[str, str]:
    return {"th-TH": text}


def definition(spec):
    return REGISTRY.get(spec["type"]).to_xapi_definition(spec, thai)


def response_string(spec, form):
    qtype = REGISTRY.get(spec["type"])
    return qtype.to_xapi_response(spec, qtype.parse(spec, form))


def answered(spec, form) -> dict:
    """The `answered` statement the attempt service records for one question."""
    qtype = REGISTRY.get(spec["type"])
    response = qtype.parse(spec, form)
    grade = qtype.grade(spec, response)
    result = {
        "score": {
            "raw": grade.earned,
            "min": 0,
            "max": grade.possible,
            "scaled": round(grade.earned / grade.possible, 4),
        }
    }
    if response is not None:
        result["response"] = qtype.to_xapi_response(spec, response)
    if grade.is_correct is not None:
        result["success"] = grade.is_correct
    obj = {
        "objectType": "Activity",
        "id": f"{QUIZ_IRI}/questions/{spec['id']}",
        "definition": qtype.to_xapi_definition(spec, thai),
    }
    return builder.statement(
        BASE,
        str(uuid.uuid4()),
        "answered",
        obj,
        registration=str(uuid.uuid4()),
        parent={"id": QUIZ_IRI},
        result=result,
    )


# Patterns and responses, written out by hand from the spec's formats ----------------------

EXPECTED = {
    # id: (interactionType, correctResponsesPattern, right response, wrong response)
    "q1": ("choice", ["b"], "b", "a"),
    "q2": ("choice", ["a[,]c"], "a[,]c", "b[,]d"),
    "q3": ("choice", ["a[,]c"], "a[,]c", "a"),
    "q4": ("true-false", ["false"], "false", "true"),
    "q5": ("fill-in", ["กรุงเทพมหานคร", "Bangkok"], "กรุงเทพ\u200bมหานคร", "เชียงใหม่"),
    "q6": ("fill-in", ["{case_matters=true}HTTPS"], "HTTPS", "https"),
    "q7": ("numeric", ["37.25"], "37.25", "37.2"),
    "q8": ("numeric", ["2555[:]2565.5"], "2560", "2565.6"),
    "q9": (
        "matching",
        ["tax[.]rd[,]id-card[.]dopa[,]passport[.]mfa"],
        "tax[.]rd[,]id-card[.]dopa[,]passport[.]mfa",
        "tax[.]other[,]id-card[.]rd[,]passport[.]dopa",
    ),
    "q10": (
        "sequencing",
        ["login[,]fill[,]attach[,]send"],
        "login[,]fill[,]attach[,]send",
        "send[,]attach[,]fill[,]login",
    ),
}


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_interaction_type_and_correct_responses_pattern(spec):
    kind, patterns, _, _ = EXPECTED[spec["id"]]
    built = definition(spec)
    assert built["type"] == INTERACTION
    assert built["interactionType"] == kind
    assert built["correctResponsesPattern"] == patterns


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_result_response_format(spec):
    _, _, right, wrong = EXPECTED[spec["id"]]
    assert response_string(spec, RIGHT_FORMS[spec["id"]]) == right
    assert response_string(spec, WRONG_FORMS[spec["id"]]) == wrong


def test_partial_responses():
    assert (
        response_string(MATCHING, {"q.q9.passport": ["mfa"], "q.q9.tax": ["rd"]})
        == "tax[.]rd[,]passport[.]mfa"
    )
    assert response_string(SEQUENCING, {"q.q10.send": ["1"], "q.q10.login": ["2"]}) == "send[,]login"
    assert response_string(MULTIPLE, {"q.q2": ["c"]}) == "c"  # one item: no delimiter
    assert response_string(BY_ID["q7"], {"q.q7": ["42.0"]}) == "42"
    assert response_string(BY_ID["q7"], {"q.q7": ["๐.๑"]}) == "0.1"


def test_component_lists():
    assert definition(SINGLE)["choices"] == [
        {"id": "a", "description": {"th-TH": "การซื้อคอมพิวเตอร์"}},
        {"id": "b", "description": {"th-TH": "การเปลี่ยนวิธีทำงานของรัฐ"}},
        {"id": "c", "description": {"th-TH": "การทำเว็บไซต์"}},
    ]
    matching = definition(MATCHING)
    assert [c["id"] for c in matching["source"]] == ["tax", "id-card", "passport"]
    assert [c["id"] for c in matching["target"]] == ["rd", "dopa", "mfa", "other"]
    # xAPI 1.0.3 puts a sequencing interaction's items under "choices" ("steps" is for performance).
    assert [c["id"] for c in definition(SEQUENCING)["choices"]] == ["login", "fill", "attach", "send"]
    for spec in (BY_ID["q4"], FILL_IN, FILL_IN_CASE, BY_ID["q7"], BY_ID["q8"]):
        assert not {"choices", "source", "target", "steps", "scale"} & set(definition(spec))


def test_name_and_description_are_the_prompt_as_plain_text():
    built = definition(SINGLE)
    assert built["description"] == {"th-TH": "ข้อใดอธิบาย รัฐบาลดิจิทัล ได้ถูกต้องที่สุด"}
    assert built["name"] == built["description"]
    long = definition({**SINGLE, "prompt": "ก" * 300})
    assert len(long["name"]["th-TH"]) == 100 and long["name"]["th-TH"].endswith("…")
    assert long["description"]["th-TH"] == "ก" * 300


def test_definition_holds_no_feedback():
    text = repr(definition(SINGLE)) + repr(definition(MATCHING)) + repr(definition(SEQUENCING))
    assert "FEEDBACK" not in text


# Whole statements validate (ralph, xAPI 1.0.3) ----------------------------------------------


PARTIAL_FORMS = {"q2": {"q.q2": ["a"]}, "q9": {"q.q9.tax": ["rd"], "q.q9.id-card": ["rd"]}}
STATEMENT_CASES = [
    *[(spec, "right", RIGHT_FORMS[spec["id"]]) for spec in ALL],
    *[(spec, "wrong", WRONG_FORMS[spec["id"]]) for spec in ALL],
    *[(spec, "empty", {}) for spec in ALL],
    *[(BY_ID[qid], "partial", form) for qid, form in PARTIAL_FORMS.items()],
]


@pytest.mark.parametrize(
    ("spec", "which", "form"), STATEMENT_CASES, ids=[f"{s['id']}-{w}" for s, w, _ in STATEMENT_CASES]
)
def test_answered_statement_validates(spec, which, form):
    statement = answered(spec, form)
    validate(statement)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert statement["object"]["definition"]["interactionType"] == EXPECTED[spec["id"]][0]
    assert ("response" in statement["result"]) is (which != "empty")
    assert statement["result"].get("success") == {"right": True, "empty": None}.get(which, False)
    if which == "partial":
        assert 0 < statement["result"]["score"]["raw"] < statement["result"]["score"]["max"]


def test_partial_credit_statement_scores():
    result = answered(MULTIPLE, {"q.q2": ["a"]})["result"]
    assert result["score"] == {"raw": 1.0, "min": 0, "max": 2.0, "scaled": 0.5}
    assert result["success"] is False


def test_validation_does_check_the_interaction_definition():
    """A control: the validator refuses a wrong interactionType, an empty pattern and a
    component without an id, so the statements above are checked, not waved through."""
    statement = answered(SINGLE, RIGHT_FORMS["q1"])
    for broken in (
        {"interactionType": "multiple-choice"},
        {"correctResponsesPattern": [""]},
        {"choices": [{"description": {"th-TH": "x"}}]},
    ):
        bad = {**statement, "object": {**statement["object"]}}
        bad["object"]["definition"] = {**statement["object"]["definition"], **broken}
        with pytest.raises(StatementError):
            validate(bad)


def test_prompt_without_words_still_gives_a_valid_name():
    spec = {**SINGLE, "prompt": "![](media/diagram.png)"}
    built = definition(spec)
    assert built["name"] == {"th-TH": "q1"}
    validate(answered(spec, RIGHT_FORMS["q1"]))


def test_public_view_options_match_the_xapi_components():
    view = REGISTRY.get("matching").public_view(MATCHING, random.Random(3), True)
    built = definition(MATCHING)
    assert {o["id"] for o in view["sources"]} == {c["id"] for c in built["source"]}
    assert {o["text"] for o in view["targets"]} == {c["description"]["th-TH"] for c in built["target"]}
