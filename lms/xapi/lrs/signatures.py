"""Signed statements (xAPI 1.0.3, Data 2.6): a JWS attachment whose payload is the statement.

A signature is an attachment with the signature usageType and ``application/octet-stream``
content, whose raw data (a multipart part) is a JWS in compact serialization. The LRS must
refuse a malformed one with 400: the JWS must decode, use RS256, RS384 or RS512, carry a JSON
object as its payload, and that payload must be the received statement "before the signature
was added" (the same statement, ignoring what the spec lets differ). When the JWS header has
an ``x5c`` chain, the signature must verify against its first certificate; that check catches
mistakes, it is not a proof of who signed (the spec says so).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lms.xapi.lrs.errors import BadRequest

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
# Set by the LRS when it stores a statement, so never part of what was signed.
LRS_ASSIGNED = ("authority", "stored", "version")
# May be set by the LRS, or by the client before signing: compared only when signed.
MAYBE_ASSIGNED = ("id", "timestamp")
B64URL = re.compile(rb"^[A-Za-z0-9_-]*={0,2}$")


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    payload: bytes
    signature: bytes
    signing_input: bytes


def is_signature(attachment: Any) -> bool:
    return isinstance(attachment, dict) and attachment.get("usageType") == SIGNATURE_USAGE


def verify_statement(statement: dict[str, Any], payloads: Mapping[str, bytes]) -> None:
    """Check each signature attachment of ``statement``; raise ``BadRequest`` on the first fault."""
    for attachment in statement.get("attachments") or []:
        if is_signature(attachment):
            _verify_attachment(statement, attachment, payloads)


def _verify_attachment(statement: dict[str, Any], attachment: dict, payloads: Mapping[str, bytes]) -> None:
    content_type = str(attachment.get("contentType") or "").split(";", 1)[0].strip().lower()
    if content_type != SIGNATURE_CONTENT_TYPE:
        raise BadRequest(f"A signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}.")
    token = payloads.get(str(attachment.get("sha2") or "").lower())
    if token is None:
        raise BadRequest("A signature attachment must be sent as a multipart/mixed part, to be verified.")
    signed = signed_statement(parse_compact(token))
    if comparable(signed, signed) != comparable(statement, signed):
        raise BadRequest("The signature's payload is not the statement it is attached to.")


def parse_compact(token: bytes) -> Jws:
    """Decode a JWS in compact serialization, checking its algorithm and any x5c certificate."""
    pieces = token.strip().split(b".")
    if len(pieces) != 3 or not all(piece and B64URL.match(piece) for piece in pieces):
        raise BadRequest("The signature is not a JWS in compact serialization.")
    header = _json(_b64url(pieces[0]), "header")
    if not isinstance(header, dict):
        raise BadRequest("The signature's JWS header is not a JSON object.")
    jws = Jws(header, _b64url(pieces[1]), _b64url(pieces[2]), pieces[0] + b"." + pieces[1])
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise BadRequest(f"The signature uses alg {algorithm!r}; xAPI allows RS256, RS384 and RS512.")
    if "x5c" in header:
        _verify_x5c(jws, ALGORITHMS[algorithm]())
    return jws


def signed_statement(jws: Jws) -> dict[str, Any]:
    statement = _json(jws.payload, "payload")
    if not isinstance(statement, dict):
        raise BadRequest("The signature's payload is not a statement (a JSON object).")
    return statement


def comparable(statement: dict[str, Any], signed: dict[str, Any]) -> Any:
    """``statement`` as it is compared with the ``signed`` one: without what the LRS assigns and
    without signatures, ids and timestamps only when they were signed, members unordered."""
    kept = {key: value for key, value in statement.items() if key not in LRS_ASSIGNED}
    for key in MAYBE_ASSIGNED:
        if key not in signed:
            kept.pop(key, None)
    attachments = [a for a in kept.pop("attachments", None) or [] if not is_signature(a)]
    if attachments:
        kept["attachments"] = attachments
    if isinstance(kept.get("id"), str):
        kept["id"] = kept["id"].lower()
    if isinstance(kept.get("timestamp"), str):
        kept["timestamp"] = _instant(kept["timestamp"])
    return _unordered_members(kept)


def _verify_x5c(jws: Jws, algorithm: hashes.HashAlgorithm) -> None:
    chain = jws.header["x5c"]
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (TypeError, KeyError, IndexError, ValueError, binascii.Error):
        raise BadRequest("The signature's x5c header is not a certificate chain.") from None
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadRequest("The signature's x5c certificate does not hold an RSA key.")
    try:
        key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise BadRequest("The signature does not verify against its x5c certificate.") from None


def _b64url(piece: bytes) -> bytes:
    try:
        return base64.urlsafe_b64decode(piece.rstrip(b"=") + b"=" * (-len(piece.rstrip(b"=")) % 4))
    except (ValueError, binascii.Error):
        raise BadRequest("The signature is not valid base64url.") from None


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(f"The signature's JWS {what} is not valid JSON.") from None


def _instant(value: str) -> Any:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value


def _unordered_members(value: Any) -> Any:
    """A Group's members are not an ordered list (Data 2.3.1): compare them sorted."""
    if isinstance(value, list):
        return [_unordered_members(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: _unordered_members(item) for key, item in value.items()}
    if isinstance(result.get("member"), list):
        result["member"] = sorted(result["member"], key=lambda m: json.dumps(m, sort_keys=True))
    return result
