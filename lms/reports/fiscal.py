"""The Thai government fiscal year: 1 October to 30 September, named in the Buddhist Era by
the year in which it ends.

ปีงบประมาณ พ.ศ. 2569 runs from 1 October 2025 to 30 September 2026 (Asia/Bangkok). The
Buddhist Era year is the Gregorian year + 543, so fiscal year N (BE) begins on 1 October of
Gregorian year N - 544 and ends before 1 October of Gregorian year N - 543.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Fiscal years and report days are counted in Thai time, whatever the server's zone.
BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543


def bangkok_date(value: date | datetime) -> date:
    """The calendar date in Bangkok of a moment (an aware datetime); a date is returned as is."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("A naive datetime has no place in time; give it a time zone.")
        return value.astimezone(BANGKOK).date()
    return value


def bangkok_today() -> date:
    return datetime.now(BANGKOK).date()


def fiscal_year_of(value: date | datetime) -> int:
    """The fiscal year (BE) a date, or a moment taken in Bangkok, belongs to."""
    day = bangkok_date(value)
    return day.year + BUDDHIST_ERA_OFFSET + (1 if day.month >= 10 else 0)


def current_fiscal_year() -> int:
    return fiscal_year_of(bangkok_today())


def fiscal_year_dates(year_be: int) -> tuple[date, date]:
    """The first and the last day of fiscal year ``year_be``: (1 Oct, 30 Sep)."""
    last_gregorian = year_be - BUDDHIST_ERA_OFFSET
    return date(last_gregorian - 1, 10, 1), date(last_gregorian, 9, 30)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments [first 00:00, day after last 00:00) in Bangkok, as UTC datetimes."""
    start = datetime(first.year, first.month, first.day, tzinfo=BANGKOK)
    end = datetime(last.year, last.month, last.day, tzinfo=BANGKOK) + timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def fiscal_year_bounds(year_be: int) -> tuple[datetime, datetime]:
    """Fiscal year ``year_be`` as UTC moments [start, end): 30 Sep 23:59 Bangkok is inside,
    1 Oct 00:00 Bangkok is the next year's first moment."""
    return day_bounds(*fiscal_year_dates(year_be))


def fiscal_year_label(year_be: int, language: str = "th") -> str:
    """``ปีงบประมาณ พ.ศ. 2569`` in Thai, ``Fiscal year 2026 (BE 2569)`` otherwise."""
    if language == "th":
        return f"ปีงบประมาณ พ.ศ. {year_be}"
    return f"Fiscal year {year_be - BUDDHIST_ERA_OFFSET} (BE {year_be})"
