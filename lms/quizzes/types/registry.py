"""The question types an app knows, by name. Built per app in ``init_app`` (kept in
``app.extensions["lms"]``), so a host or a test can add a type without touching shared state."""

from __future__ import annotations

from collections.abc import Iterable

from lms.quizzes.types.arrange import Matching, Sequencing
from lms.quizzes.types.base import QuestionType
from lms.quizzes.types.choice import MultipleResponse, SingleChoice, TrueFalse
from lms.quizzes.types.typed import FillIn, Numeric


class QuestionTypeRegistry:
    """Question types by their ``name``; each name once."""

    def __init__(self, types: Iterable[QuestionType] = ()) -> None:
        self._types: dict[str, QuestionType] = {}
        for qtype in types:
            self.register(qtype)

    def register(self, qtype: QuestionType) -> None:
        if not qtype.name:
            raise ValueError(f"{qtype!r} has no name")
        if qtype.name in self._types:
            raise ValueError(f"a question type named {qtype.name!r} is already registered")
        self._types[qtype.name] = qtype

    def get(self, name: str) -> QuestionType:
        try:
            return self._types[name]
        except KeyError:
            raise KeyError(f"no question type named {name!r}") from None

    def names(self) -> list[str]:
        return list(self._types)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __repr__(self) -> str:
        return f"<QuestionTypeRegistry {', '.join(self._types)}>"


def default_registry() -> QuestionTypeRegistry:
    """A new registry holding the seven built-in types."""
    return QuestionTypeRegistry(
        [SingleChoice(), MultipleResponse(), TrueFalse(), FillIn(), Numeric(), Matching(), Sequencing()]
    )
