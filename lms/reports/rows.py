"""The plain rows every report returns: dataclasses the views, exports and JSON API share.

Datetimes are timezone-aware UTC; ``due_on`` is a calendar date; scores are percentages
(0-100). Two measures of learning time are kept apart everywhere:

- ``hours``: **certified hours**, the nominal hours of the course version the learner enrolled
  in (``CourseVersion.hours``), what the certificate states and what the training-hours target
  counts;
- ``time_spent_seconds``: the **time actually spent** on the lessons, as the LMS measured it
  (``Enrolment.time_spent_seconds``); shown in hours and minutes, never added to the hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lms.reports.facts import COUNTED
from lms.reports.filters import ReportFilters


@dataclass(frozen=True)
class Counts:
    """The counts of one cell group (a course, or a course and a breakdown value)."""

    learners: int = 0
    assigned: int = 0
    enrolled: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    passed: int = 0
    overdue: int = 0
    average_score: float | None = None
    average_days: float | None = None

    @property
    def completion_percent(self) -> float | None:
        """Completed as a share of the learners (people assigned or enrolled), in percent."""
        return 100 * self.completed / self.learners if self.learners else None

    @classmethod
    def from_row(cls, row: Any) -> Counts:
        values = {name: int(getattr(row, name) or 0) for name in ("learners", *COUNTED)}
        return cls(
            **values,
            average_score=float(row.score_sum) / int(row.scored) if row.scored else None,
            average_days=float(row.days_sum) / int(row.timed) if row.timed else None,
        )


@dataclass(frozen=True)
class BreakdownRow:
    """One breakdown value: ``key`` is what the drill-down parameter takes (``none`` for people
    without a unit or province); units carry their tree ``depth`` (0 at the top)."""

    dimension: str
    key: str
    counts: Counts
    name_th: str = ""
    name_en: str = ""
    depth: int = 0

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_th


@dataclass(frozen=True)
class CourseReport:
    course_id: int
    slug: str
    title_th: str
    title_en: str
    hours: float
    total: Counts
    rows: list[BreakdownRow] = field(default_factory=list)

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th


@dataclass(frozen=True)
class Overview:
    """The courses with their counts, and for each dimension asked for as a chart, the
    filtered courses taken together (person-course pairs) by that dimension."""

    filters: ReportFilters
    breakdown: str | None
    courses: list[CourseReport]
    charts: dict[str, list[BreakdownRow]] = field(default_factory=dict)


@dataclass(frozen=True)
class PersonRow:
    """A person as the report lists show them: names, staff group, unit and province."""

    user_uuid: str
    name_th: str
    name_en: str
    staff_group: str
    unit_code: str | None
    unit_th: str | None
    unit_en: str | None
    province_code: str | None
    province_th: str | None
    province_en: str | None


@dataclass(frozen=True)
class LearnerRow(PersonRow):
    """One person and course behind a count."""

    course_slug: str
    course_th: str
    course_en: str
    status: str
    is_assigned: bool
    due_on: date | None
    enrolled_at: datetime | None
    completed_at: datetime | None
    score: float | None
    days: float | None
    time_spent_seconds: int


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class TranscriptRow:
    """One course of a transcript. ``hours`` are the certified hours of the version enrolled in
    (the current version's when not enrolled); ``score`` is the mean of the counted attempt of
    each quiz taken (best or last, as the quiz's ``attempt_counts`` says)."""

    course_slug: str
    title_th: str
    title_en: str
    hours: float
    status: str
    is_assigned: bool
    due_on: date | None
    enrolled_at: datetime | None
    completed_at: datetime | None
    score: float | None
    time_spent_seconds: int
    certificate_serial: str | None
    certificate_status: str | None

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_th


@dataclass(frozen=True)
class Transcript:
    user_uuid: str
    name_th: str
    name_en: str
    staff_group: str
    unit_th: str | None
    unit_en: str | None
    province_th: str | None
    province_en: str | None
    rows: list[TranscriptRow]
    fiscal_year: int
    hours_in_fiscal_year: float
    hours_total: float
    #: The time spent on the courses completed in the fiscal year, and on every completed course.
    time_spent_seconds_in_fiscal_year: int
    time_spent_seconds_total: int
    #: The mean of the counted attempt of every quiz taken, over all the courses (None: no quiz).
    average_score: float | None


@dataclass(frozen=True)
class HoursRow(PersonRow):
    """A person's completed courses in the period: their certified ``hours`` (what the target
    counts) and the time spent on those same courses."""

    courses: int
    hours: float
    target: float
    time_spent_seconds: int

    @property
    def meets_target(self) -> bool:
        return self.hours >= self.target


@dataclass(frozen=True)
class HoursSummary:
    fiscal_year: int | None
    people: int
    meeting_target: int
    total_hours: float
    target: float
    total_time_spent_seconds: int

    @property
    def average_hours(self) -> float | None:
        return self.total_hours / self.people if self.people else None


@dataclass(frozen=True)
class HoursReport:
    summary: HoursSummary
    page: Page
