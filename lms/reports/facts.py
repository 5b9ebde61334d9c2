"""The facts every report reads: one row per person and course that is assigned or enrolled.

A pair (person, course) is in the facts when the person has a required course
(``lms_required_courses``, filled by assignments) or an enrolment (the projection of the
'registered' statement), and the person is in :func:`lms.reports.scope.people`. The status
columns are defined here once; counts, drill-downs, transcripts and exports all read them.

With a period [start, end) (a date range or a fiscal year) the facts describe the pairs as
they stood at the end of the period: a pair counts if it was assigned or enrolled before the
end and not completed before the start, and a course completed after the end counts as in
progress. Without a period, the end is "now".

Statuses (each a 0/1 column, so a report sums them):

- ``assigned``: a required course (assigned before the end).
- ``enrolled``: an enrolment (enrolled before the end).
- ``completed``: the course's completion rule was met (``completed_at``) in the period.
- ``passed``: completed, with every quiz passed. Where the course's completion rule requires
  its quizzes (``quizzes: pass``) the course cannot be completed without passing them, so
  passed equals completed; a course without quizzes is passed by completing it; where the
  quizzes are optional (``quizzes: none``), passed counts the completions with at least one
  passing attempt at every quiz of the current version.
- ``not_started``: enrolled, not completed, and no lesson opened and no quiz taken (opening
  the course page alone does not count).
- ``in_progress``: enrolled, not completed, and a lesson opened or a quiz taken.
- ``overdue``: assigned, not completed, and the due date is over: before today (Bangkok),
  and with a period, on or before its last day.

Per pair: ``score`` is the mean scaled score of every graded quiz attempt, in percent (a
learner who failed and then passed brings both attempts); a report's average score is the
mean over all the attempts of its pairs. ``days`` is (completed_at - enrolled_at) in days,
for completed pairs. (One person's transcript scores each quiz by its counted attempt instead:
:func:`counted_scores`.)
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    Float,
    Select,
    Subquery,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from lms.accounts.models import User
from lms.assignments.models import RequiredCourse
from lms.content.models import CourseVersion, Module
from lms.content.quizzes import load_quiz
from lms.extensions import session
from lms.progress.models import Enrolment, QuizOutcome
from lms.reports.filters import ReportFilters
from lms.reports.fiscal import bangkok_date
from lms.reports.scope import is_narrowed, people
from lms.reports.tuning import tune

COUNTED = ("assigned", "enrolled", "not_started", "in_progress", "completed", "passed", "overdue")
#: Drill-down order of statuses: what needs attention first.
STATUS_RANK = {"overdue": 0, "assigned": 1, "not_started": 2, "in_progress": 3, "completed": 4, "passed": 5}


class days_between(FunctionElement):
    """(end - start) in days, as a float, on PostgreSQL and SQLite."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


def latest_versions() -> Subquery:
    """(course_id, number): each course's current version, the newest imported."""
    return (
        select(CourseVersion.course_id, func.max(CourseVersion.number).label("number"))
        .group_by(CourseVersion.course_id)
        .subquery("latest_versions")
    )


def current_versions() -> Select:
    """The current version of each course (id, course_id, titles, hours, completion rule), as a
    select to join on course_id."""
    latest = latest_versions()
    return select(
        CourseVersion.id,
        CourseVersion.course_id,
        CourseVersion.number,
        CourseVersion.title_th,
        CourseVersion.title_en,
        CourseVersion.hours,
        CourseVersion.completion_rule,
    ).join(
        latest, and_(latest.c.course_id == CourseVersion.course_id, latest.c.number == CourseVersion.number)
    )


def optional_quizzes() -> dict[int, int]:
    """course id -> number of module quizzes, for the courses whose current version has quizzes
    that its completion rule does not require (``quizzes: none``). Read from the course
    versions (a few rows); only these need the learners' quiz passes to tell "passed"."""
    current = current_versions().subquery("current")
    quizzes = select(func.count(Module.quiz_key)).where(Module.version_id == current.c.id).scalar_subquery()
    rules = session.execute(select(current.c.course_id, current.c.completion_rule, quizzes.label("quizzes")))
    return {
        row.course_id: row.quizzes
        for row in rules
        if row.quizzes and (row.completion_rule or {}).get("quizzes", "none") != "pass"
    }


def _enrolment_slice(
    stmt: Select, course_id: int | None, user_id: int | None, within: Select | None = None
) -> Select:
    if course_id is None and user_id is None and within is None:
        return stmt
    stmt = stmt.join(Enrolment, Enrolment.registration == QuizOutcome.registration)
    if course_id is not None:
        stmt = stmt.where(Enrolment.course_id == course_id)
    if user_id is not None:
        stmt = stmt.where(Enrolment.user_id == user_id)
    if within is not None:
        chosen = within.subquery("chosen")
        stmt = stmt.where(Enrolment.user_id.in_(select(chosen.c.user_id)))
    return stmt


def scores(
    course_id: int | None = None, user_id: int | None = None, *, within: Select | None = None
) -> Subquery:
    """(registration, score_sum, attempts) per enrolment with a graded quiz attempt; the sum is
    in percent points. One hash aggregate over the outcomes (of ``within``'s people only)."""
    stmt = select(
        QuizOutcome.registration,
        func.sum(QuizOutcome.scaled * 100).label("score_sum"),
        func.count().label("attempts"),
    )
    stmt = _enrolment_slice(stmt, course_id, user_id, within)
    return stmt.group_by(QuizOutcome.registration).subquery("scores")


def last_attempt_quizzes(user_id: int) -> set[tuple[int, str]]:
    """The (course id, quiz key) of the quizzes this person took whose rule counts the **last**
    attempt (``attempt_counts: last``); every other quiz counts its best.

    The rule lives in the package files, not in a table, so it is read here, in Python, for
    the few quizzes the person has attempts at (one small query for those pairs, two for the
    versions of their courses with their modules, and each version's quiz file once:
    ``load_quiz`` keeps them by content hash). A quiz's rule is that of the course's newest
    version that has the quiz (the current version, as the completion rule reads it, when it
    still has it). Quiz keys are only unique within a course, hence the course id.
    """
    E, Q = Enrolment, QuizOutcome
    taken = {
        (course_id, key)
        for course_id, key in session.execute(
            select(E.course_id, Q.quiz_key)
            .join(Q, Q.registration == E.registration)
            .where(E.user_id == user_id)
            .distinct()
        )
    }
    if not taken:
        return set()
    versions = session.scalars(
        select(CourseVersion)
        .where(CourseVersion.course_id.in_(sorted({course_id for course_id, _key in taken})))
        .options(selectinload(CourseVersion.modules))
        .order_by(CourseVersion.course_id, CourseVersion.number.desc())
    )
    rules: dict[tuple[int, str], str] = {}
    for version in versions:
        for module in version.modules:
            pair = (version.course_id, module.quiz_key)
            if module.quiz_key and pair in taken and pair not in rules:
                quiz = load_quiz(version, module.quiz_key)
                if quiz is not None:
                    rules[pair] = quiz.attempt_counts
    return {pair for pair, rule in rules.items() if rule == "last"}


def counted_scores(user_id: int, last: Iterable[tuple[int, str]] = ()) -> Subquery:
    """(registration, score_sum, quizzes) per enrolment of one person: the sum, in percent
    points, of the **counted attempt** of each quiz taken, and how many quizzes that is; so
    ``score_sum / quizzes`` is the mean over the quizzes, each quiz once.

    The counted attempt is the one :func:`lms.progress.completion.counted_outcome` picks: for
    the quizzes in ``last`` (pairs of course id and quiz key, from
    :func:`last_attempt_quizzes`) the highest ``attempt_number``; for every other quiz the
    best: passed before failed, then the higher score, then the earlier attempt. That is one
    ``ROW_NUMBER()`` per (registration, quiz) ordered first by the attempt number where the
    rule is "last" (a constant elsewhere), then by the best-attempt keys; rank 1 is counted.
    (A GROUP BY with ``max(scaled)`` for "best" would be shorter but not the same attempt when
    a failed attempt scored higher than a passed one, as after a change of pass mark.)
    The rule is passed in as that small set because it lives in the package files; the
    attempts are never loaded into Python. Used for one person (a transcript), whose
    outcomes the enrolment's user id narrows to a handful of rows.
    """
    E, Q = Enrolment, QuizOutcome
    pairs = sorted(set(last))
    order = []
    if pairs:
        is_last = or_(*(and_(E.course_id == c, Q.quiz_key == k) for c, k in pairs))
        order.append(case((is_last, Q.attempt_number), else_=0).desc())
    order += [Q.is_passed.desc(), Q.scaled.desc(), Q.attempt_number.asc()]
    ranked = (
        select(
            Q.registration,
            Q.scaled,
            func.row_number().over(partition_by=(Q.registration, Q.quiz_key), order_by=order).label("rank"),
        )
        .join(E, E.registration == Q.registration)
        .where(E.user_id == user_id)
        .subquery("ranked_attempts")
    )
    return (
        select(
            ranked.c.registration,
            func.sum(ranked.c.scaled * 100).label("score_sum"),
            func.count().label("quizzes"),
        )
        .where(ranked.c.rank == 1)
        .group_by(ranked.c.registration)
        .subquery("counted_scores")
    )


def quiz_passes(course_ids: list[int], user_id: int | None = None) -> Subquery:
    """(registration, quizzes_passed): how many distinct quizzes each enrolment in these courses
    has passed at least once."""
    stmt = (
        select(QuizOutcome.registration, func.count(distinct(QuizOutcome.quiz_key)).label("quizzes_passed"))
        .join(Enrolment, Enrolment.registration == QuizOutcome.registration)
        .where(QuizOutcome.is_passed.is_(True), Enrolment.course_id.in_(course_ids))
    )
    if user_id is not None:
        stmt = stmt.where(Enrolment.user_id == user_id)
    return stmt.group_by(QuizOutcome.registration).subquery("quiz_passes")


def pairs(
    course_id: int | None = None, user_id: int | None = None, *, within: Select | None = None
) -> Subquery:
    """Every (person, course) with an enrolment or a required course, once each, with the
    enrolment's quiz results. ``within`` (a select of people) limits the rows read to those
    people's, for a narrow scope.

    PostgreSQL gets one hash FULL JOIN of enrolments and required courses; other databases
    (SQLite before 3.39 has no FULL JOIN) the enrolments with their required course, UNION ALL
    the required courses nobody enrolled in. The rows are the same; the tests run both.
    """
    E, R = Enrolment, RequiredCourse
    score = scores(course_id, user_id, within=within)
    e_where, r_where = [], []
    if course_id is not None:
        e_where.append(E.course_id == course_id)
        r_where.append(R.course_id == course_id)
    if user_id is not None:
        e_where.append(E.user_id == user_id)
        r_where.append(R.user_id == user_id)
    if within is not None:
        chosen = within.subquery("chosen_people")
        e_where.append(E.user_id.in_(select(chosen.c.user_id)))
        r_where.append(R.user_id.in_(select(chosen.c.user_id)))
    if session.get_bind().dialect.name == "postgresql":
        return _full_join(score, e_where, r_where)
    return _union(score, e_where, r_where)


def _full_join(score: Subquery, e_where: list, r_where: list) -> Subquery:
    E, R = Enrolment, RequiredCourse
    e = select(E).where(*e_where).subquery("e")
    r = select(R).where(*r_where).subquery("r")
    return (
        select(
            func.coalesce(e.c.user_id, r.c.user_id).label("user_id"),
            func.coalesce(e.c.course_id, r.c.course_id).label("course_id"),
            e.c.registration,
            e.c.enrolled_version,
            e.c.enrolled_at,
            e.c.completed_at,
            func.coalesce(e.c.time_spent_seconds, 0).label("seconds"),
            case((e.c.last_lesson_key.is_not(None), 1), else_=0).label("viewed"),
            r.c.due_on,
            r.c.assigned_at,
            score.c.score_sum,
            func.coalesce(score.c.attempts, 0).label("attempts"),
        )
        .select_from(e)
        .join(r, and_(r.c.user_id == e.c.user_id, r.c.course_id == e.c.course_id), full=True)
        .outerjoin(score, score.c.registration == e.c.registration)
        .subquery("pairs")
    )


def _union(score: Subquery, e_where: list, r_where: list) -> Subquery:
    E, R = Enrolment, RequiredCourse
    enrolled = (
        select(
            E.user_id,
            E.course_id,
            E.registration,
            E.enrolled_version,
            E.enrolled_at,
            E.completed_at,
            E.time_spent_seconds.label("seconds"),
            case((E.last_lesson_key.is_not(None), 1), else_=0).label("viewed"),
            R.due_on,
            R.assigned_at,
            score.c.score_sum,
            func.coalesce(score.c.attempts, 0).label("attempts"),
        )
        .outerjoin(R, and_(R.user_id == E.user_id, R.course_id == E.course_id))
        .outerjoin(score, score.c.registration == E.registration)
        .where(*e_where)
    )
    assigned_only = select(
        R.user_id,
        R.course_id,
        null(),
        null(),
        null(),
        null(),
        literal(0),
        literal(0),
        R.due_on,
        R.assigned_at,
        null(),
        literal(0),
    ).where(~exists().where(E.user_id == R.user_id, E.course_id == R.course_id), *r_where)
    return union_all(enrolled, assigned_only).subquery("pairs")


def _flag(condition) -> case:
    return case((condition, 1), else_=0)


def facts(
    actor: User, filters: ReportFilters, *, user_id: int | None = None, status: str = "learners"
) -> Subquery:
    """The facts subquery (see the module docstring), limited to what ``actor`` may see, and
    to the pairs with ``status`` (one of :data:`~lms.reports.filters.STATUSES`; the condition
    is given to the database as it is, not as a test on a computed column, so that it
    estimates the rows right).

    Also applies the report settings to this transaction on PostgreSQL (:mod:`.tuning`).
    """
    tune()
    start, end = filters.period
    who_select = people(actor, filters, user_id=user_id)
    narrowed = user_id is not None or is_narrowed(actor, filters)
    p = pairs(filters.course_id, user_id, within=who_select if narrowed else None)
    who = who_select.subquery("people")

    def before_end(column):
        return column.is_not(None) if end is None else and_(column.is_not(None), column < end)

    assigned, enrolled, completed = (
        before_end(p.c.assigned_at),
        before_end(p.c.enrolled_at),
        before_end(p.c.completed_at),
    )
    optional = optional_quizzes()
    if filters.course_id is not None:
        optional = {k: v for k, v in optional.items() if k == filters.course_id}
    passes = quiz_passes(sorted(optional), user_id) if optional else None
    passed = completed
    if passes is not None:
        needed = case(*((p.c.course_id == k, v) for k, v in optional.items()), else_=0)
        passed = and_(completed, func.coalesce(passes.c.quizzes_passed, 0) >= needed)
    started = or_(p.c.viewed == 1, p.c.attempts > 0, p.c.completed_at.is_not(None))
    not_started = and_(enrolled, ~completed, ~started)
    in_progress = and_(enrolled, ~completed, started)
    cutoff = filters.today if end is None else min(filters.today, bangkok_date(end))
    overdue = and_(assigned, ~completed, p.c.due_on < cutoff)
    status_label = case(
        (passed, "passed"),
        (completed, "completed"),
        (overdue, "overdue"),
        (in_progress, "in_progress"),
        (not_started, "not_started"),
        else_="assigned",
    )
    status_rank = case(
        (passed, STATUS_RANK["passed"]),
        (completed, STATUS_RANK["completed"]),
        (overdue, STATUS_RANK["overdue"]),
        (in_progress, STATUS_RANK["in_progress"]),
        (not_started, STATUS_RANK["not_started"]),
        else_=STATUS_RANK["assigned"],
    )
    in_period = or_(assigned, enrolled)
    if start is not None:
        in_period = and_(in_period, or_(p.c.completed_at.is_(None), p.c.completed_at >= start))
    conditions = {
        "learners": true(),
        "assigned": assigned,
        "enrolled": enrolled,
        "not_started": not_started,
        "in_progress": in_progress,
        "completed": completed,
        "passed": passed,
        "overdue": overdue,
    }
    stmt = (
        select(
            p.c.user_id,
            p.c.course_id,
            p.c.registration,
            p.c.enrolled_version,
            who.c.first_name_th,
            who.c.last_name_th,
            who.c.staff_group,
            who.c.unit_id,
            who.c.province_id,
            who.c.region,
            p.c.enrolled_at,
            p.c.completed_at,
            p.c.due_on,
            p.c.seconds,
            case((p.c.attempts > 0, p.c.score_sum / p.c.attempts), else_=null()).label("score"),
            p.c.score_sum,
            p.c.attempts,
            case((completed, days_between(p.c.enrolled_at, p.c.completed_at)), else_=null()).label("days"),
            _flag(assigned).label("assigned"),
            _flag(enrolled).label("enrolled"),
            _flag(not_started).label("not_started"),
            _flag(in_progress).label("in_progress"),
            _flag(completed).label("completed"),
            _flag(passed).label("passed"),
            _flag(overdue).label("overdue"),
            status_label.label("status"),
            status_rank.label("status_rank"),
        )
        .select_from(p)
        .join(who, who.c.user_id == p.c.user_id)
        .where(in_period, conditions[status])
    )
    if passes is not None:
        stmt = stmt.outerjoin(passes, passes.c.registration == p.c.registration)
    return stmt.subquery("facts")


def sums(f: Subquery) -> list:
    """The additive aggregates of a group of facts; :class:`~lms.reports.service.Counts` reads them."""
    return [
        func.count().label("learners"),
        *(func.sum(f.c[name]).label(name) for name in COUNTED),
        func.sum(f.c.score_sum).label("score_sum"),
        func.sum(f.c.attempts).label("scored"),
        func.sum(f.c.days).label("days_sum"),
        func.count(f.c.days).label("timed"),
    ]
