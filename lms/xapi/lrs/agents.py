"""Agents as request parameters, their identifiers (IFIs), and the Agents resource.

xAPI 1.0.3 (Communication 2.4): ``GET /xapi/agents?agent=<Agent JSON>`` answers a Person
object, every property an array. The ``agent`` parameter of every resource is one Agent (not a
Group, not a Person) with exactly one inverse functional identifier: ``mbox``,
``mbox_sha1sum``, ``openid`` or ``account``. :func:`agent_param` parses and checks it;
:func:`ifi_key` gives the string that identifies it in our tables.

The Person object is the agent itself plus the names stored statements gave that same
identifier, for a principal that may read statements (no others' data otherwise; PDPA).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import jsonify
from sqlalchemy import select

from lms.extensions import session
from lms.xapi.lrs import protocol
from lms.xapi.lrs.auth import current_principal
from lms.xapi.lrs.errors import BadRequest, LrsError

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_PROPERTIES = frozenset({"objectType", "name", *IFIS})
SHA1_HEX = re.compile(r"^[0-9a-f]{40}$")
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
NAMES_SCANNED = 200


def agent_param(value: str | None, name: str = "agent") -> dict[str, Any]:
    """The Agent object a query parameter carries, or BadRequest saying what is wrong."""
    if value is None or value == "":
        raise BadRequest(f"The {name!r} parameter is required (an Agent object as JSON).")
    try:
        agent = json.loads(value)
    except ValueError:
        raise BadRequest(f"The {name!r} parameter is not valid JSON.") from None
    check_agent(agent, name)
    return agent


def check_agent(agent: Any, name: str = "agent") -> None:
    if not isinstance(agent, dict):
        raise BadRequest(f"The {name!r} parameter must be an Agent object.")
    if agent.get("objectType", "Agent") != "Agent":
        raise BadRequest(f"The {name!r} parameter must be an Agent (objectType 'Agent'), not a Group.")
    unknown = sorted(set(agent) - AGENT_PROPERTIES)
    if unknown:
        raise BadRequest(f"The {name!r} parameter has properties an Agent has not: {', '.join(unknown)}.")
    given = [key for key in IFIS if key in agent]
    if len(given) != 1:
        raise BadRequest(f"The {name!r} parameter must have exactly one of {', '.join(IFIS)}.")
    if "name" in agent and not isinstance(agent["name"], str):
        raise BadRequest(f"The {name!r} parameter's name must be a string.")
    _check_ifi(given[0], agent[given[0]], name)


def _check_ifi(kind: str, value: Any, name: str) -> None:
    if kind == "mbox":
        ok = isinstance(value, str) and value.startswith("mailto:") and "@" in value
    elif kind == "mbox_sha1sum":
        ok = isinstance(value, str) and bool(SHA1_HEX.match(value.lower()))
    elif kind == "openid":
        ok = isinstance(value, str) and bool(ABSOLUTE_IRI.match(value))
    else:
        ok = (
            isinstance(value, dict)
            and set(value) == {"homePage", "name"}
            and isinstance(value["name"], str)
            and isinstance(value["homePage"], str)
            and bool(ABSOLUTE_IRI.match(value["homePage"]))
        )
    if not ok:
        raise BadRequest(f"The {name!r} parameter's {kind} is not valid.")


def ifi(agent: dict[str, Any]) -> tuple[str, Any]:
    """The agent's identifier: (kind, value); ``account`` as (homePage, name)."""
    for kind in IFIS:
        if kind in agent:
            value = agent[kind]
            if kind == "account":
                return kind, (value.get("homePage"), value.get("name"))
            if kind == "mbox_sha1sum":
                return kind, value.lower()
            return kind, value
    raise BadRequest("The agent has no identifier (mbox, mbox_sha1sum, openid or account).")


def ifi_key(agent: dict[str, Any]) -> str:
    """A string that is equal for two agents exactly when their identifiers are."""
    kind, value = ifi(agent)
    parts = [kind, *value] if kind == "account" else [kind, value]
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


def same_agent(a: Any, b: dict[str, Any]) -> bool:
    if not isinstance(a, dict):
        return False
    try:
        return ifi(a) == ifi(b)
    except BadRequest:
        return False


def person(agent: dict[str, Any], *, with_statements: bool) -> dict[str, Any]:
    """The Person object for ``agent``: its own identifier, and names stored statements give it."""
    kind, value = ifi(agent)
    names = [agent["name"]] if isinstance(agent.get("name"), str) else []
    if with_statements:
        names += [n for n in _names_in_statements(agent) if n not in names]
    found: dict[str, Any] = {"objectType": "Person"}
    if names:
        found["name"] = names
    found[kind] = [{"homePage": value[0], "name": value[1]} if kind == "account" else value]
    return found


def _names_in_statements(agent: dict[str, Any]) -> list[str]:
    """Names the latest statements with this agent as actor gave it (``actor_name`` narrows)."""
    from lms.xapi.models import StoredStatement

    kind, value = ifi(agent)
    column_value = value[1] if kind == "account" else value
    if kind == "mbox_sha1sum":
        return []
    rows = session.scalars(
        select(StoredStatement.raw)
        .where(StoredStatement.actor_name == column_value)
        .order_by(StoredStatement.seq.desc())
        .limit(NAMES_SCANNED)
    )
    names: list[str] = []
    for raw in rows:
        actor = _actor(raw)
        name = actor.get("name") if same_agent(actor, agent) else None
        if isinstance(name, str) and name not in names:
            names.append(name)
    return names


def _actor(raw: str) -> dict[str, Any]:
    try:
        actor = json.loads(raw).get("actor")
    except (ValueError, AttributeError):
        return {}
    return actor if isinstance(actor, dict) else {}


def agents_view():
    lrs = protocol.current()
    if lrs.method not in ("GET", "HEAD"):
        raise LrsError("The Agents resource answers GET and HEAD only.", status=405)
    principal = current_principal()
    agent = agent_param(lrs.args.get("agent"))
    return jsonify(person(agent, with_statements=principal.has("statements/read")))


def register(bp) -> None:
    bp.add_url_rule("/agents", endpoint="agents", view_func=agents_view, methods=["GET", "HEAD", "POST"])
