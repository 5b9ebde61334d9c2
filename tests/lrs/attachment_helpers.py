"""Builders for statements with attachments, multipart/mixed bodies and signed statements."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from werkzeug.datastructures import Headers, MultiDict

from lms.xapi.lrs.protocol import LrsRequest
from lms.xapi.lrs.signatures import SIGNATURE_USAGE

BOUNDARY = "-------314159265358979323846"
CRLF = "\r\n"
TEXT = b"here is a simple attachment"
HASH_ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


def statement(**fields) -> dict:
    made = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://tools.example", "name": "a-7f3e"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": "https://tools.example/activities/essay"},
    }
    made.update(fields)
    return made


def attachment(data: bytes = TEXT, content_type: str = "text/plain", **fields) -> dict:
    made = {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": content_type,
        "length": len(data),
        "sha2": hashlib.sha256(data).hexdigest(),
    }
    made.update(fields)
    return made


def part(data: bytes, content_type: str | None = "text/plain", sha2: str | None = None, **headers) -> tuple:
    made = {}
    if content_type is not None:
        made["Content-Type"] = content_type
    made["Content-Transfer-Encoding"] = "binary"
    made["X-Experience-API-Hash"] = hashlib.sha256(data).hexdigest() if sha2 is None else sha2
    made.update({name.replace("_", "-"): value for name, value in headers.items()})
    return {k: v for k, v in made.items() if v is not None}, data


def multipart(statements, *parts, boundary: str = BOUNDARY, first_type: str = "application/json") -> bytes:
    """A body as the ADL suite builds them: boundary lines, headers, blank line, data, CRLF."""
    first = json.dumps(statements).encode() if not isinstance(statements, bytes) else statements
    chunks = [f"--{boundary}{CRLF}Content-Type: {first_type}{CRLF}{CRLF}".encode(), first, CRLF.encode()]
    for headers, data in parts:
        lines = "".join(f"{name}: {value}{CRLF}" for name, value in headers.items())
        chunks += [f"--{boundary}{CRLF}{lines}{CRLF}".encode(), data, CRLF.encode()]
    chunks.append(f"--{boundary}--{CRLF}".encode())
    return b"".join(chunks)


def lrs_request(body: bytes, content_type: str = f"multipart/mixed; boundary={BOUNDARY}") -> LrsRequest:
    return LrsRequest("POST", MultiDict(), Headers({"Content-Type": content_type}), body)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xAPI signing test")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jws(
    payload: bytes, key: rsa.RSAPrivateKey, alg: str = "RS256", cert: x509.Certificate | None = None
) -> bytes:
    """A compact JWS of ``payload``, signed with RSA PKCS#1 v1.5 as RFC 7518 says for RS*."""
    header = {"alg": alg}
    if cert is not None:
        from cryptography.hazmat.primitives.serialization import Encoding

        header["x5c"] = [base64.b64encode(cert.public_bytes(Encoding.DER)).decode()]
    signing_input = b64url(json.dumps(header).encode()) + b"." + b64url(payload)
    algorithm = HASH_ALGORITHMS.get(alg, hashes.SHA256)()
    return signing_input + b"." + b64url(key.sign(signing_input, padding.PKCS1v15(), algorithm))


def signed(made: dict, token: bytes, content_type: str = "application/octet-stream") -> tuple[dict, bytes]:
    """``made`` with its signature attachment, and the multipart body that carries both."""
    with_signature = dict(made)
    with_signature["attachments"] = [
        *made.get("attachments", []),
        {
            "usageType": SIGNATURE_USAGE,
            "display": {"en-US": "Signed by the test"},
            "contentType": content_type,
            "length": len(token),
            "sha2": hashlib.sha256(token).hexdigest(),
        },
    ]
    return with_signature, multipart(with_signature, part(token, content_type))
