"""Flask-Migrate's ``flask --app lms db ...`` commands, loaded only when one of them runs.

Importing Flask-Migrate imports Alembic, about a tenth of the standalone app's start-up; a web
worker and ``flask lms ...`` do not need it (``flask lms db`` has its own). See ADR 0034.
"""

from __future__ import annotations

import click
from flask import Flask, g
from flask.cli import ScriptInfo, with_appcontext

from lms.extensions import db


class LazyMigrateGroup(click.Group):
    """Stands for Flask-Migrate's ``db`` group until a command of it is asked for."""

    def __init__(self, directory: str) -> None:
        super().__init__(
            "db",
            help="Flask-Migrate's migration commands (the LMS's own: flask lms db).",
            params=[
                click.Option(["-d", "--directory"], default=None, help="Migration script directory"),
                click.Option(["-x", "--x-arg"], multiple=True, help="Arguments for custom env.py scripts"),
            ],
            callback=with_appcontext(_remember_options),
        )
        self.directory = directory

    def _group(self, ctx: click.Context) -> click.Group:
        from flask_migrate import Migrate
        from flask_migrate.cli import db as migrate_group

        app = ctx.ensure_object(ScriptInfo).load_app()
        if "migrate" not in app.extensions:
            Migrate(app, db, directory=self.directory, compare_type=True)
        return migrate_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._group(ctx).get_command(ctx, name)


def _remember_options(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """What Flask-Migrate's own ``db`` group does with its options: its commands read them."""
    g.directory = directory
    g.x_arg = x_arg


def register_migrate_commands(app: Flask, directory: str) -> None:
    app.cli.add_command(LazyMigrateGroup(directory))
