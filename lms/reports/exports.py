"""Every report as CSV (streamed) and XLSX (constant memory), from the same typed columns.

A table is a list of :class:`Column` (a heading and a kind) and an iterable of row tuples.
CSV is UTF-8 with a byte-order mark, so Excel opens Thai text correctly; it is produced by a
generator, a batch of rows at a time, so a 100,000-row export never sits in memory. XLSX is
written by openpyxl in write-only mode (rows go straight to the file): numbers are numbers,
dates are dates (Bangkok time; Excel keeps no zone), with a bold header row and frozen panes.

A ``duration`` column (time spent) holds seconds; it is written in whole minutes, as ``H:MM``
in CSV and in XLSX as a number of days (what Excel's times are) formatted ``[h]:mm``, so a
sum of the column is a sum of time.

Text is never a formula: names and other text come from people, and a value such as
``=HYPERLINK(...)`` would otherwise run in the spreadsheet. Every export neutralises it the
OWASP way (CSV injection): text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe, in CSV that field is also quoted, and XLSX text
cells are written as strings (openpyxl would make a formula of a string starting with
``=``). The background XLSX goes through the same :func:`write_xlsx`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from flask_babel import lazy_gettext as _l

from lms.accounts.forms import STAFF_GROUP_LABELS
from lms.reports.fiscal import BANGKOK
from lms.reports.labels import row_label, status_label
from lms.reports.rows import HoursRow, LearnerRow, Overview, PersonRow, Transcript

BOM = "\ufeff"
CSV_BATCH = 500
FORMATS = {
    "int": "0",
    "number": "0.0",
    "duration": "[h]:mm",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
WIDTHS = {"text": 28, "int": 12, "number": 12, "duration": 14, "date": 12, "datetime": 17}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_SPECIAL = (",", '"', "\r", "\n")


@dataclass(frozen=True)
class Column:
    label: Any
    kind: str = "text"  # text | int | number | duration (seconds) | date | datetime


def local(value: datetime | None) -> datetime | None:
    """An aware datetime as a naive one in Bangkok time (what a spreadsheet shows)."""
    return value.astimezone(BANGKOK).replace(tzinfo=None) if value is not None else None


def hours_minutes(seconds: int) -> tuple[int, int]:
    """Seconds as whole hours and minutes (the seconds left over are dropped)."""
    minutes = int(seconds) // 60
    return minutes // 60, minutes % 60


def csv_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "number":
        return f"{value:.1f}"
    if kind == "duration":
        return "{}:{:02d}".format(*hours_minutes(value))
    if kind == "datetime":
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return neutralised(text) if kind == "text" else text


def neutralised(text: str) -> str:
    """Text a spreadsheet would read as a formula, with a leading apostrophe (OWASP); also
    after leading spaces (the indented org units of a breakdown)."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def csv_field(text: str) -> str:
    """One field: quoted when it holds a separator, a quote or a line break (as the csv
    module does), and always when it starts with an apostrophe (a neutralised formula)."""
    if text.startswith(("'", " ")) or any(char in text for char in CSV_SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(texts: Iterable[str]) -> str:
    return ",".join(csv_field(text) for text in texts) + "\r\n"


def csv_stream(columns: list[Column], rows: Iterable[tuple]) -> Iterator[bytes]:
    """The CSV file, a batch of rows at a time: BOM, a header row, then the rows."""
    buffer = io.StringIO()
    buffer.write(BOM)
    buffer.write(csv_line(neutralised(str(c.label)) for c in columns))
    for count, row in enumerate(rows, start=1):
        buffer.write(csv_line(csv_text(value, c.kind) for value, c in zip(row, columns, strict=True)))
        if count % CSV_BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(target: str | IO[bytes], columns: list[Column], rows: Iterable[tuple], title: str) -> int:
    """Write the table as an XLSX workbook of one sheet; returns the number of rows."""
    from openpyxl import Workbook  # openpyxl is imported when an XLSX is written (ADR 0034)
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column.kind]
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, value, column.kind) for value, column in zip(row, columns, strict=True)]
        )
        count += 1
    workbook.save(target)
    return count


def _xlsx_cell(sheet, value: Any, kind: str):
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if kind == "datetime":
        value = local(value)
    if kind == "duration":
        value = (int(value) // 60) / (24 * 60)  # whole minutes, as a fraction of a day
    if kind in FORMATS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = FORMATS[kind]
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=neutralised(value))
        cell.data_type = "s"  # text, never the formula openpyxl would make of a leading "="
        return cell
    return value


# The reports as tables -----------------------------------------------------------------------

COUNT_COLUMNS = [
    Column(_l("Learners"), "int"),
    Column(_l("Assigned"), "int"),
    Column(_l("Enrolled"), "int"),
    Column(_l("Not started"), "int"),
    Column(_l("In progress"), "int"),
    Column(_l("Completed"), "int"),
    Column(_l("Passed"), "int"),
    Column(_l("Overdue"), "int"),
    Column(_l("Completion (percent)"), "number"),
    Column(_l("Average score (percent)"), "number"),
    Column(_l("Average days to complete"), "number"),
]


def _counts(counts) -> tuple:
    return (
        counts.learners,
        counts.assigned,
        counts.enrolled,
        counts.not_started,
        counts.in_progress,
        counts.completed,
        counts.passed,
        counts.overdue,
        counts.completion_percent,
        counts.average_score,
        counts.average_days,
    )


def overview_table(overview: Overview, language: str) -> tuple[list[Column], Iterator[tuple]]:
    """One row per course (its total), then one per breakdown value under it."""
    columns = [Column(_l("Course")), Column(_l("Course id")), Column(_l("Breakdown")), Column(_l("Group"))]

    def rows():
        for course in overview.courses:
            yield (course.title(language), course.slug, "", "", *_counts(course.total))
            for row in course.rows:
                label = ("  " * row.depth) + row_label(row, language)
                yield (course.title(language), course.slug, row.dimension, label, *_counts(row.counts))

    return columns + COUNT_COLUMNS, rows()


def _name(language: str, th: str | None, en: str | None) -> str:
    return (en if language == "en" and en else th) or ""


def _person_columns() -> list[Column]:
    return [Column(_l("Name")), Column(_l("Staff group")), Column(_l("Org unit")), Column(_l("Province"))]


def _person_cells(person: PersonRow, language: str) -> tuple[str, str, str, str]:
    return (
        _name(language, person.name_th, person.name_en),
        str(STAFF_GROUP_LABELS.get(person.staff_group, person.staff_group)),
        _name(language, person.unit_th, person.unit_en),
        _name(language, person.province_th, person.province_en),
    )


def drilldown_table(learners: Iterable[LearnerRow], language: str) -> tuple[list[Column], Iterator[tuple]]:
    columns = [
        *_person_columns(),
        Column(_l("Course")),
        Column(_l("Status")),
        Column(_l("Due date"), "date"),
        Column(_l("Enrolled"), "datetime"),
        Column(_l("Completed"), "datetime"),
        Column(_l("Score (percent)"), "number"),
        Column(_l("Days to complete"), "number"),
        Column(_l("Minutes spent"), "int"),
    ]
    rows = (
        (
            *_person_cells(r, language),
            _name(language, r.course_th, r.course_en),
            status_label(r.status),
            r.due_on,
            r.enrolled_at,
            r.completed_at,
            r.score,
            r.days,
            r.time_spent_seconds // 60,
        )
        for r in learners
    )
    return columns, rows


CERTIFIED_HOURS = Column(_l("Certified hours"), "number")
TIME_SPENT = Column(_l("Time spent (h:mm)"), "duration")


def hours_table(people: Iterable[HoursRow], language: str) -> tuple[list[Column], Iterator[tuple]]:
    columns = [
        *_person_columns(),
        Column(_l("Courses completed"), "int"),
        CERTIFIED_HOURS,
        TIME_SPENT,
        Column(_l("Target hours"), "number"),
        Column(_l("Target met")),
    ]
    yes, no = str(_l("Yes")), str(_l("No"))
    rows = (
        (
            *_person_cells(r, language),
            r.courses,
            r.hours,
            r.time_spent_seconds,
            r.target,
            yes if r.meets_target else no,
        )
        for r in people
    )
    return columns, rows


def transcript_table(transcript: Transcript, language: str) -> tuple[list[Column], Iterator[tuple]]:
    columns = [
        Column(_l("Name")),
        Column(_l("Course")),
        CERTIFIED_HOURS,
        TIME_SPENT,
        Column(_l("Status")),
        Column(_l("Due date"), "date"),
        Column(_l("Enrolled"), "datetime"),
        Column(_l("Completed"), "datetime"),
        Column(_l("Score (percent)"), "number"),
        Column(_l("Certificate")),
    ]
    name = _name(language, transcript.name_th, transcript.name_en)
    rows = (
        (
            name,
            r.title(language),
            r.hours,
            r.time_spent_seconds if r.enrolled_at is not None else None,
            status_label(r.status),
            r.due_on,
            r.enrolled_at,
            r.completed_at,
            r.score,
            r.certificate_serial or "",
        )
        for r in transcript.rows
    )
    return columns, rows
