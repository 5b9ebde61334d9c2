"""The statement validator as its callers meet it: light to import, run once per statement on
the LRS endpoint, the classes ralph's model refused accepted over HTTP, the rest refused with
a message naming the property. The rule-by-rule table is test_validation_cases.py."""

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi import service
from lms.xapi.lrs import statement_ingest
from lms.xapi.models import StoredStatement
from tests.lrs.conftest import LrsClient, make_credential
from tests.xapi.test_validation_cases import AGENT, GROUP, sub, with_

STATEMENTS = "/xapi/statements"


@pytest.fixture
def lrs(app, client):
    """An ``all``-scoped LRS client, as in tests/lrs."""
    return LrsClient(client, make_credential()[1])


def stored_count() -> int:
    return session.scalar(select(func.count()).select_from(StoredStatement))


def test_importing_the_validator_loads_no_pydantic_or_ralph():
    code = (
        "import sys, lms.xapi.validation; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'ralph', 'jsonschema'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []


def test_the_endpoint_validates_each_statement_once(lrs, monkeypatch):
    calls = {"ingest": 0, "service": 0}

    def counting(name, real):
        def check(statement):
            calls[name] += 1
            real(statement)

        return check

    monkeypatch.setattr(statement_ingest, "validate", counting("ingest", statement_ingest.validate))
    monkeypatch.setattr(service, "validate", counting("service", service.validate))
    batch = [with_(), with_(id="fd41c918-b88b-4b20-a0a5-a4c32391aaa2")]
    response = lrs.post(STATEMENTS, json=batch)
    assert response.status_code == 200, response.get_json()
    assert calls == {"ingest": 2, "service": 0}


def test_valid_statements_ralph_refused_are_stored(lrs):
    accepted = [
        with_(context={"instructor": GROUP, "team": GROUP}),
        with_(object=sub(object=AGENT)),
        with_(object={"id": "https://example.com/a/2", "definition": {"extensions": {}}}),
        with_(version="1.0"),
    ]
    for statement in accepted:
        del statement["id"]
        response = lrs.post(STATEMENTS, json=statement)
        assert response.status_code == 200, response.get_json()
    assert stored_count() == len(accepted)


def test_an_invalid_statement_is_400_naming_the_property_and_writes_nothing(lrs):
    bad = with_(context={"instructor": {"objectType": "Agent", "mbox": "someone@example.com"}})
    response = lrs.post(STATEMENTS, json=bad)
    assert response.status_code == 400
    assert "context.instructor.mbox" in response.get_json()["error"]
    batch = [with_(id="fd41c918-b88b-4b20-a0a5-a4c32391aaa1"), with_(result={"score": {"scaled": 2}})]
    response = lrs.post(STATEMENTS, json=batch)
    assert response.status_code == 400
    assert "Statement 2: result.score.scaled" in response.get_json()["error"]
    assert stored_count() == 0
