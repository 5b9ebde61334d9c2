"""Bulk issue: the job on a thread and on real RQ workers, resuming after a crash without a
second certificate for anyone, HR scope, and the CLI in the foreground and in the background."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from lms.accounts.service import find_by_email
from lms.certificates import bulk, service
from lms.certificates.models import Certificate
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from tests.certificates.bulk_world import (
    IN_A,
    LEARNERS,
    SLUG,
    build_world,
    certificates_per_registration,
    wait_for,
)

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def cert_app(app_factory, store):
    """The app with its certificate store in a temporary folder, its context pushed."""
    built = app_factory(LMS_CERTIFICATE_DIR=str(store))
    with built.app_context():
        yield built
        session.remove()


@pytest.fixture
def world(cert_app):
    return build_world()


@pytest.fixture
def rq_app(app_factory, store):
    """The app with Redis (db 14) and a queue of its own, its context pushed; the queue is
    deleted afterwards."""
    built = app_factory(
        LMS_CERTIFICATE_DIR=str(store),
        LMS_REDIS_URL=REDIS,
        LMS_JOBS_QUEUE=f"lms-test-{uuid.uuid4().hex[:8]}",
        LMS_JOBS_CHUNK_SIZE=2,
    )
    with built.app_context():
        yield built
        jobs.rq_queue().delete(delete_jobs=True)
        session.remove()


def run_workers(count: int, max_jobs: int | None = None) -> None:
    """Real RQ workers, one after the other in this process, each until the queue is empty."""
    from lms.jobs.worker import Worker

    queue = jobs.rq_queue()
    for number in range(count):
        worker = Worker([queue], connection=queue.connection, name=f"{queue.name}-w{number}")
        worker.work(burst=True, max_jobs=max_jobs)


def pdfs(store) -> set[str]:
    return {path.name for path in store.glob("*.pdf")} if store.exists() else set()


def rendered_keys(world) -> set[str]:
    session.expire_all()
    return {key for key in LEARNERS if world.certificate(key).pdf_sha256}


def test_the_job_on_a_thread_issues_and_renders_the_hr_users_division(world, store):
    # a2's certificate was lost: the bulk issue issues it again (once), the others it renders.
    lost = session.execute(delete(Certificate).where(Certificate.user_id == world.user_ids["a2"]))
    assert lost.rowcount == 1
    session.commit()
    hr = find_by_email("hr-a@example.org")
    selection = bulk.resolve(SLUG, "", hr)
    assert bulk.counts(selection) == bulk.Counts(completed=3, issued=2, rendered=0, revoked=0)

    job = bulk.start(selection, hr)
    assert (job.total, job.created_by_id, job.params) == (
        3,
        hr.id,
        {"course": SLUG, "unit": None, "scope_user_id": hr.id},
    )
    finished = wait_for(job.id)
    assert (finished.status, finished.done, finished.failed, finished.percent) == ("done", 3, 0, 100)
    assert rendered_keys(world) == IN_A
    assert len(pdfs(store)) == 3
    assert set(certificates_per_registration().values()) == {1}
    assert bulk.counts(selection) == bulk.Counts(completed=3, issued=3, rendered=3, revoked=0)
    reissued = world.certificate("a2")
    attached = json.loads(PdfReader(store / f"{reissued.pdf_sha256}.pdf").attachments["certificate.json"][0])
    assert attached["learner"]["full_name_th"] == "อัมพร ทดสอบ" and attached["serial"] == reissued.serial


def test_a_failed_certificate_is_counted_and_a_second_run_does_only_the_rest(world, store):
    broken = world.certificate("a1")
    broken.template = "no-such-template"
    session.commit()
    admin = find_by_email("admin@example.org")
    selection = bulk.resolve(SLUG, None, admin)

    first = wait_for(bulk.start(selection, admin).id)
    assert (first.status, first.total, first.done, first.failed) == ("failed", 5, 4, 1)
    assert "อรุณี ทดสอบ: TemplateError" in first.message
    assert rendered_keys(world) == set(LEARNERS) - {"a1"}

    broken = world.certificate("a1")
    broken.template = "formal-th"
    session.commit()
    assert bulk.to_do(selection) == [broken.registration]
    second = wait_for(bulk.start(selection, admin).id)
    assert (second.status, second.total, second.done, second.failed) == ("done", 1, 1, 0)
    assert rendered_keys(world) == set(LEARNERS)
    assert len(pdfs(store)) == 5
    assert certificates_per_registration() == {world.certificate(key).registration: 1 for key in LEARNERS}

    third = bulk.start(selection, admin)
    session.refresh(third)
    assert (third.status, third.total) == ("done", 0)


def test_on_rq_a_run_stopped_after_one_chunk_resumes_with_the_rest_on_two_workers(rq_app, store):
    world = build_world()
    admin = find_by_email("admin@example.org")
    selection = bulk.resolve(SLUG, None, admin)
    first = bulk.start(selection, admin)
    queue = jobs.rq_queue()
    assert (first.total, queue.count) == (5, 3)  # chunks of 2, 2 and 1

    run_workers(1, max_jobs=1)
    # The crash: Redis loses the two chunks still queued; the first job stays where it was.
    queue.empty()
    session.expire_all()
    stopped = session.get(Job, first.id)
    assert (stopped.status, stopped.done, stopped.total) == ("running", 2, 5)
    assert len(rendered_keys(world)) == 2

    second = bulk.start(selection, admin)
    assert (second.total, queue.count) == (3, 2)
    run_workers(2, max_jobs=1)
    finished = wait_for(second.id, seconds=10)
    assert (finished.status, finished.done, finished.failed) == ("done", 3, 0)
    assert rendered_keys(world) == set(LEARNERS)
    assert len(pdfs(store)) == 5
    assert sorted(certificates_per_registration().values()) == [1] * 5
    assert session.scalar(select(func.count()).select_from(Certificate)) == 5


def test_hr_scope_limits_the_plan_and_refuses_other_units(world):
    hr_a, hr_b = find_by_email("hr-a@example.org"), find_by_email("hr-b@example.org")
    a_registrations = {world.certificate(key).registration for key in IN_A}
    assert set(bulk.to_do(bulk.resolve(SLUG, "", hr_a))) == a_registrations
    assert set(bulk.to_do(bulk.resolve(SLUG, "UNIT-A1", hr_a))) == {world.certificate("a2").registration}
    assert len(bulk.to_do(bulk.resolve(SLUG, "UNIT-B", hr_b))) == 2
    with pytest.raises(bulk.OutOfScope, match="UNIT-B อยู่นอกขอบเขต"):
        bulk.resolve(SLUG, "UNIT-B", hr_a)
    with pytest.raises(bulk.BulkError, match="ไม่มีหน่วยงานที่ใช้รหัส UNIT-Z"):
        bulk.resolve(SLUG, "UNIT-Z", hr_a)
    with pytest.raises(bulk.BulkError, match="ไม่มีหลักสูตรที่เผยแพร่แล้วซึ่งใช้รหัส nope"):
        bulk.resolve("nope", None, hr_a)
    assert [unit.code for unit in bulk.units_for(hr_a)] == ["UNIT-A", "UNIT-A1"]
    assert len(bulk.units_for(find_by_email("admin@example.org"))) == 3


def test_cli_issues_in_the_foreground_with_a_progress_bar_and_is_resumable(cert_app, world, store):
    runner = cert_app.test_cli_runner()
    division = runner.invoke(args=["lms", "certificates", "issue", "--course", SLUG, "--unit", "UNIT-A"])
    assert division.exit_code == 0, division.output
    assert f"Certificates for {SLUG}" in division.stderr
    assert f"3 certificate(s) for {SLUG} issued and rendered (3 now)" in division.stdout
    everyone = runner.invoke(args=["lms", "certificates", "issue", "--course", SLUG])
    assert f"5 certificate(s) for {SLUG} issued and rendered (2 now)" in everyone.stdout
    again = runner.invoke(args=["lms", "certificates", "issue", "--course", SLUG])
    assert again.exit_code == 0 and "(0 now)" in again.stdout
    assert len(pdfs(store)) == 5 and set(certificates_per_registration().values()) == {1}
    refused = runner.invoke(args=["lms", "certificates", "issue", "--course", SLUG, "--background"])
    assert refused.exit_code == 1 and "--background needs LMS_REDIS_URL" in refused.stderr
    unknown = runner.invoke(args=["lms", "certificates", "issue", "--course", SLUG, "--unit", "UNIT-Z"])
    assert unknown.exit_code == 1 and "no org unit has the code UNIT-Z" in unknown.stderr


def test_cli_reports_failures_and_exits_non_zero(cert_app, world):
    broken = world.certificate("b2")
    broken.template = "no-such-template"
    session.commit()
    result = cert_app.test_cli_runner().invoke(args=["lms", "certificates", "issue", "--course", SLUG])
    assert result.exit_code == 1
    assert f"4 certificate(s) for {SLUG} issued and rendered (4 now)" in result.stdout
    assert "1 could not be issued" in result.stderr and "บัวขาว ทดสอบ: TemplateError" in result.stderr


def test_cli_in_the_background_hands_the_job_to_rq_workers(rq_app, store):
    build_world()
    runner = rq_app.test_cli_runner()
    started = runner.invoke(args=["lms", "certificates", "issue", "--course", SLUG, "--background"])
    assert started.exit_code == 0, started.output
    assert "5 certificate(s) to issue and render" in started.stdout
    job_id = started.stdout.split()[1]
    queued = runner.invoke(args=["lms", "jobs", "show", job_id])
    assert "certificates.bulk queued: 0 done, 0 failed of 5" in queued.stdout
    run_workers(2)
    wait_for(job_id, seconds=10)
    done = runner.invoke(args=["lms", "jobs", "show", job_id])
    assert "certificates.bulk done: 5 done, 0 failed of 5" in done.stdout
    assert len(pdfs(store)) == 5


def test_the_zip_holds_the_valid_rendered_pdfs_named_by_serial(world, store):
    from zipfile import ZipFile

    admin = find_by_email("admin@example.org")
    selection = bulk.resolve(SLUG, "UNIT-A", admin)
    assert bulk.zip_entries(selection) == []
    wait_for(bulk.start(selection, admin).id)
    archive = io.BytesIO()
    bulk.write_zip(bulk.zip_entries(selection), archive)
    with ZipFile(archive) as opened:
        names = {info.filename: info for info in opened.infolist()}
        assert set(names) == {f"{world.serial(key)}.pdf" for key in IN_A}
        assert {info.compress_type for info in names.values()} == {0}  # stored
        for key in IN_A:
            pdf = opened.read(f"{world.serial(key)}.pdf")
            assert pdf.startswith(b"%PDF-")
            data = json.loads(PdfReader(io.BytesIO(pdf)).attachments["certificate.json"][0])
            assert data == service.render_data(world.certificate(key))
