"""Alembic environment for the LMS: its own metadata, its own tables, its own version table."""

from __future__ import annotations

import logging

from alembic import context
from flask import current_app

import lms.models  # noqa: F401  (registers every model on Base.metadata)
from lms.extensions import Base

config = context.config
log = logging.getLogger("alembic.env")
VERSION_TABLE = config.get_main_option("version_table") or "lms_alembic_version"


def include_object(obj, name, type_, reflected, compare_to):
    """Only LMS tables: a host's tables in the same database are not ours to change."""
    if type_ == "table":
        return name.startswith("lms_")
    return True


def engine():
    return current_app.extensions["sqlalchemy"].engine


def run_migrations_offline() -> None:
    context.configure(
        url=str(engine().url),
        target_metadata=Base.metadata,
        literal_binds=True,
        version_table=VERSION_TABLE,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
