"""The learner's journey: catalog, enrolment and the lesson player.

Every step is recorded through ``lms.xapi.service.record``; where the learner stands is read
back from the progress area (``lms.progress``). Nothing here writes progress tables.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.content.activities import base_url, course_activity, lesson_activity, module_activity
from lms.content.models import Course, CourseVersion, LearningPath, Lesson, Module
from lms.core.conflicts import ConcurrentWrite
from lms.extensions import session
from lms.progress import completion
from lms.progress.completion import Progress
from lms.progress.models import Enrolment, LessonProgress
from lms.progress.projectors import SOURCE_EXTENSION, VERSION_EXTENSION, VIEW_EXTENSION
from lms.progress.service import check_completion, enrolment_for, record_for
from lms.xapi import builder
from lms.xapi.vocabulary import PROGRESS_EXTENSION, extension

log = logging.getLogger(__name__)

MAX_LESSON_SECONDS = 4 * 3600


class CourseError(ValueError):
    """A learner's request that cannot be carried out; the message says why."""


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


def _record(user: User, enrolment: Enrolment | str, verb: str, obj: dict[str, Any], **kwargs) -> None:
    registration = enrolment if isinstance(enrolment, str) else enrolment.registration
    record_for(user, registration, verb, obj, **kwargs)


def enrol(user: User, course: Course, source: str = "self") -> Enrolment:
    """Register the learner (a 'registered' statement); enrolling twice returns the first."""
    existing = enrolment_for(user, course)
    if existing is not None:
        return existing
    registration = str(uuid.uuid4())
    extensions = {
        extension(base_url(), VERSION_EXTENSION): course.current_version.number,
        extension(base_url(), SOURCE_EXTENSION): source,
    }
    _record(user, registration, "registered", course_activity(course), extensions=extensions)
    enrolment = session.get(Enrolment, registration)
    if enrolment is None:
        # The projection found the learner enrolled by a concurrent request (a double submit)
        # after we looked: roll back this second 'registered' statement and look again.
        raise ConcurrentWrite(f"user {user.id} was enrolled in {course.slug} by a concurrent request")
    log.info("user %s enrolled in %s (%s)", user.id, course.slug, source)
    return enrolment


def enrol_and_launch(user: User, course: Course) -> Lesson:
    """Enrol (or find the enrolment) and open the course: the lesson to start at."""
    enrol(user, course)
    return launch(user, course)


def launch(user: User, course: Course) -> Lesson:
    """Open the course ('launched' and 'initialized') and return the lesson to resume at."""
    enrolment = _require_enrolment(user, course)
    _record(user, enrolment, "launched", course_activity(course))
    _record(user, enrolment, "initialized", course_activity(course))
    return resume_lesson(course, enrolment)


def _require_enrolment(user: User, course: Course, *, for_update: bool = False) -> Enrolment:
    enrolment = enrolment_for(user, course, for_update=for_update)
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


def progress(course: Course, enrolment: Enrolment | None) -> Progress:
    return completion.progress(course, enrolment)


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


@dataclass(frozen=True)
class LessonTime:
    """The learner's time on a lesson, and what the completion rule still asks for."""

    spent: int
    still_needed: int

    @property
    def minutes_still_needed(self) -> int:
        return -(-self.still_needed // 60)


def lesson_time(course: Course, enrolment: Enrolment | None, lesson: Lesson) -> LessonTime:
    spent = completion.lesson_time(enrolment, lesson)
    return LessonTime(spent, completion.seconds_still_needed(course.current_version, lesson, spent))


@dataclass(frozen=True)
class Left:
    """What leaving a lesson did: the progress after it, and whether the lesson completed."""

    progress: Progress
    completed: bool
    time: LessonTime


def leave_lesson(
    user: User,
    course: Course,
    lesson: Lesson,
    elapsed: int,
    *,
    view: str | None = None,
    complete: bool,
    terminate: bool = False,
) -> Left:
    """Record the time on a lesson ('experienced'), and its completion once the rule allows it.

    ``elapsed`` is the seconds since the page ``view`` was served (measured on the server). A
    view reported again (the learner came back to the tab and left again) adds only the
    seconds not counted yet. The lesson completes when asked to and the learner has spent the
    share of its minutes the completion rule asks for.
    """
    enrolment = _require_enrolment(user, course, for_update=True)
    seconds = min(max(elapsed - _counted(enrolment, lesson, view), 0), MAX_LESSON_SECONDS)
    extensions = {extension(base_url(), VIEW_EXTENSION): view} if view else None
    _record(
        user,
        enrolment,
        "experienced",
        lesson_activity(course, lesson),
        parent=module_activity(course, lesson.module),
        grouping=course_activity(course),
        result={"duration": builder.duration(seconds)},
        extensions=extensions,
    )
    time = lesson_time(course, enrolment, lesson)
    before = progress(course, enrolment)
    completed = lesson.key in before.done
    if complete and not completed and time.still_needed == 0:
        _complete_lesson(user, course, enrolment, lesson)
        completed = True
    if terminate:
        _record(user, enrolment, "terminated", course_activity(course))
    return Left(progress(course, enrolment), completed, time)


def _counted(enrolment: Enrolment, lesson: Lesson, view: str | None) -> int:
    row = session.get(LessonProgress, (enrolment.registration, lesson.key))
    if view is None or row is None or row.last_view_id != view:
        return 0
    return row.last_view_seconds or 0


def _complete_lesson(user: User, course: Course, enrolment: Enrolment, lesson: Lesson) -> None:
    module = lesson.module
    course_obj = course_activity(course)
    _record(
        user,
        enrolment,
        "completed",
        lesson_activity(course, lesson),
        parent=module_activity(course, module),
        grouping=course_obj,
        result={"completion": True},
    )
    after = progress(course, enrolment)
    _record(
        user, enrolment, "progressed", course_obj, result={"extensions": {PROGRESS_EXTENSION: after.percent}}
    )
    check_completion(user, course, enrolment, module)


def learning_paths(user: User) -> list[LearningPath]:
    """Every path, the learner's staff group first."""
    paths = session.scalars(select(LearningPath).order_by(LearningPath.key)).all()
    return sorted(paths, key=lambda p: p.staff_group != user.staff_group)


def courses_by_slug(slugs: list[str]) -> dict[str, Course]:
    if not slugs:
        return {}
    return {c.slug: c for c in session.scalars(published_courses().where(Course.slug.in_(slugs)))}
