"""Documented extension points (blinker signals). Receivers run inside the recording
transaction: they may add rows to the session but must not commit."""

from blinker import Namespace

_signals = Namespace()

#: Sent with ``statement`` (the dict) and ``row`` (the StoredStatement) after a statement is
#: stored and projected.
statement_recorded = _signals.signal("lms.statement-recorded")

#: Sent with ``target`` (the StoredStatement now voided), ``voiding`` (the voiding statement's
#: dict) and ``voided_by`` (the LMS user id of its actor, or None) after the target's
#: registration is re-derived. Certificates revoke what a voided course completion produced.
statement_voided = _signals.signal("lms.statement-voided")

#: Sent with ``enrolment`` the first time a course is marked complete for it.
course_completed = _signals.signal("lms.course-completed")

#: Sent with ``certificate`` when a certificate is issued (issue 5).
certificate_issued = _signals.signal("lms.certificate-issued")

#: Sent with ``users`` (a list) after people are created, or their profile, roles or HR scope
#: change: one person from the accounts service, everyone created or changed by a staff import
#: at once. Assignments recompute their required courses (and, for an HR user, those of the
#: assignments they made) and enrol them where needed.
user_changed = _signals.signal("lms.user-changed")
