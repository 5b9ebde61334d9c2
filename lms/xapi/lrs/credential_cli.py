"""``flask lms xapi credentials ...``: create, list and revoke LRS credentials (admins only)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.accounts import policy
from lms.core.cli import fail
from lms.extensions import session
from lms.xapi.lrs import credentials
from lms.xapi.lrs.auth import SCOPES

credentials_cli = AppGroup("credentials", help="HTTP Basic credentials for tools that use the LRS at /xapi/.")


@credentials_cli.command("create")
@click.option("--name", required=True, help="What will use the credentials.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(SCOPES),
    help="An xAPI scope (repeatable).",
)
@click.option("--by", "by_email", required=True, help="Email of the administrator who creates them.")
def create(name: str, scopes: tuple[str, ...], by_email: str) -> None:
    """Create credentials and print the key and secret (the secret is shown only this once)."""
    try:
        credential, secret = credentials.create_credential(name, list(scopes), policy.acting_user(by_email))
    except (policy.NotAllowed, credentials.CredentialError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(
        f"LRS credentials {credential.key} ({credential.name}); copy the secret now, it is not shown again:"
    )
    click.echo(f"endpoint: {credentials.endpoint_url()}")
    click.echo(f"key:      {credential.key}")
    click.echo(f"secret:   {secret}")
    click.echo(f"header:   Authorization: {credentials.basic_header(credential.key, secret)}")


@credentials_cli.command("list")
def list_credentials() -> None:
    """Every credential: key, name, scopes, status and last use (never the secret)."""
    for credential in credentials.all_credentials():
        status = "revoked" if credential.revoked_at else "active"
        used = credential.last_used_at.isoformat(timespec="minutes") if credential.last_used_at else "never"
        click.echo(
            f"{credential.key}\t{credential.name}\t{' '.join(credential.scopes)}\t{status}\tlast used {used}"
        )


@credentials_cli.command("revoke")
@click.argument("key")
@click.option("--by", "by_email", required=True, help="Email of the administrator who revokes them.")
def revoke(key: str, by_email: str) -> None:
    """Revoke the credentials with KEY: requests with them are refused from now on."""
    credential = credentials.find_by_key(key)
    if credential is None:
        fail(f"no LRS credentials have the key {key}")
    try:
        credentials.revoke_credential(credential, policy.acting_user(by_email))
    except (policy.NotAllowed, credentials.CredentialError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"LRS credentials {credential.key} revoked")
