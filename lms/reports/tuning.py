"""PostgreSQL settings for the report queries, for the current transaction only.

A report query scans every learner in scope once and groups a few hundred thousand rows. Two
server defaults hurt it: ``jit = on`` compiles such a plan for longer than it runs, and a
4 MB ``work_mem`` makes the planner sort (or spill) where a hash fits in a few megabytes.
``LMS_REPORT_PG_SETTINGS`` lists ``name=value`` pairs set with ``set_config(..., true)``
(``SET LOCAL``): they end with the transaction, so nothing else on the connection is changed.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from lms.extensions import session

NAME = re.compile(r"^[a-z_]+$")


def tune() -> None:
    """Apply LMS_REPORT_PG_SETTINGS to this transaction, on PostgreSQL (other databases: nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for pair in current_app.config["LMS_REPORT_PG_SETTINGS"]:
        name, _, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not NAME.match(name) or not value:
            raise ValueError(f"LMS_REPORT_PG_SETTINGS: {pair!r} is not name=value")
        session.execute(select(func.set_config(name, value, True)))
