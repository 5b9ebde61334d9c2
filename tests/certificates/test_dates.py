"""Thai (Buddhist Era) and English dates."""

from datetime import date, datetime

import pytest

from lms.certificates.dates import english_date, thai_date, thai_digits


@pytest.mark.parametrize(
    ("value", "thai", "english"),
    [
        ("2020-07-24", "24 กรกฎาคม พ.ศ. 2563", "24 July 2020"),
        ("2025-12-31", "31 ธันวาคม พ.ศ. 2568", "31 December 2025"),
        ("2026-01-01", "1 มกราคม พ.ศ. 2569", "1 January 2026"),
        ("2024-02-29", "29 กุมภาพันธ์ พ.ศ. 2567", "29 February 2024"),
        (date(2026, 9, 30), "30 กันยายน พ.ศ. 2569", "30 September 2026"),
    ],
)
def test_dates(value, thai, english):
    assert thai_date(value) == thai
    assert english_date(value) == english


@pytest.mark.parametrize(
    ("value", "thai"),
    [
        ("2025-12-31T16:59:59+00:00", "31 ธันวาคม พ.ศ. 2568"),  # 23:59:59 in Bangkok
        ("2025-12-31T17:00:00Z", "1 มกราคม พ.ศ. 2569"),  # midnight in Bangkok: a new BE year
        ("2025-12-31T17:00:00", "1 มกราคม พ.ศ. 2569"),  # naive means UTC
        ("2026-01-01T00:30:00+07:00", "1 มกราคม พ.ศ. 2569"),
        (datetime.fromisoformat("2025-12-31T23:00:00-05:00"), "1 มกราคม พ.ศ. 2569"),
    ],
)
def test_datetimes_are_dated_in_bangkok(value, thai):
    assert thai_date(value) == thai


@pytest.mark.parametrize("value", ["31/12/2025", "2025-13-01", "", None, 20251231])
def test_not_dates(value):
    with pytest.raises((ValueError, TypeError)):
        thai_date(value)


def test_thai_digits():
    assert thai_digits(thai_date("2025-12-31")) == "๓๑ ธันวาคม พ.ศ. ๒๕๖๘"
    assert thai_digits(8.5) == "๘.๕"
