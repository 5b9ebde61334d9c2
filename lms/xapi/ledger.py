"""Reading a person's own statements back from the ledger, voided ones marked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import session
from lms.xapi.models import StoredStatement


@dataclass(frozen=True)
class Recorded:
    """One stored statement as it was received, and whether it has since been voided."""

    statement: dict[str, Any]
    is_voided: bool

    @property
    def id(self) -> str:
        return self.statement["id"]

    @property
    def verb(self) -> str:
        """The verb's short name (its English display, else the end of its IRI)."""
        verb = self.statement["verb"]
        return verb.get("display", {}).get("en-US") or verb["id"].rsplit("/", 1)[-1]

    def activity_name(self, language: str) -> str:
        """The object's name in the language, else in Thai, else its id."""
        obj = self.statement["object"]
        names = obj.get("definition", {}).get("name", {})
        preferred = names.get("en-US") if language == "en" else None
        return preferred or names.get("th-TH") or names.get("en-US") or obj.get("id", "")


def statements_of(user: User, limit: int | None = None) -> list[Recorded]:
    """The person's statements (they are the actor), newest first."""
    rows = (
        select(StoredStatement.raw, StoredStatement.is_voided)
        .where(StoredStatement.user_id == user.id)
        .order_by(StoredStatement.seq.desc())
    )
    if limit:
        rows = rows.limit(limit)
    return [Recorded(json.loads(raw), is_voided) for raw, is_voided in session.execute(rows)]
