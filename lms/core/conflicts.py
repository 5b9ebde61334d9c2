"""Double submits: two requests that insert the same unique row at the same moment.

A learner who clicks "Enrol" twice, or an admin who sends the new-user form twice, sends two
requests that both find no row and both insert one; the database's unique constraint refuses
the slower one. ``commit_once`` rolls that request back and runs its work again, now seeing the
row the faster one committed, so both requests get the same result (the service finds the
enrolment or the open attempt, or says the email is taken). See ADR 0032.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import abort
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.extensions import session

log = logging.getLogger(__name__)
T = TypeVar("T")


class ConcurrentWrite(RuntimeError):
    """A service found that another request wrote the row it meant to write, after it looked
    (where no unique constraint says so, e.g. the projection skipped a second enrolment)."""


def commit_once(action: Callable[[], T]) -> T:
    """Run ``action`` (service calls that flush) and commit. After a unique violation, roll back
    and run it once more; a second violation is a 409 that asks to reload."""
    for attempt in ("first", "second"):
        try:
            result = action()
            session.commit()
            return result
        except (IntegrityError, ConcurrentWrite) as error:
            session.rollback()
            log.info("a concurrent request wrote the same row first (%s run): %s", attempt, error)
    abort(409, _("Someone else changed the same record at the same moment. Reload the page and try again."))
