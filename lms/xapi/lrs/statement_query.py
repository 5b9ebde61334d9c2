"""GET /xapi/statements: the query parameters, their SQL, and ``more`` paging.

Every filter is an ``EXISTS`` on the index (``lms_lrs_statement_keys``), so it is one query
whatever is combined. Results are in ``seq`` order (the order statements were stored), newest
first unless ``ascending``. Paging is a cursor over ``seq``: the first page fixes a ceiling (the
last ``seq`` stored then), so statements arriving meanwhile never shift a page; the ``more``
token carries the parameters, the ceiling and the last ``seq`` returned, signed so a client
cannot alter it (the current principal's read limits are applied again on every page).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, and_, exists, func, select

from lms.extensions import session
from lms.xapi.lrs.auth import Principal
from lms.xapi.lrs.errors import BadRequest
from lms.xapi.lrs.statement_models import LrsStatementKey, LrsStatementMeta
from lms.xapi.lrs.statement_store import (
    LMS_STORER,
    PRIMARY_ACTIVITY_ROLES,
    PRIMARY_AGENT_ROLES,
    ifi,
)
from lms.xapi.models import StoredStatement

SINGLE = ("statementId", "voidedStatementId")
FILTERS = (
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "ascending",
)
ALWAYS = ("format", "attachments")
FORMATS = ("exact", "ids", "canonical")
BOOLEANS = ("related_activities", "related_agents", "ascending", "attachments")


@dataclass
class Query:
    """The parameters of one statement query, checked."""

    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: str | None = None
    until: str | None = None
    limit: int = 0
    ascending: bool = False
    format: str = "exact"
    attachments: bool = False
    ceiling: int | None = None
    after: int | None = None


def check_params(args) -> None:
    """400 for an unknown parameter, a repeated one, or a single-statement fetch with filters."""
    for name in args:
        if name not in SINGLE + FILTERS + ALWAYS:
            raise BadRequest(f"{name!r} is not a parameter of the statements resource.")
        if len(args.getlist(name)) > 1:
            raise BadRequest(f"The parameter {name!r} is given more than once.")
    given = [name for name in SINGLE if name in args]
    if len(given) == 2:
        raise BadRequest("Give statementId or voidedStatementId, not both.")
    if given and any(name in args for name in FILTERS):
        raise BadRequest(f"{given[0]} may only be combined with 'format' and 'attachments'.")


def read_format(args) -> tuple[str, bool]:
    fmt = args.get("format", "exact")
    if fmt not in FORMATS:
        raise BadRequest("format must be one of exact, ids, canonical.")
    return fmt, _bool(args, "attachments")


def parse(args) -> Query:
    fmt, attachments = read_format(args)
    query = Query(format=fmt, attachments=attachments)
    if "agent" in args:
        query.agent = _agent_ifi(args["agent"])
    query.verb = args.get("verb") or None
    query.activity = args.get("activity") or None
    if "registration" in args:
        query.registration = uuid_param(args["registration"], "registration")
    query.related_activities = _bool(args, "related_activities")
    query.related_agents = _bool(args, "related_agents")
    query.ascending = _bool(args, "ascending")
    query.since = _timestamp(args, "since")
    query.until = _timestamp(args, "until")
    query.limit = _limit(args)
    return query


def run(query: Query, principal: Principal) -> tuple[list[tuple], str | None]:
    """The rows of one page, ``(StoredStatement, LrsStatementMeta|None)``, and the ``more`` token."""
    if query.ceiling is None:
        query.ceiling = session.scalar(select(func.max(StoredStatement.seq))) or 0
    page_size = page_limit(query.limit)
    rows = session.execute(_select(query, principal).limit(page_size + 1)).all()
    more = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        more = encode(query, rows[-1][0].seq)
    return rows, more


def single(statement_id: str, *, voided: bool, principal: Principal) -> tuple | None:
    """The statement with this id (voided or not, as asked), if the principal may read it."""
    statement_id = uuid_param(statement_id, "voidedStatementId" if voided else "statementId")
    stmt = (
        _base(principal)
        .where(StoredStatement.id == statement_id)
        .where(StoredStatement.is_voided.is_(voided))
    )
    return session.execute(stmt).first()


def page_limit(limit: int) -> int:
    server_max = int(current_app.config["LMS_LRS_PAGE_SIZE"])
    return server_max if limit <= 0 else min(limit, server_max)


def encode(query: Query, last_seq: int) -> str:
    state = asdict(query) | {"after": last_seq}
    return _serializer().dumps(state)


def decode(token: str) -> Query:
    try:
        state = _serializer().loads(token)
        return Query(**state)
    except (BadSignature, TypeError):
        raise BadRequest("This 'more' link is not valid.") from None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lms-lrs-more")


def _base(principal: Principal) -> Select:
    stmt = select(StoredStatement, LrsStatementMeta).outerjoin(
        LrsStatementMeta, LrsStatementMeta.seq == StoredStatement.seq
    )
    if principal.reads_only_own:
        stmt = stmt.where(_own(principal))
    return stmt


def _own(principal: Principal):
    """What a principal without ``statements/read`` may read: a credential, what it stored; a
    signed-in learner (or a launch), statements about themselves."""
    if principal.credential_id is not None:
        return LrsStatementMeta.stored_by == storer_key(principal)
    if principal.user_id is not None:
        return StoredStatement.user_id == principal.user_id
    return StoredStatement.seq.is_(None)


def storer_key(principal: Principal) -> str:
    """The ``stored_by`` of statements a principal stores."""
    if principal.credential_id is not None:
        return f"credential:{principal.credential_id}"
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    return LMS_STORER


def _select(query: Query, principal: Principal) -> Select:
    stmt = _base(principal).where(StoredStatement.is_voided.is_(False))
    stmt = stmt.where(StoredStatement.seq <= query.ceiling)
    if query.after is not None:
        bound = StoredStatement.seq > query.after if query.ascending else StoredStatement.seq < query.after
        stmt = stmt.where(bound)
    for condition in _conditions(query):
        stmt = stmt.where(condition)
    # ``stored`` is shown to the millisecond: compare on the millisecond a stored_at falls in.
    if query.since:
        stmt = stmt.where(StoredStatement.stored_at >= _next_millisecond(query.since))
    if query.until:
        stmt = stmt.where(StoredStatement.stored_at < _next_millisecond(query.until))
    order = StoredStatement.seq.asc() if query.ascending else StoredStatement.seq.desc()
    return stmt.order_by(order)


def _next_millisecond(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000) + timedelta(milliseconds=1)


def _conditions(query: Query) -> list:
    found = []
    if query.agent:
        roles = None if query.related_agents else PRIMARY_AGENT_ROLES
        found.append(_has("agent", query.agent, roles))
    if query.activity:
        roles = None if query.related_activities else PRIMARY_ACTIVITY_ROLES
        found.append(_has("activity", query.activity, roles))
    if query.verb:
        found.append(_has("verb", query.verb, None))
    if query.registration:
        found.append(_has("registration", query.registration, None))
    return found


def _has(kind: str, value: str, roles: tuple[str, ...] | None):
    condition = and_(
        LrsStatementKey.seq == StoredStatement.seq,
        LrsStatementKey.kind == kind,
        LrsStatementKey.value == value,
    )
    if roles is not None:
        condition = and_(condition, LrsStatementKey.role.in_(roles))
    return exists().where(condition)


def _agent_ifi(text: str) -> str:
    try:
        agent = json.loads(text)
    except ValueError:
        raise BadRequest("agent must be an Agent or identified Group as JSON.") from None
    found = ifi(agent)
    if found is None or (
        isinstance(agent, dict) and agent.get("objectType", "Agent") not in ("Agent", "Group")
    ):
        raise BadRequest("agent must be an Agent or identified Group with one identifier.")
    names = [n for n in ("mbox", "mbox_sha1sum", "openid", "account") if n in agent]
    if len(names) != 1:
        raise BadRequest("agent must have exactly one inverse functional identifier.")
    return found


def uuid_param(value: str, name: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise BadRequest(f"{name} must be a UUID.") from None


def _bool(args, name: str) -> bool:
    value = args.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false.")
    return value == "true"


def _timestamp(args, name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 timestamp.") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{name} must give a time zone (Z or an offset).")
    return moment.isoformat()


def _limit(args) -> int:
    value = args.get("limit", "0")
    if not value.isdigit():
        raise BadRequest("limit must be a whole number (0 for the server's maximum).")
    return int(value)
