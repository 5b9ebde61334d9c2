"""The Thai fiscal year: 1 October - 30 September in Bangkok, named by its BE end year."""

from datetime import UTC, date, datetime

import pytest

from lms.reports.fiscal import (
    fiscal_year_bounds,
    fiscal_year_dates,
    fiscal_year_label,
    fiscal_year_of,
)
from tests.reports.conftest import bangkok


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (bangkok("2026-09-30 23:59"), 2569),
        (bangkok("2026-10-01 00:00"), 2570),
        (bangkok("2025-10-01 00:00"), 2569),
        (bangkok("2025-09-30 23:59:59"), 2568),
        # 30 Sep 17:30 UTC is already 1 Oct 00:30 in Bangkok.
        (datetime(2026, 9, 30, 17, 30, tzinfo=UTC), 2570),
        (datetime(2026, 9, 30, 16, 59, tzinfo=UTC), 2569),
        (date(2026, 9, 30), 2569),
        (date(2026, 10, 1), 2570),
        (date(2026, 1, 1), 2569),
    ],
)
def test_fiscal_year_of_a_moment_is_taken_in_bangkok(moment, year):
    assert fiscal_year_of(moment) == year


def test_fiscal_year_2569_runs_from_1_october_2025_to_30_september_2026():
    assert fiscal_year_dates(2569) == (date(2025, 10, 1), date(2026, 9, 30))
    start, end = fiscal_year_bounds(2569)
    # Midnight in Bangkok (UTC+7) is 17:00 UTC the evening before.
    assert start == datetime(2025, 9, 30, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    assert start <= bangkok("2025-10-01 00:00") < end
    assert start <= bangkok("2026-09-30 23:59:59") < end
    assert not bangkok("2026-10-01 00:00") < end


def test_labels_in_thai_and_english():
    assert fiscal_year_label(2569, "th") == "ปีงบประมาณ พ.ศ. 2569"
    assert fiscal_year_label(2569, "en") == "Fiscal year 2026 (BE 2569)"


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        fiscal_year_of(datetime(2026, 9, 30, 23, 59))
