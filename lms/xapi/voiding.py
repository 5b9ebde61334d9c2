"""Voiding a statement on an administrator's word: the one way a person withdraws a record.

The voiding statement goes through ``record`` like any other, with the administrator as its
actor (their opaque account), so the ledger itself says who voided what and when; the audit
log keeps the reason. ``record`` re-derives the registration the target belonged to.
"""

from __future__ import annotations

import logging
import uuid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import policy
from lms.accounts.models import User
from lms.audit.service import audit
from lms.extensions import session
from lms.xapi import builder
from lms.xapi.models import StoredStatement
from lms.xapi.service import record
from lms.xapi.vocabulary import VERBS

log = logging.getLogger(__name__)


class VoidError(ValueError):
    """A void that is refused; the message says why (in the request's language)."""


def void_statement(statement_id: str, reason: str, by: User) -> StoredStatement:
    """Void one stored statement. Only an administrator may, and only with a reason."""
    try:
        policy.require(by, policy.VOID_STATEMENTS)
    except policy.NotAllowed as exc:
        raise VoidError(str(exc)) from None
    if not reason.strip():
        raise VoidError(_("Give the reason for voiding the statement."))
    target = _target(statement_id)
    voiding = builder.voiding(current_app.config["LMS_BASE_URL"], by.uuid, target.id)
    row = record(voiding, user_id=by.id)
    audit(by, "statement.void", f"statement:{target.id}", reason.strip(), verb=target.verb_id, voiding=row.id)
    log.warning("statement %s voided by user %s: %s", target.id, by.id, reason.strip())
    return row


def _target(statement_id: str) -> StoredStatement:
    try:
        statement_id = str(uuid.UUID(statement_id.strip()))
    except ValueError:
        raise VoidError(_("%(id)s is not a statement id (a UUID).", id=statement_id)) from None
    target = session.scalar(select(StoredStatement).where(StoredStatement.id == statement_id))
    if target is None:
        raise VoidError(_("No statement has the id %(id)s.", id=statement_id))
    if target.verb_id == VERBS["voided"]:
        raise VoidError(_("A voiding statement cannot itself be voided."))
    if target.is_voided:
        raise VoidError(_("Statement %(id)s is already voided.", id=statement_id))
    return target
