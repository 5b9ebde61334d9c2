"""``flask lms api tokens ...``: create, list and revoke API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import policy
from lms.accounts.service import find_by_email
from lms.api import tokens
from lms.api.models import ApiToken
from lms.core.cli import fail
from lms.extensions import session

api_cli = AppGroup("api", help="The reports API.")
tokens_cli = AppGroup("tokens", help="API tokens of HR and admin users.")
api_cli.add_command(tokens_cli)


@tokens_cli.command("create")
@click.option("--user", "email", required=True, help="Email of the HR or admin user the token acts as.")
@click.option("--name", required=True, help="What will use the token.")
@click.option("--days", type=int, help="Days until it expires (default: until revoked).")
def create(email: str, name: str, days: int | None) -> None:
    """Create a token and print it (it is shown only this once)."""
    user = find_by_email(email)
    if user is None:
        fail(f"no user has the email {email}")
    try:
        token, plain = tokens.create_token(user, name, days=days)
    except tokens.TokenError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Token {token.id} for {user.email}; copy it now, it is not shown again:")
    click.echo(plain)


@tokens_cli.command("list")
def list_tokens() -> None:
    """Every token: id, prefix, owner, name and status (never the token itself)."""
    for token in session.scalars(select(ApiToken).order_by(ApiToken.id)):
        status = "revoked" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.user.email}\t{token.name}\t{status}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
@click.option("--by", "by_email", required=True, help="Email of the admin or owner who revokes it.")
def revoke(token_id: int, by_email: str) -> None:
    """Revoke a token; calls with it are refused from now on."""
    token = session.get(ApiToken, token_id)
    actor = find_by_email(by_email)
    if token is None:
        fail(f"no token has the id {token_id}")
    if actor is None or not tokens.may_revoke(token, actor):
        fail(f"{by_email} may not revoke token {token_id} (only its owner or an admin)")
    try:
        tokens.revoke_token(token, actor)
    except (policy.NotAllowed, tokens.TokenError) as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"token {token_id} revoked")
