"""Redirect targets taken from a request, kept on this site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Control characters: CR and LF would split the Location header (a 500, or a forged header), and
# browsers drop a tab or newline inside a URL, so "/\t/evil.example" would become "//evil.example".
# A backslash is a slash to browsers.
UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site; None for anything that could leave it, or that
    no Location header can carry."""
    if not target or UNSAFE.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
