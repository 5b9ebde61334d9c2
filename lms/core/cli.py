"""What every ``flask lms`` command does when it cannot go on."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from lms.extensions import session


def fail(message: str) -> NoReturn:
    """Undo what the command wrote, print ``Error: message`` on stderr and exit with 1."""
    session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)
