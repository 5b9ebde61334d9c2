"""The external LRSs statements are relayed to (``LMS_XAPI_FORWARD``), and which go to each.

``LMS_XAPI_FORWARD`` is a list of targets (JSON in the environment)::

    [{"name": "ministry", "endpoint": "https://lrs.example.go.th/xapi/",
      "username": "key", "password": "secret", "version": "1.0.3",
      "filter": {"verbs": ["http://adlnet.gov/expapi/verbs/completed"],
                 "activities": ["https://lms.example.go.th/courses/"]}}]

``endpoint`` is the LRS's base: statements are POSTed to ``<endpoint>statements``. A filter
with ``verbs`` lets only those verbs through, with ``activities`` only objects whose id starts
with one of those prefixes; both must match when both are given. A voiding statement follows
the statement it voids. A bad target queues nothing until fixed (see ``for_queueing``). The
deprecated ``LMS_XAPI_FORWARD_TO`` (statement endpoint URLs) still works: each URL is a target
named by the URL itself, without credentials or filter.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
FIELDS = {"name", "endpoint", "username", "password", "version", "filter"}
FILTER_FIELDS = {"verbs", "activities"}
CACHE_KEY = "lms_relay_targets"


class TargetError(ValueError):
    """A target of LMS_XAPI_FORWARD that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Target:
    name: str
    endpoint: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    version: str = "1.0.3"
    verbs: frozenset[str] = frozenset()
    activities: tuple[str, ...] = ()

    @property
    def statements_url(self) -> str:
        return self.endpoint + "statements"

    @property
    def about_url(self) -> str:
        return self.endpoint + "about"

    @property
    def filtered(self) -> bool:
        return bool(self.verbs or self.activities)

    def matches(self, verb_id: str, object_id: str) -> bool:
        """Whether a (non-voiding) statement with this verb and object goes to this target."""
        if self.verbs and verb_id not in self.verbs:
            return False
        return not self.activities or object_id.startswith(self.activities)


def parse(raw: Mapping[str, Any]) -> Target:
    if not isinstance(raw, Mapping):
        raise TargetError(f"LMS_XAPI_FORWARD: each target is an object, not {raw!r}.")
    unknown = set(raw) - FIELDS
    name = str(raw.get("name") or "").strip()
    endpoint = str(raw.get("endpoint") or "").strip()
    if unknown:
        raise TargetError(f"LMS_XAPI_FORWARD target {name!r}: unknown field(s) {sorted(unknown)}.")
    if not name or not endpoint.startswith(("http://", "https://")):
        raise TargetError(f"LMS_XAPI_FORWARD target {name!r}: a name and an http(s) endpoint are required.")
    chosen = raw.get("filter") or {}
    if not isinstance(chosen, Mapping) or set(chosen) - FILTER_FIELDS:
        raise TargetError(f"LMS_XAPI_FORWARD target {name!r}: filter takes only {sorted(FILTER_FIELDS)}.")
    return Target(
        name=name,
        endpoint=endpoint.rstrip("/") + "/",
        username=raw.get("username") or None,
        password=raw.get("password") or None,
        version=str(raw.get("version") or "1.0.3"),
        verbs=frozenset(chosen.get("verbs") or ()),
        activities=tuple(chosen.get("activities") or ()),
    )


def from_forward_to(url: str) -> Target:
    """A target of the deprecated LMS_XAPI_FORWARD_TO: its statements URL, named by itself."""
    base = url.rstrip("/")
    if base.lower().endswith("/statements"):
        base = base[: -len("statements")]
    return Target(name=url, endpoint=base.rstrip("/") + "/")


def load(config: Mapping[str, Any]) -> list[Target]:
    """Every configured target; two with one name are refused."""
    found = [parse(raw) for raw in config.get("LMS_XAPI_FORWARD") or ()]
    old = tuple(config.get("LMS_XAPI_FORWARD_TO") or ())
    if old:
        log.warning("LMS_XAPI_FORWARD_TO is deprecated: use LMS_XAPI_FORWARD (docs/xapi-relay.md).")
        found += [from_forward_to(url) for url in old]
    names = [target.name for target in found]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise TargetError(f"LMS_XAPI_FORWARD: more than one target is named {duplicated}.")
    return found


def configured() -> list[Target]:
    """The app's targets, read once per configuration; raises TargetError for a bad one."""
    targets, error = _cached()
    if error is not None:
        raise error
    return targets


def for_queueing() -> list[Target]:
    """The targets ``record`` queues for (it asks for every statement). A bad configuration
    queues nothing rather than failing every learning action: it is logged once, shown on the
    admin page, and ``flask lms xapi relay backfill`` queues what was recorded meanwhile."""
    return _cached()[0]


def _cached() -> tuple[list[Target], TargetError | None]:
    config = current_app.config
    key = (config.get("LMS_XAPI_FORWARD"), config.get("LMS_XAPI_FORWARD_TO"))
    cached = current_app.extensions.get(CACHE_KEY)
    if cached is None or cached[0] != key:
        try:
            cached = (key, load(config), None)
        except TargetError as exc:
            log.error("%s Nothing is queued for external LRSs until it is fixed.", exc)
            cached = (key, [], exc)
        current_app.extensions[CACHE_KEY] = cached
    return cached[1], cached[2]


def named(name: str) -> Target:
    for target in configured():
        if target.name == name:
            return target
    raise TargetError(f"No target named {name!r} in LMS_XAPI_FORWARD.")
