"""``flask lms demo seed``: a simulated ministry with N learners and what they learnt.

The organisation, the people and the HR assignments are inserted directly, in bulk. Everything
the learners did is recorded as xAPI statements through ``lms.xapi.service.record_many``
(the batch form of ``record``), so enrolments, lesson progress, quiz outcomes, completions
and certificates come from the projection exactly as for a real learner, and
``flask lms progress rebuild`` re-derives them. See docs/demo-data.md and
docs/decisions/0015-demo-seed-through-xapi.md.

The seeder runs in steps (``prepare``, each of ``chunks``, ``finish``) so that the caller
commits between them, as services never commit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, StaffGroup, User, UserRole
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.demo import assignments, organisation
from lms.demo.journeys import CourseShape, Journey, course_shapes, moment_between, pick_outcome
from lms.demo.people import EMAIL_DOMAIN, Person, learner_random, make_person
from lms.extensions import session
from lms.quizzes import service as quizzes
from lms.xapi.models import StoredStatement
from lms.xapi.relay import outbox as relay_outbox
from lms.xapi.relay import targets as relay_targets
from lms.xapi.service import record_many

log = logging.getLogger(__name__)

MAX_LEARNERS = 1_000_000
MAX_WORKERS = 16
DEFAULT_SEED = 2569
DEFAULT_COMPLETION_RATE = 0.5
#: Learners generated and committed together.
CHUNK = 200
#: About 18 months of history: two Thai fiscal years (October to September) are covered.
HISTORY_DAYS = 548
#: Chance that a learner no assignment covers enrols in a course: when it is meant for their
#: staff group, when it is not and they are general staff, and otherwise (illustrative).
ENROL_CHANCE = {"audience": 0.7, "general": 0.12, "other": 0.05}
#: Of the learners an assignment covers, those who had enrolled on their own before it. The
#: others are enrolled by the assignment: its enrolment job runs minutes after it is made.
ENROLLED_BEFORE_ASSIGNMENT = 0.1


class SeedError(ValueError):
    """Options or a database the seeder cannot work with; the message says what to do."""


@dataclass(frozen=True)
class SeedOptions:
    learners: int
    seed: int = DEFAULT_SEED
    completion_rate: float = DEFAULT_COMPLETION_RATE
    as_of: date | None = None
    append: bool = False
    workers: int = 1


@dataclass
class SeedSummary:
    learners: int = 0
    first_index: int = 0
    units_created: int = 0
    enrolments: int = 0
    completions: int = 0
    statements: int = 0
    certificates: int = 0
    assignments: int = 0
    required_courses: int = 0
    seconds: float = 0.0
    not_relayed: bool = False

    def lines(self) -> list[str]:
        rate = self.statements / self.seconds if self.seconds else 0
        last = self.first_index + self.learners - 1
        lines = [
            f"Org units created:  {self.units_created:,}",
            f"Learners:           {self.learners:,} (numbers {self.first_index:,} to {last:,},"
            f" emails *@{EMAIL_DOMAIN})",
            f"Enrolments:         {self.enrolments:,}, of which completed {self.completions:,}",
            f"Statements:         {self.statements:,} ({rate:,.0f} per second)",
            f"Certificates:       {self.certificates:,}",
            f"Assignments:        {self.assignments:,}, required courses added {self.required_courses:,}",
            f"Elapsed:            {self.seconds:,.1f} s",
        ]
        if self.not_relayed:
            lines.append(
                "Not queued for the external LRSs (flask lms xapi relay backfill TARGET queues them)."
            )
        return lines


def check(options: SeedOptions, today: date) -> None:
    if not 1 <= options.learners <= MAX_LEARNERS:
        raise SeedError(f"--learners must be between 1 and {MAX_LEARNERS:,}; got {options.learners}.")
    if not 0 <= options.completion_rate <= 1:
        raise SeedError(f"--completion-rate must be between 0 and 1; got {options.completion_rate}.")
    if not 1 <= options.workers <= MAX_WORKERS:
        raise SeedError(f"--workers must be between 1 and {MAX_WORKERS}; got {options.workers}.")
    if options.as_of is not None and options.as_of > today:
        raise SeedError(
            f"--as-of {options.as_of.isoformat()} is in the future; today is {today.isoformat()}."
        )


class Seeder:
    """Generates the learners of one run; ``prepare`` writes nothing if it raises."""

    def __init__(self, options: SeedOptions, today: date | None = None) -> None:
        today = today or datetime.now(UTC).date()
        check(options, today)
        self.options = options
        as_of = options.as_of or today
        self.end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
        self.start = self.end - timedelta(days=HISTORY_DAYS)
        self.summary = SeedSummary(learners=options.learners)
        self.base_url = current_app.config["LMS_BASE_URL"]

    def prepare(self) -> None:
        """Check the database, then create the ministry and the assignments where missing."""
        self.began = time.perf_counter()
        published = [c for c in session.scalars(courses.published_courses()) if c.current_version]
        if not published:
            raise SeedError("No published course: import some first (flask lms content import content).")
        if len(organisation.provinces()) != organisation.PROVINCE_COUNT:
            raise SeedError("The 77 provinces are missing: run 'flask lms db upgrade' first.")
        if relay_targets.for_queueing():
            # The fictional learning is not queued for the external LRSs; a backfill can queue it.
            relay_outbox.hold()
            self.summary.not_relayed = True
        if self.options.workers > 1 and session.get_bind().dialect.name != "postgresql":
            raise SeedError("--workers above 1 needs PostgreSQL: SQLite takes one writer at a time.")
        if organisation.exists() and not self.options.append:
            raise SeedError(
                f"Demo data exists already (org unit {organisation.ministry_code()}): "
                "use --append to add learners to it."
            )
        self.shapes: list[CourseShape] = course_shapes(published)
        self.org = organisation.build()
        self.assignments = assignments.ensure(self.shapes, self.org, self.end.date())
        self.summary.units_created = self.org.created
        self.summary.assignments = len(self.assignments)
        self.summary.first_index = last_index() + 1
        self.statements_before = _count(StoredStatement.seq)
        self.certificates_before = _count(Certificate.id)
        log.info("seeding %s learners from number %s", self.options.learners, self.summary.first_index)

    def batches(self) -> list[range]:
        """The learner numbers of this run, ``CHUNK`` at a time."""
        first = self.summary.first_index
        last = first + self.options.learners
        return [range(start, min(start + CHUNK, last)) for start in range(first, last, CHUNK)]

    def chunks(self) -> Iterator[int]:
        """Record the learners one batch at a time; yields how many each time."""
        for indexes in self.batches():
            enrolments, completions = self.record(indexes)
            self.summary.enrolments += enrolments
            self.summary.completions += completions
            yield len(indexes)

    def record(self, indexes: range) -> tuple[int, int]:
        """Insert these learners and record their learning; returns (enrolments, completions)."""
        people = []
        for index in indexes:
            rng = learner_random(self.options.seed, index)
            people.append((make_person(rng, self.options.seed, index, self.org, self.start), rng))
        user_ids = self._insert_users([person for person, _rng in people])
        statements: list[dict] = []
        actors: list[int] = []
        enrolments = completions = 0
        for (person, rng), user_id in zip(people, user_ids, strict=True):
            for journey in self._journeys(person, rng):
                statements += journey.statements
                actors += [user_id] * len(journey.statements)
                enrolments += 1
                completions += journey.completed
        record_many(statements, user_ids=actors)
        quizzes.attempts_for_graded_outcomes(sorted({s["context"]["registration"] for s in statements}))
        return enrolments, completions

    def finish(self) -> SeedSummary:
        """Expand the assignments into required courses, and count what was made."""
        self.summary.required_courses = assignments.expand(self.assignments)
        self.summary.statements = _count(StoredStatement.seq) - self.statements_before
        self.summary.certificates = _count(Certificate.id) - self.certificates_before
        self.summary.seconds = time.perf_counter() - self.began
        relay_outbox.hold(False)
        log.info("seeded %s learners, %s statements", self.summary.learners, self.summary.statements)
        return self.summary

    def _insert_users(self, people: list[Person]) -> list[int]:
        rows = [person.row for person in people]
        try:
            ids = list(session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows))
        except IntegrityError:
            raise SeedError(
                f"Learners {people[0].index:,} to {people[-1].index:,} exist already: "
                "is another seed running on this database?"
            ) from None
        session.execute(insert(UserRole), [{"user_id": i, "role": Role.LEARNER.value} for i in ids])
        return ids

    def _journeys(self, person: Person, rng) -> Iterator[Journey]:
        """The learner's enrolments, one course at a time (courses by slug)."""
        for shape in self.shapes:
            start = self._enrolment(person, shape, rng)
            if start is None:
                continue
            begin, source = start
            outcome = pick_outcome(rng, self.options.completion_rate)
            journey = Journey(rng, self.base_url, person.uuid, shape, self.end).run(begin, outcome, source)
            if journey.statements:
                yield journey

    def _enrolment(self, person: Person, shape: CourseShape, rng) -> tuple[datetime, str] | None:
        """When and how the learner enrols in the course, or None if they do not."""
        covering = [a for a in self.assignments if a.course_id == shape.course_id and a.covers(person)]
        if not covering:
            if rng.random() >= ENROL_CHANCE[_reason(person, shape)]:
                return None
            return moment_between(rng, self.start, self.end - timedelta(days=1)), "self"
        first = min(covering, key=lambda a: (a.created_at, a.id))
        if rng.random() < ENROLLED_BEFORE_ASSIGNMENT:
            return moment_between(rng, self.start, first.created_at - timedelta(days=1)), "self"
        return first.created_at + timedelta(seconds=rng.randint(60, 2400)), "assignment"


def _reason(person: Person, shape: CourseShape) -> str:
    if person.staff_group in shape.audience:
        return "audience"
    return "general" if person.staff_group == StaffGroup.GENERAL.value else "other"


def last_index() -> int:
    """The highest learner number seeded so far (0 for none), read from the emails."""
    emails = session.scalars(select(User.email).where(User.email.like(f"%@{EMAIL_DOMAIN}")))
    numbers = (email.split("@")[0].rsplit(".", 1)[-1] for email in emails)
    return max((int(n) for n in numbers if n.isdigit()), default=0)


def _count(column) -> int:
    return session.scalar(select(func.count(column)))
