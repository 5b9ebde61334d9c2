"""Builds the statements the LMS emits, all in one shape (see docs/xapi-profile.md).

The actor is an account {homePage: the site's base URL, name: the user's opaque uuid}, never
an email. Activity ids are IRIs under the site's base URL, built from the package ids.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from lms.xapi.vocabulary import ACTIVITY_TYPES, LANGUAGE, PLATFORM, VERBS, profile_iri

ACTIVITY_PATH = re.compile(
    r"/xapi/activities/courses/(?P<course>[^/]+)"
    r"(?:/modules/(?P<module>[^/]+)|/lessons/(?P<lesson>[^/]+)"
    r"|/quizzes/(?P<quiz>[^/]+)(?:/questions/(?P<question>[^/]+)(?:/[0-9a-f]{12})?)?)?$"
)
LEVELS = ("question", "quiz", "lesson", "module")


def course_iri(base_url: str, slug: str) -> str:
    return f"{base_url}/xapi/activities/courses/{slug}"


def module_iri(base_url: str, slug: str, module_key: str) -> str:
    return f"{course_iri(base_url, slug)}/modules/{module_key}"


def lesson_iri(base_url: str, slug: str, lesson_key: str) -> str:
    return f"{course_iri(base_url, slug)}/lessons/{lesson_key}"


def parse_activity(iri: str) -> dict[str, str | None] | None:
    """The parts of one of our activity IRIs (course slug, module, lesson, quiz, question key)
    and its ``level``: the most specific part present. None for anyone else's IRI."""
    match = ACTIVITY_PATH.search(iri)
    if not match:
        return None
    parts = match.groupdict()
    parts["level"] = next((level for level in LEVELS if parts[level]), "course")
    return parts


def actor(base_url: str, user_uuid: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": base_url, "name": user_uuid}}


def activity(iri: str, kind: str, name_th: str, name_en: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": ACTIVITY_TYPES[kind], "name": {"th-TH": name_th, "en-US": name_en}},
    }


def statement(
    base_url: str,
    user_uuid: str,
    verb: str,
    obj: dict[str, Any],
    *,
    registration: str,
    parent: dict[str, Any] | None = None,
    grouping: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    context_activities: dict[str, Any] = {
        "category": [{"objectType": "Activity", "id": profile_iri(base_url)}]
    }
    if parent:
        context_activities["parent"] = [_ref(parent)]
    if grouping:
        context_activities["grouping"] = [_ref(grouping)]
    context: dict[str, Any] = {
        "registration": registration,
        "contextActivities": context_activities,
        "language": LANGUAGE,
        "platform": PLATFORM,
    }
    if extensions:
        context["extensions"] = extensions
    built: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor(base_url, user_uuid),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "context": context,
        "timestamp": (timestamp or datetime.now(UTC)).isoformat(),
    }
    if result:
        built["result"] = result
    return built


def _ref(activity_obj: dict[str, Any]) -> dict[str, Any]:
    return {"objectType": "Activity", "id": activity_obj["id"]}


def duration(seconds: int) -> str:
    """ISO 8601 duration for whole seconds: PT1H2M3S."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs or text == "PT":
        text += f"{secs}S"
    return text


DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(text: str | None) -> int:
    """Whole seconds in an ISO 8601 duration such as PT1M30S (0 when absent or unreadable)."""
    match = DURATION.match(text or "")
    if not match:
        return 0
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return int(
        parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
    )


def voiding(base_url: str, user_uuid: str, statement_id: str) -> dict[str, Any]:
    """A statement that voids another (no context: the spec allows no platform on a StatementRef)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": actor(base_url, user_uuid),
        "verb": {"id": VERBS["voided"], "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": statement_id},
        "timestamp": datetime.now(UTC).isoformat(),
    }
