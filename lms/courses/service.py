"""The learner's journey: catalog, enrolment, the lesson player and progress.

Every step is recorded through ``lms.xapi.service.record``; progress is read back from the
projection. Nothing here writes progress tables directly.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.courses.models import Course, CourseVersion, Enrolment, LearningPath, Lesson, LessonProgress, Module
from lms.extensions import session
from lms.quizzes.definitions import counts_as_passed, load_quiz
from lms.quizzes.models import QuizOutcome
from lms.xapi import builder
from lms.xapi.models import StoredStatement
from lms.xapi.service import record
from lms.xapi.vocabulary import PROGRESS_EXTENSION, VERBS, extension

log = logging.getLogger(__name__)

MAX_LESSON_SECONDS = 4 * 3600


class CourseError(ValueError):
    """A learner's request that cannot be carried out; the message says why."""


@dataclass
class Progress:
    """Where one enrolment stands against the course's current version."""

    done: set[str] = field(default_factory=set)
    required: list[str] = field(default_factory=list)
    modules: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def all_done(self) -> bool:
        return set(self.required) <= self.done

    @property
    def percent(self) -> int:
        if not self.required:
            return 0
        return round(100 * len(self.done & set(self.required)) / len(self.required))

    def module_percent(self, key: str) -> int:
        done, total = self.modules.get(key, (0, 0))
        return round(100 * done / total) if total else 0


def base_url() -> str:
    return current_app.config["LMS_BASE_URL"]


def published_courses():
    return select(Course).where(Course.is_published.is_(True)).options(selectinload(Course.versions))


def catalog(user: User, staff_group: str | None = None, query: str = "") -> list[Course]:
    """Published courses; those meant for the learner's staff group first, then by Thai title."""
    courses = [c for c in session.scalars(published_courses()) if c.current_version]
    if staff_group:
        courses = [c for c in courses if staff_group in c.current_version.audience]
    words = query.strip().lower()
    if words:
        courses = [
            c
            for c in courses
            if words in c.current_version.title_th.lower() or words in c.current_version.title_en.lower()
        ]
    return sorted(
        courses,
        key=lambda c: (user.staff_group not in c.current_version.audience, c.current_version.title_th),
    )


def course_by_slug(slug: str) -> Course | None:
    """The published course with its whole tree (lesson bodies are loaded only when read)."""
    tree = selectinload(Course.versions).selectinload(CourseVersion.modules).selectinload(Module.lessons)
    course = session.scalar(
        select(Course).where(Course.is_published.is_(True), Course.slug == slug).options(tree)
    )
    return course if course and course.current_version else None


def enrolment_for(user: User, course: Course) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def course_activity(course: Course) -> dict[str, Any]:
    version = course.current_version
    return builder.activity(
        builder.course_iri(base_url(), course.slug), "course", version.title_th, version.title_en
    )


def module_activity(course: Course, module: Module) -> dict[str, Any]:
    return builder.activity(
        builder.module_iri(base_url(), course.slug, module.key), "module", module.title_th, module.title_en
    )


def lesson_activity(course: Course, lesson: Lesson) -> dict[str, Any]:
    return builder.activity(
        builder.lesson_iri(base_url(), course.slug, lesson.key), "lesson", lesson.title_th, lesson.title_en
    )


def _record(user: User, enrolment_or_registration, verb: str, obj, **kwargs) -> None:
    registration = getattr(enrolment_or_registration, "registration", enrolment_or_registration)
    record(
        builder.statement(base_url(), user.uuid, verb, obj, registration=registration, **kwargs),
        user_id=user.id,
    )


def enrol(user: User, course: Course, source: str = "self") -> Enrolment:
    """Register the learner (a 'registered' statement); enrolling twice returns the first."""
    existing = enrolment_for(user, course)
    if existing is not None:
        return existing
    registration = str(uuid.uuid4())
    extensions = {
        extension(base_url(), "course-version"): course.current_version.number,
        extension(base_url(), "enrolment-source"): source,
    }
    _record(user, registration, "registered", course_activity(course), extensions=extensions)
    log.info("user %s enrolled in %s (%s)", user.id, course.slug, source)
    return session.get(Enrolment, registration)


def launch(user: User, course: Course) -> Lesson:
    """Open the course ('launched' and 'initialized') and return the lesson to resume at."""
    enrolment = _require_enrolment(user, course)
    _record(user, enrolment, "launched", course_activity(course))
    _record(user, enrolment, "initialized", course_activity(course))
    return resume_lesson(course, enrolment)


def _require_enrolment(user: User, course: Course) -> Enrolment:
    enrolment = enrolment_for(user, course)
    if enrolment is None:
        raise CourseError("Enrol in the course first.")
    return enrolment


def lessons_in_order(course: Course) -> list[Lesson]:
    return course.current_version.lessons


def find_lesson(course: Course, key: str) -> Lesson | None:
    return next((lesson for lesson in lessons_in_order(course) if lesson.key == key), None)


def neighbours(course: Course, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    lessons = lessons_in_order(course)
    index = lessons.index(lesson)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


def progress(course: Course, enrolment: Enrolment | None, done: set[str] | None = None) -> Progress:
    """Completed lessons by package id, counted against the current version's lessons."""
    result = Progress()
    if done is not None:
        result.done = done
    elif enrolment is not None:
        result.done = completed_lessons([enrolment.registration]).get(enrolment.registration, set())
    rule = course.current_version.completion_rule.get("lessons", "required")
    for module in course.current_version.modules:
        keys = [
            lesson.key
            for lesson in module.lessons
            if rule == "all" or (rule == "required" and lesson.is_required)
        ]
        result.required.extend(keys)
        result.modules[module.key] = (len(result.done & set(keys)), len(keys))
    return result


def completed_lessons(registrations: list[str]) -> dict[str, set[str]]:
    """The completed lesson ids of each registration, in one query."""
    done: dict[str, set[str]] = {registration: set() for registration in registrations}
    if registrations:
        rows = session.execute(
            select(LessonProgress.registration, LessonProgress.lesson_key).where(
                LessonProgress.registration.in_(registrations), LessonProgress.completed_at.is_not(None)
            )
        )
        for registration, key in rows:
            done[registration].add(key)
    return done


def resume_lesson(course: Course, enrolment: Enrolment) -> Lesson:
    """The last lesson viewed, or the one after it if it was completed; else the first."""
    lessons = lessons_in_order(course)
    last = find_lesson(course, enrolment.last_lesson_key or "")
    if last is None:
        done = progress(course, enrolment).done
        return next((lesson for lesson in lessons if lesson.key not in done), lessons[0])
    row = session.get(LessonProgress, (enrolment.registration, last.key))
    if row is not None and row.completed_at is not None:
        following = neighbours(course, last)[1]
        return following or last
    return last


def leave_lesson(
    user: User, course: Course, lesson: Lesson, seconds: int, *, complete: bool, terminate: bool = False
) -> Progress:
    """Record the time on a lesson ('experienced'), and its completion with what follows from it."""
    enrolment = _require_enrolment(user, course)
    module = lesson.module
    parent, grouping = module_activity(course, module), course_activity(course)
    seconds = min(max(seconds, 0), MAX_LESSON_SECONDS)
    _record(
        user,
        enrolment,
        "experienced",
        lesson_activity(course, lesson),
        parent=parent,
        grouping=grouping,
        result={"duration": builder.duration(seconds)},
    )
    before = progress(course, enrolment)
    if complete and lesson.key not in before.done:
        _complete_lesson(user, course, enrolment, lesson, before)
    if terminate:
        _record(user, enrolment, "terminated", course_activity(course))
    return progress(course, enrolment)


def _complete_lesson(user, course, enrolment, lesson, before: Progress) -> None:
    module = lesson.module
    parent, grouping = module_activity(course, module), course_activity(course)
    _record(
        user,
        enrolment,
        "completed",
        lesson_activity(course, lesson),
        parent=parent,
        grouping=grouping,
        result={"completion": True},
    )
    after = progress(course, enrolment)
    _record(
        user,
        enrolment,
        "progressed",
        course_activity(course),
        result={"extensions": {PROGRESS_EXTENSION: after.percent}},
    )
    check_completion(user, course, enrolment, module)


def check_completion(user: User, course: Course, enrolment: Enrolment, module: Module) -> None:
    """Record the module's and then the course's completion once their rules are met (once each)."""
    now = progress(course, enrolment)
    done, total = now.modules[module.key]
    module_obj = module_activity(course, module)
    if done == total and _quiz_rule_met(course, [module], enrolment) and not _recorded(enrolment, module_obj):
        _record(
            user,
            enrolment,
            "completed",
            module_obj,
            grouping=course_activity(course),
            result={"completion": True},
        )
    modules = course.current_version.modules
    if now.all_done and enrolment.completed_at is None and _quiz_rule_met(course, modules, enrolment):
        _record(user, enrolment, "completed", course_activity(course), result={"completion": True})


def _recorded(enrolment: Enrolment, obj: dict[str, Any]) -> bool:
    """Whether a 'completed' statement about this activity is already in the learner's ledger."""
    return (
        session.scalar(
            select(StoredStatement.seq)
            .where(
                StoredStatement.registration == enrolment.registration,
                StoredStatement.object_id == obj["id"],
                StoredStatement.verb_id == VERBS["completed"],
                StoredStatement.is_voided.is_(False),
            )
            .limit(1)
        )
        is not None
    )


def _quiz_rule_met(course: Course, modules: list[Module], enrolment: Enrolment) -> bool:
    """Whether every quiz of these modules counts as passed, when the completion rule asks for it."""
    keys = [m.quiz_key for m in modules if m.quiz_key]
    if course.current_version.completion_rule.get("quizzes", "none") != "pass" or not keys:
        return True
    outcomes = session.scalars(
        select(QuizOutcome).where(
            QuizOutcome.registration == enrolment.registration, QuizOutcome.quiz_key.in_(keys)
        )
    ).all()
    for key in keys:
        quiz = load_quiz(course.current_version, key)
        if quiz is None or not counts_as_passed(quiz, [o for o in outcomes if o.quiz_key == key]):
            return False
    return True


def my_enrolments(user: User) -> list[tuple[Enrolment, Course, Progress]]:
    """The learner's enrolments with their progress, in a fixed number of queries."""
    enrolments = session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(
            selectinload(Enrolment.course)
            .selectinload(Course.versions)
            .selectinload(CourseVersion.modules)
            .selectinload(Module.lessons)
        )
        .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
    ).all()
    done = completed_lessons([e.registration for e in enrolments])
    return [
        (e, e.course, progress(e.course, e, done[e.registration]))
        for e in enrolments
        if e.course.current_version
    ]


def learning_paths(user: User) -> list[LearningPath]:
    """Every path, the learner's staff group first."""
    paths = session.scalars(select(LearningPath).order_by(LearningPath.key)).all()
    return sorted(paths, key=lambda p: p.staff_group != user.staff_group)


def courses_by_slug(slugs: list[str]) -> dict[str, Course]:
    if not slugs:
        return {}
    return {c.slug: c for c in session.scalars(published_courses().where(Course.slug.in_(slugs)))}


def my_statements(user: User, limit: int | None = None) -> list[dict[str, Any]]:
    """The learner's own learning record, newest first."""
    stmt = (
        select(StoredStatement.raw)
        .where(StoredStatement.user_id == user.id)
        .order_by(StoredStatement.seq.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return [json.loads(raw) for raw in session.scalars(stmt)]
