"""The JSON Schemas shipped with the package format, and their errors as trainer-facing problems.

jsonschema's own messages ("'x' is not valid under any of the given schemas") are written for
programmers. Each error is rewritten here to name the field, the value and what to write
instead; the schema's ``title`` and ``description`` keywords supply the wording where the
validator alone cannot (e.g. "is not a staff group").
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from lms.packages.problems import Problem
from lms.packages.yamlsource import YamlDocument

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

COURSE = "course.schema.json"
LESSON = "lesson.schema.json"
QUIZ = "quiz.schema.json"
LEARNING_PATHS = "learning-paths.schema.json"

TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "fields (key: value)",
    "array": "a list",
    "null": "null",
}


def load_schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files("lms.packages").joinpath(name).read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def schema_problems(doc: YamlDocument, schema: str, file: str) -> list[Problem]:
    """Every way ``doc.data`` breaks ``schema``, each with the line of the field at fault."""
    if not isinstance(doc.data, dict):
        return [Problem(file, doc.line([]), f"the file must hold fields (key: value), not {show(doc.data)}")]
    found: list[Problem] = []
    errors = _validator(schema).iter_errors(doc.data)
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        for path, message in _explain(error):
            problem = Problem(file, doc.line(path), message)
            if problem not in found:
                found.append(problem)
    return found


def _explain(error: ValidationError) -> list[tuple[list, str]]:
    """(path, message) pairs for one validation error; usually one, one per field for
    missing or unknown fields."""
    path = list(error.absolute_path)
    value, rule, kind = error.instance, error.validator_value, error.validator
    where = f"{field_name(path)}: " if path else ""
    if kind == "required":
        return [
            (path, f"{where}required field '{name}' is missing; add it") for name in rule if name not in value
        ]
    if kind == "additionalProperties" and rule is False:
        allowed = ", ".join(error.schema.get("properties", {}))
        extra = [key for key in value if key not in error.schema.get("properties", {})]
        return [
            ([*path, key], f"{where}unknown field '{key}'; check the spelling (allowed: {allowed})")
            for key in extra
        ]
    return [(path, where + _describe(kind, rule, value, error.schema))]


def _describe(kind: str, rule: Any, value: Any, schema: dict[str, Any]) -> str:
    hint = schema.get("description")
    if kind == "enum":
        return f"{show(value)} is not {_a(schema.get('title'))}; use one of: {', '.join(map(str, rule))}"
    if kind == "type":
        wanted = " or ".join(TYPE_NAMES[t] for t in ([rule] if isinstance(rule, str) else rule))
        quote = " (put it in quotes)" if "string" in rule and isinstance(value, int | float) else ""
        return f"expected {wanted}, got {show(value)}{quote}"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "exclusiveMinimum": "more than"}.get(kind) or "at most"
        return f"{show(value)} is out of range; it must be {bound} {rule}"
    if kind in ("minLength", "minProperties") or (kind == "pattern" and rule == "\\S"):
        return "must not be empty"
    if kind == "maxLength":
        return f"is longer than {rule} characters; shorten it"
    if kind == "minItems":
        return f"must list at least {rule} item{'s' if rule > 1 else ''}"
    if kind == "uniqueItems":
        return "lists the same value twice; list each one once"
    if hint and isinstance(value, dict | list):
        return f"use {hint}"
    if hint:
        return f"{show(value)} is not valid; use {hint}"
    return f"{show(value)} is not valid"


def _a(title: str | None) -> str:
    return f"a {title}" if title else "allowed"


def field_name(path: list) -> str:
    """``modules[2].title.en``: keys joined by dots, list positions counted from 1."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def show(value: Any) -> str:
    """A value as a trainer would recognise it from the YAML file."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return f"'{value}' ({type(value).__name__})"
