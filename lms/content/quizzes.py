"""Quiz definitions, read from the course version's package files (checked at import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from lms.content.models import CourseVersion
from lms.packages.media import stored_name

#: ``show_feedback`` when a quiz file leaves it out: no correct answer is shown while the
#: learner can still try again and has not passed (docs/course-package.md, Quizzes).
DEFAULT_SHOW_FEEDBACK = "after_pass_or_last_attempt"


@dataclass(frozen=True)
class QuizDefinition:
    key: str
    title_th: str
    title_en: str
    pass_mark: float
    attempts: int | None
    time_limit_minutes: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    draw: int | None
    show_feedback: str
    attempt_counts: str
    questions: tuple[dict[str, Any], ...]

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th

    def question(self, question_id: str) -> dict[str, Any] | None:
        return next((q for q in self.questions if q["id"] == question_id), None)


class _PackageCache:
    """What we read from a version's package files, kept per content hash.

    A package's content never changes under its hash, so entries never go stale; the cache
    only spares loading the (large, deferred) package column on every quiz request.
    """

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self.entries: dict[tuple[str, str], Any] = {}

    def get(self, version: CourseVersion, name: str, build):
        key = (version.content_hash, name)
        if key not in self.entries:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            self.entries[key] = build(version.package)
        return self.entries[key]


_cache = _PackageCache()


def load_quiz(version: CourseVersion, key: str) -> QuizDefinition | None:
    def build(package):
        text = package["files"].get(f"quizzes/{key}.yaml")
        return _parse(key, text) if text is not None else None

    return _cache.get(version, f"quiz:{key}", build)


def media_names(version: CourseVersion) -> dict[str, str]:
    """The package's media paths (``media/x.png``) and their names in the media store."""

    def build(package):
        return {
            path: stored_name(sha, PurePosixPath(path).suffix)
            for path, sha in package.get("media", {}).items()
        }

    return _cache.get(version, "media", build)


def _parse(key: str, text: str) -> QuizDefinition:
    data = yaml.safe_load(text)
    attempts = data["attempts"]
    return QuizDefinition(
        key=key,
        title_th=data["title"]["th"],
        title_en=data["title"].get("en", ""),
        pass_mark=float(data["pass_mark"]),
        attempts=None if attempts == "unlimited" else int(attempts),
        time_limit_minutes=data.get("time_limit_minutes"),
        shuffle_questions=bool(data["shuffle_questions"]),
        shuffle_choices=bool(data["shuffle_choices"]),
        draw=data.get("draw"),
        show_feedback=data.get("show_feedback", DEFAULT_SHOW_FEEDBACK),
        attempt_counts=data["attempt_counts"],
        questions=tuple(data["questions"]),
    )
