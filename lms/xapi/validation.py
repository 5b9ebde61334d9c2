"""xAPI 1.0.3 statement validation.

Ralph's ``BaseXapiStatement`` (pydantic) checks the spec's rules: required properties, IRIs,
UUIDs, language maps, ISO 8601 durations and timestamps, a scaled score in [-1, 1]. We keep
the statement JSON as received and never store ralph's dump, which adds defaults.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class StatementError(ValueError):
    """A statement that is not valid xAPI 1.0.3; the message names the property."""


def validate(statement: dict[str, Any]) -> None:
    from pydantic import ValidationError
    from ralph.models.xapi.base.statements import BaseXapiStatement

    if not isinstance(statement, dict):
        raise StatementError("A statement must be a JSON object.")
    if "id" in statement:
        _check_uuid(statement["id"], "id")
    registration = (
        statement.get("context", {}).get("registration")
        if isinstance(statement.get("context"), dict)
        else None
    )
    if registration is not None:
        _check_uuid(registration, "context.registration")
    try:
        BaseXapiStatement.model_validate(statement)
    except ValidationError as exc:
        raise StatementError(_describe(exc)) from None


def _check_uuid(value: Any, where: str) -> None:
    try:
        uuid.UUID(str(value))
    except ValueError:
        raise StatementError(f"{where}: {value!r} is not a UUID.") from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error["loc"]) or "statement"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)
