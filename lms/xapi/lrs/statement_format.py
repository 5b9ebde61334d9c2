"""The ``format`` of GET statements: ``exact`` (as stored), ``ids`` and ``canonical``.

``ids`` keeps only identifiers: an Agent's inverse functional identifier, a Group's (or, for an
anonymous Group, its members'), an Activity's and a Verb's id. ``canonical`` returns one
language of each language map, the best for ``Accept-Language`` (Communication 2.1.3), chosen
map by map; the statement's own definitions are the canonical ones here.
"""

from __future__ import annotations

import copy
from typing import Any

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_PLACES = ("actor", "authority")
INTERACTION_LISTS = ("choices", "scale", "source", "target", "steps")


def formatted(statement: dict[str, Any], fmt: str, accept_language: str | None) -> dict[str, Any]:
    if fmt == "ids":
        return _ids(statement)
    if fmt == "canonical":
        return _canonical(copy.deepcopy(statement), _preferences(accept_language))
    return statement


def _ids(statement: dict[str, Any]) -> dict[str, Any]:
    out = dict(statement)
    for place in AGENT_PLACES:
        if isinstance(out.get(place), dict):
            out[place] = _agent_ids(out[place])
    out["verb"] = {"id": statement["verb"]["id"]}
    out["object"] = _object_ids(statement["object"])
    if isinstance(statement.get("context"), dict):
        out["context"] = _context_ids(statement["context"])
    return out


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    out = {"objectType": agent.get("objectType", "Agent")}
    out.update({name: agent[name] for name in IFIS if name in agent})
    if out["objectType"] == "Group" and not any(name in agent for name in IFIS):
        out["member"] = [_agent_ids(member) for member in agent.get("member") or []]
    return out


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return {"id": obj["id"]}
    if kind in ("Agent", "Group"):
        return _agent_ids(obj)
    if kind == "SubStatement":
        return _ids(obj)
    return obj


def _context_ids(context: dict[str, Any]) -> dict[str, Any]:
    out = dict(context)
    for place in ("instructor", "team"):
        if isinstance(context.get(place), dict):
            out[place] = _agent_ids(context[place])
    activities = context.get("contextActivities")
    if isinstance(activities, dict):
        out["contextActivities"] = {
            kind: [{"objectType": "Activity", "id": a["id"]} for a in (v if isinstance(v, list) else [v])]
            for kind, v in activities.items()
        }
    return out


def _canonical(statement: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    verb = statement["verb"]
    if isinstance(verb.get("display"), dict):
        verb["display"] = pick(verb["display"], wanted)
    obj = statement["object"]
    if obj.get("objectType", "Activity") == "Activity":
        _activity(obj, wanted)
    elif obj.get("objectType") == "SubStatement":
        _canonical(obj, wanted)
    activities = (statement.get("context") or {}).get("contextActivities") or {}
    for value in activities.values():
        for activity in value if isinstance(value, list) else [value]:
            _activity(activity, wanted)
    return statement


def _activity(activity: dict[str, Any], wanted: list[str]) -> None:
    definition = activity.get("definition")
    if not isinstance(definition, dict):
        return
    for name in ("name", "description"):
        if isinstance(definition.get(name), dict):
            definition[name] = pick(definition[name], wanted)
    for name in INTERACTION_LISTS:
        for component in definition.get(name) or []:
            if isinstance(component, dict) and isinstance(component.get("description"), dict):
                component["description"] = pick(component["description"], wanted)


def pick(language_map: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """The one entry of a language map that best fits the preferences (RFC 2616 14.4)."""
    if len(language_map) <= 1:
        return language_map
    by_lower = {tag.lower(): tag for tag in language_map}
    for preference in wanted:
        if preference == "*":
            break
        if preference in by_lower:
            return {by_lower[preference]: language_map[by_lower[preference]]}
        for lower, tag in by_lower.items():
            if lower.startswith(preference + "-") or preference.startswith(lower + "-"):
                return {tag: language_map[tag]}
    first = next(iter(language_map))
    return {first: language_map[first]}


def _preferences(header: str | None) -> list[str]:
    """Accept-Language's tags, best first (q=0 left out)."""
    found = []
    for index, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            found.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(found)]
