"""learning-paths.yaml: ordered course lists for a staff group, kept beside the packages.

A path may only name courses whose packages sit in the same folder, so a folder checks the
same way on every machine, whatever its database holds. Paths are upserted by key; paths
the file does not mention are left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lms.content.models import LearningPath
from lms.extensions import session
from lms.packages import schema, titles
from lms.packages.problems import Problem
from lms.packages.schema import show
from lms.packages.yamlsource import YamlSyntaxError, load_yaml

log = logging.getLogger(__name__)

PATHS_FILE = "learning-paths.yaml"


@dataclass(frozen=True)
class PathResult:
    key: str
    status: str
    """'created', 'updated' or 'unchanged'."""


def check_learning_paths(file: Path, slugs: Collection[str]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The paths in ``file`` and every problem in it; ``slugs`` are the courses it may name."""
    try:
        doc = load_yaml(file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        return [], [
            Problem(PATHS_FILE, None, f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8")
        ]
    except YamlSyntaxError as exc:
        return [], [Problem(PATHS_FILE, exc.line, str(exc))]
    problems = [
        Problem(
            PATHS_FILE, line, f"the key '{key}' appears twice in one block (first on line {first}); keep one"
        )
        for line, key, first in doc.duplicate_keys()
    ]
    problems += schema.schema_problems(doc, schema.LEARNING_PATHS, PATHS_FILE)
    paths = doc.data.get("paths") if isinstance(doc.data, dict) else None
    count = len(paths) if isinstance(paths, list) else 0
    problems += titles.html_problems(doc, PATHS_FILE, [["paths", index, "title"] for index in range(count)])
    paths = [p for p in paths if isinstance(p, dict)] if isinstance(paths, list) else []
    found = _path_problems(paths, set(slugs))
    problems += [Problem(PATHS_FILE, doc.line(path), message) for path, message in found]
    return paths, problems


def _path_problems(paths: list[dict[str, Any]], slugs: set[str]) -> list[tuple[list, str]]:
    found, keys = [], {}
    for index, path in enumerate(paths):
        where = ["paths", index]
        key = path.get("key")
        if isinstance(key, str) and key in keys:
            found.append(([*where, "key"], f"duplicate path key {show(key)}; each path needs its own"))
        keys.setdefault(key, index)
        courses = path.get("courses") if isinstance(path.get("courses"), list) else []
        for number, slug in enumerate(courses):
            if not isinstance(slug, str):
                continue
            if slug not in slugs:
                known = ", ".join(sorted(slugs)) or "none"
                found.append(
                    (
                        [*where, "courses", number],
                        f"no package in this folder has the slug {show(slug)} (the folder has: {known})",
                    )
                )
            elif slug in courses[:number]:
                found.append(([*where, "courses", number], f"the course {slug} is listed twice in this path"))
    return found


def upsert_learning_paths(paths: list[dict[str, Any]]) -> list[PathResult]:
    """Create or update one LearningPath per entry, by key. Flushes; does not commit."""
    existing = {row.key: row for row in session.scalars(select(LearningPath))}
    results = []
    for path in paths:
        values = {
            "staff_group": path["staff_group"],
            "title_th": path["title"]["th"],
            "title_en": path["title"]["en"],
            "course_slugs": list(path["courses"]),
        }
        row = existing.get(path["key"])
        if row is None:
            session.add(LearningPath(key=path["key"], **values))
            results.append(PathResult(path["key"], "created"))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            results.append(PathResult(path["key"], "updated"))
        else:
            results.append(PathResult(path["key"], "unchanged"))
    session.flush()
    log.info("learning paths: %s", ", ".join(f"{r.key} {r.status}" for r in results))
    return results
