"""The JSON API's endpoints: who the token is, and the reports, in the token user's scope.

Every report endpoint takes the same filter parameters as the report pages (checked by
``lms.reports.filters.parse_filters``), so a link copied from the browser's report is a valid
API query. List endpoints are paginated with ``page`` and ``per_page``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user
from lms.api.errors import json_error
from lms.api.openapi import document
from lms.core.paging import whole_number
from lms.core.urls import public_url
from lms.reports import service as reports
from lms.reports.filters import HOURS_SORTS, ReportError, parse_filters


def openapi():
    return jsonify(document())


def me():
    """The token's user and the scope every report call is limited to."""
    user = current_lms_user()
    return jsonify(
        {
            "uuid": user.uuid,
            "name_th": user.full_name("th"),
            "name_en": user.full_name("en"),
            "roles": sorted(user.roles),
            "scope": {
                "all": user.has_role("admin"),
                "org_units": sorted(s.org_unit.code for s in user.scopes if s.org_unit_id),
                "provinces": sorted(s.province.iso_code for s in user.scopes if s.province_id),
            },
        }
    )


def plain(value: Any) -> Any:
    """Report rows as JSON values: dates in ISO 8601, dataclasses as objects (with their
    computed percentages)."""
    if dataclasses.is_dataclass(value):
        body = {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "filters"
        }
        for extra in ("completion_percent", "meets_target", "average_hours"):
            if hasattr(type(value), extra):
                body[extra] = getattr(value, extra)
        return body
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def _per_page() -> int:
    raw = request.args.get("per_page", "").strip()
    limit = current_app.config["LMS_API_MAX_PER_PAGE"]
    if not raw:
        return min(current_app.config["LMS_REPORT_ROWS_PER_PAGE"], limit)
    number = whole_number(raw)
    if number is None or not 1 <= number <= limit:
        raise ReportError(
            _(
                "per_page must be a whole number from 1 to %(limit)d, in the digits 0-9, not %(value)s.",
                limit=limit,
                value=raw,
            )
        )
    return number


def _paged(page, endpoint: str, **extra) -> dict[str, Any]:
    """A page of rows with the links to the pages beside it."""
    args = {**request.args.to_dict(), **extra}

    def link(number: int) -> str | None:
        if not 1 <= number <= page.pages:
            return None
        return public_url(endpoint, **{**args, "page": number, "per_page": page.per_page})

    return {
        "items": plain(page.rows),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
        "next": link(page.page + 1),
        "previous": link(page.page - 1),
    }


def _report(build):
    """Run a report; a bad parameter is a 400 with its message."""
    try:
        return jsonify(build())
    except ReportError as exc:
        return json_error(400, str(exc))


def completion():
    def build():
        filters = parse_filters(request.args)
        overview = reports.completion_overview(filters, current_lms_user())
        return {"breakdown": overview.breakdown, "courses": plain(overview.courses)}

    return _report(build)


def learners():
    def build():
        filters = parse_filters(request.args)
        page = reports.drilldown(filters, current_lms_user(), per_page=_per_page())
        return _paged(page, "lms.api.learners")

    return _report(build)


def transcript(user_uuid: str):
    found = reports.learner_transcript(current_lms_user(), user_uuid)
    if found is None:
        abort(404, _("No person with that id is in your scope."))
    return jsonify(plain(found))


def hours():
    def build():
        filters = reports.hours_filters(parse_filters(request.args, sorts=HOURS_SORTS))
        target = current_app.config["LMS_TRAINING_HOURS_TARGET"]
        report = reports.training_hours(filters, current_lms_user(), target=target, per_page=_per_page())
        return {"summary": plain(report.summary), **_paged(report.page, "lms.api.hours")}

    return _report(build)


REPORT_ROUTES = [
    ("/reports/completion", "completion", completion),
    ("/reports/learners", "learners", learners),
    ("/reports/learners/<user_uuid>", "transcript", transcript),
    ("/reports/hours", "hours", hours),
]
