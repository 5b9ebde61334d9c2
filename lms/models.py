"""Imports every area's models, so Base.metadata knows every LMS table."""

from lms.accounts.models import HRScope, OrgUnit, Province, User, UserRole
from lms.api.models import ApiToken
from lms.assignments.models import Assignment, AssignmentUser, RequiredCourse
from lms.audit.models import AuditEntry
from lms.authoring.models import CourseDraft, CourseOwner, DraftFile
from lms.authoring.template_models import CertificateTemplateDraft
from lms.certificates.models import Certificate
from lms.content.models import Course, CourseVersion, LearningPath, Lesson, Module
from lms.insights.models import QuestionAnswer, QuestionAnswerChoice
from lms.jobs.models import Job
from lms.progress.models import Enrolment, LessonProgress, QuizOutcome
from lms.quizzes.models import QuizAttempt
from lms.xapi.lrs.attachment_models import LrsAttachment
from lms.xapi.lrs.document_models import LrsDocument
from lms.xapi.lrs.launch_models import LrsLaunchToken
from lms.xapi.lrs.models import LrsCredential
from lms.xapi.lrs.statement_models import LrsStatementKey, LrsStatementMeta
from lms.xapi.models import OutboxEntry, RelayTargetState, StoredStatement

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentUser",
    "AuditEntry",
    "Certificate",
    "CertificateTemplateDraft",
    "Course",
    "CourseDraft",
    "CourseOwner",
    "CourseVersion",
    "DraftFile",
    "Enrolment",
    "HRScope",
    "Job",
    "LearningPath",
    "Lesson",
    "LessonProgress",
    "LrsAttachment",
    "LrsCredential",
    "LrsDocument",
    "LrsLaunchToken",
    "LrsStatementKey",
    "LrsStatementMeta",
    "Module",
    "OrgUnit",
    "OutboxEntry",
    "Province",
    "QuestionAnswer",
    "QuestionAnswerChoice",
    "QuizAttempt",
    "QuizOutcome",
    "RelayTargetState",
    "RequiredCourse",
    "StoredStatement",
    "User",
    "UserRole",
]
