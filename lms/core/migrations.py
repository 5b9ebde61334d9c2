"""Run the LMS's own Alembic migrations, whether or not the host app uses Flask-Migrate.

An app holds one Flask-Migrate, and a host may already use it for its own history. So the
LMS drives Alembic directly on its script folder and its own version table.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "lms_alembic_version"


def alembic_config(stdout=None) -> Config:
    from alembic.config import Config  # Alembic is imported when a migration command runs (ADR 0034)

    directory = current_app.extensions["lms"].migrations_dir
    config = Config(stdout=stdout or io.StringIO())
    config.set_main_option("script_location", str(directory))
    config.set_main_option("version_table", VERSION_TABLE)
    return config


def upgrade(revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(), revision)


def downgrade(revision: str = "-1") -> None:
    from alembic import command

    command.downgrade(alembic_config(), revision)


def current() -> str:
    from alembic import command

    out = io.StringIO()
    command.current(alembic_config(out))
    return out.getvalue().strip()
