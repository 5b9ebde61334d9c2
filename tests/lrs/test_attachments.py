"""Attachments (xAPI 1.0.3, Communication 1.5.2 and Data 2.4.11): multipart/mixed bodies.

What the ADL conformance suite sends (Communication 1.5 and 2.1 tests) and what a client of
the LRS notices: the statements and payloads read, the 400 (or 413) for each malformed body,
nothing stored when a body is refused, and the multipart/mixed answer to GET attachments=true.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.lrs.attachment_models import LrsAttachment
from lms.xapi.lrs.attachments import check_and_store, multipart_body, read_body, split_multipart
from lms.xapi.lrs.errors import LrsError
from lms.xapi.models import StoredStatement
from tests.lrs.attachment_helpers import (
    BOUNDARY,
    TEXT,
    attachment,
    lrs_request,
    multipart,
    part,
    statement,
)

FILE_URL = "http://over.there.com/file.txt"


def stored_count() -> int:
    return session.scalar(select(func.count()).select_from(LrsAttachment))


def refused(
    body: bytes, content_type: str = f"multipart/mixed; boundary={BOUNDARY}", status: int = 400
) -> str:
    """Read and check ``body`` as the statements resource does; it must be refused."""
    with pytest.raises(LrsError) as caught:
        read = read_body(lrs_request(body, content_type))
        statements = read.statements if isinstance(read.statements, list) else [read.statements]
        check_and_store(statements, read)
    assert caught.value.status == status
    session.flush()
    assert stored_count() == 0
    return caught.value.message


def accepted(body: bytes, content_type: str = f"multipart/mixed; boundary={BOUNDARY}"):
    read = read_body(lrs_request(body, content_type))
    statements = read.statements if isinstance(read.statements, list) else [read.statements]
    check_and_store(statements, read)
    session.commit()
    return read


def test_json_with_file_urls_is_read_and_needs_no_parts(app):
    made = statement(attachments=[attachment(fileUrl=FILE_URL)])
    read = accepted(json.dumps(made).encode(), "application/json")
    assert read.statements == made
    assert read.payloads == {}
    assert stored_count() == 0


def test_json_with_an_attachment_without_file_url_is_refused(app):
    message = refused(json.dumps(statement(attachments=[attachment()])).encode(), "application/json")
    assert "no fileUrl" in message


def test_a_multipart_attachment_is_matched_by_hash_and_stored(app):
    made = statement(attachments=[attachment()])
    read = accepted(multipart(made, part(TEXT)))
    assert read.statements == made
    assert read.raw == json.dumps(made).encode()
    row = session.get(LrsAttachment, hashlib.sha256(TEXT).hexdigest())
    assert (row.payload, row.content_type, row.length) == (TEXT, "text/plain", len(TEXT))


def test_the_same_payload_is_stored_once(app):
    accepted(
        multipart([statement(attachments=[attachment()]), statement(attachments=[attachment()])], part(TEXT))
    )
    accepted(multipart(statement(attachments=[attachment()]), part(TEXT)))
    assert stored_count() == 1


def test_the_specs_example_with_its_quoted_boundary_and_unspaced_headers(app):
    boundary = "abcABC0123'()+_,-./:=?"
    made = statement(attachments=[attachment(content_type="text/plain; charset=ascii")])
    body = (
        (
            f"\r\n--{boundary}\r\nContent-Type:application/json\r\n\r\n{json.dumps(made)}\r\n"
            f"--{boundary}\r\nContent-Type:text/plain\r\nContent-Transfer-Encoding:binary\r\n"
            f"X-Experience-API-Hash:{hashlib.sha256(TEXT).hexdigest()}\r\n\r\n"
        ).encode()
        + TEXT
        + f"\r\n--{boundary}--".encode()
    )
    read = accepted(body, f'multipart/mixed; boundary="{boundary}"')
    assert list(read.payloads.values()) == [TEXT]


def test_binary_data_sha512_and_a_substatements_attachment(app):
    data = bytes(range(256)) * 4 + b"\r\n--not-the-boundary\r\n"
    sha512 = hashlib.sha512(data).hexdigest()
    sub = {
        "objectType": "SubStatement",
        "actor": statement()["actor"],
        "verb": statement()["verb"],
        "object": statement()["object"],
        "attachments": [attachment(data, "image/png", sha2=sha512.upper())],
    }
    accepted(multipart(statement(object=sub), part(data, "image/png", sha2=sha512)))
    assert session.get(LrsAttachment, sha512).payload == data


def test_a_multipart_body_with_only_file_url_attachments_or_none(app):
    accepted(multipart(statement(attachments=[attachment(fileUrl=FILE_URL)])))
    accepted(multipart(statement()))
    assert stored_count() == 0


def test_a_part_for_a_file_url_attachment_is_kept(app):
    accepted(multipart(statement(attachments=[attachment(fileUrl=FILE_URL)]), part(TEXT)))
    assert stored_count() == 1


def test_content_transfer_encoding_may_be_left_out(app):
    headers, data = part(TEXT)
    del headers["Content-Transfer-Encoding"]
    accepted(multipart(statement(attachments=[attachment()]), (headers, data)))
    assert stored_count() == 1


def test_a_declared_length_other_than_the_size_is_kept_as_the_suite_expects(app):
    # Communication 1.5 (XAPI-00127) posts a JPEG as hex text under its binary length.
    accepted(multipart(statement(attachments=[attachment(length=len(TEXT) // 2)]), part(TEXT)))
    assert stored_count() == 1


@pytest.mark.parametrize(
    "content_type",
    ["multipart/mixed", "multipart/mixed;", "multipart/form-data; boundary=" + BOUNDARY, "text/plain"],
)
def test_no_boundary_or_another_content_type_is_refused(app, content_type):
    refused(multipart(statement(attachments=[attachment()]), part(TEXT)), content_type)


def test_a_body_without_its_boundary_is_refused(app):
    assert "boundary" in refused(json.dumps(statement()).encode())


def test_no_boundary_before_the_first_part_is_refused(app):
    body = multipart(statement(attachments=[attachment()]), part(TEXT))
    assert "first part" in refused(body[body.index(b"\r\n") + 2 :])


def test_no_boundary_before_an_attachment_part_is_refused(app):
    body = multipart(statement(attachments=[attachment()]), part(TEXT))
    second = body.index(f"\r\n--{BOUNDARY}\r\n".encode(), 10)
    refused(body[:second] + b"\r\n" + body[second + len(BOUNDARY) + 6 :])


def test_a_first_part_that_is_not_json_is_refused(app):
    refused(multipart(statement(attachments=[attachment()]), part(TEXT), first_type="text/plain"))


def test_a_first_part_with_broken_json_is_refused(app):
    assert "JSON" in refused(multipart(b'{"actor": ', part(TEXT)))


def test_statements_in_two_parts_are_refused(app):
    made = statement(attachments=[attachment()])
    again = ({"Content-Type": "application/json"}, json.dumps(made).encode())
    assert "X-Experience-API-Hash" in refused(multipart(made, again, part(TEXT)))


def test_a_part_without_a_hash_is_refused(app):
    headers, data = part(TEXT)
    del headers["X-Experience-API-Hash"]
    assert "X-Experience-API-Hash" in refused(
        multipart(statement(attachments=[attachment()]), (headers, data))
    )


def test_a_hash_that_is_not_the_parts_is_refused(app):
    other = "b018994f8bbe0f08992a65c48c8c8c56f09e9baceaa6227ed85c90ae52b73c89"
    refused(multipart(statement(attachments=[attachment()]), part(TEXT, sha2=other)))
    refused(multipart(statement(attachments=[attachment()]), part(TEXT, sha2="not-a-digest")))


def test_a_transfer_encoding_other_than_binary_is_refused(app):
    body = multipart(statement(attachments=[attachment()]), part(TEXT, Content_Transfer_Encoding="base64"))
    assert "binary" in refused(body)


def test_a_part_no_statement_declares_is_refused(app):
    extra = b"a third attachment"
    body = multipart(statement(attachments=[attachment()]), part(TEXT), part(extra))
    assert "not an attachment" in refused(body)


def test_a_missing_part_is_refused(app):
    second = b"the second attachment's text"
    body = multipart(statement(attachments=[attachment(), attachment(second)]), part(TEXT))
    assert "no part" in refused(body)


def test_a_batch_is_refused_whole_when_one_statement_lacks_its_part(app):
    second = b"the second attachment's text"
    made = [statement(attachments=[attachment()]), statement(attachments=[attachment(second)])]
    refused(multipart(made, part(TEXT)))


def test_part_headers_must_agree_with_the_attachment(app):
    made = statement(attachments=[attachment()])
    assert "Content-Length" in refused(multipart(made, part(TEXT, Content_Length="3")))
    assert "Content-Type" in refused(multipart(made, part(TEXT, "image/png")))


@pytest.mark.parametrize(
    "body",
    [
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n".encode(),
        f"--{BOUNDARY}--\r\n".encode(),
        f"--{BOUNDARY}garbage\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{BOUNDARY}--".encode(),
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n{{}}\r\n--{BOUNDARY}--".encode(),
        f"--{BOUNDARY}\r\nno colon here\r\n\r\n{{}}\r\n--{BOUNDARY}--".encode(),
        f"--{BOUNDARY}\nContent-Type: application/json\n\n{{}}\n--{BOUNDARY}--\n".encode(),
    ],
    ids=["no-closing-boundary", "no-parts", "text-after-boundary", "no-blank-line", "bad-header", "lf-only"],
)
def test_malformed_multipart_is_refused(app, body):
    refused(body)


def test_an_attachment_without_a_sha2_is_refused(app):
    made = statement(attachments=[{"usageType": "http://example.com/u", "fileUrl": FILE_URL}])
    refused(json.dumps(made).encode(), "application/json")


def test_a_body_over_the_limit_is_413(app):
    app.config["LMS_LRS_MAX_BODY_MB"] = 0.001
    refused(multipart(statement(attachments=[attachment(b"x" * 2000)]), part(b"x" * 2000)), status=413)


def test_the_get_answer_has_the_result_then_each_stored_payload(app):
    other = b"\x89PNG\r\n\x1a\n binary"
    made = statement(attachments=[attachment(), attachment(other, "image/png")])
    accepted(multipart(made, part(TEXT), part(other, "image/png")))
    unsent = statement(attachments=[attachment(b"never sent", fileUrl=FILE_URL)])
    result = json.dumps({"statements": [made, unsent, made], "more": ""})

    data, content_type = multipart_body(result, [made, unsent, made])

    kind, _, boundary = content_type.partition("; boundary=")
    assert kind == "multipart/mixed" and boundary and '"' not in boundary
    first, *rest = split_multipart(data, boundary.encode())
    assert first.content_type == "application/json" and json.loads(first.body) == json.loads(result)
    assert [(p.body, p.content_type) for p in rest] == [(TEXT, "text/plain"), (other, "image/png")]
    for each in rest:
        assert each.headers["Content-Transfer-Encoding"] == "binary"
        assert each.headers["X-Experience-API-Hash"] == hashlib.sha256(each.body).hexdigest()
    assert data.endswith(f"--{boundary}--\r\n".encode())


def test_the_get_answer_without_attachments_is_the_result_alone(app):
    data, content_type = multipart_body(b'{"statements": [], "more": ""}', [])
    first, *rest = split_multipart(data, content_type.split("boundary=")[1].encode())
    assert json.loads(first.body) == {"statements": [], "more": ""} and rest == []


# Through the endpoint, as the ADL suite sends and reads them.

STATEMENTS = "/xapi/statements"
MULTIPART = {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"}


def statement_count() -> int:
    return session.scalar(select(func.count()).select_from(StoredStatement))


def read_multipart(response):
    kind, _, boundary = response.headers["Content-Type"].partition("; boundary=")
    assert kind == "multipart/mixed"
    return split_multipart(response.data, boundary.encode())


def test_post_multipart_then_get_the_statement_with_its_attachment(lrs):
    made = statement(attachments=[attachment(content_type="text/plain; charset=ascii")])
    response = lrs.post(STATEMENTS, data=multipart(made, part(TEXT)), headers=MULTIPART)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [made["id"]]

    response = lrs.get(f"{STATEMENTS}?statementId={made['id']}&attachments=true")
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    first, second = read_multipart(response)
    assert json.loads(first.body)["attachments"] == made["attachments"]
    assert second.body == TEXT
    assert second.headers["Content-Type"] == "text/plain; charset=ascii"
    assert second.headers["X-Experience-API-Hash"] == made["attachments"][0]["sha2"]

    response = lrs.get(f"{STATEMENTS}?statementId={made['id']}&attachments=false")
    assert response.mimetype == "application/json"
    assert b"here is a simple attachment" not in response.data


def test_put_multipart_and_get_the_result_with_attachments(lrs):
    made = statement(attachments=[attachment()])
    url = f"{STATEMENTS}?statementId={made['id']}"
    assert lrs.put(url, data=multipart(made, part(TEXT)), headers=MULTIPART).status_code == 204
    first, *rest = read_multipart(lrs.get(f"{STATEMENTS}?attachments=true"))
    assert [s["id"] for s in json.loads(first.body)["statements"]] == [made["id"]]
    assert [p.body for p in rest] == [TEXT]


def test_a_bad_multipart_post_is_400_and_stores_nothing(lrs):
    extra = b"a part no statement declares"
    body = multipart(statement(attachments=[attachment()]), part(TEXT), part(extra))
    response = lrs.post(STATEMENTS, data=body, headers=MULTIPART)
    assert response.status_code == 400
    assert "not an attachment" in response.get_json()["error"]
    missing = lrs.post(STATEMENTS, data=multipart(statement(attachments=[attachment()])), headers=MULTIPART)
    assert missing.status_code == 400
    assert (statement_count(), stored_count()) == (0, 0)


def test_multipart_form_data_is_400(lrs):
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    body = multipart(statement(attachments=[attachment()]), part(TEXT))
    assert lrs.post(STATEMENTS, data=body, headers=headers).status_code == 400
    assert statement_count() == 0


@pytest.mark.parametrize(
    "fields", [{"contentType": 12345}, {"contentType": "not a type"}, {"length": "27"}, {"length": True}]
)
def test_an_attachment_with_a_bad_content_type_or_length_is_refused(app, fields):
    made = statement(attachments=[attachment(fileUrl=FILE_URL, **fields)])
    refused(json.dumps(made).encode(), "application/json")
