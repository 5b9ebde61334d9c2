"""Dates on certificates: Thai (Buddhist Era) and English, as Jinja filters.

``thai_date("2020-07-24")`` gives ``"24 กรกฎาคม พ.ศ. 2563"`` (the Buddhist Era year is the
Gregorian year + 543), ``english_date("2020-07-24")`` gives ``"24 July 2020"``. Both accept an
ISO date (``"2026-09-30"``), an ISO datetime (``"2026-09-30T17:05:00+00:00"``, shown as its
date in Bangkok) or a ``date``/``datetime`` object.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from lms.core.i18n import thai_date as web_thai_date

#: Thailand has kept UTC+7 all year since 1920, so a fixed offset needs no tz database.
BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")

ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def to_date(value: str | date) -> date:
    """The calendar date of ``value``; a datetime (aware, or naive meaning UTC) is taken in
    Bangkok. Raises ``ValueError`` for anything else."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(BANGKOK).date()
    if isinstance(value, date):
        return value
    raise ValueError(f"not a date: {value!r}")


def thai_date(value: str | date) -> str:
    """``"2025-12-31"`` -> ``"31 ธันวาคม พ.ศ. 2568"`` (the same format as the web pages)."""
    return web_thai_date(to_date(value))


def english_date(value: str | date) -> str:
    """``"2025-12-31"`` -> ``"31 December 2025"``."""
    day = to_date(value)
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def thai_digits(value: object) -> str:
    """Arabic digits as Thai digits: ``"31 ธันวาคม พ.ศ. 2568"`` -> ``"๓๑ ธันวาคม พ.ศ. ๒๕๖๘"``."""
    return str(value).translate(_THAI_DIGITS)
