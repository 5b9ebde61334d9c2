"""The ``page`` query argument of paginated lists, and their page count.

Page numbers are capped: an OFFSET past a 64-bit integer is a database error, and one past the
cap would only be an empty page. Numbers in a request are ASCII digits only: ``str.isdigit``
and ``int`` also take Thai (๑๐) and superscript (²) digits, and ``int("²")`` fails.
"""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000
MAX_DIGITS = 9


def whole_number(value: str | None) -> int | None:
    """The value as a whole number if it is written in ASCII digits 0-9 only (at most nine),
    else None."""
    if not value or len(value) > MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def requested_page() -> int | None:
    """The ``page`` query argument (1 when absent), or None when it is not a whole number from
    1 to ``MAX_PAGE``; the caller answers 400 with its message."""
    number = whole_number(request.args.get("page", "1"))
    if number is None or not 1 <= number <= MAX_PAGE:
        return None
    return number


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill, at least one (an empty list still has its page)."""
    return max(-(-total // per_page), 1)
