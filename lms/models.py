"""Imports every area's models, so Base.metadata knows every LMS table."""

from lms.accounts.models import HRScope, OrgUnit, Province, User, UserRole
from lms.api.models import ApiToken
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.certificates.models import Certificate
from lms.courses.models import Course, CourseVersion, Enrolment, LearningPath, Lesson, LessonProgress, Module
from lms.jobs.models import Job
from lms.quizzes.models import QuizAttempt, QuizOutcome
from lms.xapi.models import OutboxEntry, StoredStatement

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentUser",
    "Certificate",
    "Course",
    "CourseVersion",
    "Enrolment",
    "HRScope",
    "Job",
    "LearningPath",
    "Lesson",
    "LessonProgress",
    "Module",
    "OrgUnit",
    "OutboxEntry",
    "Province",
    "QuizAttempt",
    "QuizOutcome",
    "RequiredCourse",
    "StoredStatement",
    "User",
    "UserRole",
]
