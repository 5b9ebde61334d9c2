"""The admin page of the relay: each target's backlog, failures, parked statements, last error,
and a "test connection" button. Credentials are never shown: only the endpoint and the user."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from lms.accounts.access import roles_required
from lms.accounts.models import Role
from lms.extensions import session
from lms.xapi.models import OutboxEntry, RelayTargetState
from lms.xapi.relay import outbox
from lms.xapi.relay.sender import Answer, Sender
from lms.xapi.relay.targets import Target, TargetError, configured


class TestConnectionForm(FlaskForm):
    """GET the target's about resource with its credentials."""

    target = HiddenField(_l("Target"), validators=[DataRequired()])


@dataclass(frozen=True)
class TargetRow:
    target: Target
    backlog: outbox.Backlog
    state: RelayTargetState | None
    parked: list[OutboxEntry]


@roles_required(Role.ADMIN)
def relay_page():
    return _page()


@roles_required(Role.ADMIN)
def test_connection():
    form = TestConnectionForm()
    if not form.validate_on_submit():
        abort(400)
    target = next((t for t in _targets() if t.name == form.target.data), None)
    if target is None:
        abort(404)
    sender = Sender(target, float(current_app.config["LMS_XAPI_RELAY_TIMEOUT"]))
    try:
        answer = sender.about()
    finally:
        sender.close()
    return _page(tested=target.name, answer=answer)


def _targets() -> list[Target]:
    try:
        return configured()
    except TargetError:
        return []


def _page(tested: str | None = None, answer: Answer | None = None):
    try:
        targets, error = configured(), None
    except TargetError as exc:
        targets, error = [], str(exc)
    rows = [
        TargetRow(t, outbox.backlog(t.name), session.get(RelayTargetState, t.name), outbox.parked(t.name))
        for t in targets
    ]
    return render_template(
        "lms/xapi/relay.html",
        rows=rows,
        config_error=error,
        form=TestConnectionForm(),
        tested=tested,
        answer=answer,
    )
