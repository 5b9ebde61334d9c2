"""``flask lms xapi relay ...``: run the relay, queue old statements, test a target."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime

import click
from flask import current_app

from lms.core.cli import fail
from lms.extensions import session
from lms.xapi.relay import outbox
from lms.xapi.relay.runner import Relay
from lms.xapi.relay.sender import Sender
from lms.xapi.relay.targets import TargetError, configured, named


@click.group("relay", invoke_without_command=True)
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron or a test).")
@click.option("--target", "target_name", help="Only this target of LMS_XAPI_FORWARD.")
@click.pass_context
def relay_cli(ctx: click.Context, once: bool, target_name: str | None) -> None:
    """Send the outbox to the external LRSs of LMS_XAPI_FORWARD (runs until stopped)."""
    if ctx.invoked_subcommand is not None:
        return
    targets = _targets(target_name)
    if not targets:
        fail("No external LRS is configured: set LMS_XAPI_FORWARD.")
    relay = Relay(targets)
    try:
        if once:
            click.echo(f"{relay.run_once()} statement(s) delivered.")
            _summary(targets)
        else:
            _forever(relay)
    finally:
        relay.close()


def _targets(target_name: str | None):
    try:
        return [named(target_name)] if target_name else configured()
    except TargetError as exc:
        fail(str(exc))


def _forever(relay: Relay) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Relaying to {', '.join(t.name for t in relay.targets)}; stop with Ctrl-C or SIGTERM.")
    relay.run(stop)


def _summary(targets) -> None:
    for target in targets:
        backlog = outbox.backlog(target.name)
        click.echo(
            f"{target.name}: {backlog.pending} pending, {backlog.failing} failing, {backlog.parked} parked."
        )


@relay_cli.command("backfill")
@click.argument("target_name")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only statements stored from this day on (UTC).",
)
def backfill(target_name: str, since: datetime | None) -> None:
    """Queue for TARGET the stored statements not queued for it yet (a target added later)."""
    target = _targets(target_name)[0]
    queued = outbox.backfill(target, since.replace(tzinfo=UTC) if since else None)
    session.commit()
    click.echo(f"{queued} statement(s) queued for {target.name}.")


@relay_cli.command("test")
@click.argument("target_name")
def test_connection(target_name: str) -> None:
    """GET TARGET's about resource with its credentials and print the answer."""
    sender = Sender(_targets(target_name)[0], float(current_app.config["LMS_XAPI_RELAY_TIMEOUT"]))
    try:
        answer = sender.about()
    finally:
        sender.close()
    if answer.status != 200:
        fail(f"{target_name}: {answer.describe()}")
    click.echo(f"{target_name}: {answer.describe()}")
