"""Storing, merging and deleting LRS documents, with the spec's concurrency rules.

xAPI 1.0.3, Communication 2.2 and 3.1:
- the ETag is the SHA-1 of the content (hex, lowercase), sent quoted;
- ``If-Match`` (an ETag or ``*``) and ``If-None-Match`` (``*`` or ETags) are honoured on PUT,
  POST and DELETE of every document resource; a failed precondition is 412 and writes nothing;
- a PUT to an Activity or Agent Profile must carry one of them: without either, 409 if the
  document exists (the spec) and 400 if it does not (the ADL conformance suite checks this);
  the State resource takes PUT, POST and DELETE without them;
- POST merges: both the stored and the posted document must be JSON objects sent as
  ``application/json`` (else 400), and the posted object's top-level properties replace the
  stored ones. A POST to a document that does not exist stores it as a PUT would.

Each function here is one write and commits it; a refused request has changed nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import utcnow
from lms.extensions import session
from lms.xapi.lrs.document_models import LrsDocument
from lms.xapi.lrs.errors import BadRequest, Conflict, PreconditionFailed

JSON_TYPE = "application/json"
DEFAULT_TYPE = "application/octet-stream"
KINDS = ("state", "activity_profile", "agent_profile")


def _sha256(parts: list[Any]) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - the spec names SHA-1 for ETags


@dataclass(frozen=True)
class Scope:
    """Which documents: a resource kind, and the activity and/or agent they belong to."""

    kind: str
    activity_id: str | None = None
    agent_ifi: str | None = None

    @property
    def sha256(self) -> str:
        return _sha256([self.kind, self.activity_id, self.agent_ifi])


@dataclass(frozen=True)
class DocumentKey:
    """One document: its scope, its id and (State only) its registration."""

    scope: Scope
    document_id: str
    registration: str | None = None

    @property
    def sha256(self) -> str:
        return _sha256([self.scope.sha256, self.registration, self.document_id])


@dataclass(frozen=True)
class Preconditions:
    """The request's ``If-Match`` and ``If-None-Match`` headers, as sent."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class Upload:
    """A document as a PUT or POST sends it."""

    content: bytes
    content_type: str | None

    @property
    def mimetype(self) -> str:
        return mimetype(self.content_type)


def mimetype(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def find(key: DocumentKey, *, for_update: bool = False) -> LrsDocument | None:
    query = select(LrsDocument).where(LrsDocument.key_sha256 == key.sha256)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def ids(scope: Scope, *, registration: str | None = None, since: datetime | None = None):
    """The ids of the scope's documents (all registrations unless one is given), and the
    latest time one of them changed (None when there are none)."""
    query = select(LrsDocument.document_id, LrsDocument.updated_at).where(
        LrsDocument.scope_sha256 == scope.sha256
    )
    if registration is not None:
        query = query.where(LrsDocument.registration == registration)
    if since is not None:
        query = query.where(LrsDocument.updated_at > since)
    rows = session.execute(query.order_by(LrsDocument.updated_at, LrsDocument.id)).all()
    found = list(dict.fromkeys(row.document_id for row in rows))
    return found, (rows[-1].updated_at if rows else None)


def put(key: DocumentKey, upload: Upload, pre: Preconditions, *, header_required: bool) -> None:
    existing = find(key, for_update=True)
    check(existing, pre, header_required=header_required)
    _store(key, existing, upload.content, upload.content_type or DEFAULT_TYPE)


def post(key: DocumentKey, upload: Upload, pre: Preconditions) -> None:
    existing = find(key, for_update=True)
    check(existing, pre, header_required=False)
    posted = _json_object(upload) if upload.mimetype == JSON_TYPE else None
    if existing is None:
        _store(key, None, upload.content, upload.content_type or DEFAULT_TYPE)
        return
    if posted is None or mimetype(existing.content_type) != JSON_TYPE:
        raise BadRequest(
            "A POST merges JSON: both the stored document and the posted one must be "
            "application/json objects (use PUT to replace a document of another type)."
        )
    stored = _loads_object(existing.content)
    if stored is None:
        raise BadRequest("The stored document is not a JSON object, so a POST cannot merge into it.")
    merged = json.dumps({**stored, **posted}, ensure_ascii=False).encode("utf-8")
    _store(key, existing, merged, JSON_TYPE)


def delete_one(key: DocumentKey, pre: Preconditions) -> None:
    existing = find(key, for_update=True)
    check(existing, pre, header_required=False)
    if existing is not None:
        session.delete(existing)
        session.commit()


def delete_all(scope: Scope, *, registration: str | None = None) -> None:
    query = delete(LrsDocument).where(LrsDocument.scope_sha256 == scope.sha256)
    if registration is not None:
        query = query.where(LrsDocument.registration == registration)
    session.execute(query)
    session.commit()


def check(existing: LrsDocument | None, pre: Preconditions, *, header_required: bool) -> None:
    """Raise the spec's error when the request's preconditions do not hold for ``existing``."""
    if pre.if_match is not None and not _matches(existing, pre.if_match):
        raise PreconditionFailed(
            "If-Match does not match the document's current ETag (or it does not exist)."
        )
    if pre.if_none_match is not None and _matches(existing, pre.if_none_match):
        raise PreconditionFailed("If-None-Match: the document exists (with that ETag).")
    if header_required and not pre.given:
        if existing is not None:
            raise Conflict(
                "This document already exists. Check its current state (GET) and send the PUT "
                "again with If-Match set to its current ETag."
            )
        raise BadRequest("A PUT to a profile needs If-Match or If-None-Match: * (xAPI 1.0.3, 3.1).")


def _matches(existing: LrsDocument | None, header: str) -> bool:
    if existing is None:
        return False
    tags = {_unquote(tag) for tag in header.split(",")}
    return "*" in tags or existing.etag in tags


def _unquote(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"').lower()


def _json_object(upload: Upload) -> dict[str, Any]:
    found = _loads_object(upload.content)
    if found is None:
        raise BadRequest("The document is sent as application/json but is not a JSON object.")
    return found


def _loads_object(content: bytes) -> dict[str, Any] | None:
    try:
        found = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return found if isinstance(found, dict) else None


def _store(key: DocumentKey, existing: LrsDocument | None, content: bytes, content_type: str) -> None:
    document = existing or LrsDocument(
        kind=key.scope.kind,
        scope_sha256=key.scope.sha256,
        key_sha256=key.sha256,
        activity_id=key.scope.activity_id,
        agent_ifi=key.scope.agent_ifi,
        registration=key.registration,
        document_id=key.document_id,
    )
    document.content = content
    document.content_type = content_type[:255]
    document.etag = etag_of(content)
    document.updated_at = utcnow()
    session.add(document)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("The document was written by another request at the same time; try again.") from None
