"""``accounts.staff_import``: a staff list too large for one request, imported by ``lms.jobs``.

The admin page imports a file of up to ``LMS_IMPORT_BACKGROUND_ROWS`` rows at once; a larger
one (up to ``LMS_IMPORT_MAX_ROWS``) is saved under ``LMS_IMPORT_DIR`` and imported by a job of
one chunk, so the request returns at once and a page shows the outcome. The job is as all or
nothing as the page: it checks every row, then writes every user in the transaction that
also counts the job as done; if any row is wrong it writes nothing and the job's result lists
the problems. The result (counts or problems, in the language of the person who started it)
is kept as JSON in the job's ``message``.

Submitting the same file twice (a double click, or Back and submit) leads to the same job: the
second submission of a file whose import is still running, or finished in the last
``REPEAT_WINDOW``, gets that import's page instead of a second import.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePath
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.accounts import staff_import
from lms.accounts.models import User
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job

log = logging.getLogger(__name__)
KIND = "accounts.staff_import"
REPEAT_WINDOW = timedelta(minutes=2)
#: At most this many problems are kept in a job's result (the count says how many there were).
KEPT_PROBLEMS = 1000


def import_dir() -> Path:
    configured = current_app.config["LMS_IMPORT_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def start_import(filename: str, data: bytes, actor: User, language: str) -> Job:
    """The job importing this file for ``actor``: a new one, or the same file's recent one."""
    digest = hashlib.sha256(data).hexdigest()
    repeated = _recent_job(digest, actor)
    if repeated is not None:
        log.info("staff import of %s by user %s: same file as job %s", filename, actor.id, repeated.id)
        return repeated
    stored = _save(digest, PurePath(filename).suffix.lower(), data)
    params = {
        "filename": filename,
        "stored": stored,
        "sha256": digest,
        "language": language,
        "max_rows": current_app.config["LMS_IMPORT_MAX_ROWS"],
    }
    job = jobs.start(KIND, params, created_by_id=actor.id)
    log.info("staff import job %s started by user %s: %s", job.id, actor.id, filename)
    return job


def _recent_job(digest: str, actor: User) -> Job | None:
    since = datetime.now(UTC) - REPEAT_WINDOW
    candidates = session.scalars(
        select(Job)
        .where(Job.kind == KIND, Job.created_by_id == actor.id, Job.created_at >= since)
        .order_by(Job.created_at.desc())
    )
    for job in candidates:
        if job.params.get("sha256") != digest or jobs.is_stopped(job):
            continue
        if result(job).get("outcome") not in ("conflict", "broken"):
            return job
    return None


def _save(digest: str, suffix: str, data: bytes) -> str:
    """Write the upload to the import folder (atomically); its file name there."""
    folder = import_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{digest}-{uuid.uuid4().hex[:8]}{suffix}"  # two admins may import one file at once
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, folder / name)
    return name


def _plan(params: dict[str, Any]) -> list[list[str]]:
    return [[params["stored"]]]


def _run_chunk(job: Job, items: list[str]) -> tuple[int, int]:
    """Import the file; the import's rows are committed with the job's count (one transaction)."""
    params = job.params
    path = import_dir() / items[0]
    with force_locale(params["language"]):
        outcome = _import(params["filename"], path, params["max_rows"])
    job.message = json.dumps(outcome, ensure_ascii=False)
    path.unlink(missing_ok=True)
    return (1, 0) if outcome["outcome"] == "imported" else (0, 1)


def _import(filename: str, path: Path, max_rows: int) -> dict[str, Any]:
    try:
        report = staff_import.import_staff(filename, path.read_bytes(), max_rows)
    except staff_import.ImportFileError as exc:
        return {"outcome": "refused", "file_error": str(exc), "problems": [], "problem_count": 1}
    except (IntegrityError, OperationalError):
        session.rollback()
        log.warning("staff import of %s collided with another write", filename, exc_info=True)
        return {"outcome": "conflict", "file_error": conflict_message(), "problems": [], "problem_count": 1}
    if not report.ok:
        problems = [[e.row, e.column, e.message] for e in report.errors[:KEPT_PROBLEMS]]
        return {"outcome": "refused", "problems": problems, "problem_count": len(report.errors)}
    return {
        "outcome": "imported",
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }


def conflict_message() -> str:
    return _(
        "Another import or an administrator changed some of these users at the same moment, so "
        "nothing of this file was written. Import the file again."
    )


def result(job: Job) -> dict[str, Any]:
    """The job's outcome: ``{}`` while it runs; else ``outcome`` (imported, refused or conflict)
    with the counts, or ``file_error``, ``problems`` ([row, column, message]) and ``problem_count``."""
    if not job.is_finished:
        return {}
    try:
        found = json.loads(job.message or "")
    except ValueError:
        found = None
    if not isinstance(found, dict):  # the job itself broke (see lms.jobs): show what it noted
        return {"outcome": "broken", "file_error": job.message, "problems": [], "problem_count": 1}
    return found


jobs.register(jobs.JobKind(KIND, _plan, _run_chunk))
