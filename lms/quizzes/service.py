"""Quiz attempts: start, save as you go, submit, and review. Graded only on the server.

Every step is recorded through ``xapi.record``: ``attempted`` when an attempt starts,
``answered`` for each question and ``passed`` or ``failed`` for the assessment when it is
submitted. A submitted attempt is closed by one conditional UPDATE, so two submissions at the
same moment yield exactly one graded attempt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import JSON, func, insert, literal, select, update

from lms.accounts.models import User
from lms.content import activities
from lms.content.models import Course, CourseVersion, Module
from lms.content.quizzes import QuizDefinition, load_quiz
from lms.extensions import session
from lms.progress.models import Enrolment, QuizOutcome
from lms.progress.projectors import ATTEMPT_EXTENSION
from lms.progress.service import check_completion, enrolment_for
from lms.quizzes.models import QuizAttempt
from lms.quizzes.types.base import UnclearAnswer
from lms.xapi import builder
from lms.xapi.service import record
from lms.xapi.vocabulary import extension

log = logging.getLogger(__name__)

#: Answers sent with a submission this soon after the deadline still count (network delay).
GRACE = timedelta(seconds=5)
FIELD_PREFIX = "q."


class QuizError(Exception):
    """A quiz request that is refused; ``status`` is the HTTP status a view should answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class QuizContext:
    course: Course
    module: Module
    quiz: QuizDefinition


def registry():
    return current_app.extensions["lms"].question_types


def find_quiz(course: Course, key: str) -> QuizContext | None:
    module = next((m for m in course.current_version.modules if m.quiz_key == key), None)
    quiz = load_quiz(course.current_version, key) if module else None
    return QuizContext(course, module, quiz) if quiz else None


def now() -> datetime:
    return datetime.now(UTC)


def attempts(enrolment: Enrolment, key: str) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.registration == enrolment.registration, QuizAttempt.quiz_key == key)
            .order_by(QuizAttempt.number)
        )
    )


def attempts_left(quiz: QuizDefinition, used: int) -> int | None:
    return None if quiz.attempts is None else max(quiz.attempts - used, 0)


def quiz_activity(ctx: QuizContext) -> dict[str, Any]:
    return activities.quiz_activity(ctx.course, ctx.quiz)


def _record(
    user: User, enrolment: Enrolment, verb: str, obj, ctx: QuizContext, attempt: QuizAttempt, **kwargs
):
    extensions = {
        extension(activities.base_url(), ATTEMPT_EXTENSION): {"id": attempt.id, "number": attempt.number}
    }
    statement = builder.statement(
        activities.base_url(),
        user.uuid,
        verb,
        obj,
        registration=enrolment.registration,
        grouping=activities.course_activity(ctx.course),
        extensions=extensions,
        **kwargs,
    )
    record(statement, user_id=user.id)


def start(user: User, ctx: QuizContext) -> QuizAttempt:
    """The learner's open attempt, or a new one drawn from the pool (an 'attempted' statement)."""
    enrolment = enrolment_for(user, ctx.course)
    if enrolment is None:
        raise QuizError(_("Enrol in the course before taking its quizzes."), 403)
    previous = attempts(enrolment, ctx.quiz.key)
    open_attempt = next((a for a in previous if a.submitted_at is None), None)
    if open_attempt is not None:
        return open_attempt
    if enrolment.completed_at is not None:
        raise QuizError(_("You have completed this course: its quizzes take no new attempts."), 403)
    if attempts_left(ctx.quiz, len(previous)) == 0:
        raise QuizError(_("You have used every attempt this quiz allows."), 403)
    attempt = _draw(ctx, enrolment, number=len(previous) + 1, previous=previous)
    session.add(attempt)
    session.flush()
    _record(
        user,
        enrolment,
        "attempted",
        quiz_activity(ctx),
        ctx,
        attempt,
        parent=activities.module_activity(ctx.course, ctx.module),
    )
    log.info("attempt %s started on %s by user %s", attempt.id, ctx.quiz.key, user.id)
    return attempt


def _draw(
    ctx: QuizContext, enrolment: Enrolment, number: int, previous: Sequence[QuizAttempt] = ()
) -> QuizAttempt:
    """A new attempt. With a pool (``draw``), the questions ``previous`` attempts asked least
    recently are drawn first (see ``_pool_order``), in random order."""
    # A seeded PRNG is enough: the seed is secret and kept on the server; it only orders questions.
    rng = random.Random(secrets.randbits(64))  # noqa: S311
    ids = [q["id"] for q in ctx.quiz.questions]
    if ctx.quiz.draw:
        ids = _pool_order(ids, previous, rng)[: ctx.quiz.draw]
        rng.shuffle(ids)
    elif ctx.quiz.shuffle_questions:
        rng.shuffle(ids)
    started = now()
    deadline = (
        started + timedelta(minutes=ctx.quiz.time_limit_minutes) if ctx.quiz.time_limit_minutes else None
    )
    return QuizAttempt(
        id=str(uuid.uuid4()),
        registration=enrolment.registration,
        quiz_key=ctx.quiz.key,
        version_id=ctx.course.current_version.id,
        number=number,
        started_at=started,
        deadline_at=deadline,
        question_ids=ids,
        choice_orders={qid: secrets.randbits(32) for qid in ids},
        answers={},
        revision=0,
    )


def _pool_order(ids: list[str], previous: Sequence[QuizAttempt], rng: random.Random) -> list[str]:
    """The pool's question ids in the order to draw them: first those no earlier attempt
    asked, then those asked longest ago (by the number of the last attempt that asked them),
    then those asked least often; ties in random order. So a learner who retakes a quiz gets
    questions not seen yet for as long as the pool lasts, and the oldest ones after that."""
    last: dict[str, int] = {}
    times: Counter[str] = Counter()
    for attempt in previous:
        for qid in attempt.question_ids:
            last[qid] = max(last.get(qid, 0), attempt.number)
            times[qid] += 1
    tiebreak = {qid: rng.random() for qid in ids}
    return sorted(ids, key=lambda qid: (last.get(qid, 0), times[qid], tiebreak[qid]))


def attempts_for_graded_outcomes(registrations: list[str]) -> int:
    """Attempt rows for outcomes recorded without the engine (statements from a seed or an
    import): the grade stays in the outcome, the attempt only says the attempt was made and
    when, so the quiz page lists it and counts it against the attempts allowed. One INSERT."""
    if not registrations:
        return 0
    current_version = (
        select(func.max(CourseVersion.id))
        .where(CourseVersion.course_id == Enrolment.course_id)
        .scalar_subquery()
    )
    missing = (
        select(
            QuizOutcome.attempt_id,
            QuizOutcome.registration,
            QuizOutcome.quiz_key,
            current_version,
            QuizOutcome.attempt_number,
            QuizOutcome.completed_at,
            QuizOutcome.completed_at,
            literal([], JSON),
            literal({}, JSON),
            literal({}, JSON),
            literal(1),
            literal(False),
        )
        .join(Enrolment, Enrolment.registration == QuizOutcome.registration)
        .outerjoin(QuizAttempt, QuizAttempt.id == QuizOutcome.attempt_id)
        .where(QuizAttempt.id.is_(None), QuizOutcome.registration.in_(registrations))
    )
    columns = [
        "id",
        "registration",
        "quiz_key",
        "version_id",
        "number",
        "started_at",
        "submitted_at",
        "question_ids",
        "choice_orders",
        "answers",
        "revision",
        "is_late",
    ]
    return session.execute(insert(QuizAttempt).from_select(columns, missing)).rowcount


def owned_attempt(user: User, ctx: QuizContext, attempt_id: str) -> QuizAttempt:
    """The attempt if it belongs to this learner's enrolment and this quiz; else 404."""
    enrolment = enrolment_for(user, ctx.course)
    attempt = session.get(QuizAttempt, attempt_id)
    if (
        enrolment is None
        or attempt is None
        or attempt.registration != enrolment.registration
        or attempt.quiz_key != ctx.quiz.key
    ):
        raise QuizError(_("No such attempt."), 404)
    return attempt


def public_questions(ctx: QuizContext, attempt: QuizAttempt, media_urls=None) -> list[tuple[dict, Any]]:
    """What the page may show for each drawn question, with the learner's saved response."""
    shown = []
    for qid in attempt.question_ids:
        spec = ctx.quiz.question(qid)
        qtype = registry().get(spec["type"])
        order = random.Random(attempt.choice_orders[qid])  # noqa: S311 (the stored seed replays the order)
        view = qtype.public_view(spec, order, ctx.quiz.shuffle_choices, media_urls=media_urls)
        saved = qtype.parse(spec, attempt.answers.get(qid, {}))
        shown.append((view, saved))
    return shown


def _answers_from_form(ctx: QuizContext, attempt: QuizAttempt, form: Mapping[str, list[str]]) -> dict:
    """The form's answers by question, checked: each must belong to a question of this attempt."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for name, values in form.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        qid = name[len(FIELD_PREFIX) :].split(".", 1)[0]
        if qid not in attempt.question_ids:
            raise QuizError(_("Question %(id)s is not part of this attempt.", id=qid), 400)
        grouped.setdefault(qid, {})[name] = list(values)
    for qid, fields in grouped.items():
        spec = ctx.quiz.question(qid)
        try:
            registry().get(spec["type"]).parse(spec, fields)
        except UnclearAnswer as exc:
            raise QuizError(_("Question %(id)s: %(error)s.", id=qid, error=exc), 400) from None
        except ValueError as exc:  # ResponseError: a forged choice, target or position
            message = _(
                "Question %(id)s: the answer could not have come from this page (%(error)s).",
                id=qid,
                error=exc,
            )
            raise QuizError(message, 400) from None
    return grouped


def _check_open(attempt: QuizAttempt, revision: int) -> None:
    if attempt.submitted_at is not None:
        raise QuizError(_("This attempt has already been submitted."), 409)
    if revision != attempt.revision:
        raise QuizError(_("This page is out of date (it was sent before); reload the attempt."), 409)


def save(
    user: User, ctx: QuizContext, attempt: QuizAttempt, form: Mapping[str, list[str]], revision: int
) -> None:
    _check_open(attempt, revision)
    if attempt.deadline_at and now() > attempt.deadline_at + GRACE:
        raise QuizError(_("Time is up: answers can no longer be saved. Submit the attempt."), 409)
    answers = _answers_from_form(ctx, attempt, form)
    attempt.answers = {**attempt.answers, **answers}
    attempt.revision += 1
    session.flush()


def submit(
    user: User, ctx: QuizContext, attempt: QuizAttempt, form: Mapping[str, list[str]], revision: int
) -> QuizAttempt:
    """Close the attempt (exactly once), grade it on the server and record the outcome."""
    _check_open(attempt, revision)
    late = attempt.deadline_at is not None and now() > attempt.deadline_at + GRACE
    answers = {} if late else _answers_from_form(ctx, attempt, form)
    closed = session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None), QuizAttempt.revision == revision
        )
        .values(submitted_at=now(), revision=revision + 1)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise QuizError(_("This attempt has already been submitted."), 409)
    session.refresh(attempt)
    attempt.answers = {**attempt.answers, **answers}
    attempt.is_late = late
    _grade(user, ctx, attempt)
    return attempt


def _grade(user: User, ctx: QuizContext, attempt: QuizAttempt) -> None:
    enrolment = session.get(Enrolment, attempt.registration)
    quiz_obj = quiz_activity(ctx)
    earned = possible = 0.0
    for qid in attempt.question_ids:
        spec = ctx.quiz.question(qid)
        qtype = registry().get(spec["type"])
        response = qtype.parse(spec, attempt.answers.get(qid, {}))
        grade = qtype.grade(spec, response)
        earned, possible = earned + grade.earned, possible + grade.possible
        _record_answer(user, enrolment, ctx, attempt, quiz_obj, spec, qtype, response, grade)
    is_passed = possible > 0 and 100 * earned / possible >= ctx.quiz.pass_mark
    seconds = int(((attempt.submitted_at or now()) - attempt.started_at).total_seconds())
    result = {
        "score": {
            "scaled": round(earned / possible, 4) if possible else 0,
            "raw": earned,
            "min": 0,
            "max": possible,
        },
        "success": is_passed,
        "completion": True,
        "duration": builder.duration(seconds),
    }
    _record(
        user,
        enrolment,
        "passed" if is_passed else "failed",
        quiz_obj,
        ctx,
        attempt,
        parent=activities.module_activity(ctx.course, ctx.module),
        result=result,
    )
    session.expire(attempt, ["outcome"])
    check_completion(user, ctx.course, enrolment, ctx.module)
    session.flush()
    log.info("attempt %s graded %.2f/%.2f (%s)", attempt.id, earned, possible, is_passed)


def question_iri(quiz_obj: dict[str, Any], question_id: str, definition: dict[str, Any]) -> str:
    """A question's activity id: its package id and a hash of its xAPI definition.

    An LRS keeps the first definition it sees for an activity id, so a question whose prompt,
    choices or correct response change in a new course version must get a new id.
    """
    canonical = json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return f"{quiz_obj['id']}/questions/{question_id}/{digest}"


def _record_answer(user, enrolment, ctx, attempt, quiz_obj, spec, qtype, response, grade) -> None:
    """An 'answered' statement for one question; none for a question left unanswered."""
    if response is None:
        return
    definition = qtype.to_xapi_definition(spec, lambda text: {"th-TH": text})
    obj = {
        "objectType": "Activity",
        "id": question_iri(quiz_obj, spec["id"], definition),
        "definition": definition,
    }
    result: dict[str, Any] = {
        "score": {
            "raw": grade.earned,
            "min": 0,
            "max": grade.possible,
            "scaled": round(grade.earned / grade.possible, 4) if grade.possible else 0,
        }
    }
    result["response"] = qtype.to_xapi_response(spec, response)
    if grade.is_correct is not None:
        result["success"] = grade.is_correct
    _record(user, enrolment, "answered", obj, ctx, attempt, parent=quiz_obj, result=result)


def may_review(quiz: QuizDefinition, attempt: QuizAttempt) -> bool:
    """Whether the result page goes through a submitted attempt question by question: yes,
    unless the quiz says ``never``. Whether that review may name the right answers is
    ``answers_withheld``'s to say."""
    return attempt.submitted_at is not None and quiz.show_feedback != "never"


def answers_withheld(quiz: QuizDefinition, attempt: QuizAttempt) -> str | None:
    """Why the correct answers and the questions' feedback are not shown for this attempt,
    or None when they may be.

    Only ``after_attempt`` shows them while the learner may still try again. The other rules
    wait until no further attempt can be made (every attempt used, or the course completed,
    which closes its quizzes) or, for ``after_pass_or_last_attempt`` and with unlimited
    attempts, until the learner has passed the quiz; and never while an attempt is in
    progress, which the learner could answer with the answers open in another tab.
    """
    if quiz.show_feedback in ("never", "after_attempt"):
        return "never" if quiz.show_feedback == "never" else None
    enrolment = session.get(Enrolment, attempt.registration)
    previous = attempts(enrolment, quiz.key)
    finished = attempts_left(quiz, len(previous)) == 0 or enrolment.completed_at is not None
    reason = _withheld_by_rule(quiz, finished, passed=any(a.is_passed for a in previous))
    if reason is None and any(a.submitted_at is None for a in previous):
        return "attempt_in_progress"
    return reason


def _withheld_by_rule(quiz: QuizDefinition, finished: bool, passed: bool) -> str | None:
    if finished:
        return None
    if quiz.show_feedback == "after_last_attempt" and quiz.attempts is not None:
        return "last_attempt"
    if passed:
        return None
    return "pass" if quiz.attempts is None else "pass_or_last_attempt"


def review(ctx: QuizContext, attempt: QuizAttempt, media_urls=None) -> list[dict[str, Any]]:
    """Each drawn question with the learner's answer (``saved``, and ``answer_text`` in
    words), its ``grade``, ``withheld`` (see ``answers_withheld``) and ``review``.

    While the answers are withheld, ``review`` keeps only the feedback of the options the
    learner picked (why a pick was wrong): no correct answer, and no general feedback of the
    question, which usually explains the right answer. The page then shows ``answer_text``
    rather than the question with all its options, one of which is the right one.
    """
    withheld = answers_withheld(ctx.quiz, attempt)
    reviewed = []
    for view, saved in public_questions(ctx, attempt, media_urls):
        spec = ctx.quiz.question(view["id"])
        qtype = registry().get(spec["type"])
        shown = qtype.review(spec, saved, media_urls=media_urls)
        if withheld:
            shown = {**shown, "correct_answer": None, "feedback_html": None}
        reviewed.append(
            {
                "question": view,
                "saved": saved,
                "answer_text": None if saved is None else qtype.response_text(spec, saved),
                "grade": qtype.grade(spec, saved),
                "withheld": withheld,
                "review": shown,
            }
        )
    return reviewed
