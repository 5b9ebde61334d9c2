"""What the LRS adds to a statement and the index rows its queries use, written with the statement.

A receiver of ``statement_recorded`` writes them in the recording transaction, for every
statement whatever path recorded it (our own pages, the seeder, the endpoint), so the GET
filters find our pages' statements too. The endpoint says who is storing through
:func:`storing_as`; anything else is stored by the LMS itself (the authority of
:func:`lms.xapi.lrs.auth.lms_authority`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select

from lms.extensions import session
from lms.signals import statement_recorded
from lms.xapi.lrs.auth import lms_authority
from lms.xapi.lrs.statement_models import LrsStatementKey, LrsStatementMeta
from lms.xapi.models import StoredStatement

DEFAULT_VERSION = "1.0.0"
PRIMARY_AGENT_ROLES = ("actor", "object")
PRIMARY_ACTIVITY_ROLES = ("object",)
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
LMS_STORER = "lms"

Key = tuple[str, str, str]


@dataclass
class Storing:
    """Who stores the statements of one request: their authority and their ``stored_by`` key."""

    authority: dict[str, Any]
    stored_by: str
    keep_given_authority: bool = False
    recorded: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)
    keys_by_id: dict[str, list[Key]] = field(default_factory=dict)


_storing: ContextVar[Storing | None] = ContextVar("lrs_storing", default=None)


@contextmanager
def storing_as(storing: Storing) -> Iterator[Storing]:
    """Statements recorded inside the block are stored by ``storing``. Their rows are inserted
    at the end, one multi-row INSERT per table, and StatementRefs waiting for one of them get
    its index rows then (one query per block)."""
    token = _storing.set(storing)
    try:
        yield storing
        _insert(storing)
        _resolve_waiting(storing.recorded)
    finally:
        _storing.reset(token)


@contextmanager
def stored_by_lms() -> Iterator[Storing]:
    """For bulk recording by the LMS itself (the demo seeder): its statements' LRS rows are
    written once at the end, one INSERT per table, instead of per statement."""
    with storing_as(Storing(lms_authority(), LMS_STORER)) as storing:
        yield storing


def ifi(agent: Any) -> str | None:
    """The inverse functional identifier of an Agent or Group, as one string (None if it has none)."""
    if not isinstance(agent, dict):
        return None
    for name in ("mbox", "mbox_sha1sum", "openid"):
        if isinstance(agent.get(name), str):
            return f"{name}:{agent[name]}"
    account = agent.get("account")
    if isinstance(account, dict) and "homePage" in account and "name" in account:
        return f"account:{account['homePage']}|{account['name']}"
    return None


def keys_of(statement: dict[str, Any], authority: dict[str, Any] | None) -> list[Key]:
    """The (kind, value, role) rows a statement's filters match on."""
    found: list[Key] = [("verb", statement["verb"]["id"], "verb")]
    registration = (statement.get("context") or {}).get("registration")
    if registration:
        found.append(("registration", registration.lower(), "registration"))
    found += _parts(statement, "")
    if authority is not None:
        found += _agent_keys(authority, "authority")
    return found


def _parts(statement: dict[str, Any], prefix: str) -> list[Key]:
    found = _agent_keys(statement["actor"], prefix + "actor")
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        found.append(("activity", obj["id"], prefix + "object"))
    elif kind in ("Agent", "Group"):
        found += _agent_keys(obj, prefix + "object")
    elif kind == "SubStatement" and not prefix:
        found += _parts(obj, "sub-")
    context = statement.get("context") or {}
    for role in ("instructor", "team"):
        if context.get(role):
            found += _agent_keys(context[role], prefix + role)
    for kind_name in CONTEXT_ACTIVITY_KINDS:
        activities = (context.get("contextActivities") or {}).get(kind_name) or []
        for activity in activities if isinstance(activities, list) else [activities]:
            found.append(("activity", activity["id"], prefix + "context"))
    return found


def _agent_keys(agent: dict[str, Any], role: str) -> list[Key]:
    found = [("agent", value, role)] if (value := ifi(agent)) else []
    for member in agent.get("member") or []:
        if member_ifi := ifi(member):
            found.append(("agent", member_ifi, "member"))
    return found


def target_of(statement: dict[str, Any]) -> str | None:
    obj = statement["object"]
    return obj.get("id") if obj.get("objectType") == "StatementRef" else None


def assemble(raw: str, meta: LrsStatementMeta | None, stored_at) -> dict[str, Any]:
    """The statement a client reads: as received, with what the LRS set."""
    statement = json.loads(raw)
    _context_activities_as_lists(statement)
    if statement["object"].get("objectType") == "SubStatement":
        _context_activities_as_lists(statement["object"])
    statement["stored"] = _iso(stored_at)
    if meta is not None:
        statement["authority"] = json.loads(meta.authority)
        statement.setdefault("version", meta.version)
    else:
        statement.setdefault("version", DEFAULT_VERSION)
    return statement


def _context_activities_as_lists(statement: dict[str, Any]) -> None:
    """A context activity sent as one object is returned in an array (Data 2.4.6.2)."""
    activities = (statement.get("context") or {}).get("contextActivities")
    if isinstance(activities, dict):
        for kind, value in activities.items():
            if isinstance(value, dict):
                activities[kind] = [value]


def _iso(moment) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def index_unindexed(batch: int = 1000) -> int:
    """Index the ledger's statements that have no LRS rows yet (those stored before migration
    0015), in ``seq`` order, as stored by the LMS; the caller commits. Returns how many."""
    storing = Storing(lms_authority(), LMS_STORER)
    done = 0
    while True:
        rows = session.scalars(
            select(StoredStatement)
            .outerjoin(LrsStatementMeta, LrsStatementMeta.seq == StoredStatement.seq)
            .where(LrsStatementMeta.seq.is_(None))
            .order_by(StoredStatement.seq)
            .limit(batch)
        ).all()
        if not rows:
            return done
        for row in rows:
            _write(json.loads(row.raw), row, storing)
        _insert(storing)
        _resolve_waiting([row.id for row in rows])
        storing.keys_by_id.clear()
        done += len(rows)


@statement_recorded.connect
def _index_recorded(sender, statement: dict[str, Any], row: StoredStatement, **_extra) -> None:
    """Index a statement as it is recorded. Outside the endpoint the LMS stored it, with a fresh
    id, so nothing stored earlier can reference it: no waiting StatementRefs to look for."""
    storing = _storing.get()
    if storing is None:
        alone = Storing(lms_authority(), LMS_STORER)
        _write(statement, row, alone)
        _insert(alone)
        return
    _write(statement, row, storing)
    storing.recorded.append(row.id)


def _write(statement: dict[str, Any], row: StoredStatement, storing: Storing) -> None:
    authority = storing.authority
    if storing.keep_given_authority and isinstance(statement.get("authority"), dict):
        authority = statement["authority"]
    target = target_of(statement)
    storing.metas.append(
        {
            "seq": row.seq,
            "authority": json.dumps(authority, ensure_ascii=False, separators=(",", ":")),
            "version": statement.get("version") or DEFAULT_VERSION,
            "stored_by": storing.stored_by,
            "target_id": target,
        }
    )
    own = list(dict.fromkeys(keys_of(statement, authority)))
    inherited = []
    if target is not None:
        found = storing.keys_by_id.get(target)
        inherited = found if found is not None else _keys_of_stored(target)
    storing.keys_by_id[row.id] = own + inherited
    storing.keys += _key_rows(row.seq, own, inherited=False) + _key_rows(row.seq, inherited, inherited=True)


def _key_rows(seq: int, keys: Iterable[Key], *, inherited: bool) -> list[dict[str, Any]]:
    return [
        {"seq": seq, "kind": kind, "value": value[:2048], "role": role, "inherited": inherited}
        for kind, value, role in dict.fromkeys(keys)
    ]


def _insert(storing: Storing) -> None:
    """Write the rows ``_write`` collected (Core executemany: no ORM objects per row)."""
    if storing.metas:
        session.execute(insert(LrsStatementMeta), storing.metas)
    if storing.keys:
        session.execute(insert(LrsStatementKey), storing.keys)
    storing.metas, storing.keys = [], []


def _keys_of_stored(statement_id: str) -> list[Key]:
    rows = session.execute(
        select(LrsStatementKey.kind, LrsStatementKey.value, LrsStatementKey.role)
        .join(StoredStatement, StoredStatement.seq == LrsStatementKey.seq)
        .where(StoredStatement.id == statement_id)
    )
    return [tuple(r) for r in rows]


def _resolve_waiting(statement_ids: list[str]) -> None:
    """Give statements stored before these, and referencing them, their index rows (recursively:
    a reference to a reference inherits too). Those stored after already copied them."""
    if not statement_ids:
        return
    waiting = session.execute(
        select(LrsStatementMeta.seq, LrsStatementMeta.target_id, StoredStatement.id)
        .join(StoredStatement, StoredStatement.seq == LrsStatementMeta.seq)
        .where(LrsStatementMeta.target_id.in_(statement_ids))
    ).all()
    if not waiting:
        return
    seqs = dict(
        session.execute(
            select(StoredStatement.id, StoredStatement.seq).where(StoredStatement.id.in_(statement_ids))
        ).all()
    )
    for referrer_seq, target, referrer_id in waiting:
        if referrer_seq < seqs[target]:
            _propagate(referrer_seq, referrer_id, _keys_of_stored(target), seqs[target], {target})


def _referrers(statement_id: str, before_seq: int) -> list[tuple[int, str]]:
    return session.execute(
        select(LrsStatementMeta.seq, StoredStatement.id)
        .join(StoredStatement, StoredStatement.seq == LrsStatementMeta.seq)
        .where(LrsStatementMeta.target_id == statement_id, LrsStatementMeta.seq < before_seq)
    ).all()


def _propagate(seq: int, statement_id: str, keys: list[Key], source_seq: int, seen: set[str]) -> None:
    if statement_id in seen:
        return
    seen.add(statement_id)
    session.execute(insert(LrsStatementKey), _key_rows(seq, keys, inherited=True))
    for referrer_seq, referrer_id in _referrers(statement_id, source_seq):
        _propagate(referrer_seq, referrer_id, keys, source_seq, seen)
