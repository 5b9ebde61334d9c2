"""The Statement resource, ``/xapi/statements`` (xAPI 1.0.3 Communication 2.1).

One view per URL, dispatching on the request's method (an alternate-syntax request arrives as a
POST). PUT and POST store through :func:`lms.xapi.lrs.statement_ingest.ingest`, which hands the
statements to ``lms.xapi.service.record_many``; GET reads through ``statement_query``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request, url_for
from werkzeug.http import http_date

from lms.extensions import session
from lms.xapi.lrs import attachments, protocol, statement_query
from lms.xapi.lrs.auth import Principal, current_principal
from lms.xapi.lrs.errors import BadRequest, Forbidden, LrsError, NotFound
from lms.xapi.lrs.statement_format import formatted
from lms.xapi.lrs.statement_ingest import ingest
from lms.xapi.lrs.statement_store import assemble

CONSISTENT = "X-Experience-API-Consistent-Through"
WRITE_METHODS = ("PUT", "POST")
READ_METHODS = ("GET", "HEAD")
ENDPOINTS = ("lms.lrs.statements", "lms.lrs.statements_more")


def statements_view():
    lrs = protocol.current()
    if lrs.method not in WRITE_METHODS + READ_METHODS:
        raise LrsError(f"The statements resource does not answer {lrs.method}.", status=405)
    principal = _allowed(lrs.method)
    try:
        if lrs.method == "PUT":
            response = _put(lrs, principal)
        elif lrs.method == "POST":
            response = _post(lrs, principal)
        else:
            response = _get(lrs, principal)
    except Exception:
        session.rollback()
        raise
    return _finish(response, lrs.method)


def more_view(token: str):
    lrs = protocol.current()
    if lrs.method not in READ_METHODS:
        raise LrsError("A 'more' link is read with GET.", status=405)
    principal = _allowed(lrs.method)
    if any(name != "format" and name != "attachments" for name in lrs.args):
        raise BadRequest("A 'more' link takes no parameters of its own.")
    query = statement_query.decode(token)
    return _finish(_result(query, principal, lrs), lrs.method)


def _allowed(method: str) -> Principal:
    principal = current_principal()
    scope = "statements/write" if method in WRITE_METHODS else "statements/read/mine"
    if not principal.has(scope):
        raise Forbidden(f"These credentials lack the scope {scope}.")
    return principal


def _put(lrs, principal: Principal):
    for name in lrs.args:
        if name != "statementId":
            raise BadRequest(f"{name!r} is not a parameter of a statements PUT.")
    if "statementId" not in lrs.args:
        raise BadRequest("PUT /statements needs the statementId parameter.")
    statement_id = statement_query.uuid_param(lrs.args["statementId"], "statementId")
    body = attachments.read_body(lrs)
    if not isinstance(body.statements, dict):
        raise BadRequest("A statements PUT carries one statement, a JSON object.")
    given = body.statements.get("id")
    if given is not None and str(given).lower() != statement_id:
        raise BadRequest("The statement's id differs from the statementId parameter.")
    statement = {**body.statements, "id": given or statement_id}
    ingest([statement], principal, body)
    return current_app.response_class(status=204)


def _post(lrs, principal: Principal):
    if lrs.args:
        raise BadRequest(f"{next(iter(lrs.args))!r} is not a parameter of a statements POST.")
    body = attachments.read_body(lrs)
    statements = body.statements if isinstance(body.statements, list) else [body.statements]
    ids = ingest(statements, principal, body)
    return current_app.response_class(json.dumps(ids), status=200, mimetype="application/json")


def _get(lrs, principal: Principal):
    statement_query.check_params(lrs.args)
    if "statementId" in lrs.args or "voidedStatementId" in lrs.args:
        return _single(lrs, principal)
    return _result(statement_query.parse(lrs.args), principal, lrs)


def _single(lrs, principal: Principal):
    fmt, with_attachments = statement_query.read_format(lrs.args)
    voided = "voidedStatementId" in lrs.args
    name = "voidedStatementId" if voided else "statementId"
    found = statement_query.single(lrs.args[name], voided=voided, principal=principal)
    if found is None:
        raise NotFound(f"No statement is stored with the {name} {lrs.args[name]}.")
    row, meta = found
    statement = formatted(assemble(row.raw, meta, row.stored_at), fmt, lrs.headers.get("Accept-Language"))
    response = _json_or_multipart(statement, [statement], with_attachments)
    response.headers["Last-Modified"] = http_date(row.stored_at)
    return response


def _result(query: statement_query.Query, principal: Principal, lrs):
    rows, token = statement_query.run(query, principal)
    language = lrs.headers.get("Accept-Language")
    statements = [
        formatted(assemble(row.raw, meta, row.stored_at), query.format, language) for row, meta in rows
    ]
    more = url_for("lms.lrs.statements_more", token=token) if token else ""
    return _json_or_multipart({"statements": statements, "more": more}, statements, query.attachments)


def _json_or_multipart(document: dict[str, Any], statements: list[dict[str, Any]], with_attachments: bool):
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if with_attachments:
        return attachments.multipart_response(text, statements)
    return current_app.response_class(text, status=200, mimetype="application/json")


def _finish(response, method: str):
    """A HEAD has the GET's headers and no body (an alternate-syntax HEAD arrives as a POST)."""
    if method == "HEAD":
        response.set_data(b"")
    return response


def consistent_through(response):
    """Every answer of the statements resource, errors too (Communication 2.1.3), says up to
    when reads are complete: a statement is readable once its request has answered."""
    if request.endpoint in ENDPOINTS:
        response.headers[CONSISTENT] = (
            datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
    return response


def register(bp) -> None:
    methods = ["GET", "HEAD", "PUT", "POST", "DELETE"]
    bp.add_url_rule("/statements", "statements", statements_view, methods=methods)
    bp.add_url_rule("/statements/more/<token>", "statements_more", more_view, methods=["GET", "HEAD", "POST"])
    bp.after_request(consistent_through)
