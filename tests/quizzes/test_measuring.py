"""Quizzes that measure learning: no answer key while the learner can still try again, a new
set of questions from the pool on each attempt, no tie in a sequence, no invisible fill-in."""

import hashlib

import pytest
import yaml
from jsonschema import Draft202012Validator
from sqlalchemy import select

from lms.content.quizzes import _parse
from lms.courses.service import course_by_slug
from lms.extensions import session
from lms.packages.schema import QUIZ, load_schema
from lms.quizzes.models import QuizAttempt
from lms.quizzes.normalise import is_blank
from lms.quizzes.types import ResponseError, default_registry
from tests.conftest import login, make_course, make_user, post_form, quiz_yaml
from tests.quizzes.samples import ALL, BY_ID, FILL_IN, SEQUENCING, WRONG_FORMS
from tests.quizzes.test_attempts import send, start, statements

REGISTRY = default_registry()

#: Four questions; each right answer is a distinctive text that must not leak before its time.
POOL = [
    {
        "id": "p1",
        "type": "single_choice",
        "prompt": "ข้อใดคือหลักการ Once Only",
        "points": 1,
        "feedback": "GENERAL-P1",
        "choices": [
            {"id": "a", "text": "ขอสำเนาบัตรทุกครั้ง", "feedback": "WHY-P1-A"},
            {"id": "b", "text": "ขอเอกสารจากประชาชนเพียงครั้งเดียว"},
        ],
        "correct": "b",
    },
    {
        "id": "p2",
        "type": "fill_in",
        "prompt": "ชื่อย่อของสำนักงานพัฒนารัฐบาลดิจิทัลคือ ____",
        "points": 1,
        "feedback": "GENERAL-P2",
        "accepted": ["สพร."],
        "case_sensitive": False,
    },
    {
        "id": "p3",
        "type": "single_choice",
        "prompt": "บริการดิจิทัลที่ดีออกแบบอย่างไร",
        "points": 1,
        "feedback": "GENERAL-P3",
        "choices": [
            {"id": "a", "text": "ตามความสะดวกของหน่วยงาน", "feedback": "WHY-P3-A"},
            {"id": "b", "text": "จากมุมมองของผู้ใช้บริการ"},
        ],
        "correct": "b",
    },
    {
        "id": "p4",
        "type": "fill_in",
        "prompt": "กฎหมายประกาศใน ____",
        "points": 1,
        "feedback": "GENERAL-P4",
        "accepted": ["ราชกิจจานุเบกษา"],
        "case_sensitive": False,
    },
]
POOL_BY_ID = {q["id"]: q for q in POOL}
WRONG = {"p1": "a", "p2": "ไม่ทราบ", "p3": "a", "p4": "ไม่ทราบ"}
RIGHT = {"p1": "b", "p2": "สพร.", "p3": "b", "p4": "ราชกิจจานุเบกษา"}
SECRETS = {"p1": "ขอเอกสารจากประชาชนเพียงครั้งเดียว", "p2": "สพร.", "p3": "จากมุมมองของผู้ใช้บริการ"}
SECRETS["p4"] = "ราชกิจจานุเบกษา"
UNTIL_PASSED_OR_LAST = "เฉลยและคำอธิบายของแต่ละข้อจะแสดงเมื่อคุณสอบผ่านแบบทดสอบนี้ หรือเมื่อใช้สิทธิ์"


@pytest.fixture
def learner(client):
    user = make_user(email="measured@example.org")
    login(client, user.email)
    return user


def quiz_text(**settings) -> str:
    """A quiz file like quiz_yaml's; ``show_feedback`` is left out unless given."""
    data = yaml.safe_load(quiz_yaml("m1-quiz", **settings))
    if "show_feedback" not in settings:
        del data["show_feedback"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def course_with_quiz(client, text: str) -> None:
    """The test course with ``text`` as its only quiz file, and the learner enrolled."""
    make_course(modules=1, lessons_per_module=1, quizzes=True)
    version = course_by_slug("test-course").current_version
    version.package = {"files": {"quizzes/m1-quiz.yaml": text}, "media": {}}
    version.content_hash = hashlib.sha256(text.encode()).hexdigest()  # quiz definitions are cached by hash
    session.commit()
    post_form(client, "/courses/test-course/enrol", page="/courses/test-course")


def pool_course(client, **settings) -> str:
    text = quiz_text(questions=POOL, draw=2, shuffle_questions=True, **settings)
    course_with_quiz(client, text)
    return text


def question_ids_of(number: int) -> list[str]:
    return session.scalar(select(QuizAttempt.question_ids).where(QuizAttempt.number == number))


def newest_attempt() -> QuizAttempt:
    session.expire_all()
    return session.scalar(select(QuizAttempt).order_by(QuizAttempt.number.desc()).limit(1))


def answer_drawn(client, url: str, answers: dict[str, str]):
    """Submit ``answers`` (by question id) for the questions drawn for the attempt at ``url``."""
    drawn = newest_attempt().question_ids
    response = send(client, url, "submit", {f"q.{qid}": answers[qid] for qid in drawn})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


def complete_the_lesson(client) -> None:
    post_form(
        client,
        "/courses/test-course/lessons/m1-l1/leave",
        {"action": "complete"},
        page="/courses/test-course/lessons/m1-l1",
    )


# The answer key stays closed while the learner can still try again ----------------------------


def test_a_quiz_whose_second_attempt_cannot_be_passed_by_copying_the_first_result_page(client, learner):
    text = pool_course(client)
    assert "show_feedback" not in text
    first = start(client)
    asked = newest_attempt().question_ids
    page = answer_drawn(client, first, WRONG)
    assert "ครั้งนี้คุณยังไม่ผ่าน" in page and "ทำอีกครั้ง" in page
    for qid in asked:
        assert SECRETS[qid] in text, "the right answer is in the quiz definition"
        assert SECRETS[qid] not in page, f"the right answer of {qid} is on the result page"
        assert POOL_BY_ID[qid]["feedback"] not in page
        assert POOL_BY_ID[qid]["prompt"] in page
    assert "คำตอบที่ถูกต้อง" not in page
    assert page.count("ไม่ถูกต้อง") == 2  # each answer is still marked right or wrong
    assert UNTIL_PASSED_OR_LAST in page
    for qid in asked:  # the learner's own answer, and why a picked choice was wrong
        if POOL_BY_ID[qid]["type"] == "single_choice":
            assert POOL_BY_ID[qid]["choices"][0]["text"] in page
            assert f"WHY-{qid.upper()}-A" in page
        else:
            assert "ไม่ทราบ" in page

    second = start(client)
    assert second != first
    asked_again = newest_attempt().question_ids
    assert len(asked_again) == 2 and set(asked_again).isdisjoint(asked)
    attempt_page = client.get(second).get_data(as_text=True)
    for qid in asked:
        assert f'name="q.{qid}"' not in attempt_page


def test_once_passed_the_answers_of_every_attempt_are_shown(client, learner):
    pool_course(client)
    first = start(client)
    answer_drawn(client, first, WRONG)
    second = start(client)
    passed = answer_drawn(client, second, RIGHT)
    assert "คุณสอบผ่าน" in passed and "คำตอบที่ถูกต้อง:" in passed
    assert "ทำอีกครั้ง" not in passed
    earlier = client.get(first).get_data(as_text=True)
    assert "คำตอบที่ถูกต้อง:" in earlier and UNTIL_PASSED_OR_LAST not in earlier
    for qid in question_ids_of(1):
        assert SECRETS[qid] in earlier and POOL_BY_ID[qid]["feedback"] in earlier


def test_the_answers_are_shown_after_the_last_attempt(client, learner):
    pool_course(client, attempts=2)
    first = start(client)
    assert UNTIL_PASSED_OR_LAST in answer_drawn(client, first, WRONG)
    last = answer_drawn(client, start(client), WRONG)
    assert "คำตอบที่ถูกต้อง:" in last and "ทำอีกครั้ง" not in last
    for qid in newest_attempt().question_ids:
        assert SECRETS[qid] in last and POOL_BY_ID[qid]["feedback"] in last
    assert "คำตอบที่ถูกต้อง:" in client.get(first).get_data(as_text=True)


def test_no_answers_while_another_attempt_is_in_progress(client, learner):
    pool_course(client)
    first = start(client)
    assert "คำตอบที่ถูกต้อง:" in answer_drawn(client, first, RIGHT)
    start(client)  # a new attempt after passing, to improve the score: left open
    page = client.get(first).get_data(as_text=True)
    assert "ระบบจะไม่แสดงเฉลยขณะที่คุณยังทำแบบทดสอบค้างอยู่" in page
    assert "คำตอบที่ถูกต้อง:" not in page
    for qid in question_ids_of(1):
        assert POOL_BY_ID[qid]["feedback"] not in page


def test_with_unlimited_attempts_the_answers_wait_for_a_pass(client, learner):
    pool_course(client, attempts="unlimited")
    for _ in range(3):
        page = answer_drawn(client, start(client), WRONG)
        assert "เฉลยและคำอธิบายของแต่ละข้อจะแสดงเมื่อคุณสอบผ่านแบบทดสอบนี้แล้ว" in page
        assert "คำตอบที่ถูกต้อง:" not in page
    assert "คำตอบที่ถูกต้อง:" in answer_drawn(client, start(client), RIGHT)


def test_after_last_attempt_keeps_the_answers_after_a_pass_with_attempts_left(client, learner):
    pool_course(client, show_feedback="after_last_attempt")
    page = answer_drawn(client, start(client), RIGHT)
    assert "คุณสอบผ่าน" in page and "คำตอบที่ถูกต้อง:" not in page
    assert "เฉลยและคำอธิบายของแต่ละข้อจะแสดงหลังการทำแบบทดสอบครั้งสุดท้าย" in page


def test_after_last_attempt_shows_the_answers_once_the_course_is_completed(client, learner):
    pool_course(client, show_feedback="after_last_attempt")
    complete_the_lesson(client)
    page = answer_drawn(client, start(client), RIGHT)
    assert "คำตอบที่ถูกต้อง:" in page  # a completed course takes no new attempts


def test_after_attempt_still_shows_the_answers_at_once_when_the_quiz_says_so(client, learner):
    pool_course(client, show_feedback="after_attempt")
    page = answer_drawn(client, start(client), WRONG)
    assert "คำตอบที่ถูกต้อง:" in page
    for qid in newest_attempt().question_ids:
        assert SECRETS[qid] in page


def test_never_still_shows_no_review(client, learner):
    pool_course(client, show_feedback="never")
    page = answer_drawn(client, start(client), WRONG)
    assert "ครั้งนี้คุณยังไม่ผ่าน" in page
    assert "ไม่ถูกต้อง" not in page and "คำตอบของคุณ" not in page


# Pools: each attempt draws the questions the learner has seen least recently ------------------


def attempt_sets(client, count: int) -> list[set[str]]:
    """The question sets of ``count`` attempts, each submitted unanswered (a fail)."""
    sets = []
    for _ in range(count):
        url = start(client)
        sets.append(set(newest_attempt().question_ids))
        assert send(client, url, "submit", {}).status_code == 302
    return sets


def test_a_larger_pool_gives_unseen_questions_first_then_those_seen_longest_ago(client, learner):
    pool_course(client, attempts="unlimited")
    first, second, third, fourth = attempt_sets(client, 4)
    assert first.isdisjoint(second) and first | second == set(POOL_BY_ID)
    assert third == first and fourth == second


def test_when_too_few_are_unseen_the_least_often_asked_fill_in(client, learner):
    course_with_quiz(client, quiz_text(questions=POOL[:3], draw=2, attempts="unlimited"))
    first, second, third = attempt_sets(client, 3)
    pool = {"p1", "p2", "p3"}
    assert pool - first <= second  # the one question not asked yet
    # Both of the first attempt's questions were last asked in attempt 1 or 2; the third
    # attempt takes the one asked only in attempt 1, then the one asked only once.
    assert third == pool - (first & second)


def test_a_draw_of_the_whole_pool_asks_every_question(client, learner):
    course_with_quiz(client, quiz_text(questions=POOL, draw=4))
    assert attempt_sets(client, 2) == [set(POOL_BY_ID)] * 2


# Sequencing: a tie is refused with a 400, never recorded as an order ------------------------


def test_a_tie_in_a_sequence_is_refused_on_save_and_on_submit(client, learner):
    course_with_quiz(client, quiz_text(questions=[SEQUENCING], show_feedback="after_attempt"))
    url = start(client)
    tie = {"q.q10.login": "1", "q.q10.fill": "1", "q.q10.attach": "3", "q.q10.send": "4"}
    saved = send(client, url, "save", tie)
    assert saved.status_code == 400
    assert "ข้อ q10: ลำดับที่ 1 ถูกกำหนดให้มากกว่าหนึ่งรายการ" in saved.get_data(as_text=True)
    # A slip the page allows: the learner is told what to fix, not accused of forging the page.
    assert "ไม่ได้มาจากหน้าแบบทดสอบนี้" not in saved.get_data(as_text=True)
    submitted = send(client, url, "submit", tie)
    assert submitted.status_code == 400
    session.expire_all()
    attempt = session.scalar(select(QuizAttempt))
    assert attempt.answers == {} and attempt.submitted_at is None
    assert statements("answered") == [] and statements("failed") == []
    right = {"q.q10.login": "1", "q.q10.fill": "2", "q.q10.attach": "3", "q.q10.send": "4"}
    assert "คุณสอบผ่าน" in client.get(send(client, url, "submit", right).location).get_data(as_text=True)


# Fill-in: a response of invisible characters is no answer ------------------------------------

INVISIBLE = [
    "\u200b",
    "\u200c\u200d",
    "\u2060",
    "\ufeff",
    " \u3000\u00a0\t",
    "\u200b \u200b",
    "\u00ad",  # soft hyphen
    "\u200e\u200f",  # bidirectional marks
    "\u2061\u2063",  # invisible operators
    "\u034f",  # combining grapheme joiner
    "\u3164",  # Hangul filler
    "\ufe0f",  # variation selector
    "\U000e0041",  # tag letter
]


@pytest.mark.parametrize("text", INVISIBLE, ids=lambda t: "+".join(f"U{ord(c):04X}" for c in t))
def test_invisible_text_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "ก", "\u0e34", "ๆ", "\u200bก", "0", "-", "\u00a0."])
def test_visible_text_is_not_blank(text):
    assert not is_blank(text)


@pytest.mark.parametrize("text", INVISIBLE, ids=lambda t: "+".join(f"U{ord(c):04X}" for c in t))
def test_a_fill_in_response_of_invisible_characters_is_no_answer(text):
    fill_in = REGISTRY.get("fill_in")
    # Even against an accepted answer the checker would refuse: blank never matches.
    spec = {**FILL_IN, "accepted": [*FILL_IN["accepted"], text]}
    assert fill_in.parse(spec, {"q.q5": [text]}) is None
    assert fill_in.grade(spec, fill_in.parse(spec, {"q.q5": [text]})).is_correct is None


def test_an_invisible_fill_in_answer_is_not_answered_on_the_result_page(client, learner):
    course_with_quiz(client, quiz_text(show_feedback="after_attempt"))
    url = start(client)
    result = send(client, url, "submit", {"q.q1": "b", "q.q2": "false", "q.q3": "\u200b\u2060 \ufeff"})
    page = client.get(result.location).get_data(as_text=True)
    assert "ไม่ได้ตอบ" in page and "50.0%" in page
    kinds = [s["object"]["definition"]["interactionType"] for s in statements("answered")]
    assert kinds == ["choice", "true-false"]  # no answered statement for the blank fill-in


# The learner's answer in words, for a result page that hides the options --------------------

WRONG_TEXTS = {
    "q1": "การซื้อคอมพิวเตอร์",
    "q2": "Paper first; Fax only",
    "q4": "True",
    "q5": "เชียงใหม่",
    "q7": "37.2",
    "q9": "ยื่นภาษี → หน่วยงานอื่น; ทำบัตรประชาชน → กรมสรรพากร; ทำหนังสือเดินทาง → กรมการปกครอง",
    "q10": "1. ส่งคำขอ; 2. แนบเอกสาร; 3. กรอกแบบฟอร์ม; 4. เข้าสู่ระบบ",
}


@pytest.mark.parametrize("qid", sorted(WRONG_TEXTS))
def test_response_text_names_what_the_learner_answered(qid):
    spec = BY_ID[qid]
    qtype = REGISTRY.get(spec["type"])
    assert qtype.response_text(spec, qtype.parse(spec, WRONG_FORMS[qid])) == WRONG_TEXTS[qid]


def test_every_type_has_a_response_text():
    for spec in ALL:
        qtype = REGISTRY.get(spec["type"])
        assert isinstance(qtype.response_text(spec, qtype.parse(spec, WRONG_FORMS[spec["id"]])), str)


def test_sequencing_tie_is_a_response_error_before_any_text():
    with pytest.raises(ResponseError):
        REGISTRY.get("sequencing").parse(SEQUENCING, {"q.q10.login": ["2"], "q.q10.send": ["2"]})


# The default, in the definition and the schema ------------------------------------------------


def test_show_feedback_defaults_to_after_pass_or_last_attempt():
    assert _parse("m1-quiz", quiz_text()).show_feedback == "after_pass_or_last_attempt"
    assert _parse("m1-quiz", quiz_text(show_feedback="after_attempt")).show_feedback == "after_attempt"


@pytest.mark.parametrize(
    "value", [None, "never", "after_attempt", "after_pass_or_last_attempt", "after_last_attempt"]
)
def test_the_schema_takes_every_rule_and_none(value):
    data = yaml.safe_load(quiz_text() if value is None else quiz_text(show_feedback=value))
    assert list(Draft202012Validator(load_schema(QUIZ)).iter_errors(data)) == []


def test_the_schema_refuses_other_rules():
    data = yaml.safe_load(quiz_text(show_feedback="after_every_attempt"))
    assert [e.validator for e in Draft202012Validator(load_schema(QUIZ)).iter_errors(data)] == ["enum"]
