"""Statement bodies with attachments (multipart/mixed) and signed statements (JWS).

xAPI 1.0.3 (Communication 1.5.2, Data 2.4.11): a PUT or POST of statements is either
``application/json``, where every attachment has a ``fileUrl``, or ``multipart/mixed`` (RFC 2046,
CRLF line breaks): the first part is the statement(s) as ``application/json``, and each further
part is the raw data of one attachment with an ``X-Experience-API-Hash`` header (its SHA-2) and
``Content-Transfer-Encoding: binary`` (assumed when absent, as the spec advises).

The statements resource calls :func:`read_body` on PUT/POST, then :func:`check_and_store` before
recording, and :func:`multipart_response` for GET ``attachments=true``. The relay can use
:func:`multipart_body` to push statements with their attachment data, as the spec requires.

A statement's declared ``length`` is not compared with its part's size: the ADL conformance
suite itself sends parts whose size differs from the declared length and expects them stored.
A part's own ``Content-Length`` and ``Content-Type`` headers, when present, must agree with the
attachment object (Communication 1.5.2); parts are matched to attachments by SHA-2 only.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header

from lms.accounts.models import utcnow
from lms.extensions import session
from lms.xapi.lrs.attachment_models import LrsAttachment
from lms.xapi.lrs.errors import BadRequest, TooLarge
from lms.xapi.lrs.protocol import LrsRequest

DEFAULT_MAX_BODY_MB = 20
CRLF = b"\r\n"
# SHA-2 digests by the length of their hex spelling.
HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
HEX = frozenset("0123456789abcdef")
MEDIA_TYPE = re.compile(r"^[\w!#$&^.+-]+/[\w!#$&^.+-]+\s*(;.*)?$", re.S)
INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


@dataclass
class Part:
    """One part of a multipart/mixed body: its headers (case-insensitive) and raw octets."""

    headers: Headers
    body: bytes

    @property
    def content_type(self) -> str:
        return _media_type(self.headers.get("Content-Type") or "text/plain")


@dataclass
class StatementBody:
    """The statement(s) a PUT or POST carries, and the attachment payloads by their sha2.

    ``raw`` is the statements' JSON as received (the first part of a multipart body);
    ``parts`` holds each attachment part by its sha2 (lowercase), ``payloads`` its octets.
    """

    statements: Any
    raw: bytes
    payloads: dict[str, bytes] = field(default_factory=dict)
    parts: dict[str, Part] = field(default_factory=dict)


def read_body(lrs: LrsRequest) -> StatementBody:
    """Parse a statements PUT/POST body: JSON, or multipart/mixed with attachment parts."""
    limit = current_app.config.get("LMS_LRS_MAX_BODY_MB", DEFAULT_MAX_BODY_MB) * 1024 * 1024
    if len(lrs.body) > limit:
        raise TooLarge(f"The body is larger than this LRS accepts ({limit // (1024 * 1024)} MB).")
    if lrs.content_type == "application/json":
        return _json_body(lrs.body)
    if lrs.content_type == "multipart/mixed":
        return _multipart_body(lrs)
    raise BadRequest("Statements must be sent as application/json (or multipart/mixed with attachments).")


def check_and_store(statements: list[dict[str, Any]], body: StatementBody) -> None:
    """Check every attachment the statements declare against the payloads sent (and signatures),
    and keep the payloads; raises an ``LrsError`` and writes nothing when one is wrong.

    The payloads join the caller's transaction (the caller commits with the statements)."""
    statements = statements if isinstance(statements, list) else [statements]
    declared = _declared(statements)
    _check_parts(body, declared)
    _check_all_sent(body, declared)
    for statement in statements:
        from lms.xapi.lrs import signatures  # cryptography, for signed statements only

        signatures.verify_statement(statement, body.payloads)
    _store(body, declared)


def multipart_response(result_json: str | bytes, statement_dicts: Iterable[dict[str, Any]]) -> Response:
    """GET ``attachments=true``: the StatementResult first, then each stored attachment payload
    the returned statements refer to."""
    data, content_type = multipart_body(result_json, statement_dicts)
    return current_app.response_class(data, status=200, content_type=content_type)


def multipart_body(first_json: str | bytes, statement_dicts: Iterable[dict[str, Any]]) -> tuple[bytes, str]:
    """A multipart/mixed body (and its Content-Type) of ``first_json`` and the stored payloads
    of the attachments ``statement_dicts`` declare; attachments not stored are left out."""
    if isinstance(first_json, str):
        first_json = first_json.encode("utf-8")
    parts = [(Headers({"Content-Type": "application/json"}), first_json)]
    for row in stored_payloads(statement_dicts):
        headers = Headers()
        headers.add("Content-Type", row.content_type)
        headers.add("Content-Transfer-Encoding", "binary")
        headers.add("X-Experience-API-Hash", row.sha2)
        parts.append((headers, row.payload))
    boundary = _boundary_for(body for _, body in parts)
    return _encode(parts, boundary), f"multipart/mixed; boundary={boundary}"


def stored_payloads(statement_dicts: Iterable[dict[str, Any]]) -> list[LrsAttachment]:
    """The stored payloads the statements' attachments refer to, once each, in order."""
    wanted = list(_declared(list(statement_dicts), strict=False))
    if not wanted:
        return []
    found = {
        row.sha2: row for row in session.scalars(select(LrsAttachment).where(LrsAttachment.sha2.in_(wanted)))
    }
    return [found[sha2] for sha2 in wanted if sha2 in found]


def _json_body(data: bytes) -> StatementBody:
    try:
        return StatementBody(json.loads(data), data)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.") from None


def _multipart_body(lrs: LrsRequest) -> StatementBody:
    _, options = parse_options_header(lrs.headers.get("Content-Type"))
    boundary = options.get("boundary")
    if not boundary:
        raise BadRequest("A multipart/mixed body needs a boundary in its Content-Type header.")
    first, *rest = split_multipart(lrs.body, boundary.encode("latin-1"))
    if first.content_type != "application/json":
        raise BadRequest(
            "The first part of a multipart/mixed body must be the statements, as application/json."
        )
    body = _json_body(first.body)
    for part in rest:
        sha2 = _part_hash(part)
        body.payloads[sha2] = part.body
        body.parts[sha2] = part
    return body


def split_multipart(data: bytes, boundary: bytes) -> list[Part]:
    """The parts of an RFC 2046 multipart body: a preamble before the first boundary line and an
    epilogue after the closing one are ignored; a body without either boundary is refused."""
    delimiter = b"--" + boundary
    if data.startswith(delimiter):
        start = len(delimiter)
    else:
        found = data.find(CRLF + delimiter)
        if found < 0:
            raise BadRequest("The multipart/mixed body does not contain its boundary.")
        start = found + len(CRLF + delimiter)
    parts = []
    for segment in data[start:].split(CRLF + delimiter):
        if segment.startswith(b"--"):
            if not parts:
                raise BadRequest("The multipart/mixed body has no parts.")
            return parts
        line_end = segment.find(CRLF)
        if line_end < 0 or segment[:line_end].strip(b" \t"):
            raise BadRequest("A boundary line of the multipart/mixed body is malformed.")
        parts.append(_part(segment[line_end + len(CRLF) :]))
    raise BadRequest("The multipart/mixed body has no closing boundary.")


def _part(chunk: bytes) -> Part:
    if chunk.startswith(CRLF):
        header_block, body = b"", chunk[len(CRLF) :]
    else:
        end = chunk.find(CRLF + CRLF)
        if end < 0:
            raise BadRequest("A part of the multipart/mixed body has no blank line after its headers.")
        header_block, body = chunk[:end], chunk[end + 2 * len(CRLF) :]
    headers = Headers()
    for line in header_block.split(CRLF) if header_block else []:
        name, colon, value = line.partition(b":")
        if not colon or not name.strip():
            raise BadRequest("A part of the multipart/mixed body has a malformed header.")
        headers.add(name.strip().decode("latin-1"), value.strip().decode("latin-1"))
    return Part(headers, body)


def _part_hash(part: Part) -> str:
    """The part's X-Experience-API-Hash, checked against its content."""
    declared = (part.headers.get("X-Experience-API-Hash") or "").strip().lower()
    if not declared:
        raise BadRequest("Every attachment part must have an X-Experience-API-Hash header.")
    encoding = part.headers.get("Content-Transfer-Encoding")
    if encoding is not None and encoding.strip().lower() != "binary":
        raise BadRequest("Attachment parts must use Content-Transfer-Encoding: binary.")
    digest = HASHES.get(len(declared))
    if digest is None or not set(declared) <= HEX:
        raise BadRequest(f"X-Experience-API-Hash {declared!r} is not a SHA-2 digest in hex.")
    if digest(part.body).hexdigest() != declared:
        raise BadRequest(f"The part with X-Experience-API-Hash {declared} does not have that hash.")
    return declared


def _declared(statements: list[Any], *, strict: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The attachment objects of the statements (and of their SubStatements), by sha2."""
    declared: dict[str, list[dict[str, Any]]] = {}
    for attachment in _attachments(statements):
        problem = _object_problem(attachment)
        if problem:
            if strict:
                raise BadRequest(problem)
            continue
        declared.setdefault(_sha2(attachment), []).append(attachment)
    return declared


def _object_problem(attachment: Any) -> str | None:
    """What makes an attachment object unusable here (the validator checks the rest)."""
    if not isinstance(attachment, dict) or not isinstance(attachment.get("sha2"), str):
        return "Every attachment must be an object with a sha2 string."
    content_type = attachment.get("contentType")
    if not isinstance(content_type, str) or not MEDIA_TYPE.match(content_type):
        return f"Attachment {attachment['sha2']}: contentType must be an Internet Media Type."
    length = attachment.get("length")
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        return f"Attachment {attachment['sha2']}: length must be a whole number of octets."
    return None


def _attachments(statements: list[Any]) -> Iterator[Any]:
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        for holder in (statement, statement.get("object")):
            if isinstance(holder, dict) and isinstance(holder.get("attachments"), list):
                yield from holder["attachments"]


def _check_parts(body: StatementBody, declared: dict[str, list[dict[str, Any]]]) -> None:
    for sha2, part in body.parts.items():
        if sha2 not in declared:
            raise BadRequest(
                f"The part with X-Experience-API-Hash {sha2} is not an attachment of any statement."
            )
        for attachment in declared[sha2]:
            _check_part_headers(part, attachment)


def _check_all_sent(body: StatementBody, declared: dict[str, list[dict[str, Any]]]) -> None:
    for sha2, attachments in declared.items():
        if sha2 not in body.payloads and not all(attachment.get("fileUrl") for attachment in attachments):
            raise BadRequest(f"Attachment {sha2} has no fileUrl and no part of the request carries it.")


def _check_part_headers(part: Part, attachment: dict[str, Any]) -> None:
    length = part.headers.get("Content-Length")
    if length is not None and length.strip() != str(attachment.get("length")):
        raise BadRequest(
            f"The part for attachment {attachment['sha2']} has a Content-Length other than its length."
        )
    content_type = attachment.get("contentType")
    if not isinstance(content_type, str) or "Content-Type" not in part.headers:
        return
    if part.content_type != _media_type(content_type):
        raise BadRequest(
            f"The part for attachment {attachment['sha2']} has a Content-Type other than its contentType."
        )


def _store(body: StatementBody, declared: dict[str, list[dict[str, Any]]]) -> None:
    rows = [
        {
            "sha2": sha2,
            "content_type": _content_type(declared[sha2][0], body.parts.get(sha2)),
            "length": len(payload),
            "payload": payload,
            "stored_at": utcnow(),
        }
        for sha2, payload in body.payloads.items()
    ]
    if not rows:
        return
    insert = INSERTS.get(session.get_bind().dialect.name)
    if insert is not None:
        session.execute(insert(LrsAttachment).values(rows).on_conflict_do_nothing(index_elements=["sha2"]))
        return
    for row in rows:
        if session.get(LrsAttachment, row["sha2"]) is None:
            session.add(LrsAttachment(**row))


def _content_type(attachment: dict[str, Any], part: Part | None) -> str:
    declared = attachment.get("contentType")
    if isinstance(declared, str) and declared.strip():
        return declared.strip()[:255]
    return (part.headers.get("Content-Type") if part else None) or "application/octet-stream"


def _sha2(attachment: dict[str, Any]) -> str:
    return attachment["sha2"].strip().lower()


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _boundary_for(bodies: Iterable[bytes]) -> str:
    bodies = list(bodies)
    while True:
        boundary = "xapi-" + secrets.token_hex(16)
        if not any(boundary.encode() in body for body in bodies):
            return boundary


def _encode(parts: list[tuple[Headers, bytes]], boundary: str) -> bytes:
    delimiter = b"--" + boundary.encode("ascii")
    chunks = []
    for headers, body in parts:
        lines = [f"{name}: {value}".encode("latin-1") for name, value in headers.items()]
        chunks += [delimiter, CRLF, CRLF.join(lines), CRLF, CRLF, body, CRLF]
    chunks += [delimiter, b"--", CRLF]
    return b"".join(chunks)
