"""GET /xapi/statements: single statements, every filter, formats, paging and read scopes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from lms.courses import service as courses
from lms.extensions import session
from tests.conftest import login, make_course, make_user
from tests.lrs.conftest import LrsClient, make_credential
from tests.lrs.test_statements_put_post import STATEMENTS, get_one, statement

ALICE = {"objectType": "Agent", "mbox": "mailto:alice@example.com"}
BOB = {"objectType": "Agent", "account": {"homePage": "https://idp.example", "name": "bob"}}
VERB = "http://adlnet.gov/expapi/verbs/"
ACT = "http://example.com/activities/"


def post(lrs, *statements) -> list[str]:
    response = lrs.post(STATEMENTS, json=list(statements))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def query(lrs, **params) -> dict:
    response = lrs.get(f"{STATEMENTS}?{urlencode(params)}")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Type"].startswith("application/json")
    assert "X-Experience-API-Consistent-Through" in response.headers
    return response.get_json()


def ids(lrs, **params) -> list[str]:
    return [s["id"] for s in query(lrs, **params)["statements"]]


def test_a_single_statement_has_last_modified_and_unknown_ids_are_404(lrs):
    [statement_id] = post(lrs, statement())
    response = lrs.get(f"{STATEMENTS}?statementId={statement_id}")
    assert response.status_code == 200
    assert response.headers["Last-Modified"].endswith("GMT")
    assert response.get_json()["id"] == statement_id
    missing = lrs.get(f"{STATEMENTS}?statementId={uuid.uuid4()}")
    assert missing.status_code == 404 and missing.get_json()["error"]
    assert lrs.get(f"{STATEMENTS}?voidedStatementId={statement_id}").status_code == 404


def test_statement_id_with_other_filters_is_400_but_format_and_attachments_pass(lrs):
    [statement_id] = post(lrs, statement())
    for extra in (
        "verb=http%3A%2F%2Fx.com%2Fv",
        "limit=1",
        "ascending=true",
        f"voidedStatementId={statement_id}",
    ):
        assert lrs.get(f"{STATEMENTS}?statementId={statement_id}&{extra}").status_code == 400, extra
    assert lrs.get(f"{STATEMENTS}?statementId={statement_id}&format=ids").status_code == 200
    assert lrs.get(f"{STATEMENTS}?statementId={statement_id}&attachments=false").status_code == 200


def test_bad_parameters_are_400(lrs):
    for bad in (
        "foo=1",
        "limit=-1",
        "limit=x",
        "ascending=yes",
        "format=full",
        "since=yesterday",
        "agent=notjson",
        "agent=%7B%7D",
        "registration=12",
        "Verb=x",
        "limit=1&limit=2",
    ):
        assert lrs.get(f"{STATEMENTS}?{bad}").status_code == 400, bad


def test_no_match_is_200_with_an_empty_result(lrs):
    assert query(lrs, verb=VERB + "nothing") == {"statements": [], "more": ""}


def test_agent_filter_matches_actor_or_object_by_identifier(lrs):
    as_actor, as_object, other = post(
        lrs,
        statement(actor={**ALICE, "name": "Alice"}),
        statement(actor=BOB, object=ALICE),
        statement(actor=BOB),
    )
    found = ids(lrs, agent=json.dumps({"mbox": "mailto:alice@example.com"}))
    assert found == [as_object, as_actor]
    assert ids(lrs, agent=json.dumps(BOB)) == [other, as_object]


def test_related_agents_reaches_instructor_team_and_authority(lrs):
    [taught] = post(lrs, statement(actor=BOB, context={"instructor": ALICE}))
    assert ids(lrs, agent=json.dumps(ALICE)) == []
    assert ids(lrs, agent=json.dumps(ALICE), related_agents="true") == [taught]


def test_verb_activity_and_registration_filters(lrs):
    registration = str(uuid.uuid4())
    a, b, c = post(
        lrs,
        statement(verb={"id": VERB + "passed"}, object={"id": ACT + "quiz"}),
        statement(
            object={"id": ACT + "lesson"},
            context={"registration": registration, "contextActivities": {"parent": [{"id": ACT + "quiz"}]}},
        ),
        statement(verb={"id": VERB + "passed"}),
    )
    assert ids(lrs, verb=VERB + "passed") == [c, a]
    assert ids(lrs, activity=ACT + "quiz") == [a]
    assert ids(lrs, activity=ACT + "quiz", related_activities="true") == [b, a]
    assert ids(lrs, registration=registration) == [b]
    assert ids(lrs, registration=registration.upper()) == [b]
    assert ids(lrs, verb=VERB + "passed", activity=ACT + "quiz") == [a]


def test_a_statement_ref_matches_the_filters_its_target_matches(lrs):
    [target] = post(lrs, statement(actor=ALICE, object={"id": ACT + "explosives"}))
    [ref] = post(
        lrs,
        statement(
            actor=BOB, verb={"id": VERB + "confirmed"}, object={"objectType": "StatementRef", "id": target}
        ),
    )
    [ref_of_ref] = post(lrs, statement(actor=BOB, object={"objectType": "StatementRef", "id": ref}))
    assert ids(lrs, activity=ACT + "explosives") == [ref_of_ref, ref, target]
    assert ids(lrs, agent=json.dumps(ALICE)) == [ref_of_ref, ref, target]
    assert ids(lrs, agent=json.dumps(BOB), verb=VERB + "confirmed") == [ref_of_ref, ref]


def test_a_ref_stored_before_its_target_matches_once_the_target_arrives(lrs):
    target_id = str(uuid.uuid4())
    [ref] = post(lrs, statement(actor=BOB, object={"objectType": "StatementRef", "id": target_id}))
    assert ids(lrs, activity=ACT + "late") == []
    post(lrs, statement(id=target_id, object={"id": ACT + "late"}))
    assert ids(lrs, activity=ACT + "late") == [target_id, ref]


def test_since_until_and_ascending(lrs):
    first, second = post(lrs, statement(), statement())
    assert ids(lrs) == [second, first]
    assert ids(lrs, ascending="true") == [first, second]
    stored_first = get_one(lrs, first)["stored"]
    stored_second = get_one(lrs, second)["stored"]
    assert first in ids(lrs, until=stored_first)
    assert first not in ids(lrs, since=stored_first)
    assert ids(lrs, since=stored_first, until=stored_second) in ([second], [])
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert ids(lrs, since=later) == []
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert ids(lrs, since=earlier) == [second, first]
    assert ids(lrs, until=earlier) == []


def test_more_pages_stably_while_statements_arrive(app, lrs):
    app.config["LMS_LRS_PAGE_SIZE"] = 2
    made = post(lrs, *[statement() for _ in range(5)])
    page = query(lrs, limit=0)
    assert [s["id"] for s in page["statements"]] == made[::-1][:2]
    post(lrs, statement())
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        assert page["more"].startswith("/xapi/statements/more/")
        response = lrs.get(page["more"])
        assert response.status_code == 200
        assert "X-Experience-API-Consistent-Through" in response.headers
        page = response.get_json()
        seen += [s["id"] for s in page["statements"]]
    assert seen == made[::-1]
    assert lrs.get("/xapi/statements/more/forged").status_code == 400


def test_limit_and_ascending_pages(lrs):
    made = post(lrs, *[statement() for _ in range(3)])
    page = query(lrs, limit=2, ascending="true")
    assert [s["id"] for s in page["statements"]] == made[:2]
    rest = lrs.get(page["more"]).get_json()
    assert [s["id"] for s in rest["statements"]] == made[2:]
    assert rest["more"] == ""


def test_format_ids_keeps_only_identifiers(lrs):
    rich = statement(
        actor={**ALICE, "name": "Alice"},
        object={"objectType": "Activity", "id": ACT + "one", "definition": {"name": {"en-US": "One"}}},
    )
    [statement_id] = post(lrs, rich)
    got = lrs.get(f"{STATEMENTS}?statementId={statement_id}&format=ids").get_json()
    assert got["actor"] == {"objectType": "Agent", "mbox": "mailto:alice@example.com"}
    assert got["verb"] == {"id": VERB + "experienced"}
    assert got["object"] == {"id": ACT + "one"}
    exact = lrs.get(f"{STATEMENTS}?statementId={statement_id}&format=exact").get_json()
    assert exact["actor"]["name"] == "Alice"


def test_format_canonical_picks_one_language_per_map(lrs):
    rich = statement(
        verb={
            "id": VERB + "experienced",
            "display": {"en-US": "experienced", "en-GB": "experienced!", "th-TH": "ศึกษา"},
        },
        object={
            "id": ACT + "one",
            "definition": {
                "name": {"en-US": "One", "th-TH": "หนึ่ง"},
                "description": {"en-US": "d", "en-GB": "d2"},
            },
        },
    )
    [statement_id] = post(lrs, rich)
    url = f"{STATEMENTS}?statementId={statement_id}&format=canonical"
    got = lrs.get(url, headers={"Accept-Language": "en-GB"}).get_json()
    assert got["verb"]["display"] == {"en-GB": "experienced!"}
    assert got["object"]["definition"]["description"] == {"en-GB": "d2"}
    assert len(got["object"]["definition"]["name"]) == 1
    thai = lrs.get(url, headers={"Accept-Language": "th, en;q=0.5"}).get_json()
    assert thai["object"]["definition"]["name"] == {"th-TH": "หนึ่ง"}
    exact = lrs.get(f"{STATEMENTS}?statementId={statement_id}", headers={"Accept-Language": "en-GB"})
    assert len(exact.get_json()["verb"]["display"]) == 3


def test_attachments_true_answers_multipart(lrs):
    [statement_id] = post(lrs, statement())
    response = lrs.get(f"{STATEMENTS}?statementId={statement_id}&attachments=true")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    listed = lrs.get(f"{STATEMENTS}?attachments=true")
    assert listed.headers["Content-Type"].startswith("multipart/mixed")


def test_read_mine_reads_only_what_its_credential_stored(app, client, lrs):
    _, mine_auth = make_credential(("statements/write", "statements/read/mine"))
    mine = LrsClient(client, mine_auth)
    [own] = post(mine, statement())
    [others] = post(lrs, statement())
    assert ids(mine) == [own]
    assert mine.get(f"{STATEMENTS}?statementId={others}").status_code == 404
    assert mine.get(f"{STATEMENTS}?statementId={own}").status_code == 200
    assert ids(lrs) == [others, own]


def test_reading_needs_a_read_scope(lrs):
    writer = lrs.as_scopes("statements/write")
    assert writer.get(STATEMENTS).status_code == 403


def test_a_signed_in_learner_reads_only_their_own(app, client, lrs):
    course = make_course()
    learner, other = make_user(), make_user()
    for person in (learner, other):
        courses.enrol(person, course)
    session.commit()
    login(client, learner.email)
    response = client.get(STATEMENTS, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 200
    actors = {s["actor"]["account"]["name"] for s in response.get_json()["statements"]}
    assert actors == {learner.uuid}
    assert len(ids(lrs)) == 2


def test_our_own_pages_statements_are_indexed(app, lrs):
    course = make_course()
    learner = make_user()
    courses.enrol(learner, course)
    session.commit()
    agent = {"account": {"homePage": app.config["LMS_BASE_URL"], "name": learner.uuid}}
    [found] = query(lrs, agent=json.dumps(agent))["statements"]
    assert found["authority"]["account"]["name"] == "lms"
    assert quote(found["object"]["id"], safe=":/") == found["object"]["id"]
    assert ids(lrs, activity=found["object"]["id"]) == [found["id"]]


def test_statements_stored_before_the_index_are_indexed_by_the_command(app, lrs, runner):
    from sqlalchemy import delete

    from lms.xapi.lrs.statement_models import LrsStatementKey, LrsStatementMeta

    target, ref = post(lrs, statement(actor=ALICE), statement(actor=BOB))
    post(lrs, statement(actor=BOB, object={"objectType": "StatementRef", "id": target}))
    session.execute(delete(LrsStatementKey))
    session.execute(delete(LrsStatementMeta))
    session.commit()
    assert ids(lrs, agent=json.dumps(ALICE)) == []
    result = runner.invoke(args=["lms", "xapi", "lrs-index"])
    assert result.exit_code == 0, result.output
    assert "3 statement(s) indexed" in result.output
    found = ids(lrs, agent=json.dumps(ALICE))
    assert len(found) == 2 and found[1] == target
    assert ref not in found


def test_bulk_recording_by_the_lms_is_indexed_at_the_end(app, lrs):
    from lms.xapi.lrs.statement_store import stored_by_lms
    from lms.xapi.service import record_many

    made = [statement(actor=ALICE, id=str(uuid.uuid4())) for _ in range(3)]
    with stored_by_lms():
        record_many(made)
    session.commit()
    found = query(lrs, agent=json.dumps(ALICE))["statements"]
    assert [s["id"] for s in found] == [s["id"] for s in made][::-1]
    assert {s["authority"]["account"]["name"] for s in found} == {"lms"}
