"""The ``page`` query argument of paginated lists, and their page count.

Page numbers are capped: an OFFSET past a 64-bit integer is a database error, and one past the
cap would only be an empty page.
"""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000


def requested_page() -> int | None:
    """The ``page`` query argument (1 when absent), or None when it is not a whole number from
    1 to ``MAX_PAGE``; the caller answers 400 with its message."""
    value = request.args.get("page", "1")
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        return None
    return int(value)


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill, at least one (an empty list still has its page)."""
    return max(-(-total // per_page), 1)
