"""Signed statements (xAPI 1.0.3, Data 2.6), as the ADL suite's E.Data2.6 tests send them.

A signature is a JWS attachment (compact serialization) of the statement as it was before the
signature was added; the LRS answers 400 to a malformed one: wrong content type, bad JWS, a
payload that is not the statement, an algorithm other than RS256/RS384/RS512, or an ``x5c``
certificate the signature does not verify against.
"""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.lrs.attachment_models import LrsAttachment
from lms.xapi.lrs.attachments import check_and_store, read_body, split_multipart
from lms.xapi.lrs.errors import LrsError
from lms.xapi.models import StoredStatement
from tests.lrs.attachment_helpers import (
    BOUNDARY,
    TEXT,
    attachment,
    b64url,
    certificate,
    jws,
    lrs_request,
    multipart,
    new_key,
    part,
    signed,
    statement,
)


@pytest.fixture(scope="module")
def key():
    return new_key()


@pytest.fixture(scope="module")
def cert(key):
    return certificate(key)


def send(body: bytes):
    read = read_body(lrs_request(body))
    statements = read.statements if isinstance(read.statements, list) else [read.statements]
    check_and_store(statements, read)
    return read


def refused(body: bytes) -> str:
    with pytest.raises(LrsError) as caught:
        send(body)
    assert caught.value.status == 400
    session.flush()
    assert session.scalar(select(func.count()).select_from(LrsAttachment)) == 0
    return caught.value.message


def payload(made: dict) -> bytes:
    return json.dumps(made).encode()


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_a_signed_statement_is_accepted_with_each_rsa_algorithm(app, key, alg):
    made = statement()
    with_signature, body = signed(made, jws(payload(made), key, alg))
    read = send(body)
    session.commit()
    assert read.statements == with_signature
    assert session.scalar(select(func.count()).select_from(LrsAttachment)) == 1


def test_an_x5c_certificate_that_signed_it_is_accepted(app, key, cert):
    made = statement()
    send(signed(made, jws(payload(made), key, "RS384", cert))[1])


def test_an_x5c_certificate_of_another_key_is_refused(app, key):
    made = statement()
    other = certificate(new_key())
    assert "x5c" in refused(signed(made, jws(payload(made), key, "RS256", other))[1])


def test_a_broken_x5c_header_is_refused(app, key):
    made = statement()
    token = jws(payload(made), key)
    header = b64url(json.dumps({"alg": "RS256", "x5c": ["not base64!"]}).encode())
    assert "x5c" in refused(signed(made, header + token[token.index(b".") :])[1])


@pytest.mark.parametrize("alg", ["HS256", "none", "ES256", None])
def test_another_algorithm_is_refused(app, key, alg):
    made = statement()
    token = jws(payload(made), key)
    header = b64url(json.dumps({} if alg is None else {"alg": alg}).encode())
    assert "alg" in refused(signed(made, header + token[token.index(b".") :])[1])


def test_a_signature_with_another_content_type_is_refused(app, key):
    made = statement()
    body = signed(made, jws(payload(made), key), content_type="text/plain; charset=ascii")[1]
    assert "application/octet-stream" in refused(body)


def test_a_payload_that_is_not_json_is_refused(app, key):
    # The suite's "breakJson": the statement's JSON with its first '"' replaced by "'".
    made = statement()
    broken = json.dumps(made).replace('"', "'", 1).encode()
    assert "JSON" in refused(signed(made, jws(broken, key))[1])


def test_a_payload_that_is_json_but_no_object_is_refused(app, key):
    made = statement()
    refused(signed(made, jws(b'["a list"]', key))[1])


@pytest.mark.parametrize(
    "token",
    [b"only.two", b"a.b.c.d", b"not base64!.eyJ9.c2ln", b"", b"e30.e30", b"eyJhbGciOiJSUzI1NiJ9.e30."],
    ids=["two-pieces", "four-pieces", "bad-base64", "empty", "no-signature-piece", "empty-signature"],
)
def test_a_malformed_jws_is_refused(app, token):
    refused(signed(statement(), token)[1])


def test_a_header_that_is_not_json_is_refused(app, key):
    made = statement()
    token = jws(payload(made), key)
    refused(signed(made, b64url(b"{alg") + token[token.index(b".") :])[1])


def test_a_payload_of_another_statement_is_refused(app, key):
    made = statement()
    other = copy.deepcopy(made)
    other["verb"]["id"] = "http://adlnet.gov/expapi/verbs/failed"
    assert "not the statement" in refused(signed(made, jws(payload(other), key))[1])


def test_a_signature_sent_only_by_file_url_is_refused(app, key):
    made = statement()
    token = jws(payload(made), key)
    with_signature, _ = signed(made, token)
    with_signature["attachments"][0]["fileUrl"] = "http://over.there.com/signature.jws"
    assert "part" in refused(multipart(with_signature))


def test_what_the_lrs_may_assign_or_reserialise_is_ignored(app, key):
    made = statement(timestamp="2026-12-08T05:00:00Z")
    made["actor"] = {
        "objectType": "Group",
        "member": [
            {"account": {"homePage": "https://tools.example", "name": "m-1"}},
            {"account": {"homePage": "https://tools.example", "name": "m-2"}},
        ],
    }
    token = jws(payload(made), key)
    received = copy.deepcopy(made)
    received["id"] = received["id"].upper()
    received["timestamp"] = "2026-12-08T12:00:00+07:00"
    received["actor"]["member"].reverse()
    received["authority"] = {
        "objectType": "Agent",
        "account": {"homePage": "https://lms.example", "name": "k"},
    }
    received["version"] = "1.0.3"
    send(signed(received, token)[1])


def test_an_id_given_after_signing_is_accepted(app, key):
    made = statement()
    del made["id"]
    token = jws(payload(made), key)
    send(signed(made | {"id": "c70c2b85-1d7e-4cf7-a2b3-8b6a3e8e4c11"}, token)[1])


def test_a_signed_statement_with_its_other_attachments(app, key):
    made = statement(attachments=[attachment()])
    token = jws(payload(made), key)
    with_signature, _ = signed(made, token)
    body = multipart(with_signature, part(TEXT), part(token, "application/octet-stream"))
    send(body)
    assert session.scalar(select(func.count()).select_from(LrsAttachment)) == 2


def test_a_batch_with_one_bad_signature_stores_nothing(app, key):
    good, bad = statement(), statement()
    good_token, bad_token = jws(payload(good), key), jws(payload(statement()), key)
    (good_signed, _), (bad_signed, _) = signed(good, good_token), signed(bad, bad_token)
    octets = "application/octet-stream"
    refused(multipart([good_signed, bad_signed], part(good_token, octets), part(bad_token, octets)))


# Through the endpoint.

STATEMENTS = "/xapi/statements"


def post(lrs, body: bytes):
    headers = {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"}
    return lrs.post(STATEMENTS, data=body, headers=headers)


def test_a_signed_statement_is_stored_and_read_back_with_its_signature(lrs, key, cert):
    made = statement()
    token = jws(payload(made), key, "RS512", cert)
    with_signature, body = signed(made, token)
    response = post(lrs, body)
    assert response.status_code == 200, response.get_json()

    response = lrs.get(f"{STATEMENTS}?statementId={made['id']}&attachments=true")
    boundary = response.headers["Content-Type"].partition("; boundary=")[2]
    first, second = split_multipart(response.data, boundary.encode())
    assert json.loads(first.body)["attachments"] == with_signature["attachments"]
    assert (second.body, second.content_type) == (token, "application/octet-stream")


def test_a_signature_of_another_statement_is_400_and_stores_nothing(lrs, key):
    made = statement()
    response = post(lrs, signed(made, jws(payload(statement()), key))[1])
    assert response.status_code == 400
    assert "not the statement" in response.get_json()["error"]
    assert session.scalar(select(func.count()).select_from(StoredStatement)) == 0
    assert session.scalar(select(func.count()).select_from(LrsAttachment)) == 0


def test_an_hs256_signature_is_400(lrs, key):
    made = statement()
    token = jws(payload(made), key)
    header = b64url(json.dumps({"alg": "HS256"}).encode())
    assert post(lrs, signed(made, header + token[token.index(b".") :])[1]).status_code == 400
