"""Statement bodies with attachments (multipart/mixed) and signed statements (JWS).

Stub interface, filled in by its author: the statements resource calls these two functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lms.xapi.lrs.errors import BadRequest
from lms.xapi.lrs.protocol import LrsRequest


@dataclass
class StatementBody:
    """The statement(s) a PUT or POST carries, and the attachment payloads by their sha2."""

    statements: Any
    raw: bytes
    payloads: dict[str, bytes] = field(default_factory=dict)


def read_body(lrs: LrsRequest) -> StatementBody:
    """Parse a statements PUT/POST body: JSON, or multipart/mixed with attachment parts."""
    if lrs.content_type != "application/json":
        raise BadRequest("Statements must be sent as application/json (or multipart/mixed with attachments).")
    try:
        return StatementBody(json.loads(lrs.body), lrs.body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.") from None


def check_and_store(statements: list[dict[str, Any]], body: StatementBody) -> None:
    """Check every attachment the statements declare against the payloads sent (and signatures),
    and keep the payloads; raises an ``LrsError`` and writes nothing when one is wrong."""
    return None
