"""Imports every area's models, so Base.metadata knows every LMS table."""

from lms.accounts.models import HRScope, OrgUnit, Province, User, UserRole
from lms.certificates.models import Certificate
from lms.courses.models import Course, CourseVersion, Enrolment, LearningPath, Lesson, LessonProgress, Module
from lms.quizzes.models import QuizAttempt, QuizOutcome
from lms.xapi.models import OutboxEntry, StoredStatement

__all__ = [
    "Certificate",
    "Course",
    "CourseVersion",
    "Enrolment",
    "HRScope",
    "LearningPath",
    "Lesson",
    "LessonProgress",
    "Module",
    "OrgUnit",
    "OutboxEntry",
    "Province",
    "QuizAttempt",
    "QuizOutcome",
    "StoredStatement",
    "User",
    "UserRole",
]
