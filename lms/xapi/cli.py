"""``flask lms xapi ...``: the statement store."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.accounts import policy
from lms.core.cli import fail
from lms.extensions import session
from lms.xapi.lrs.credential_cli import credentials_cli
from lms.xapi.relay.cli import relay_cli
from lms.xapi.voiding import VoidError, void_statement

xapi_cli = AppGroup("xapi", help="The xAPI statement store.")
xapi_cli.add_command(relay_cli)
xapi_cli.add_command(credentials_cli)


@xapi_cli.command("lrs-index")
def lrs_index() -> None:
    """Index statements stored before the LRS's query index (migration 0015) for GET filters."""
    from lms.xapi.lrs.statement_store import index_unindexed

    count = index_unindexed()
    session.commit()
    click.echo(f"{count} statement(s) indexed for /xapi/statements queries.")


@xapi_cli.command("void")
@click.argument("statement_id")
@click.option("--reason", required=True, help="Why the statement is withdrawn (kept in the audit log).")
@click.option("--by", "by_email", required=True, help="Email of the administrator who voids it.")
def void(statement_id: str, reason: str, by_email: str) -> None:
    """Void STATEMENT_ID: re-derive its enrolment's progress without it (audited)."""
    try:
        void_statement(statement_id, reason, policy.acting_user(by_email))
    except (policy.NotAllowed, VoidError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Statement {statement_id.strip()} voided; its enrolment's progress was re-derived.")
