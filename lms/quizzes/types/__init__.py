"""Question types: what the page shows, how answers are read and graded, and how they are
reported to xAPI. ``base`` holds the contract and the form-field scheme; the types are
grouped by how the learner answers (``choice``: pick; ``typed``: type; ``arrange``: pair or
order); ``registry`` holds them per app."""

from lms.quizzes.types.arrange import Matching, Sequencing
from lms.quizzes.types.base import FIELD_PREFIX, Grade, QuestionType, ResponseError, field_name
from lms.quizzes.types.choice import MultipleResponse, SingleChoice, TrueFalse
from lms.quizzes.types.registry import QuestionTypeRegistry, default_registry
from lms.quizzes.types.typed import FillIn, Numeric

__all__ = [
    "FIELD_PREFIX",
    "FillIn",
    "Grade",
    "Matching",
    "MultipleResponse",
    "Numeric",
    "QuestionType",
    "QuestionTypeRegistry",
    "ResponseError",
    "Sequencing",
    "SingleChoice",
    "TrueFalse",
    "default_registry",
    "field_name",
]
