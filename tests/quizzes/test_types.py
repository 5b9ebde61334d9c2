"""Question types: reading form fields, grading, what the page may see, review, registry."""

import json
import random

import pytest
from jsonschema import Draft202012Validator

from lms.packages.schema import QUIZ, load_schema
from lms.quizzes.types import (
    Grade,
    QuestionType,
    QuestionTypeRegistry,
    ResponseError,
    SingleChoice,
    default_registry,
)
from tests.quizzes.samples import (
    ALL,
    FILL_IN,
    FILL_IN_CASE,
    MATCHING,
    MULTIPLE,
    MULTIPLE_ALL_OR_NOTHING,
    NUMERIC,
    NUMERIC_RANGE,
    RIGHT_FORMS,
    SEQUENCING,
    SINGLE,
    TRUE_FALSE,
    WRONG_FORMS,
)

REGISTRY = default_registry()


def qtype(spec) -> QuestionType:
    return REGISTRY.get(spec["type"])


def answer(spec, form) -> Grade:
    return qtype(spec).grade(spec, qtype(spec).parse(spec, form))


def test_samples_follow_the_package_schema():
    quiz = {
        "id": "m1-quiz",
        "title": {"th": "แบบทดสอบ", "en": "Quiz"},
        "pass_mark": 70,
        "attempts": 3,
        "time_limit_minutes": None,
        "shuffle_questions": True,
        "shuffle_choices": True,
        "draw": None,
        "show_feedback": "after_attempt",
        "attempt_counts": "best",
        "questions": ALL,
    }
    errors = [error.message for error in Draft202012Validator(load_schema(QUIZ)).iter_errors(quiz)]
    assert errors == []


# Grading: right, wrong, partial, empty ------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_right_answer_earns_every_point(spec):
    grade = answer(spec, RIGHT_FORMS[spec["id"]])
    assert grade == Grade(float(spec["points"]), float(spec["points"]), True, grade.chosen_feedback)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_wrong_answer_earns_nothing(spec):
    grade = answer(spec, WRONG_FORMS[spec["id"]])
    assert (grade.earned, grade.possible, grade.is_correct) == (0.0, float(spec["points"]), False)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
@pytest.mark.parametrize("form", [{}, "blank"], ids=["missing", "blank"])
def test_empty_answer_is_none_and_earns_nothing(spec, form):
    if form == "blank":  # the fields are there, with nothing chosen or typed
        form = {name: [""] for name in RIGHT_FORMS[spec["id"]]}
    response = qtype(spec).parse(spec, form)
    assert response is None
    assert qtype(spec).grade(spec, None) == Grade(0.0, float(spec["points"]), None, [])


def test_other_questions_fields_are_ignored():
    form = {"q.q10": ["b"], "q.q1x": ["b"], "q.q2": ["a"], "revision": ["3"], "csrf_token": ["x"]}
    assert qtype(SINGLE).parse(SINGLE, form) is None


def test_single_choice_feedback_is_the_picked_choices():
    assert answer(SINGLE, {"q.q1": ["a"]}).chosen_feedback == ["CHOICE-FEEDBACK-A"]
    assert answer(SINGLE, {"q.q1": ["c"]}).chosen_feedback == []


@pytest.mark.parametrize(
    ("ticked", "earned"),
    [
        (["a", "c"], 2.0),  # both correct
        (["a"], 1.0),  # one of two correct: half
        (["a", "b"], 0.0),  # one right, one wrong: (1 - 1) / 2
        (["a", "c", "b"], 1.0),  # (2 - 1) / 2
        (["a", "b", "d"], 0.0),  # (1 - 2) / 2 is below zero: never negative
        (["a", "b", "c", "d"], 0.0),  # ticking everything does not pay
    ],
)
def test_multiple_response_partial_scoring(ticked, earned):
    grade = answer(MULTIPLE, {"q.q2": ["", *ticked]})
    assert grade.earned == earned
    assert grade.is_correct is (sorted(ticked) == ["a", "c"])


@pytest.mark.parametrize(("ticked", "earned"), [(["a", "c"], 2.0), (["a"], 0.0), (["a", "c", "b"], 0.0)])
def test_multiple_response_all_or_nothing(ticked, earned):
    assert answer(MULTIPLE_ALL_OR_NOTHING, {"q.q3": ticked}).earned == earned


def test_multiple_response_keeps_yaml_order_and_feedback_of_ticked():
    spec = MULTIPLE
    assert qtype(spec).parse(spec, {"q.q2": ["c", "b", "a"]}) == ("a", "b", "c")
    assert answer(spec, {"q.q2": ["b", "a"]}).chosen_feedback == ["CHOICE-FEEDBACK-MA", "CHOICE-FEEDBACK-MB"]


def test_partial_scores_are_rounded():
    spec = {**MULTIPLE, "points": 1, "correct": ["a", "b", "c"]}
    assert answer(spec, {"q.q2": ["a"]}).earned == 0.3333


def test_true_false_reads_true_and_false():
    assert qtype(TRUE_FALSE).parse(TRUE_FALSE, {"q.q4": ["true"]}) is True
    assert qtype(TRUE_FALSE).parse(TRUE_FALSE, {"q.q4": "false"}) is False


@pytest.mark.parametrize(
    "typed",
    [
        "กรุงเทพมหานคร",
        " กรุงเทพ มหานคร ",  # spaces inside and around
        "กรุงเทพ\u00a0มหานคร",  # no-break space
        "\ufeffกรุงเทพ\u200dมหานคร\u2060",  # zero-width characters
        "BANGKOK",  # not case sensitive
        "bang kok",
    ],
)
def test_fill_in_accepts_normalised_variants(typed):
    assert answer(FILL_IN, {"q.q5": [typed]}).is_correct is True


def test_fill_in_case_sensitive():
    assert answer(FILL_IN_CASE, {"q.q6": ["HTTPS"]}).is_correct is True
    assert answer(FILL_IN_CASE, {"q.q6": ["Https"]}).is_correct is False
    assert answer(FILL_IN_CASE, {"q.q6": [" H T T P S "]}).is_correct is True


def test_fill_in_keeps_the_text_as_typed_but_trimmed():
    assert qtype(FILL_IN).parse(FILL_IN, {"q.q5": ["  กรุง เทพ  "]}) == "กรุง เทพ"
    assert qtype(FILL_IN).parse(FILL_IN, {"q.q5": [" \u200b\u3000 "]}) is None


@pytest.mark.parametrize(
    ("typed", "correct"),
    [
        ("37.25", True),
        ("+37.250", True),
        ("3725e-2", True),
        ("๓๗.๒๕", True),  # Thai digits
        ("37.2500000000001", True),  # within the floating-point tolerance
        ("37.26", False),
        ("-37.25", False),
    ],
)
def test_numeric_exact(typed, correct):
    assert answer(NUMERIC, {"q.q7": [typed]}).is_correct is correct


@pytest.mark.parametrize(
    ("typed", "correct"),
    [("2555", True), ("2565.5", True), ("2560.01", True), ("2554.99", False), ("2565.51", False)],
)
def test_numeric_range_includes_both_ends(typed, correct):
    grade = answer(NUMERIC_RANGE, {"q.q8": [typed]})
    assert (grade.is_correct, grade.earned) == (correct, 3.0 if correct else 0.0)


@pytest.mark.parametrize(
    ("pairs", "earned", "correct"),
    [
        ({"tax": "rd", "id-card": "dopa", "passport": "mfa"}, 3.0, True),
        ({"tax": "rd", "id-card": "dopa", "passport": "other"}, 2.0, False),
        ({"tax": "rd"}, 1.0, False),  # the others left unmatched
        ({"tax": "rd", "id-card": "rd", "passport": "rd"}, 1.0, False),  # a target used thrice
        ({"tax": "other", "id-card": "other", "passport": "other"}, 0.0, False),
    ],
)
def test_matching_partial_by_pairs(pairs, earned, correct):
    form = {f"q.q9.{source}": [target] for source, target in pairs.items()}
    form.setdefault("q.q9.passport", [""])
    grade = answer(MATCHING, form)
    assert (grade.earned, grade.is_correct) == (earned, correct)


def test_matching_feedback_of_matched_sources_and_chosen_targets():
    grade = answer(MATCHING, {"q.q9.tax": ["dopa"]})
    assert grade.chosen_feedback == ["SOURCE-FEEDBACK-TAX", "TARGET-FEEDBACK-DOPA"]


@pytest.mark.parametrize(
    ("positions", "correct"),
    [
        ({"login": "1", "fill": "2", "attach": "3", "send": "4"}, True),
        ({"login": "1", "fill": "2", "attach": "4", "send": "3"}, False),  # two swapped: no partial credit
        ({"login": "1", "fill": "2", "attach": "3"}, False),  # one item not placed
    ],
)
def test_sequencing_all_or_nothing(positions, correct):
    grade = answer(SEQUENCING, {f"q.q10.{item}": [pos] for item, pos in positions.items()})
    assert (grade.earned, grade.is_correct) == (2.0 if correct else 0.0, correct)


@pytest.mark.parametrize(
    "positions",
    [
        {"login": "1", "fill": "1", "attach": "1", "send": "1"},  # every item first
        {"login": "1", "fill": "2", "attach": "2", "send": "4"},  # one tie among distinct ones
        {"login": "3", "fill": "3"},  # a tie among the items placed, others left out
    ],
)
def test_sequencing_with_a_position_used_twice_is_refused_not_graded(positions):
    form = {f"q.q10.{item}": [position] for item, position in positions.items()}
    with pytest.raises(ResponseError) as error:
        qtype(SEQUENCING).parse(SEQUENCING, form)
    tied = next(p for p in positions.values() if list(positions.values()).count(p) > 1)
    assert str(error.value) == (
        f"position {tied} is given to more than one item; give each item its own position"
    )


def test_sequencing_response_is_positions_by_item():
    form = {"q.q10.send": ["1"], "q.q10.login": ["3"], "q.q10.fill": [""]}
    assert qtype(SEQUENCING).parse(SEQUENCING, form) == {"login": 3, "send": 1}


# Forged or stale fields are refused, not graded ------------------------------------------


@pytest.mark.parametrize(
    ("spec", "form"),
    [
        (SINGLE, {"q.q1": ["z"]}),  # no such choice
        (SINGLE, {"q.q1": ["tax"]}),  # an id from another question
        (SINGLE, {"q.q1": ["a", "b"]}),  # two answers to a single choice
        (SINGLE, {"q.q1.a": ["on"]}),  # a field single choice does not have
        (MULTIPLE, {"q.q2": ["a", "z"]}),
        (MULTIPLE, {"q.q2": ["a", "a"]}),
        (TRUE_FALSE, {"q.q4": ["yes"]}),
        (TRUE_FALSE, {"q.q4": ["True"]}),
        (FILL_IN, {"q.q5": ["ก" * 501]}),
        (FILL_IN, {"q.q5": ["a", "b"]}),
        (NUMERIC, {"q.q7": ["abc"]}),
        (NUMERIC, {"q.q7": ["nan"]}),
        (NUMERIC, {"q.q7": ["inf"]}),
        (NUMERIC, {"q.q7": ["1e999"]}),
        (NUMERIC, {"q.q7": ["1_000"]}),
        (NUMERIC, {"q.q7": ["37,25"]}),
        (MATCHING, {"q.q9.tax": ["nowhere"]}),  # no such target
        (MATCHING, {"q.q9.tax": ["a"]}),  # a choice id of another question
        (MATCHING, {"q.q9.nobody": ["rd"]}),  # no such source
        (MATCHING, {"q.q9": ["rd"]}),
        (MATCHING, {"q.q9.tax": ["rd", "mfa"]}),
        (SEQUENCING, {"q.q10.login": ["0"]}),
        (SEQUENCING, {"q.q10.login": ["5"]}),  # only four items
        (SEQUENCING, {"q.q10.login": ["01"]}),
        (SEQUENCING, {"q.q10.login": ["๑"]}),
        (SEQUENCING, {"q.q10.login": ["first"]}),
        (SEQUENCING, {"q.q10.logout": ["1"]}),
    ],
)
def test_forged_fields_raise_response_error(spec, form):
    with pytest.raises(ResponseError):
        qtype(spec).parse(spec, form)


@pytest.mark.parametrize(
    ("spec", "form"),
    [
        (SINGLE, {"q.q1": ["x" * 10_000]}),
        (NUMERIC, {"q.q7": ["9" * 99 + "x"]}),
        (MATCHING, {"q.q9.tax": ["t" * 10_000]}),
        (MATCHING, {"q.q9." + "s" * 10_000: ["rd"]}),
        (SEQUENCING, {"q.q10.login": ["9" * 10_000]}),
    ],
)
def test_error_messages_cut_forged_values_short(spec, form):
    with pytest.raises(ResponseError) as error:
        qtype(spec).parse(spec, form)
    assert len(str(error.value)) < 80


def test_response_error_is_a_value_error():
    assert issubclass(ResponseError, ValueError)


# The page never sees the answer -----------------------------------------------------------

OPTION_LISTS = {
    "single_choice": {"choices"},
    "multiple_response": {"choices"},
    "true_false": set(),
    "fill_in": set(),
    "numeric": set(),
    "matching": {"sources", "targets"},
    "sequencing": {"items"},
}


def secrets_of(spec) -> list[str]:
    """Strings of a spec that must not reach the page before grading (ids aside, which the
    page needs to name its options)."""
    found = [spec.get("feedback", "")]
    for key in ("choices", "sources", "targets", "items"):
        found += [option.get("feedback", "") for option in spec.get(key, [])]
    found += spec.get("accepted", [])
    if "correct" in spec and spec["type"] == "numeric":
        found.append(str(spec["correct"]))
    if "range" in spec:
        found += [str(spec["range"]["min"]), str(spec["range"]["max"])]
    return [text for text in found if text]


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
@pytest.mark.parametrize("shuffle", [True, False])
def test_public_view_holds_no_answer_and_no_feedback(spec, shuffle):
    view = qtype(spec).public_view(spec, random.Random(7), shuffle)
    text = json.dumps(view, ensure_ascii=False)
    for secret in secrets_of(spec):
        assert secret not in text
    assert set(view) == {"id", "type", "prompt_html", "points"} | OPTION_LISTS[spec["type"]]
    for key in OPTION_LISTS[spec["type"]]:
        assert all(set(option) == {"id", "html", "text"} for option in view[key])
        ids = sorted(option["id"] for option in view[key])
        assert ids == sorted(option["id"] for option in spec[key])
    for word in ('"correct"', '"accepted"', '"feedback"', '"scoring"', '"case_sensitive"', '"range"'):
        assert word not in text


def test_public_view_does_not_give_away_the_correct_choice_by_order():
    orders = {
        tuple(c["id"] for c in qtype(SINGLE).public_view(SINGLE, random.Random(seed), True)["choices"])
        for seed in range(30)
    }
    assert len(orders) == 6  # every order of three choices appears
    unshuffled = qtype(SINGLE).public_view(SINGLE, random.Random(1), False)
    assert [c["id"] for c in unshuffled["choices"]] == ["a", "b", "c"]


def test_sequencing_items_are_always_shuffled():
    orders = {
        tuple(i["id"] for i in qtype(SEQUENCING).public_view(SEQUENCING, random.Random(seed), False)["items"])
        for seed in range(20)
    }
    assert len(orders) > 1


def test_public_view_is_the_same_for_the_same_seed():
    first = qtype(MATCHING).public_view(MATCHING, random.Random(42), True)
    assert qtype(MATCHING).public_view(MATCHING, random.Random(42), True) == first


def test_public_view_renders_sanitized_markdown():
    spec = {
        **SINGLE,
        "prompt": "Pick **one** <script>alert(1)</script>\n\n![diagram](media/flow.png)",
        "choices": [{"id": "a", "text": "*yes* <b onclick=x>"}, {"id": "b", "text": "no"}],
    }
    view = qtype(spec).public_view(
        spec, random.Random(1), False, media_urls={"media/flow.png": "/m/flow.png"}
    )
    assert "<strong>one</strong>" in view["prompt_html"]
    assert "<script" not in view["prompt_html"] and "&lt;script&gt;" in view["prompt_html"]
    assert '<img src="/m/flow.png" alt="diagram">' in view["prompt_html"]
    assert view["choices"][0]["html"] == "<em>yes</em> &lt;b onclick=x&gt;"
    assert view["choices"][0]["text"] == "yes <b onclick=x>"  # plain text, escaped by the template


def test_one_paragraph_prompt_has_no_paragraph_tags():
    view = qtype(SINGLE).public_view(SINGLE, random.Random(1), False)
    assert view["prompt_html"] == "ข้อใดอธิบาย <strong>รัฐบาลดิจิทัล</strong> ได้ถูกต้องที่สุด"


# Review, once the rules allow it -----------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "correct_answer"),
    [
        (SINGLE, "การเปลี่ยนวิธีทำงานของรัฐ"),
        (MULTIPLE, "Once only; Digital by default"),
        (TRUE_FALSE, "False"),
        (FILL_IN, "กรุงเทพมหานคร / Bangkok"),
        (NUMERIC, "37.25"),
        (NUMERIC_RANGE, "2555 – 2565.5"),
        (MATCHING, "ยื่นภาษี → กรมสรรพากร; ทำบัตรประชาชน → กรมการปกครอง; ทำหนังสือเดินทาง → กระทรวงการต่างประเทศ"),
        (SEQUENCING, "1. เข้าสู่ระบบ; 2. กรอกแบบฟอร์ม; 3. แนบเอกสาร; 4. ส่งคำขอ"),
    ],
    ids=lambda value: value["id"] if isinstance(value, dict) else "",
)
def test_review_shows_the_correct_answer(spec, correct_answer):
    assert qtype(spec).review(spec, None)["correct_answer"] == correct_answer


def test_review_feedback_is_sanitized_html():
    review = qtype(SINGLE).review(SINGLE, "a")
    assert review["feedback_html"] == "<p>GENERAL-FEEDBACK-SINGLE</p>\n"
    assert review["chosen_feedback"] == ["<p>CHOICE-FEEDBACK-A</p>\n"]
    empty = qtype(FILL_IN).review(FILL_IN, None)
    assert (empty["feedback_html"], empty["chosen_feedback"]) == (None, [])


# Registry ---------------------------------------------------------------------------------


def test_default_registry_has_the_seven_types():
    assert default_registry().names() == [
        "single_choice",
        "multiple_response",
        "true_false",
        "fill_in",
        "numeric",
        "matching",
        "sequencing",
    ]
    assert all(REGISTRY.get(name).name == name for name in REGISTRY.names())


def test_registry_refuses_a_duplicate_name():
    registry = default_registry()
    with pytest.raises(ValueError, match="single_choice"):
        registry.register(SingleChoice())

    class Essay(QuestionType):
        name = "essay"
        interaction_type = "long-fill-in"

    registry.register(Essay())
    assert "essay" in registry
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Essay())
    with pytest.raises(ValueError, match="no name"):
        registry.register(QuestionType())


def test_registries_are_independent():
    class Essay(QuestionType):
        name = "essay"

    first = default_registry()
    first.register(Essay())
    assert "essay" not in default_registry()
    assert QuestionTypeRegistry().names() == []


def test_unknown_type_is_a_key_error():
    with pytest.raises(KeyError, match="essay"):
        REGISTRY.get("essay")


def test_each_type_names_its_partial():
    assert REGISTRY.get("matching").template == "lms/quizzes/questions/matching.html"
