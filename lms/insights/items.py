"""Quiz item analysis: per question, how many answered, the share correct, each choice's share,
and the upper-lower discrimination index; and the flags a trainer should look at.

Only submitted attempts count: an 'answered' statement is recorded per question when an
attempt is submitted, and the attempts are ranked by their total score (``lms_quiz_outcomes``,
the graded attempt). The upper group is the 27% of the quiz's attempts with the highest total
score, the lower group the 27% with the lowest (round(0.27 n) attempts each, ties broken by
the attempt's id so the groups are stable); the index of a question is the share correct in
the upper group minus the share correct in the lower group, each among the group's attempts
that answered the question. Every figure is one SQL aggregate (window functions for the
groups); Python only reads the few result rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from lms.content.models import Course
from lms.content.quizzes import QuizDefinition, load_quiz
from lms.extensions import session
from lms.insights.models import QuestionAnswer, QuestionAnswerChoice
from lms.progress.models import Enrolment, QuizOutcome
from lms.quizzes.types.content import plain_text
from lms.reports.tuning import tune

EASY = 0.9
HARD = 0.2
LOW_DISCRIMINATION = 0.2
#: Question types whose choices are counted.
CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")
QA = QuestionAnswer


@dataclass
class ChoiceShare:
    id: str
    text: str
    picks: int = 0
    share: float | None = None
    is_correct: bool = False


@dataclass
class ItemStats:
    id: str
    prompt: str
    type: str
    answered: int = 0
    graded: int = 0
    correct_share: float | None = None
    upper: float | None = None
    lower: float | None = None
    choices: list[ChoiceShare] = field(default_factory=list)

    @property
    def discrimination(self) -> float | None:
        if self.upper is None or self.lower is None:
            return None
        return self.upper - self.lower

    @property
    def flags(self) -> list[str]:
        """Codes of what is worth a look: ``easy``, ``hard``, ``negative``, ``low``, ``unpicked``."""
        found = []
        if self.correct_share is not None and self.correct_share >= EASY:
            found.append("easy")
        if self.correct_share is not None and self.correct_share <= HARD:
            found.append("hard")
        index = self.discrimination
        if index is not None and index < 0:
            found.append("negative")
        elif index is not None and index < LOW_DISCRIMINATION:
            found.append("low")
        if self.answered and any(choice.picks == 0 for choice in self.choices):
            found.append("unpicked")
        return found


def find_quiz(course: Course, key: str) -> QuizDefinition | None:
    """The quiz ``key`` of the course's current version (None if it has no such quiz)."""
    version = course.current_version
    if version is None or not any(module.quiz_key == key for module in version.modules):
        return None
    return load_quiz(version, key)


def course_quizzes(course: Course) -> list[QuizDefinition]:
    version = course.current_version
    if version is None:
        return []
    found = (load_quiz(version, module.quiz_key) for module in version.modules if module.quiz_key)
    return [quiz for quiz in found if quiz is not None]


def _right(column):
    """1.0 for a right answer, 0.0 for a wrong one, NULL where the type grades neither."""
    return case((column.is_(True), 1.0), (column.is_(False), 0.0))


def ranked_attempts(course: Course, quiz_key: str):
    """The quiz's graded attempts in the course that are in a group: 'upper' or 'lower'.

    One window sort: ranked from the top by (score, attempt id), an attempt's rank from the
    bottom is n + 1 - its rank from the top. It is in a group when that rank is at most
    round(0.27 n): 100 * rank <= 27 n + 50, in integers on every database.
    """
    enrolled = select(Enrolment.registration).where(Enrolment.course_id == course.id)
    high = func.row_number().over(order_by=(QuizOutcome.scaled.desc(), QuizOutcome.attempt_id))
    ranked = (
        select(QuizOutcome.attempt_id, high.label("high"), func.count().over().label("n"))
        .where(QuizOutcome.quiz_key == quiz_key, QuizOutcome.registration.in_(enrolled))
        .subquery("ranked")
    )
    cut = 27 * ranked.c.n + 50
    low = ranked.c.n + 1 - ranked.c.high
    group = case((100 * ranked.c.high <= cut, "upper"), (100 * low <= cut, "lower"), else_=None)
    grouped = select(ranked.c.attempt_id, group.label("grp")).subquery("grouped")
    return select(grouped).where(grouped.c.grp.is_not(None)).subquery("groups")


def _per_question(course: Course, quiz_key: str):
    """Per question: answers, graded answers, share right overall, in the upper and in the
    lower group. One pass over the quiz's answers, which exist only for submitted attempts
    (the quiz service records them when an attempt is submitted)."""
    groups = ranked_attempts(course, quiz_key)
    right = _right(QA.is_correct)
    return session.execute(
        select(
            QA.question_id,
            func.count().label("answered"),
            func.count(QA.is_correct).label("graded"),
            func.avg(right).label("correct_share"),
            func.avg(case((groups.c.grp == "upper", right))).label("upper"),
            func.avg(case((groups.c.grp == "lower", right))).label("lower"),
        )
        .outerjoin(groups, groups.c.attempt_id == QA.attempt_id)
        .where(QA.course_id == course.id, QA.quiz_key == quiz_key)
        .group_by(QA.question_id)
    ).all()


def _per_choice(course: Course, quiz_key: str):
    C = QuestionAnswerChoice
    return session.execute(
        select(C.question_id, C.choice_id, func.count().label("picks"))
        .where(C.course_id == course.id, C.quiz_key == quiz_key)
        .group_by(C.question_id, C.choice_id)
    ).all()


def _share(value) -> float | None:
    return None if value is None else float(value)


def _choice_texts(spec: dict) -> list[tuple[str, str, bool]]:
    if spec["type"] == "true_false":
        return [("true", "", spec["correct"] is True), ("false", "", spec["correct"] is False)]
    correct = spec["correct"] if isinstance(spec["correct"], list) else [spec["correct"]]
    return [(c["id"], plain_text(c["text"]) or c["id"], c["id"] in correct) for c in spec.get("choices", [])]


def item_analysis(course: Course, quiz: QuizDefinition) -> list[ItemStats]:
    """The statistics of every question of ``quiz``, in the quiz's order."""
    tune()
    items = {q["id"]: ItemStats(q["id"], plain_text(q.get("prompt", "")), q["type"]) for q in quiz.questions}
    for row in _per_question(course, quiz.key):
        if row.question_id in items:
            item = items[row.question_id]
            item.answered, item.graded = row.answered, row.graded
            item.correct_share, item.upper, item.lower = map(
                _share, (row.correct_share, row.upper, row.lower)
            )
    picks = {(row.question_id, row.choice_id): row.picks for row in _per_choice(course, quiz.key)}
    for spec in quiz.questions:
        item = items[spec["id"]]
        if spec["type"] not in CHOICE_TYPES:
            continue
        for choice_id, text, is_correct in _choice_texts(spec):
            count = picks.get((spec["id"], choice_id), 0)
            share = count / item.answered if item.answered else None
            item.choices.append(ChoiceShare(choice_id, text, count, share, is_correct))
    return list(items.values())
