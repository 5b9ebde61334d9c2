"""xAPI 1.0.3 statement validation (the Data part, sections 2.2-2.6 and 4), in plain Python.

One pass over the statement as received, property by property, with the first problem raised
as ``StatementError`` naming its path (``context.instructor.mbox: ...``). It replaced ralph's
pydantic ``BaseXapiStatement``, which refused valid 1.0.3 statements (a Group as instructor or
team, a SubStatement about an Agent, empty ``extensions``, ``version`` "1.0") and let invalid
ones through (a score "100", timestamps with no zone, an ``openid`` that is no URI); and it is
faster and imports nothing heavy: see docs/decisions/0037-statement-validator.md.

Nothing is coerced or defaulted: the statement is kept as received.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lms.xapi import vocabulary


class StatementError(ValueError):
    """A statement that is not valid xAPI 1.0.3; the message names the property."""


VOIDED = vocabulary.VERBS["voided"]
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
VERSION = re.compile(r"^1\.0(?:\.\d+)?$")
# RFC 5646 well-formed tags (language-extlang-script-region-variants-extensions-private use).
LANGUAGE_TAG = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[xX](?:-[A-Za-z0-9]{1,8})+|[iI]-[A-Za-z]{2,8})$"
)
DATE_TIME = re.compile(r"^\d{4}-?\d\d-?\d\dT\d")
NEGATIVE_ZERO = re.compile(r"-00(?::?00)?$")
NUMBER = r"\d+(?:[.,]\d+)?"
DURATION = re.compile(
    rf"^P(?:\d+W|(?=\d|T\d)(?:{NUMBER}Y)?(?:{NUMBER}M)?(?:{NUMBER}D)?"
    rf"(?:T(?=\d)(?:{NUMBER}H)?(?:{NUMBER}M)?(?:{NUMBER}S)?)?)$"
)

STATEMENT_KEYS = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority"}
    | {"version", "attachments"}
)
SUBSTATEMENT_KEYS = frozenset(
    ("objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments")
)
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_KEYS = frozenset(("objectType", "name", *IFIS))
GROUP_KEYS = AGENT_KEYS | {"member"}
ACCOUNT_KEYS = frozenset(("homePage", "name"))
VERB_KEYS = frozenset(("id", "display"))
ACTIVITY_KEYS = frozenset(("objectType", "id", "definition"))
REF_KEYS = frozenset(("objectType", "id"))
RESULT_KEYS = frozenset(("score", "success", "completion", "response", "duration", "extensions"))
SCORE_KEYS = ("scaled", "raw", "min", "max")
CONTEXT_KEYS = frozenset(
    {"registration", "instructor", "team", "contextActivities", "revision", "platform"}
    | {"language", "statement", "extensions"}
)
CONTEXT_ACTIVITY_KEYS = frozenset(("parent", "grouping", "category", "other"))
ATTACHMENT_KEYS = frozenset(
    ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
)
ATTACHMENT_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
DEFINITION_KEYS = frozenset(
    ("name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern")
).union(COMPONENT_LISTS)
# Which interaction component lists each interactionType may have (Data 2.4.4.1).
INTERACTIONS = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
FREE_TEXT_PATTERNS = frozenset(("fill-in", "long-fill-in", "other"))
COMPONENT_KEYS = frozenset(("id", "description"))


def validate(statement: Any) -> None:
    """Raise ``StatementError`` unless ``statement`` is a valid xAPI 1.0.3 statement."""
    if not isinstance(statement, dict):
        raise StatementError("A statement must be a JSON object.")
    _keys(statement, STATEMENT_KEYS, "statement")
    if "id" in statement:
        _uuid(statement["id"], "id")
    _core(statement, "")
    if "stored" in statement:
        _timestamp(statement["stored"], "stored")
    if "authority" in statement:
        _authority(statement["authority"])
    if "version" in statement:
        version = statement["version"]
        if not isinstance(version, str) or not VERSION.match(version):
            raise StatementError(f"version: {version!r} is not 1.0 or 1.0.x.")


def _core(statement: dict[str, Any], where: str) -> None:
    """What a statement and a SubStatement share (Data 2.4.4.3: the same requirements)."""
    for name in ("actor", "verb", "object"):
        if name not in statement:
            raise StatementError(f"{where}{name}: required.")
    _actor(statement["actor"], where + "actor")
    _verb(statement["verb"], where + "verb")
    obj = statement["object"]
    _object(obj, where + "object", substatement=bool(where))
    if statement["verb"]["id"] == VOIDED and obj.get("objectType") != "StatementRef":
        raise StatementError(f"{where}object: a voiding statement's object must be a StatementRef.")
    if "result" in statement:
        _result(statement["result"], where + "result")
    if "context" in statement:
        _context(statement["context"], obj, where + "context")
    if "timestamp" in statement:
        _timestamp(statement["timestamp"], where + "timestamp")
    if "attachments" in statement:
        _attachments(statement["attachments"], where + "attachments")


# -- basic types ---------------------------------------------------------------------------


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StatementError(f"{where}: must be an object.")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise StatementError(f"{where}: must be an array.")
    return value


def _keys(value: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    if not allowed.issuperset(value):
        unknown = sorted(set(value) - allowed)
        raise StatementError(f"{where}: unknown property {unknown[0]!r}.")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise StatementError(f"{where}: must be a string.")
    return value


def _boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise StatementError(f"{where}: {value!r} is not true or false.")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatementError(f"{where}: {value!r} is not a number.")
    return value


def _uuid(value: Any, where: str) -> None:
    if not isinstance(value, str) or not UUID.match(value):
        raise StatementError(f"{where}: {value!r} is not a UUID.")


def _iri(value: Any, where: str) -> None:
    """An IRI (or an IRL: the same form; whether it resolves is not ours to check)."""
    if not isinstance(value, str) or not IRI.match(value):
        raise StatementError(f"{where}: {value!r} is not an IRI.")


def _language(value: Any, where: str) -> None:
    if not isinstance(value, str) or not LANGUAGE_TAG.match(value):
        raise StatementError(f"{where}: {value!r} is not an RFC 5646 language tag.")


def _language_map(value: Any, where: str) -> None:
    for tag, text in _dict(value, where).items():
        _language(tag, where)
        if not isinstance(text, str):
            raise StatementError(f"{where}.{tag}: must be a string.")


def _extensions(value: Any, where: str) -> None:
    """IRI keys, any JSON values (null, "" and {} included: Data 4.1)."""
    for key in _dict(value, where):
        _iri(key, where)


def _timestamp(value: Any, where: str) -> None:
    """ISO 8601 with a time zone, never the offsets -00, -0000, -00:00 (Data 4.5)."""
    if not isinstance(value, str) or not DATE_TIME.match(value) or NEGATIVE_ZERO.search(value):
        raise StatementError(f"{where}: {value!r} is not an ISO 8601 timestamp with a time zone.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise StatementError(f"{where}: {value!r} is not an ISO 8601 timestamp.") from None
    if moment.tzinfo is None:
        raise StatementError(f"{where}: {value!r} has no time zone (give Z or an offset).")


# -- actors --------------------------------------------------------------------------------


def _actor(value: Any, where: str) -> None:
    """An Agent or a Group (Data 2.4.2)."""
    kind = _dict(value, where).get("objectType", "Agent")
    if kind == "Agent":
        _agent(value, where)
    elif kind == "Group":
        _group(value, where)
    else:
        raise StatementError(f"{where}.objectType: {kind!r} is not Agent or Group.")


def _agent(agent: dict[str, Any], where: str) -> None:
    if agent.get("objectType", "Agent") != "Agent":
        raise StatementError(f"{where}.objectType: must be Agent.")
    _keys(agent, AGENT_KEYS, where)
    if _ifis(agent, where) != 1:
        raise StatementError(f"{where}: an Agent needs exactly one of mbox, mbox_sha1sum, openid, account.")


def _group(group: dict[str, Any], where: str) -> None:
    _keys(group, GROUP_KEYS, where)
    identified = _ifis(group, where)
    if identified > 1:
        raise StatementError(f"{where}: a Group has at most one of mbox, mbox_sha1sum, openid, account.")
    if not identified and "member" not in group:
        raise StatementError(f"{where}.member: required in an anonymous Group.")
    if "member" in group:
        for index, member in enumerate(_list(group["member"], where + ".member")):
            _agent(_dict(member, f"{where}.member.{index}"), f"{where}.member.{index}")


def _ifis(actor: dict[str, Any], where: str) -> int:
    """Check the inverse functional identifiers given (Data 2.4.2.3); return how many."""
    count = 0
    if "name" in actor:
        _string(actor["name"], where + ".name")
    if "mbox" in actor:
        count += 1
        if not isinstance(actor["mbox"], str) or not MBOX.match(actor["mbox"]):
            raise StatementError(f"{where}.mbox: {actor['mbox']!r} is not a mailto: address.")
    if "mbox_sha1sum" in actor:
        count += 1
        if not isinstance(actor["mbox_sha1sum"], str) or not SHA1.match(actor["mbox_sha1sum"]):
            raise StatementError(f"{where}.mbox_sha1sum: not a hex SHA-1 digest.")
    if "openid" in actor:
        count += 1
        if not isinstance(actor["openid"], str) or not IRI.match(actor["openid"]):
            raise StatementError(f"{where}.openid: {actor['openid']!r} is not a URI.")
    if "account" in actor:
        count += 1
        _account(actor["account"], where + ".account")
    return count


def _account(account: Any, where: str) -> None:
    _keys(_dict(account, where), ACCOUNT_KEYS, where)
    for name in ("homePage", "name"):
        if name not in account:
            raise StatementError(f"{where}.{name}: required.")
    _iri(account["homePage"], where + ".homePage")
    _string(account["name"], where + ".name")


def _authority(authority: Any) -> None:
    """An Agent, or a Group that is an OAuth pair: anonymous, two Agents (Data 2.4.9)."""
    _actor(authority, "authority")
    if authority.get("objectType") != "Group":
        return
    if any(key in authority for key in IFIS):
        raise StatementError("authority: a Group authority is an anonymous OAuth pair, with no identifier.")
    if len(authority["member"]) != 2:
        raise StatementError("authority: a Group authority must be an OAuth pair of two Agents.")


# -- verb and object -----------------------------------------------------------------------


def _verb(verb: Any, where: str) -> None:
    _keys(_dict(verb, where), VERB_KEYS, where)
    if "id" not in verb:
        raise StatementError(f"{where}.id: required.")
    _iri(verb["id"], where + ".id")
    if "display" in verb:
        _language_map(verb["display"], where + ".display")


def _object(obj: Any, where: str, *, substatement: bool) -> None:
    """An Activity, Agent, Group, StatementRef or (not inside one) a SubStatement (Data 2.4.4)."""
    kind = _dict(obj, where).get("objectType")
    if kind is None and any(key in obj for key in (*IFIS, "member")):
        raise StatementError(f"{where}: an Agent or Group as the object must give its objectType.")
    if kind is None or kind == "Activity":
        _activity(obj, where)
    elif kind == "Agent" or kind == "Group":
        _actor(obj, where)
    elif kind == "StatementRef":
        _statement_ref(obj, where)
    elif kind == "SubStatement" and not substatement:
        _keys(obj, SUBSTATEMENT_KEYS, where)
        _core(obj, where + ".")
    elif kind == "SubStatement":
        raise StatementError(f"{where}: a SubStatement cannot hold another SubStatement.")
    else:
        raise StatementError(f"{where}.objectType: {kind!r} is not a valid objectType.")


def _statement_ref(ref: Any, where: str) -> None:
    _keys(_dict(ref, where), REF_KEYS, where)
    if ref.get("objectType") != "StatementRef":
        raise StatementError(f"{where}.objectType: must be StatementRef.")
    if "id" not in ref:
        raise StatementError(f"{where}.id: required.")
    _uuid(ref["id"], where + ".id")


def _activity(activity: Any, where: str) -> None:
    _keys(_dict(activity, where), ACTIVITY_KEYS, where)
    if activity.get("objectType", "Activity") != "Activity":
        raise StatementError(f"{where}.objectType: must be Activity.")
    if "id" not in activity:
        raise StatementError(f"{where}.id: required.")
    _iri(activity["id"], where + ".id")
    if "definition" in activity:
        _definition(activity["definition"], where + ".definition")


def _definition(definition: Any, where: str) -> None:
    _keys(_dict(definition, where), DEFINITION_KEYS, where)
    for name in ("name", "description"):
        if name in definition:
            _language_map(definition[name], f"{where}.{name}")
    for name in ("type", "moreInfo"):
        if name in definition:
            _iri(definition[name], f"{where}.{name}")
    if "extensions" in definition:
        _extensions(definition["extensions"], where + ".extensions")
    _interaction(definition, where)


def _interaction(definition: dict[str, Any], where: str) -> None:
    """interactionType, its correctResponsesPattern and the component lists it allows."""
    kind = definition.get("interactionType")
    if kind is not None and (not isinstance(kind, str) or kind not in INTERACTIONS):
        raise StatementError(f"{where}.interactionType: {kind!r} is not an xAPI interaction type.")
    allowed = INTERACTIONS.get(kind, ())
    for name in COMPONENT_LISTS:
        if name in definition:
            if name not in allowed:
                raise StatementError(f"{where}.{name}: not allowed for interactionType {kind!r}.")
            _components(definition[name], f"{where}.{name}")
    if "correctResponsesPattern" in definition:
        if kind is None:
            raise StatementError(f"{where}.correctResponsesPattern: needs an interactionType.")
        _patterns(definition["correctResponsesPattern"], kind, where + ".correctResponsesPattern")


def _patterns(patterns: Any, kind: str, where: str) -> None:
    for index, pattern in enumerate(_list(patterns, where)):
        _string(pattern, f"{where}.{index}")
        if kind == "true-false" and pattern not in ("true", "false"):
            raise StatementError(f"{where}.{index}: {pattern!r} is not true or false.")
        if not pattern and kind not in FREE_TEXT_PATTERNS:
            raise StatementError(f"{where}.{index}: empty, which a {kind} response cannot be.")


def _components(components: Any, where: str) -> None:
    seen: set[str] = set()
    for index, component in enumerate(_list(components, where)):
        at = f"{where}.{index}"
        _keys(_dict(component, at), COMPONENT_KEYS, at)
        if "id" not in component:
            raise StatementError(f"{at}.id: required.")
        if _string(component["id"], at + ".id") in seen:
            raise StatementError(f"{at}.id: {component['id']!r} is used twice in the list.")
        seen.add(component["id"])
        if "description" in component:
            _language_map(component["description"], at + ".description")


# -- result, context, attachments ----------------------------------------------------------


def _result(result: Any, where: str) -> None:
    _keys(_dict(result, where), RESULT_KEYS, where)
    if "score" in result:
        _score(result["score"], where + ".score")
    for name in ("success", "completion"):
        if name in result:
            _boolean(result[name], f"{where}.{name}")
    if "response" in result:
        _string(result["response"], where + ".response")
    if "duration" in result:
        duration = result["duration"]
        if not isinstance(duration, str) or not DURATION.match(duration):
            raise StatementError(f"{where}.duration: {duration!r} is not an ISO 8601 duration.")
    if "extensions" in result:
        _extensions(result["extensions"], where + ".extensions")


def _score(score: Any, where: str) -> None:
    """Numbers; scaled in [-1, 1], min < max and raw between them when given (Data 2.4.5.1)."""
    _keys(_dict(score, where), frozenset(SCORE_KEYS), where)
    values = {name: _number(score[name], f"{where}.{name}") for name in SCORE_KEYS if name in score}
    if not -1 <= values.get("scaled", 0) <= 1:
        raise StatementError(f"{where}.scaled: {values['scaled']!r} is not between -1 and 1.")
    low, high, raw = values.get("min"), values.get("max"), values.get("raw")
    if low is not None and high is not None and not low < high:
        raise StatementError(f"{where}.min: must be less than max.")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise StatementError(f"{where}.raw: {raw!r} is not between min and max.")


def _context(context: Any, obj: dict[str, Any], where: str) -> None:
    _keys(_dict(context, where), CONTEXT_KEYS, where)
    if "registration" in context:
        _uuid(context["registration"], where + ".registration")
    if "instructor" in context:
        _actor(context["instructor"], where + ".instructor")
    if "team" in context:
        if _dict(context["team"], where + ".team").get("objectType") != "Group":
            raise StatementError(f"{where}.team: must be a Group (objectType Group).")
        _group(context["team"], where + ".team")
    if "contextActivities" in context:
        _context_activities(context["contextActivities"], where + ".contextActivities")
    for name in ("revision", "platform"):
        if name in context:
            _string(context[name], f"{where}.{name}")
            if obj.get("objectType", "Activity") != "Activity":
                raise StatementError(f"{where}.{name}: only allowed when the object is an Activity.")
    if "language" in context:
        _language(context["language"], where + ".language")
    if "statement" in context:
        _statement_ref(context["statement"], where + ".statement")
    if "extensions" in context:
        _extensions(context["extensions"], where + ".extensions")


def _context_activities(value: Any, where: str) -> None:
    _keys(_dict(value, where), CONTEXT_ACTIVITY_KEYS, where)
    for name, activities in value.items():
        if isinstance(activities, list):
            for index, activity in enumerate(activities):
                _activity(activity, f"{where}.{name}.{index}")
        else:
            _activity(activities, f"{where}.{name}")


def _attachments(attachments: Any, where: str) -> None:
    for index, attachment in enumerate(_list(attachments, where)):
        at = f"{where}.{index}"
        _keys(_dict(attachment, at), ATTACHMENT_KEYS, at)
        for name in ATTACHMENT_REQUIRED:
            if name not in attachment:
                raise StatementError(f"{at}.{name}: required.")
        _iri(attachment["usageType"], at + ".usageType")
        _language_map(attachment["display"], at + ".display")
        if "description" in attachment:
            _language_map(attachment["description"], at + ".description")
        _string(attachment["contentType"], at + ".contentType")
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise StatementError(f"{at}.length: {length!r} is not a whole number of octets.")
        _string(attachment["sha2"], at + ".sha2")
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], at + ".fileUrl")
