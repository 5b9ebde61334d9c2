"""The completion rules: what a course requires, where an enrolment stands, and when a lesson,
a module and the course count as completed.

A course requires its lessons (all, or the required ones, as its rule says) and, when its rule
is ``quizzes: pass``, every module quiz passed under that quiz's own rule (best or last
attempt). Progress counts every required item, so 100% means complete. A lesson completes
only after the learner has spent a share of its estimated minutes on it, measured on the
server (``LMS_MIN_LESSON_TIME_RATIO``, or the package's ``completion.min_time_ratio``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from lms.content.models import Course, CourseVersion, Lesson, Module
from lms.content.quizzes import QuizDefinition, load_quiz
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome


@dataclass(frozen=True)
class Item:
    """One thing a course requires: a lesson or a module's quiz."""

    kind: str  # "lesson" or "quiz"
    key: str
    module: Module


@dataclass
class Progress:
    """Where one enrolment stands against the course's current version."""

    done: set[str] = field(default_factory=set)
    passed_quizzes: set[str] = field(default_factory=set)
    items: list[Item] = field(default_factory=list)

    def is_done(self, item: Item) -> bool:
        return item.key in (self.done if item.kind == "lesson" else self.passed_quizzes)

    @property
    def required(self) -> list[str]:
        return [item.key for item in self.items if item.kind == "lesson"]

    @property
    def remaining(self) -> list[Item]:
        return [item for item in self.items if not self.is_done(item)]

    @property
    def all_done(self) -> bool:
        return not self.remaining

    @property
    def percent(self) -> int:
        """Required items done, in whole percent; 100 only when every item is done."""
        if not self.items:
            return 0
        done = len(self.items) - len(self.remaining)
        return _percent(done, len(self.items))

    def module_done(self, key: str) -> bool:
        return all(self.is_done(item) for item in self.items if item.module.key == key)

    def module_percent(self, key: str) -> int:
        items = [item for item in self.items if item.module.key == key]
        if not items:
            return 0
        done = sum(self.is_done(item) for item in items)
        return _percent(done, len(items))


def _percent(done: int, total: int) -> int:
    """Rounded, but never 100 before the last item: 100% means complete."""
    return 100 if done == total else min(round(100 * done / total), 99)


def requires_quizzes(version: CourseVersion) -> bool:
    return version.completion_rule.get("quizzes", "none") == "pass"


def required_items(version: CourseVersion) -> list[Item]:
    """The lessons the rule requires and, when it asks for them, each module's quiz, in order."""
    rule = version.completion_rule.get("lessons", "required")
    items: list[Item] = []
    for module in version.modules:
        items += [
            Item("lesson", lesson.key, module)
            for lesson in module.lessons
            if rule == "all" or (rule == "required" and lesson.is_required)
        ]
        if module.quiz_key and requires_quizzes(version):
            items.append(Item("quiz", module.quiz_key, module))
    return items


def counts_as_passed(quiz: QuizDefinition, outcomes: list[QuizOutcome]) -> bool:
    """Whether the quiz is passed under its rule: the best attempt, or the last one."""
    counted = counted_outcome(quiz, outcomes)
    return counted is not None and counted.is_passed


def counted_outcome(quiz: QuizDefinition, outcomes: list[QuizOutcome]) -> QuizOutcome | None:
    """The attempt that counts: the last one, or the best (passed first, then the higher score)."""
    if not outcomes:
        return None
    if quiz.attempt_counts == "last":
        return max(outcomes, key=lambda o: o.attempt_number)
    return max(outcomes, key=lambda o: (o.is_passed, o.scaled, -o.attempt_number))


def progress(course: Course, enrolment: Enrolment | None) -> Progress:
    """The progress of one enrolment (none: nothing done) against the course's current version."""
    registrations = [enrolment.registration] if enrolment is not None else []
    return progress_of(course, enrolment, *_facts(registrations))


def progress_many(enrolments: list[Enrolment]) -> dict[str, Progress]:
    """The progress of many enrolments, in two queries (by registration)."""
    lessons, outcomes = _facts([e.registration for e in enrolments])
    return {e.registration: progress_of(e.course, e, lessons, outcomes) for e in enrolments}


def progress_of(
    course: Course,
    enrolment: Enrolment | None,
    lessons: dict[str, set[str]],
    outcomes: dict[str, list[QuizOutcome]],
) -> Progress:
    version = course.current_version
    result = Progress(items=required_items(version))
    if enrolment is None:
        return result
    result.done = lessons.get(enrolment.registration, set())
    mine = outcomes.get(enrolment.registration, [])
    for module in version.modules:
        quiz = load_quiz(version, module.quiz_key) if module.quiz_key else None
        if quiz is not None and counts_as_passed(quiz, [o for o in mine if o.quiz_key == quiz.key]):
            result.passed_quizzes.add(quiz.key)
    return result


def _facts(registrations: list[str]) -> tuple[dict[str, set[str]], dict[str, list[QuizOutcome]]]:
    return completed_lessons(registrations), quiz_outcomes(registrations)


def completed_lessons(registrations: Iterable[str]) -> dict[str, set[str]]:
    """The completed lesson ids of each registration, in one query."""
    done: dict[str, set[str]] = {registration: set() for registration in registrations}
    if done:
        rows = session.execute(
            select(LessonProgress.registration, LessonProgress.lesson_key).where(
                LessonProgress.registration.in_(list(done)), LessonProgress.completed_at.is_not(None)
            )
        )
        for registration, key in rows:
            done[registration].add(key)
    return done


def quiz_outcomes(registrations: Iterable[str]) -> dict[str, list[QuizOutcome]]:
    found: dict[str, list[QuizOutcome]] = {registration: [] for registration in registrations}
    if found:
        rows = session.scalars(select(QuizOutcome).where(QuizOutcome.registration.in_(list(found))))
        for outcome in rows:
            found[outcome.registration].append(outcome)
    return found


def min_time_ratio(version: CourseVersion) -> float:
    """The share of a lesson's estimated minutes a learner must spend on it before it completes."""
    rule = version.completion_rule.get("min_time_ratio")
    return float(current_app.config["LMS_MIN_LESSON_TIME_RATIO"] if rule is None else rule)


def seconds_needed(version: CourseVersion, lesson: Lesson) -> int:
    return math.ceil(min_time_ratio(version) * lesson.minutes * 60)


def seconds_still_needed(version: CourseVersion, lesson: Lesson, spent: int) -> int:
    """How many more seconds on this lesson before it may complete (0: it may now)."""
    return max(seconds_needed(version, lesson) - spent, 0)


def lesson_time(enrolment: Enrolment | None, lesson: Lesson) -> int:
    """Seconds this enrolment has spent on the lesson, as projected."""
    if enrolment is None:
        return 0
    row = session.get(LessonProgress, (enrolment.registration, lesson.key))
    return row.time_spent_seconds if row is not None else 0
