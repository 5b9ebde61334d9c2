"""`flask lms progress rebuild` re-derives exactly the tables kept live."""

from sqlalchemy import select, update

from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome
from lms.quizzes import service as quizzes
from lms.quizzes.models import QuizAttempt
from tests.conftest import make_course, make_user


def snapshot():
    session.expire_all()
    enrolments = [
        (
            e.registration,
            e.user_id,
            e.course_id,
            e.enrolled_version,
            e.source,
            e.enrolled_at,
            e.launched_at,
            e.last_activity_at,
            e.last_lesson_key,
            e.time_spent_seconds,
            e.completed_at,
        )
        for e in session.scalars(select(Enrolment).order_by(Enrolment.registration))
    ]
    lessons = [
        (
            p.registration,
            p.lesson_key,
            p.first_viewed_at,
            p.last_viewed_at,
            p.time_spent_seconds,
            p.completed_at,
            p.last_view_id,
            p.last_view_seconds,
        )
        for p in session.scalars(
            select(LessonProgress).order_by(LessonProgress.registration, LessonProgress.lesson_key)
        )
    ]
    outcomes = [
        (
            o.attempt_id,
            o.registration,
            o.quiz_key,
            o.attempt_number,
            o.scaled,
            o.earned,
            o.possible,
            o.is_passed,
            o.completed_at,
        )
        for o in session.scalars(select(QuizOutcome).order_by(QuizOutcome.attempt_id))
    ]
    attempts = session.scalars(select(QuizAttempt.id).order_by(QuizAttempt.id)).all()
    return enrolments, lessons, outcomes, attempts


def test_rebuild_equals_the_live_projection(app, runner):
    course = make_course(modules=2, lessons_per_module=2)
    other = make_course("second", modules=1, lessons_per_module=3)
    learners = [make_user(email=f"l{i}@example.org") for i in range(3)]
    for i, learner in enumerate(learners):
        courses.enrol(learner, course, source="assignment" if i == 0 else "self")
        courses.launch(learner, course)
        for lesson in courses.lessons_in_order(course)[: i + 2]:
            courses.leave_lesson(learner, course, lesson, 60 * (i + 1), view=f"view-{i}", complete=i != 1)
            # The same page view reported again later: only its new seconds count.
            courses.leave_lesson(learner, course, lesson, 60 * (i + 1) + 5, view=f"view-{i}", complete=False)
    take_a_quiz(learners[2])
    courses.enrol(learners[0], other)
    courses.leave_lesson(
        learners[0], other, courses.lessons_in_order(other)[0], 15, complete=False, terminate=True
    )
    session.commit()
    live = snapshot()
    assert len(live[0]) == 5 and len(live[1]) == 11 and len(live[2]) == 1 and len(live[3]) == 1
    assert any(row[10] is not None for row in live[0])  # learner 2 finished the first course

    result = runner.invoke(args=["lms", "progress", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Progress rebuilt from" in result.output
    assert snapshot() == live


def test_rebuild_of_one_registration_touches_no_other(app, runner):
    course = make_course(modules=1, lessons_per_module=2)
    first, second = make_user(email="a@example.org"), make_user(email="b@example.org")
    for learner in (first, second):
        courses.enrol(learner, course)
        courses.leave_lesson(learner, course, courses.lessons_in_order(course)[0], 40, complete=True)
    session.commit()
    live = snapshot()
    mine = courses.enrolment_for(first, course).registration
    theirs = courses.enrolment_for(second, course).registration
    # Damage both enrolments' projection by hand: only the rebuilt one may be repaired.
    session.execute(update(Enrolment).values(time_spent_seconds=0, last_lesson_key=None))
    session.commit()

    result = runner.invoke(args=["lms", "progress", "rebuild", "--registration", mine])
    assert result.exit_code == 0, result.output
    assert f"Progress of enrolment {mine} rebuilt from" in result.output
    session.expire_all()
    assert session.get(Enrolment, mine).time_spent_seconds == 40
    assert session.get(Enrolment, theirs).time_spent_seconds == 0
    assert snapshot()[1] == live[1]


def test_rebuild_of_one_registration_refuses_bad_input(app, runner):
    not_uuid = runner.invoke(args=["lms", "progress", "rebuild", "--registration", "abc"])
    assert not_uuid.exit_code == 1 and "'abc' is not a UUID" in not_uuid.output
    unknown = runner.invoke(
        args=["lms", "progress", "rebuild", "--registration", "0b7e3b4e-5d6c-4f4e-9a55-3b9b1d2c8e11"]
    )
    assert unknown.exit_code == 1 and "No enrolment has the registration" in unknown.output


def take_a_quiz(learner):
    """Read the quiz course's lesson and pass its quiz: the course completes on the outcome."""
    course = make_course("with-quiz", modules=1, lessons_per_module=1, quizzes=True)
    courses.enrol(learner, course)
    courses.leave_lesson(learner, course, courses.lessons_in_order(course)[0], 30, complete=True)
    ctx = quizzes.find_quiz(course, "m1-quiz")
    attempt = quizzes.start(learner, ctx)
    right = {"q.q1": ["b"], "q.q2": ["false"], "q.q3": ["กรุงเทพมหานคร"]}
    quizzes.submit(learner, ctx, attempt, right, attempt.revision)
