"""The Agents, Activities and About resources (Communication 2.4, 2.5, 2.8)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from lms.extensions import session
from lms.xapi import service

ACTIVITY = "http://example.com/meetings/34534"
ANN = {"objectType": "Agent", "mbox": "mailto:ann@example.com"}


def statement(actor: dict, activity: dict) -> dict:
    return {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}},
        "object": activity,
    }


def meeting(**definition) -> dict:
    return {"objectType": "Activity", "id": ACTIVITY, **({"definition": definition} if definition else {})}


def recorded(*statements: dict) -> None:
    for one in statements:
        service.record(one)
    session.commit()


def agents(lrs, agent):
    return lrs.get("/xapi/agents?" + urlencode({"agent": json.dumps(agent)}))


def activities(lrs, activity_id):
    return lrs.get("/xapi/activities?" + urlencode({"activityId": activity_id}))


def test_about_needs_no_credentials_nor_version_header(client):
    about = client.get("/xapi/about")
    assert about.status_code == 200
    assert about.headers["X-Experience-API-Version"] == "1.0.3"
    body = about.get_json()
    assert "1.0.3" in body["version"]
    assert all(v.startswith("1.0.") for v in body["version"])
    assert set(body) <= {"version", "extensions"}
    assert all(":" in key for key in body["extensions"])
    assert client.head("/xapi/about").status_code == 200


def test_an_unknown_agent_is_a_person_of_itself(lrs):
    person = agents(lrs, {**ANN, "name": "Ann"})
    assert person.status_code == 200
    assert person.get_json() == {"objectType": "Person", "name": ["Ann"], "mbox": ["mailto:ann@example.com"]}
    account = {"account": {"homePage": "http://example.com", "name": "a1"}}
    assert agents(lrs, account).get_json() == {"objectType": "Person", "account": [account["account"]]}


def test_the_person_combines_the_names_statements_gave(lrs):
    recorded(
        statement({**ANN, "name": "Ann"}, meeting()),
        statement({**ANN, "name": "Ann Smith"}, meeting()),
        statement({"mbox": "mailto:bob@example.com", "name": "Bob"}, meeting()),
    )
    person = agents(lrs, ANN).get_json()
    assert sorted(person["name"]) == ["Ann", "Ann Smith"]
    assert person["mbox"] == ["mailto:ann@example.com"]


def test_a_credential_that_cannot_read_statements_sees_only_the_agent_it_sent(lrs):
    recorded(statement({**ANN, "name": "Ann"}, meeting()))
    person = agents(lrs.as_scopes("statements/read/mine"), ANN).get_json()
    assert person == {"objectType": "Person", "mbox": ["mailto:ann@example.com"]}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "agent=not%20json",
        "agent=" + json.dumps({"name": "no identifier"}),
        "agent=" + json.dumps({"objectType": "Group", "mbox": "mailto:g@example.com"}),
    ],
)
def test_agents_refuses_a_missing_or_bad_agent(lrs, query):
    refused = lrs.get("/xapi/agents?" + query)
    assert refused.status_code == 400 and refused.get_json()["error"]


def test_activity_definitions_are_merged_across_statements(lrs):
    recorded(
        statement(
            ANN,
            meeting(name={"en-US": "example meeting"}, type="http://adlnet.gov/expapi/activities/meeting"),
        ),
        statement(ANN, meeting(name={"fr-FR": "réunion"}, description={"en-US": "A meeting"})),
        statement(ANN, {"id": ACTIVITY}),
    )
    found = activities(lrs, ACTIVITY)
    assert found.status_code == 200
    assert found.get_json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"en-US": "example meeting", "fr-FR": "réunion"},
            "description": {"en-US": "A meeting"},
            "type": "http://adlnet.gov/expapi/activities/meeting",
        },
    }


def test_a_single_statement_gives_back_its_activity_object(lrs):
    activity = meeting(
        name={"en-GB": "example meeting"},
        moreInfo="http://example.com/345256",
        extensions={"http://example.com/ext/location": {"room": "X"}},
    )
    recorded(statement(ANN, activity))
    assert activities(lrs, ACTIVITY).get_json() == activity


def test_an_unknown_activity_is_its_id(lrs):
    found = activities(lrs, "http://example.com/never-seen")
    assert found.get_json() == {"objectType": "Activity", "id": "http://example.com/never-seen"}
    assert lrs.head("/xapi/activities?activityId=http://example.com/x").status_code == 200


@pytest.mark.parametrize("query", ["", "activityId=true", "activityId=not%20an%20iri"])
def test_activities_refuses_a_missing_or_bad_id(lrs, query):
    refused = lrs.get("/xapi/activities?" + query)
    assert refused.status_code == 400 and refused.get_json()["error"]


def test_agents_and_activities_need_credentials_and_the_version(client, lrs):
    assert (
        client.get(
            "/xapi/activities?activityId=" + ACTIVITY, headers={"X-Experience-API-Version": "1.0.3"}
        ).status_code
        == 401
    )
    assert (
        client.get(
            "/xapi/agents?" + urlencode({"agent": json.dumps(ANN)}),
            headers={"Authorization": lrs.headers["Authorization"]},
        ).status_code
        == 400
    )
    assert lrs.put("/xapi/activities?activityId=" + ACTIVITY, json={}).status_code == 405


def test_only_senders_that_may_define_change_the_definition(lrs):
    writer, definer = lrs.as_scopes("statements/write"), lrs.as_scopes("statements/write", "define")
    first = statement(ANN, meeting(name={"en-US": "by a definer"}))
    second = statement(ANN, meeting(name={"en-US": "by a writer"}, type="http://example.com/t"))
    assert definer.post("/xapi/statements", json=first).status_code == 200
    assert writer.post("/xapi/statements", json=second).status_code == 200
    found = activities(lrs, ACTIVITY).get_json()
    assert found["definition"] == {"name": {"en-US": "by a definer"}}
