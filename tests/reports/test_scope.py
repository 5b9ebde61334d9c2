"""Scope isolation: an HR officer cannot reach anyone outside their scope through any report
parameter, page, download or transcript address.

``hr_a`` sees department T-DA (a1-a4); ``hr_cm`` sees province TH-50 (c1, c2). For every
address below, the answer (an HTML page, a CSV or an XLSX read back) must not hold the name
or the uuid of anyone outside the officer's scope.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import login

OUTSIDE = {"hr_a": ("b1", "b2", "c1", "c2", "s1", "s2"), "hr_cm": ("a1", "a2", "a3", "a4", "b1", "s1")}
INSIDE = {"hr_a": "a1", "hr_cm": "c1"}

REPORT_ADDRESSES = [
    "/reports",
    "/reports?unit=T-PCM",
    "/reports?unit=T-DB&breakdown=unit",
    "/reports?unit=T-MIN&breakdown=unit",
    "/reports?province=TH-50&breakdown=province",
    "/reports?province=TH-90",
    "/reports?region=regional&breakdown=region",
    "/reports?staff_group=executive&breakdown=staff_group",
    "/reports?unit=none&province=none",
    "/reports/drilldown",
    "/reports/drilldown?unit=T-PCM",
    "/reports/drilldown?unit=T-DB-1&status=completed",
    "/reports/drilldown?province=TH-50&status=learners",
    "/reports/drilldown?province=TH-90&course=dg-basics",
    "/reports/drilldown?region=regional&sort=-score",
    "/reports/drilldown?staff_group=executive&sort=unit",
    "/reports/drilldown?unit=T-MIN&status=passed",
    "/reports/drilldown?course=data-101&fy=2568",
    "/reports/drilldown?unit=none",
    "/reports/hours",
    "/reports/hours?unit=T-PCM",
    "/reports/hours?province=TH-50&fy=2569",
    "/reports/hours?fy=2568&sort=-hours",
    "/reports/overview.csv?breakdown=unit",
    "/reports/overview.xlsx?province=TH-50&breakdown=province",
    "/reports/drilldown.csv",
    "/reports/drilldown.csv?province=TH-50",
    "/reports/drilldown.xlsx?unit=T-PCM",
    "/reports/drilldown.xlsx?region=regional",
    "/reports/hours.csv?unit=T-DB",
    "/reports/hours.xlsx?province=TH-50",
    "/reports/hours.xlsx?fy=2568",
]
PERSON_ADDRESSES = [
    "/reports/learners/{uuid}",
    "/reports/learners/{uuid}.csv",
    "/reports/learners/{uuid}.xlsx",
]


def body(response) -> str:
    """Everything a person could read in the answer."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
        return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return response.data.decode("utf-8-sig")


@pytest.fixture
def officer(shared):
    app, org = shared

    def sign_in(key: str):
        client = app.test_client()
        assert login(client, org.email(key)).status_code == 302
        return client

    return sign_in


def forbidden_marks(org, officer_key: str) -> list[str]:
    marks = []
    for key in OUTSIDE[officer_key]:
        user = org.user(key)
        marks += [user.first_name_th, user.uuid, f"{user.first_name_en} {user.last_name_en}"]
    return marks


@pytest.mark.parametrize("officer_key", ["hr_a", "hr_cm"])
@pytest.mark.parametrize("address", REPORT_ADDRESSES)
def test_no_parameter_reaches_outside_the_scope(shared, officer, officer_key, address):
    _app, org = shared
    response = officer(officer_key).get(address)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = body(response)
    leaked = [mark for mark in forbidden_marks(org, officer_key) if mark in text]
    assert not leaked, f"{address} shows {leaked}"


@pytest.mark.parametrize("officer_key", ["hr_a", "hr_cm"])
@pytest.mark.parametrize("address", PERSON_ADDRESSES)
def test_no_transcript_outside_the_scope(shared, officer, officer_key, address):
    _app, org = shared
    client = officer(officer_key)
    for key in OUTSIDE[officer_key]:
        response = client.get(address.format(uuid=org.uuid(key)))
        assert response.status_code == 404
        assert org.user(key).first_name_th not in body(response)
    inside = client.get(address.format(uuid=org.uuid(INSIDE[officer_key])))
    assert inside.status_code == 200 and org.user(INSIDE[officer_key]).first_name_th in body(inside)


@pytest.mark.parametrize("officer_key", ["hr_a", "hr_cm"])
def test_the_check_would_see_a_name(shared, officer, officer_key):
    """The same reads do show the people inside the scope: the test above can fail."""
    _app, org = shared
    client = officer(officer_key)
    inside = org.user(INSIDE[officer_key]).first_name_th
    for address in (
        "/reports/drilldown",
        "/reports/drilldown.csv",
        "/reports/drilldown.xlsx",
        "/reports/hours",
    ):
        assert inside in body(client.get(address)), address
