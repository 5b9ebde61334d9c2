"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import current_app

from lms.core.urls import public_url
from lms.reports.filters import (
    BREAKDOWNS,
    DRILLDOWN_SORTS,
    FISCAL_YEARS,
    HOURS_SORTS,
    MAX_PAGE,
    REGIONS,
    STATUSES,
)


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
CERTIFIED_HOURS = {
    "type": "number",
    "description": (
        "Certified hours: the course's nominal hours, as its certificate states them (of the version "
        "the learner enrolled in). These count towards the training-hours target; they are not the "
        "time spent."
    ),
}
TIME_SPENT = {
    "type": "integer",
    "minimum": 0,
    "description": (
        "Time actually spent on the lessons, in seconds, as the LMS measured it "
        "(not the certified hours, and not counted towards the target)."
    ),
}

FILTERS = [
    _query("course", "Course slug."),
    _query(
        "staff_group",
        "executive, practitioner or general.",
        {"enum": ["executive", "practitioner", "general"]},
    ),
    _query("unit", "Org unit code; includes its sub-units."),
    _query("province", "Province ISO 3166-2 code, e.g. TH-50, or 'none'."),
    _query("region", "central or regional.", {"enum": [*REGIONS, "none"]}),
    _query("from", "First day (ISO date, Bangkok time).", {"type": "string", "format": "date"}),
    _query("to", "Last day, inclusive (ISO date).", {"type": "string", "format": "date"}),
    _query(
        "fy",
        "Thai fiscal year in the Buddhist Era, e.g. 2569 (1 Oct 2025 - 30 Sep 2026). Not together "
        "with from/to (a 400). Digits 0-9 only.",
        {"type": "integer", "minimum": FISCAL_YEARS.start, "maximum": FISCAL_YEARS.stop - 1},
    ),
]


def _paging() -> list[dict[str, Any]]:
    """``page`` and ``per_page`` with the ranges the API accepts (this app's LMS_API_MAX_PER_PAGE)."""
    return [
        _query(
            "page",
            "Page number, from 1 (digits 0-9 only).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        ),
        _query(
            "per_page",
            "Rows per page (digits 0-9 only; default LMS_REPORT_ROWS_PER_PAGE).",
            {"type": "integer", "minimum": 1, "maximum": current_app.config["LMS_API_MAX_PER_PAGE"]},
        ),
    ]


COUNTS = {
    "type": "object",
    "properties": {
        **{name: {"type": "integer"} for name in STATUSES},
        "average_score": NULLABLE_NUMBER,
        "average_days": NULLABLE_NUMBER,
        "completion_percent": NULLABLE_NUMBER,
    },
}
BREAKDOWN_ROW = {
    "type": "object",
    "properties": {
        "dimension": STRING,
        "key": STRING,
        "name_th": STRING,
        "name_en": STRING,
        "depth": {"type": "integer"},
        "counts": {"$ref": "#/components/schemas/Counts"},
    },
}
COURSE_REPORT = {
    "type": "object",
    "properties": {
        "course_id": {"type": "integer"},
        "slug": STRING,
        "title_th": STRING,
        "title_en": STRING,
        "hours": {"type": "number"},
        "total": {"$ref": "#/components/schemas/Counts"},
        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/BreakdownRow"}},
    },
}
PERSON = {
    "user_uuid": STRING,
    "name_th": STRING,
    "name_en": STRING,
    "staff_group": STRING,
    "unit_code": NULLABLE_STRING,
    "unit_th": NULLABLE_STRING,
    "unit_en": NULLABLE_STRING,
    "province_code": NULLABLE_STRING,
    "province_th": NULLABLE_STRING,
    "province_en": NULLABLE_STRING,
}
LEARNER_ROW = {
    "type": "object",
    "properties": {
        **PERSON,
        "course_slug": STRING,
        "course_th": STRING,
        "course_en": STRING,
        "status": {"enum": list(STATUSES)},
        "is_assigned": {"type": "boolean"},
        "due_on": DATE,
        "enrolled_at": DATETIME,
        "completed_at": DATETIME,
        "score": NULLABLE_NUMBER,
        "days": NULLABLE_NUMBER,
        "time_spent_seconds": {"type": "integer"},
    },
}
HOURS_ROW = {
    "type": "object",
    "properties": {
        **PERSON,
        "courses": {"type": "integer", "description": "Courses completed in the period."},
        "hours": {
            **CERTIFIED_HOURS,
            "description": "Certified hours of the courses completed in the period.",
        },
        "target": {"type": "number"},
        "time_spent_seconds": {
            **TIME_SPENT,
            "description": "Time actually spent on those same courses, in seconds (not certified hours).",
        },
        "meets_target": {"type": "boolean", "description": "The certified hours reach the target."},
    },
}
HOURS_SUMMARY = {
    "type": "object",
    "properties": {
        "fiscal_year": {"type": ["integer", "null"], "description": "Buddhist Era, e.g. 2569."},
        "people": {"type": "integer"},
        "meeting_target": {"type": "integer"},
        "total_hours": {**CERTIFIED_HOURS, "description": "Sum of everyone's certified hours."},
        "target": {"type": "number"},
        "total_time_spent_seconds": {
            **TIME_SPENT,
            "description": "Sum of everyone's time spent on those courses, in seconds.",
        },
        "average_hours": {**NULLABLE_NUMBER, "description": "Certified hours per person."},
    },
}
TRANSCRIPT_ROW = {
    "type": "object",
    "properties": {
        "course_slug": STRING,
        "title_th": STRING,
        "title_en": STRING,
        "hours": CERTIFIED_HOURS,
        "status": STRING,
        "is_assigned": {"type": "boolean"},
        "due_on": DATE,
        "enrolled_at": DATETIME,
        "completed_at": DATETIME,
        "score": {
            **NULLABLE_NUMBER,
            "description": (
                "Percent: the mean over the course's quizzes of each quiz's counted attempt (best or last, "
                "as the quiz's rule says); null without a graded attempt."
            ),
        },
        "time_spent_seconds": TIME_SPENT,
        "certificate_serial": NULLABLE_STRING,
        "certificate_status": NULLABLE_STRING,
    },
}
TRANSCRIPT = {
    "type": "object",
    "properties": {
        "user_uuid": STRING,
        "name_th": STRING,
        "name_en": STRING,
        "staff_group": STRING,
        "unit_th": NULLABLE_STRING,
        "unit_en": NULLABLE_STRING,
        "province_th": NULLABLE_STRING,
        "province_en": NULLABLE_STRING,
        "fiscal_year": {"type": "integer"},
        "hours_in_fiscal_year": {
            **CERTIFIED_HOURS,
            "description": "Certified hours of the courses completed in the current fiscal year.",
        },
        "hours_total": {**CERTIFIED_HOURS, "description": "Certified hours of every course completed."},
        "time_spent_seconds_in_fiscal_year": {
            **TIME_SPENT,
            "description": "Time spent on the courses completed in the current fiscal year, in seconds.",
        },
        "time_spent_seconds_total": {
            **TIME_SPENT,
            "description": "Time spent on every course completed, in seconds.",
        },
        "average_score": {
            **NULLABLE_NUMBER,
            "description": "Percent: the mean of the counted attempt of every quiz taken, each quiz once.",
        },
        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/TranscriptRow"}},
    },
}
PAGE_FIELDS = {
    "page": {"type": "integer"},
    "per_page": {"type": "integer"},
    "total": {"type": "integer"},
    "pages": {"type": "integer"},
    "next": {"type": ["string", "null"], "format": "uri"},
    "previous": {"type": ["string", "null"], "format": "uri"},
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
        }
    },
}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


ERRORS = {
    "400": _json(_ref("Error"), "A parameter is not valid; the message says which."),
    "401": _json(_ref("Error"), "No valid token."),
}


def _get(summary: str, parameters: list, ok: dict[str, Any], **extra_responses) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": ok, **ERRORS, **extra_responses},
        }
    }


def _page_of(row: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(row)}, **PAGE_FIELDS}}


def _sort(sorts: tuple[str, ...]) -> dict[str, Any]:
    return _query("sort", "Sort order.", {"enum": list(sorts)})


def _paths() -> dict[str, Any]:
    return {
        "/me": _get("The token's user and scope", [], _json({"type": "object"})),
        "/reports/completion": _get(
            "Completion overview by course, optionally broken down",
            [*FILTERS, _query("breakdown", "Break each course down by this.", {"enum": list(BREAKDOWNS)})],
            _json(
                {
                    "type": "object",
                    "properties": {
                        "breakdown": NULLABLE_STRING,
                        "courses": {"type": "array", "items": _ref("CourseReport")},
                    },
                }
            ),
        ),
        "/reports/learners": _get(
            "The learners behind a count (drill-down)",
            [
                *FILTERS,
                _query("status", "Which count.", {"enum": list(STATUSES)}),
                _sort(DRILLDOWN_SORTS),
                *_paging(),
            ],
            _json(_page_of("LearnerRow")),
        ),
        "/reports/learners/{user_uuid}": {
            "get": {
                "summary": "One person's transcript",
                "parameters": [{"name": "user_uuid", "in": "path", "required": True, "schema": STRING}],
                "responses": {
                    "200": _json(_ref("Transcript")),
                    **ERRORS,
                    "404": _json(_ref("Error"), "Not in your scope."),
                },
            }
        },
        "/reports/hours": _get(
            "Training hours per person (default: the current fiscal year)",
            [*FILTERS, _sort(HOURS_SORTS), *_paging()],
            _json(
                {
                    "type": "object",
                    "properties": {
                        "summary": _ref("HoursSummary"),
                        "items": {"type": "array", "items": _ref("HoursRow")},
                        **PAGE_FIELDS,
                    },
                }
            ),
        ),
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Digital Government Learning: reports API",
            "version": "1.0.0",
            "description": (
                "Completion, drill-down, transcripts and training hours for the people in the "
                "token user's scope (their org units with sub-units, and their provinces). "
                "Send 'Authorization: Bearer <token>'; HR create tokens at /account/api-tokens."
            ),
        },
        "servers": [{"url": public_url("lms.api.openapi").rsplit("/openapi.json", 1)[0]}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "Counts": COUNTS,
                "BreakdownRow": BREAKDOWN_ROW,
                "CourseReport": COURSE_REPORT,
                "LearnerRow": LEARNER_ROW,
                "HoursRow": HOURS_ROW,
                "HoursSummary": HOURS_SUMMARY,
                "TranscriptRow": TRANSCRIPT_ROW,
                "Transcript": TRANSCRIPT,
            },
        },
    }
