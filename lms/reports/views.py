"""Report pages and downloads. Every view reads its filters with ``parse_filters`` (a bad value
is a 400 with the reason: an HTML page, or plain text for a download) and calls
``lms.reports.service`` with the signed-in user, whose scope limits every number and row."""

from __future__ import annotations

import tempfile
from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, login_required, roles_required
from lms.accounts.models import Role
from lms.core.i18n import current_language
from lms.extensions import get_or_404
from lms.jobs.models import Job
from lms.jobs.service import visible_to
from lms.reports import charts, exports, jobs, service
from lms.reports.filters import DRILLDOWN_SORTS, HOURS_SORTS, ReportError, ReportFilters, parse_filters
from lms.reports.fiscal import fiscal_year_label
from lms.reports.forms import StartExportForm, filter_choices
from lms.reports.labels import BREAKDOWN_LABELS, STATUS_LABELS, row_label

REPORT_ROLES = (Role.HR, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(sorts: tuple[str, ...] = DRILLDOWN_SORTS) -> ReportFilters:
    """The page's filters; the filter form's empty fields are dropped from the address first."""
    if any(not value for value in request.args.values()):
        kept = {key: value for key, value in request.args.items() if value}
        abort(redirect(url_for(request.endpoint, **(request.view_args or {}), **kept)))
    try:
        return parse_filters(request.args, sorts=sorts)
    except ReportError as exc:
        abort(400, str(exc))


def _download_filters(sorts: tuple[str, ...] = DRILLDOWN_SORTS) -> ReportFilters:
    try:
        return parse_filters(request.args, sorts=sorts)
    except ReportError as exc:
        abort(Response(str(exc) + "\n", 400, mimetype="text/plain"))


def _page_context(filters: ReportFilters) -> dict:
    language = current_language()
    return {
        "filters": filters,
        "choices": filter_choices(language),
        "status_labels": STATUS_LABELS,
        "breakdown_labels": BREAKDOWN_LABELS,
        "period_label": _period_label(filters, language),
        "row_label": lambda row: row_label(row, language),
    }


def _period_label(filters: ReportFilters, language: str) -> str | None:
    if filters.fiscal_year is not None:
        return fiscal_year_label(filters.fiscal_year, language)
    return None


def _chart_figures(overview, filters: ReportFilters) -> list[dict]:
    language = current_language()
    shown = overview.courses
    scope = shown[0].title(language) if filters.course_id and shown else _("all the courses shown")
    figures = []
    for dimension, title in (
        ("unit", _("Completion by org unit")),
        ("province", _("Completion by province")),
    ):
        rows = overview.charts.get(dimension, [])
        rows = charts.chart_units(rows) if dimension == "unit" else rows
        description = _(
            "Bar chart: the share of learners who completed (%(scope)s), one bar per group, with the "
            "percentage and the counts written beside each bar. The same figures are in the table below.",
            scope=scope,
        )
        svg = charts.bar_chart(f"chart-{dimension}", title, description, charts.bars_for(rows, language))
        figures.append({"id": f"chart-{dimension}", "title": title, "svg": svg, "rows": rows})
    return figures


def _csv(name: str, columns, rows) -> Response:
    response = Response(stream_with_context(exports.csv_stream(columns, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _xlsx(name: str, columns, rows, title: str) -> Response:
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    exports.write_xlsx(spool, columns, rows, title)
    spool.seek(0)
    return send_file(spool, mimetype=XLSX, as_attachment=True, download_name=f"{name}.xlsx", max_age=0)


def _file_name(report: str) -> str:
    return f"{report}-{date.today().isoformat()}"


@roles_required(*REPORT_ROLES)
def overview():
    filters = _filters()
    report = service.completion_overview(filters, current_lms_user(), charts=("unit", "province"))
    return render_template(
        "lms/reports/overview.html",
        overview=report,
        figures=_chart_figures(report, filters),
        **_page_context(filters),
    )


@roles_required(*REPORT_ROLES)
def drilldown():
    filters = _filters()
    page = service.drilldown(
        filters, current_lms_user(), per_page=current_app.config["LMS_REPORT_ROWS_PER_PAGE"]
    )
    return render_template("lms/reports/drilldown.html", page=page, **_page_context(filters))


@roles_required(*REPORT_ROLES)
def hours():
    filters = _filters(HOURS_SORTS)
    report = service.training_hours(
        filters,
        current_lms_user(),
        target=current_app.config["LMS_TRAINING_HOURS_TARGET"],
        per_page=current_app.config["LMS_REPORT_ROWS_PER_PAGE"],
    )
    context = _page_context(filters)
    fiscal_year = report.summary.fiscal_year
    context["period_label"] = fiscal_year_label(fiscal_year, current_language()) if fiscal_year else None
    return render_template("lms/reports/hours.html", report=report, **context)


@login_required
def transcript(user_uuid: str):
    found = service.learner_transcript(current_lms_user(), user_uuid)
    if found is None:
        abort(404)
    return render_template(
        "lms/reports/transcript.html",
        transcript=found,
        status_labels=STATUS_LABELS,
        fiscal_year_label=fiscal_year_label(found.fiscal_year, current_language()),
    )


@login_required
def my_transcript():
    return redirect(url_for("lms.reports.transcript", user_uuid=current_lms_user().uuid))


@roles_required(*REPORT_ROLES)
def export(report: str, fmt: str):
    if report not in ("overview", "drilldown", "hours") or fmt not in ("csv", "xlsx"):
        abort(404)
    filters = _download_filters(HOURS_SORTS if report == "hours" else DRILLDOWN_SORTS)
    actor, language = current_lms_user(), current_language()
    if fmt == "xlsx" and report != "overview" and _too_big(report, filters, actor):
        return render_template("lms/reports/export_prepare.html", report=report, form=StartExportForm())
    if report == "overview":
        columns, rows = exports.overview_table(service.completion_overview(filters, actor), language)
    elif report == "drilldown":
        columns, rows = exports.drilldown_table(service.iter_drilldown(filters, actor), language)
    else:
        target = current_app.config["LMS_TRAINING_HOURS_TARGET"]
        columns, rows = exports.hours_table(
            service.iter_training_hours(filters, actor, target=target), language
        )
    if fmt == "csv":
        return _csv(_file_name(report), columns, rows)
    return _xlsx(_file_name(report), columns, rows, title=report)


def _too_big(report: str, filters: ReportFilters, actor) -> bool:
    count = (
        service.hours_count(filters, actor) if report == "hours" else service.drilldown_count(filters, actor)
    )
    return count > current_app.config["LMS_EXPORT_BACKGROUND_ROWS"]


@login_required
def transcript_export(user_uuid: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    found = service.learner_transcript(current_lms_user(), user_uuid)
    if found is None:
        abort(404)
    columns, rows = exports.transcript_table(found, current_language())
    if fmt == "csv":
        return _csv(_file_name("transcript"), columns, rows)
    return _xlsx(_file_name("transcript"), columns, rows, title="transcript")


@roles_required(*REPORT_ROLES)
def export_start(report: str):
    if report not in jobs.BACKGROUND_REPORTS:
        abort(404)
    _filters(HOURS_SORTS if report == "hours" else DRILLDOWN_SORTS)
    if not StartExportForm().validate_on_submit():
        abort(400)
    args = {key: value for key, value in request.args.items() if value}
    job = jobs.start_export(report, args, current_lms_user(), current_language())
    return redirect(url_for("lms.reports.export_status", job_id=job.id), 303)


def _own_export(job_id: str) -> Job:
    job = get_or_404(Job, job_id)
    if job.kind != jobs.KIND or not visible_to(job, current_lms_user()):
        abort(404)
    return job


@roles_required(*REPORT_ROLES)
def export_status(job_id: str):
    job = _own_export(job_id)
    return render_template("lms/reports/export_status.html", job=job, ready=jobs.result_path(job) is not None)


@roles_required(*REPORT_ROLES)
def export_download(job_id: str):
    job = _own_export(job_id)
    path = jobs.result_path(job)
    if path is None:
        abort(404)
    name = f"{job.params['report']}-{job.created_at.date().isoformat()}.xlsx"
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
