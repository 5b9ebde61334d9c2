"""``course.yaml`` of a draft as data: read it, change it, save it back (one revision check).

Every part of authoring that changes the course file (details, modules and lessons, attaching a
quiz) goes through :func:`update`, so each save is checked against the revision the page was
opened at and audited with its diff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from lms.accounts.models import User
from lms.authoring import drafts, yaml_text
from lms.authoring.models import CourseDraft
from lms.packages.files import COURSE_FILE


def read(draft: CourseDraft) -> tuple[dict[str, Any], int]:
    """The course file's data and its revision (an empty dict for a file that is not valid
    YAML fields; the checker says why at preview and publish)."""
    try:
        data = yaml_text.load(drafts.text(draft, COURSE_FILE))
    except yaml.YAMLError:
        data = None
    return (data if isinstance(data, dict) else {}), drafts.revision(draft, COURSE_FILE)


def save(draft: CourseDraft, actor: User, data: dict[str, Any], base_revision: int) -> None:
    """Write ``data`` as the course file; raises ``drafts.StaleEdit`` if it moved on."""
    drafts.save_text(draft, actor, COURSE_FILE, yaml_text.dump(data), base_revision)


def update(draft: CourseDraft, actor: User, base_revision: int, change: Callable[[dict], None]) -> dict:
    """Read the course file, apply ``change`` to its data in place, save it. Returns the data."""
    drafts.check_revision(draft, COURSE_FILE, base_revision)
    data, _ = read(draft)
    change(data)
    save(draft, actor, data, base_revision)
    return data


def modules(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The course's modules list (made if missing), each a dict with ``id``, ``title``, ``lessons``."""
    found = data.get("modules")
    if not isinstance(found, list):
        found = data["modules"] = []
    return found


def find_module(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((m for m in modules(data) if isinstance(m, dict) and m.get("id") == key), None)
