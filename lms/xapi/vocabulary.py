"""The xAPI vocabulary the LMS emits: ADL and cmi5 verbs, activity types and extensions.

``docs/xapi-profile.md`` shows one example of every statement built from these.
"""

from __future__ import annotations

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"

VERBS: dict[str, str] = {
    "registered": ADL_VERBS + "registered",
    "launched": ADL_VERBS + "launched",
    "initialized": ADL_VERBS + "initialized",
    "experienced": ADL_VERBS + "experienced",
    "progressed": ADL_VERBS + "progressed",
    "attempted": ADL_VERBS + "attempted",
    "answered": ADL_VERBS + "answered",
    "completed": ADL_VERBS + "completed",
    "passed": ADL_VERBS + "passed",
    "failed": ADL_VERBS + "failed",
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
    "terminated": ADL_VERBS + "terminated",
    "voided": ADL_VERBS + "voided",
    "attended": ADL_VERBS + "attended",
    "earned": "http://id.tincanapi.com/verb/earned",
}
VERB_NAMES = {iri: name for name, iri in VERBS.items()}

ACTIVITY_TYPES: dict[str, str] = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
}

PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"
LANGUAGE = "th-TH"
PLATFORM = "flask-dg-lms"


def extension(base_url: str, name: str) -> str:
    """An extension IRI of our own profile, under the site's base URL."""
    return f"{base_url}/xapi/extensions/{name}"


def activity_type(base_url: str, name: str) -> str:
    """An activity type of our own profile (the certificate), under the site's base URL."""
    return f"{base_url}/xapi/activity-types/{name}"


def profile_iri(base_url: str) -> str:
    return f"{base_url}/xapi/profile"
