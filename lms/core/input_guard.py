"""Refuse control characters in request parameters before any view reads them.

PostgreSQL cannot store or even compare a text with a NUL byte (psycopg refuses the query), and
no field of the LMS means a control character. So one check before every LMS request refuses
NUL and the other C0 controls (and DEL) in query strings, form fields and URL parts with a 400
naming the parameter; tab, CR and LF stay allowed, since text areas send them (a redirect
target is checked for them separately, in ``lms.core.redirects``). See ADR 0031.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask import abort, request
from flask_babel import gettext as _

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_character(text: str) -> bool:
    """Whether the text holds a control character other than tab, CR or LF."""
    return CONTROL.search(text) is not None


def shown(text: str) -> str:
    """The text with each control character written as \\xNN, so a message can quote it."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _parameters() -> Iterator[tuple[str, str, str]]:
    """(where, name, value) of every text the request brings."""
    for name, value in (request.view_args or {}).items():
        yield "url", name, value if isinstance(value, str) else ""
    for name, value in request.args.items(multi=True):
        yield "query", name, value
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for name, value in request.form.items(multi=True):
            yield "form", name, value
        for name, upload in request.files.items(multi=True):
            yield "form", name, upload.filename or ""


def refuse_control_characters() -> None:
    """Before each LMS request: a 400 when a parameter holds NUL or another control character."""
    for where, name, value in _parameters():
        if has_control_character(name) or has_control_character(value):
            abort(400, _message(where, shown(name)))


def _message(where: str, name: str) -> str:
    if where == "url":
        return _(
            "The address contains a control character (such as NUL) in %(name)s. Remove it and try again.",
            name=name,
        )
    if where == "query":
        return _(
            "The query parameter %(name)s contains a control character (such as NUL). "
            "Remove it and try again.",
            name=name,
        )
    return _(
        "The form field %(name)s contains a control character (such as NUL). Remove it and send again.",
        name=name,
    )
