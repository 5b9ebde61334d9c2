"""``reports.export``: an XLSX export too large for one request, prepared by ``lms.jobs``.

The rows are cut into chunks of ``LMS_EXPORT_CHUNK_ROWS`` at name-order keys (so two chunks
never share or lose a row, even while people are added); each chunk writes its rows to a part
file, so the progress page counts chunks as they finish, whichever worker takes them. The
chunk that completes the job writes the workbook from the parts, in order, in openpyxl's
write-only mode, and removes them. The export runs with its creator's scope, read again at run
time, and only its creator (or an administrator) may download it. With RQ workers on several
hosts, ``LMS_EXPORT_DIR`` must be shared storage.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale

from lms.accounts.models import User
from lms.extensions import session
from lms.jobs import service as jobs
from lms.jobs.models import Job
from lms.reports import exports, service
from lms.reports.filters import DRILLDOWN_SORTS, HOURS_SORTS, ReportFilters, parse_filters

log = logging.getLogger(__name__)
KIND = "reports.export"
BACKGROUND_REPORTS = ("drilldown", "hours")


def export_dir() -> Path:
    configured = current_app.config["LMS_EXPORT_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "exports"


def start_export(report: str, args: dict[str, str], actor: User, language: str) -> Job:
    """Start preparing the XLSX of ``report`` (drilldown or hours) for these query parameters."""
    if report not in BACKGROUND_REPORTS:
        raise ValueError(f"no background export for {report!r}")
    params = {
        "report": report,
        "args": args,
        "actor_id": actor.id,
        "language": language,
        "target": current_app.config["LMS_TRAINING_HOURS_TARGET"],
    }
    job = jobs.start(KIND, params, created_by_id=actor.id)
    log.info("export job %s started by user %s: %s", job.id, actor.id, report)
    return job


def _context(params: dict[str, Any]) -> tuple[ReportFilters, User]:
    sorts = HOURS_SORTS if params["report"] == "hours" else DRILLDOWN_SORTS
    actor = session.get(User, params["actor_id"])
    if actor is None:
        raise LookupError("the person who started this export no longer exists")
    return parse_filters(params["args"], sorts=sorts), actor


def _rows(params: dict[str, Any], start=None, stop=None) -> Iterator:
    filters, actor = _context(params)
    if params["report"] == "hours":
        people = service.iter_training_hours(filters, actor, target=params["target"], start=start, stop=stop)
        return exports.hours_table(people, params["language"])[1]
    learners = service.iter_drilldown(filters, actor, start=start, stop=stop)
    return exports.drilldown_table(learners, params["language"])[1]


def _columns(params: dict[str, Any]) -> list[exports.Column]:
    if params["report"] == "hours":
        return exports.hours_table([], params["language"])[0]
    return exports.drilldown_table([], params["language"])[0]


def _plan(params: dict[str, Any]) -> list[list]:
    filters, actor = _context(params)
    every = current_app.config["LMS_EXPORT_CHUNK_ROWS"]
    keys = service.hours_keys if params["report"] == "hours" else service.drilldown_keys
    starts = [list(key) for key in keys(filters, actor, every)]
    if not starts:
        return []  # no rows: no chunk, and the workbook is written with its header row only
    stops = [*starts[1:], None]
    return [[[index, start, stop]] for index, (start, stop) in enumerate(zip(starts, stops, strict=True))]


def _parts(job_id: str) -> Path:
    return export_dir() / f"{job_id}.parts"


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    return value


def _run_chunk(job: Job, items: list) -> tuple[int, int]:
    folder = _parts(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    with force_locale(job.params["language"]):
        for index, start, stop in items:
            rows = _rows(job.params, tuple(start), tuple(stop) if stop else None)
            part = folder / f"{index:06d}.jsonl"
            with open(part.with_suffix(".tmp"), "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
            part.with_suffix(".tmp").replace(part)
    return len(items), 0


def _read_parts(folder: Path, columns: list[exports.Column]) -> Iterator[tuple]:
    for part in sorted(folder.glob("*.jsonl")):
        with open(part, encoding="utf-8") as lines:
            for line in lines:
                values = json.loads(line)
                yield tuple(_decode(v, c.kind) for v, c in zip(values, columns, strict=True))


def _finish(job: Job) -> None:
    folder = _parts(job.id)
    export_dir().mkdir(parents=True, exist_ok=True)
    with force_locale(job.params["language"]):
        columns = _columns(job.params)
        target = export_dir() / f"{job.id}.xlsx"
        count = exports.write_xlsx(target, columns, _read_parts(folder, columns), title=job.params["report"])
    shutil.rmtree(folder, ignore_errors=True)
    job.result_file = target.name
    log.info("export job %s: %d rows written to %s", job.id, count, target)


def result_path(job: Job) -> Path | None:
    if job.kind != KIND or job.status != "done" or not job.result_file:
        return None
    path = export_dir() / job.result_file
    return path if path.is_file() else None


jobs.register(jobs.JobKind(KIND, _plan, _run_chunk, _finish))
