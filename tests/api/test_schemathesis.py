"""Schemathesis against /api/v1/openapi.json: generated requests, valid and invalid, each answered
with no server error, a documented status, JSON, and a body that fits the documented schema.

It calls the real app (WSGI) on the reports tests' organisation, on each database, with a real
token of ``hr_a``, an HR officer scoped to department T-DA, and also with no token. Bounded to
stay quick: a few examples per operation, derandomized so a CI run is repeatable.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.api import tokens
from lms.extensions import session

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}
# The WSGI transport hands Schemathesis the body as sent; a real HTTP client would undo the
# response compression, this one would read gzip as JSON.
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def hr_token(built):
    app, org = built
    with app.app_context():
        _row, plain = tokens.create_token(org.user("hr_a"), "schemathesis")
        session.commit()
        session.remove()
    return plain


def _run(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(headers={**PLAIN, **headers}, checks=CHECKS)

    call()


@pytest.fixture(scope="module")
def api_schema(built):
    """The document as the app serves it (no app context is open: each call is its own request)."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", built[0])


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_conforms_for_a_scoped_hr_token(api_schema, hr_token, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:
        _run(operation, mode, {"Authorization": f"Bearer {hr_token}"})


def test_every_operation_conforms_without_a_token(api_schema):
    for result in api_schema.get_all_operations():
        _run(result.ok(), GenerationMode.POSITIVE, {})
