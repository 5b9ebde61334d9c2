"""Quiz definitions, read from the course version's package files (checked at import)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from lms.courses.models import CourseVersion
from lms.quizzes.models import QuizOutcome


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


def load_quiz(version: CourseVersion, key: str) -> QuizDefinition | None:
    text = version.package["files"].get(f"quizzes/{key}.yaml")
    return _parse(version.content_hash, key, text) if text is not None else None


@lru_cache(maxsize=256)
def _parse(content_hash: str, key: str, text: str) -> QuizDefinition:
    """Parsed once per package content: the hash and key identify the text."""
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
        show_feedback=data["show_feedback"],
        attempt_counts=data["attempt_counts"],
        questions=tuple(data["questions"]),
    )


def counts_as_passed(quiz: QuizDefinition, outcomes: list[QuizOutcome]) -> bool:
    """Whether the quiz is passed under its rule: the best attempt, or the last one."""
    if not outcomes:
        return False
    if quiz.attempt_counts == "last":
        return max(outcomes, key=lambda o: o.attempt_number).is_passed
    return any(o.is_passed for o in outcomes)
