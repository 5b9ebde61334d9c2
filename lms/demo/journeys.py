"""One learner's way through one course, as the xAPI statements the LMS would have recorded.

The statements have the shape the learner pages give them (docs/xapi-profile.md), stamped
with when each step happened. Only the steps that progress and the reports rest on are
emitted: registered, launched, experienced and completed for each lesson, passed or failed
for each quiz attempt, completed for each module and the course. (The pages also record
initialized, progressed, terminated, attempted and answered; the projection does not need
them.)
"""

from __future__ import annotations

import contextlib
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from lms.content import activities
from lms.content.models import Course
from lms.content.quizzes import load_quiz
from lms.courses import service as courses
from lms.demo.people import new_uuid
from lms.progress.projectors import ATTEMPT_EXTENSION, SOURCE_EXTENSION, VERSION_EXTENSION
from lms.quizzes import service as quizzes
from lms.xapi import builder
from lms.xapi.vocabulary import extension

#: How enrolments that are not completed end up: registered only, launched, or part-way.
UNFINISHED = (("enrolled", 0.25), ("launched", 0.2), ("in_progress", 0.55))
#: Failed attempts before the pass (never more than the quiz allows).
FAILED_ATTEMPTS = ((0, 0.72), (1, 0.2), (2, 0.08))
#: Bangkok office hours, 08:30-16:30 (UTC+7), in UTC.
WORKDAY_START = time(1, 30)
WORKDAY_SECONDS = 8 * 3600


@dataclass(frozen=True)
class QuizShape:
    obj: dict[str, Any]
    pass_mark: float
    attempts: int | None
    possible: float

    def earned(self, rng: random.Random, passed: bool) -> float:
        """Points for an attempt that passes (or fails) at this quiz's pass mark."""
        threshold = self.pass_mark / 100 * self.possible
        if passed:
            return min(self.possible, math.ceil(rng.uniform(threshold, self.possible) * 10) / 10)
        earned = math.floor(rng.uniform(0.25 * threshold, threshold) * 10) / 10
        return earned if earned < threshold else max(0.0, earned - 0.1)


@dataclass(frozen=True)
class ModuleShape:
    obj: dict[str, Any]
    lessons: tuple[tuple[dict[str, Any], int], ...]
    quiz: QuizShape | None


@dataclass(frozen=True)
class CourseShape:
    """What the generator needs of a course's current version: its activities, in order."""

    course_id: int
    slug: str
    version: int
    audience: frozenset[str]
    obj: dict[str, Any]
    modules: tuple[ModuleShape, ...]

    @property
    def lesson_count(self) -> int:
        return sum(len(m.lessons) for m in self.modules)


def course_shapes(published: list[Course]) -> list[CourseShape]:
    shapes = []
    for course in sorted(published, key=lambda c: c.slug):
        version = course.current_version
        modules = []
        for module in version.modules:
            lessons = tuple(
                (activities.lesson_activity(course, lesson), lesson.minutes) for lesson in module.lessons
            )
            modules.append(
                ModuleShape(activities.module_activity(course, module), lessons, _quiz(course, module))
            )
        shapes.append(
            CourseShape(
                course.id,
                course.slug,
                version.number,
                frozenset(version.audience),
                activities.course_activity(course),
                tuple(modules),
            )
        )
    return shapes


def _quiz(course: Course, module) -> QuizShape | None:
    definition = load_quiz(course.current_version, module.quiz_key) if module.quiz_key else None
    if definition is None:
        return None
    drawn = definition.questions[: definition.draw or None]
    possible = float(sum(q.get("points", 1) for q in drawn)) or 1.0
    obj = quizzes.quiz_activity(quizzes.QuizContext(course, module, definition))
    return QuizShape(obj, definition.pass_mark, definition.attempts, possible)


def pick_outcome(rng: random.Random, completion_rate: float) -> str:
    if rng.random() < completion_rate:
        return "completed"
    return rng.choices([o for o, _w in UNFINISHED], [w for _o, w in UNFINISHED])[0]


def working_time(rng: random.Random, day: date) -> datetime:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime.combine(day, WORKDAY_START, tzinfo=UTC)
    return start + timedelta(seconds=rng.randint(0, WORKDAY_SECONDS))


def moment_between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    """A working-hours moment on a weekday between ``low`` and ``high`` (``low`` if none)."""
    days = max((high.date() - low.date()).days, 0)
    at = working_time(rng, low.date() + timedelta(days=rng.randint(0, days)))
    return at if low <= at < high else low


class _WindowClosed(Exception):
    """The next step would fall after the end of the seeded period: the journey stops there."""


@dataclass
class Journey:
    """The statements of one enrolment, in time order, up to (not including) ``end``."""

    rng: random.Random
    base_url: str
    learner_uuid: str
    shape: CourseShape
    end: datetime
    statements: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False

    def __post_init__(self) -> None:
        self.registration = new_uuid(self.rng)
        self.at: datetime | None = None

    def run(self, start: datetime, outcome: str, source: str) -> Journey:
        with contextlib.suppress(_WindowClosed):
            self._walk(start, outcome, source)
        return self

    def _walk(self, start: datetime, outcome: str, source: str) -> None:
        rng, shape = self.rng, self.shape
        extensions = {
            extension(self.base_url, VERSION_EXTENSION): shape.version,
            extension(self.base_url, SOURCE_EXTENSION): source,
        }
        self._emit("registered", shape.obj, start, extensions=extensions)
        if outcome == "enrolled":
            return
        self._emit("launched", shape.obj, self._next_step())
        budget = self._lessons_to_complete(outcome)
        done = 0
        for module in shape.modules:
            for lesson, minutes in module.lessons:
                if done == budget:
                    if rng.random() < 0.5:
                        self._glance(module, lesson, minutes)
                    return
                self._lesson(module, lesson, minutes)
                done += 1
            if module.quiz is not None:
                self._quiz(module)
            self._emit(
                "completed",
                module.obj,
                self._soon(),
                parent=shape.obj,
                grouping=shape.obj,
                result={"completion": True},
            )
        self._emit("completed", shape.obj, self._soon(), result={"completion": True})
        self.completed = True

    def _lessons_to_complete(self, outcome: str) -> int:
        lessons = self.shape.lesson_count
        if outcome == "completed":
            return lessons
        if outcome == "launched" or lessons < 2:
            return 0
        return self.rng.randint(1, lessons - 1)

    def _emit(self, verb: str, obj: dict[str, Any], at: datetime, **kwargs) -> None:
        if at >= self.end:
            raise _WindowClosed
        statement = builder.statement(
            self.base_url,
            self.learner_uuid,
            verb,
            obj,
            registration=self.registration,
            timestamp=at,
            **kwargs,
        )
        statement["id"] = new_uuid(self.rng)
        self.statements.append(statement)
        self.at = at

    def _soon(self) -> datetime:
        return self.at + timedelta(seconds=self.rng.randint(1, 5))

    def _next_step(self) -> datetime:
        """Straight on (70 %), in the next few days (28 %) or after a break of weeks (2 %)."""
        roll = self.rng.random()
        if roll < 0.7:
            return self.at + timedelta(seconds=self.rng.randint(5, 300))
        days = self.rng.randint(1, 4) if roll < 0.98 else self.rng.randint(7, 30)
        return working_time(self.rng, self.at.date() + timedelta(days=days))

    def _lesson(self, module: ModuleShape, lesson: dict[str, Any], minutes: int) -> None:
        seconds = min(courses.MAX_LESSON_SECONDS, max(30, int(minutes * 60 * self.rng.uniform(0.6, 1.6))))
        at = self._next_step() + timedelta(seconds=seconds)
        context = {"parent": module.obj, "grouping": self.shape.obj}
        self._emit("experienced", lesson, at, result={"duration": builder.duration(seconds)}, **context)
        self._emit("completed", lesson, self._soon(), result={"completion": True}, **context)

    def _glance(self, module: ModuleShape, lesson: dict[str, Any], minutes: int) -> None:
        """Opened a lesson and left before the end."""
        seconds = max(20, int(minutes * 60 * self.rng.uniform(0.1, 0.5)))
        at = self._next_step() + timedelta(seconds=seconds)
        self._emit(
            "experienced",
            lesson,
            at,
            parent=module.obj,
            grouping=self.shape.obj,
            result={"duration": builder.duration(seconds)},
        )

    def _quiz(self, module: ModuleShape) -> None:
        """Failed attempts (if any), then the pass."""
        quiz, rng = module.quiz, self.rng
        fails = rng.choices([n for n, _w in FAILED_ATTEMPTS], [w for _n, w in FAILED_ATTEMPTS])[0]
        if quiz.attempts is not None:
            fails = min(fails, quiz.attempts - 1)
        for number in range(1, fails + 2):
            passed = number == fails + 1
            seconds = rng.randint(180, 900)
            earned = quiz.earned(rng, passed)
            result = {
                "score": {
                    "scaled": round(earned / quiz.possible, 4),
                    "raw": earned,
                    "min": 0,
                    "max": quiz.possible,
                },
                "success": passed,
                "completion": True,
                "duration": builder.duration(seconds),
            }
            attempt = {extension(self.base_url, ATTEMPT_EXTENSION): {"id": new_uuid(rng), "number": number}}
            self._emit(
                "passed" if passed else "failed",
                quiz.obj,
                self._next_step() + timedelta(seconds=seconds),
                parent=module.obj,
                grouping=self.shape.obj,
                result=result,
                extensions=attempt,
            )
