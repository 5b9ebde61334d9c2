"""HR reports: the functions views, exports and the JSON API call.

Each takes a checked :class:`~lms.reports.filters.ReportFilters` (``parse_filters``) and the
acting user, and returns the plain dataclasses of :mod:`lms.reports.rows`. Every query is SQL
aggregates over the facts of :mod:`lms.reports.facts` (what each status means is defined
there), limited to the actor's scope by :mod:`lms.reports.scope`: an administrator sees
everyone, an HR officer the people of their units (with sub-units) and provinces, anyone else
only themselves. Nothing here writes or commits.

Completion
    ``completion_overview(filters, actor, *, charts=()) -> Overview``
    ``completion_by(filters, actor, dimension) -> list[BreakdownRow]``
Drill-down (the learners behind a count; ``filters.status`` picks the count)
    ``drilldown(filters, actor, *, per_page) -> Page[LearnerRow]``
    ``drilldown_count(filters, actor) -> int``
    ``iter_drilldown(filters, actor, *, start=None, stop=None) -> Iterator[LearnerRow]``
    ``drilldown_keys(filters, actor, every) -> list[tuple]``
Transcript
    ``learner_transcript(actor, user_uuid, *, today=None) -> Transcript | None``
Training hours (in ``filters``' period, else the current fiscal year)
    ``training_hours(filters, actor, *, target, per_page) -> HoursReport``
    ``hours_count(filters, actor) -> int``
    ``iter_training_hours(filters, actor, *, target, start=None, stop=None) -> Iterator[HoursRow]``
    ``hours_keys(filters, actor, every) -> list[tuple]``
"""

from __future__ import annotations

from lms.reports.hours import hours_count, hours_filters, hours_keys, iter_training_hours, training_hours
from lms.reports.learners import (
    drilldown,
    drilldown_count,
    drilldown_keys,
    iter_drilldown,
    learner_transcript,
)
from lms.reports.overview import completion_by, completion_overview

__all__ = [
    "completion_by",
    "completion_overview",
    "drilldown",
    "drilldown_count",
    "drilldown_keys",
    "hours_count",
    "hours_filters",
    "hours_keys",
    "iter_drilldown",
    "iter_training_hours",
    "learner_transcript",
    "training_hours",
]
