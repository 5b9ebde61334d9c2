"""The foundation's protocol, seen through the statements resource: CORS, the version header,
the alternate request syntax, HEAD and JSON errors."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.models import StoredStatement
from tests.lrs.conftest import VERSION
from tests.lrs.test_statements_put_post import STATEMENTS, statement

FORM = "application/x-www-form-urlencoded"


def stored_count() -> int:
    return session.scalar(select(func.count()).select_from(StoredStatement))


def test_a_cors_preflight_is_answered_without_credentials(client):
    response = client.options(
        STATEMENTS, headers={"Origin": "https://content.example", "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "X-Experience-API-Version" in response.headers["Access-Control-Allow-Headers"]


def test_the_version_header_is_required_and_checked(lrs):
    without = lrs.client.get(STATEMENTS, headers={"Authorization": lrs.headers["Authorization"]})
    assert without.status_code == 400
    assert without.get_json()["error"]
    assert without.headers["X-Experience-API-Version"] == "1.0.3"
    old = lrs.get(STATEMENTS, headers={"X-Experience-API-Version": "0.95"})
    assert old.status_code == 400
    assert (
        lrs.post(STATEMENTS, json=statement(), headers={"X-Experience-API-Version": "2.0.0"}).status_code
        == 400
    )
    assert stored_count() == 0
    assert lrs.get(STATEMENTS, headers={"X-Experience-API-Version": "1.0.1"}).status_code == 200


def test_every_answer_names_the_version_and_allows_cors(lrs):
    response = lrs.get(STATEMENTS)
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Consistent-Through" in response.headers["Access-Control-Expose-Headers"]


def test_without_credentials_it_is_401_with_a_challenge(client):
    response = client.get(STATEMENTS, headers=VERSION)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.get_json()["error"]


def test_the_alternate_syntax_puts_a_statement(lrs):
    statement_id = str(uuid.uuid4())
    form = {
        "Authorization": lrs.headers["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "statementId": statement_id,
        "content": json.dumps(statement()),
    }
    response = lrs.client.post(f"{STATEMENTS}?method=PUT", data=urlencode(form), content_type=FORM)
    assert response.status_code == 204, response.get_json()
    assert lrs.get(f"{STATEMENTS}?statementId={statement_id}").status_code == 200


def test_the_alternate_syntax_gets_and_posts(lrs):
    form = {
        "Authorization": lrs.headers["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "content": json.dumps([statement()]),
    }
    posted = lrs.client.post(f"{STATEMENTS}?method=POST", data=urlencode(form), content_type=FORM)
    assert posted.status_code == 200
    [statement_id] = posted.get_json()
    got = lrs.client.post(
        f"{STATEMENTS}?method=GET",
        data=urlencode(
            {
                "Authorization": lrs.headers["Authorization"],
                "X-Experience-API-Version": "1.0.3",
                "statementId": statement_id,
            }
        ),
        content_type=FORM,
    )
    assert got.status_code == 200 and got.get_json()["id"] == statement_id
    other_params = lrs.client.post(
        f"{STATEMENTS}?method=GET&limit=1", data=urlencode(form), content_type=FORM
    )
    assert other_params.status_code == 400


def test_the_alternate_syntax_takes_credentials_and_version_from_real_headers_too(lrs):
    """ADL's suite sends Authorization and the version as headers, the body as form fields."""
    form = {"Content-Type": "application/json", "content": json.dumps(statement())}
    posted = lrs.client.post(
        f"{STATEMENTS}?method=POST", data=urlencode(form), content_type=FORM, headers=lrs.headers
    )
    assert posted.status_code == 200, posted.get_json()
    [statement_id] = posted.get_json()
    assert lrs.get(f"{STATEMENTS}?statementId={statement_id}").status_code == 200


def test_head_answers_the_get_headers_without_a_body(lrs):
    [statement_id] = lrs.post(STATEMENTS, json=statement()).get_json()
    response = lrs.head(f"{STATEMENTS}?statementId={statement_id}")
    assert response.status_code == 200
    assert response.data == b""
    assert "Last-Modified" in response.headers
    assert "X-Experience-API-Consistent-Through" in response.headers
    assert lrs.head(f"{STATEMENTS}?statementId={uuid.uuid4()}").status_code == 404
    form = {"Authorization": lrs.headers["Authorization"], "X-Experience-API-Version": "1.0.3"}
    alternate = lrs.client.post(f"{STATEMENTS}?method=HEAD", data=urlencode(form), content_type=FORM)
    assert alternate.status_code == 200 and alternate.data == b""


def test_errors_are_json_with_the_spec_codes(lrs):
    delete = lrs.delete(STATEMENTS)
    assert delete.status_code == 405 and delete.get_json()["error"]
    unknown = lrs.get(f"{STATEMENTS}?statementId={uuid.uuid4()}")
    assert unknown.status_code == 404 and unknown.get_json()["error"]
    invalid = lrs.post(STATEMENTS, json=statement(verb={"id": "nope"}))
    assert invalid.status_code == 400
    assert invalid.headers["Content-Type"].startswith("application/json")
