"""Imports every area's models, so Base.metadata knows every LMS table."""

from lms.accounts.models import HRScope, OrgUnit, Province, User, UserRole
from lms.api.models import ApiToken
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.audit.models import AuditEntry
from lms.authoring.models import CourseDraft, CourseOwner, DraftFile
from lms.certificates.models import Certificate
from lms.content.models import Course, CourseVersion, LearningPath, Lesson, Module
from lms.jobs.models import Job
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome
from lms.quizzes.models import QuizAttempt
from lms.xapi.models import OutboxEntry, StoredStatement

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentUser",
    "AuditEntry",
    "CourseDraft",
    "CourseOwner",
    "DraftFile",
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
