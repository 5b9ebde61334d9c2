"""Writing the audit log. The caller commits, with the change it audits."""

from __future__ import annotations

import logging
from typing import Any

from lms.accounts.models import User
from lms.audit.models import AuditEntry
from lms.extensions import session

log = logging.getLogger(__name__)


def audit(actor: User | None, action: str, subject: str, reason: str = "", **details: Any) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None, action=action, subject=subject, reason=reason, details=details
    )
    session.add(entry)
    session.flush()
    log.info("audit: %s %s by %s (%s)", action, subject, actor.id if actor else "-", reason)
    return entry
