"""Table-driven: valid xAPI 1.0.3 statements are accepted, invalid ones refused naming the
property and the rule (Data 2.2-2.6, 4). The first table holds the classes ralph's model got
wrong; every row of the second breaks exactly one rule of a valid base statement."""

import copy

import pytest

from lms.xapi.validation import StatementError, validate

AGENT = {"objectType": "Agent", "name": "A", "mbox": "mailto:a@example.com"}
AGENT_2 = {"account": {"homePage": "https://lms.example", "name": "7f0c"}}
GROUP = {"objectType": "Group", "name": "team", "member": [AGENT, AGENT_2]}
IDENTIFIED_GROUP = {"objectType": "Group", "openid": "https://id.example/team", "member": [AGENT]}
VERB = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}}
ACTIVITY = {"objectType": "Activity", "id": "https://example.com/a/1"}
REF = {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}
BASE = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": AGENT,
    "verb": VERB,
    "object": ACTIVITY,
    "timestamp": "2026-12-08T05:00:00Z",
}


def with_(**changes):
    statement = copy.deepcopy(BASE)
    statement.update(copy.deepcopy(changes))
    return statement


def sub(**changes):
    return {"objectType": "SubStatement", "actor": AGENT, "verb": VERB, "object": ACTIVITY, **changes}


def interaction(**definition):
    return {"id": "https://example.com/q/1", "definition": definition}


VALID = {
    # What ralph 5.1.0 refused:
    "anonymous Group as instructor": with_(context={"instructor": GROUP}),
    "identified Group as instructor": with_(context={"instructor": IDENTIFIED_GROUP}),
    "anonymous Group as team": with_(context={"team": GROUP}),
    "identified Group as team, no members": with_(
        context={"team": {"objectType": "Group", "mbox": "mailto:t@example.com"}}
    ),
    "SubStatement about an Agent": with_(object=sub(object=AGENT)),
    "SubStatement about a Group": with_(object=sub(object=GROUP)),
    "empty definition": with_(object={"id": "https://example.com/a/1", "definition": {}}),
    "empty extensions everywhere": with_(
        object={"id": "https://example.com/a/1", "definition": {"extensions": {}}},
        result={"extensions": {}},
        context={"extensions": {}},
    ),
    "extension values null, empty string, empty object": with_(
        context={
            "extensions": {"https://x.example/a": None, "https://x.example/b": "", "https://x.example/c": {}}
        }
    ),
    "version 1.0": with_(version="1.0"),
    "version 1.0.0": with_(version="1.0.0"),
    "version 1.0.3": with_(version="1.0.3"),
    "version 1.0.9": with_(version="1.0.9"),
    # The rest of 1.0.3:
    "minimal, no id, no timestamp": {"actor": AGENT, "verb": {"id": VERB["id"]}, "object": ACTIVITY},
    "Agent with no objectType, by account": with_(actor=AGENT_2),
    "Agent by mbox_sha1sum": with_(actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
    "Agent by openid": with_(actor={"openid": "http://openid.example.org/12345"}),
    "anonymous Group as actor": with_(actor=GROUP),
    "Agent as object": with_(object=AGENT),
    "Group as object": with_(object=IDENTIFIED_GROUP),
    "StatementRef object": with_(object=REF),
    "voiding a StatementRef": with_(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object=REF),
    "SubStatement with context, result, timestamp": with_(
        object=sub(
            context={"instructor": GROUP, "platform": "p"},
            result={"success": True},
            timestamp="2026-12-08T05:00:00+07:00",
        )
    ),
    "timestamp with offset and nanoseconds": with_(timestamp="2026-12-08T12:00:00.123456789+07:00"),
    "full result": with_(
        result={
            "score": {"scaled": -1, "raw": 0, "min": -5, "max": 5},
            "success": False,
            "completion": True,
            "response": "",
            "duration": "P1DT2H3M4.5S",
        }
    ),
    "duration in weeks": with_(result={"duration": "P4W"}),
    "full context": with_(
        context={
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": AGENT,
            "team": GROUP,
            "contextActivities": {
                "parent": ACTIVITY,
                "grouping": [ACTIVITY],
                "category": [],
                "other": [ACTIVITY],
            },
            "revision": "1",
            "platform": "LMS",
            "language": "zh-Hant-TW",
            "statement": REF,
        }
    ),
    "choice interaction": with_(
        object=interaction(
            interactionType="choice",
            correctResponsesPattern=["a[,]b"],
            choices=[{"id": "a", "description": {"th-TH": "ก"}}, {"id": "b"}],
        )
    ),
    "likert with a scale": with_(
        object=interaction(interactionType="likert", scale=[{"id": "1"}], correctResponsesPattern=["1"])
    ),
    "matching with source and target": with_(
        object=interaction(interactionType="matching", source=[{"id": "s"}], target=[{"id": "t"}])
    ),
    "performance with steps": with_(object=interaction(interactionType="performance", steps=[{"id": "1"}])),
    "fill-in with an empty pattern": with_(
        object=interaction(interactionType="fill-in", correctResponsesPattern=[""])
    ),
    "attachment": with_(
        attachments=[
            {
                "usageType": "http://adlnet.gov/expapi/attachments/signature",
                "display": {"en-US": "Signature"},
                "contentType": "application/octet-stream",
                "length": 0,
                "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
                "fileUrl": "https://files.example/1",
            }
        ]
    ),
    "authority: an OAuth pair": with_(authority={"objectType": "Group", "member": [AGENT, AGENT_2]}),
    "stored": with_(stored="2026-12-08T05:00:01.000Z"),
}

INVALID = [
    # (name, statement, the property named, what the message says)
    ("not an object", [], "A statement must be a JSON object.", "JSON object"),
    ("unknown property", with_(score=1), "statement", "unknown property 'score'"),
    ("no actor", {k: v for k, v in BASE.items() if k != "actor"}, "actor", "required"),
    ("id not a UUID", with_(id="not-a-uuid"), "id", "is not a UUID"),
    ("id not a string", with_(id=12), "id", "is not a UUID"),
    ("Agent with two IFIs", with_(actor={**AGENT, "openid": "http://o.example"}), "actor", "exactly one"),
    ("Agent with no IFI", with_(actor={"name": "A"}), "actor", "exactly one"),
    ("mbox without mailto", with_(actor={"mbox": "a@example.com"}), "actor.mbox", "mailto"),
    ("mbox_sha1sum not hex", with_(actor={"mbox_sha1sum": "xyz"}), "actor.mbox_sha1sum", "SHA-1"),
    ("openid not a URI", with_(actor={"openid": "not a uri"}), "actor.openid", "URI"),
    (
        "account without name",
        with_(actor={"account": {"homePage": "https://x"}}),
        "actor.account.name",
        "required",
    ),
    (
        "account homePage not an IRL",
        with_(actor={"account": {"homePage": "x", "name": "n"}}),
        "actor.account.homePage",
        "IRI",
    ),
    ("name not a string", with_(actor={**AGENT, "name": 5}), "actor.name", "string"),
    (
        "unknown objectType for the actor",
        with_(actor={**AGENT, "objectType": "Person"}),
        "actor.objectType",
        "Agent or Group",
    ),
    ("anonymous Group without members", with_(actor={"objectType": "Group"}), "actor.member", "required"),
    (
        "Group with two IFIs",
        with_(actor={**IDENTIFIED_GROUP, "mbox": "mailto:g@x.example"}),
        "actor",
        "at most one",
    ),
    ("Group in a Group", with_(actor={**GROUP, "member": [GROUP]}), "actor.member.0.objectType", "Agent"),
    ("team is an Agent", with_(context={"team": AGENT}), "context.team", "Group"),
    (
        "instructor with a bad mbox",
        with_(context={"instructor": {"mbox": "x"}}),
        "context.instructor.mbox",
        "mailto",
    ),
    ("verb without id", with_(verb={"display": {"en-US": "x"}}), "verb.id", "required"),
    ("verb id not an IRI", with_(verb={"id": "not an iri"}), "verb.id", "IRI"),
    (
        "display with a bad language tag",
        with_(verb={**VERB, "display": {"not a tag!": "x"}}),
        "verb.display",
        "language tag",
    ),
    (
        "display value not a string",
        with_(verb={**VERB, "display": {"en-US": 1}}),
        "verb.display.en-US",
        "string",
    ),
    (
        "Agent object without objectType",
        with_(object={"mbox": "mailto:a@example.com"}),
        "object",
        "objectType",
    ),
    (
        "unknown objectType for the object",
        with_(object={**ACTIVITY, "objectType": "activity"}),
        "object.objectType",
        "valid objectType",
    ),
    ("activity without id", with_(object={"objectType": "Activity"}), "object.id", "required"),
    ("activity id not an IRI", with_(object={"id": "1"}), "object.id", "IRI"),
    ("definition not an object", with_(object={**ACTIVITY, "definition": []}), "object.definition", "object"),
    (
        "definition type not an IRI",
        with_(object={**ACTIVITY, "definition": {"type": "t"}}),
        "object.definition.type",
        "IRI",
    ),
    (
        "extensions not an object",
        with_(object={**ACTIVITY, "definition": {"extensions": []}}),
        "object.definition.extensions",
        "object",
    ),
    ("extension key not an IRI", with_(context={"extensions": {"key": 1}}), "context.extensions", "IRI"),
    (
        "unknown interactionType",
        with_(object=interaction(interactionType="essay")),
        "object.definition.interactionType",
        "interaction type",
    ),
    (
        "interactionType not a string",
        with_(object=interaction(interactionType={})),
        "object.definition.interactionType",
        "interaction type",
    ),
    (
        "choices on a true-false",
        with_(object=interaction(interactionType="true-false", choices=[])),
        "object.definition.choices",
        "not allowed",
    ),
    (
        "components without interactionType",
        with_(object=interaction(choices=[{"id": "a"}])),
        "object.definition.choices",
        "not allowed",
    ),
    (
        "pattern without interactionType",
        with_(object=interaction(correctResponsesPattern=["a"])),
        "object.definition.correctResponsesPattern",
        "interactionType",
    ),
    (
        "true-false pattern not true/false",
        with_(object=interaction(interactionType="true-false", correctResponsesPattern=["yes"])),
        "object.definition.correctResponsesPattern.0",
        "true or false",
    ),
    (
        "empty choice pattern",
        with_(object=interaction(interactionType="choice", correctResponsesPattern=[""])),
        "object.definition.correctResponsesPattern.0",
        "empty",
    ),
    (
        "component without id",
        with_(object=interaction(interactionType="choice", choices=[{"description": {"en": "x"}}])),
        "object.definition.choices.0.id",
        "required",
    ),
    (
        "component ids repeated",
        with_(object=interaction(interactionType="likert", scale=[{"id": "1"}, {"id": "1"}])),
        "object.definition.scale.1.id",
        "twice",
    ),
    ("StatementRef without id", with_(object={"objectType": "StatementRef"}), "object.id", "required"),
    (
        "StatementRef id not a UUID",
        with_(object={"objectType": "StatementRef", "id": "x"}),
        "object.id",
        "UUID",
    ),
    (
        "voiding an activity",
        with_(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "object",
        "StatementRef",
    ),
    (
        "SubStatement in a SubStatement",
        with_(object=sub(object=sub())),
        "object.object",
        "another SubStatement",
    ),
    ("SubStatement with an id", with_(object=sub(id=BASE["id"])), "object", "unknown property 'id'"),
    ("SubStatement with version", with_(object=sub(version="1.0.3")), "object", "unknown property 'version'"),
    (
        "SubStatement with a bad timestamp",
        with_(object=sub(timestamp="2026-12-08T05:00:00")),
        "object.timestamp",
        "time zone",
    ),
    (
        "SubStatement platform with an Agent object",
        with_(object=sub(object=AGENT, context={"platform": "p"})),
        "object.context.platform",
        "Activity",
    ),
    (
        "revision with a StatementRef object",
        with_(object=REF, context={"revision": "1"}),
        "context.revision",
        "Activity",
    ),
    (
        "platform with an Agent object",
        with_(object=AGENT, context={"platform": "p"}),
        "context.platform",
        "Activity",
    ),
    ("registration not a UUID", with_(context={"registration": "12345"}), "context.registration", "UUID"),
    (
        "context language not a tag",
        with_(context={"language": "english!"}),
        "context.language",
        "language tag",
    ),
    (
        "context statement an activity",
        with_(context={"statement": ACTIVITY}),
        "context.statement.objectType",
        "StatementRef",
    ),
    (
        "contextActivities unknown key",
        with_(context={"contextActivities": {"sibling": []}}),
        "context.contextActivities",
        "unknown property",
    ),
    (
        "contextActivities not activities",
        with_(context={"contextActivities": {"parent": [AGENT]}}),
        "context.contextActivities.parent.0",
        "unknown property",
    ),
    ("scaled above 1", with_(result={"score": {"scaled": 1.5}}), "result.score.scaled", "between -1 and 1"),
    ("raw as a string", with_(result={"score": {"raw": "100"}}), "result.score.raw", "not a number"),
    (
        "raw above max",
        with_(result={"score": {"raw": 11, "min": 0, "max": 10}}),
        "result.score.raw",
        "between min and max",
    ),
    ("min not below max", with_(result={"score": {"min": 5, "max": 5}}), "result.score.min", "less than max"),
    ("success as a string", with_(result={"success": "true"}), "result.success", "true or false"),
    ("completion as a number", with_(result={"completion": 1}), "result.completion", "true or false"),
    ("response not a string", with_(result={"response": 3}), "result.response", "string"),
    (
        "duration not ISO 8601",
        with_(result={"duration": "90 seconds"}),
        "result.duration",
        "ISO 8601 duration",
    ),
    ("duration weeks mixed", with_(result={"duration": "P4W1D"}), "result.duration", "ISO 8601 duration"),
    ("duration empty", with_(result={"duration": "PT"}), "result.duration", "ISO 8601 duration"),
    ("timestamp not a date", with_(timestamp="yesterday"), "timestamp", "ISO 8601"),
    ("timestamp with no zone", with_(timestamp="2026-12-08T05:00:00"), "timestamp", "time zone"),
    ("timestamp with -00:00", with_(timestamp="2026-12-08T05:00:00-00:00"), "timestamp", "ISO 8601"),
    ("timestamp date only", with_(timestamp="2026-12-08"), "timestamp", "ISO 8601"),
    ("stored with no zone", with_(stored="2026-12-08T05:00:00"), "stored", "time zone"),
    ("version 1.1", with_(version="1.1.0"), "version", "1.0 or 1.0.x"),
    ("version 2.0.0", with_(version="2.0.0"), "version", "1.0 or 1.0.x"),
    ("version a number", with_(version=1.0), "version", "1.0 or 1.0.x"),
    (
        "authority Group with an IFI",
        with_(authority={**GROUP, "mbox": "mailto:g@x.example"}),
        "authority",
        "anonymous OAuth pair",
    ),
    (
        "authority Group of three",
        with_(authority={**GROUP, "member": [AGENT, AGENT_2, AGENT]}),
        "authority",
        "two Agents",
    ),
    ("authority an Activity", with_(authority=ACTIVITY), "authority.objectType", "Agent or Group"),
    ("attachments not an array", with_(attachments={}), "attachments", "array"),
    (
        "attachment without sha2",
        with_(
            attachments=[{"usageType": "https://u", "display": {"en": "d"}, "contentType": "t", "length": 1}]
        ),
        "attachments.0.sha2",
        "required",
    ),
    (
        "attachment length a string",
        with_(
            attachments=[
                {
                    "usageType": "https://u",
                    "display": {"en": "d"},
                    "contentType": "t",
                    "length": "1",
                    "sha2": "ab",
                }
            ]
        ),
        "attachments.0.length",
        "whole number",
    ),
    ("null result", with_(result=None), "result", "object"),
]


@pytest.mark.parametrize("statement", list(VALID.values()), ids=list(VALID))
def test_valid_statements_are_accepted(statement):
    validate(statement)


@pytest.mark.parametrize(
    ("statement", "where", "rule"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID]
)
def test_invalid_statements_are_refused_naming_the_property(statement, where, rule):
    with pytest.raises(StatementError) as refused:
        validate(statement)
    message = str(refused.value)
    assert message.partition(": ")[0] == where, message
    assert rule in message, message
