"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import url_for


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Digital Government Learning: reports API",
            "version": "1.0.0",
            "description": (
                "Completion, drill-down, transcripts and training hours for the people in the "
                "token user's scope (their org units with sub-units, and their provinces)."
            ),
        },
        "servers": [{"url": url_for("lms.api.openapi").rsplit("/openapi.json", 1)[0]}],
        "security": [{"bearerAuth": []}],
        "paths": {},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }


ERROR_SCHEMA = {
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
