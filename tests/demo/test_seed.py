"""`flask lms demo seed`: a simulated ministry, fictional learners, and their learning recorded
as xAPI statements (so the progress is the projection's own)."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import OrgUnit, Province, User
from lms.accounts.service import unit_and_descendant_ids
from lms.assignments.models import Assignment, RequiredCourse
from lms.certificates.models import Certificate
from lms.content.models import Course
from lms.demo.seed import Seeder, SeedError, SeedOptions
from lms.extensions import session
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome
from lms.quizzes.models import QuizAttempt
from lms.xapi import builder
from lms.xapi.models import OutboxEntry, StoredStatement
from lms.xapi.vocabulary import VERBS
from tests.conftest import _clear_tables, login

CONTENT = Path(__file__).resolve().parents[2] / "content"
AS_OF = "2026-06-30"
END = datetime(2026, 6, 30, tzinfo=UTC)
LEARNERS = 60


def seed(runner, *extra: str, learners: int = LEARNERS):
    return runner.invoke(args=["lms", "demo", "seed", "--learners", str(learners), "--as-of", AS_OF, *extra])


def import_content(runner) -> None:
    result = runner.invoke(args=["lms", "content", "import", str(CONTENT)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def seeded(runner):
    import_content(runner)
    result = seed(runner)
    assert result.exit_code == 0, result.output
    return result


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


HR_OFFICER = "hr.officer@demo.example.org"


def index_of(user: User) -> int:
    """The learner number, the last part of the email's local part (somchai.jaidee.17@...)."""
    return int(user.email.split("@")[0].rsplit(".", 1)[1])


def seeded_learners() -> list[User]:
    return session.scalars(select(User).where(User.email != HR_OFFICER)).all()


def thai_fiscal_year(moment: datetime) -> int:
    """Buddhist-era fiscal year: FY 2569 runs from 1 October 2025 to 30 September 2026."""
    return moment.year + 543 + (1 if moment.month >= 10 else 0)


def test_the_ministry_has_departments_divisions_and_an_office_in_every_province(app, seeded):
    units = session.scalars(select(OrgUnit)).all()
    (ministry,) = [u for u in units if u.kind == "ministry"]
    assert ministry.name_en == "Simulated Ministry (demo data)"
    departments = [u for u in units if u.kind == "department"]
    assert len(departments) == 6
    assert all(d.parent_id == ministry.id and d.is_central for d in departments)
    for department in departments:
        divisions = [u for u in units if u.parent_id == department.id and u.kind == "division"]
        assert 2 <= len(divisions) <= 4, department.code
    offices = [u for u in units if u.kind == "provincial_office"]
    assert len(offices) == 77
    assert {u.province_id for u in offices} == set(session.scalars(select(Province.id)))
    assert not any(u.is_central for u in offices)
    names = {u.province.iso_code: u.name_th for u in offices}
    assert names["TH-10"] == "สำนักงานกระทรวงจำลองกรุงเทพมหานคร"
    assert names["TH-50"] == "สำนักงานกระทรวงจำลองจังหวัดเชียงใหม่"
    assert "Org units created:  101" in seeded.stdout


def test_learners_are_fictional_people_in_every_staff_group_who_cannot_sign_in(app, seeded, client):
    learners = seeded_learners()
    assert len(learners) == LEARNERS and count(User) == LEARNERS + 1  # and the HR officer
    assert sorted(index_of(u) for u in learners) == list(range(1, LEARNERS + 1))
    assert all(u.email.endswith("@demo.example.org") and u.password_hash is None for u in learners)
    assert all(u.roles == {"learner"} for u in learners)
    assert all(
        u.title_th in {"นาย", "นาง", "นางสาว"} and u.first_name_th and u.last_name_th for u in learners
    )
    assert all(u.first_name_en and u.last_name_en and u.position and u.level for u in learners)
    # Staff groups come in shuffled blocks of 50: 2 executives, 9 practitioners, 39 general.
    first_block = [u.staff_group for u in learners if index_of(u) <= 50]
    assert first_block.count("executive") == 2 and first_block.count("practitioner") == 9
    assert {u.staff_group for u in learners} == {"executive", "practitioner", "general"}
    bangkok = session.scalar(select(Province.id).where(Province.iso_code == "TH-10"))
    for user in learners:
        unit = user.org_unit
        assert unit.code.startswith("SIM-")
        assert user.province_id == (bangkok if unit.is_central else unit.province_id)
    assert {u.org_unit.is_central for u in learners} == {True, False}
    response = login(client, learners[0].email, "any-password-at-all")
    assert response.status_code == 400
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)
    assert "Learners:           60 (numbers 1 to 60" in seeded.stdout


def test_every_enrolment_and_completion_is_backed_by_its_statements(app, seeded):
    def statements(verb: str, **where) -> dict[str, datetime]:
        query = select(StoredStatement.registration, StoredStatement.timestamp).where(
            StoredStatement.verb_id == VERBS[verb],
            *(getattr(StoredStatement, k) == v for k, v in where.items()),
        )
        return dict(session.execute(query).all())

    enrolments = session.scalars(select(Enrolment)).all()
    assert len(enrolments) > 20
    registered = statements("registered")
    assert {e.registration: e.enrolled_at for e in enrolments} == registered
    completed_courses = {}
    for course in session.scalars(select(Course)):
        iri = builder.course_iri(app.config["LMS_BASE_URL"], course.slug)
        completed_courses.update(statements("completed", object_id=iri))
    completed = {e.registration: e.completed_at for e in enrolments if e.completed_at}
    assert completed and completed == completed_courses
    certified = set(session.scalars(select(Certificate.registration)))
    assert certified == set(completed)
    # Both courses need every quiz passed: each completion has a passed outcome per module quiz.
    for enrolment in enrolments:
        if enrolment.completed_at:
            passed = session.scalars(
                select(QuizOutcome.quiz_key).where(
                    QuizOutcome.registration == enrolment.registration, QuizOutcome.is_passed.is_(True)
                )
            ).all()
            modules = len(enrolment.course.current_version.modules)
            assert len(set(passed)) == modules
            assert enrolment.launched_at < enrolment.completed_at
            assert enrolment.time_spent_seconds > 0
    # Every state a learner can be in is there: registered only, launched, part-way, completed.
    lessons = dict(
        session.execute(
            select(LessonProgress.registration, func.count())
            .where(LessonProgress.completed_at.is_not(None))
            .group_by(LessonProgress.registration)
        ).all()
    )
    states = {
        "enrolled": [e for e in enrolments if e.launched_at is None],
        "launched": [e for e in enrolments if e.launched_at and not lessons.get(e.registration)],
        "in progress": [e for e in enrolments if lessons.get(e.registration) and not e.completed_at],
        "completed": [e for e in enrolments if e.completed_at],
    }
    assert all(states.values()), {k: len(v) for k, v in states.items()}
    summary = seeded.stdout
    assert f"Enrolments:         {len(enrolments)}, of which completed {len(completed)}" in summary
    assert f"Statements:         {count(StoredStatement):,}" in summary
    assert f"Certificates:       {len(completed)}" in summary


def test_every_graded_quiz_outcome_is_an_attempt_the_learner_sees(app, seeded):
    """The grade is stored once (the outcome); the quiz page lists the attempt with that grade."""
    outcomes = session.scalars(select(QuizOutcome)).all()
    assert outcomes
    attempts = {a.id: a for a in session.scalars(select(QuizAttempt))}
    for outcome in outcomes:
        attempt = attempts[outcome.attempt_id]
        assert (attempt.registration, attempt.quiz_key, attempt.number) == (
            outcome.registration,
            outcome.quiz_key,
            outcome.attempt_number,
        )
        assert attempt.is_passed == outcome.is_passed and attempt.submitted_at == outcome.completed_at
        assert attempt.percent == round(100 * outcome.earned / outcome.possible, 2)


def test_the_history_covers_eighteen_months_before_as_of_and_two_fiscal_years(app, seeded):
    learning = session.scalars(
        select(StoredStatement.timestamp).where(StoredStatement.verb_id != VERBS["earned"])
    ).all()
    assert END - timedelta(days=548) <= min(learning) and max(learning) < END
    completions = session.scalars(select(Enrolment.completed_at).where(Enrolment.completed_at.is_not(None)))
    assert {thai_fiscal_year(c) for c in completions} == {2568, 2569}
    users = seeded_learners()
    first_enrolled = dict(
        session.execute(
            select(Enrolment.user_id, func.min(Enrolment.enrolled_at)).group_by(Enrolment.user_id)
        ).all()
    )
    assert all(u.created_at < first_enrolled.get(u.id, END) for u in users)


def test_assignments_by_an_hr_officer_have_due_dates_some_overdue_and_enrol_who_they_cover(app, seeded):
    officer = session.scalar(select(User).where(User.email == HR_OFFICER))
    assert officer.roles == {"learner", "hr"} and officer.password_hash is None
    assert [s.org_unit.code for s in officer.scopes] == ["SIM-MIN"]
    assignments = session.scalars(select(Assignment)).all()
    assert len(assignments) == 6 and {a.created_by_id for a in assignments} == {officer.id}
    assert {a.target_kind for a in assignments} == {"staff_group", "org_unit", "province"}
    overdue = [a for a in assignments if a.due_on < date(2026, 6, 30)]
    assert 0 < len(overdue) < len(assignments)
    covered: dict[tuple[int, int], list[Assignment]] = {}
    for user in seeded_learners():
        for a in assignments:
            if (
                (a.target_kind == "staff_group" and user.staff_group == a.staff_group)
                or (
                    a.target_kind == "org_unit"
                    and user.org_unit_id in unit_and_descendant_ids([a.org_unit_id])
                )
                or (a.target_kind == "province" and user.province_id == a.province_id)
            ):
                covered.setdefault((user.id, a.course_id), []).append(a)
    required = {(r.user_id, r.course_id): r for r in session.scalars(select(RequiredCourse))}
    assert covered and set(required) == set(covered)
    for key, row in required.items():
        assert row.due_on == min(a.due_on for a in covered[key])
    enrolments = {(e.user_id, e.course_id): e for e in session.scalars(select(Enrolment))}
    assert set(required) <= set(enrolments)
    for key in required:
        enrolment, first = enrolments[key], min(covered[key], key=lambda a: a.created_at)
        if enrolment.source == "assignment":
            assert first.created_at < enrolment.enrolled_at < first.created_at + timedelta(hours=1)
        else:
            assert enrolment.enrolled_at < first.created_at
    assert any(e.source == "assignment" for e in enrolments.values())
    assert f"required courses added {len(required)}" in seeded.stdout


def snapshot() -> dict:
    """What the seed made, by stable keys (emails, course slugs, statement ids), not row ids."""
    session.expire_all()
    users = {
        u.email: (
            u.uuid,
            u.title_th,
            u.first_name_th,
            u.last_name_th,
            u.staff_group,
            u.org_unit.code,
            u.created_at,
        )
        for u in session.scalars(select(User))
    }
    enrolments = {
        (e.user.email, e.course.slug): (
            e.registration,
            e.source,
            e.enrolled_at,
            e.launched_at,
            e.last_activity_at,
            e.last_lesson_key,
            e.time_spent_seconds,
            e.completed_at,
        )
        for e in session.scalars(select(Enrolment))
    }
    lessons = {
        (p.registration, p.lesson_key): (
            p.first_viewed_at,
            p.last_viewed_at,
            p.time_spent_seconds,
            p.completed_at,
        )
        for p in session.scalars(select(LessonProgress))
    }
    outcomes = {
        o.attempt_id: (o.registration, o.quiz_key, o.attempt_number, o.scaled, o.is_passed, o.completed_at)
        for o in session.scalars(select(QuizOutcome))
    }
    statements = dict(
        session.execute(
            select(StoredStatement.id, StoredStatement.raw).where(StoredStatement.verb_id != VERBS["earned"])
        ).all()
    )
    return {
        "users": users,
        "enrolments": enrolments,
        "lessons": lessons,
        "outcomes": outcomes,
        "statements": statements,
    }


def test_rebuilding_progress_from_the_statements_gives_the_same_progress(app, seeded, runner):
    def completions() -> int:
        return session.scalar(select(func.count(Enrolment.completed_at)))

    before, completed = snapshot(), completions()
    result = runner.invoke(args=["lms", "progress", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"Progress rebuilt from {count(StoredStatement)} statements." in result.output
    assert completions() == completed > 0
    assert snapshot() == before


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(app, runner, seeded):
    first = snapshot()
    _clear_tables()
    import_content(runner)
    assert seed(runner).exit_code == 0
    assert snapshot() == first
    _clear_tables()
    import_content(runner)
    assert seed(runner, "--seed", "7").exit_code == 0
    other = snapshot()
    assert other["users"].keys() != first["users"].keys()
    assert other["statements"].keys().isdisjoint(first["statements"].keys())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--learners", "0"], "0 is not in the range 1<=x<=1000000"),
        (["--learners", "1000001"], "1000001 is not in the range 1<=x<=1000000"),
        (["--learners", "many"], "'many' is not a valid integer"),
        ([], "Missing option '--learners'"),
        (["--learners", "5", "--completion-rate", "1.5"], "1.5 is not in the range 0<=x<=1"),
        (["--learners", "5", "--seed", "x"], "'x' is not a valid integer"),
        (["--learners", "5", "--as-of", "30/06/2026"], "'30/06/2026' does not match the format '%Y-%m-%d'"),
    ],
)
def test_bad_options_are_refused_with_a_message_and_nothing_is_written(app, runner, args, message):
    import_content(runner)
    result = runner.invoke(args=["lms", "demo", "seed", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert count(User) == 0 and count(OrgUnit) == 0 and count(StoredStatement) == 0


def test_a_future_as_of_date_and_a_database_without_courses_are_refused(app, runner):
    result = seed(runner)
    assert result.exit_code == 1
    assert "No published course: import some first (flask lms content import content)." in result.stderr
    import_content(runner)
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    result = runner.invoke(args=["lms", "demo", "seed", "--learners", "5", "--as-of", tomorrow])
    assert result.exit_code == 1
    assert f"--as-of {tomorrow} is in the future" in result.stderr
    assert count(User) == 0 and count(OrgUnit) == 0 and count(StoredStatement) == 0


def test_a_database_that_forwards_statements_seeds_without_queueing_them(app_factory):
    """The fictional learning is not queued for a real LRS; ``relay backfill`` could queue it."""
    forwarding = app_factory(LMS_XAPI_FORWARD_TO=("http://lrs.test/xAPI/statements",))
    with forwarding.app_context():
        runner = forwarding.test_cli_runner()
        import_content(runner)
        result = seed(runner, learners=3)
        assert result.exit_code == 0, result.output
        assert "Not queued for the external LRSs" in result.output
        assert count(StoredStatement) > 0 and count(OutboxEntry) == 0


def test_a_second_run_is_refused_unless_it_appends(app, runner, seeded):
    statements = count(StoredStatement)
    again = seed(runner)
    assert again.exit_code == 1
    assert "Demo data exists already (org unit SIM-MIN): use --append to add learners to it." in again.stderr
    assert count(User) == LEARNERS + 1 and count(StoredStatement) == statements
    appended = seed(runner, "--append", learners=10)
    assert appended.exit_code == 0, appended.output
    users = seeded_learners()
    assert sorted(index_of(u) for u in users) == list(range(1, LEARNERS + 11))
    assert count(OrgUnit) == 101 and count(Assignment) == 6
    assert "Org units created:  0" in appended.stdout
    assert "Learners:           10 (numbers 61 to 70" in appended.stdout
    assert count(StoredStatement) > statements
    required_users = set(session.scalars(select(RequiredCourse.user_id)))
    new_executives = [u.id for u in users if index_of(u) > LEARNERS and u.staff_group == "executive"]
    assert set(new_executives) <= required_users


def test_workers_record_the_same_data_on_postgresql_and_are_refused_on_sqlite(app, runner, backend, seeded):
    first = snapshot()
    if backend == "sqlite":
        refused = seed(runner, "--append", "--workers", "2")
        assert refused.exit_code == 1
        assert "--workers above 1 needs PostgreSQL: SQLite takes one writer at a time." in refused.stderr
        assert snapshot() == first
        return
    _clear_tables()
    import_content(runner)
    result = seed(runner, "--workers", "3")
    assert result.exit_code == 0, result.output
    assert snapshot() == first
    assert seeded.stdout.splitlines()[2] == result.stdout.splitlines()[2]  # enrolments, completed


def test_append_goes_on_after_the_highest_learner_number_even_with_gaps(app, runner, seeded):
    idle = session.scalar(
        select(User).where(
            User.email != HR_OFFICER,
            ~User.id.in_(select(Enrolment.user_id)),
            ~User.id.in_(select(RequiredCourse.user_id)),
        )
    )
    assert idle is not None, "learner without enrolments or required courses expected"
    session.delete(idle)
    session.commit()
    appended = seed(runner, "--append", learners=2)
    assert appended.exit_code == 0, appended.output
    assert "(numbers 61 to 62" in appended.stdout
    assert count(User) == LEARNERS + 2


def test_two_seeders_at_once_stop_with_a_message_instead_of_duplicating_learners(app, runner, seeded):
    as_of = date(2026, 6, 30)
    first, second = (Seeder(SeedOptions(3, as_of=as_of, append=True)) for _ in range(2))
    first.prepare()
    second.prepare()
    (batch,) = first.batches()
    first.record(batch)
    session.commit()
    with pytest.raises(SeedError, match="Learners 61 to 63 exist already: is another seed running"):
        second.record(batch)
    session.rollback()
    assert count(User) == LEARNERS + 1 + 3
